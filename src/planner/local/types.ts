/**
 * Types of the local trajectory planner's boundary. Units SI; poses in the `map` frame;
 * velocities in `base_link` (v forward m/s, w yaw rate rad/s, counter-clockwise positive).
 */
import type { Pose2D, RectFootprint, Twist2D, Vec2 } from '../../shared/geometry';
import type { PersonPrediction } from '../../shared/people';
import type { Rng } from '../random';

/**
 * Distance from a map-frame point to the nearest obstacle, metres (≤ 0 inside one).
 * Structural: the grid package's exact Euclidean distance field satisfies it as is.
 * Points outside the field's window should report a large distance if the area is
 * believed free, or 0 if it must be treated as blocked.
 */
export interface ObstacleDistance {
  distanceAt(x: number, y: number): number;
}

/** Guidance path from the global planner: map-frame points from near the robot to the goal. */
export type GuidancePath = readonly Vec2[];

/** Motion limits of the base and its footprint. All magnitudes are positive numbers. */
export interface RobotLimits {
  /** Highest forward speed, m/s. */
  vMax: number;
  /** Lowest speed, m/s: 0 forbids reversing; −0.2 allows slow reversing. */
  vMin: number;
  /** Highest yaw rate magnitude, rad/s. */
  wMax: number;
  /** Highest linear acceleration magnitude, m/s². */
  aMax: number;
  /** Highest yaw acceleration magnitude, rad/s². */
  alphaMax: number;
  /** Highest linear jerk magnitude, m/s³. */
  jerkMax: number;
  /** Highest yaw jerk magnitude, rad/s³. */
  yawJerkMax: number;
  footprint: RectFootprint;
}

/** The robot's state when the plan takes effect (usually fast-forwarded, see planner/predictive). */
export interface RobotState {
  /** Pose in the map frame. */
  pose: Pose2D;
  /** Forward speed, m/s. */
  v: number;
  /** Yaw rate, rad/s. */
  w: number;
  /** Linear acceleration, m/s². */
  a: number;
  /** Yaw acceleration, rad/s². */
  alpha: number;
}

/**
 * One candidate's continuous parameters. The candidate's linear and yaw velocities track
 * (v1, w1) with jerk-limited, minimum-time profiles from the start state; at `tSwitch`
 * they start tracking (v2, w2). Targets lie within the velocity limits, which is all it
 * takes for the whole trajectory to respect velocity, acceleration and jerk limits.
 */
export interface CandidateParams {
  /** First target speed, m/s, in [vMin, vMax]. */
  v1: number;
  /** First target yaw rate, rad/s, in [−wMax, wMax]. */
  w1: number;
  /** Time the second targets take over, seconds after the plan starts, in (0, horizon]. */
  tSwitch: number;
  /** Second target speed, m/s. */
  v2: number;
  /** Second target yaw rate, rad/s. */
  w2: number;
}

/**
 * A sampled trajectory: sample k (k = 0 … count−1) holds at time `t0 + k·dt`; sample 0 is
 * the start state. Poses in the map frame.
 */
export interface Trajectory {
  /** Time of sample 0, seconds (planner clock). */
  t0: number;
  /** Sample period, seconds. */
  dt: number;
  count: number;
  xs: Float64Array;
  ys: Float64Array;
  thetas: Float64Array;
  /** Speed m/s, yaw rate rad/s, linear accel m/s², yaw accel rad/s² at each sample. */
  vs: Float64Array;
  ws: Float64Array;
  accels: Float64Array;
  alphas: Float64Array;
  /**
   * Velocity command to send at each sample (m/s, rad/s) so that a base tracking commands
   * with jerk-limited, minimum-time ramps (the model of planner/predictive and of every
   * candidate) drives this trajectory: the candidate's target in force, (v1, w1) before
   * tSwitch and (v2, w2) after. Sending the planned velocities themselves makes such a base
   * lag (it only accelerates toward a command that leads its velocity: at 5 m/s³ it settled
   * near 0.1 m/s²). Absent on hand-made trajectories.
   */
  commandVs?: Float64Array;
  commandWs?: Float64Array;
  params: CandidateParams;
}

/** Which stage of the optimizer produced a candidate. */
export type CandidateStage = 'special' | 'coarse' | 'warm' | 'refine';

/** The candidate the planner chose, with its cost broken down. */
export interface ChosenTrajectory extends Trajectory {
  /** Total cost (lower is better). */
  cost: number;
  /** Each configured cost term's raw value (before weighting), by term name. */
  terms: Record<string, number>;
  /** Probability of a collision (obstacles or people) within the horizon, 0 … 1. */
  collisionProbability: number;
  stage: CandidateStage;
}

/** A candidate kept for display and logging: its path and its cost terms. */
export interface CandidateSample {
  params: CandidateParams;
  cost: number;
  terms: Record<string, number>;
  collisionProbability: number;
  stage: CandidateStage;
  /** Map-frame positions at each sample instant, metres. */
  xs: Float32Array;
  ys: Float32Array;
}

/** Everything the planner needs for one cycle. */
export interface LocalPlannerInput {
  /** State when the plan takes effect, map frame. */
  start: RobotState;
  /** Time at which `start` holds, seconds (planner clock; people predictions use it too). */
  now: number;
  limits: RobotLimits;
  /** Guidance path, map frame; empty means a straight line from the start to the goal. */
  guidancePath: GuidancePath;
  /** Goal pose, map frame. */
  goal: Pose2D;
  obstacles: ObstacleDistance;
  /**
   * Clearance the guidance path was planned with: the cost-to-go (with
   * `costToGoAroundObstacles`) treats gaps where the robot's centre has less room as
   * walls, metres. Default: the footprint's inscribed radius (where the robot fits at
   * all). A path planned with room to turn (after the robot got stuck in a squeeze) must
   * pass the circumscribed radius here, or the local cost would still pull the robot back
   * into the squeeze the path was planned to avoid.
   */
  guidanceClearance?: number;
  /**
   * Keep to the right this cycle: the guidance path is moved up to this far to its right,
   * where the robot keeps LocalPlannerConfig.keepRightClearance from obstacles (see
   * keepRightOf), metres; 0 or absent: follow the path itself. In a hallway the robot then
   * drives in the right-hand lane, as people do, and someone overtaking or coming the other
   * way finds the left side free. The navigation stack sets it from NavigationConfig.keepRightM.
   */
  keepRightM?: number;
  /** Predicted futures of nearby people (see src/shared/people.ts). */
  people: readonly PersonPrediction[];
  /** Seed for this cycle's sampling; ignored when `rng` is given. */
  seed?: number;
  /** Random source for this cycle's sampling. */
  rng?: Rng;
  /**
   * Previous cycle's choice and the time it started, to warm-start from. When omitted the
   * planner uses the choice it made itself last cycle; `null` disables the warm start.
   */
  warmStart?: { params: CandidateParams; t0: number } | null;
}

export type LocalPlanFailureReason = 'invalid-input' | 'start-occupied' | 'no-safe-candidate';

export type LocalPlanResult =
  | {
      ok: true;
      chosen: ChosenTrajectory;
      /** The velocity to command: the chosen trajectory one sample after it starts. */
      command: Twist2D;
      /** True when the start is within the goal tolerance; the chosen trajectory then stops. */
      goalReached: boolean;
      candidatesEvaluated: number;
      /** A subsample of evaluated candidates, for display and logging. */
      sample: CandidateSample[];
    }
  | {
      ok: false;
      reason: LocalPlanFailureReason;
      message: string;
      /** A limit-respecting quick stop from the start state, when the start state is valid. */
      fallback?: Trajectory;
    };
