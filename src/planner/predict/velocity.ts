/**
 * Velocity estimation from a short observed track, adapted to how noisy the positions are.
 *
 * Why: smooth (interpolated or filtered) tracks are best extrapolated from the last
 * displacement, which follows turns and speed changes at once; tracks with white position
 * noise (hand-clicked annotations, raw detections) need averaging over several steps.
 * The two are told apart by the lag-1 autocorrelation of the second differences: white
 * position noise makes it −2/3, smooth motion makes it positive.
 */

/**
 * Noise index of a set of tracks: −(lag-1 autocovariance) / variance of the second
 * differences of position, pooled over all tracks given (they share one sensor).
 * ≈ 0.67 for pure white position noise, ≤ 0 for smooth motion; 0 when undefined or
 * when the tracks are straight to rounding error.
 */
export function trackNoiseIndex(tracks: readonly { xs: ArrayLike<number>; ys: ArrayLike<number> }[]): number {
  let lag1 = 0;
  let lag0 = 0;
  let terms = 0;
  for (const t of tracks) {
    const n = t.xs.length;
    let prevAx = NaN;
    let prevAy = NaN;
    for (let k = 2; k < n; k++) {
      const ax = t.xs[k] - 2 * t.xs[k - 1] + t.xs[k - 2];
      const ay = t.ys[k] - 2 * t.ys[k - 1] + t.ys[k - 2];
      lag0 += ax * ax + ay * ay;
      terms++;
      if (k > 2) lag1 += ax * prevAx + ay * prevAy;
      prevAx = ax;
      prevAy = ay;
    }
  }
  // Second differences at rounding level (perfectly straight tracks) carry no information.
  return lag0 > 1e-12 * terms ? -lag1 / lag0 : 0;
}

/**
 * Exponentially weighted mean of the observed displacements divided by `dt`, m/s: the
 * newest displacement has weight 1, the one before `decay`, then `decay²`, … (decay 0 is
 * the last displacement alone). Returns null for a track with fewer than 2 points.
 */
export function weightedVelocity(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  dt: number,
  decay: number,
): { vx: number; vy: number } | null {
  const n = xs.length;
  if (n < 2) return null;
  let weight = 1;
  let sum = 0;
  let dx = 0;
  let dy = 0;
  for (let k = n - 1; k >= 1; k--) {
    dx += weight * (xs[k] - xs[k - 1]);
    dy += weight * (ys[k] - ys[k - 1]);
    sum += weight;
    weight *= decay;
    if (weight < 1e-6) break;
  }
  return { vx: dx / (sum * dt), vy: dy / (sum * dt) };
}
