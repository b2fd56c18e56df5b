/**
 * What a closed-loop run measured, from the simulator's ground truth (never from what the
 * console believes): path length, clearances, collisions, the RMS of linear jerk while under
 * way and the halts on the way. Fed once per simulator step, whether the run is on virtual
 * time (closed-loop.ts) or real time through a driver over ptys (over-driver.ts).
 */
import { distance, normalizeAngle, type Pose2D } from '../../shared/geometry';
import type { GroundTruth } from '../../sim/sim-core';

/** Jerk is differentiated on this grid, s (finer would only measure the simulator's step). */
const JERK_DT = 0.05;

export interface RunFigures {
  collisions: number;
  path_length_m: number;
  /** Footprint to nearest static obstacle, minimum over the run, metres. */
  min_clearance_m: number;
  /** Footprint to nearest person's body, minimum over the run, metres (Infinity with no people). */
  min_person_clearance_m: number;
  /** RMS of linear jerk while under way, m/s³. */
  rms_jerk: number;
  /** Times the robot came to a halt on the way (not counting arrival). */
  stops: number;
}

export class RunMeter {
  private lastPose: Pose2D;
  private pathLength = 0;
  private minClearance: number;
  private minPersonClearance = Infinity;
  private collisions = 0;
  private readonly jerkSamples: number[] = [];
  private vPrev = 0;
  private aPrev = 0;
  private jerkClock = 0;
  private moving = false;
  private stillFor = 0;
  private stops = 0;

  constructor(
    start: GroundTruth,
    private readonly goal: Pose2D,
    private readonly goalToleranceM: number,
  ) {
    this.lastPose = start.robotPose;
    this.minClearance = start.clearance.static;
  }

  /** After a simulator step of `dt` seconds. */
  observe(truth: GroundTruth, dt: number): void {
    this.pathLength += distance(this.lastPose, truth.robotPose);
    this.lastPose = truth.robotPose;
    this.minClearance = Math.min(this.minClearance, truth.clearance.static);
    this.minPersonClearance = Math.min(this.minPersonClearance, truth.clearance.people);
    this.collisions = truth.collisionCount;

    this.jerkClock += dt;
    if (this.jerkClock < JERK_DT - 1e-9) return;
    const v = truth.robotVelocity.v;
    const a = (v - this.vPrev) / this.jerkClock;
    const j = (a - this.aPrev) / this.jerkClock;
    if (Math.abs(v) > 0.02 || Math.abs(this.vPrev) > 0.02) this.jerkSamples.push(j);
    this.vPrev = v;
    this.aPrev = a;
    this.jerkClock = 0;
    const speed = Math.abs(v);
    if (speed > 0.1) {
      this.moving = true;
      this.stillFor = 0;
    } else if (this.moving && speed < 0.02) {
      this.stillFor += JERK_DT;
      if (this.stillFor >= 0.3 && distance(truth.robotPose, this.goal) > this.goalToleranceM) {
        this.stops++;
        this.moving = false;
      }
    }
  }

  figures(end: GroundTruth): RunFigures {
    const j = this.jerkSamples;
    return {
      collisions: end.collisionCount,
      path_length_m: this.pathLength,
      min_clearance_m: this.minClearance,
      min_person_clearance_m: Number.isFinite(this.minPersonClearance) ? this.minPersonClearance : Infinity,
      rms_jerk: j.length > 0 ? Math.sqrt(j.reduce((s, x) => s + x * x, 0) / j.length) : 0,
      stops: this.stops,
    };
  }
}

/** The console's map pose against the truth, every simulator step: RMS and maximum errors. */
export class PoseErrorMeter {
  private n = 0;
  private sumSq = 0;
  private sumSqHeading = 0;
  private max = 0;
  private maxHeading = 0;

  observe(estimate: Pose2D | null, truth: Pose2D): void {
    if (!estimate) return;
    const d = Math.hypot(estimate.x - truth.x, estimate.y - truth.y);
    const h = Math.abs(normalizeAngle(estimate.theta - truth.theta));
    this.n++;
    this.sumSq += d * d;
    this.sumSqHeading += h * h;
    this.max = Math.max(this.max, d);
    this.maxHeading = Math.max(this.maxHeading, h);
  }

  figures(): { pose_error_rms_m: number; pose_error_max_m: number; heading_error_rms_deg: number; heading_error_max_deg: number } {
    const deg = 180 / Math.PI;
    const n = Math.max(1, this.n);
    return {
      pose_error_rms_m: Math.sqrt(this.sumSq / n),
      pose_error_max_m: this.max,
      heading_error_rms_deg: Math.sqrt(this.sumSqHeading / n) * deg,
      heading_error_max_deg: this.maxHeading * deg,
    };
  }
}
