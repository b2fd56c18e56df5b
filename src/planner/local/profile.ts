/**
 * Jerk-limited velocity tracking profiles: the building block that makes every candidate
 * trajectory physically realizable by construction.
 *
 * A profile takes one velocity axis (linear m/s, or yaw rate rad/s) from an initial state
 * (velocity v0, acceleration a0) to a target velocity with zero acceleration in minimum
 * time, with |acceleration| ≤ aMax and |jerk| ≤ jMax. Its shape is the classic three
 * phases: jerk ±jMax until a peak acceleration, constant peak acceleration, jerk ∓jMax back
 * to zero acceleration (either of the first two may be empty).
 *
 * Why limits hold: while the profile runs, the "settle velocity" v + a·|a|/(2·jMax) (the
 * velocity reached if acceleration were ramped to zero now) moves monotonically from its
 * initial value to the target. With a target inside [vMin, vMax] and an initial settle
 * velocity inside it too (which any physically reachable state has), the velocity never
 * leaves [vMin, vMax]; acceleration never exceeds the peak ≤ aMax; jerk is 0 or ±jMax.
 */

/** Numbers stored per profile in a Float64Array record. */
export const PROFILE_STRIDE = 10;
// Record layout (offsets): direction sign, V0, A0 (normalized to the direction), phase
// durations tA, tB, tC, peak acceleration, jerk, velocity after phase A, after phase B.
const S = 0;
const V0 = 1;
const A0 = 2;
const TA = 3;
const TB = 4;
const TC = 5;
const AP = 6;
const JM = 7;
const VA = 8;
const VB = 9;

/**
 * Writes into `out[off … off+PROFILE_STRIDE)` the minimum-time profile from (v0, a0) to
 * (vTarget, 0). `a0` is clamped to ±aMax (a measured acceleration may be slightly beyond).
 * Units follow the axis: m/s, m/s², m/s³ for linear; rad/s, rad/s², rad/s³ for yaw.
 */
export function buildProfile(
  out: Float64Array,
  off: number,
  v0: number,
  a0In: number,
  vTarget: number,
  aMax: number,
  jMax: number,
): void {
  const a0 = a0In > aMax ? aMax : a0In < -aMax ? -aMax : a0In;
  const settle = v0 + (a0 * Math.abs(a0)) / (2 * jMax);
  const s = vTarget >= settle ? 1 : -1;
  const nv0 = s * v0;
  const na0 = s * a0;
  const dv = s * vTarget - nv0;
  // Peak acceleration of a profile without a constant-acceleration phase. dv ≥ settle gap
  // makes the radicand ≥ na0², so the peak is ≥ na0 and phase A has non-negative length.
  let peak = Math.sqrt(Math.max(0, jMax * dv + (na0 * na0) / 2));
  let tB = 0;
  if (peak > aMax) {
    peak = aMax;
    tB = (dv - (aMax * aMax - na0 * na0) / (2 * jMax) - (aMax * aMax) / (2 * jMax)) / aMax;
    if (tB < 0) tB = 0;
  }
  let tA = (peak - na0) / jMax;
  if (tA < 0) tA = 0;
  const tC = peak / jMax;
  const vA = nv0 + na0 * tA + 0.5 * jMax * tA * tA;
  const vB = vA + peak * tB;
  out[off + S] = s;
  out[off + V0] = nv0;
  out[off + A0] = na0;
  out[off + TA] = tA;
  out[off + TB] = tB;
  out[off + TC] = tC;
  out[off + AP] = peak;
  out[off + JM] = jMax;
  out[off + VA] = vA;
  out[off + VB] = vB;
}

/** Total duration of a profile, seconds. */
export function profileDuration(p: Float64Array, off: number): number {
  return p[off + TA]! + p[off + TB]! + p[off + TC]!;
}

/**
 * Velocity and acceleration of the profile `tau` seconds after it starts (tau ≥ 0),
 * written to `vOut[i]` and `aOut[i]`.
 */
export function sampleProfile(
  p: Float64Array,
  off: number,
  tau: number,
  vOut: Float64Array,
  aOut: Float64Array,
  i: number,
): void {
  const s = p[off + S]!;
  const tA = p[off + TA]!;
  const j = p[off + JM]!;
  if (tau < tA) {
    const na0 = p[off + A0]!;
    aOut[i] = s * (na0 + j * tau);
    vOut[i] = s * (p[off + V0]! + na0 * tau + 0.5 * j * tau * tau);
    return;
  }
  const peak = p[off + AP]!;
  const tB = p[off + TB]!;
  const u = tau - tA;
  if (u < tB) {
    aOut[i] = s * peak;
    vOut[i] = s * (p[off + VA]! + peak * u);
    return;
  }
  const w = u - tB;
  const tC = p[off + TC]!;
  if (w < tC) {
    aOut[i] = s * (peak - j * w);
    vOut[i] = s * (p[off + VB]! + peak * w - 0.5 * j * w * w);
    return;
  }
  aOut[i] = 0;
  vOut[i] = s * (p[off + VB]! + peak * tC - 0.5 * j * tC * tC);
}
