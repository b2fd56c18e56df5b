/**
 * A minimal robot for link tests, written with the codec: it follows the robot side of
 * docs/protocol.md (Pong to every Ping, Hello on requestHello, Odometry at 50 Hz once
 * pinged) and can be told to misbehave. Works over any byte pipe (pty master, TCP socket).
 */
import { FrameDecoder, encodeWire } from '../../../src/shared/wire';
import type { HelloMsg, HostMessage, LinkFrame, RobotMessage } from '../../../src/shared/protocol';

export interface BytePipe {
  write(bytes: Uint8Array): void;
  onData(listener: (chunk: Uint8Array) => void): unknown;
}

export interface ScriptedRobotOptions {
  /** Header version of every frame it sends. Default 1. */
  headerVersion?: number;
  /** protocolVersion inside its Hello. Default = headerVersion. */
  helloVersion?: number;
  /** Robot clock = nowMs() + this, ms. Default 5000 (so the offset is measurable). */
  clockOffsetMs?: number;
  /** Time base of the robot clock, ms. Default performance.now (Date.now under fake timers). */
  nowMs?: () => number;
  /** Odometry period, ms; 0 disables telemetry. Default 20 (50 Hz). */
  odometryPeriodMs?: number;
}

export interface ReceivedHostFrame {
  frame: LinkFrame<HostMessage>;
  /** Arrival time on the robot's time base (nowMs), ms. */
  atMs: number;
}

export const testHello = (protocolVersion: number): HelloMsg => ({
  type: 'hello', protocolVersion, name: 'scripted-bot', footprintLength: 0.5, footprintWidth: 0.4, footprintCenterOffsetX: 0,
  wheelBase: 0.3, maxLinearVelocity: 1, maxAngularVelocity: 2, maxLinearAccel: 1, maxAngularAccel: 3, maxLinearJerk: 5,
  maxAngularJerk: 10, panMin: -2, panMax: 2, panMaxRate: 3, panMaxAccel: 6, lidarBeams: 360, lidarAngleMin: -Math.PI,
  lidarAngleIncrement: (2 * Math.PI) / 360, lidarRangeMin: 0.1, lidarRangeMax: 8, lidarRateHz: 10, lidarMountX: 0.1, lidarMountY: 0, lidarMountYaw: 0,
});

export class ScriptedRobot {
  readonly received: ReceivedHostFrame[] = [];
  readonly decoder = new FrameDecoder();
  /** When true the robot neither answers nor streams: a hung firmware with the port open. */
  silent = false;
  private seq = 0;
  private pinged = false;
  private lastCommandSeq = 0;
  private odometryTimer: ReturnType<typeof setInterval> | null = null;
  private readonly headerVersion: number;
  private readonly helloVersion: number;
  /** Robot clock minus nowMs(), ms; change it to make the robot clock jump. */
  clockOffsetMs: number;
  private readonly nowMs: () => number;

  constructor(private readonly pipe: BytePipe, options: ScriptedRobotOptions = {}) {
    this.headerVersion = options.headerVersion ?? 1;
    this.helloVersion = options.helloVersion ?? this.headerVersion;
    this.clockOffsetMs = options.clockOffsetMs ?? 5000;
    this.nowMs = options.nowMs ?? (() => performance.now());
    pipe.onData((chunk) => this.onBytes(chunk));
    const period = options.odometryPeriodMs ?? 20;
    if (period > 0) {
      this.odometryTimer = setInterval(() => {
        if (this.pinged && !this.silent) {
          this.send({ type: 'odometry', x: 0, y: 0, theta: 0, v: 0, w: 0, lastCommandSeq: this.lastCommandSeq });
        }
      }, period);
    }
  }

  /** Robot clock, µs. */
  nowUs(): number {
    return Math.round((this.nowMs() + this.clockOffsetMs) * 1000);
  }

  /** Encodes and writes one message with the next seq and the robot clock. */
  send(msg: RobotMessage): void {
    this.pipe.write(encodeWire(msg, this.seq++ & 0xffff, this.nowUs(), this.headerVersion));
  }

  /** Writes raw bytes (corrupted frames, garbage). */
  writeRaw(bytes: Uint8Array): void {
    this.pipe.write(bytes);
  }

  /** Wire bytes of a message as this robot would send it, consuming a seq. */
  wire(msg: RobotMessage): Uint8Array {
    return encodeWire(msg, this.seq++ & 0xffff, this.nowUs(), this.headerVersion);
  }

  framesOf<T extends HostMessage['type']>(type: T): (ReceivedHostFrame & { frame: LinkFrame<Extract<HostMessage, { type: T }>> })[] {
    return this.received.filter((r) => r.frame.msg.type === type) as never;
  }

  stop(): void {
    if (this.odometryTimer) clearInterval(this.odometryTimer);
    this.odometryTimer = null;
    this.silent = true;
  }

  private onBytes(chunk: Uint8Array): void {
    const rxUs = this.nowUs();
    for (const result of this.decoder.push(chunk)) {
      if (!result.ok) continue;
      const frame = result.frame as LinkFrame<HostMessage>;
      this.received.push({ frame, atMs: this.nowMs() });
      if (this.silent) continue;
      const msg = frame.msg;
      if (msg.type === 'ping') {
        this.pinged = true;
        this.send({ type: 'pong', pingSeq: frame.seq, hostTimeUs: frame.timestampUs, robotRxTimeUs: rxUs });
        if (msg.requestHello) this.send(testHello(this.helloVersion));
      } else if (msg.type === 'velocity-command') {
        this.lastCommandSeq = frame.seq;
      }
    }
  }
}
