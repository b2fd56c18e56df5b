/**
 * Robot link protocol v1: the typed messages. The byte layout is specified in
 * docs/protocol.md and implemented in src/shared/wire/ (host: framing.ts, payload.ts) and
 * resources/firmware/foresight_link.h (robot). SI units throughout.
 */

export const PROTOCOL_VERSION = 1;

/** Message type ids. Robot → host below 0x80, host → robot from 0x80. */
export const MsgType = {
  Hello: 0x01,
  Odometry: 0x02,
  LaserScan: 0x03,
  Status: 0x04,
  ScreenState: 0x05,
  Pong: 0x06,
  VelocityCommand: 0x81,
  ScreenCommand: 0x82,
  Stop: 0x83,
  Ping: 0x84,
} as const;
export type MsgTypeId = (typeof MsgType)[keyof typeof MsgType];

/** Robot description sent at handshake. Footprint in base_link, metres. */
/**
 * A robot's body and drive limits, as it describes itself in Hello (and as the simulator's
 * robot parameters hold them).
 */
export interface RobotSpec {
  /** Robot name, UTF-8, at most 32 bytes on the wire. */
  name: string;
  /** Footprint rectangle: length along base_link x, width along y (m). */
  footprintLength: number;
  footprintWidth: number;
  /** x of the footprint rectangle's centre in base_link, metres. */
  footprintCenterOffsetX: number;
  /** Distance between the drive wheels, metres. */
  wheelBase: number;
  maxLinearVelocity: number; // m/s
  maxAngularVelocity: number; // rad/s
  maxLinearAccel: number; // m/s²
  maxAngularAccel: number; // rad/s²
  maxLinearJerk: number; // m/s³
  maxAngularJerk: number; // rad/s³
  /** Screen (head) pan limits relative to base_link x, radians; rate rad/s; accel rad/s². */
  panMin: number;
  panMax: number;
  panMaxRate: number;
  panMaxAccel: number;
}

/** A lidar's scan layout (lidar frame, SI), whoever describes it: Hello, a lidar driver, the simulator. */
export interface LidarLayout {
  beams: number;
  /** First beam angle in the lidar frame, radians, (−π, π]. */
  angleMin: number;
  /** Angle between beams, radians. */
  angleIncrement: number;
  /** Shortest valid range, metres. */
  rangeMin: number;
  /** Longest range, metres; no return within it reads +Infinity (REP 117). */
  rangeMax: number;
  /** Revolutions per second. */
  rateHz: number;
}

export interface HelloMsg extends RobotSpec {
  type: 'hello';
  protocolVersion: number;
  /** Lidar layout: beams, first beam angle and increment (rad, lidar frame), ranges (m), rate (Hz). */
  lidarBeams: number;
  lidarAngleMin: number;
  lidarAngleIncrement: number;
  lidarRangeMin: number;
  lidarRangeMax: number;
  lidarRateHz: number;
  /** Lidar mount pose in base_link (m, m, rad). */
  lidarMountX: number;
  lidarMountY: number;
  lidarMountYaw: number;
}

/** Dead-reckoned pose in the odom frame and measured body velocity. */
export interface OdometryMsg {
  type: 'odometry';
  x: number; // m, odom
  y: number; // m, odom
  theta: number; // rad, odom
  v: number; // m/s, base_link x
  w: number; // rad/s
  /** Sequence number of the last VelocityCommand the robot applied (latency measurement). */
  lastCommandSeq: number;
}

/** One lidar revolution. Header timestamp = time of the first beam. Ranges in metres; NaN/Inf allowed on the wire and rejected by the host. */
export interface LaserScanMsg {
  type: 'laser-scan';
  angleMin: number; // rad, lidar frame
  angleIncrement: number; // rad
  timeIncrement: number; // s between beams
  rangeMin: number; // m
  rangeMax: number; // m
  ranges: Float32Array;
}

/** Fault bits in StatusMsg.faults. */
export const Fault = {
  MotorOvercurrent: 1 << 0,
  MotorDriver: 1 << 1,
  Lidar: 1 << 2,
  LowBattery: 1 << 3,
  Bumper: 1 << 4,
  /** The robot stopped because no valid VelocityCommand arrived for 250 ms. */
  CommandWatchdog: 1 << 5,
} as const;

export interface StatusMsg {
  type: 'status';
  batteryVoltage: number; // V
  /** 0–100, or 255 when unknown. */
  batteryPercent: number;
  faults: number;
  estopPressed: boolean;
  motorsEnabled: boolean;
}

export interface ScreenStateMsg {
  type: 'screen-state';
  panAngle: number; // rad, relative to base_link x
  panVelocity: number; // rad/s
}

/** Reply to Ping. The header timestamp is the robot's send time. */
export interface PongMsg {
  type: 'pong';
  pingSeq: number;
  /** The Ping's header timestamp, echoed (host clock, µs). */
  hostTimeUs: number;
  /** When the robot received the Ping (robot clock, µs). */
  robotRxTimeUs: number;
}

/** Body velocity command in base_link. The robot stops by itself 250 ms after the last one. */
export interface VelocityCommandMsg {
  type: 'velocity-command';
  v: number; // m/s
  w: number; // rad/s
}

export interface ScreenCommandMsg {
  type: 'screen-command';
  panAngle: number; // rad, target relative to base_link x
  maxRate: number; // rad/s
}

export const StopReason = { Operator: 0, Safety: 1, LinkLoss: 2, Shutdown: 3 } as const;

export interface StopMsg {
  type: 'stop';
  reason: number;
}

export interface PingMsg {
  type: 'ping';
  /** Ask the robot to (re)send Hello: used for the handshake. */
  requestHello: boolean;
}

export type RobotMessage = HelloMsg | OdometryMsg | LaserScanMsg | StatusMsg | ScreenStateMsg | PongMsg;
export type HostMessage = VelocityCommandMsg | ScreenCommandMsg | StopMsg | PingMsg;
export type LinkMessage = RobotMessage | HostMessage;

/** A decoded frame: header fields plus the message. */
export interface LinkFrame<M extends LinkMessage = LinkMessage> {
  version: number;
  /** Sender's sequence number, u16, wraps. */
  seq: number;
  /** Sender's clock at send time, µs. */
  timestampUs: number;
  msg: M;
}
