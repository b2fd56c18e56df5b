/**
 * A Slamtec RPLIDAR's firmware on top of the simulator, written from the public protocol
 * (rplidar_sdk sl_lidar_cmd.h / sl_lidar_protocol.h and the protocol PDF; codec in
 * src/shared/protocols/rplidar.ts). It answers GET_HEALTH and GET_INFO (the model per
 * profile name), SCAN / FORCE_SCAN with 5-byte nodes, EXPRESS_SCAN (working mode 0) with
 * legacy 84-byte capsules on the models that have it, STOP, RESET, SET_MOTOR_PWM,
 * HQ_MOTOR_SPEED_CTRL and GET_ACC_BOARD_FLAG where the SDK sends them; anything else is
 * ignored, as a device ignores a request it does not know.
 *
 * Scans: each revolution the simulator completes (`result.scans`, REP 103 in the lidar
 * frame) is streamed over the following revolution, sample by sample as the head turns:
 * device angles clockwise in degrees from the front, starting at 0°. A return closer than
 * rangeMin or beyond rangeMax (±Infinity), or beyond what the wire format can carry
 * (16.383 m), goes out as distance 0: no return. The revolution rate is the simulator's
 * (the profile's rateHz); motor speed commands are recorded but do not change it.
 *
 * Express capsules report every sample with the same angle compensation dθ (default 2°):
 * the start angle ω carries the encoder angle dθ ahead of the true one, so a host that
 * leaves out the compensation is 2° off. The DTR line cannot be seen through a pty, so a
 * DTR-driven motor (A1, C1) always turns; an A2's accessory-board motor starts stopped and
 * turns while SET_MOTOR_PWM > 0, and streams nothing while it is stopped.
 */
import {
  ACC_BOARD_MOTOR_CTRL, AnswerType, CAPSULE_BYTES, Cmd, HealthStatus, NODE_BYTES, RequestDecoder, SAMPLES_PER_CAPSULE, SendMode,
  encodeAccBoardFlag, encodeCapsule, encodeDescriptor, encodeHealth, encodeInfo, encodeNode, motorControlByModel, radToDeviceAngle,
  supportsLegacyExpress, type CapsuleSample, type DeviceHealth, type DeviceInfo, type Request,
} from '../../shared/protocols/rplidar';
import type { LidarProfile } from '../../shared/robots';
import type { SimCore, SimScan, StepResult } from '../sim-core';
import type { ByteSink } from '../sim-robot';
import type { DeviceEmulator } from './emulator';

/**
 * What GET_INFO answers per built-in profile. Model bytes: A1M8 0x18 and A2M8 0x28 as the
 * devices report them; the C1 and S2 by the SDK's numbering (GetModelNameStringByModelID: C
 * from major 4, S from major 6), i.e. C1M1 0x41 and S2M1 0x71. Firmware and hardware
 * revisions are typical of shipped units; serial numbers are made up.
 */
export const RPLIDAR_MODELS: Readonly<Record<string, DeviceInfo>> = {
  'rplidar-a1': { model: 0x18, firmwareMajor: 1, firmwareMinor: 29, hardware: 7, serial: '0123456789ABCDEF0123456789ABCDEF' },
  'rplidar-a2': { model: 0x28, firmwareMajor: 1, firmwareMinor: 29, hardware: 5, serial: '1123456789ABCDEF0123456789ABCDEF' },
  'rplidar-c1': { model: 0x41, firmwareMajor: 1, firmwareMinor: 2, hardware: 18, serial: '4123456789ABCDEF0123456789ABCDEF' },
  'rplidar-s2': { model: 0x71, firmwareMajor: 1, firmwareMinor: 2, hardware: 18, serial: '7123456789ABCDEF0123456789ABCDEF' },
};

export interface RplidarEmulatorOptions {
  /** What GET_INFO answers. Default: RPLIDAR_MODELS[profile.name], else the A1's. */
  info?: DeviceInfo;
  /** What GET_HEALTH answers. Default good. An error status refuses to scan. */
  health?: DeviceHealth;
  /** Whether EXPRESS_SCAN mode 0 is answered. Default: A-series firmware ≥ 1.17 (supportsLegacyExpress). */
  express?: boolean;
  /**
   * GET_ACC_BOARD_FLAG's answer, for the models the SDK asks (majors 2-5). Default: bit 0 set
   * (motor by SET_MOTOR_PWM) for the A2/A3 on Slamtec's adapter, 0 for the C-series.
   */
  accBoardFlag?: number;
  /** dθ on every express sample, degrees, [0, 4). Default 2. */
  expressCompensationDeg?: number;
  /** Fault injection: every Nth SCAN node (check bit cleared, a stray byte after it) or express capsule (a flipped bit) is corrupt. 0: never. */
  corruptEvery?: number;
}

/** Samples of one simulated revolution, in the order the head meets them. */
interface PendingRevolution {
  scan: SimScan;
  order: DeviceOrder;
  sent: number;
}

/** Beam indices sorted by device angle (clockwise from the front), and those angles in degrees. */
interface DeviceOrder {
  beams: number[];
  angleDeg: number[];
}

type StreamMode = 'idle' | 'scan' | 'express';

const MAX_LOGGED_COMMANDS = 256;
/** The quality byte of a SCAN node with a return (6 bits; the SDK reports 0x2F for express samples). */
const RETURN_QUALITY = 0x2f;

export class RplidarEmulator implements DeviceEmulator {
  readonly info: DeviceInfo;
  health: DeviceHealth;
  /** Requests received, as command bytes (the newest 256). */
  readonly commands: number[] = [];
  /** What the device is streaming. */
  mode: StreamMode = 'idle';
  /** SET_MOTOR_PWM duty, for an accessory-board motor. */
  motorPwm = 0;
  /** HQ_MOTOR_SPEED_CTRL speed, rpm; null until set (the S-series firmware then runs its default). */
  motorRpm: number | null = null;
  /** When true nothing is sent and nothing is answered (a wedged device whose port stays open). */
  silent = false;
  corruptEvery: number;
  corruptedSent = 0;
  /** Revolutions fully streamed since power-up. */
  revolutionsSent = 0;

  private readonly expressSupported: boolean;
  private readonly accBoardFlag: number;
  private readonly compensationQ3: number;
  private readonly motor: 'pwm' | 'rpm' | 'dtr';
  private readonly requests = new RequestDecoder();
  private sink: ByteSink | null = null;
  private revolutions: PendingRevolution[] = [];
  private capsuleSamples: { angleDeg: number; distanceM: number }[] = [];
  private firstCapsule = true;
  private unitsSent = 0;
  private orderCache: { key: string; order: DeviceOrder } | null = null;

  constructor(
    private readonly core: SimCore,
    readonly profile: LidarProfile,
    options: RplidarEmulatorOptions = {},
  ) {
    this.info = options.info ?? RPLIDAR_MODELS[profile.name] ?? RPLIDAR_MODELS['rplidar-a1']!;
    this.health = options.health ?? { status: HealthStatus.Good, errorCode: 0 };
    this.expressSupported = options.express ?? supportsLegacyExpress(this.info);
    const major = this.info.model >> 4;
    this.accBoardFlag = options.accBoardFlag ?? (major <= 3 ? ACC_BOARD_MOTOR_CTRL : 0);
    const compensationDeg = options.expressCompensationDeg ?? 2;
    if (!(compensationDeg >= 0 && compensationDeg < 4)) throw new RangeError('express compensation must be in [0, 4) degrees');
    this.compensationQ3 = Math.round(compensationDeg * 8);
    this.corruptEvery = options.corruptEvery ?? 0;
    const kind = motorControlByModel(this.info.model);
    this.motor = kind === 'ask' ? ((this.accBoardFlag & ACC_BOARD_MOTOR_CTRL) !== 0 ? 'pwm' : 'dtr') : kind;
  }

  attach(sink: ByteSink): void {
    this.sink = sink;
    this.requests.reset();
  }

  detach(sink?: ByteSink): void {
    if (!sink || sink === this.sink) this.sink = null;
  }

  receive(bytes: Uint8Array): void {
    for (const req of this.requests.push(bytes)) {
      this.commands.push(req.cmd);
      if (this.commands.length > MAX_LOGGED_COMMANDS) this.commands.shift();
      if (!this.silent) this.handle(req);
    }
  }

  afterStep(result: StepResult): void {
    if (this.mode === 'idle') return;
    if (!this.spinning()) {
      // A stopped head measures nothing; it starts again with the next whole revolution, and
      // flags its first capsule S since its angles do not follow on (protocol PDF, flag S).
      this.revolutions = [];
      this.capsuleSamples = [];
      this.firstCapsule = true;
      return;
    }
    for (const scan of result.scans) this.revolutions.push({ scan, order: this.deviceOrder(scan), sent: 0 });
    const rateHz = this.core.params.lidar.rateHz;
    const out: Uint8Array[] = [];
    while (this.revolutions.length > 0) {
      const rev = this.revolutions[0]!;
      const count = rev.order.beams.length;
      // The head meets the samples evenly over the revolution after the one captured.
      const turned = (this.core.time - rev.scan.time) * rateHz;
      const due = turned >= 1 - 1e-6 ? count : Math.max(0, Math.floor(turned * count));
      for (; rev.sent < due; rev.sent++) this.emitSample(rev, rev.sent, out);
      if (rev.sent < count) break;
      this.revolutions.shift();
      this.revolutionsSent++;
    }
    if (out.length > 0) this.send(concat(out));
  }

  private spinning(): boolean {
    if (this.motor === 'pwm') return this.motorPwm > 0;
    if (this.motor === 'rpm') return this.motorRpm !== 0;
    return true;
  }

  private send(bytes: Uint8Array): void {
    if (!this.silent) this.sink?.write(bytes);
  }

  private handle(req: Request): void {
    const major = this.info.model >> 4;
    switch (req.cmd) {
      case Cmd.Stop:
        this.stopStream();
        break;
      case Cmd.Reset:
        // A reboot: streaming stops and the motor settings are back to power-up.
        this.stopStream();
        this.motorPwm = 0;
        this.motorRpm = null;
        break;
      case Cmd.GetHealth:
        this.send(concat([encodeDescriptor({ length: 3, mode: SendMode.Single, type: AnswerType.DevHealth }), encodeHealth(this.health)]));
        break;
      case Cmd.GetInfo:
        this.send(concat([encodeDescriptor({ length: 20, mode: SendMode.Single, type: AnswerType.DevInfo }), encodeInfo(this.info)]));
        break;
      case Cmd.Scan:
      case Cmd.ForceScan:
        if (this.health.status === HealthStatus.Error) break; // in protection stop: no scanning
        this.stopStream();
        this.send(encodeDescriptor({ length: NODE_BYTES, mode: SendMode.Loop, type: AnswerType.Measurement }));
        this.mode = 'scan';
        break;
      case Cmd.ExpressScan:
        // Working mode 0 is the legacy express mode; other modes (boost, dense…) are not emulated.
        if (!this.expressSupported || this.health.status === HealthStatus.Error) break;
        if (req.payload.length !== 5 || req.payload[0] !== 0) break;
        this.stopStream();
        this.send(encodeDescriptor({ length: CAPSULE_BYTES, mode: SendMode.Loop, type: AnswerType.MeasurementCapsuled }));
        this.mode = 'express';
        this.firstCapsule = true;
        break;
      case Cmd.SetMotorPwm:
        if (req.payload.length >= 2) this.motorPwm = req.payload[0]! | (req.payload[1]! << 8);
        break;
      case Cmd.HqMotorSpeedCtrl:
        if (major >= 6 && req.payload.length >= 2) this.motorRpm = req.payload[0]! | (req.payload[1]! << 8);
        break;
      case Cmd.GetAccBoardFlag:
        // Only the models the SDK asks (checkMotorCtrlSupport: majors 2-5) know this request.
        if (major >= 2 && major <= 5) {
          this.send(concat([encodeDescriptor({ length: 4, mode: SendMode.Single, type: AnswerType.AccBoardFlag }), encodeAccBoardFlag(this.accBoardFlag)]));
        }
        break;
      default:
        break;
    }
  }

  private stopStream(): void {
    this.mode = 'idle';
    this.revolutions = [];
    this.capsuleSamples = [];
  }

  /** The scan's beams in the order the head meets them: device angle 0° (the front) first, clockwise. */
  private deviceOrder(scan: SimScan): DeviceOrder {
    const key = `${scan.ranges.length}:${scan.angleMin}:${scan.angleIncrement}`;
    if (this.orderCache?.key === key) return this.orderCache.order;
    const angles = Array.from(scan.ranges, (_, i) => radToDeviceAngle(scan.angleMin + i * scan.angleIncrement));
    const beams = angles.map((_, i) => i).sort((a, b) => angles[a]! - angles[b]!);
    const order = { beams, angleDeg: beams.map((i) => angles[i]!) };
    this.orderCache = { key, order };
    return order;
  }

  private emitSample(rev: PendingRevolution, k: number, out: Uint8Array[]): void {
    const r = rev.scan.ranges[rev.order.beams[k]!]!;
    const distanceM = Number.isFinite(r) && r > 0 ? r : 0;
    const angleDeg = rev.order.angleDeg[k]!;
    if (this.mode === 'scan') {
      const node = encodeNode({ start: k === 0, quality: distanceM > 0 ? RETURN_QUALITY : 0, angleDeg, distanceM });
      // Never the revolution's first node: a lost start flag would merge two revolutions.
      if (k !== 0 && this.corruptNext()) {
        node[1] = node[1]! & 0xfe; // check bit cleared
        out.push(node, Uint8Array.of(0xff));
        return;
      }
      out.push(node);
      return;
    }
    this.capsuleSamples.push({ angleDeg, distanceM });
    if (this.capsuleSamples.length < SAMPLES_PER_CAPSULE) return;
    const samples = this.capsuleSamples;
    this.capsuleSamples = [];
    // ω is the encoder angle of the first sample: dθ ahead of where it truly looked.
    const startAngleQ6 = Math.round((samples[0]!.angleDeg + this.compensationQ3 / 8) * 64);
    const cabin: CapsuleSample[] = samples.map((s) => ({ distanceMm: Math.round(s.distanceM * 1000), compensationQ3: this.compensationQ3 }));
    const capsule = encodeCapsule({ newScan: this.firstCapsule, startAngleQ6, samples: cabin });
    this.firstCapsule = false;
    if (this.corruptNext()) capsule[40] = capsule[40]! ^ 0x10; // the checksum no longer matches
    out.push(capsule);
  }

  /** Counts a node or capsule; true when fault injection wants this one corrupt. */
  private corruptNext(): boolean {
    this.unitsSent++;
    if (this.corruptEvery <= 0 || this.unitsSent % this.corruptEvery !== 0) return false;
    this.corruptedSent++;
    return true;
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}
