/**
 * Constant-velocity people prediction, so the local planner works standalone until the
 * multi-modal predictor (issue 4) lands. Produces the shared PersonPrediction type.
 */
import type { PersonPrediction, PersonTrack } from '../../shared/people';

export interface ConstantVelocityOptions {
  /** How far ahead to predict, seconds. */
  horizon?: number;
  /** Step between predicted points, seconds. */
  dt?: number;
  /** Growth of the 1-σ position uncertainty per second, m/s (people change their minds). */
  sigmaGrowth?: number;
}

/**
 * One future (probability 1) per track: the track's position moved at its velocity,
 * starting at `t0` (seconds, planner clock); the track is first advanced from `lastSeen` to
 * `t0`. σ grows linearly from the track's positionSigma.
 */
export function predictConstantVelocity(
  track: PersonTrack,
  t0: number,
  opts: ConstantVelocityOptions = {},
): PersonPrediction {
  const horizon = opts.horizon ?? 4.8;
  const dt = opts.dt ?? 0.1;
  const growth = opts.sigmaGrowth ?? 0.15;
  const n = Math.max(1, Math.round(horizon / dt));
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  const sigmas = new Float64Array(n);
  const lag = Math.max(0, t0 - track.lastSeen);
  for (let k = 0; k < n; k++) {
    const t = lag + (k + 1) * dt;
    xs[k] = track.x + track.vx * t;
    ys[k] = track.y + track.vy * t;
    sigmas[k] = track.positionSigma + growth * t;
  }
  return { trackId: track.id, t0, dt, futures: [{ probability: 1, xs, ys, sigmas }] };
}

/** Constant-velocity predictions for every track. */
export function predictAllConstantVelocity(
  tracks: readonly PersonTrack[],
  t0: number,
  opts: ConstantVelocityOptions = {},
): PersonPrediction[] {
  return tracks.map((t) => predictConstantVelocity(t, t0, opts));
}
