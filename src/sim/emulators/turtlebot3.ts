/**
 * A TurtleBot3's OpenCR board running turtlebot3_ros2, on top of the simulator: what the
 * TurtleBot3 driver finds at the far end of its USB port under `foresight sim --robot
 * turtlebot3-burger` and in the tests. Written from the firmware's source
 * (ROBOTIS-GIT/OpenCR …/libraries/turtlebot3_ros2/src/turtlebot3/turtlebot3.cpp and
 * turtlebot3_motor_driver.cpp) and the slave it answers with (ROBOTIS-GIT/Dynamixel2Arduino
 * src/utility/slave.cpp); control table in src/shared/protocols/turtlebot3.ts.
 *
 * As the firmware does:
 * - answers PING, READ and WRITE addressed to ID 200 (Protocol 2.0); packets for other IDs,
 *   broadcasts (the slave does not support them), other instructions, malformed params and
 *   packets failing their CRC get no answer at all;
 * - READ returns the registered items lying wholly inside the range, zeros elsewhere; WRITE
 *   stores every registered item lying wholly inside it, runs the item's write callback in
 *   registration order (cmd_velocity ×0.01 clamped to the model's limits, torque, model
 *   information refused with an access error) and answers with an empty status;
 * - every 20 ms refreshes the readable items (clock, IMU, wheel encoders and velocities,
 *   battery) from the simulated robot, and every 20 ms commands the wheels: each wheel's goal
 *   in DYNAMIXEL units (×1263.63, ±337, truncated) — zero while the heartbeat is lost;
 * - the heartbeat dead-man (update_connection_state_with_ros2_node): connected while the
 *   HEARTBEAT byte keeps changing; once it has not changed for 500 ms the connection drops and
 *   the cmd_velocity goal is zeroed every control period, and stays zero after the heartbeat
 *   resumes until the host writes cmd_velocity again.
 *
 * Simplifications: no gyro calibration delay, no buzzer, no RC-100 or buttons; the IMU is the
 * simulator's ground truth (yaw relative to power-up, gyro z, gravity); writes to the slave's
 * own items (model number, firmware version, ID, protocol version) are refused with a data
 * range error instead of changing them; torque off stops the simulated wheels (the simulator
 * has no free-rolling wheel).
 */
import { Instruction, StatusError, DynamixelDecoder, encodeStatus, type InstructionPacket } from '../../shared/protocols/dynamixel';
import {
  BATTERY_EMPTY_VOLTAGE, BATTERY_FULL_VOLTAGE, CENTI, CONTROL_MOTOR_PERIOD_MS, CONTROL_TABLE_END, ControlTable, DeviceStatus, HEARTBEAT_TIMEOUT_MS,
  LIMIT_X_MAX_VELOCITY, OPENCR_FIRMWARE_VERSION, OPENCR_ID, OPENCR_MODEL_NUMBER, REGISTERED_ITEMS, TICK_TO_RAD, UPDATE_ITEMS_PERIOD_MS,
  VELOCITY_CONSTANT_VALUE, VELOCITY_UNIT_MS, WHEEL_RADIUS, batteryPercentFromVoltage, firmwareVelocityLimits, modelForProfile, readField, writeField,
  type ControlItem, type Turtlebot3Model,
} from '../../shared/protocols/turtlebot3';
import type { RobotProfile } from '../../shared/robots';
import { normalizeAngle } from '../../shared/geometry';
import type { SimCore, StepResult } from '../sim-core';
import type { ByteSink } from '../sim-robot';
import type { DeviceEmulator } from './emulator';

/** The OpenCR's packet buffer (Dynamixel2Arduino DEFAULT_DXL_BUF_LENGTH on __OPENCR__); a READ answer must fit with its 11 bytes of framing. */
const PACKET_BUFFER_BYTES = 2048;
/** Slave items a host may not write (see the header comment). */
const SLAVE_ITEMS = new Set<number>([ControlTable.MODEL_NUMBER.addr, ControlTable.FIRMWARE_VER.addr, ControlTable.ID.addr, ControlTable.PROTOCOL_VER.addr]);

export interface Turtlebot3EmulatorStats {
  /** Instruction packets for ID 200 that were answered. */
  answered: number;
  /** Packets dropped for a bad CRC, bad ID or length (no answer, as DYNAMIXEL does). */
  rejected: number;
  /** Valid packets not for this device, broadcasts, unsupported instructions (no answer). */
  ignored: number;
}

export class Turtlebot3Emulator implements DeviceEmulator {
  /** Test hook: when true the board processes what it hears but its answers are lost (a broken TX line). */
  silent = false;
  readonly model: Turtlebot3Model;
  private sink: ByteSink | null = null;
  private readonly decoder = new DynamixelDecoder({ maxLength: PACKET_BUFFER_BYTES });
  private readonly table = new Uint8Array(CONTROL_TABLE_END);
  private readonly items: ControlItem[] = REGISTERED_ITEMS.map((n) => ControlTable[n]);
  private readonly limits: { linear: number; angular: number };
  private readonly counters: Turtlebot3EmulatorStats = { answered: 0, rejected: 0, ignored: 0 };

  // Firmware state.
  private readonly bootTime: number;
  private readonly bootYaw: number;
  private connected = false;
  private preConnected = false;
  private preHeartbeat = 0;
  private preHeartbeatMs = 0;
  /** When the firmware last saw the heartbeat change, ms since boot. */
  private heartbeatChangedMs = -Infinity;
  /** goal_velocity_from_cmd: m/s, rad/s after the write callback's clamp. */
  private goalLinear = 0;
  private goalAngular = 0;
  private torque = true;
  private lastControlMs = -Infinity;
  private lastItemsMs = -Infinity;
  private lastStepTime: number;
  /** Wheel encoders, ticks (fractional; the table holds them truncated). */
  private ticksLeft = 0;
  private ticksRight = 0;
  /** The odometry pose at the last step (odom frame), for wheels that follow a drifting odometry. */
  private lastOdom: { x: number; y: number; theta: number };
  /** The last wheel command written to the simulator (m/s, rad/s), for tests. */
  private applied = { v: 0, w: 0 };

  constructor(
    private readonly core: SimCore,
    profile: RobotProfile,
  ) {
    const model = modelForProfile(profile.options.model);
    if (!model) throw new Error(`profile ${profile.name}: options.model must be 'burger' or 'waffle-pi' for a TurtleBot3, got ${String(profile.options.model)}`);
    this.model = model;
    this.limits = firmwareVelocityLimits(model);
    this.bootTime = core.time;
    this.bootYaw = core.odometry().theta;
    this.lastStepTime = core.time;
    const o = core.odometry();
    this.lastOdom = { x: o.x, y: o.y, theta: o.theta };
    this.set(ControlTable.MODEL_NUMBER, OPENCR_MODEL_NUMBER);
    this.set(ControlTable.FIRMWARE_VER, OPENCR_FIRMWARE_VERSION);
    this.set(ControlTable.ID, OPENCR_ID);
    this.set(ControlTable.PROTOCOL_VER, 2);
    this.set(ControlTable.MODEL_INFORM, model.modelInform);
    // Both wheel motors answered at boot: torque on, status running (begin()).
    this.set(ControlTable.MOTOR_CONNECT, 1);
    this.set(ControlTable.MOTOR_TORQUE, 1);
    this.set(ControlTable.DEVICE_STATUS, DeviceStatus.Running);
    this.updateItems(0);
  }

  // ── DeviceEmulator ─────────────────────────────────────────────────────────────────

  attach(sink: ByteSink): void {
    this.sink = sink;
  }

  detach(sink?: ByteSink): void {
    if (!sink || sink === this.sink) this.sink = null;
  }

  receive(bytes: Uint8Array): void {
    for (const ev of this.decoder.push(bytes)) {
      if (ev.type === 'error') {
        if (ev.reason !== 'garbage') this.counters.rejected++;
        continue;
      }
      const p = ev.packet;
      if (p.kind !== 'instruction' || p.id !== OPENCR_ID) {
        this.counters.ignored++;
        continue;
      }
      const reply = this.process(p);
      if (reply === null) {
        this.counters.ignored++;
        continue;
      }
      this.counters.answered++;
      if (!this.silent) this.sink?.write(reply);
    }
  }

  afterStep(_result: StepResult): void {
    const t = this.core.time;
    this.integrateWheels(t - this.lastStepTime);
    this.lastStepTime = t;
    const nowMs = Math.round((t - this.bootTime) * 1000);
    this.updateConnection(nowMs);
    if (nowMs - this.lastItemsMs >= UPDATE_ITEMS_PERIOD_MS) this.updateItems(nowMs);
    if (nowMs - this.lastControlMs >= CONTROL_MOTOR_PERIOD_MS) this.controlMotors(nowMs);
  }

  // ── For tests and the operator ───────────────────────────────────────────────────────

  stats(): Turtlebot3EmulatorStats {
    return { ...this.counters };
  }

  /** Whether the firmware hears a heartbeat (CONNECT_ROS2). */
  get heartbeatConnected(): boolean {
    return this.connected;
  }

  /** Sim time (s) at which the firmware last saw the heartbeat change. */
  get heartbeatChangedAt(): number {
    return this.bootTime + this.heartbeatChangedMs / 1000;
  }

  get torqueEnabled(): boolean {
    return this.torque;
  }

  /** The firmware's current cmd_velocity goal, m/s and rad/s (zeroed by the dead-man). */
  get commandGoal(): { v: number; w: number } {
    return { v: this.goalLinear, w: this.goalAngular };
  }

  /** What the wheels were last told, as body velocity (m/s, rad/s). */
  get wheelCommand(): { v: number; w: number } {
    return { ...this.applied };
  }

  /** A control-table item as the host would read it. */
  read(it: ControlItem): number {
    return readField(this.table, 0, it);
  }

  // ── Packets ──────────────────────────────────────────────────────────────────────────

  /** The answer to an instruction for this ID, or null when the slave would not answer. */
  private process(p: InstructionPacket): Uint8Array | null {
    switch (p.instruction) {
      case Instruction.Ping:
        // Model number LE and firmware version (Slave::processInstPing).
        return encodeStatus(OPENCR_ID, 0, [OPENCR_MODEL_NUMBER & 0xff, OPENCR_MODEL_NUMBER >> 8, OPENCR_FIRMWARE_VERSION]);
      case Instruction.Read: {
        if (p.params.length !== 4) return null;
        const addr = p.params[0]! | (p.params[1]! << 8);
        const length = p.params[2]! | (p.params[3]! << 8);
        if (length + 11 > PACKET_BUFFER_BYTES) return null;
        const data = new Uint8Array(length);
        for (const it of this.items) {
          if (it.addr >= addr && it.addr + it.size <= addr + length) data.set(this.table.subarray(it.addr, it.addr + it.size), it.addr - addr);
        }
        return encodeStatus(OPENCR_ID, 0, data);
      }
      case Instruction.Write: {
        if (p.params.length <= 2) return null;
        const addr = p.params[0]! | (p.params[1]! << 8);
        const data = p.params.subarray(2);
        return encodeStatus(OPENCR_ID, this.write(addr, data));
      }
      default:
        return null;
    }
  }

  /** Slave::processInstWrite with the firmware's write callback; returns the status error byte. */
  private write(addr: number, data: Uint8Array): number {
    let error = 0;
    for (const it of this.items) {
      if (!(it.addr >= addr && it.addr + it.size <= addr + data.length)) continue;
      const backup = this.table.slice(it.addr, it.addr + it.size);
      this.table.set(data.subarray(it.addr - addr, it.addr - addr + it.size), it.addr);
      // Once an item failed, the slave skips the callbacks of the rest and restores them.
      if (error === 0) error = this.onWrite(it);
      if (error !== 0) this.table.set(backup, it.addr);
    }
    return error;
  }

  /** dxl_slave_write_callback_func: what writing an item does; a status error number or 0. */
  private onWrite(it: ControlItem): number {
    const T = ControlTable;
    if (SLAVE_ITEMS.has(it.addr)) return StatusError.DataRangeError;
    switch (it.addr) {
      case T.MODEL_INFORM.addr:
        return StatusError.AccessError;
      case T.IMU_RECALIBRATION.addr:
        // Calibrates at once here (the real board needs the robot still for a few seconds).
        this.set(T.IMU_RECALIBRATION, 0);
        return 0;
      case T.MOTOR_TORQUE.addr:
        this.torque = this.read(T.MOTOR_TORQUE) !== 0;
        return 0;
      case T.CMD_VEL_LINEAR_X.addr:
        this.goalLinear = clamp(this.read(T.CMD_VEL_LINEAR_X) * CENTI, this.limits.linear);
        return 0;
      case T.CMD_VEL_ANGULAR_Z.addr:
        this.goalAngular = clamp(this.read(T.CMD_VEL_ANGULAR_Z) * CENTI, this.limits.angular);
        return 0;
      default:
        return 0;
    }
  }

  // ── Firmware loop ────────────────────────────────────────────────────────────────────

  /** update_connection_state_with_ros2_node, run every loop. */
  private updateConnection(nowMs: number): void {
    if (this.preConnected !== this.connected) {
      // The firmware restarts the timer on every change of state (its wait for the IMU calibration).
      this.preConnected = this.connected;
      this.preHeartbeatMs = nowMs;
      return;
    }
    const heartbeat = this.read(ControlTable.HEARTBEAT);
    if (heartbeat !== this.preHeartbeat || this.read(ControlTable.DEBUG_MODE) !== 0) {
      this.preHeartbeatMs = nowMs;
      if (heartbeat !== this.preHeartbeat) this.heartbeatChangedMs = nowMs;
      this.preHeartbeat = heartbeat;
      this.connected = true;
    } else if (nowMs - this.preHeartbeatMs >= HEARTBEAT_TIMEOUT_MS) {
      this.preHeartbeatMs = nowMs;
      this.connected = false;
    }
    this.set(ControlTable.CONNECT_ROS2, this.connected ? 1 : 0);
  }

  /** The motor part of TurtleBot3Core::run and Turtlebot3MotorDriver::control_motors, every 20 ms. */
  private controlMotors(nowMs: number): void {
    this.lastControlMs = nowMs;
    if (!this.connected) {
      this.goalLinear = 0;
      this.goalAngular = 0;
    }
    if (!this.torque) {
      this.applied = { v: 0, w: 0 };
      this.core.stop();
      return;
    }
    const half = this.model.wheelSeparation / 2;
    const units = (rim: number) => Math.trunc(Math.max(-LIMIT_X_MAX_VELOCITY, Math.min(LIMIT_X_MAX_VELOCITY, rim * VELOCITY_CONSTANT_VALUE)));
    const left = units(this.goalLinear - this.goalAngular * half) / VELOCITY_CONSTANT_VALUE;
    const right = units(this.goalLinear + this.goalAngular * half) / VELOCITY_CONSTANT_VALUE;
    this.applied = { v: (left + right) / 2, w: (right - left) / this.model.wheelSeparation };
    this.core.setCommand(this.applied.v, this.applied.w);
  }

  /**
   * The wheels turn with the simulated body: rim speed of each wheel from (v, w). With drift on
   * the encoders' account is the odometry pose (its velocities leave out the random walk), so
   * the wheels follow its increments: travel along the mid-step heading and heading change.
   */
  private integrateWheels(dt: number): void {
    if (dt <= 0) return;
    const o = this.core.odometry();
    const half = this.model.wheelSeparation / 2;
    const ticksPerMetre = 1 / (WHEEL_RADIUS * TICK_TO_RAD);
    if (this.core.odometryDrifts) {
      const dTheta = normalizeAngle(o.theta - this.lastOdom.theta);
      const mid = this.lastOdom.theta + dTheta / 2;
      const ds = (o.x - this.lastOdom.x) * Math.cos(mid) + (o.y - this.lastOdom.y) * Math.sin(mid);
      this.ticksLeft += (ds - dTheta * half) * ticksPerMetre;
      this.ticksRight += (ds + dTheta * half) * ticksPerMetre;
    } else {
      this.ticksLeft += (o.v - o.w * half) * dt * ticksPerMetre;
      this.ticksRight += (o.v + o.w * half) * dt * ticksPerMetre;
    }
    this.lastOdom = { x: o.x, y: o.y, theta: o.theta };
  }

  /** update_times, update_imu, update_motor_status, update_battery_status (every 20 ms). */
  private updateItems(nowMs: number): void {
    this.lastItemsMs = nowMs;
    const T = ControlTable;
    const odo = this.core.odometry();
    const half = this.model.wheelSeparation / 2;
    this.set(T.MILLIS, nowMs >>> 0);
    // IMU: orientation about z since power-up, gyro, gravity on z.
    const yaw = odo.theta - this.bootYaw;
    this.set(T.ORIENTATION_W, Math.cos(yaw / 2));
    this.set(T.ORIENTATION_X, 0);
    this.set(T.ORIENTATION_Y, 0);
    this.set(T.ORIENTATION_Z, Math.sin(yaw / 2));
    this.set(T.ANGULAR_VELOCITY_X, 0);
    this.set(T.ANGULAR_VELOCITY_Y, 0);
    this.set(T.ANGULAR_VELOCITY_Z, odo.w);
    this.set(T.LINEAR_ACC_X, 0);
    this.set(T.LINEAR_ACC_Y, 0);
    this.set(T.LINEAR_ACC_Z, 9.80665);
    // Wheel motors (read over the DYNAMIXEL bus by the firmware): encoders wrap at int32 (writeField wraps).
    this.set(T.PRESENT_POSITION_L, Math.trunc(this.ticksLeft));
    this.set(T.PRESENT_POSITION_R, Math.trunc(this.ticksRight));
    this.set(T.PRESENT_VELOCITY_L, Math.trunc((odo.v - odo.w * half) / VELOCITY_UNIT_MS));
    this.set(T.PRESENT_VELOCITY_R, Math.trunc((odo.v + odo.w * half) / VELOCITY_UNIT_MS));
    this.set(T.MOTOR_TORQUE, this.torque ? 1 : 0);
    // Battery: the simulator's charge as a 3S LiPo voltage on the firmware's own 10.5–12.3 V scale.
    const volts = BATTERY_EMPTY_VOLTAGE + ((BATTERY_FULL_VOLTAGE - BATTERY_EMPTY_VOLTAGE) * this.core.status().batteryPercent) / 100;
    this.set(T.BATTERY_VOLTAGE, Math.trunc(volts * 100));
    const percent = batteryPercentFromVoltage(volts);
    if (percent !== null) this.set(T.BATTERY_PERCENT, Math.trunc(percent * 100));
  }

  private set(it: ControlItem, value: number): void {
    writeField(this.table, 0, it, value);
  }
}

function clamp(x: number, limit: number): number {
  return Math.max(-limit, Math.min(limit, x));
}
