/**
 * The TurtleBot3 OpenCR control table (firmware `turtlebot3_ros2`), as the board exposes it to
 * a host over USB as DYNAMIXEL Protocol 2.0 device ID 200, and small pure helpers to read and
 * write its fields. Used by the TurtleBot3 driver and by the OpenCR emulator.
 *
 * Sources (ROBOTIS, Apache-2.0), read for the numbers, not copied:
 * - ROBOTIS-GIT/OpenCR arduino/opencr_arduino/opencr/libraries/turtlebot3_ros2/
 *   src/turtlebot3/turtlebot3.cpp (V221004R1): `enum ControlTableItemAddr`, the item types in
 *   `ControlItemVariables`, the write callback (cmd_velocity ×0.01, clamped to the model's
 *   limits), `update_connection_state_with_ros2_node` (the 500 ms heartbeat dead-man) and
 *   the 20 ms motor-control and control-item periods (include/turtlebot3/turtlebot3.h);
 *   src/turtlebot3/turtlebot3_motor_driver.cpp (wheel velocity in DYNAMIXEL units).
 * - ROBOTIS-GIT/Dynamixel2Arduino src/utility/slave.cpp: the slave's own items (model
 *   number at 0, firmware version 6, ID 7, protocol version 9), and how READ/WRITE cover
 *   several items (only items lying wholly inside the range are read or written).
 * - ROBOTIS-GIT/turtlebot3 turtlebot3_node (ROS 2): control_table.hpp and turtlebot3.cpp,
 *   how the host uses it — one READ of the block from `millis`, cmd_velocity written as six
 *   int32 (linear x, y, z, angular x, y, z; only x and z used) ×100, heartbeat counter
 *   written every 100 ms; odometry.cpp and sensors/joint_state.hpp (TICK_TO_RAD, RPM_TO_MS,
 *   IMU yaw with `odometry.use_imu: true`).
 *
 * Everything on the wire is little-endian. Units are the firmware's: stated per item.
 */

/** DYNAMIXEL ID of the OpenCR on its USB port (ID_DXL_SLAVE). */
export const OPENCR_ID = 200;
/** Model number the OpenCR answers PING with (MODEL_NUM_DXL_SLAVE). */
export const OPENCR_MODEL_NUMBER = 0x5000;
/** FIRMWARE_VER of turtlebot3_ros2, reported in PING's third byte and at address 6. */
export const OPENCR_FIRMWARE_VERSION = 5;
/** USB baud rate (a CDC port ignores it, but the host opens it so). */
export const OPENCR_BAUD_RATE = 1_000_000;

/** The firmware zeroes cmd_velocity when the heartbeat byte has not changed for this long (HEARTBEAT_TIMEOUT_MS). */
export const HEARTBEAT_TIMEOUT_MS = 500;
/** Period of the firmware's wheel-command loop (INTERVAL_MS_TO_CONTROL_MOTOR). */
export const CONTROL_MOTOR_PERIOD_MS = 20;
/** Period at which the firmware refreshes the readable items (INTERVAL_MS_TO_UPDATE_CONTROL_ITEM). */
export const UPDATE_ITEMS_PERIOD_MS = 20;

export type FieldType = 'u8' | 'i8' | 'bool' | 'u16' | 'u32' | 'i32' | 'f32';

export interface ControlItem {
  /** Control-table address. */
  addr: number;
  /** Bytes. */
  size: 1 | 2 | 4;
  type: FieldType;
}

const item = (addr: number, type: FieldType): ControlItem => ({ addr, size: type === 'u16' ? 2 : type === 'u32' || type === 'i32' || type === 'f32' ? 4 : 1, type });

/**
 * The control table of turtlebot3_ros2 for the Burger and Waffle (Pi) — the manipulator's
 * items from 199 on are not listed. Names are the firmware's (ADDR_…), units in comments.
 */
export const ControlTable = {
  // Dynamixel2Arduino Slave's own items.
  MODEL_NUMBER: item(0, 'u16'), // 0x5000
  FIRMWARE_VER: item(6, 'u8'), // 5
  ID: item(7, 'u8'), // 200
  PROTOCOL_VER: item(9, 'u8'), // 2
  // turtlebot3_ros2.
  MODEL_INFORM: item(2, 'u32'), // 1 Burger, 2 Waffle (and Waffle Pi), 3 Waffle + OpenMANIPULATOR; write → access error
  MILLIS: item(10, 'u32'), // ms since the board started
  DEBUG_MODE: item(14, 'bool'), // 1: heartbeat ignored (always connected)
  CONNECT_ROS2: item(15, 'bool'), // the firmware's heartbeat state: 1 while the heartbeat changes
  CONNECT_MANIP: item(16, 'bool'),
  DEVICE_STATUS: item(18, 'i8'), // 0 running, −1 wheel motors not found at boot
  HEARTBEAT: item(19, 'u8'), // host-written counter; must CHANGE at least every 500 ms
  USER_LED_1: item(20, 'bool'),
  USER_LED_2: item(21, 'bool'),
  USER_LED_3: item(22, 'bool'),
  USER_LED_4: item(23, 'bool'),
  BUTTON_1: item(26, 'bool'),
  BUTTON_2: item(27, 'bool'),
  BUMPER_1: item(28, 'bool'), // OLLO touch sensor on port 3 (not fitted on a stock robot)
  BUMPER_2: item(29, 'bool'), // OLLO touch sensor on port 4
  ILLUMINATION: item(30, 'u16'), // raw ADC
  IR: item(34, 'u32'), // raw ADC
  SORNA: item(38, 'f32'), // sonar (firmware's spelling), cm; not updated by V221004R1
  BATTERY_VOLTAGE: item(42, 'u32'), // V × 100
  BATTERY_PERCENT: item(46, 'u32'), // % × 100, 3S LiPo mapped 10.5 V → 0 %, 12.3 V → 100 %; held below 10.5 V
  SOUND: item(50, 'u8'), // melody number to play
  IMU_RECALIBRATION: item(59, 'bool'), // write 1: gyro calibration (robot must stand still)
  ANGULAR_VELOCITY_X: item(60, 'f32'), // rad/s, IMU frame
  ANGULAR_VELOCITY_Y: item(64, 'f32'),
  ANGULAR_VELOCITY_Z: item(68, 'f32'), // rad/s, CCW seen from above (REP 103)
  LINEAR_ACC_X: item(72, 'f32'), // m/s²
  LINEAR_ACC_Y: item(76, 'f32'),
  LINEAR_ACC_Z: item(80, 'f32'),
  MAGNETIC_X: item(84, 'f32'), // T (raw × 15e-8)
  MAGNETIC_Y: item(88, 'f32'),
  MAGNETIC_Z: item(92, 'f32'),
  ORIENTATION_W: item(96, 'f32'), // unit quaternion from the IMU's fusion filter; yaw relative to power-up
  ORIENTATION_X: item(100, 'f32'),
  ORIENTATION_Y: item(104, 'f32'),
  ORIENTATION_Z: item(108, 'f32'),
  PRESENT_CURRENT_L: item(120, 'i32'), // DYNAMIXEL current units (XM430: 2.69 mA)
  PRESENT_CURRENT_R: item(124, 'i32'),
  PRESENT_VELOCITY_L: item(128, 'i32'), // 0.229 rpm per unit, positive = wheel drives the robot forward
  PRESENT_VELOCITY_R: item(132, 'i32'),
  PRESENT_POSITION_L: item(136, 'i32'), // encoder ticks, 4096 per wheel turn, multi-turn, wraps at int32
  PRESENT_POSITION_R: item(140, 'i32'),
  MOTOR_CONNECT: item(148, 'bool'), // both wheel motors answered at boot
  MOTOR_TORQUE: item(149, 'bool'), // write 0/1: wheel motors' torque (on at boot); read: their state
  CMD_VEL_LINEAR_X: item(150, 'i32'), // cm/s (×0.01 → m/s), base_link x; clamped to the model's limit
  CMD_VEL_LINEAR_Y: item(154, 'i32'), // unused by the firmware
  CMD_VEL_LINEAR_Z: item(158, 'i32'), // unused
  CMD_VEL_ANGULAR_X: item(162, 'i32'), // unused
  CMD_VEL_ANGULAR_Y: item(166, 'i32'), // unused
  CMD_VEL_ANGULAR_Z: item(170, 'i32'), // 0.01 rad/s (×0.01 → rad/s), CCW; clamped to the model's limit
  PROFILE_ACC_L: item(174, 'u32'), // DYNAMIXEL profile acceleration, 214.577 rev/min² per unit; 0 = none
  PROFILE_ACC_R: item(178, 'u32'),
} as const satisfies Record<string, ControlItem>;

export type ControlItemName = keyof typeof ControlTable;

/** The items the firmware registers with the slave, in registration order (the write callbacks run in this order). */
export const REGISTERED_ITEMS: readonly ControlItemName[] = [
  'MODEL_NUMBER', 'FIRMWARE_VER', 'ID', 'PROTOCOL_VER',
  'MODEL_INFORM', 'MILLIS', 'DEBUG_MODE', 'CONNECT_ROS2', 'CONNECT_MANIP', 'DEVICE_STATUS', 'HEARTBEAT',
  'USER_LED_1', 'USER_LED_2', 'USER_LED_3', 'USER_LED_4', 'BUTTON_1', 'BUTTON_2', 'BUMPER_1', 'BUMPER_2',
  'ILLUMINATION', 'IR', 'SORNA', 'BATTERY_VOLTAGE', 'BATTERY_PERCENT', 'SOUND', 'IMU_RECALIBRATION',
  'ANGULAR_VELOCITY_X', 'ANGULAR_VELOCITY_Y', 'ANGULAR_VELOCITY_Z', 'LINEAR_ACC_X', 'LINEAR_ACC_Y', 'LINEAR_ACC_Z',
  'MAGNETIC_X', 'MAGNETIC_Y', 'MAGNETIC_Z', 'ORIENTATION_W', 'ORIENTATION_X', 'ORIENTATION_Y', 'ORIENTATION_Z',
  'PRESENT_POSITION_L', 'PRESENT_POSITION_R', 'PRESENT_VELOCITY_L', 'PRESENT_VELOCITY_R', 'PRESENT_CURRENT_L', 'PRESENT_CURRENT_R',
  'MOTOR_CONNECT', 'MOTOR_TORQUE', 'CMD_VEL_LINEAR_X', 'CMD_VEL_LINEAR_Y', 'CMD_VEL_LINEAR_Z',
  'CMD_VEL_ANGULAR_X', 'CMD_VEL_ANGULAR_Y', 'CMD_VEL_ANGULAR_Z', 'PROFILE_ACC_L', 'PROFILE_ACC_R',
];

/** One past the last address of the base robot's table. */
export const CONTROL_TABLE_END = 182;

/** MODEL_INFORM values. The Waffle Pi runs the Waffle firmware. */
export const ModelInform = { Burger: 1, Waffle: 2, WaffleOpenManipulator: 3 } as const;

/** DEVICE_STATUS values. */
export const DeviceStatus = { Running: 0, NotConnectedMotors: -1 } as const;

/** cmd_velocity and battery items are in hundredths of their SI unit. */
export const CENTI = 0.01;
/** Wheel radius of both models, m (turtlebot3.cpp model info; turtlebot3_node wheels.radius). */
export const WHEEL_RADIUS = 0.033;
/** Encoder ticks per wheel turn (XL430/XM430, 0.088° per tick). */
export const TICKS_PER_TURN = 4096;
/** rad per encoder tick (the firmware and turtlebot3_node use the rounded 0.001533981). */
export const TICK_TO_RAD = (2 * Math.PI) / TICKS_PER_TURN;
/** rpm per unit of DYNAMIXEL X velocity. */
export const VELOCITY_UNIT_RPM = 0.229;
/** m/s of wheel rim per velocity unit: 0.229 rpm × 2π r / 60 (turtlebot3_node RPM_TO_MS). */
export const VELOCITY_UNIT_MS = (VELOCITY_UNIT_RPM * 2 * Math.PI * WHEEL_RADIUS) / 60;
/** Goal-velocity units per m/s the firmware uses (VELOCITY_CONSTANT_VALUE = 1 / VELOCITY_UNIT_MS, rounded). */
export const VELOCITY_CONSTANT_VALUE = 1263.632956882;
/** Largest wheel goal velocity the firmware writes, units (LIMIT_X_MAX_VELOCITY: 77 rpm / 0.229). */
export const LIMIT_X_MAX_VELOCITY = 337;
/** Battery voltage at or below which the OpenCR runs from USB (turtlebot3_node: `present = voltage > 7`), V. */
export const NO_BATTERY_VOLTAGE = 7.0;
/** The firmware's low-battery alarm threshold (turtlebot3_diagnosis.cpp voltage_ref_warn), V. */
export const LOW_BATTERY_VOLTAGE = 11.0;
/** 3S LiPo range the firmware maps to 0–100 % (3.5 V and 4.1 V per cell), V. */
export const BATTERY_EMPTY_VOLTAGE = 3.5 * 3;
export const BATTERY_FULL_VOLTAGE = 4.1 * 3;

export interface Turtlebot3Model {
  /** For people, as the firmware's begin() takes it. */
  name: 'Burger' | 'Waffle';
  modelInform: number;
  /** Wheel separation, m. */
  wheelSeparation: number;
  /** The firmware divides its speed limit by this to get the turn-rate limit, m. */
  turningRadius: number;
  /** Wheel motor speed the firmware's limits assume, rpm (XL430 61, XM430 77). */
  motorRpm: number;
}

/** Per-model constants of turtlebot3.cpp (burger_info, waffle_info and model_motor_rpm). */
export const MODELS: Record<'burger' | 'waffle', Turtlebot3Model> = {
  burger: { name: 'Burger', modelInform: ModelInform.Burger, wheelSeparation: 0.16, turningRadius: 0.08, motorRpm: 61 },
  waffle: { name: 'Waffle', modelInform: ModelInform.Waffle, wheelSeparation: 0.287, turningRadius: 0.1435, motorRpm: 77 },
};

/**
 * The model a profile means by `options.model` ('burger', 'waffle', 'waffle-pi'); null when
 * it names none of them.
 */
export function modelForProfile(option: unknown): Turtlebot3Model | null {
  const name = typeof option === 'string' ? option.toLowerCase().replace(/[\s_]/g, '-') : '';
  if (name === 'burger') return MODELS.burger;
  if (name === 'waffle' || name === 'waffle-pi') return MODELS.waffle;
  return null;
}

/** The model a MODEL_INFORM value names, for messages ("Burger", "Waffle", …). */
export function modelInformName(value: number): string {
  if (value === ModelInform.Burger) return 'Burger';
  if (value === ModelInform.Waffle) return 'Waffle / Waffle Pi';
  if (value === ModelInform.WaffleOpenManipulator) return 'Waffle with OpenMANIPULATOR';
  return `unknown model ${value}`;
}

/** The firmware's cmd_velocity limits (begin(): wheel rim speed at the model's rpm; ÷ turning radius), m/s and rad/s. */
export function firmwareVelocityLimits(model: Turtlebot3Model): { linear: number; angular: number } {
  const linear = (WHEEL_RADIUS * 2 * Math.PI * model.motorRpm) / 60;
  return { linear, angular: linear / model.turningRadius };
}

// ── Fields ─────────────────────────────────────────────────────────────────────────────

/** Reads `it` from `bytes`, a block of the table starting at address `base`. */
export function readField(bytes: Uint8Array, base: number, it: ControlItem): number {
  const off = it.addr - base;
  if (off < 0 || off + it.size > bytes.length) throw new RangeError(`address ${it.addr} (${it.size} bytes) outside the block ${base}–${base + bytes.length - 1}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset + off, it.size);
  switch (it.type) {
    case 'u8':
    case 'bool':
      return view.getUint8(0);
    case 'i8':
      return view.getInt8(0);
    case 'u16':
      return view.getUint16(0, true);
    case 'u32':
      return view.getUint32(0, true);
    case 'i32':
      return view.getInt32(0, true);
    case 'f32':
      return view.getFloat32(0, true);
  }
}

/** Writes `value` as `it` into `bytes`, a block of the table starting at address `base` (integers truncated toward zero, wrapped to the width). */
export function writeField(bytes: Uint8Array, base: number, it: ControlItem, value: number): void {
  const off = it.addr - base;
  if (off < 0 || off + it.size > bytes.length) throw new RangeError(`address ${it.addr} (${it.size} bytes) outside the block ${base}–${base + bytes.length - 1}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset + off, it.size);
  const int = Number.isFinite(value) ? Math.trunc(value) : 0;
  switch (it.type) {
    case 'u8':
    case 'i8':
      view.setUint8(0, int & 0xff);
      return;
    case 'bool':
      view.setUint8(0, value ? 1 : 0);
      return;
    case 'u16':
      view.setUint16(0, int & 0xffff, true);
      return;
    case 'u32':
    case 'i32':
      view.setUint32(0, int >>> 0, true);
      return;
    case 'f32':
      view.setFloat32(0, value, true);
      return;
  }
}

/** The bytes of one field, for a WRITE. */
export function encodeField(it: ControlItem, value: number): Uint8Array {
  const out = new Uint8Array(it.size);
  writeField(out, it.addr, it, value);
  return out;
}

// ── What the host writes ──────────────────────────────────────────────────────────────

/** The block turtlebot3_node writes for a Twist: cmd_velocity linear x … angular z, 6 × int32 from address 150. */
export const CMD_VELOCITY_BLOCK = { addr: ControlTable.CMD_VEL_LINEAR_X.addr, length: ControlTable.CMD_VEL_ANGULAR_Z.addr + 4 - ControlTable.CMD_VEL_LINEAR_X.addr };

/**
 * The 24 bytes of cmd_velocity for a body velocity (m/s, rad/s; base_link, REP 103): linear x
 * in cm/s and angular z in 0.01 rad/s, rounded to nearest (turtlebot3_node truncates; rounding
 * halves the worst error of the 1 cm/s step), the unused axes 0.
 */
export function cmdVelocityData(v: number, w: number): Uint8Array {
  const out = new Uint8Array(CMD_VELOCITY_BLOCK.length);
  writeField(out, CMD_VELOCITY_BLOCK.addr, ControlTable.CMD_VEL_LINEAR_X, Math.round(finite(v) / CENTI));
  writeField(out, CMD_VELOCITY_BLOCK.addr, ControlTable.CMD_VEL_ANGULAR_Z, Math.round(finite(w) / CENTI));
  return out;
}

function finite(x: number): number {
  return Number.isFinite(x) ? x : 0;
}

// ── What the host reads ───────────────────────────────────────────────────────────────

/**
 * The block the driver reads each period: from MILLIS to MOTOR_TORQUE (140 bytes), i.e. the
 * clock, status, heartbeat, bumpers, battery, IMU, wheel currents, velocities and positions,
 * motor connection and torque. (turtlebot3_node reads from MILLIS to PROFILE_ACC_R, 172 bytes;
 * nothing past MOTOR_TORQUE is needed here.)
 */
export const TELEMETRY_BLOCK = { addr: ControlTable.MILLIS.addr, length: ControlTable.MOTOR_TORQUE.addr + 1 - ControlTable.MILLIS.addr };

/** The telemetry block decoded, in the firmware's units converted to SI where stated. */
export interface Turtlebot3Telemetry {
  /** Board clock, ms (u32, wraps after 49.7 days). */
  millis: number;
  deviceStatus: number;
  /** Whether the firmware currently hears a heartbeat (CONNECT_ROS2). */
  heartbeatConnected: boolean;
  bumper1: boolean;
  bumper2: boolean;
  /** V. */
  batteryVoltage: number;
  /** %, 0–100 as the firmware computed it. */
  batteryPercent: number;
  /** rad/s, CCW. */
  gyroZ: number;
  /** IMU quaternion. */
  orientation: { w: number; x: number; y: number; z: number };
  /** Wheel velocity units (× VELOCITY_UNIT_MS → m/s at the rim). */
  velocityLeft: number;
  velocityRight: number;
  /** Encoder ticks. */
  positionLeft: number;
  positionRight: number;
  motorsConnected: boolean;
  torqueEnabled: boolean;
}

/** Decodes a READ of TELEMETRY_BLOCK (its params). */
export function decodeTelemetry(block: Uint8Array): Turtlebot3Telemetry {
  if (block.length !== TELEMETRY_BLOCK.length) throw new RangeError(`telemetry block is ${TELEMETRY_BLOCK.length} bytes, got ${block.length}`);
  const base = TELEMETRY_BLOCK.addr;
  const f = (it: ControlItem) => readField(block, base, it);
  const T = ControlTable;
  return {
    millis: f(T.MILLIS),
    deviceStatus: f(T.DEVICE_STATUS),
    heartbeatConnected: f(T.CONNECT_ROS2) !== 0,
    bumper1: f(T.BUMPER_1) !== 0,
    bumper2: f(T.BUMPER_2) !== 0,
    batteryVoltage: f(T.BATTERY_VOLTAGE) * CENTI,
    batteryPercent: f(T.BATTERY_PERCENT) * CENTI,
    gyroZ: f(T.ANGULAR_VELOCITY_Z),
    orientation: { w: f(T.ORIENTATION_W), x: f(T.ORIENTATION_X), y: f(T.ORIENTATION_Y), z: f(T.ORIENTATION_Z) },
    velocityLeft: f(T.PRESENT_VELOCITY_L),
    velocityRight: f(T.PRESENT_VELOCITY_R),
    positionLeft: f(T.PRESENT_POSITION_L),
    positionRight: f(T.PRESENT_POSITION_R),
    motorsConnected: f(T.MOTOR_CONNECT) !== 0,
    torqueEnabled: f(T.MOTOR_TORQUE) !== 0,
  };
}

/** Yaw (rad, CCW about z) of a quaternion, as turtlebot3_node's Odometry::update_imu takes it. */
export function yawFromQuaternion(q: { w: number; x: number; y: number; z: number }): number {
  return Math.atan2(q.x * q.y + q.w * q.z, 0.5 - q.y * q.y - q.z * q.z);
}

/** Change between two encoder readings, ticks, across the int32 wrap. */
export function tickDelta(now: number, before: number): number {
  return (now - before) | 0;
}

/** The firmware's percent from a battery voltage (update_battery_status), or null below 10.5 V where it keeps the last value. */
export function batteryPercentFromVoltage(volts: number): number | null {
  if (volts < BATTERY_EMPTY_VOLTAGE) return null;
  return ((volts - BATTERY_EMPTY_VOLTAGE) * 100) / (BATTERY_FULL_VOLTAGE - BATTERY_EMPTY_VOLTAGE);
}
