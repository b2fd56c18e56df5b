/**
 * SimRobot: the firmware-equivalent protocol endpoint of the simulated robot, on top of
 * SimCore. It speaks link protocol v1 (src/shared/protocol.ts) over any byte stream:
 *
 *  - decodes host frames with FrameDecoder; bad frames (COBS, CRC, version, length,
 *    unknown type) are dropped and counted, and never move the robot;
 *  - Ping → Pong (echoing the ping's seq and header timestamp, with the robot-clock receive
 *    time); `requestHello` → Hello first; the first Ping starts telemetry;
 *  - VelocityCommand sets the velocity target and renews the 250 ms command watchdog
 *    (Pings do not); Stop stops; ScreenCommand pans the screen;
 *  - telemetry: Odometry 50 Hz, LaserScan 10 Hz, ScreenState 10 Hz, Status 2 Hz; header
 *    timestamps are the robot clock in µs since sim start, at the time the data was sampled.
 *    Telemetry pauses after `telemetryTimeout` s without a valid host frame (a host must send
 *    at ≥ 20 Hz anyway), so an abandoned serial port does not fill up; the next Ping resumes it.
 *
 * Pure (no Node APIs, no timers): the caller advances time with `advanceTo` / `stepOnce`.
 * RealTimeDriver (realtime.ts) does that from a monotonic clock.
 */
import type { RobotParams } from './robot-params';
import { encodeWire, FrameDecoder } from '../shared/wire';
import { PROTOCOL_VERSION, StopReason, type HelloMsg, type HostMessage, type LinkFrame, type RobotMessage } from '../shared/protocol';
import type { SimCore, StepResult } from './sim-core';
import { SimRig, type DeviceEmulator, type SteppedSimulation } from './emulators/emulator';
import { SimTelemetry } from './telemetry';

/** Where the robot's bytes go (a pty master, a TCP socket, a test buffer). */
export interface ByteSink {
  write(bytes: Uint8Array): void;
}

export interface SimRobotOptions {
  /** Fixed simulation step, seconds (default 0.01). */
  stepSeconds?: number;
  /**
   * Robot clock, seconds since sim start, read when a Ping arrives and a Pong leaves. The
   * real-time driver passes its monotonic clock; by default it is the sim time.
   */
  clock?: () => number;
  /** Seconds of host silence after which telemetry pauses until the next Ping (default 2). */
  telemetryTimeout?: number;
}

/** Counters of what the endpoint has received and sent. */
export interface SimRobotStats {
  framesIn: number;
  badFramesIn: number;
  velocityCommands: number;
  rejectedCommands: number;
  pings: number;
  framesOut: number;
}

export class SimRobot implements DeviceEmulator, SteppedSimulation {
  readonly core: SimCore;
  readonly stepSeconds: number;
  /** Robot clock, seconds since sim start (replaceable: the real-time driver installs its own). */
  clock: () => number;
  private readonly telemetryTimeout: number;
  private sink: ByteSink | null = null;
  private decoder = new FrameDecoder();
  private seq = 0;
  private telemetryOn = false;
  private lastHostFrame = -Infinity;
  private readonly telemetry: SimTelemetry;
  /** Alone on its simulator (a rig of one) unless a SimRig with other devices steps it. */
  private readonly rig: SimRig;
  readonly stats: SimRobotStats = { framesIn: 0, badFramesIn: 0, velocityCommands: 0, rejectedCommands: 0, pings: 0, framesOut: 0 };

  constructor(core: SimCore, options: SimRobotOptions = {}) {
    this.core = core;
    this.stepSeconds = options.stepSeconds ?? 0.01;
    this.clock = options.clock ?? (() => core.time);
    this.telemetryTimeout = options.telemetryTimeout ?? 2;
    this.telemetry = new SimTelemetry(core);
    this.rig = new SimRig(core, [this], this.stepSeconds);
  }

  /** A host connected: bytes go to `sink`; decoding starts afresh and telemetry waits for a Ping. */
  attach(sink: ByteSink): void {
    this.sink = sink;
    this.decoder = new FrameDecoder();
    this.telemetryOn = false;
  }

  /** The host went away (the socket closed). The robot keeps running; its watchdog stops it. */
  detach(sink?: ByteSink): void {
    if (sink && sink !== this.sink) return;
    this.sink = null;
    this.telemetryOn = false;
  }

  /** Link decoder counters (frames, bytes, errors by reason). */
  get decoderStats(): FrameDecoder['stats'] {
    return this.decoder.stats;
  }

  /** Whether telemetry is streaming (a host has pinged recently). */
  get streaming(): boolean {
    return this.telemetryOn;
  }

  /** The robot's self-description, as sent in Hello. */
  hello(): HelloMsg {
    return helloFromParams(this.core.params);
  }

  /** Bytes from the host, in any chunking. */
  receive(bytes: Uint8Array): void {
    for (const result of this.decoder.push(bytes)) {
      if (!result.ok) {
        this.stats.badFramesIn++;
        continue;
      }
      this.stats.framesIn++;
      this.handle(result.frame);
    }
  }

  private handle(frame: LinkFrame): void {
    const msg = frame.msg as HostMessage | RobotMessage;
    const rxTime = this.clock();
    switch (msg.type) {
      case 'ping':
        this.stats.pings++;
        this.lastHostFrame = rxTime;
        this.send({ type: 'pong', pingSeq: frame.seq, hostTimeUs: frame.timestampUs, robotRxTimeUs: toMicros(rxTime) }, toMicros(this.clock()));
        if (msg.requestHello) this.send(this.hello(), toMicros(this.clock()));
        if (!this.telemetryOn) {
          this.telemetryOn = true;
          this.telemetry.start();
        }
        return;
      case 'velocity-command':
        this.lastHostFrame = rxTime;
        if (this.core.setCommand(msg.v, msg.w, frame.seq)) this.stats.velocityCommands++;
        else this.stats.rejectedCommands++;
        return;
      case 'stop':
        this.lastHostFrame = rxTime;
        // The operator's emergency stop brakes; a safety, link-loss or shutdown stop stops at
        // the controller's deceleration, which the console's safety model plans with.
        if (msg.reason === StopReason.Safety || msg.reason === StopReason.LinkLoss || msg.reason === StopReason.Shutdown) this.core.stop();
        else this.core.brake();
        return;
      case 'screen-command':
        this.lastHostFrame = rxTime;
        this.core.setScreenCommand(msg.panAngle, msg.maxRate);
        return;
      default:
        // A robot→host message sent to the robot: valid framing, meaningless here.
        return;
    }
  }

  /** Steps the simulation once (stepSeconds) and sends whatever telemetry falls due. */
  stepOnce(): void {
    this.rig.stepOnce();
  }

  /** After a simulator step (this robot's own, or a rig's): sends whatever telemetry falls due. */
  afterStep(result: StepResult): void {
    if (this.telemetryOn && this.clock() - this.lastHostFrame > this.telemetryTimeout) this.telemetryOn = false;
    if (!this.telemetryOn) return;
    for (const { msg, time } of this.telemetry.afterStep(result)) this.send(msg, toMicros(time));
  }

  /** Steps until the sim time reaches `simTime` (seconds). Returns the number of steps. */
  advanceTo(simTime: number): number {
    return this.rig.advanceTo(simTime);
  }

  private send(msg: RobotMessage, timestampUs: number): void {
    if (!this.sink) return;
    const bytes = encodeWire(msg, this.seq, timestampUs);
    this.seq = (this.seq + 1) & 0xffff;
    this.stats.framesOut++;
    this.sink.write(bytes);
  }
}

function toMicros(seconds: number): number {
  return Math.max(0, Math.round(seconds * 1e6));
}

/** A simulated robot's self-description, as its firmware sends it in Hello. */
export function helloFromParams(p: RobotParams): HelloMsg {
  const l = p.lidar;
  return {
    type: 'hello',
    protocolVersion: PROTOCOL_VERSION,
    name: p.name,
    footprintLength: p.footprintLength,
    footprintWidth: p.footprintWidth,
    footprintCenterOffsetX: p.footprintCenterOffsetX,
    wheelBase: p.wheelBase,
    maxLinearVelocity: p.maxLinearVelocity,
    maxAngularVelocity: p.maxAngularVelocity,
    maxLinearAccel: p.maxLinearAccel,
    maxAngularAccel: p.maxAngularAccel,
    maxLinearJerk: p.maxLinearJerk,
    maxAngularJerk: p.maxAngularJerk,
    panMin: p.panMin,
    panMax: p.panMax,
    panMaxRate: p.panMaxRate,
    panMaxAccel: p.panMaxAccel,
    lidarBeams: l.beams,
    lidarAngleMin: l.angleMin,
    lidarAngleIncrement: l.angleIncrement,
    lidarRangeMin: l.rangeMin,
    lidarRangeMax: l.rangeMax,
    lidarRateHz: l.rateHz,
    lidarMountX: l.mountX,
    lidarMountY: l.mountY,
    lidarMountYaw: l.mountYaw,
  };
}
