import type { GazeTrajectory, PanLimits } from '../../../src/planner/gaze/index';
import type { PersonTrack } from '../../../src/shared/people';

export const LIMITS: PanLimits = { panMin: -2.6, panMax: 2.6, panMaxRate: 3, panMaxAccel: 8 };

/** A ground-truth robot path sampled every `dt`: poses in the map frame. */
export interface Path {
  dt: number;
  xs: Float64Array;
  ys: Float64Array;
  thetas: Float64Array;
}

/**
 * Drives straight from (0, 0) heading +x at `v` m/s; at `turnAt` s turns left by `turn`
 * rad with a yaw-rate trapezoid (3 rad/s², at most `wMax`), still at `v`, then straight.
 */
export function leftTurnPath(v: number, wMax: number, turn: number, turnAt = 4, duration = 14): Path {
  const dt = 0.01;
  const n = Math.round(duration / dt) + 1;
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  const thetas = new Float64Array(n);
  let x = 0;
  let y = 0;
  let th = 0;
  let w = 0;
  const alpha = 3;
  for (let k = 0; k < n; k++) {
    xs[k] = x;
    ys[k] = y;
    thetas[k] = th;
    const remaining = turn - th;
    const target = k * dt >= turnAt && remaining > 0 ? Math.min(wMax, Math.sqrt(2 * alpha * remaining)) : 0;
    w += Math.max(-alpha * dt, Math.min(alpha * dt, target - w));
    if (remaining <= 0) w = 0;
    x += v * Math.cos(th) * dt;
    y += v * Math.sin(th) * dt;
    th += w * dt;
  }
  return { dt, xs, ys, thetas };
}

export function poseOn(path: Path, t: number) {
  const i = Math.min(path.xs.length - 1, Math.max(0, Math.round(t / path.dt)));
  return { x: path.xs[i], y: path.ys[i], theta: Math.atan2(Math.sin(path.thetas[i]), Math.cos(path.thetas[i])) };
}

/** The planner's view of the path from `now`: 3 s at 0.1 s, as the local planner would give it. */
export function trajectoryFrom(path: Path, now: number, horizon = 3, dt = 0.1): GazeTrajectory {
  const m = Math.round(horizon / dt) + 1;
  const xs = new Float64Array(m);
  const ys = new Float64Array(m);
  const thetas = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    const p = poseOn(path, now + j * dt);
    xs[j] = p.x;
    ys[j] = p.y;
    thetas[j] = p.theta;
  }
  return { t0: now, dt, xs, ys, thetas };
}

export function track(id: number, x: number, y: number, vx = 0, vy = 0, lastSeen = 0): PersonTrack {
  return { id, x, y, vx, vy, positionSigma: 0.05, lastSeen, hits: 20 };
}
