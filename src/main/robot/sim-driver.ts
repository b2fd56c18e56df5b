/**
 * The simulated robot in process, behind the robot seam, on virtual time: the robot the
 * scenario runner, BARN and the people evaluations drive. It says what the simulator's
 * firmware says over the wire (the same telemetry schedule, src/sim/telemetry.ts) but
 * without bytes: the caller steps the simulator with `step(dt)` and the samples come out
 * stamped with sim time, which is also the core's clock in such a run.
 */
import type { LinkStatus } from '../../shared/api';
import type { Twist2D } from '../../shared/geometry';
import { PROTOCOL_VERSION, type RobotMessage } from '../../shared/protocol';
import type { SimCore, StepResult } from '../../sim/sim-core';
import { helloFromParams } from '../../sim/sim-robot';
import { SimTelemetry } from '../../sim/telemetry';
import { DriverEvents, type RobotCapabilities, type RobotDriver, type RobotDriverEventName, type RobotDriverEvents } from './driver';
import { foresightCapabilities } from './foresight-driver';

export interface InProcessSimOptions {
  /** Command transit to the motors assumed by the loop, s (the simulator applies commands at once). */
  commandTransitS?: number;
  /** Where the run log says the robot was (default 'sim (in process)'). */
  endpoint?: string;
}

export class InProcessSimDriver implements RobotDriver {
  readonly endpoint: string;
  private readonly events = new DriverEvents();
  private readonly telemetry: SimTelemetry;
  private caps: RobotCapabilities | null = null;
  private seq = 0;
  private connected = false;
  private readonly transitS: number;

  constructor(
    readonly sim: SimCore,
    options: InProcessSimOptions = {},
  ) {
    this.telemetry = new SimTelemetry(sim);
    this.transitS = options.commandTransitS ?? 0.01;
    this.endpoint = options.endpoint ?? 'sim (in process)';
  }

  connect(): void {
    if (this.connected) return;
    this.connected = true;
    this.caps = foresightCapabilities(helloFromParams(this.sim.params), 'sim');
    this.telemetry.start();
    this.events.emit('capabilities', this.caps);
    this.events.emit('state', { state: 'connected', message: 'Connected to the simulated robot (in process)', at: this.sim.time });
  }

  async dispose(): Promise<void> {
    if (!this.connected) return;
    this.sim.stop();
    this.connected = false;
  }

  /** Advances the simulator by `dt` s and delivers the telemetry that fell due. */
  step(dt: number): StepResult {
    const result = this.sim.step(dt);
    if (!this.connected) return result;
    for (const { msg, time } of this.telemetry.afterStep(result)) this.deliver(msg, time);
    return result;
  }

  capabilities(): RobotCapabilities | null {
    return this.caps;
  }

  status(): LinkStatus {
    return {
      state: this.connected ? 'connected' : 'disconnected',
      message: this.connected ? 'Simulated robot (in process)' : 'No robot connected',
      endpoint: this.endpoint,
      rttMs: 0,
      clockOffsetMs: 0,
      frameRateHz: 0,
      crcErrors: 0,
      badFrames: 0,
      reconnects: 0,
    };
  }

  latency(): { sensorAgeS: number; commandTransitS: number } {
    return { sensorAgeS: 0, commandTransitS: this.transitS };
  }

  setVelocity(cmd: Twist2D): void {
    if (this.connected) this.sim.setCommand(cmd.v, cmd.w);
  }

  /**
   * The Foresight firmware's Stop: an operator's (the e-stop) brakes the motors (no ramp)
   * until motion is asked for again; the others stop at the controller's deceleration.
   */
  stop(reason: 'operator' | 'safety' | 'link-loss' | 'shutdown'): void {
    if (!this.connected) return;
    if (reason === 'operator') this.sim.brake();
    else this.sim.stop();
  }

  setScreen(cmd: { panAngle: number; maxRate: number }): void {
    if (this.connected) this.sim.setScreenCommand(cmd.panAngle, cmd.maxRate);
  }

  on<E extends RobotDriverEventName>(event: E, listener: (payload: RobotDriverEvents[E]) => void): () => void {
    return this.events.on(event, listener);
  }

  private deliver(msg: RobotMessage, time: number): void {
    const frame = { version: PROTOCOL_VERSION, seq: this.seq, timestampUs: Math.max(0, Math.round(time * 1e6)), msg };
    this.seq = (this.seq + 1) & 0xffff;
    this.events.emit('sample', { frame, receivedAt: this.sim.time, stamp: Math.min(time, this.sim.time) });
  }
}
