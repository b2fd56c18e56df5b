/**
 * TurtleBot3 (Burger, Waffle Pi) base: the OpenCR board running ROBOTIS' turtlebot3_ros2
 * firmware, on its USB port as DYNAMIXEL Protocol 2.0 device ID 200 at 1 Mbps. The host does
 * what ROBOTIS' ROS 2 turtlebot3_node does (ROBOTIS-GIT/turtlebot3 turtlebot3_node/src/
 * turtlebot3.cpp, odometry.cpp, sensors/*.cpp), with the control table of
 * src/shared/protocols/turtlebot3.ts and the codec of src/shared/protocols/dynamixel.ts:
 *
 * - connect: PING ID 200 (model number 0x5000 = the TurtleBot3 OpenCR), READ MODEL_INFORM
 *   (must match the profile: Burger 1, Waffle/Waffle Pi 2), WRITE MOTOR_TORQUE 1 (on at
 *   power-up, but a previous session or the motor_power service may have turned it off), and a
 *   first READ of the telemetry block to anchor odometry;
 * - every command period (50 ms): WRITE HEARTBEAT with a new counter value — the firmware
 *   zeroes the wheels once the byte has not *changed* for 500 ms — then WRITE cmd_velocity
 *   (linear x in cm/s, angular z in 0.01 rad/s, the 24-byte block turtlebot3_node writes), then
 *   READ the telemetry block (MILLIS … MOTOR_TORQUE, 140 bytes);
 * - odometry as turtlebot3_node computes it with its shipped `odometry.use_imu: true`: distance
 *   from the wheel encoders (4096 ticks a turn, r = 0.033 m), heading from the IMU's
 *   quaternion (from the encoders when the profile sets `options.useImu: false`), midpoint
 *   integration; v from the wheel velocity registers, w from the gyro; REP 103 in `odom`, which
 *   starts where the robot was at the first connection and carries on across reconnects;
 * - status at 2 Hz: battery (V×100, %×100), low battery below the firmware's 11.0 V alarm,
 *   motors (found at power-up, torque), the firmware's own heartbeat state, bumpers if fitted
 *   (`options.bumpers: true`);
 * - stop and close: zero cmd_velocity at once. Torque stays on: the wheel motors then hold zero
 *   speed, where torque off would let the robot roll (on a ramp, away). After the port closes
 *   the firmware's 500 ms heartbeat dead-man is what keeps it stopped.
 *
 * Requests are pipelined (the OpenCR reads its USB port as a stream and answers in order);
 * each status packet is matched to the oldest request still waiting whose answer has that
 * shape (a READ's length, an empty WRITE status, PING's three bytes), so a lost answer cannot
 * shift the rest. A status error byte is a fault (said once per kind and session), except the
 * board's own CRC error, which is a corrupted command: a bad frame.
 */
import { Fault, type OdometryMsg, type StatusMsg } from '../../../shared/protocol';
import { normalizeAngle } from '../../../shared/geometry';
import {
  ALERT_BIT, DynamixelDecoder, StatusError, describeStatusError, encodePing, encodeRead, encodeWrite, type StatusPacket,
} from '../../../shared/protocols/dynamixel';
import {
  CMD_VELOCITY_BLOCK, ControlTable, DeviceStatus, LOW_BATTERY_VOLTAGE, ModelInform, NO_BATTERY_VOLTAGE, OPENCR_ID, OPENCR_MODEL_NUMBER, TELEMETRY_BLOCK, TICK_TO_RAD,
  VELOCITY_UNIT_MS, WHEEL_RADIUS, cmdVelocityData, decodeTelemetry, encodeField, modelForProfile, modelInformName, readField, tickDelta, yawFromQuaternion,
  type Turtlebot3Model, type Turtlebot3Telemetry,
} from '../../../shared/protocols/turtlebot3';
import { RobotIncompatible, RobotNotAnswering, TransportBaseDriver, type BaseDriverOptions } from '../base-driver';

/** How long after the session's first heartbeat the firmware may still report no connection, ms. */
const HEARTBEAT_GRACE_MS = 200;
/** Period of status messages, ms (2 Hz: battery and motors change slowly). */
const STATUS_PERIOD_MS = 500;
/** How long one PING waits before the next is sent during connect, ms. */
const PING_WAIT_MS = 250;
/** How long connect waits for each other answer, ms. */
const ANSWER_WAIT_MS = 500;
/** Requests waiting for an answer beyond this many are forgotten (oldest first). */
const MAX_PENDING = 16;
/** The largest status the driver expects: the telemetry READ (140 bytes) plus framing and worst-case stuffing. */
const MAX_STATUS_LENGTH = 256;

type RequestKind = 'ping' | 'model' | 'torque' | 'heartbeat' | 'cmd' | 'telemetry';

interface Pending {
  kind: RequestKind;
  /** Param bytes of a good answer. */
  expectParams: number;
  sentAtMs: number;
  settle?: (status: StatusPacket | Error) => void;
}

/** The odometry state carried between telemetry reads. */
interface Anchor {
  millis: number;
  left: number;
  right: number;
  /** IMU yaw, rad (null when the IMU gave no usable quaternion). */
  yaw: number | null;
}

export class Turtlebot3Driver extends TransportBaseDriver {
  protected readonly driverName = 'turtlebot3';
  private readonly decoder = new DynamixelDecoder({ maxLength: MAX_STATUS_LENGTH });
  private readonly model: Turtlebot3Model | null;
  private readonly useImu: boolean;
  private readonly bumpersFitted: boolean;
  private pending: Pending[] = [];
  private heartbeat = 0;
  /** Host time of this session's first heartbeat, ms (the firmware needs one loop to see it). */
  private firstHeartbeatMs: number | null = null;
  private anchor: Anchor | null = null;
  private pose = { x: 0, y: 0, theta: 0 };
  private lastStatusMs = -Infinity;
  /** Faults already said this session, so a persistent condition is said once. */
  private readonly said = new Set<string>();
  private firmwareVersion: number | null = null;

  constructor(options: BaseDriverOptions) {
    super(options);
    this.model = modelForProfile(options.profile.options.model);
    this.useImu = options.profile.options.useImu !== false;
    this.bumpersFitted = options.profile.options.bumpers === true;
  }

  // ── Session ──────────────────────────────────────────────────────────────────────────

  protected override resetSession(): void {
    this.decoder.reset();
    for (const p of this.pending.splice(0)) p.settle?.(new Error('session reset'));
    // Odometry carries on from the same pose; the encoders are re-anchored at the next read.
    this.anchor = null;
    this.lastStatusMs = -Infinity;
    this.firstHeartbeatMs = null;
    this.said.clear();
  }

  protected async start(): Promise<void> {
    const deadline = this.nowMs() + this.timing.startTimeoutMs;
    let ping: StatusPacket | null = null;
    while (ping === null) {
      const left = deadline - this.nowMs();
      if (left <= 0) {
        throw new RobotNotAnswering(`no answer from DYNAMIXEL ID ${OPENCR_ID} on ${this.transport.endpoint} (is it the robot's OpenCR, powered, with the turtlebot3_ros2 firmware?)`);
      }
      ping = await this.request('ping', encodePing(OPENCR_ID), 3, Math.min(PING_WAIT_MS, left)).catch((err: Error) => {
        if (err instanceof RobotNotAnswering) throw err;
        return null;
      });
    }
    if ((ping.error & 0x7f) !== 0 || ping.params.length !== 3) {
      throw new RobotNotAnswering(`DYNAMIXEL ID ${OPENCR_ID} on ${this.transport.endpoint} answered PING with ${describeStatusError(ping.error)}`);
    }
    const modelNumber = ping.params[0]! | (ping.params[1]! << 8);
    this.firmwareVersion = ping.params[2]!;
    if (modelNumber !== OPENCR_MODEL_NUMBER) {
      throw new RobotIncompatible(
        `DYNAMIXEL ID ${OPENCR_ID} on ${this.transport.endpoint} is model 0x${hex(modelNumber, 4)}, not a TurtleBot3 OpenCR (0x${hex(OPENCR_MODEL_NUMBER, 4)}); flash the OpenCR with the turtlebot3_ros2 firmware`,
      );
    }

    const info = await this.expectAnswer('model', encodeRead(OPENCR_ID, ControlTable.MODEL_INFORM.addr, 4), 4);
    const modelInform = readField(info.params, ControlTable.MODEL_INFORM.addr, ControlTable.MODEL_INFORM);
    const withArm = this.model?.modelInform === ModelInform.Waffle && modelInform === ModelInform.WaffleOpenManipulator;
    if (withArm) {
      // Same base and wheels; the arm is outside the profile's footprint.
      this.fault('model-differs', `this OpenCR runs the TurtleBot3 ${modelInformName(modelInform)} firmware; the ${this.profile.title} profile's footprint does not include the arm`, { modelInform });
    } else if (this.model && modelInform !== this.model.modelInform) {
      throw new RobotIncompatible(
        `this OpenCR runs the TurtleBot3 ${modelInformName(modelInform)} firmware but the profile is ${this.profile.title}; choose the matching profile (turtlebot3-burger or turtlebot3-waffle-pi) or flash the matching firmware`,
      );
    }

    await this.expectAnswer('torque', encodeWrite(OPENCR_ID, ControlTable.MOTOR_TORQUE.addr, encodeField(ControlTable.MOTOR_TORQUE, 1)), 0);
    // The block every period reads must be readable; it anchors the encoders (odometry is published once connected).
    const first = await this.expectAnswer('telemetry', encodeRead(OPENCR_ID, TELEMETRY_BLOCK.addr, TELEMETRY_BLOCK.length), TELEMETRY_BLOCK.length);
    this.anchorAt(decodeTelemetry(first.params));
  }

  protected receive(bytes: Uint8Array): void {
    for (const ev of this.decoder.push(bytes)) {
      if (ev.type === 'error') {
        this.badFrame(ev.reason, ev.detail, ev.reason === 'crc');
        continue;
      }
      const p = ev.packet;
      if (p.kind !== 'status') {
        this.badFrame('unexpected-instruction', `instruction 0x${hex(p.instruction)} for ID ${p.id} arrived from the robot`);
        continue;
      }
      if (p.id !== OPENCR_ID) {
        this.badFrame('unknown-id', `status from DYNAMIXEL ID ${p.id}, expected ${OPENCR_ID}`);
        continue;
      }
      const request = this.match(p);
      if (!request) {
        this.badFrame('unexpected-status', `status with ${p.params.length} param bytes answers no request`);
        continue;
      }
      this.heard();
      this.measuredRoundTrip(this.nowMs() - request.sentAtMs);
      if (p.error !== 0) this.statusError(request.kind, p.error);
      if (request.settle) {
        request.settle(p);
      } else if (request.kind === 'telemetry' && (p.error & 0x7f) === 0 && p.params.length === TELEMETRY_BLOCK.length) {
        this.onTelemetry(decodeTelemetry(p.params), request.sentAtMs);
      }
    }
  }

  protected writeVelocity(v: number, w: number): void {
    // Heartbeat first: if the firmware had dropped the connection, it is back before the command lands.
    this.heartbeat = (this.heartbeat + 1) & 0xff;
    this.firstHeartbeatMs ??= this.nowMs();
    this.send('heartbeat', encodeWrite(OPENCR_ID, ControlTable.HEARTBEAT.addr, [this.heartbeat]), 0);
    this.send('cmd', encodeWrite(OPENCR_ID, CMD_VELOCITY_BLOCK.addr, cmdVelocityData(v, w)), 0);
  }

  protected writeStop(): void {
    this.writeVelocity(0, 0);
  }

  protected override poll(): void {
    const now = this.nowMs();
    // Answers older than the link's dead time will not come: forget them.
    const staleMs = Math.max(200, 4 * this.timing.commandPeriodMs);
    this.pending = this.pending.filter((p) => p.settle !== undefined || now - p.sentAtMs < staleMs);
    // A slow link gets fewer, fresher reads, not a backlog: skip while this period's read is
    // still unanswered (over USB an answer takes ~1 ms; one a period old was lost).
    if (this.pending.some((p) => p.kind === 'telemetry' && now - p.sentAtMs < this.timing.commandPeriodMs / 2)) return;
    this.send('telemetry', encodeRead(OPENCR_ID, TELEMETRY_BLOCK.addr, TELEMETRY_BLOCK.length), TELEMETRY_BLOCK.length);
  }

  protected leave(): void {
    // Zero cmd_velocity; the transport flushes it before the port closes. (No answer is
    // awaited: the base stops delivering received bytes once dispose has begun.)
    this.writeVelocity(0, 0);
  }

  // ── Requests ─────────────────────────────────────────────────────────────────────────

  private send(kind: RequestKind, bytes: Uint8Array, expectParams: number): Pending | null {
    if (!this.write(bytes)) return null;
    const p: Pending = { kind, expectParams, sentAtMs: this.nowMs() };
    this.pending.push(p);
    while (this.pending.length > MAX_PENDING) this.pending.shift()!.settle?.(new Error('too many requests unanswered'));
    return p;
  }

  /** Sends and waits for the answer; rejects with RobotNotAnswering when the port is closed, Error on timeout. */
  private request(kind: RequestKind, bytes: Uint8Array, expectParams: number, timeoutMs: number): Promise<StatusPacket> {
    return new Promise((resolve, reject) => {
      const p = this.send(kind, bytes, expectParams);
      if (!p) {
        reject(new RobotNotAnswering(`${this.transport.endpoint} is not open`));
        return;
      }
      const timer = setTimeout(() => {
        this.pending = this.pending.filter((q) => q !== p);
        reject(new Error(`no answer to ${kind} within ${timeoutMs} ms`));
      }, timeoutMs);
      p.settle = (result) => {
        clearTimeout(timer);
        if (result instanceof Error) reject(result);
        else resolve(result);
      };
    });
  }

  /** A request during connect that must be answered without error. */
  private async expectAnswer(kind: RequestKind, bytes: Uint8Array, expectParams: number): Promise<StatusPacket> {
    let status: StatusPacket;
    try {
      status = await this.request(kind, bytes, expectParams, ANSWER_WAIT_MS);
    } catch (err) {
      if (err instanceof RobotNotAnswering) throw err;
      throw new RobotNotAnswering(`the OpenCR on ${this.transport.endpoint} answered PING but not the ${kind} request`);
    }
    if ((status.error & 0x7f) !== 0) throw new RobotNotAnswering(`the OpenCR refused the ${kind} request: ${describeStatusError(status.error)}`);
    return status;
  }

  /**
   * The request this status answers: the oldest waiting one of its shape. Requests before it
   * lost their answers and are dropped. An error status may come without params.
   */
  private match(s: StatusPacket): Pending | null {
    const fits = (p: Pending) => p.expectParams === s.params.length || ((s.error & 0x7f) !== 0 && s.params.length === 0);
    const i = this.pending.findIndex(fits);
    if (i < 0) return null;
    const lost = this.pending.splice(0, i + 1);
    const request = lost.pop()!;
    for (const p of lost) p.settle?.(new Error('answer lost'));
    return request;
  }

  private statusError(kind: RequestKind, error: number): void {
    const num = error & 0x7f;
    if (num === StatusError.CrcError) {
      // The board received our packet corrupted: the command did not land (the next one will).
      this.badFrame('device-crc-error', `the OpenCR reported a CRC error on the ${kind} request`, true);
    } else if (num !== 0) {
      this.once(`status-${kind}-${num}`, 'dynamixel-status-error', `the OpenCR answered the ${kind} request with ${describeStatusError(num)}`, { request: kind, error: num });
    }
    if (error & ALERT_BIT) {
      this.once('alert', 'dynamixel-alert', 'the OpenCR reports a hardware alert (DYNAMIXEL Alert bit)', { error });
    }
  }

  private once(key: string, kind: string, message: string, detail: Record<string, number | string> = {}): void {
    if (this.said.has(key)) return;
    this.said.add(key);
    this.fault(kind, message, detail);
  }

  // ── Telemetry ───────────────────────────────────────────────────────────────────────

  private onTelemetry(t: Turtlebot3Telemetry, sentAtMs: number): void {
    const now = this.nowMs();
    // The board sampled it between our request and its answer.
    const stampMs = (sentAtMs + now) / 2;
    const imuYaw = usableYaw(t);
    const a = this.anchor;
    if (a && t.millis + 1000 < a.millis) {
      this.once('restart', 'robot-restarted', `the OpenCR restarted (its clock went from ${a.millis} to ${t.millis} ms); odometry continues from the last pose`, { before: a.millis, after: t.millis });
    }
    if (a && t.millis + 1000 >= a.millis) {
      const metresPerTick = WHEEL_RADIUS * TICK_TO_RAD;
      const dl = tickDelta(t.positionLeft, a.left) * metresPerTick;
      const dr = tickDelta(t.positionRight, a.right) * metresPerTick;
      const ds = (dl + dr) / 2;
      const dTheta = this.useImu && imuYaw !== null && a.yaw !== null ? normalizeAngle(imuYaw - a.yaw) : (dr - dl) / this.profile.body.wheelBase;
      const mid = this.pose.theta + dTheta / 2;
      this.pose = { x: this.pose.x + ds * Math.cos(mid), y: this.pose.y + ds * Math.sin(mid), theta: normalizeAngle(this.pose.theta + dTheta) };
    }
    this.anchorAt(t);

    const vl = t.velocityLeft * VELOCITY_UNIT_MS;
    const vr = t.velocityRight * VELOCITY_UNIT_MS;
    const w = this.useImu && imuYaw !== null && Number.isFinite(t.gyroZ) ? t.gyroZ : (vr - vl) / this.profile.body.wheelBase;
    const odom: OdometryMsg = { type: 'odometry', ...this.pose, v: (vl + vr) / 2, w, lastCommandSeq: -1 };
    this.publish(odom, stampMs);

    const motorsFound = t.motorsConnected && t.deviceStatus !== DeviceStatus.NotConnectedMotors;
    if (!motorsFound) {
      this.once('motors', 'motors-not-connected', 'the OpenCR found no wheel motors at power-up: check the DYNAMIXEL cables and the battery, then power-cycle the robot; it cannot move');
    } else if (!t.torqueEnabled) {
      this.once('torque', 'motor-torque-off', 'the wheel motors have torque off (a motor hardware error or the motor_power service); the robot cannot move');
    }
    if (now - this.lastStatusMs >= STATUS_PERIOD_MS) {
      this.lastStatusMs = now;
      this.publish(this.statusFrom(t, motorsFound), stampMs);
    }
  }

  private anchorAt(t: Turtlebot3Telemetry): void {
    this.anchor = { millis: t.millis, left: t.positionLeft, right: t.positionRight, yaw: usableYaw(t) };
  }

  private statusFrom(t: Turtlebot3Telemetry, motorsFound: boolean): StatusMsg {
    // At 7 V or below the board runs from USB alone (turtlebot3_node: battery not present).
    const battery = t.batteryVoltage > NO_BATTERY_VOLTAGE;
    let faults = 0;
    if (battery && t.batteryVoltage < LOW_BATTERY_VOLTAGE) faults |= Fault.LowBattery;
    if (!motorsFound) faults |= Fault.MotorDriver;
    if (this.bumpersFitted && (t.bumper1 || t.bumper2)) faults |= Fault.Bumper;
    // The firmware's own dead-man has the wheels at zero although we send heartbeats (they are
    // not landing). Right after connect it has not seen the first one yet: not a fault.
    const beatingMs = this.firstHeartbeatMs === null ? 0 : this.nowMs() - this.firstHeartbeatMs;
    if (!t.heartbeatConnected && beatingMs > HEARTBEAT_GRACE_MS) faults |= Fault.CommandWatchdog;
    return {
      type: 'status',
      batteryVoltage: t.batteryVoltage,
      batteryPercent: battery ? Math.max(0, Math.min(100, Math.round(t.batteryPercent))) : 255,
      faults,
      estopPressed: false,
      motorsEnabled: motorsFound && t.torqueEnabled,
    };
  }

  /** PING's firmware version byte, once connected. */
  get opencrFirmwareVersion(): number | null {
    return this.firmwareVersion;
  }
}

/** The IMU's yaw, or null when the quaternion is not a usable rotation (IMU not running). */
function usableYaw(t: Turtlebot3Telemetry): number | null {
  const q = t.orientation;
  const n = q.w * q.w + q.x * q.x + q.y * q.y + q.z * q.z;
  if (!Number.isFinite(n) || Math.abs(n - 1) > 0.1) return null;
  return yawFromQuaternion(q);
}

function hex(n: number, digits = 2): string {
  return n.toString(16).toUpperCase().padStart(digits, '0');
}
