/**
 * A pan set-point profile: the screen's angle and rate sampled every `dt` over a short
 * horizon, planned at 10 Hz and read at 50 Hz. Built by stepping a rate- and
 * acceleration-limited tracker toward a desired pan that may move with time (the body
 * turns and the robot drives while the screen looks at a fixed point): a feed-forward of
 * the desired pan's rate plus a braking law (rate ≤ √(2·a·|error|), the largest rate that
 * can still stop on the target), with the same braking toward each pan limit. Every
 * sample therefore satisfies |rate| ≤ panMaxRate, |Δrate/dt| ≤ panMaxAccel and
 * panMin ≤ angle ≤ panMax. Radians relative to base_link, seconds.
 */
import type { PanCommand, PanLimits } from './types';

/** Proportional gain of the tracker near the target, 1/s (smooth settling, no chatter). */
const SETTLE_GAIN = 8;
/** Share of the acceleration limit the braking law plans with (margin for the discrete steps). */
const BRAKE_SHARE = 0.8;

export class PanProfile {
  constructor(
    /** Time of sample 0, s. */
    readonly t0: number,
    /** Sample period, s. */
    readonly dt: number,
    readonly angles: Float64Array,
    readonly rates: Float64Array,
  ) {}

  get endTime(): number {
    return this.t0 + (this.angles.length - 1) * this.dt;
  }

  /**
   * The set-point at time t (s): linear between samples, so the angle moves at most at the
   * planned rate; the rate is the one carrying the angle through the current interval.
   * Before the profile: its first sample; after it: the last angle, at rest.
   */
  at(t: number): PanCommand {
    const n = this.angles.length;
    const u = (t - this.t0) / this.dt;
    if (u < 0) return { time: t, angle: this.angles[0]!, rate: this.rates[0]! };
    if (u >= n - 1) return { time: t, angle: this.angles[n - 1]!, rate: 0 };
    // Sample times come from sums of steps: snap within a nanosecond onto the sample.
    const k = Math.min(n - 2, Math.floor(u + 1e-9));
    const f = Math.max(0, u - k);
    return { time: t, angle: this.angles[k]! + f * (this.angles[k + 1]! - this.angles[k]!), rate: this.rates[k + 1]! };
  }

  /**
   * The rate over the interval just before time t (rad/s): where a new profile planned at
   * t starts from, so that its first step changes the rate by at most one step of
   * acceleration from what the screen was doing.
   */
  rateBefore(t: number): number {
    const n = this.angles.length;
    const u = (t - this.t0) / this.dt;
    if (u <= 0) return this.rates[0]!;
    if (u > n - 1) return 0;
    return this.rates[Math.ceil(u - 1e-9)]!;
  }
}

/**
 * Plans a profile from `start` (angle, rate at t0) following `desiredAt(t)` (already
 * within the limits) for `horizon` seconds in steps of `dt`.
 */
export function planPanProfile(
  start: { angle: number; rate: number },
  t0: number,
  desiredAt: (t: number) => number,
  limits: PanLimits,
  horizon: number,
  dt: number,
): PanProfile {
  const n = Math.max(2, Math.round(horizon / dt) + 1);
  const angles = new Float64Array(n);
  const rates = new Float64Array(n);
  const vMax = limits.panMaxRate;
  const aMax = limits.panMaxAccel;
  const brake = BRAKE_SHARE * aMax;
  let angle = Math.max(limits.panMin, Math.min(limits.panMax, start.angle));
  let rate = Math.max(-vMax, Math.min(vMax, start.rate));
  angles[0] = angle;
  rates[0] = rate;
  let desiredPrev = desiredAt(t0);
  for (let k = 1; k < n; k++) {
    const t = t0 + k * dt;
    const desired = desiredAt(t);
    const feedForward = Math.max(-vMax, Math.min(vMax, (desired - desiredPrev) / dt));
    desiredPrev = desired;
    // Error to where the target will be at the end of this step.
    const error = desired - angle;
    const correction = Math.sign(error) * Math.min(Math.sqrt(2 * brake * Math.abs(error)), SETTLE_GAIN * Math.abs(error));
    let wanted = Math.max(-vMax, Math.min(vMax, feedForward + correction));
    // Never faster toward a limit than can stop before it.
    wanted = Math.min(wanted, Math.sqrt(2 * brake * Math.max(0, limits.panMax - angle)));
    wanted = Math.max(wanted, -Math.sqrt(2 * brake * Math.max(0, angle - limits.panMin)));
    rate += Math.max(-aMax * dt, Math.min(aMax * dt, wanted - rate));
    angle += rate * dt;
    if (angle > limits.panMax || angle < limits.panMin) {
      // Only reachable through discretization: land on the limit at the rate that gets there.
      const limit = angle > limits.panMax ? limits.panMax : limits.panMin;
      rate = (limit - angles[k - 1]!) / dt;
      angle = limit;
    }
    angles[k] = angle;
    rates[k] = rate;
  }
  return new PanProfile(t0, dt, angles, rates);
}
