/**
 * ArduPilot Rover and PX4 rovers over MAVLink 2, on a flight controller's USB port (or a
 * telemetry radio) or over TCP (a serial-to-network bridge, SITL). Every byte is encoded and
 * decoded by `node-mavlink` (the ArduPilot-maintained library): its MavLinkPacketSplitter finds
 * frames and checks their X.25 CRC with each message's CRC_EXTRA, MavLinkPacketParser reads the
 * header, MavLinkProtocolV2 serialises, and the message classes of `minimal`/`common` carry
 * the fields. Sources: ArduPilot dev docs "Rover Commands in Guided Mode"
 * (ardupilot_wiki dev/source/docs/mavlink-rover-commands.rst) and ArduPilot's
 * Rover/GCS_Mavlink.cpp + Rover/mode_guided.cpp; PX4 user guide "Offboard Mode"
 * (docs/en/flight_modes/offboard.md) and px4_custom_mode.h; MAVLink common.xml and the
 * command protocol (mavlink.io/en/services/command.html).
 *
 * Session (start):
 *  1. We are a ground station: HEARTBEAT at 1 Hz as system 255 (ArduPilot's SYSID_MYGCS
 *     default, whose heartbeats feed its GCS failsafe), MAV_TYPE_GCS, MAV_AUTOPILOT_INVALID,
 *     from connect() until the driver is disposed.
 *  2. The first HEARTBEAT from an autopilot (autopilot ≠ MAV_AUTOPILOT_INVALID) names the
 *     vehicle's system and component id; anything else on the link (a radio, a camera, another
 *     GCS) is ignored. A vehicle that is not MAV_TYPE_GROUND_ROVER, or whose autopilot is not
 *     the profile's (`options.autopilot`: 'ardupilot' | 'px4'), is refused in words.
 *  3. Streams by MAV_CMD_SET_MESSAGE_INTERVAL (common.xml; both autopilots): ODOMETRY at
 *     20 Hz (PX4 streams it; ArduPilot's stream table has no ODOMETRY and refuses), then
 *     LOCAL_POSITION_NED + ATTITUDE at 20 Hz (4 Hz as a fallback when ODOMETRY was accepted),
 *     SYS_STATUS 2 Hz, BATTERY_STATUS 1 Hz. ArduPilot firmware that refuses the intervals gets
 *     the older REQUEST_DATA_STREAM (POSITION, EXTRA1, EXTENDED_STATUS). Start waits for a
 *     first position: a rover without a position estimate (no GPS fix / EKF origin) is not
 *     driven, and says so.
 *  4. Drive mode and arming, each a COMMAND_LONG answered by COMMAND_ACK (resent with
 *     `confirmation` + 1 after 500 ms, 3 tries): ArduPilot MAV_CMD_DO_SET_MODE
 *     (MAV_MODE_FLAG_CUSTOM_MODE_ENABLED, custom mode 15 = GUIDED) then
 *     MAV_CMD_COMPONENT_ARM_DISARM(1). PX4 first streams zero setpoints for 1.2 s (Offboard is
 *     only accepted once the "proof of life" setpoint stream has run for more than a second at
 *     > 2 Hz), then DO_SET_MODE (main mode 6 = OFFBOARD), then arms. A refused mode or arm is
 *     a fault in plain words with the MAV_RESULT name and the autopilot's own STATUSTEXT
 *     (e.g. "PreArm: …"); start then fails and is retried every `retryMs`.
 *
 * Commands (every `commandPeriodMs` = 100 ms, 10 Hz; ArduPilot stops 3 s after the last
 * target, PX4 leaves Offboard after COM_OF_LOSS_T = 1 s): SET_POSITION_TARGET_LOCAL_NED in
 * MAV_FRAME_BODY_NED (velocity relative to the vehicle's heading; the frame both ArduPilot and
 * PX4 accept for body velocities), type_mask 0x05E7 = 1511 ("Use Vel+Yaw Rate" in the
 * ArduPilot table: x, y, z, vz, accelerations and yaw ignored). Frames: MAVLink bodies are
 * FRD (x forward, y right, z down) and yaw is positive clockwise seen from above; the seam is
 * REP 103 base_link (FLU, counter-clockwise positive). So
 *      vx = v,   vy = −(lateral v_y) = 0,   yaw_rate = −w.
 * ArduPilot takes speed = |(vx, vy)| signed by vx and the turn rate from yaw_rate
 * (GCS_MAVLINK_Rover::handle_set_position_target_local_ned), so (v, w) arrive exactly; it
 * ignores targets until it has an EKF origin (a position estimate), which start() checks.
 * PX4: its rover offboard docs (and DifferentialOffboardMode.cpp) say differential and
 * Ackermann rovers IGNORE yaw/yaw_rate in velocity control and steer along the velocity
 * vector at its norm (mecanum rovers honour yaw_rate). With vy = 0 such a PX4 rover does not
 * turn, and a negative vx makes it turn round and drive the other way; see the report on
 * issue 11 before driving a real PX4 differential rover with this driver. Teleop and autonomy both send body velocities through the
 * same message: the console's teleop already is a (v, w) command, and MANUAL_CONTROL
 * (stick positions, scaled by the vehicle's own parameters) would not be a velocity.
 *
 * Odometry (frames, chosen once and used everywhere): odom = the autopilot's local NED
 * frame turned upside down about its x axis, i.e. x north, y west, z up (right-handed,
 * z up, as REP 103 asks):  x = x_ned,  y = −y_ned,  theta = −yaw_ned.  From ODOMETRY
 * (frame_id MAV_FRAME_LOCAL_NED; velocity in child frame MAV_FRAME_BODY_FRD) when it
 * streams, otherwise LOCAL_POSITION_NED (NED position and NED velocity) with the newest
 * ATTITUDE (yaw, yawspeed). v is the body forward speed (the NED velocity projected on the
 * heading), w = −yawspeed (body z rate, FRD → FLU).
 *
 * Status from SYS_STATUS (voltage_battery mV, battery_remaining %, MOTOR_OUTPUTS health) and
 * BATTERY_STATUS (charge_state); motorsEnabled = MAV_MODE_FLAG_SAFETY_ARMED in HEARTBEAT.
 *
 * Stops: stop('safety') sends a zero target (the rover stays in GUIDED/OFFBOARD and its speed
 * controller brakes; autonomy resumes without a mode change); stop('operator' | 'link-loss'
 * | 'shutdown') sends a zero target and switches to HOLD (ArduPilot mode 4; PX4 Hold =
 * AUTO.LOITER, main 4 sub 3). A later non-zero command after our own HOLD switches back to
 * GUIDED/OFFBOARD; a mode change the vehicle made itself (RC switch, failsafe) is reported and
 * never fought. leave() (dispose): zero target, HOLD, disarm.
 *
 * Bad input: frames failing the splitter's CRC check (a corrupt frame, or a false start byte
 * in noise) and frames whose message id no dialect defines are reported as bad frames and
 * never reach the decoder (see CHECKED_MAGIC_NUMBERS for why unknown ids are CRC-checked
 * too); noise between frames is skipped by the splitter unseen. Frames from other systems or
 * components are valid MAVLink, not ours, and ignored.
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
import { normalizeAngle } from '../../../shared/geometry';
import { Fault, type OdometryMsg, type StatusMsg } from '../../../shared/protocol';
import { RobotIncompatible, RobotNotAnswering, TransportBaseDriver, type BaseDriverOptions } from '../base-driver';
import { PX4_AUTO_SUB_MODE, PX4_MAIN_MODE, ROVER_MODE, TYPE_MASK_VELOCITY_YAW_RATE, modeName, px4CustomMode } from '../../../shared/protocols/mavlink';

export { TYPE_MASK_VELOCITY_YAW_RATE, px4CustomMode };

export type MavlinkAutopilot = 'ardupilot' | 'px4';

/** Our MAVLink identity: system 255 is ArduPilot's default SYSID_MYGCS; 190 is MAV_COMP_ID_MISSIONPLANNER, what ground stations use. */
export const GCS_SYSTEM_ID = 255;
export const GCS_COMPONENT_ID = minimal.MavComponent.MISSIONPLANNER;

/**
 * The type mask is the number ArduPilot's table gives; checked here against node-mavlink's own
 * flags so a mistake in either shows at load.
 */
const TYPE_MASK_FROM_FLAGS =
  common.PositionTargetTypemask.X_IGNORE | common.PositionTargetTypemask.Y_IGNORE | common.PositionTargetTypemask.Z_IGNORE |
  common.PositionTargetTypemask.VZ_IGNORE |
  common.PositionTargetTypemask.AX_IGNORE | common.PositionTargetTypemask.AY_IGNORE | common.PositionTargetTypemask.AZ_IGNORE |
  common.PositionTargetTypemask.YAW_IGNORE;
if (TYPE_MASK_FROM_FLAGS !== TYPE_MASK_VELOCITY_YAW_RATE) throw new Error('SET_POSITION_TARGET type mask disagrees with node-mavlink');

/** Streams we ask for, Hz. */
const POSE_HZ = 20;
/** LOCAL_POSITION_NED/ATTITUDE rate when ODOMETRY streams (kept as a fallback), Hz. */
const POSE_FALLBACK_HZ = 4;
const SYS_STATUS_HZ = 2;
const BATTERY_STATUS_HZ = 1;
const HEARTBEAT_PERIOD_MS = 1000;
/** COMMAND_ACK wait per try and tries (MAVLink command protocol: resend with confirmation + 1). */
const ACK_TIMEOUT_MS = 500;
const ACK_ATTEMPTS = 3;
/** During leave() the port is about to close: shorter waits. */
const LEAVE_ACK_TIMEOUT_MS = 250;
const LEAVE_ACK_ATTEMPTS = 2;
/** PX4 accepts Offboard once setpoints have streamed for more than a second (offboard.md); a margin on top. */
const PX4_OFFBOARD_SIGNAL_MS = 1200;
/** An ATTITUDE or ODOMETRY older than this is not combined into odometry, ms. */
const POSE_FRESH_MS = 500;
/** STATUSTEXT kept to explain a refusal, ms. */
const TEXT_KEPT_MS = 3000;
/** The same STATUSTEXT is said again only after this long, ms. */
const TEXT_REPEAT_MS = 5000;
const UINT16_UNKNOWN = 0xffff;

/** The messages this driver reads, by id (node-mavlink's classes). */
const READS: Record<number, MavLinkDataConstructor<MavLinkData>> = {
  [minimal.Heartbeat.MSG_ID]: minimal.Heartbeat,
  [common.SysStatus.MSG_ID]: common.SysStatus,
  [common.Attitude.MSG_ID]: common.Attitude,
  [common.LocalPositionNed.MSG_ID]: common.LocalPositionNed,
  [common.CommandAck.MSG_ID]: common.CommandAck,
  [common.BatteryStatus.MSG_ID]: common.BatteryStatus,
  [common.StatusText.MSG_ID]: common.StatusText,
  [common.Odometry.MSG_ID]: common.Odometry,
};

/** 'MAV_RESULT_DENIED' for 2. */
export function mavResultName(result: number): string {
  return `MAV_RESULT_${common.MavResult[result] ?? result}`;
}

function mavTypeName(type: number): string {
  return `MAV_TYPE_${minimal.MavType[type] ?? type}`;
}

function autopilotName(autopilot: number): string {
  if (autopilot === minimal.MavAutopilot.ARDUPILOTMEGA) return 'ArduPilot';
  if (autopilot === minimal.MavAutopilot.PX4) return 'PX4';
  return `MAV_AUTOPILOT_${minimal.MavAutopilot[autopilot] ?? autopilot}`;
}

/** The mode a HEARTBEAT's custom_mode names, in the autopilot's own words. */
export function customModeName(autopilot: MavlinkAutopilot, customMode: number): string {
  return modeName(autopilot, customMode);
}

/**
 * node-mavlink's splitter drops a frame whose message id it has no CRC_EXTRA for *whole*,
 * trusting its length byte (node-mavlink 2.3 MavLinkPacketSplitter: PacketValidationResult
 * UNKNOWN → skip the frame's length). After a false start byte in noise (a 0xFD or 0xFE in
 * garbage or in a corrupt frame) that length is noise too, and up to 280 bytes of good frames
 * behind it are thrown away unchecked. Through the splitter's documented `magicNumbers` option,
 * every id it does not know gets a CRC_EXTRA that will (almost) never match, so such a frame
 * fails its CRC instead and the splitter resynchronises one byte on; the CRC callback tells a
 * corrupt known frame from an unknown id by the id.
 */
const UNKNOWN_ID_CRC_EXTRA = 0;
const CHECKED_MAGIC_NUMBERS: Record<string, number> = new Proxy(MSG_ID_MAGIC_NUMBER, {
  get: (known, id) => (typeof id === 'string' && id in known ? known[id] : UNKNOWN_ID_CRC_EXTRA),
});

/** Whether the library has a CRC_EXTRA (a definition) for this message id. */
function knownMessageId(id: number): boolean {
  return String(id) in MSG_ID_MAGIC_NUMBER;
}

/** The message id in a frame's header (v1 or v2), read by the library's protocol classes. */
function frameMessageId(frame: Buffer): number | null {
  if (frame[0] === MavLinkProtocolV2.START_BYTE) return new MavLinkProtocolV2().header(frame).msgid;
  if (frame[0] === MavLinkProtocolV1.START_BYTE) return new MavLinkProtocolV1().header(frame).msgid;
  return null;
}

/**
 * node-mavlink's splitter and parser are Transform streams; here they are used synchronously:
 * a write runs `_transform` at once (nothing is pending while we drain the readable side
 * after every write, and the high-water marks are far above one chunk's packets), so bytes in
 * give packets out in the same call, in order.
 */
class MavlinkReader {
  private splitter!: MavLinkPacketSplitter;
  private parser!: MavLinkPacketParser;
  private failed: Buffer[] = [];

  constructor() {
    this.build();
  }

  private build(): void {
    this.failed = [];
    this.splitter = new MavLinkPacketSplitter({ highWaterMark: 4096 }, { onCrcError: (frame) => this.failed.push(frame), magicNumbers: CHECKED_MAGIC_NUMBERS });
    this.parser = new MavLinkPacketParser({ highWaterMark: 4096 });
  }

  /** Bytes in any chunking → whole, CRC-checked packets; plus the frames that failed their CRC. */
  push(bytes: Uint8Array): { packets: MavLinkPacket[]; failed: Buffer[] } {
    const packets: MavLinkPacket[] = [];
    try {
      this.splitter.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      for (let raw = this.splitter.read(); raw !== null; raw = this.splitter.read()) {
        this.parser.write(raw);
        for (let p = this.parser.read() as MavLinkPacket | null; p !== null; p = this.parser.read() as MavLinkPacket | null) packets.push(p);
      }
    } catch (err) {
      // A stream that threw is stuck mid-write; start over with fresh ones.
      this.build();
      throw err;
    }
    const failed = this.failed;
    this.failed = [];
    return { packets, failed };
  }
}

interface Vehicle {
  systemId: number;
  componentId: number;
  type: number;
  autopilot: number;
}

interface PendingCommand {
  command: number;
  settle: (result: number | null) => void;
  /** MAV_RESULT_IN_PROGRESS: the autopilot is working on it; wait a full period more. */
  extend: () => void;
}

export class MavlinkDriver extends TransportBaseDriver {
  protected readonly driverName = 'mavlink';
  readonly autopilot: MavlinkAutopilot;
  private readonly protocol = new MavLinkProtocolV2(GCS_SYSTEM_ID, GCS_COMPONENT_ID);
  private sequence = 0;
  private reader = new MavlinkReader();
  /** Host time our time_boot_ms counts from, ms. */
  private readonly bootMs: number;
  private heartbeatTimer: ReturnType<typeof setInterval> | null = null;
  private preStreamTimer: ReturnType<typeof setInterval> | null = null;
  /** Bumped whenever the link reopens or is lost: work of an older session stops. */
  private session = 0;
  private vehicle: Vehicle | null = null;
  private vehicleState: { armed: boolean; customMode: number } | null = null;
  private attitude: { yaw: number; yawspeed: number; atMs: number } | null = null;
  private positionSeen = false;
  private odometryAtMs = -Infinity;
  private battery: { percent: number; chargeState: number; voltage: number } | null = null;
  private pending: PendingCommand | null = null;
  private commandChain: Promise<unknown> = Promise.resolve();
  /** After start(): the vehicle should be armed and in GUIDED/OFFBOARD (or HOLD when `holding`). */
  private expectDrive = false;
  /** We switched it to HOLD (stop): a non-zero command switches back. */
  private holding = false;
  private resuming = false;
  /** Counts writeStop()s, so a resume answered after a newer stop does not clear `holding`. */
  private stopCount = 0;
  /** Mode or arming commands awaiting their ACK: heartbeats meanwhile may show either state. */
  private modeCommandsInFlight = 0;
  /** start() armed it in this session (dispose must disarm even if start has not finished). */
  private armedThisSession = false;
  private readonly texts: { text: string; severity: number; atMs: number }[] = [];
  private readonly said = new Map<string, number>();

  constructor(options: BaseDriverOptions) {
    super({ ...options, timing: { commandPeriodMs: 100, changeIntervalMs: 20, ...options.timing } });
    const autopilot = options.profile.options.autopilot ?? 'ardupilot';
    if (autopilot !== 'ardupilot' && autopilot !== 'px4') {
      throw new Error(`profile ${options.profile.name}: options.autopilot must be 'ardupilot' or 'px4', not ${JSON.stringify(autopilot)}`);
    }
    this.autopilot = autopilot;
    this.bootMs = this.nowMs();
  }

  // ── Lifecycle ───────────────────────────────────────────────────────────────────────

  override connect(): void {
    super.connect();
    // The GCS heartbeat runs for the driver's whole life (it is harmless while the port is
    // closed: write() refuses), so the autopilot's GCS failsafe sees us through start and leave.
    this.heartbeatTimer ??= setInterval(() => this.sendHeartbeat(), HEARTBEAT_PERIOD_MS);
  }

  override async dispose(): Promise<void> {
    // Disposed between arming and `connected` (the base calls leave() only once connected):
    // leave it safe here rather than armed.
    if (this.armedThisSession && !this.isConnected && this.transport.isOpen) {
      try {
        await this.park(false);
      } catch {
        // Closing anyway; its own timeout stops it.
      }
    }
    try {
      await super.dispose();
    } finally {
      if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
      this.heartbeatTimer = null;
      this.stopPreStream();
    }
  }

  protected override resetSession(): void {
    this.session++;
    this.reader = new MavlinkReader();
    this.vehicle = null;
    this.vehicleState = null;
    this.attitude = null;
    this.positionSeen = false;
    this.odometryAtMs = -Infinity;
    this.battery = null;
    this.pending?.settle(null);
    this.pending = null;
    this.commandChain = Promise.resolve();
    this.expectDrive = false;
    this.holding = false;
    this.resuming = false;
    this.modeCommandsInFlight = 0;
    this.armedThisSession = false;
    this.texts.length = 0;
    this.stopPreStream();
  }

  protected async start(): Promise<void> {
    const session = this.session;
    const title = this.profile.title;
    this.sendHeartbeat();
    await this.untilAnswered(
      this.timing.startTimeoutMs,
      `no MAVLink HEARTBEAT from an autopilot on ${this.transport.endpoint} (is this the flight controller's USB or telemetry port${this.transport.kind === 'serial' ? `, at ${this.profile.baudRate} baud` : ''}?)`,
    );
    const vehicle = this.vehicle!;
    this.checkVehicle(vehicle);

    await this.requestStreams(session);
    this.startPreStream();
    try {
      if (this.autopilot === 'px4') await this.sleep(PX4_OFFBOARD_SIGNAL_MS, session);
      const drive = await this.setMode('drive');
      this.checkSession(session);
      if (drive !== common.MavResult.ACCEPTED) {
        throw this.refusal('mode-refused', `the ${title} refused ${this.modeWord('drive')} mode`, drive);
      }
      const arm = await this.armDisarm(true);
      this.checkSession(session);
      if (arm !== common.MavResult.ACCEPTED) throw this.refusal('arm-refused', `the ${title} refused to arm`, arm);
      // Its word is enough until the next HEARTBEAT says so too.
      this.vehicleState = { armed: true, customMode: this.modeValue('drive') };
      this.armedThisSession = true;
    } finally {
      this.stopPreStream();
    }
    this.expectDrive = true;
    this.holding = false;
    this.said.clear();
  }

  protected receive(bytes: Uint8Array): void {
    const { packets, failed } = this.reader.push(bytes);
    for (const frame of failed) {
      const id = frameMessageId(frame);
      if (id !== null && !knownMessageId(id)) {
        this.badFrame('unknown-message', `MAVLink frame with message id ${id}, which no dialect node-mavlink knows defines (or noise that looks like one): dropped`);
      } else {
        this.badFrame('crc', `MAVLink frame failed its CRC (message id ${id}, ${frame.length} bytes): dropped`, true);
      }
    }
    for (const p of packets) this.handle(p);
  }

  protected writeVelocity(v: number, w: number): void {
    if (this.holding && this.expectDrive && (v !== 0 || w !== 0)) this.resumeDriving();
    this.writeSetpoint(v, w);
  }

  protected writeStop(reason: 'operator' | 'safety' | 'link-loss' | 'shutdown'): void {
    this.writeSetpoint(0, 0);
    // A safety stop (autonomy's reactive guard) brakes in GUIDED/OFFBOARD, so the next
    // command resumes at once; every other stop also parks the rover in HOLD.
    if (reason === 'safety' || !this.vehicle || !this.isConnected) return;
    this.holding = true;
    const stop = ++this.stopCount;
    void this.setMode('hold').then((result) => {
      if (result === common.MavResult.ACCEPTED) return;
      if (stop === this.stopCount) this.holding = false; // still in GUIDED/OFFBOARD, with a zero target
      this.sayOnce('hold-refused', `the ${this.profile.title} did not enter ${this.modeWord('hold')}: ${result === null ? 'no COMMAND_ACK' : mavResultName(result)}; it was sent a zero velocity target instead`);
    });
  }

  protected async leave(): Promise<void> {
    // dispose() has muted receive() by now: the answers to HOLD and disarm are read here.
    await this.park(true);
  }

  /** Zero target, HOLD, disarm; `listen`: read the answers ourselves (receive() is muted). */
  private async park(listen: boolean): Promise<void> {
    const off = listen
      ? this.transport.onData((chunk) => {
          try {
            this.receive(chunk);
          } catch {
            // Closing anyway.
          }
        })
      : () => undefined;
    try {
      this.writeSetpoint(0, 0);
      this.expectDrive = false;
      const hold = await this.setMode('hold', LEAVE_ACK_TIMEOUT_MS, LEAVE_ACK_ATTEMPTS);
      const disarm = await this.armDisarm(false, LEAVE_ACK_TIMEOUT_MS, LEAVE_ACK_ATTEMPTS);
      if (disarm === common.MavResult.ACCEPTED) {
        this.armedThisSession = false;
        return;
      }
      const parked = hold === common.MavResult.ACCEPTED ? `it is in ${this.modeWord('hold')}` : `it stops by itself ${this.profile.watchdog ? `${this.profile.watchdog.timeoutS} s after the last target` : 'only when its own failsafe acts'}`;
      this.fault('disarm-refused', `the ${this.profile.title} did not disarm on close (${disarm === null ? 'no COMMAND_ACK' : mavResultName(disarm)}); ${parked}`);
    } finally {
      off();
    }
  }

  // ── Start, step by step ─────────────────────────────────────────────────────────────

  private checkVehicle(v: Vehicle): void {
    const title = this.profile.title;
    if (v.type !== minimal.MavType.GROUND_ROVER) {
      throw this.refusal('not-a-rover', `the vehicle on ${this.transport.endpoint} (system ${v.systemId}) is a ${mavTypeName(v.type)} running ${autopilotName(v.autopilot)}, not a ground rover (MAV_TYPE_GROUND_ROVER); Foresight does not drive it`, undefined, true);
    }
    const expected = this.autopilot === 'px4' ? minimal.MavAutopilot.PX4 : minimal.MavAutopilot.ARDUPILOTMEGA;
    if (v.autopilot !== expected) {
      throw this.refusal('autopilot-mismatch', `the rover on ${this.transport.endpoint} runs ${autopilotName(v.autopilot)}, but the ${title} profile is for ${autopilotName(expected)}: choose the ${autopilotName(v.autopilot) === 'PX4' ? 'px4-rover' : 'ardupilot-rover'} profile`, undefined, true);
    }
  }

  private async requestStreams(session: number): Promise<void> {
    const interval = (id: number, hz: number) => this.setMessageInterval(id, hz);
    const odometry = await interval(common.Odometry.MSG_ID, POSE_HZ);
    this.checkSession(session);
    const poseHz = odometry === common.MavResult.ACCEPTED ? POSE_FALLBACK_HZ : POSE_HZ;
    const position = await interval(common.LocalPositionNed.MSG_ID, poseHz);
    const attitude = await interval(common.Attitude.MSG_ID, poseHz);
    await interval(common.SysStatus.MSG_ID, SYS_STATUS_HZ);
    await interval(common.BatteryStatus.MSG_ID, BATTERY_STATUS_HZ);
    this.checkSession(session);
    if (this.autopilot === 'ardupilot' && (position !== common.MavResult.ACCEPTED || attitude !== common.MavResult.ACCEPTED)) {
      // Older ArduPilot: the stream groups (SRn_POSITION, SRn_EXTRA1, SRn_EXTENDED_STATUS).
      this.requestDataStream(common.MavDataStream.POSITION, POSE_HZ);
      this.requestDataStream(common.MavDataStream.EXTRA1, POSE_HZ);
      this.requestDataStream(common.MavDataStream.EXTENDED_STATUS, SYS_STATUS_HZ);
    }
    const posed = await this.until(() => this.odometryFresh() || (this.positionSeen && this.attitude !== null), this.timing.startTimeoutMs, session);
    if (!posed) {
      throw new RobotNotAnswering(`the ${this.profile.title} sends no position (ODOMETRY, or LOCAL_POSITION_NED with ATTITUDE): it has no position estimate yet (no GPS fix / EKF origin, or no external odometry); not driving a rover whose position is unknown`);
    }
    if (odometry === common.MavResult.ACCEPTED && !this.odometryFresh()) {
      // It accepted ODOMETRY but does not send it: the fallback must carry the full rate.
      await interval(common.LocalPositionNed.MSG_ID, POSE_HZ);
      await interval(common.Attitude.MSG_ID, POSE_HZ);
    }
  }

  private setMessageInterval(messageId: number, hz: number): Promise<number | null> {
    const cmd = new common.SetMessageIntervalCommand(this.vehicle!.systemId, this.vehicle!.componentId);
    cmd.messageId = messageId;
    cmd.interval = Math.round(1e6 / hz); // µs
    cmd.reqParam3 = 0;
    cmd._param4 = cmd._param5 = cmd._param6 = 0;
    cmd._param7 = 0; // response target: the requester
    return this.commandLong(cmd);
  }

  private requestDataStream(stream: number, hz: number): void {
    const m = new common.RequestDataStream();
    m.targetSystem = this.vehicle!.systemId;
    m.targetComponent = this.vehicle!.componentId;
    m.reqStreamId = stream;
    m.reqMessageRate = hz;
    m.startStop = 1;
    this.send(m);
  }

  private modeCommand(which: 'drive' | 'hold'): common.DoSetModeCommand {
    const cmd = new common.DoSetModeCommand(this.vehicle!.systemId, this.vehicle!.componentId);
    cmd.mode = minimal.MavModeFlag.CUSTOM_MODE_ENABLED;
    if (this.autopilot === 'ardupilot') {
      cmd.customMode = which === 'drive' ? ROVER_MODE.GUIDED : ROVER_MODE.HOLD;
      cmd.customSubmode = 0;
    } else {
      cmd.customMode = which === 'drive' ? PX4_MAIN_MODE.OFFBOARD : PX4_MAIN_MODE.AUTO;
      cmd.customSubmode = which === 'drive' ? 0 : PX4_AUTO_SUB_MODE.LOITER;
    }
    cmd._param4 = cmd._param5 = cmd._param6 = cmd._param7 = 0;
    return cmd;
  }

  /** The HEARTBEAT custom_mode of our drive or hold mode. */
  private modeValue(which: 'drive' | 'hold'): number {
    if (this.autopilot === 'ardupilot') return which === 'drive' ? ROVER_MODE.GUIDED : ROVER_MODE.HOLD;
    return which === 'drive' ? px4CustomMode(PX4_MAIN_MODE.OFFBOARD) : px4CustomMode(PX4_MAIN_MODE.AUTO, PX4_AUTO_SUB_MODE.LOITER);
  }

  private modeWord(which: 'drive' | 'hold'): string {
    return customModeName(this.autopilot, this.modeValue(which));
  }

  private async setMode(which: 'drive' | 'hold', timeoutMs = ACK_TIMEOUT_MS, attempts = ACK_ATTEMPTS): Promise<number | null> {
    if (!this.vehicle) return null;
    this.modeCommandsInFlight++;
    try {
      return await this.commandLong(this.modeCommand(which), timeoutMs, attempts);
    } finally {
      this.modeCommandsInFlight--;
    }
  }

  private async armDisarm(arm: boolean, timeoutMs = ACK_TIMEOUT_MS, attempts = ACK_ATTEMPTS): Promise<number | null> {
    if (!this.vehicle) return null;
    const cmd = new common.ComponentArmDisarmCommand(this.vehicle.systemId, this.vehicle.componentId);
    cmd.arm = arm ? 1 : 0;
    cmd.force = 0; // never 21196: the autopilot's own checks stand
    cmd._param3 = cmd._param4 = cmd._param5 = cmd._param6 = cmd._param7 = 0;
    this.modeCommandsInFlight++;
    try {
      return await this.commandLong(cmd, timeoutMs, attempts);
    } finally {
      this.modeCommandsInFlight--;
    }
  }

  /** A refusal in words with the MAV_RESULT name and what the autopilot said about it; also a fault. */
  private refusal(kind: string, words: string, result?: number | null, incompatible = false): RobotNotAnswering | RobotIncompatible {
    let message = words;
    if (result !== undefined) message += result === null ? ': no COMMAND_ACK' : `: ${mavResultName(result)}`;
    const said = this.recentTexts();
    if (said) message += ` (it says: ${said})`;
    this.sayOnce(kind, message, result === undefined || result === null ? {} : { result: mavResultName(result) });
    return incompatible ? new RobotIncompatible(message) : new RobotNotAnswering(message);
  }

  private recentTexts(): string {
    const since = this.nowMs() - TEXT_KEPT_MS;
    return this.texts.filter((t) => t.atMs >= since && t.severity <= common.MavSeverity.WARNING).map((t) => `"${t.text}"`).join('; ');
  }

  private resumeDriving(): void {
    if (this.resuming || !this.vehicle) return;
    this.resuming = true;
    const stop = this.stopCount;
    void this.setMode('drive').then((result) => {
      this.resuming = false;
      if (result === common.MavResult.ACCEPTED && stop === this.stopCount) this.holding = false;
      else this.sayOnce('mode-refused', `the ${this.profile.title} refused to return to ${this.modeWord('drive')}: ${result === null ? 'no COMMAND_ACK' : mavResultName(result)}; it stays in ${this.modeWord('hold')}`);
    });
  }

  // ── Receiving ────────────────────────────────────────────────────────────────────────

  private handle(p: MavLinkPacket): void {
    const { sysid, compid, msgid } = p.header;
    if (!this.vehicle) {
      if (msgid !== minimal.Heartbeat.MSG_ID) return;
      const hb = p.protocol.data(p.payload, minimal.Heartbeat);
      // A GCS, a companion computer or a radio says MAV_AUTOPILOT_INVALID: not the vehicle.
      if (hb.autopilot === minimal.MavAutopilot.INVALID) return;
      this.vehicle = { systemId: sysid, componentId: compid, type: hb.type, autopilot: hb.autopilot };
      this.vehicleState = { armed: (hb.baseMode & minimal.MavModeFlag.SAFETY_ARMED) !== 0, customMode: hb.customMode };
      this.answered();
      return;
    }
    // Other systems and components on the same link (a camera, a gimbal, a second GCS).
    if (sysid !== this.vehicle.systemId || compid !== this.vehicle.componentId) return;
    this.heard();
    const clazz = READS[msgid];
    if (!clazz) return; // valid MAVLink we have no use for
    const data = p.protocol.data(p.payload, clazz);
    if (data instanceof minimal.Heartbeat) this.onHeartbeat(data);
    else if (data instanceof common.CommandAck) this.onCommandAck(data);
    else if (data instanceof common.Attitude) this.attitude = { yaw: data.yaw, yawspeed: data.yawspeed, atMs: this.nowMs() };
    else if (data instanceof common.LocalPositionNed) this.onLocalPosition(data);
    else if (data instanceof common.Odometry) this.onOdometry(data);
    else if (data instanceof common.SysStatus) this.onSysStatus(data);
    else if (data instanceof common.BatteryStatus) this.onBatteryStatus(data);
    else if (data instanceof common.StatusText) this.onStatusText(data);
  }

  private onHeartbeat(hb: minimal.Heartbeat): void {
    const now = { armed: (hb.baseMode & minimal.MavModeFlag.SAFETY_ARMED) !== 0, customMode: hb.customMode };
    const before = this.vehicleState;
    this.vehicleState = now;
    // While a mode or arming command awaits its ACK, a heartbeat may show either state.
    if (!this.expectDrive || !before || this.modeCommandsInFlight > 0) return;
    const title = this.profile.title;
    if (!now.armed) {
      this.fault('vehicle-disarmed', `the ${title} disarmed itself (RC, a failsafe or its own checks): it will not drive until the console reconnects`);
      this.expectDrive = false;
      return;
    }
    const expected = this.holding ? this.modeValue('hold') : this.modeValue('drive');
    if (now.customMode !== expected) {
      // Not ours to undo: a pilot's RC mode switch or the autopilot's failsafe wins.
      this.fault(
        'mode-changed',
        `the ${title} switched from ${customModeName(this.autopilot, expected)} to ${customModeName(this.autopilot, now.customMode)} by itself (an RC mode switch or a failsafe): it ignores the console's velocity commands until the console reconnects`,
        { customMode: now.customMode },
      );
      this.expectDrive = false;
    }
  }

  private onCommandAck(ack: common.CommandAck): void {
    const pending = this.pending;
    if (!pending || ack.command !== pending.command) return;
    if (ack.targetSystem !== 0 && ack.targetSystem !== GCS_SYSTEM_ID) return; // another GCS's answer
    if (ack.result === common.MavResult.IN_PROGRESS) {
      pending.extend();
      return;
    }
    this.pending = null;
    pending.settle(ack.result);
  }

  /** NED position + NED velocity, with the newest ATTITUDE → odometry in odom (x north, y west, z up). */
  private onLocalPosition(m: common.LocalPositionNed): void {
    this.positionSeen = true;
    if (this.odometryFresh()) return;
    const att = this.attitude;
    if (!att || this.nowMs() - att.atMs > POSE_FRESH_MS) return;
    // The body's forward speed: the NED ground velocity projected on the heading (cos ψ, sin ψ).
    const v = m.vx * Math.cos(att.yaw) + m.vy * Math.sin(att.yaw);
    this.publishOdometry(m.x, m.y, att.yaw, v, att.yawspeed);
  }

  private onOdometry(m: common.Odometry): void {
    if (m.frameId !== common.MavFrame.LOCAL_NED) {
      this.sayOnce('odometry-frame', `ODOMETRY arrives in frame ${common.MavFrame[m.frameId] ?? m.frameId}, not MAV_FRAME_LOCAL_NED: ignored (LOCAL_POSITION_NED is used)`);
      return;
    }
    const [qw = 1, qx = 0, qy = 0, qz = 0] = m.q;
    // Body-to-NED quaternion (w, x, y, z) → yaw about NED z (down).
    const yaw = Math.atan2(2 * (qw * qz + qx * qy), 1 - 2 * (qy * qy + qz * qz));
    if (![m.x, m.y, yaw, m.vx, m.yawspeed].every(Number.isFinite)) return;
    // child_frame_id BODY_FRD: vx is already the forward speed; otherwise it is NED ground velocity.
    const bodyVelocity = m.childFrameId === common.MavFrame.BODY_FRD || m.childFrameId === common.MavFrame.BODY_NED;
    const v = bodyVelocity ? m.vx : m.vx * Math.cos(yaw) + m.vy * Math.sin(yaw);
    this.odometryAtMs = this.nowMs();
    this.publishOdometry(m.x, m.y, yaw, v, m.yawspeed);
  }

  private odometryFresh(): boolean {
    return this.nowMs() - this.odometryAtMs <= POSE_FRESH_MS;
  }

  /** NED (x north, y east, yaw clockwise, yawspeed about z down) → odom NWU / base_link FLU. */
  private publishOdometry(xNed: number, yNed: number, yawNed: number, forward: number, yawspeed: number): void {
    if (![xNed, yNed, yawNed, forward, yawspeed].every(Number.isFinite)) return;
    const odom: OdometryMsg = {
      type: 'odometry',
      x: xNed,
      y: -yNed,
      theta: normalizeAngle(-yawNed),
      v: forward,
      w: -yawspeed,
      lastCommandSeq: -1,
    };
    this.publish(odom);
  }

  private onSysStatus(m: common.SysStatus): void {
    const voltage = m.voltageBattery === UINT16_UNKNOWN ? (this.battery?.voltage ?? 0) : m.voltageBattery / 1000;
    const percent = m.batteryRemaining >= 0 && m.batteryRemaining <= 100 ? m.batteryRemaining : (this.battery?.percent ?? 255);
    let faults = 0;
    const motors = common.MavSysStatusSensor.SENSOR_MOTOR_OUTPUTS;
    const motorsWatched = (m.onboardControlSensorsPresent & motors) !== 0 && (m.onboardControlSensorsEnabled & motors) !== 0;
    if (motorsWatched && (m.onboardControlSensorsHealth & motors) === 0) faults |= Fault.MotorDriver;
    const battery = common.MavSysStatusSensor.SENSOR_BATTERY;
    const batteryWatched = (m.onboardControlSensorsPresent & battery) !== 0 && (m.onboardControlSensorsEnabled & battery) !== 0;
    if ((batteryWatched && (m.onboardControlSensorsHealth & battery) === 0) || (percent !== 255 && percent < 15)) faults |= Fault.LowBattery;
    if (this.battery && this.battery.chargeState >= common.MavBatteryChargeState.LOW && this.battery.chargeState <= common.MavBatteryChargeState.UNHEALTHY) faults |= Fault.LowBattery;
    const status: StatusMsg = {
      type: 'status',
      batteryVoltage: voltage,
      batteryPercent: percent,
      faults,
      estopPressed: false,
      motorsEnabled: this.vehicleState?.armed ?? false,
    };
    this.publish(status);
  }

  private onBatteryStatus(m: common.BatteryStatus): void {
    if (m.id !== 0) return; // the first battery, as SYS_STATUS reports
    // voltages[]: cell voltages in mV, UINT16_MAX for absent cells; a pack without cell
    // monitoring reports its total in voltages[0].
    const cells = (m.voltages ?? []).filter((mv) => mv !== UINT16_UNKNOWN && mv > 0);
    const voltage = cells.reduce((a, b) => a + b, 0) / 1000;
    this.battery = {
      percent: m.batteryRemaining >= 0 && m.batteryRemaining <= 100 ? m.batteryRemaining : 255,
      chargeState: m.chargeState,
      voltage,
    };
  }

  private onStatusText(m: common.StatusText): void {
    const text = String(m.text ?? '').replace(/\0+$/, '').trim();
    if (!text) return;
    const now = this.nowMs();
    this.texts.push({ text, severity: m.severity, atMs: now });
    while (this.texts.length > 0 && this.texts[0]!.atMs < now - TEXT_KEPT_MS) this.texts.shift();
    if (m.severity <= common.MavSeverity.WARNING && this.isConnected) {
      const key = `text:${text}`;
      const last = this.said.get(key) ?? -Infinity;
      if (now - last >= TEXT_REPEAT_MS) {
        this.said.set(key, now);
        this.fault('autopilot-message', `the ${this.profile.title} says: ${text}`, { severity: `MAV_SEVERITY_${common.MavSeverity[m.severity] ?? m.severity}` });
      }
    }
  }

  // ── Sending ──────────────────────────────────────────────────────────────────────────

  private send(message: MavLinkData): boolean {
    const bytes = this.protocol.serialize(message, this.sequence);
    this.sequence = (this.sequence + 1) & 0xff;
    return this.write(bytes);
  }

  private sendHeartbeat(): void {
    if (!this.transport.isOpen) return;
    const hb = new minimal.Heartbeat();
    hb.type = minimal.MavType.GCS;
    hb.autopilot = minimal.MavAutopilot.INVALID;
    hb.baseMode = 0 as minimal.MavModeFlag;
    hb.customMode = 0;
    hb.systemStatus = minimal.MavState.ACTIVE;
    hb.mavlinkVersion = 3;
    this.send(hb);
  }

  /** Body velocity (REP 103 base_link: v forward m/s, w CCW rad/s) → SET_POSITION_TARGET_LOCAL_NED in FRD. */
  private writeSetpoint(v: number, w: number): void {
    const vehicle = this.vehicle;
    if (!vehicle) return;
    const m = new common.SetPositionTargetLocalNed();
    m.timeBootMs = Math.floor(this.nowMs() - this.bootMs) >>> 0;
    m.targetSystem = vehicle.systemId;
    m.targetComponent = vehicle.componentId;
    m.coordinateFrame = common.MavFrame.BODY_NED;
    m.typeMask = TYPE_MASK_VELOCITY_YAW_RATE as common.PositionTargetTypemask;
    m.x = m.y = m.z = 0;
    m.vx = v;
    m.vy = 0; // FRD y is right: −(base_link lateral velocity), which a wheeled base does not have
    m.vz = 0;
    m.afx = m.afy = m.afz = 0;
    m.yaw = 0;
    m.yawRate = w === 0 ? 0 : -w; // FRD yaw rate is clockwise-positive; REP 103 w is counter-clockwise
    this.send(m);
  }

  private startPreStream(): void {
    this.stopPreStream();
    this.writeSetpoint(0, 0);
    this.preStreamTimer = setInterval(() => this.writeSetpoint(0, 0), this.timing.commandPeriodMs);
  }

  private stopPreStream(): void {
    if (this.preStreamTimer) clearInterval(this.preStreamTimer);
    this.preStreamTimer = null;
  }

  /**
   * One COMMAND_LONG at a time (COMMAND_ACK names only the command, so two outstanding ones
   * of the same kind could not be told apart): resolves with the MAV_RESULT, or null when no
   * ACK came after `attempts` tries or the link reset.
   */
  private commandLong(cmd: common.CommandLong, timeoutMs = ACK_TIMEOUT_MS, attempts = ACK_ATTEMPTS): Promise<number | null> {
    const session = this.session;
    const run = async (): Promise<number | null> => {
      for (let attempt = 0; attempt < attempts; attempt++) {
        if (session !== this.session || !this.transport.isOpen) return null;
        cmd.confirmation = attempt;
        const sentAt = this.nowMs();
        const result = await new Promise<number | null>((resolve) => {
          let timer = setTimeout(() => finish(null), timeoutMs);
          const finish = (r: number | null): void => {
            clearTimeout(timer);
            if (this.pending === entry) this.pending = null;
            resolve(r);
          };
          const entry: PendingCommand = {
            command: cmd.command,
            settle: finish,
            extend: () => {
              clearTimeout(timer);
              timer = setTimeout(() => finish(null), timeoutMs);
            },
          };
          this.pending = entry;
          if (!this.send(cmd)) finish(null);
        });
        if (result !== null) {
          this.measuredRoundTrip(this.nowMs() - sentAt);
          return result;
        }
      }
      return null;
    };
    const p = this.commandChain.then(run, run);
    this.commandChain = p.catch(() => undefined);
    return p;
  }

  // ── Small helpers ────────────────────────────────────────────────────────────────────

  private checkSession(session: number): void {
    if (session !== this.session) throw new RobotNotAnswering('the link was reset during start');
  }

  private sleep(ms: number, session: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms)).then(() => this.checkSession(session));
  }

  /** Resolves true once `cond` holds, false after `timeoutMs`. */
  private async until(cond: () => boolean, timeoutMs: number, session: number): Promise<boolean> {
    const end = this.nowMs() + timeoutMs;
    while (!cond()) {
      if (this.nowMs() >= end) return false;
      await this.sleep(10, session);
    }
    return true;
  }

  /** A fault said once per session and kind+words (start is retried every retryMs). */
  private sayOnce(kind: string, message: string, detail: Record<string, number | string> = {}): void {
    const key = `${kind}:${message}`;
    if (this.said.has(key)) return;
    this.said.set(key, this.nowMs());
    this.fault(kind, message, detail);
  }
}
