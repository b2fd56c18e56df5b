/**
 * Dead-man repeat for teleop. While an input source is active (a key held, the joystick
 * dragged, the gamepad's dead-man button held) the current input is sent at once and then
 * repeated every `periodMs` (10 Hz); the main side stops teleop motion after 300 ms without
 * input. When every source goes inactive, zeros are sent at once and repeating stops.
 */
import type { TeleopInput } from '../../shared/api';

export interface IntervalTimers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export const ZERO: TeleopInput = Object.freeze({ linear: 0, angular: 0 });

const browserTimers: IntervalTimers = {
  setInterval: (fn, ms) => globalThis.setInterval(fn, ms),
  clearInterval: (h) => globalThis.clearInterval(h as ReturnType<typeof setInterval>),
};

export class TeleopRepeater {
  private timer: unknown = null;
  private current: TeleopInput = ZERO;

  constructor(
    private readonly send: (input: TeleopInput) => void,
    private readonly periodMs = 100,
    private readonly timers: IntervalTimers = browserTimers,
  ) {}

  /** True while repeating. */
  get active(): boolean {
    return this.timer !== null;
  }

  get input(): TeleopInput {
    return this.current;
  }

  /**
   * The combined state of all sources. `active` false means nothing is held: zeros go out
   * now (once) and repeating stops.
   */
  update(active: boolean, input: TeleopInput): void {
    if (!active) {
      this.release();
      return;
    }
    const changed = input.linear !== this.current.linear || input.angular !== this.current.angular;
    this.current = { linear: input.linear, angular: input.angular };
    if (this.timer === null) {
      this.send(this.current);
      this.timer = this.timers.setInterval(() => this.send(this.current), this.periodMs);
    } else if (changed) {
      // Send a change at once rather than waiting up to one period.
      this.send(this.current);
    }
  }

  /** Stop now: zeros out if we were repeating (or `force`), no more repeats. */
  release(force = false): void {
    const wasActive = this.timer !== null;
    if (this.timer !== null) {
      this.timers.clearInterval(this.timer);
      this.timer = null;
    }
    this.current = ZERO;
    if (wasActive || force) this.send(ZERO);
  }

  dispose(): void {
    this.release();
  }
}

/** Combines sources: active if any is; inputs add up, clamped to [−1, 1]. */
export function combineSources(sources: readonly { active: boolean; input: TeleopInput }[]): {
  active: boolean;
  input: TeleopInput;
} {
  let active = false;
  let linear = 0;
  let angular = 0;
  for (const s of sources) {
    if (!s.active) continue;
    active = true;
    linear += s.input.linear;
    angular += s.input.angular;
  }
  const c = (v: number) => Math.max(-1, Math.min(1, v));
  return { active, input: { linear: c(linear), angular: c(angular) } };
}
