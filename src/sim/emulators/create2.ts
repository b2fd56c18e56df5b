/**
 * An iRobot Create 2 running its Open Interface, on top of the simulator: what the Create 2
 * driver finds at the far end of its serial port under `foresight sim --robot create2` and in
 * the tests. Written from the iRobot Create 2 Open Interface (OI) Specification (based on the
 * Roomba 600); opcodes, packets and the stream frame in src/shared/protocols/create2.ts.
 *
 * As the spec says:
 * - modes Off → (Start) Passive → (Safe/Control) Safe or (Full) Full. In Off only Start and
 *   Reset are heard; Passive, Safe and Full take the sensor commands (Sensors, Query List,
 *   Stream, Pause/Resume); only Safe and Full take the drive commands (Drive, Drive Direct);
 *   Start, Power and the cleaning buttons (Spot, Clean, Max, Seek Dock) return to Passive;
 *   Stop (173) and Reset (7) return to Off and end the stream;
 * - Drive Direct (right, left mm/s, ±500) and Drive (velocity, radius with its special radii)
 *   set the wheel speeds, and the robot KEEPS them: the OI has no command timeout, so the
 *   emulated Create drives on at the last speed for as long as nobody says otherwise;
 * - Safe mode's safety conditions: a wheel drop (any wheel), or a cliff while moving forward
 *   (or backward on a radius under one robot radius), stop the motors and drop to Passive;
 * - Stream: the requested packets every 15 ms as [19][n][id][data]…[checksum], the checksum
 *   making the low byte of the frame's sum 0; Pause/Resume keeps the list;
 * - encoder counts (43/44) integrate the simulated wheels' travel (v ± w·b/2) at 508.8 counts
 *   per revolution of a 72 mm wheel and roll over at 65536; each frame carries the counts at
 *   its own 15 ms instant (interpolated within the simulator's 10 ms step), as the robot
 *   samples them every 15 ms whatever the host's timing;
 * - bump bits (packet 7) from the simulator's contact fault (the simulator does not say which
 *   side touched, so both bits are set), battery voltage and charge from the simulated battery.
 *
 * Simplifications: leaving Safe/Full for Passive or Off also stops the wheels (in Passive the
 * OI does not drive the actuators); no power-saving sleep after five minutes in Passive; no
 * cleaning behaviours, songs, LEDs or IR (accepted and ignored); distance/angle (19/20) and
 * light-bumper and cliff signals read 0; the current draw and the 3000 mAh capacity are round
 * figures chosen for the emulator, not measured; a Stream request naming a packet the OI does
 * not have is ignored as a whole. Cliffs and wheel drops are set by tests (`setCliffs`,
 * `setWheelDrops`): the simulated floor has neither.
 */
import { normalizeAngle } from '../../shared/geometry';
import { Fault } from '../../shared/protocol';
import {
  BumpBits, ChargingState, CommandDecoder, DriveRadius, METRES_PER_COUNT, MAX_WHEEL_SPEED_MM_S, Opcode, OiMode, PacketId, STREAM_PERIOD_S,
  encodeSensorData, encodeStreamFrame, int16At, packetDataBytes, streamPayloadLength, twistForWheelSpeeds, wrapEncoderCounts,
  type OiCommand, type OiModeValue,
} from '../../shared/protocols/create2';
import type { RobotProfile } from '../../shared/robots';
import type { SimCore, StepResult } from '../sim-core';
import type { ByteSink } from '../sim-robot';
import type { DeviceEmulator } from './emulator';

export interface Create2EmulatorOptions {
  /** Encoder counts at power-up (a real robot keeps counting from wherever it was). Default 0, 0. */
  initialEncoderCounts?: { left: number; right: number };
  /** Battery capacity reported in packet 26, mAh. Default 3000 (a round figure, see the header). */
  capacityMah?: number;
}

/** The cliff sensors, in packet order 9–12. */
export interface Create2Cliffs {
  left: boolean;
  frontLeft: boolean;
  frontRight: boolean;
  right: boolean;
}

/** Stream frames the robot would still send after a stall of the simulator; older ones are skipped. */
const MAX_FRAME_BACKLOG_S = 0.25;
/** Commands kept for tests to inspect. */
const RECEIVED_LOG = 2000;

export class Create2Emulator implements DeviceEmulator {
  /** Test hook: when true the robot hears and acts but sends nothing (a broken TX line). */
  silent = false;
  /** Commands received, oldest first (the last RECEIVED_LOG). */
  readonly received: OiCommand[] = [];
  private sink: ByteSink | null = null;
  private decoder = new CommandDecoder();
  private readonly wheelBase: number;
  private readonly capacityMah: number;
  /** Half the footprint's width: "one robot radius" in Safe mode's backward-cliff rule, m. */
  private readonly robotRadius: number;

  private modeValue: OiModeValue = OiMode.Off;
  private streamIds: number[] = [];
  private streamOn = false;
  private nextFrameAt = 0;
  /** What the last drive command asked for (packets 39–42), mm/s and mm. */
  private requested = { velocity: 0, radius: 0, right: 0, left: 0 };
  private cliffs: Create2Cliffs = { left: false, frontLeft: false, frontRight: false, right: false };
  private wheelDrops = { left: false, right: false };

  /** Unwrapped encoder counts (fractional) at the end of the last step, and at its start. */
  private counts: { left: number; right: number };
  private stepStart: { t: number; left: number; right: number };
  private lastPose: { x: number; y: number; theta: number };

  constructor(
    private readonly core: SimCore,
    profile: RobotProfile,
    options: Create2EmulatorOptions = {},
  ) {
    this.wheelBase = profile.body.wheelBase;
    this.robotRadius = profile.body.footprintWidth / 2;
    this.capacityMah = options.capacityMah ?? 3000;
    const start = options.initialEncoderCounts ?? { left: 0, right: 0 };
    this.counts = { left: start.left, right: start.right };
    this.stepStart = { t: core.time, ...this.counts };
    const o = core.odometry();
    this.lastPose = { x: o.x, y: o.y, theta: o.theta };
  }

  // ── What tests read and set ────────────────────────────────────────────────────────

  get mode(): OiModeValue {
    return this.modeValue;
  }

  get streaming(): boolean {
    return this.streamOn;
  }

  get streamPackets(): readonly number[] {
    return this.streamIds;
  }

  /** Wheel speeds the OI is holding, mm/s. */
  get wheelSpeeds(): { right: number; left: number } {
    return { right: this.requested.right, left: this.requested.left };
  }

  /** Encoder counts as packets 43/44 would report them now (0…65535). */
  encoderCounts(): { left: number; right: number } {
    return { left: wrapEncoderCounts(this.counts.left), right: wrapEncoderCounts(this.counts.right) };
  }

  setCliffs(cliffs: Partial<Create2Cliffs>): void {
    this.cliffs = { ...this.cliffs, ...cliffs };
  }

  setWheelDrops(drops: { left?: boolean; right?: boolean }): void {
    this.wheelDrops = { ...this.wheelDrops, ...drops };
  }

  /** Test hook: raw bytes to the host, as if the line had carried them. */
  inject(bytes: Uint8Array): void {
    this.sink?.write(bytes);
  }

  // ── DeviceEmulator ──────────────────────────────────────────────────────────────────

  attach(sink: ByteSink): void {
    this.sink = sink;
    this.decoder = new CommandDecoder();
  }

  detach(sink?: ByteSink): void {
    // The cable is gone; the robot is not: it keeps its mode, its stream and its wheel speeds.
    if (sink === undefined || sink === this.sink) this.sink = null;
  }

  receive(bytes: Uint8Array): void {
    for (const cmd of this.decoder.push(bytes)) {
      this.received.push(cmd);
      if (this.received.length > RECEIVED_LOG) this.received.shift();
      this.execute(cmd);
    }
  }

  afterStep(_result: StepResult): void {
    const t = this.core.time;
    this.integrateEncoders();
    this.checkSafety();
    if (this.streamOn) {
      if (t - this.nextFrameAt > MAX_FRAME_BACKLOG_S) this.nextFrameAt = t;
      while (this.nextFrameAt <= t + 1e-9) {
        this.sendFrame(this.countsAt(this.nextFrameAt));
        this.nextFrameAt += STREAM_PERIOD_S;
      }
    }
    this.stepStart = { t, ...this.counts };
  }

  // ── The OI ──────────────────────────────────────────────────────────────────────────

  private execute(cmd: OiCommand): void {
    const { opcode, data } = cmd;
    if (opcode === Opcode.Reset) {
      this.enterMode(OiMode.Off);
      this.streamIds = [];
      return;
    }
    if (opcode === Opcode.Start) {
      this.enterMode(OiMode.Passive);
      return;
    }
    // "You must always send the Start command before sending any other commands to the OI."
    if (this.modeValue === OiMode.Off) return;
    const drivable = this.modeValue === OiMode.Safe || this.modeValue === OiMode.Full;
    switch (opcode) {
      case Opcode.Safe:
      case Opcode.Control:
        this.enterMode(OiMode.Safe);
        return;
      case Opcode.Full:
        this.enterMode(OiMode.Full);
        return;
      case Opcode.Power:
      case Opcode.Spot:
      case Opcode.Clean:
      case Opcode.Max:
      case Opcode.SeekDock:
        this.enterMode(OiMode.Passive);
        return;
      case Opcode.Stop:
        this.enterMode(OiMode.Off);
        return;
      case Opcode.DriveDirect:
        if (drivable) this.driveWheels(int16At(data, 0), int16At(data, 2), { velocity: 0, radius: 0 });
        return;
      case Opcode.Drive:
        if (drivable) this.drive(int16At(data, 0), int16At(data, 2));
        return;
      case Opcode.Stream:
        this.startStream(Array.from(data.subarray(1)));
        return;
      case Opcode.PauseResumeStream:
        if (data[0] === 0) this.streamOn = false;
        else if (data[0] === 1 && this.streamIds.length > 0 && !this.streamOn) this.resumeStream();
        return;
      case Opcode.Sensors:
        this.answerQuery([data[0]!]);
        return;
      case Opcode.QueryList:
        this.answerQuery(Array.from(data.subarray(1)));
        return;
      default:
        // LEDs, songs, motors, schedules, baud: accepted, not modelled.
        return;
    }
  }

  private enterMode(mode: OiModeValue): void {
    const wasDrivable = this.modeValue === OiMode.Safe || this.modeValue === OiMode.Full;
    const drivable = mode === OiMode.Safe || mode === OiMode.Full;
    this.modeValue = mode;
    if (wasDrivable && !drivable) this.stopWheels();
    // Stop: "All streams will stop and the robot will no longer respond to commands."
    if (mode === OiMode.Off) this.streamOn = false;
  }

  private stopWheels(): void {
    this.requested = { velocity: 0, radius: 0, right: 0, left: 0 };
    this.core.stop();
  }

  private driveWheels(rightMmS: number, leftMmS: number, drive: { velocity: number; radius: number }): void {
    const clamp = (x: number): number => Math.max(-MAX_WHEEL_SPEED_MM_S, Math.min(MAX_WHEEL_SPEED_MM_S, x));
    const right = clamp(rightMmS);
    const left = clamp(leftMmS);
    this.requested = { ...drive, right, left };
    const { v, w } = twistForWheelSpeeds(right, left, this.wheelBase);
    // No timeout: the simulator's own watchdog is off for this robot (robotParamsFor), so
    // these speeds hold until the next drive command, a mode change or a safety stop.
    this.core.setCommand(v, w);
  }

  /** Drive: average velocity along a radius (mm; + turns left), or one of the special radii. */
  private drive(velocityMmS: number, radiusMm: number): void {
    const v = Math.max(-MAX_WHEEL_SPEED_MM_S, Math.min(MAX_WHEEL_SPEED_MM_S, velocityMmS));
    const halfBaseMm = (this.wheelBase * 1000) / 2;
    let right: number;
    let left: number;
    if (radiusMm === DriveRadius.Straight || radiusMm === DriveRadius.StraightAlt || radiusMm === 0) {
      right = left = v;
    } else if (radiusMm === DriveRadius.InPlaceClockwise) {
      right = -v;
      left = v;
    } else if (radiusMm === DriveRadius.InPlaceCounterClockwise) {
      right = v;
      left = -v;
    } else {
      const r = Math.max(-2000, Math.min(2000, radiusMm));
      // Wheel speeds on the circle: the centre at v, each wheel at v·(r ± b/2)/r.
      right = (v * (r + halfBaseMm)) / r;
      left = (v * (r - halfBaseMm)) / r;
      const peak = Math.max(Math.abs(right), Math.abs(left));
      if (peak > MAX_WHEEL_SPEED_MM_S) {
        right *= MAX_WHEEL_SPEED_MM_S / peak;
        left *= MAX_WHEEL_SPEED_MM_S / peak;
      }
    }
    this.driveWheels(right, left, { velocity: v, radius: radiusMm });
  }

  private startStream(ids: number[]): void {
    if (ids.some((id) => packetDataBytes(id) === undefined)) return;
    if (ids.length > 0 && streamPayloadLength(ids) > 255) return;
    this.streamIds = ids;
    if (ids.length === 0) {
      this.streamOn = false;
      return;
    }
    this.resumeStream();
  }

  private resumeStream(): void {
    this.streamOn = true;
    this.nextFrameAt = this.core.time + STREAM_PERIOD_S;
  }

  private answerQuery(ids: number[]): void {
    if (ids.length === 0 || ids.some((id) => packetDataBytes(id) === undefined)) return;
    const counts = this.encoderCounts();
    this.send(encodeSensorData(ids, (id) => this.packetValue(id, counts)));
  }

  private sendFrame(counts: { left: number; right: number }): void {
    this.send(encodeStreamFrame(this.streamIds, (id) => this.packetValue(id, counts)));
  }

  private send(bytes: Uint8Array): void {
    if (!this.silent) this.sink?.write(bytes);
  }

  /** The value of one single packet now, in its units (encoder counts as given, for the frame's instant). */
  private packetValue(id: number, counts: { left: number; right: number }): number {
    const status = this.core.status();
    switch (id) {
      case PacketId.BumpsWheelDrops:
        return ((status.faults & Fault.Bumper) !== 0 ? BumpBits.BumpLeft | BumpBits.BumpRight : 0)
          | (this.wheelDrops.left ? BumpBits.WheelDropLeft : 0)
          | (this.wheelDrops.right ? BumpBits.WheelDropRight : 0);
      case PacketId.CliffLeft:
        return this.cliffs.left ? 1 : 0;
      case PacketId.CliffFrontLeft:
        return this.cliffs.frontLeft ? 1 : 0;
      case PacketId.CliffFrontRight:
        return this.cliffs.frontRight ? 1 : 0;
      case PacketId.CliffRight:
        return this.cliffs.right ? 1 : 0;
      case PacketId.ChargingState:
        return ChargingState.NotCharging;
      case PacketId.Voltage:
        return status.batteryVoltage * 1000;
      case PacketId.Current: {
        // Discharging is negative. A round figure: 300 mA for the electronics plus the wheels.
        const o = this.core.odometry();
        return -(300 + 1000 * Math.abs(o.v) + 200 * Math.abs(o.w));
      }
      case PacketId.Temperature:
        return 25;
      case PacketId.BatteryCharge:
        return (this.capacityMah * status.batteryPercent) / 100;
      case PacketId.BatteryCapacity:
        return this.capacityMah;
      case PacketId.OiMode:
        return this.modeValue;
      case PacketId.NumberOfStreamPackets:
        return this.streamIds.length;
      case PacketId.RequestedVelocity:
        return this.requested.velocity;
      case PacketId.RequestedRadius:
        return this.requested.radius;
      case PacketId.RequestedRightVelocity:
        return this.requested.right;
      case PacketId.RequestedLeftVelocity:
        return this.requested.left;
      case PacketId.LeftEncoderCounts:
        return counts.left;
      case PacketId.RightEncoderCounts:
        return counts.right;
      default:
        return 0;
    }
  }

  // ── Wheels, encoders and safety ─────────────────────────────────────────────────────

  /**
   * Wheel travel over the last step from the simulated pose (ground truth): the displacement
   * along the mid-step heading and the heading change, split onto the wheels as ds ∓ dθ·b/2.
   */
  private integrateEncoders(): void {
    const o = this.core.odometry();
    const dTheta = normalizeAngle(o.theta - this.lastPose.theta);
    const mid = this.lastPose.theta + dTheta / 2;
    const ds = (o.x - this.lastPose.x) * Math.cos(mid) + (o.y - this.lastPose.y) * Math.sin(mid);
    this.counts.left += (ds - (dTheta * this.wheelBase) / 2) / METRES_PER_COUNT;
    this.counts.right += (ds + (dTheta * this.wheelBase) / 2) / METRES_PER_COUNT;
    this.lastPose = { x: o.x, y: o.y, theta: o.theta };
  }

  /** Counts at sim time `t` within the last step (linear), wrapped to 16 bits. */
  private countsAt(t: number): { left: number; right: number } {
    const t0 = this.stepStart.t;
    const t1 = this.core.time;
    const f = t1 > t0 ? Math.min(1, Math.max(0, (t - t0) / (t1 - t0))) : 1;
    return {
      left: wrapEncoderCounts(this.stepStart.left + f * (this.counts.left - this.stepStart.left)),
      right: wrapEncoderCounts(this.stepStart.right + f * (this.counts.right - this.stepStart.right)),
    };
  }

  /** Safe mode's safety conditions: stop all motors and revert to Passive. */
  private checkSafety(): void {
    if (this.modeValue !== OiMode.Safe) return;
    const wheelDrop = this.wheelDrops.left || this.wheelDrops.right;
    const cliff = this.cliffs.left || this.cliffs.frontLeft || this.cliffs.frontRight || this.cliffs.right;
    const { right, left } = this.requested;
    const forward = right + left > 0;
    const backward = right + left < 0;
    // Turn radius of the commanded wheel speeds, m (infinite when straight).
    const radius = right === left ? Infinity : Math.abs(((right + left) / (right - left)) * (this.wheelBase / 2));
    const cliffTrips = cliff && (forward || (backward && radius < this.robotRadius));
    if (wheelDrop || cliffTrips) this.enterMode(OiMode.Passive);
  }
}
