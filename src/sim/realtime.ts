/**
 * Runs a SimRobot in real time: a monotonic clock (performance.now) decides how far the
 * simulation should be, and a timer advances it in fixed steps to catch up. Works in Node,
 * a worker or a browser (no Node APIs). If the process stalls for longer than `maxLag`, the
 * simulation skips ahead instead of replaying the backlog at full speed: like a robot whose
 * controller was paused, time simply passed.
 */
import type { SteppedSimulation } from './emulators/emulator';

export interface RealTimeDriverOptions {
  /** Timer period, milliseconds (default 5: finer than the 10 ms sim step, so steps are on time). */
  tickMs?: number;
  /** Largest backlog replayed after a stall, seconds (default 0.25). */
  maxLag?: number;
  /** Monotonic clock in milliseconds (default performance.now). */
  nowMs?: () => number;
}

export class RealTimeDriver {
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly nowMs: () => number;
  private readonly tickMs: number;
  private readonly maxLag: number;
  /** Monotonic ms corresponding to sim time 0 (shifted forward after stalls). */
  private epochMs = 0;

  constructor(
    private readonly robot: SteppedSimulation,
    options: RealTimeDriverOptions = {},
  ) {
    this.nowMs = options.nowMs ?? (() => performance.now());
    // Pongs report receive times on this clock, not the (up to one step behind) sim time.
    robot.clock = () => this.robotTime();
    this.tickMs = options.tickMs ?? 5;
    this.maxLag = options.maxLag ?? 0.25;
  }

  /** Robot clock: seconds since sim start by the monotonic clock (what Pongs report). */
  robotTime(): number {
    return (this.nowMs() - this.epochMs) / 1000;
  }

  start(): void {
    if (this.timer) return;
    this.epochMs = this.nowMs() - this.robot.core.time * 1000;
    this.timer = setInterval(() => this.tick(), this.tickMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  get running(): boolean {
    return this.timer !== null;
  }

  /** Advances the simulation to the clock. Public so tests can tick by hand. */
  tick(): void {
    let target = this.robotTime();
    const lag = target - this.robot.core.time;
    if (lag > this.maxLag) {
      this.epochMs += (lag - this.maxLag) * 1000;
      target = this.robotTime();
    }
    this.robot.advanceTo(target);
  }
}
