/**
 * The Kobuki's mainboard firmware, emulated from the public protocol (kobuki_core's protocol
 * appendix, docs "Serial Protocol"; layouts in kobuki_core include/kobuki_core/packets/*.hpp;
 * codec in src/shared/protocols/kobuki.ts) on top of the simulator:
 *
 *  - streams one feedback frame every 20 ms (50 Hz, doc "Specifications") with Basic Sensor
 *    Data (firmware clock, bumper/wheel-drop/cliff flags, uint16 encoders integrated from the
 *    simulated wheels' travel, PWM, battery in 0.1 V), Inertial Sensor (gyro heading and rate
 *    in 0.01°), Cliff ADC, Current, and the sub-payloads the console does not read (docking
 *    IR, raw 3-axis gyro, general purpose input) so a driver must skip them by their length;
 *  - answers Request Extra with Hardware/Firmware Version and Unique Device ID in the next frame;
 *  - follows Base Control as the firmware does: radius 0 straight, radius 1 on the spot, any
 *    other radius the arc whose outer wheel runs at `speed` (protocol conversion table);
 *  - has no command dead-man: the last Base Control is held until another arrives, whether or
 *    not the host is still there. Nothing public documents a firmware command timeout (the
 *    firmware is closed; kobuki_core resends the command with every frame it receives and
 *    kobuki_ros zeroes it after its own 0.6 s `cmd_vel_timeout`, both on the host), so the
 *    emulated robot keeps driving, as the built-in profile says (watchdog null).
 *
 * Bad frames (checksum, length, malformed Base Control) are counted and never obeyed.
 */
import { normalizeAngle } from '../../shared/geometry';
import { Fault } from '../../shared/protocol';
import {
  KOBUKI_STREAM_HZ,
  KOBUKI_TICKS_PER_METRE,
  KOBUKI_WHEEL_BASE,
  KobukiFeedbackId,
  KobukiFrameDecoder,
  KobukiRequestFlag,
  baseControlToVelocity,
  decodeCommands,
  encodeBasicSensorData,
  encodeCliffAdc,
  encodeCurrent,
  encodeFrame,
  encodeInertialData,
  encodeSubPayload,
  encodeUdid,
  encodeVersion,
  KobukiBumper,
  type KobukiBaseControl,
  type KobukiVersion,
} from '../../shared/protocols/kobuki';
import type { RobotProfile } from '../../shared/robots';
import type { SimCore, StepResult } from '../sim-core';
import type { ByteSink } from '../sim-robot';
import type { DeviceEmulator } from './emulator';

export interface KobukiEmulatorOptions {
  /** Encoder counts at power-on (uint16). Default 0; tests start near 65535 to cross the wrap. */
  encoderStart?: { left: number; right: number };
  /** Firmware clock at power-on, ms (it wraps at 65536). Default 0. */
  clockStartMs?: number;
  /** Default 1.0.4, as `kobuki-version-info` shows in the firmware docs. */
  hardwareVersion?: KobukiVersion;
  /** Default 1.2.0, the newest released firmware (kobuki_firmware CHANGELOG). */
  firmwareVersion?: KobukiVersion;
  /** Default the UDID of the docs' `kobuki-version-info` example. */
  udid?: [number, number, number];
  /** Corrupt one byte of every Nth frame streamed (a noisy cable); 0 never. Default 0. */
  corruptEvery?: number;
}

const FRAME_PERIOD = 1 / KOBUKI_STREAM_HZ;
/** Cliff PSD ADC over a floor (0–4095; the spec gives no typical value, any steady one will do). */
const FLOOR_ADC: [number, number, number] = [2000, 2000, 2000];
/** Raw gyro LSB, °/s (protocol "Raw Data Of 3D Gyro": L3G4200D, 0.00875 °/s per digit). */
const RAW_GYRO_DPS_PER_DIGIT = 0.00875;

export class KobukiEmulator implements DeviceEmulator {
  /** Stop streaming (a hung mainboard) while true; commands are still obeyed. */
  silent = false;
  /** Flags ORed into Basic Sensor Data, for tests: KobukiWheelDrop, KobukiCliff, KobukiBumper bits. */
  readonly inject = { wheelDrop: 0, cliff: 0, bumper: 0, overCurrent: 0 };
  /** Every Base Control obeyed, oldest first. */
  readonly baseControls: KobukiBaseControl[] = [];
  /** Request Extra flags received, oldest first. */
  readonly requests: number[] = [];
  /** Frames streamed so far. */
  framesSent = 0;

  private sink: ByteSink | null = null;
  private readonly decoder = new KobukiFrameDecoder();
  private malformedCommands = 0;
  private pendingExtra = 0;
  private nextFrameAt = FRAME_PERIOD;
  private leftTicks: number;
  private rightTicks: number;
  private readonly clockStartMs: number;
  private readonly headingAtPowerOn: number;
  private last: { time: number; x: number; y: number; theta: number };
  private rawGyroFrameId = 0;
  private readonly options: Required<Omit<KobukiEmulatorOptions, 'encoderStart' | 'clockStartMs'>>;

  constructor(
    private readonly core: SimCore,
    readonly profile: RobotProfile,
    options: KobukiEmulatorOptions = {},
  ) {
    this.leftTicks = options.encoderStart?.left ?? 0;
    this.rightTicks = options.encoderStart?.right ?? 0;
    this.clockStartMs = options.clockStartMs ?? 0;
    this.options = {
      hardwareVersion: options.hardwareVersion ?? { major: 1, minor: 0, patch: 4 },
      firmwareVersion: options.firmwareVersion ?? { major: 1, minor: 2, patch: 0 },
      udid: options.udid ?? [97713968, 842422349, 1361404194],
      corruptEvery: options.corruptEvery ?? 0,
    };
    const o = core.odometry();
    // The gyro reads zero where it powered on; the host takes its first reading as heading zero anyway.
    this.headingAtPowerOn = o.theta;
    this.last = { time: core.time, x: o.x, y: o.y, theta: o.theta };
  }

  /** Frames from the host dropped for their checksum or length, plus malformed commands. */
  get badFrames(): number {
    const s = this.decoder.stats;
    return s.checksumErrors + s.lengthErrors + this.malformedCommands;
  }

  /** The last Base Control obeyed, or null before the first. */
  get lastBaseControl(): KobukiBaseControl | null {
    return this.baseControls[this.baseControls.length - 1] ?? null;
  }

  attach(sink: ByteSink): void {
    this.sink = sink;
    this.decoder.reset();
  }

  detach(sink?: ByteSink): void {
    // The cable is out; the wheels keep doing what they were last told (no firmware dead-man).
    if (!sink || sink === this.sink) this.sink = null;
  }

  receive(bytes: Uint8Array): void {
    for (const ev of this.decoder.push(bytes)) {
      if (ev.kind !== 'frame') continue;
      const { commands, malformed } = decodeCommands(ev.subPayloads);
      this.malformedCommands += malformed.length;
      for (const c of commands) {
        if (c.kind === 'base-control') {
          const control = { speed: c.speed, radius: c.radius };
          const { v, w } = baseControlToVelocity(control, KOBUKI_WHEEL_BASE);
          this.core.setCommand(v, w);
          this.baseControls.push(control);
          if (this.baseControls.length > 10000) this.baseControls.splice(0, 5000);
        } else if (c.kind === 'request-extra') {
          this.requests.push(c.flags);
          this.pendingExtra |= c.flags;
        }
        // Sound, LEDs, outputs and PID gains have nothing to act on in the simulator.
      }
    }
  }

  afterStep(_result: StepResult): void {
    this.integrateWheels();
    const t = this.core.time;
    if (t + 1e-9 < this.nextFrameAt) return;
    this.nextFrameAt += FRAME_PERIOD;
    if (this.nextFrameAt <= t) this.nextFrameAt = t + FRAME_PERIOD; // after a stall: no burst of stale frames
    if (this.silent) return;
    const frame = this.feedbackFrame();
    this.framesSent++;
    if (this.options.corruptEvery > 0 && this.framesSent % this.options.corruptEvery === 0) frame[8] ^= 0x5a; // a left-encoder byte
    this.sink?.write(frame);
  }

  /** Wheel travel since the last step, from the simulated body's motion, into encoder ticks. */
  private integrateWheels(): void {
    const o = this.core.odometry();
    const dTheta = normalizeAngle(o.theta - this.last.theta);
    const mid = this.last.theta + dTheta / 2;
    // Travel of the wheel axle's centre along the mean heading (negative when reversing).
    const ds = (o.x - this.last.x) * Math.cos(mid) + (o.y - this.last.y) * Math.sin(mid);
    const half = KOBUKI_WHEEL_BASE / 2;
    this.leftTicks += (ds - dTheta * half) * KOBUKI_TICKS_PER_METRE;
    this.rightTicks += (ds + dTheta * half) * KOBUKI_TICKS_PER_METRE;
    this.last = { time: this.core.time, x: o.x, y: o.y, theta: o.theta };
  }

  private feedbackFrame(): Uint8Array {
    const o = this.core.odometry();
    const status = this.core.status();
    const half = KOBUKI_WHEEL_BASE / 2;
    const leftSpeed = o.v - o.w * half;
    const rightSpeed = o.v + o.w * half;
    const wDeg = (o.w * 180) / Math.PI;
    const subs: Uint8Array[] = [
      encodeBasicSensorData({
        timestampMs: (this.clockStartMs + Math.round(this.core.time * 1000)) & 0xffff,
        bumper: ((status.faults & Fault.Bumper) !== 0 ? KobukiBumper.Centre : 0) | this.inject.bumper,
        wheelDrop: this.inject.wheelDrop,
        cliff: this.inject.cliff,
        leftEncoder: wrapU16(Math.round(this.leftTicks)),
        rightEncoder: wrapU16(Math.round(this.rightTicks)),
        leftPwm: pwm(leftSpeed),
        rightPwm: pwm(rightSpeed),
        buttons: 0,
        charger: 0, // discharging: the simulated robot never docks
        battery: Math.round(status.batteryVoltage * 10),
        overCurrent: this.inject.overCurrent,
      }),
      encodeSubPayload(KobukiFeedbackId.DockingIr, new Uint8Array(3)),
      encodeInertialData({
        angle: Math.round((normalizeAngle(o.theta - this.headingAtPowerOn) * 18000) / Math.PI),
        angleRate: Math.round(wDeg * 100),
      }),
      encodeCliffAdc(FLOOR_ADC),
      encodeCurrent([motorCurrent(leftSpeed), motorCurrent(rightSpeed)]),
      this.rawGyro(wDeg),
      encodeSubPayload(KobukiFeedbackId.GeneralPurposeInput, new Uint8Array(16)),
    ];
    const extra = this.pendingExtra;
    this.pendingExtra = 0;
    if (extra & KobukiRequestFlag.HardwareVersion) subs.push(encodeVersion(KobukiFeedbackId.HardwareVersion, this.options.hardwareVersion));
    if (extra & KobukiRequestFlag.FirmwareVersion) subs.push(encodeVersion(KobukiFeedbackId.FirmwareVersion, this.options.firmwareVersion));
    if (extra & KobukiRequestFlag.UniqueDeviceId) subs.push(encodeUdid(this.options.udid));
    return encodeFrame(subs);
  }

  /** Raw 3-axis gyro (id 13): frame id, 3N, then N x/y/z samples; two samples a frame, z only. */
  private rawGyro(wDeg: number): Uint8Array {
    const samples = 2;
    const data = new Uint8Array(2 + 6 * samples);
    data[0] = this.rawGyroFrameId;
    data[1] = 3 * samples;
    this.rawGyroFrameId = (this.rawGyroFrameId + samples) & 0xff;
    const z = Math.max(-32768, Math.min(32767, Math.round(wDeg / RAW_GYRO_DPS_PER_DIGIT))) & 0xffff;
    for (let i = 0; i < samples; i++) {
      data[2 + 6 * i + 4] = z & 0xff;
      data[2 + 6 * i + 5] = z >>> 8;
    }
    return encodeSubPayload(KobukiFeedbackId.RawGyro, data);
  }
}

function wrapU16(x: number): number {
  return ((x % 65536) + 65536) % 65536;
}

/** A signed PWM byte roughly proportional to wheel speed (full scale at 0.7 m/s; indicative only). */
function pwm(speed: number): number {
  return Math.max(-127, Math.min(127, Math.round((speed / 0.7) * 100)));
}

/** Motor current, 10 mA: a little at rest, more with speed (indicative only). */
function motorCurrent(speed: number): number {
  return Math.min(255, Math.round(5 + (Math.abs(speed) / 0.7) * 60));
}
