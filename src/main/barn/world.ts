/**
 * A BARN world set up for a closed-loop run. Frame: BARN's world frame as the shared data
 * uses it, which is the run's `map` frame (x right across the field, y from the start
 * corridor toward the goal), metres.
 *
 * Layout (shared/data/README.md): a 30 × 92 lattice of 0.15 m cells over x ∈ [−4.5, 0],
 * y ∈ [0, 13.8] — a walled start corridor (y < 5.1), the 4.5 × 4.5 m obstacle field
 * (5.1 ≤ y < 9.6) and free space beyond. Every obstacle, walls included, is a cylinder
 * of radius 0.075 m.
 */
import type { Pose2D } from '../../shared/geometry';
import { CELL_FREE, type OccupancyGrid } from '../../shared/grid';
import { JACKAL_ROBOT, type LidarParams } from '../../sim/robot-params';
import { SimCore } from '../../sim/sim-core';
import type { CircleShape } from '../../sim/shapes';
import type { Vec2 } from '../../shared/geometry';

/** Radius of every BARN cylinder, metres. */
export const BARN_CYLINDER_RADIUS = 0.075;
/** Start pose: (−2.25, 3.0) m, heading +y. */
export const BARN_START: Pose2D = { x: -2.25, y: 3.0, theta: Math.PI / 2 };
/** Goal: (−2.25, 13.0) m; reaching it means coming within BARN_GOAL_TOLERANCE. */
export const BARN_GOAL: Pose2D = { x: -2.25, y: 13.0, theta: Math.PI / 2 };
export const BARN_GOAL_TOLERANCE = 1.0;
/** A run must reach the goal in under this long, seconds. */
export const BARN_TIME_LIMIT_S = 100;

/** The area the cylinder lattice covers, metres. */
export const BARN_BOUNDS = { minX: -4.5, maxX: 0, minY: 0, maxY: 13.8 } as const;

/**
 * The simulated lidar: a Hokuyo UST-10LX as mounted on BARN's Jackal — 270° field of view
 * (blind behind), 720 beams, 10 m range, near the base centre. Chosen over the 360° home
 * lidar because the blind sector behind is part of what the benchmark tests (obstacles
 * passed must be remembered, not re-seen). 20 Hz rather than the real 40 Hz: the planner
 * runs at 10 Hz and the safety loop needs scans younger than 0.2 s; simulating more
 * revolutions only costs time.
 */
export const BARN_LIDAR: LidarParams = {
  ...JACKAL_ROBOT.lidar,
  beams: 720,
  angleMin: (-3 * Math.PI) / 4,
  angleIncrement: (3 * Math.PI) / 2 / 719,
  rangeMin: 0.1,
  rangeMax: 10,
  rateHz: 20,
  mountX: 0.055,
  mountY: 0,
  mountYaw: 0,
  rangeNoiseSigma: 0.01,
};

/**
 * An all-free grid over `bounds` plus `padM` on every side, at `resolutionM` per cell.
 * It is what the planner knows before it has seen anything: in BARN the robot does not get
 * the obstacle map, it builds it from its scans.
 */
export function freeGrid(bounds: { minX: number; maxX: number; minY: number; maxY: number }, resolutionM: number, padM = 0): OccupancyGrid {
  const width = Math.ceil((bounds.maxX - bounds.minX + 2 * padM) / resolutionM - 1e-9);
  const height = Math.ceil((bounds.maxY - bounds.minY + 2 * padM) / resolutionM - 1e-9);
  return {
    width,
    height,
    resolution: resolutionM,
    origin: { x: bounds.minX - padM, y: bounds.minY - padM },
    data: new Uint8Array(width * height).fill(CELL_FREE),
  };
}

/** The planner's starting knowledge: the BARN area, all free, 0.05 m cells. */
export function barnPlanningGrid(resolutionM = 0.05): OccupancyGrid {
  return freeGrid(BARN_BOUNDS, resolutionM);
}

/** Cylinder centres → simulator circles of the BARN radius. */
export function barnCircles(centres: readonly Vec2[]): CircleShape[] {
  return centres.map((c) => ({ x: c.x, y: c.y, radius: BARN_CYLINDER_RADIUS }));
}

/**
 * The simulator for one world: the exact cylinders, a Jackal with the BARN lidar at the
 * start pose. Its grid is free and padded by 2 m so a robot that leaves the lattice (past
 * the field there are no walls) is still inside the simulated world.
 */
export function createBarnSim(centres: readonly Vec2[], seed: number): SimCore {
  return new SimCore({
    map: freeGrid(BARN_BOUNDS, 0.1, 2),
    seed,
    baseRobot: JACKAL_ROBOT,
    robot: { lidar: BARN_LIDAR },
    startPose: BARN_START,
    circles: barnCircles(centres),
  });
}
