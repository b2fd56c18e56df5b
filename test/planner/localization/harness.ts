/**
 * Test harness for localization in virtual time: the simulator (SimCore, apartment) drives a
 * loop with a simple waypoint follower on ground truth, and the harness makes the odometry a
 * real base would report from the true motion — drifting, in its own `odom` frame that starts
 * at (0, 0, 0) where the robot stands (not the map origin).
 *
 * Odometry error model (per scan interval, from the true body-frame motion Δ = (dx, dy, dθ)):
 *   systematic: distance × 1.02, rotation × 1.015 (wheel radius and wheel base slightly off);
 *   random: 5 mm/√m along track, 3 mm/√m across, 1°/√rad of turn (a random walk: after 1 m of
 *   driving the random part is ~5 mm, after 1 rad of turning ~1°).
 * A kidnap moves the truth without the odometry noticing.
 */
import { normalizeAngle, type Pose2D } from '../../../src/shared/geometry';
import type { OccupancyGrid } from '../../../src/shared/grid';
import { Prng } from '../../../src/planner/random';
import type { LocalizationEstimate, ScanInput } from '../../../src/planner/slam/types';
import { APARTMENT_PLACES, APARTMENT_START_POSE, buildApartmentGrid } from '../../../src/sim/apartment';
import type { ScriptedPersonSpec } from '../../../src/sim/people';
import { SimCore, type SimScan } from '../../../src/sim/sim-core';

const DEG = Math.PI / 180;

let apartment: OccupancyGrid | null = null;
/** The apartment grid, built once per test file. */
export function apartmentGrid(): OccupancyGrid {
  apartment ??= buildApartmentGrid();
  return apartment;
}

function compose(a: Pose2D, b: Pose2D): Pose2D {
  const c = Math.cos(a.theta);
  const s = Math.sin(a.theta);
  return { x: a.x + c * b.x - s * b.y, y: a.y + s * b.x + c * b.y, theta: normalizeAngle(a.theta + b.theta) };
}

function between(a: Pose2D, b: Pose2D): Pose2D {
  const c = Math.cos(a.theta);
  const s = Math.sin(a.theta);
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  return { x: c * dx + s * dy, y: -s * dx + c * dy, theta: normalizeAngle(b.theta - a.theta) };
}

export interface OdometryErrorModel {
  /** Multiplies distance travelled (1.02: +2 %). */
  distanceScale: number;
  /** Multiplies rotation (1.015: +1.5 %). */
  rotationScale: number;
  /** Random walk along track, m/√m. */
  alongNoise: number;
  /** Random walk across track, m/√m. */
  acrossNoise: number;
  /** Random walk of heading with turning, rad/√rad. */
  turnNoise: number;
}

export const DRIFTING_ODOMETRY: OdometryErrorModel = {
  distanceScale: 1.02,
  rotationScale: 1.015,
  alongNoise: 0.005,
  acrossNoise: 0.003,
  turnNoise: 1 * DEG,
};

/** Odometry of base_link in `odom`, integrated from the true motion with systematic and random error. */
export class DriftingOdometry {
  private lastTruth: Pose2D;
  private pose: Pose2D = { x: 0, y: 0, theta: 0 };
  private readonly rng: Prng;

  constructor(
    truth: Pose2D,
    seed: number,
    private readonly model: OdometryErrorModel = DRIFTING_ODOMETRY,
  ) {
    this.lastTruth = { ...truth };
    this.rng = new Prng(seed);
  }

  /** Advances to the new true pose; returns the odometry pose. */
  advance(truth: Pose2D): Pose2D {
    const d = between(this.lastTruth, truth);
    this.lastTruth = { ...truth };
    const dist = Math.hypot(d.x, d.y);
    const m = this.model;
    const along = dist > 0 ? this.rng.normal() * m.alongNoise * Math.sqrt(dist) : 0;
    const across = dist > 0 ? this.rng.normal() * m.acrossNoise * Math.sqrt(dist) : 0;
    const ux = dist > 0 ? d.x / dist : 1;
    const uy = dist > 0 ? d.y / dist : 0;
    const step: Pose2D = {
      x: d.x * m.distanceScale + along * ux - across * uy,
      y: d.y * m.distanceScale + along * uy + across * ux,
      theta: d.theta * m.rotationScale + this.rng.normal() * m.turnNoise * Math.sqrt(Math.abs(d.theta)),
    };
    this.pose = compose(this.pose, step);
    return { ...this.pose };
  }

  /** The robot was carried: odometry does not see it. */
  carried(truth: Pose2D): void {
    this.lastTruth = { ...truth };
  }

  get current(): Pose2D {
    return { ...this.pose };
  }
}

/** A loop through the apartment: hallway east, kitchen, living room, back to the hallway (map frame, m). */
export const APARTMENT_LOOP: readonly Pose2D[] = [
  { x: 2.8, y: 4.55, theta: 0 },
  { x: 8.5, y: 4.55, theta: 0 },
  { x: 8.5, y: 3.3, theta: 0 },
  { x: 7.3, y: 1.65, theta: 0 },
  { x: 5.9, y: 1.65, theta: 0 },
  { x: 4.3, y: 2.3, theta: 0 },
  { x: 2.8, y: 3.0, theta: 0 },
];

/** Follows waypoints on ground truth: turn in place when far off heading, else drive and steer. */
export class WaypointDriver {
  index = 0;
  constructor(
    readonly waypoints: readonly Pose2D[],
    private readonly speed = 0.4,
    private readonly reach = 0.25,
  ) {}

  command(truth: Pose2D): { v: number; w: number } {
    let target = this.waypoints[this.index]!;
    if (Math.hypot(target.x - truth.x, target.y - truth.y) < this.reach) {
      this.index = (this.index + 1) % this.waypoints.length;
      target = this.waypoints[this.index]!;
    }
    const e = normalizeAngle(Math.atan2(target.y - truth.y, target.x - truth.x) - truth.theta);
    const w = Math.max(-1.2, Math.min(1.2, 2.0 * e));
    const v = Math.abs(e) > 60 * DEG ? 0 : this.speed * Math.cos(e) ** 2;
    return { v, w };
  }
}

export interface SimRunOptions {
  seed: number;
  start?: Pose2D;
  crowd?: number;
  people?: ScriptedPersonSpec[];
  speed?: number;
  waypoints?: readonly Pose2D[];
  /** First waypoint to head for. */
  firstWaypoint?: number;
  odometry?: OdometryErrorModel;
  /** How the lidar sees people: legs (default, shin height) or a torso (blocks more beams). */
  personModel?: 'legs' | 'body';
}

/** What one scan gives the localizer, with the truth to score it. */
export interface ScanSample {
  time: number;
  input: ScanInput;
  truth: Pose2D;
}

/** The simulator, driver and odometry stepped together in virtual time. */
export class SimRun {
  readonly core: SimCore;
  readonly odometry: DriftingOdometry;
  readonly driver: WaypointDriver;
  readonly mount: Pose2D;
  private readonly dt = 0.05;

  constructor(options: SimRunOptions) {
    const start = options.start ?? APARTMENT_START_POSE;
    this.core = new SimCore({
      map: apartmentGrid(),
      seed: options.seed,
      startPose: start,
      crowd: options.crowd ? { count: options.crowd, places: Object.values(APARTMENT_PLACES) } : undefined,
      people: options.people,
      robot: options.personModel ? { lidar: { personModel: options.personModel } } : undefined,
    });
    this.odometry = new DriftingOdometry(start, options.seed * 7919 + 13, options.odometry);
    this.driver = new WaypointDriver(options.waypoints ?? APARTMENT_LOOP, options.speed ?? 0.4);
    this.driver.index = options.firstWaypoint ?? 0;
    const l = this.core.params.lidar;
    this.mount = { x: l.mountX, y: l.mountY, theta: l.mountYaw };
  }

  get time(): number {
    return this.core.time;
  }

  /** Steps until the next scan (driving all the while) and returns it with its odometry. */
  nextScan(): ScanSample {
    for (;;) {
      const truth = this.core.groundTruth().robotPose;
      const cmd = this.driver.command(truth);
      this.core.setCommand(cmd.v, cmd.w);
      const r = this.core.step(this.dt);
      if (r.scans.length > 0) {
        const scan = r.scans[r.scans.length - 1]!;
        return this.sample(scan);
      }
    }
  }

  private sample(scan: SimScan): ScanSample {
    const odom = this.odometry.advance(scan.robotPose);
    return {
      time: scan.time,
      truth: scan.robotPose,
      input: {
        scan: {
          time: scan.time,
          ranges: scan.ranges,
          angleMin: scan.angleMin,
          angleIncrement: scan.angleIncrement,
          rangeMin: scan.rangeMin,
          rangeMax: scan.rangeMax,
        },
        odom,
        mount: this.mount,
      },
    };
  }

  /** Carries the robot to `pose` (a kidnap): the truth moves, odometry does not notice. */
  kidnap(pose: Pose2D, nextWaypoint: number): void {
    this.core.teleport(pose);
    this.odometry.carried(this.core.groundTruth().robotPose);
    this.driver.index = nextWaypoint;
  }
}

/** Position and heading error of an estimate against the truth, metres and radians. */
export function poseError(estimate: Pose2D, truth: Pose2D): { position: number; heading: number } {
  return { position: Math.hypot(estimate.x - truth.x, estimate.y - truth.y), heading: Math.abs(normalizeAngle(estimate.theta - truth.theta)) };
}

export { DEG };

/** One scan's outcome: the estimate and its error against the truth. */
export interface Step {
  time: number;
  truth: Pose2D;
  estimate: LocalizationEstimate;
  position: number;
  heading: number;
}

/** Feeds scans to `update` until sim time `until`, calling `each` with every outcome. */
export function drive(
  run: SimRun,
  update: (input: ScanInput) => LocalizationEstimate | null,
  until: number,
  each: (step: Step) => void,
): void {
  while (run.time < until) {
    const s = run.nextScan();
    const estimate = update(s.input);
    if (!estimate) throw new Error(`no estimate at t = ${s.time.toFixed(1)} s`);
    const e = poseError(estimate.pose, s.truth);
    each({ time: s.time, truth: s.truth, estimate, position: e.position, heading: e.heading });
  }
}
