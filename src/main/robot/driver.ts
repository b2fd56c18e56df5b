/**
 * The robot seam: the one interface the console core talks to, whatever the robot speaks.
 * A driver per protocol (Foresight's own link, TurtleBot3's DYNAMIXEL control table, MAVLink,
 * the Create 2 OI, Kobuki, the in-process simulator) translates at the edge: mm/s, ticks,
 * NED, 0.01 units and robot clocks stop inside the driver, and out come the messages of
 * src/shared/protocol.ts in SI units and REP 103/105 frames (odometry in `odom`, scans in the
 * lidar frame, velocities in `base_link`), stamped on the host clock. A lidar on its own port
 * is a second device merged into the same robot (see `withLidar`).
 *
 * Timing: every time crossing the seam is host time in seconds on the core's clock.
 */
import type { LinkStatus } from '../../shared/api';
import type { Twist2D } from '../../shared/geometry';
import type { HelloMsg, HostMessage, LaserScanMsg, LidarLayout, LinkFrame, RobotMessage } from '../../shared/protocol';

/** What a robot is and can do, as its driver knows it once the robot has answered. */
export interface RobotCapabilities {
  /** Which driver speaks to it, e.g. 'foresight-link', 'sim', 'turtlebot3', 'mavlink', 'create2'. */
  driver: string;
  /**
   * Body, drive limits, screen and lidar layout in Hello's terms (SI; `lidarBeams` 0 when the
   * robot has no lidar, pan limits 0 when it has no screen). Drivers of robots that do not
   * describe themselves fill it from the model's published specification.
   */
  spec: HelloMsg;
  /** How it steers: commands are base_link (v, w) for all of them; ackermann has a minimum turning radius. */
  drive: 'differential' | 'skid-steer' | 'ackermann';
  /** Whether reversing is allowed. */
  reverses: boolean;
  /** Where scans come from: none, the base's own lidar, or a separate lidar device merged in. */
  lidar: 'none' | 'onboard' | 'separate';
  /** Whether the robot has a panning screen that follows screen commands. */
  screen: boolean;
  /**
   * What the robot does by itself when commands stop arriving: its firmware watchdog's
   * timeout (s) and plain words for the operator; null when it keeps going (the console then
   * must never go quiet while it moves, and says so).
   */
  watchdog: { timeoutS: number; action: string } | null;
}

/** One message from the robot in shared units and frames, with its times on the host clock. */
export interface RobotSample<M extends RobotMessage = RobotMessage> {
  /**
   * The message in a frame: for Foresight's link the frame as received (sequence number,
   * robot clock in µs); other drivers number their samples and stamp them with the robot's
   * own clock where it has one (the fault monitor checks both for jumps and replays).
   */
  frame: LinkFrame<M>;
  /** Host time the sample arrived, s. */
  receivedAt: number;
  /** Host time the data was measured (a scan: its first beam), s; never after `receivedAt`. */
  stamp: number;
  /**
   * Set on samples from a separate device merged into the robot (a lidar on its own port):
   * they are stamped on the host clock, not the robot's, so robot-clock checks skip them.
   */
  device?: 'lidar';
}

/** Something a driver found wrong below the message level, in plain words and numbers. */
export interface DriverFault {
  /** e.g. 'robot-clock-jump', 'lidar-lost'. */
  kind: string;
  message: string;
  /** Host time, ms. */
  atMs: number;
  detail: Record<string, number | string>;
}

/** A command as it left for the robot, for fast-forward and the run log. */
export interface SentToRobot {
  frame: LinkFrame<HostMessage>;
  /** Host time it was written, s. */
  sentAt: number;
}

export interface RobotLinkState {
  state: LinkStatus['state'];
  message: string;
  /** Host time of the change, s. */
  at: number;
}

export interface RobotDriverEvents {
  /** The robot described itself (again after every reconnect). */
  capabilities: RobotCapabilities;
  sample: RobotSample;
  /** Link state changes: connecting, connected, lost (reconnecting), incompatible, disconnected. */
  state: RobotLinkState;
  /** Something the driver found wrong below the message level (e.g. the robot clock jumped). */
  fault: DriverFault;
  /** A corrupt or unexpected frame, dropped. */
  'bad-frame': { reason: string; detail: string; at: number };
  sent: SentToRobot;
}

export type RobotDriverEventName = keyof RobotDriverEvents;

/** Motion commands and telemetry for one robot, whatever it speaks. */
export interface RobotDriver {
  /** Where it is reached, for the run log and the operator: "serial:/dev/ttyACM0", "sim". */
  readonly endpoint: string;
  /** Starts connecting (and reconnecting after a loss) in the background. */
  connect(): void;
  /** Stops the robot, closes every port, releases what the driver started. Idempotent. */
  dispose(): Promise<void>;
  /** Known once the robot has answered; null before. */
  capabilities(): RobotCapabilities | null;
  /** Link health for the status bar. */
  status(): LinkStatus;
  /**
   * Delays measured on this link, s: how old a sample is when it arrives, and how long a
   * command takes to reach the motors. Fast-forward and trajectory hand-off use them.
   */
  latency(): { sensorAgeS: number; commandTransitS: number };
  /**
   * The body velocity to hold (base_link, m/s and rad/s), decided at host time `at` (s). The
   * driver keeps the robot's watchdog fed with the newest command at its own rate.
   */
  setVelocity(cmd: Twist2D, at: number): void;
  /** Stop now, as hard as the robot can (an explicit stop message where the protocol has one). */
  stop(reason: 'operator' | 'safety' | 'link-loss' | 'shutdown'): void;
  /** Screen pan target (rad, base_link) and rate limit (rad/s); ignored by robots without a screen. */
  setScreen(cmd: { panAngle: number; maxRate: number }): void;
  /** Subscribes to one event; returns the unsubscribe function. */
  on<E extends RobotDriverEventName>(event: E, listener: (payload: RobotDriverEvents[E]) => void): () => void;
}

/** Where a lidar sits on the robot: base_link, metres and radians. */
export interface LidarMount {
  x: number;
  y: number;
  yaw: number;
}

/** A lidar's scan layout as its driver learns it from the device, and what it is. */
export interface LidarDescription extends LidarLayout {
  /** Model and serial number or firmware, for the operator. */
  name: string;
}

export interface LidarDeviceEvents {
  /** The device answered (again after a reconnect) with its layout. */
  layout: LidarDescription;
  /** One revolution: ranges in the lidar frame; times on the host clock, s. */
  scan: { msg: LaserScanMsg; receivedAt: number; stamp: number };
  state: RobotLinkState;
  fault: DriverFault;
}

/** A lidar on its own port (RPLIDAR, LDS-01/02…): the second device of a robot. */
export interface LidarDevice {
  readonly endpoint: string;
  connect(): void;
  /** Stops the motor and closes the port. Idempotent. */
  dispose(): Promise<void>;
  layout(): LidarDescription | null;
  on<E extends keyof LidarDeviceEvents>(event: E, listener: (payload: LidarDeviceEvents[E]) => void): () => void;
}

/** A tiny typed event hub for drivers and devices. */
export class EventHub<Events extends object> {
  private readonly listeners = new Map<keyof Events, Set<(p: never) => void>>();

  on<E extends keyof Events>(event: E, listener: (payload: Events[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as (p: never) => void);
    return () => set.delete(listener as (p: never) => void);
  }

  emit<E extends keyof Events>(event: E, payload: Events[E]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const l of set) (l as (p: Events[E]) => void)(payload);
  }
}

/** The events of a robot driver. */
export class DriverEvents extends EventHub<RobotDriverEvents> {}
