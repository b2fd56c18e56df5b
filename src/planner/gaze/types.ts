/**
 * Types of the gaze planner's boundary. SI units: metres, seconds, radians. Poses and
 * points in the `map` frame unless stated; pan angles relative to base_link's x axis
 * (counter-clockwise positive), in (−π, π].
 */
import type { Pose2D, Vec2 } from '../../shared/geometry';
import type { PersonPrediction, PersonTrack } from '../../shared/people';

/** The screen's pan joint limits (the robot advertises them). */
export interface PanLimits {
  /** Smallest and largest pan angle relative to base_link, radians. */
  panMin: number;
  panMax: number;
  /** Largest pan rate magnitude, rad/s. */
  panMaxRate: number;
  /** Largest pan acceleration magnitude, rad/s². */
  panMaxAccel: number;
}

/**
 * The chosen trajectory, sampled: sample k holds at time `t0 + k·dt` (planner clock, s),
 * poses in the map frame. The local planner's Trajectory fits as is.
 */
export interface GazeTrajectory {
  t0: number;
  dt: number;
  /** Number of samples; the arrays' length when omitted. */
  count?: number;
  xs: ArrayLike<number>;
  ys: ArrayLike<number>;
  thetas: ArrayLike<number>;
}

/** A person as the gaze planner sees them: the track, its prediction and the planner's risk. */
export interface GazePerson {
  track: PersonTrack;
  /** The predictor's futures; without them the track's velocity is extrapolated. */
  prediction?: PersonPrediction;
  /**
   * Collision risk the local planner assigns this person over its horizon, 0 … 1 (the
   * probability that the chosen trajectory meets them). High risk means the robot yields.
   */
  risk: number;
}

export interface GazeInput {
  /** Planner clock, seconds. */
  now: number;
  /** base_link pose in the map frame now. */
  robotPose: Pose2D;
  /** Measured pan angle (rad, base_link) and rate (rad/s). */
  pan: { angle: number; rate: number };
  /** The chosen trajectory; null when the robot has no plan (the screen looks straight ahead). */
  trajectory: GazeTrajectory | null;
  people: readonly GazePerson[];
  limits: PanLimits;
}

/** Why the screen looks where it does. */
export type GazeReason =
  | { kind: 'lookahead'; /** Trajectory time of the looked-at point, s. */ time: number }
  | { kind: 'person'; personId: number; /** Its attention score. */ score: number }
  | { kind: 'straight-ahead' };

/** A pan set-point: angle (rad, base_link) and rate (rad/s) at a time (s). */
export interface PanCommand {
  time: number;
  angle: number;
  rate: number;
}

export interface GazeOutput {
  time: number;
  /** Where the screen should point now, rad relative to base_link, within the pan limits. */
  targetPan: number;
  /** The rate- and acceleration-limited set-point now (the first point of the pan profile). */
  command: PanCommand;
  /** The looked-at point, map frame. */
  gazeTarget: Vec2;
  reason: GazeReason;
  /** Every person's attention score this cycle (0 … ~1.6), highest first. */
  attention: { personId: number; score: number }[];
}
