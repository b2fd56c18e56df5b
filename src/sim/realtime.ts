/**
 * Runs a SimRobot in real time: a monotonic clock (performance.now) decides how far the
 * simulation should be, and a timer advances it in fixed steps to catch up.  Works in Node,
 * a worker or a browser (no Node APIs).
 *
 * The robot clock is the monotonic clock, always. A real robot's clock is a hardware timer:
 * it keeps counting when its firmware is busy, and a robot that was slow to send is a robot
 * whose data arrives late, not one whose clock went back. The simulator runs in an ordinary
 * process that a loaded machine deschedules for a second at a time; it used to skip those
 * seconds by moving its clock's epoch (any stall over 250 ms), so its clock lost the stall
 * against the host's and the console, rightly, reported "Robot clock jumped back 1.1 s".
 * Now a stall is caught up without moving the clock: the physics runs through the missed
 * time (the robot kept rolling, and its own watchdog, in the physics, still stopped it), but
 * only the last `replay` seconds run through the devices, so telemetry is no older than that
 * (a busy robot sends nothing, it does not send a second of old data later). Only a stall
 * longer than `maxLag` (a suspended machine, a debugger) is skipped outright: the robot
 * clock then steps back against the host's, as a rebooted robot's would, and the console
 * says so.
 */
import type { SteppedSimulation } from './emulators/emulator';

export interface RealTimeDriverOptions {
  /** Timer period, milliseconds (default 5: finer than the 10 ms sim step, so steps are on time). */
  tickMs?: number;
  /**
   * Largest backlog caught up after a stall, seconds (default 10). Longer stalls are skipped
   * and the robot clock steps back against the monotonic clock by the part skipped.
   */
  maxLag?: number;
  /**
   * The last part of a stall run through the devices (their timers, their telemetry), s
   * (default 0.25; frames stamped in it arrive up to that late). Earlier time is physics only.
   */
  replay?: number;
  /** Monotonic clock in milliseconds (default performance.now). */
  nowMs?: () => number;
}

/** The simulator's step, s (SimRig's default); physics-only catch-up goes in whole steps. */
const STEP_S = 0.01;

export class RealTimeDriver {
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly nowMs: () => number;
  private readonly tickMs: number;
  private readonly maxLag: number;
  private readonly replay: number;
  /** Monotonic ms corresponding to robot time 0 (moved forward only by a stall over maxLag). */
  private epochMs = 0;

  constructor(
    private readonly robot: SteppedSimulation,
    options: RealTimeDriverOptions = {},
  ) {
    this.nowMs = options.nowMs ?? (() => performance.now());
    // Pongs report receive times on this clock, not the (up to one step behind) sim time.
    robot.clock = () => this.robotTime();
    this.tickMs = options.tickMs ?? 5;
    this.maxLag = options.maxLag ?? 10;
    this.replay = options.replay ?? 0.25;
  }

  /** Robot clock: seconds since sim start by the monotonic clock (what Pongs report). */
  robotTime(): number {
    return (this.nowMs() - this.epochMs) / 1000;
  }

  /** How far the simulation is behind the robot clock, s (0 when on time; > 0 while catching up). */
  get lagS(): number {
    return Math.max(0, this.robotTime() - this.robot.core.time);
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
    const core = this.robot.core;
    let lag = this.robotTime() - core.time;
    if (lag > this.maxLag) {
      // Too long to run through: skip all but maxLag (the clock steps back by what is skipped).
      this.epochMs += (lag - this.maxLag) * 1000;
      lag = this.maxLag;
    }
    const physicsOnlyS = lag - this.replay;
    if (physicsOnlyS >= STEP_S) {
      // Whole steps, so the devices' steps stay on their grid afterwards.
      core.step(Math.floor(physicsOnlyS / STEP_S + 1e-9) * STEP_S);
    }
    this.robot.advanceTo(this.robotTime());
  }
}
