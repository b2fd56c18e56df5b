/**
 * Motion profiles of the simulated motor and pan controllers. Both are pure functions on
 * a small state object, advanced by one time step.
 */

/** A velocity setpoint and its rate of change. */
export interface RampState {
  /** Setpoint, m/s or rad/s. */
  value: number;
  /** Its derivative, m/s² or rad/s². */
  rate: number;
}

/**
 * Moves a velocity setpoint toward `target` with |rate| ≤ maxRate (acceleration limit) and
 * |d rate/dt| ≤ maxJerk, braking the acceleration early (√(2·j·|e|) law) so it lands on the
 * target without overshoot. Mutates `s`.
 */
export function stepJerkLimited(s: RampState, target: number, maxRate: number, maxJerk: number, dt: number): void {
  const error = target - s.value;
  if (error === 0 && s.rate === 0) return;
  const desiredRate = Math.sign(error) * Math.min(maxRate, Math.sqrt(2 * maxJerk * Math.abs(error)));
  const maxDelta = maxJerk * dt;
  s.rate += Math.max(-maxDelta, Math.min(maxDelta, desiredRate - s.rate));
  const next = s.value + s.rate * dt;
  // Crossing the target within a step: land on it when that needs no more than one jerk
  // step; otherwise overshoot slightly and come back, so the jerk limit always holds.
  if ((target - s.value) * (target - next) <= 0 && Math.abs(s.rate) <= maxDelta) {
    s.value = target;
    s.rate = 0;
  } else {
    s.value = next;
  }
}

/** Decelerates `s` toward zero at `decel` (no jerk limit: a brake, not the controller's ramp). Mutates `s`. */
export function brakeToZero(s: RampState, decel: number, dt: number): void {
  const step = decel * dt;
  if (Math.abs(s.value) <= step) {
    s.value = 0;
    s.rate = 0;
    return;
  }
  s.rate = -Math.sign(s.value) * decel;
  s.value += s.rate * dt;
}

/** Pan axis state: angle (rad, base_link) and rate (rad/s). */
export interface PanState {
  angle: number;
  rate: number;
}

/**
 * Moves the pan angle toward `target` with |rate| ≤ maxRate and |accel| ≤ maxAccel
 * (trapezoidal profile: decelerates in time to stop on the target). Mutates `s`.
 */
export function stepPan(s: PanState, target: number, maxRate: number, maxAccel: number, dt: number): void {
  const error = target - s.angle;
  if (error === 0 && s.rate === 0) return;
  const desiredRate = Math.sign(error) * Math.min(maxRate, Math.sqrt(2 * maxAccel * Math.abs(error)));
  const maxDelta = maxAccel * dt;
  s.rate += Math.max(-maxDelta, Math.min(maxDelta, desiredRate - s.rate));
  const next = s.angle + s.rate * dt;
  if ((target - s.angle) * (target - next) <= 0 && Math.abs(s.rate) <= maxDelta * 2) {
    s.angle = target;
    s.rate = 0;
  } else {
    s.angle = next;
  }
}
