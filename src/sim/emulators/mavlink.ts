/**
 * A rover autopilot speaking MAVLink 2, in two flavours chosen by the profile's
 * `options.autopilot`: ArduPilot Rover ('ardupilot') or PX4 ('px4'). Written from the public
 * descriptions, not from either firmware: ArduPilot dev docs "Rover Commands in Guided Mode"
 * (mavlink-rover-commands.rst) and the behaviour of Rover/GCS_Mavlink.cpp and
 * Rover/mode_guided.cpp; PX4 "Offboard Mode" (docs/en/flight_modes/offboard.md) and
 * px4_custom_mode.h; MAVLink common.xml (HEARTBEAT, COMMAND_LONG/COMMAND_ACK,
 * MAV_CMD_SET_MESSAGE_INTERVAL, SET_POSITION_TARGET_LOCAL_NED, LOCAL_POSITION_NED, ATTITUDE,
 * ODOMETRY, SYS_STATUS, BATTERY_STATUS, STATUSTEXT). Frames are encoded and decoded with
 * `node-mavlink` (MavLinkProtocolV2, MavLinkPacketSplitter/Parser), as the driver does.
 *
 * What it does:
 *  - HEARTBEAT at 1 Hz from system 1, component 1 (MAV_COMP_ID_AUTOPILOT1): MAV_TYPE_GROUND_ROVER
 *    (`vehicleType` can pretend otherwise for tests), MAV_AUTOPILOT_ARDUPILOTMEGA or
 *    MAV_AUTOPILOT_PX4, base_mode CUSTOM_MODE_ENABLED | SAFETY_ARMED when armed, custom_mode
 *    (ArduPilot: the Rover mode number, MANUAL 0 at boot; PX4: main_mode << 16 | sub_mode << 24,
 *    Hold = AUTO.LOITER at boot).
 *  - COMMAND_LONG → COMMAND_ACK (to the sender's system and component):
 *    MAV_CMD_COMPONENT_ARM_DISARM (param1 1/0; `refuseArm` makes arming fail with a STATUSTEXT,
 *    as pre-arm checks do), MAV_CMD_DO_SET_MODE (param1 MAV_MODE_FLAG_CUSTOM_MODE_ENABLED,
 *    param2 custom mode; PX4: param2 main mode, param3 sub mode), MAV_CMD_SET_MESSAGE_INTERVAL
 *    (param1 message id, param2 interval µs, −1 off, 0 default); anything else
 *    MAV_RESULT_UNSUPPORTED. The legacy SET_MODE message (ArduPilot acks it with command = 11)
 *    and, for ArduPilot, REQUEST_DATA_STREAM (POSITION, EXTRA1, EXTENDED_STATUS, ALL).
 *    Commands addressed to another system or component are not ours and are not answered.
 *  - Streams at the requested intervals, from the simulator's ground truth converted to NED
 *    (the map's x axis is north, its y axis west):  x_ned = x,  y_ned = −y,  yaw = −theta,
 *    NED velocity = (v cos θ, −v sin θ), yawspeed = −w. LOCAL_POSITION_NED, ATTITUDE,
 *    SYS_STATUS (core.status() battery), BATTERY_STATUS, and ODOMETRY (PX4 only: frame
 *    LOCAL_NED, child BODY_FRD; ArduPilot's stream table has no ODOMETRY, so it answers
 *    MAV_RESULT_DENIED like ArduPilot's set-interval does for an unknown stream).
 *  - SET_POSITION_TARGET_LOCAL_NED (velocity and yaw rate; positions and accelerations are not
 *    emulated and ignored), followed only when armed and in GUIDED (ArduPilot) / OFFBOARD (PX4).
 *    FRD/NED in, REP 103 out: core.setCommand(speed, −yaw_rate). ArduPilot: speed =
 *    |(vx, vy)|, signed by vx when a yaw or yaw rate is also given; velocity alone (or a yaw)
 *    is a heading target, steered to at up to the profile's turn rate. PX4: the forward
 *    component of the velocity and the yaw rate. NOTE: PX4's docs say differential and
 *    Ackermann rovers ignore yaw_rate in velocity control (mecanum honours it); this emulator
 *    follows the yaw rate for every PX4 rover so the driver's one command form is exercised —
 *    see the report on issue 11 before trusting turning on a real PX4 differential rover.
 *  - Dead-men, on sim time: ArduPilot stops 3 s after the last guided target
 *    (mode_guided.cpp: `millis() - _des_att_time_ms > 3000`) and says so in a STATUSTEXT,
 *    staying in GUIDED; PX4 needs the setpoint stream (> 2 Hz, i.e. gaps ≤ 0.5 s) running for
 *    1 s before it accepts OFFBOARD, and leaves OFFBOARD for Hold (AUTO.LOITER) once no setpoint
 *    came for COM_OF_LOSS_T = 1 s (the profile's watchdog), stopping the rover.
 *  - Leaving the drive mode or disarming stops the rover (core.stop()).
 *  - Bad input: the splitter drops frames with a bad CRC, unknown message ids and noise; the
 *    first two are counted in `stats`; none of them moves the rover.
 *
 * A sim convenience, not autopilot behaviour: streams (not the heartbeat) pause after 3 s
 * without any valid packet from a ground station, so an abandoned pseudo-terminal does not
 * fill up; a ground station's next packet resumes them (a live GCS heartbeats at 1 Hz).
 */
import {
  MSG_ID_MAGIC_NUMBER,
  MavLinkPacketParser,
  MavLinkPacketSplitter,
  MavLinkProtocolV1,
  MavLinkProtocolV2,
  common,
  minimal,
  type MavLinkData,
  type MavLinkDataConstructor,
  type MavLinkPacket,
} from 'node-mavlink';
import { normalizeAngle } from '../../shared/geometry';
import type { RobotProfile } from '../../shared/robots';
import type { SimCore, StepResult } from '../sim-core';
import type { ByteSink } from '../sim-robot';
import type { DeviceEmulator } from './emulator';
import { PX4_AUTO_SUB_MODE, PX4_MAIN_MODE, ROVER_MODE, modeName, px4CustomMode } from '../../shared/protocols/mavlink';

export type EmulatedAutopilot = 'ardupilot' | 'px4';

export const VEHICLE_SYSTEM_ID = 1;
export const VEHICLE_COMPONENT_ID = minimal.MavComponent.AUTOPILOT1;

const ROVER = ROVER_MODE;
const ROVER_MODES = new Set<number>(Object.values(ROVER));
const PX4_MAIN = PX4_MAIN_MODE;
const PX4_AUTO = PX4_AUTO_SUB_MODE;
const px4Mode = px4CustomMode;

/** ArduPilot: a guided target older than this stops the rover, s. */
export const ARDUPILOT_GUIDED_TIMEOUT_S = 3;
/** PX4 COM_OF_LOSS_T default, s. */
export const PX4_OFFBOARD_LOSS_S = 1;
/** PX4: the setpoint stream must have run this long before OFFBOARD is accepted, s. */
export const PX4_OFFBOARD_SIGNAL_S = 1;
/** PX4: the stream must come faster than 2 Hz: a larger gap restarts it, s. */
const PX4_SIGNAL_GAP_S = 0.5;
/** ArduPilot heading targets: turn rate per radian of heading error (1/s), capped by the profile's turn rate. */
const HEADING_GAIN = 2;
const GCS_SILENCE_S = 3;
/** Interval for "default rate" (param2 = 0), s. */
const DEFAULT_INTERVAL_S = 0.25;

const SET_MODE_MSG_ID = common.SetMode.MSG_ID;

/**
 * Message ids the library has no definition for get a CRC_EXTRA that will not match, so the
 * splitter resynchronises one byte on after a false start byte instead of skipping the
 * (noise) length unchecked; the CRC callback then counts them as unknown by their id.
 */
const CHECKED_MAGIC_NUMBERS: Record<string, number> = new Proxy(MSG_ID_MAGIC_NUMBER, {
  get: (known, id) => (typeof id === 'string' && id in known ? known[id] : 0),
});

/** Messages this autopilot reads. */
const READS: Record<number, MavLinkDataConstructor<MavLinkData>> = {
  [minimal.Heartbeat.MSG_ID]: minimal.Heartbeat,
  [common.CommandLong.MSG_ID]: common.CommandLong,
  [common.SetMode.MSG_ID]: common.SetMode,
  [common.SetPositionTargetLocalNed.MSG_ID]: common.SetPositionTargetLocalNed,
  [common.RequestDataStream.MSG_ID]: common.RequestDataStream,
};

/** Messages it streams on request. */
const STREAMABLE = new Set([
  common.SysStatus.MSG_ID,
  common.Attitude.MSG_ID,
  common.LocalPositionNed.MSG_ID,
  common.BatteryStatus.MSG_ID,
  common.Odometry.MSG_ID,
]);

export interface EmulatorStats {
  /** Valid frames from the host. */
  packetsIn: number;
  /** Frames of a known message that failed their CRC. */
  crcErrorsIn: number;
  /** Frames with a message id no dialect defines (or noise that looks like one). */
  unknownIn: number;
  /** SET_POSITION_TARGET_LOCAL_NED received / applied to the motors. */
  setpoints: number;
  setpointsApplied: number;
  /** COMMAND_LONG command ids in arrival order. */
  commands: number[];
  /** Frames sent. */
  packetsOut: number;
}

export class MavlinkRoverEmulator implements DeviceEmulator {
  readonly autopilot: EmulatedAutopilot;
  /** The vehicle type its HEARTBEAT claims (tests set e.g. MAV_TYPE_QUADROTOR). */
  vehicleType: number = minimal.MavType.GROUND_ROVER;
  /** When set, arming fails with this MAV_RESULT after this STATUSTEXT (pre-arm checks). */
  refuseArm: { result: number; text: string } | null = null;
  /** Sends nothing at all (a dead telemetry link) while true. */
  silent = false;
  /** The newest SET_POSITION_TARGET_LOCAL_NED as it arrived (frame, type_mask, FRD values), for tests. */
  lastSetpoint: { frame: number; typeMask: number; vx: number; vy: number; yawRate: number; at: number } | null = null;
  readonly stats: EmulatorStats = { packetsIn: 0, crcErrorsIn: 0, unknownIn: 0, setpoints: 0, setpointsApplied: 0, commands: [], packetsOut: 0 };

  private readonly protocol = new MavLinkProtocolV2(VEHICLE_SYSTEM_ID, VEHICLE_COMPONENT_ID);
  private sequence = 0;
  private sink: ByteSink | null = null;
  private splitter!: MavLinkPacketSplitter;
  private parser!: MavLinkPacketParser;
  private armedValue = false;
  private mode: number;
  private nextHeartbeatAt = 0;
  /** Requested streams: message id → interval and next due time (sim s). */
  private readonly streams = new Map<number, { intervalS: number; nextAt: number }>();
  private lastGcsAt = -Infinity;

  // ArduPilot guided state (mode_guided.cpp: have_attitude_target, _des_att_time_ms).
  private guided: { kind: 'rate'; speed: number; yawRate: number } | { kind: 'heading'; speed: number; yaw: number } | null = null;
  private guidedAt = -Infinity;
  // PX4 offboard state: the setpoint stream ("proof of life") and the newest setpoint.
  private signalSince = -Infinity;
  private lastSetpointAt = -Infinity;
  private offboard: { speed: number; yawRate: number } | null = null;

  constructor(
    private readonly core: SimCore,
    private readonly profile: RobotProfile,
  ) {
    const autopilot = profile.options.autopilot ?? 'ardupilot';
    if (autopilot !== 'ardupilot' && autopilot !== 'px4') throw new Error(`profile ${profile.name}: options.autopilot must be 'ardupilot' or 'px4'`);
    this.autopilot = autopilot;
    this.mode = autopilot === 'ardupilot' ? ROVER.MANUAL : px4Mode(PX4_MAIN.AUTO, PX4_AUTO.LOITER);
    this.buildReader();
  }

  // ── What tests and the sim read ─────────────────────────────────────────────────────

  get armed(): boolean {
    return this.armedValue;
  }

  /** HEARTBEAT custom_mode. */
  get customMode(): number {
    return this.mode;
  }

  /** 'GUIDED', 'HOLD', 'OFFBOARD', 'AUTO.LOITER', … */
  get modeName(): string {
    return modeName(this.autopilot, this.mode);
  }

  /**
   * What a pilot's RC mode switch does (or an onboard failsafe): a mode change no ground
   * station asked for. ArduPilot: a Rover mode number; PX4: main_mode << 16 | sub_mode << 24.
   */
  switchModeByRc(customMode: number): boolean {
    return this.setMode(customMode) === common.MavResult.ACCEPTED;
  }

  /** Requested stream rate of a message, Hz (0 when off). */
  streamRateHz(messageId: number): number {
    const s = this.streams.get(messageId);
    return s ? 1 / s.intervalS : 0;
  }

  // ── DeviceEmulator ───────────────────────────────────────────────────────────────────

  attach(sink: ByteSink): void {
    this.sink = sink;
    this.buildReader();
  }

  detach(sink?: ByteSink): void {
    if (!sink || sink === this.sink) this.sink = null;
  }

  receive(bytes: Uint8Array): void {
    let packets: MavLinkPacket[] = [];
    try {
      this.splitter.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      for (let raw = this.splitter.read(); raw !== null; raw = this.splitter.read()) {
        this.parser.write(raw);
        for (let p = this.parser.read() as MavLinkPacket | null; p !== null; p = this.parser.read() as MavLinkPacket | null) packets.push(p);
      }
    } catch {
      // A stream that threw is stuck; what it held is lost, as on a real UART overrun.
      this.buildReader();
      packets = [];
    }
    for (const p of packets) this.handle(p);
  }

  afterStep(_result: StepResult): void {
    const t = this.core.time;
    this.runDeadMen(t);
    this.steer(t);
    if (!this.sink || this.silent) return;
    if (t + 1e-9 >= this.nextHeartbeatAt) {
      this.sendHeartbeat();
      this.nextHeartbeatAt += 1;
      if (this.nextHeartbeatAt <= t) this.nextHeartbeatAt = t + 1;
    }
    if (t - this.lastGcsAt > GCS_SILENCE_S) return;
    for (const [id, s] of this.streams) {
      if (t + 1e-9 < s.nextAt) continue;
      this.sendStream(id, t);
      s.nextAt += s.intervalS;
      if (s.nextAt <= t) s.nextAt = t + s.intervalS;
    }
  }

  // ── Receiving ────────────────────────────────────────────────────────────────────────

  private buildReader(): void {
    this.splitter = new MavLinkPacketSplitter({ highWaterMark: 4096 }, { onCrcError: (frame) => this.onFailedFrame(frame), magicNumbers: CHECKED_MAGIC_NUMBERS });
    this.parser = new MavLinkPacketParser({ highWaterMark: 4096 });
  }

  private onFailedFrame(frame: Buffer): void {
    const header = frame[0] === MavLinkProtocolV2.START_BYTE ? new MavLinkProtocolV2().header(frame) : new MavLinkProtocolV1().header(frame);
    if (String(header.msgid) in MSG_ID_MAGIC_NUMBER) this.stats.crcErrorsIn++;
    else this.stats.unknownIn++;
  }

  private handle(p: MavLinkPacket): void {
    this.stats.packetsIn++;
    this.lastGcsAt = this.core.time;
    const clazz = READS[p.header.msgid];
    if (!clazz) return;
    const data = p.protocol.data(p.payload, clazz);
    const from = { system: p.header.sysid, component: p.header.compid };
    if (data instanceof common.CommandLong) this.onCommand(data, from);
    else if (data instanceof common.SetMode) this.onSetMode(data, from);
    else if (data instanceof common.SetPositionTargetLocalNed) this.onSetpoint(data);
    else if (data instanceof common.RequestDataStream) this.onRequestDataStream(data);
  }

  /** MAVLink routing: a message for another system or component is not ours (0 = broadcast). */
  private forUs(system: number, component: number | null): boolean {
    return (system === 0 || system === VEHICLE_SYSTEM_ID) && (component === null || component === 0 || component === VEHICLE_COMPONENT_ID);
  }

  private onCommand(c: common.CommandLong, from: { system: number; component: number }): void {
    if (!this.forUs(c.targetSystem, c.targetComponent)) return;
    this.stats.commands.push(c.command);
    // The command classes name the params; COMMAND_LONG itself carries them as _param1…7.
    const p1 = c._param1;
    const p2 = c._param2;
    const p3 = c._param3;
    let result: number;
    switch (c.command) {
      case common.MavCmd.COMPONENT_ARM_DISARM:
        result = p1 === 1 ? this.arm() : p1 === 0 ? this.disarm() : common.MavResult.DENIED;
        break;
      case common.MavCmd.DO_SET_MODE:
        result = (Math.round(p1) & minimal.MavModeFlag.CUSTOM_MODE_ENABLED) === 0
          ? common.MavResult.UNSUPPORTED
          : this.autopilot === 'ardupilot' ? this.setMode(Math.round(p2)) : this.setMode(px4Mode(Math.round(p2), Math.round(p3)));
        break;
      case common.MavCmd.SET_MESSAGE_INTERVAL:
        result = this.setMessageInterval(Math.round(p1), p2);
        break;
      default:
        result = common.MavResult.UNSUPPORTED;
    }
    this.ack(c.command, result, from);
  }

  private onSetMode(m: common.SetMode, from: { system: number; component: number }): void {
    if (!this.forUs(m.targetSystem, null)) return;
    const result = (m.baseMode & minimal.MavModeFlag.CUSTOM_MODE_ENABLED) === 0 ? common.MavResult.UNSUPPORTED : this.setMode(m.customMode);
    // ArduPilot answers SET_MODE with a COMMAND_ACK naming the message id (11) as the command.
    if (this.autopilot === 'ardupilot') this.ack(SET_MODE_MSG_ID, result, from);
  }

  private onRequestDataStream(m: common.RequestDataStream): void {
    // REQUEST_DATA_STREAM is ArduPilot's (deprecated in common.xml); PX4 ignores it.
    if (this.autopilot !== 'ardupilot' || !this.forUs(m.targetSystem, m.targetComponent)) return;
    const groups: Record<number, number[]> = {
      [common.MavDataStream.POSITION]: [common.LocalPositionNed.MSG_ID],
      [common.MavDataStream.EXTRA1]: [common.Attitude.MSG_ID],
      [common.MavDataStream.EXTENDED_STATUS]: [common.SysStatus.MSG_ID],
      [common.MavDataStream.ALL]: [common.LocalPositionNed.MSG_ID, common.Attitude.MSG_ID, common.SysStatus.MSG_ID],
    };
    for (const id of groups[m.reqStreamId] ?? []) {
      if (m.startStop === 0 || m.reqMessageRate === 0) this.streams.delete(id);
      else this.streams.set(id, { intervalS: 1 / m.reqMessageRate, nextAt: this.core.time });
    }
  }

  private arm(): number {
    if (this.armedValue) return common.MavResult.ACCEPTED;
    if (this.refuseArm) {
      this.statusText(common.MavSeverity.CRITICAL, this.refuseArm.text);
      return this.refuseArm.result;
    }
    if (this.autopilot === 'px4' && this.isDriveMode() && !this.offboardSignal(this.core.time)) {
      this.statusText(common.MavSeverity.CRITICAL, 'Arming denied: no offboard signal');
      return common.MavResult.DENIED;
    }
    this.armedValue = true;
    this.guided = null;
    this.offboard = null;
    this.core.stop();
    return common.MavResult.ACCEPTED;
  }

  private disarm(): number {
    this.armedValue = false;
    this.guided = null;
    this.offboard = null;
    this.core.stop();
    return common.MavResult.ACCEPTED;
  }

  private setMode(mode: number): number {
    if (this.autopilot === 'ardupilot') {
      if (!ROVER_MODES.has(mode)) return common.MavResult.FAILED;
    } else {
      const main = (mode >>> 16) & 0xff;
      const sub = (mode >>> 24) & 0xff;
      if (main < PX4_MAIN.MANUAL || main > PX4_MAIN.STABILIZED) return common.MavResult.DENIED;
      if (main === PX4_MAIN.AUTO && (sub < PX4_AUTO.READY || sub > PX4_AUTO.LAND)) return common.MavResult.DENIED;
      if (main === PX4_MAIN.OFFBOARD && !this.offboardSignal(this.core.time)) {
        this.statusText(common.MavSeverity.CRITICAL, 'Switching to Offboard is currently not possible');
        return common.MavResult.TEMPORARILY_REJECTED;
      }
    }
    if (mode !== this.mode) {
      this.mode = mode;
      // A new mode starts from rest: GUIDED waits for a target, other modes have no RC to follow.
      this.guided = null;
      this.offboard = null;
      this.core.stop();
    }
    return common.MavResult.ACCEPTED;
  }

  private setMessageInterval(messageId: number, intervalUs: number): number {
    const supported = STREAMABLE.has(messageId) && !(this.autopilot === 'ardupilot' && messageId === common.Odometry.MSG_ID);
    if (!supported) return common.MavResult.DENIED;
    if (intervalUs < 0) {
      this.streams.delete(messageId);
      return common.MavResult.ACCEPTED;
    }
    const intervalS = intervalUs === 0 ? DEFAULT_INTERVAL_S : intervalUs / 1e6;
    this.streams.set(messageId, { intervalS, nextAt: this.core.time });
    return common.MavResult.ACCEPTED;
  }

  private onSetpoint(m: common.SetPositionTargetLocalNed): void {
    if (!this.forUs(m.targetSystem, m.targetComponent)) return;
    this.stats.setpoints++;
    const t = this.core.time;
    this.lastSetpoint = { frame: m.coordinateFrame, typeMask: m.typeMask, vx: m.vx, vy: m.vy, yawRate: m.yawRate, at: t };
    const mask = m.typeMask;
    const ignored = (bits: number) => (mask & bits) === bits;
    const T = common.PositionTargetTypemask;
    const posIgnore = ignored(T.X_IGNORE | T.Y_IGNORE | T.Z_IGNORE);
    const velIgnore = ignored(T.VX_IGNORE | T.VY_IGNORE);
    const accIgnore = ignored(T.AX_IGNORE | T.AY_IGNORE | T.AZ_IGNORE);
    const yawIgnore = ignored(T.YAW_IGNORE);
    const rateIgnore = ignored(T.YAW_RATE_IGNORE);
    const values = [m.vx, m.vy, m.yaw, m.yawRate];
    if (!values.every(Number.isFinite)) return;
    const yawNed = -this.core.odometry().theta;

    if (this.autopilot === 'px4') {
      // Any setpoint is proof of life; a gap over 0.5 s (< 2 Hz) restarts the stream.
      if (t - this.lastSetpointAt > PX4_SIGNAL_GAP_S) this.signalSince = t;
      this.lastSetpointAt = t;
      const frames: number[] = [common.MavFrame.LOCAL_NED, common.MavFrame.BODY_NED];
      if (!frames.includes(m.coordinateFrame) || !posIgnore || velIgnore) return;
      const body = m.coordinateFrame === common.MavFrame.BODY_NED;
      const forward = body ? m.vx : m.vx * Math.cos(yawNed) + m.vy * Math.sin(yawNed);
      this.offboard = { speed: forward, yawRate: rateIgnore ? 0 : m.yawRate };
      if (this.isDriveMode() && this.armedValue) this.applied(this.offboard.speed, -this.offboard.yawRate);
      return;
    }

    // ArduPilot: GCS_MAVLINK_Rover::handle_set_position_target_local_ned, for what is emulated.
    if (!this.isDriveMode()) return;
    const frames: number[] = [common.MavFrame.LOCAL_NED, common.MavFrame.LOCAL_OFFSET_NED, common.MavFrame.BODY_NED, common.MavFrame.BODY_OFFSET_NED];
    if (!frames.includes(m.coordinateFrame) || !accIgnore || !posIgnore) return;
    const body = m.coordinateFrame === common.MavFrame.BODY_NED || m.coordinateFrame === common.MavFrame.BODY_OFFSET_NED;
    let speed = 0;
    let yawTarget = yawNed;
    if (!velIgnore) {
      speed = Math.min(Math.hypot(m.vx, m.vy), this.profile.limits.maxLinearVelocity);
      yawTarget = Math.atan2(m.vy, m.vx) + (body ? yawNed : 0);
    }
    if (!yawIgnore) yawTarget = m.yaw + (body ? yawNed : 0);
    // With a yaw or yaw rate, a negative vx means reverse (speed_dir in the handler).
    const direction = !velIgnore && (!yawIgnore || !rateIgnore) && m.vx < 0 ? -1 : 1;
    if (!rateIgnore) this.guided = { kind: 'rate', speed: velIgnore ? 0 : direction * speed, yawRate: m.yawRate };
    else if (!velIgnore || !yawIgnore) this.guided = { kind: 'heading', speed: velIgnore ? 0 : direction * speed, yaw: normalizeAngle(yawTarget) };
    else return;
    this.guidedAt = t;
    if (this.armedValue) {
      this.stats.setpointsApplied++;
      this.steer(t);
    }
  }

  /** GUIDED/OFFBOARD: the mode in which targets move the rover. */
  private isDriveMode(): boolean {
    return this.autopilot === 'ardupilot' ? this.mode === ROVER.GUIDED : this.mode === px4Mode(PX4_MAIN.OFFBOARD);
  }

  private offboardSignal(t: number): boolean {
    return t - this.lastSetpointAt <= PX4_SIGNAL_GAP_S && t - this.signalSince >= PX4_OFFBOARD_SIGNAL_S;
  }

  /** ArduPilot's guided controller, every step: the newest target in REP 103 terms. */
  private steer(_t: number): void {
    if (this.autopilot !== 'ardupilot' || !this.armedValue || !this.isDriveMode() || !this.guided) return;
    const g = this.guided;
    if (g.kind === 'rate') {
      this.applied(g.speed, -g.yawRate, false);
      return;
    }
    const error = normalizeAngle(g.yaw - -this.core.odometry().theta); // NED, clockwise positive
    const maxRate = this.profile.limits.maxAngularVelocity;
    const yawRate = Math.max(-maxRate, Math.min(maxRate, HEADING_GAIN * error));
    this.applied(g.speed, -yawRate, false);
  }

  private applied(v: number, w: number, count = true): void {
    if (count) this.stats.setpointsApplied++;
    this.core.setCommand(v, w);
  }

  private runDeadMen(t: number): void {
    if (this.autopilot === 'ardupilot') {
      if (this.guided && this.isDriveMode() && t - this.guidedAt > ARDUPILOT_GUIDED_TIMEOUT_S) {
        this.guided = null;
        this.core.stop();
        this.statusText(common.MavSeverity.WARNING, 'target not received last 3secs, stopping');
      }
      return;
    }
    if (this.isDriveMode() && t - this.lastSetpointAt > PX4_OFFBOARD_LOSS_S) {
      // COM_OBL_RC_ACT: this profile's rover holds.
      this.mode = px4Mode(PX4_MAIN.AUTO, PX4_AUTO.LOITER);
      this.offboard = null;
      this.core.stop();
      this.statusText(common.MavSeverity.CRITICAL, 'Failsafe: offboard control lost, holding');
    }
  }

  // ── Sending ──────────────────────────────────────────────────────────────────────────

  private send(message: MavLinkData): void {
    if (!this.sink || this.silent) return;
    const bytes = this.protocol.serialize(message, this.sequence);
    this.sequence = (this.sequence + 1) & 0xff;
    this.stats.packetsOut++;
    this.sink.write(bytes);
  }

  private ack(command: number, result: number, to: { system: number; component: number }): void {
    const m = new common.CommandAck();
    m.command = command;
    m.result = result;
    m.progress = 0;
    m.resultParam2 = 0;
    m.targetSystem = to.system;
    m.targetComponent = to.component;
    this.send(m);
  }

  private statusText(severity: number, text: string): void {
    const m = new common.StatusText();
    m.severity = severity;
    m.text = text.slice(0, 50);
    m.id = 0;
    m.chunkSeq = 0;
    this.send(m);
  }

  private sendHeartbeat(): void {
    const hb = new minimal.Heartbeat();
    hb.type = this.vehicleType;
    hb.autopilot = this.autopilot === 'ardupilot' ? minimal.MavAutopilot.ARDUPILOTMEGA : minimal.MavAutopilot.PX4;
    let base = minimal.MavModeFlag.CUSTOM_MODE_ENABLED as number;
    if (this.armedValue) base |= minimal.MavModeFlag.SAFETY_ARMED;
    if (this.isDriveMode()) base |= minimal.MavModeFlag.GUIDED_ENABLED | minimal.MavModeFlag.STABILIZE_ENABLED;
    hb.baseMode = base;
    hb.customMode = this.mode;
    hb.systemStatus = this.armedValue ? minimal.MavState.ACTIVE : minimal.MavState.STANDBY;
    hb.mavlinkVersion = 3;
    this.send(hb);
  }

  private sendStream(id: number, t: number): void {
    const o = this.core.odometry();
    const yaw = normalizeAngle(-o.theta);
    const timeBootMs = Math.round(t * 1000) >>> 0;
    switch (id) {
      case common.LocalPositionNed.MSG_ID: {
        const m = new common.LocalPositionNed();
        m.timeBootMs = timeBootMs;
        m.x = o.x;
        m.y = -o.y;
        m.z = 0;
        m.vx = o.v * Math.cos(o.theta);
        m.vy = -o.v * Math.sin(o.theta);
        m.vz = 0;
        this.send(m);
        return;
      }
      case common.Attitude.MSG_ID: {
        const m = new common.Attitude();
        m.timeBootMs = timeBootMs;
        m.roll = 0;
        m.pitch = 0;
        m.yaw = yaw;
        m.rollspeed = 0;
        m.pitchspeed = 0;
        m.yawspeed = -o.w;
        this.send(m);
        return;
      }
      case common.Odometry.MSG_ID: {
        const m = new common.Odometry();
        m.timeUsec = BigInt(Math.round(t * 1e6));
        m.frameId = common.MavFrame.LOCAL_NED;
        m.childFrameId = common.MavFrame.BODY_FRD;
        m.x = o.x;
        m.y = -o.y;
        m.z = 0;
        m.q = [Math.cos(yaw / 2), 0, 0, Math.sin(yaw / 2)];
        m.vx = o.v;
        m.vy = 0;
        m.vz = 0;
        m.rollspeed = 0;
        m.pitchspeed = 0;
        m.yawspeed = -o.w;
        m.poseCovariance = [NaN, ...new Array<number>(20).fill(0)]; // NaN first: unknown
        m.velocityCovariance = [NaN, ...new Array<number>(20).fill(0)];
        m.resetCounter = 0;
        m.estimatorType = common.MavEstimatorType.GPS_INS;
        m.quality = 100;
        this.send(m);
        return;
      }
      case common.SysStatus.MSG_ID: {
        const s = this.core.status();
        const S = common.MavSysStatusSensor;
        const sensors = S.SENSOR_3D_GYRO | S.SENSOR_3D_ACCEL | S.SENSOR_GPS | S.SENSOR_MOTOR_OUTPUTS | S.AHRS | S.SENSOR_BATTERY;
        const m = new common.SysStatus();
        m.onboardControlSensorsPresent = sensors;
        m.onboardControlSensorsEnabled = sensors;
        // Battery health drops below 15 %, as a battery failsafe would report it.
        m.onboardControlSensorsHealth = s.batteryPercent < 15 ? sensors & ~S.SENSOR_BATTERY : sensors;
        m.load = 250; // 25 % main-loop load, ‰
        m.voltageBattery = Math.round(s.batteryVoltage * 1000);
        m.currentBattery = -1; // not measured
        m.batteryRemaining = Math.max(0, Math.min(100, Math.round(s.batteryPercent)));
        m.dropRateComm = 0;
        m.errorsComm = 0;
        m.errorsCount1 = m.errorsCount2 = m.errorsCount3 = m.errorsCount4 = 0;
        m.onboardControlSensorsPresentExtended = 0 as common.MavSysStatusSensorExtended;
        m.onboardControlSensorsEnabledExtended = 0 as common.MavSysStatusSensorExtended;
        m.onboardControlSensorsHealthExtended = 0 as common.MavSysStatusSensorExtended;
        this.send(m);
        return;
      }
      case common.BatteryStatus.MSG_ID: {
        const s = this.core.status();
        const m = new common.BatteryStatus();
        m.id = 0;
        m.batteryFunction = common.MavBatteryFunction.ALL;
        m.type = common.MavBatteryType.LIPO;
        m.temperature = 0x7fff; // INT16_MAX: unknown
        // No cell monitoring: the pack voltage in the first cell, the rest absent (UINT16_MAX).
        m.voltages = [Math.round(s.batteryVoltage * 1000), ...new Array<number>(9).fill(0xffff)];
        m.currentBattery = -1;
        m.currentConsumed = -1;
        m.energyConsumed = -1;
        m.batteryRemaining = Math.max(0, Math.min(100, Math.round(s.batteryPercent)));
        m.timeRemaining = 0;
        m.chargeState = s.batteryPercent < 15 ? common.MavBatteryChargeState.LOW : common.MavBatteryChargeState.OK;
        m.voltagesExt = [0, 0, 0, 0];
        m.mode = common.MavBatteryMode.UNKNOWN;
        m.faultBitmask = 0 as common.MavBatteryFault; // no faults
        this.send(m);
        return;
      }
    }
  }
}
