/**
 * People detection and tracking scored against the simulator's ground truth.
 *
 * Runs SimCore with a crowd (default: the built-in apartment), takes every lidar
 * revolution (10 Hz), turns it into map-frame points, detects people against the static
 * map's distance field, feeds the detections to the tracker and scores the confirmed
 * tracks (and, for diagnosis, the raw detections) per scan against the true people within
 * `maxRange` of the robot (CLEAR-MOT style, see planner/perception/scoring).
 *
 * Which true people count: a person the lidar cannot see at all in a scan (behind a wall,
 * or completely hidden behind someone else) is a "don't care" for that frame: not a miss
 * if no track is on them, not a false positive if a coasting track still is. A person is
 * visible when at least `minVisibleReturns` beams of the scan end on their legs; the
 * figure is computed from the simulated scan itself, independently of the detector.
 *
 * Deterministic: the sim is seeded, time advances only by stepping, the robot follows a
 * fixed pattern with a ground-truth pose controller. Map frame, metres, seconds.
 */
import { DistanceField } from '../../planner/grid/index';
import {
  detectPeople,
  PersonTracker,
  scorePeople,
  type DetectorConfig,
  type PeopleScore,
  type ScoredPoint,
  type ScoringFrame,
  type TrackerConfig,
} from '../../planner/perception/index';
import type { Pose2D, Vec2 } from '../../shared/geometry';
import type { OccupancyGrid } from '../../shared/grid';
import { APARTMENT_PLACES, APARTMENT_START_POSE, buildApartmentGrid } from '../../sim/apartment';
import { LEG_RADIUS } from '../../sim/people';
import { SimCore, type SimScan } from '../../sim/sim-core';

/** How the robot moves during the run. */
export type RobotMotion = 'stand' | 'patrol';

export interface PerceptionEvalOptions {
  /** Sim seed (crowd and lidar noise). Default 1. */
  seed?: number;
  /** Simulated duration, seconds. Default 60. */
  durationS?: number;
  /** People in the crowd. Default 6. */
  crowdCount?: number;
  /** `stand` at the start pose, or `patrol` back and forth between `patrol` waypoints. Default `patrol`. */
  motion?: RobotMotion;
  /** Static world. Default: the built-in apartment (then the crowd walks between its places). */
  map?: OccupancyGrid;
  /** Robot start pose, map frame. Default: the apartment's start pose. */
  startPose?: Pose2D;
  /** Patrol waypoints, map frame; the robot drives to each in turn and loops. Default: along the apartment hallway. */
  patrol?: Vec2[];
  /** Patrol cruise speed, m/s. Default 0.5. */
  patrolSpeed?: number;
  /** Truth and estimates farther than this from the robot are not scored, metres. Default 4. */
  maxRange?: number;
  /** Largest estimate–truth distance of a match, metres. Default 0.5. */
  matchRadius?: number;
  /** Scans before this sim time are processed but not scored (tracker start-up), seconds. Default 1. */
  warmupS?: number;
  /** Beams that must end on a person's legs for the person to count as visible. Default 1. */
  minVisibleReturns?: number;
  detector?: Partial<DetectorConfig>;
  tracker?: Partial<TrackerConfig>;
}

export interface PerceptionEvalResult {
  seed: number;
  /** Simulated seconds. */
  durationS: number;
  motion: RobotMotion;
  crowdCount: number;
  maxRange: number;
  /** Scored scans. */
  frames: number;
  /** Confirmed tracks vs truth (the acceptance figures). */
  tracks: PeopleScore;
  /** Raw detections vs truth, for diagnosis (no ids, so no identity switches). */
  detections: PeopleScore;
  /** Visible true people within range, summed over scored frames. */
  visiblePersonFrames: number;
  /** True people within range but not visible (ignored), summed over scored frames. */
  hiddenPersonFrames: number;
}

/** The default patrol: along the apartment hallway (y ≈ 4.6), turning at both ends. */
export const APARTMENT_HALLWAY_PATROL: readonly Vec2[] = [
  { x: 9.6, y: 4.6 },
  { x: 1.4, y: 4.6 },
];

const SIM_STEP_S = 0.02;

export function runPerceptionEval(options: PerceptionEvalOptions = {}): PerceptionEvalResult {
  const seed = options.seed ?? 1;
  const durationS = options.durationS ?? 60;
  const crowdCount = options.crowdCount ?? 6;
  const motion = options.motion ?? 'patrol';
  const maxRange = options.maxRange ?? 4;
  const matchRadius = options.matchRadius ?? 0.5;
  const warmupS = options.warmupS ?? 1;
  const minVisibleReturns = options.minVisibleReturns ?? 1;
  const builtin = options.map === undefined;
  const map = options.map ?? buildApartmentGrid();
  const startPose = options.startPose ?? APARTMENT_START_POSE;
  const patrol = options.patrol ?? APARTMENT_HALLWAY_PATROL;
  const patrolSpeed = options.patrolSpeed ?? 0.5;

  const sim = new SimCore({
    map,
    seed,
    startPose,
    crowd: { count: crowdCount, places: builtin ? Object.values(APARTMENT_PLACES) : undefined },
  });
  const staticMap = DistanceField.fromGrid(map);
  const tracker = new PersonTracker(options.tracker);
  const driver = new PatrolDriver(patrol, patrolSpeed);

  const trackFrames: ScoringFrame[] = [];
  const detectionFrames: ScoringFrame[] = [];
  let visible = 0;
  let hidden = 0;
  const steps = Math.round(durationS / SIM_STEP_S);
  for (let k = 0; k < steps; k++) {
    if (motion === 'patrol') {
      const cmd = driver.command(sim.groundTruth().robotPose);
      sim.setCommand(cmd.v, cmd.w);
    }
    const { scans } = sim.step(SIM_STEP_S);
    for (const scan of scans) {
      const points = scanToMapPoints(scan);
      const found = detectPeople(points, scan.robotPose, staticMap, options.detector);
      const tracks = tracker.update(found, scan.time);
      if (scan.time < warmupS) continue;
      const gt = sim.groundTruth();
      const truth: ScoredPoint[] = gt.people.map((p) => {
        const returns = legReturns(scan, points, p.legs);
        return { id: p.id, x: p.x, y: p.y, ignore: returns < minVisibleReturns };
      });
      for (const t of truth) {
        if (Math.hypot(t.x - scan.robotPose.x, t.y - scan.robotPose.y) > maxRange) continue;
        if (t.ignore) hidden++;
        else visible++;
      }
      const robot = { x: scan.robotPose.x, y: scan.robotPose.y };
      trackFrames.push({ truth, estimates: tracks.map((t) => ({ id: t.id, x: t.x, y: t.y })), robot });
      detectionFrames.push({ truth, estimates: found.map((d) => ({ x: d.x, y: d.y })), robot });
    }
  }
  const scoring = { matchRadius, maxRange };
  return {
    seed,
    durationS,
    motion,
    crowdCount,
    maxRange,
    frames: trackFrames.length,
    tracks: scorePeople(trackFrames, scoring),
    detections: scorePeople(detectionFrames, scoring),
    visiblePersonFrames: visible,
    hiddenPersonFrames: hidden,
  };
}

/** Scan returns as map-frame points (finite ranges only), with their beam index. */
export function scanToMapPoints(scan: SimScan): { xs: Float64Array; ys: Float64Array; beams: Int32Array } {
  const n = scan.ranges.length;
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  const beams = new Int32Array(n);
  let m = 0;
  for (let i = 0; i < n; i++) {
    const r = scan.ranges[i]!;
    if (!Number.isFinite(r)) continue;
    const a = scan.lidarPose.theta + scan.angleMin + i * scan.angleIncrement;
    xs[m] = scan.lidarPose.x + r * Math.cos(a);
    ys[m] = scan.lidarPose.y + r * Math.sin(a);
    beams[m] = i;
    m++;
  }
  return { xs: xs.subarray(0, m), ys: ys.subarray(0, m), beams: beams.subarray(0, m) };
}

/**
 * Scan returns that end on one of a person's legs (within the leg radius plus 3 cm of
 * range noise). Counts what the sensor saw, whatever the detector makes of it.
 */
function legReturns(scan: SimScan, points: { xs: ArrayLike<number>; ys: ArrayLike<number> }, legs: readonly Vec2[]): number {
  const reach = LEG_RADIUS + 0.03;
  const lx = scan.lidarPose.x;
  const ly = scan.lidarPose.y;
  // Only points near the person's range can be on them; a cheap prefilter.
  const far = Math.max(...legs.map((l) => Math.hypot(l.x - lx, l.y - ly))) + reach;
  let count = 0;
  for (let i = 0; i < points.xs.length; i++) {
    const x = points.xs[i]!;
    const y = points.ys[i]!;
    if (Math.abs(x - lx) > far || Math.abs(y - ly) > far) continue;
    if (legs.some((l) => Math.hypot(x - l.x, y - l.y) <= reach)) count++;
  }
  return count;
}

/**
 * Drives to each waypoint in turn (looping): turns in place toward it when it is more
 * than 0.6 rad off the heading, else drives at cruise speed with a proportional heading
 * correction, slowing over the last half metre. Ground-truth pose in, (v, w) out.
 */
class PatrolDriver {
  private index = 0;

  constructor(
    private readonly waypoints: readonly Vec2[],
    private readonly speed: number,
  ) {}

  command(pose: Pose2D): { v: number; w: number } {
    if (this.waypoints.length === 0) return { v: 0, w: 0 };
    let goal = this.waypoints[this.index]!;
    if (Math.hypot(goal.x - pose.x, goal.y - pose.y) < 0.15) {
      this.index = (this.index + 1) % this.waypoints.length;
      goal = this.waypoints[this.index]!;
    }
    const dist = Math.hypot(goal.x - pose.x, goal.y - pose.y);
    const error = Math.atan2(Math.sin(Math.atan2(goal.y - pose.y, goal.x - pose.x) - pose.theta), Math.cos(Math.atan2(goal.y - pose.y, goal.x - pose.x) - pose.theta));
    const w = Math.max(-1.2, Math.min(1.2, 2.0 * error));
    if (Math.abs(error) > 0.6) return { v: 0, w };
    return { v: this.speed * Math.min(1, dist / 0.5 + 0.2), w };
  }
}
