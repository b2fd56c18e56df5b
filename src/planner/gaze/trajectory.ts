/**
 * Reading the chosen trajectory: poses at any time and the look-ahead point. Map frame,
 * metres, seconds.
 */
import { normalizeAngle, type Pose2D, type Vec2 } from '../../shared/geometry';
import type { GazeTrajectory } from './types';

/** Robot pose as a function of time: where the robot is expected to be. */
export interface PoseSampler {
  /** Last time the sampler knows about, s (later times hold the last pose). */
  readonly endTime: number;
  poseAt(t: number): Pose2D;
}

/**
 * Samples the trajectory, linearly interpolated (headings along the shorter arc). Before
 * the trajectory's first sample the robot is taken to move from `now`'s pose toward it;
 * after its last it holds the last pose. Without a trajectory the robot stands still.
 */
export function trajectorySampler(trajectory: GazeTrajectory | null, now: number, pose: Pose2D): PoseSampler {
  const count = trajectory ? Math.min(trajectory.count ?? trajectory.xs.length, trajectory.xs.length, trajectory.ys.length, trajectory.thetas.length) : 0;
  if (!trajectory || count === 0 || !(trajectory.dt > 0)) {
    return { endTime: now, poseAt: () => ({ ...pose }) };
  }
  const tr = trajectory;
  const sample = (k: number): Pose2D => ({ x: tr.xs[k]!, y: tr.ys[k]!, theta: tr.thetas[k]! });
  const endTime = tr.t0 + (count - 1) * tr.dt;
  return {
    endTime,
    poseAt(t: number): Pose2D {
      if (t <= tr.t0) {
        // Between now (measured pose) and the plan's start (fast-forwarded), if any.
        const span = tr.t0 - now;
        const f = span > 1e-9 ? Math.max(0, Math.min(1, (t - now) / span)) : 1;
        return lerpPose(pose, sample(0), f);
      }
      const u = (t - tr.t0) / tr.dt;
      if (u >= count - 1) return sample(count - 1);
      const k = Math.floor(u);
      return lerpPose(sample(k), sample(k + 1), u - k);
    },
  };
}

function lerpPose(a: Pose2D, b: Pose2D, f: number): Pose2D {
  return {
    x: a.x + f * (b.x - a.x),
    y: a.y + f * (b.y - a.y),
    theta: normalizeAngle(a.theta + f * normalizeAngle(b.theta - a.theta)),
  };
}

export interface LookaheadConfig {
  /** How far ahead on the trajectory the screen looks, seconds. */
  lookaheadTime: number;
  /**
   * The looked-at point is at least this far from the robot, metres. Below about 1.5 m/s
   * the point one second ahead is close to the robot, and its bearing turns with the chord
   * of a bend: only half as far as the body will, and only as the body gets there (in a
   * turn on the spot it is the robot itself). Looking at least this far along the
   * trajectory (past its end along the final heading) lets the screen face the new
   * direction well before the body turns: ≥ 0.5 s for 90° turns at up to 1 m/s with
   * 1.5 m, against 0.16 s at 1 m/s with 1.0 m (see test/planner/gaze). Closed loop, the
   * local planner takes corners later and tighter than that test path and the head's own
   * tracker adds lag: from the hallway into the office (a 99° left turn at 1 m/s) the
   * lead was 0.12 s with 1.5 m and 0.66 s with 2.0 m, hence 2.0 m.
   */
  minLookaheadDistance: number;
}

/** A plan that ends closer than this to where the robot is turns on the spot, metres. */
const SPIN_RADIUS_M = 0.3;

export const DEFAULT_LOOKAHEAD: LookaheadConfig = { lookaheadTime: 1.0, minLookaheadDistance: 2.0 };

/**
 * The look-ahead point for a robot at time `t`: the trajectory point `lookaheadTime`
 * later, or the first later one at least `minLookaheadDistance` from the robot's position
 * at `t` (searched at 0.05 s), or, when the trajectory ends first, its end pushed along
 * the final heading to that distance. Returns the point and the trajectory time it stands for.
 */
export function lookaheadPoint(sampler: PoseSampler, t: number, cfg: LookaheadConfig = DEFAULT_LOOKAHEAD): { point: Vec2; time: number } {
  const here = sampler.poseAt(t);
  const step = 0.05;
  let tau = t + cfg.lookaheadTime;
  for (;;) {
    const p = sampler.poseAt(tau);
    const d = Math.hypot(p.x - here.x, p.y - here.y);
    if (d >= cfg.minLookaheadDistance) return { point: { x: p.x, y: p.y }, time: tau };
    if (tau >= sampler.endTime) {
      // Past the end: along the final heading, just far enough (solve |p + s·u − here| = dMin).
      // A plan that turns on the spot for its whole horizon ends facing anywhere (a 3 s spin
      // at 2 rad/s is almost a full turn): there, where it faces `lookaheadTime` from now is
      // where it is about to go.
      const spins = Math.hypot(p.x - here.x, p.y - here.y) < SPIN_RADIUS_M;
      const heading = spins ? sampler.poseAt(Math.min(sampler.endTime, t + cfg.lookaheadTime)).theta : p.theta;
      const ux = Math.cos(heading);
      const uy = Math.sin(heading);
      const rx = p.x - here.x;
      const ry = p.y - here.y;
      const b = rx * ux + ry * uy;
      const s = -b + Math.sqrt(Math.max(0, b * b - (rx * rx + ry * ry - cfg.minLookaheadDistance ** 2)));
      return { point: { x: p.x + s * ux, y: p.y + s * uy }, time: tau };
    }
    tau = Math.min(sampler.endTime, tau + step);
  }
}
