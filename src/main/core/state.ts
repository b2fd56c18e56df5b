/**
 * Live robot state as the core keeps it, built from link frames. Converts the scan to
 * base_link and map-frame points once per scan so every consumer reuses them.
 *
 * Frames: odometry arrives in `odom`; `mapFromOdom` places odom in the map (identity for
 * the simulator, whose odom starts at its map pose; a localizer would update it). Everything
 * here arrives through the robot seam (src/main/robot/driver.ts) in shared units.
 */
import type { HelloMsg, LaserScanMsg, OdometryMsg, StatusMsg } from '../../shared/protocol';
import { Fault } from '../../shared/protocol';
import type { Pose2D, Twist2D } from '../../shared/geometry';
import { normalizeAngle } from '../../shared/geometry';
import type { RobotInfo } from '../../shared/api';
import { robotInfoFromHello } from '../../shared/robot-info';
import { scanToPoints, type ScanPoints } from '../../planner/reactive';

/** The newest scan, converted once for every consumer. */
export interface ScanView {
  /** Valid returns in base_link, metres, with the host time (s) of the first beam. */
  base: ScanPoints & { xs: Float64Array; ys: Float64Array; count: number };
  /** The same points in the map frame, flat [x0, y0, …]. */
  map: Float64Array;
  /** Beams rejected as NaN, infinite, negative or outside [rangeMin, rangeMax]. */
  invalidBeams: number;
  /** The scan as received and the lidar's map-frame pose when it was applied. */
  msg: LaserScanMsg;
  lidarPose: Pose2D;
}

/** Odometry samples kept for placing scans at their own time (about 1 s at 50 Hz). */
const POSE_HISTORY = 50;
/** Longest extrapolation past the newest odometry, s. */
const MAX_EXTRAPOLATION_S = 0.1;

export class RobotState {
  hello: HelloMsg | null = null;
  /** Pose in the map frame. */
  pose: Pose2D | null = null;
  velocity: Twist2D = { v: 0, w: 0 };
  /** Smoothed body accelerations from successive odometry, m/s² and rad/s². */
  accel = { a: 0, alpha: 0 };
  /** Host time of the newest odometry, s. */
  odomTime: number | null = null;
  lastCommandSeqApplied = -1;
  scan: ScanView | null = null;
  status: StatusMsg | null = null;
  screenPan: number | null = null;
  /** Screen pan rate, rad/s; null when unknown. */
  screenPanRate: number | null = null;
  mapFromOdom: Pose2D = { x: 0, y: 0, theta: 0 };
  /** Recent map-frame poses with their host times (s), oldest first: scans are placed at their own time. */
  private readonly poseHistory: { t: number; pose: Pose2D }[] = [];

  reset(): void {
    this.hello = null;
    this.pose = null;
    this.velocity = { v: 0, w: 0 };
    this.accel = { a: 0, alpha: 0 };
    this.odomTime = null;
    this.scan = null;
    this.status = null;
    this.screenPan = null;
    this.screenPanRate = null;
    this.poseHistory.length = 0;
  }

  robotInfo(): RobotInfo | null {
    return robotInfoFromHello(this.hello);
  }

  applyOdometry(msg: OdometryMsg, hostTime: number): void {
    const m = this.mapFromOdom;
    const c = Math.cos(m.theta);
    const s = Math.sin(m.theta);
    this.pose = { x: m.x + c * msg.x - s * msg.y, y: m.y + s * msg.x + c * msg.y, theta: normalizeAngle(m.theta + msg.theta) };
    if (this.odomTime !== null && hostTime > this.odomTime) {
      // Finite differences are noisy at 50 Hz: smooth with a ~0.1 s time constant.
      const dt = hostTime - this.odomTime;
      const k = Math.min(1, dt / 0.1);
      this.accel = {
        a: this.accel.a + k * ((msg.v - this.velocity.v) / dt - this.accel.a),
        alpha: this.accel.alpha + k * ((msg.w - this.velocity.w) / dt - this.accel.alpha),
      };
    }
    this.velocity = { v: msg.v, w: msg.w };
    this.odomTime = hostTime;
    this.poseHistory.push({ t: hostTime, pose: this.pose });
    if (this.poseHistory.length > POSE_HISTORY) this.poseHistory.shift();
    this.lastCommandSeqApplied = msg.lastCommandSeq;
  }

  /**
   * Converts a scan taken at `hostTime` (s, first beam). Beams that are NaN, infinite,
   * negative or outside [rangeMin, rangeMax] are dropped and counted.
   */
  applyScan(msg: LaserScanMsg, hostTime: number): ScanView {
    const h = this.hello;
    // REP 117: −Infinity means "closer than rangeMin": keep it as an obstacle at rangeMin
    // rather than dropping the nearest thing the lidar sees.
    let ranges: ArrayLike<number> = msg.ranges;
    if (msg.ranges.includes(-Infinity)) ranges = msg.ranges.map((r) => (r === -Infinity ? Math.max(msg.rangeMin, 1e-3) : r));
    const base = scanToPoints(
      ranges,
      msg.angleMin,
      msg.angleIncrement,
      hostTime,
      { x: h?.lidarMountX ?? 0, y: h?.lidarMountY ?? 0, yaw: h?.lidarMountYaw ?? 0 },
      { min: Math.max(msg.rangeMin, 1e-3), max: msg.rangeMax },
    );
    const map = new Float64Array(base.count * 2);
    // Where the robot was when the scan was taken, not where the newest odometry says it is
    // now: at 1 rad/s a 20 ms difference turns a wall 2 m away by 4 cm.
    const p = this.poseAt(hostTime) ?? { x: 0, y: 0, theta: 0 };
    const c = Math.cos(p.theta);
    const s = Math.sin(p.theta);
    for (let i = 0; i < base.count; i++) {
      const x = base.xs[i]!;
      const y = base.ys[i]!;
      map[i * 2] = p.x + c * x - s * y;
      map[i * 2 + 1] = p.y + s * x + c * y;
    }
    const mount = { x: h?.lidarMountX ?? 0, y: h?.lidarMountY ?? 0, yaw: h?.lidarMountYaw ?? 0 };
    const lidarPose = { x: p.x + c * mount.x - s * mount.y, y: p.y + s * mount.x + c * mount.y, theta: normalizeAngle(p.theta + mount.yaw) };
    this.scan = { base, map, invalidBeams: msg.ranges.length - base.count, msg, lidarPose };
    return this.scan;
  }

  /**
   * The map-frame pose at host time `t` (s): interpolated between the odometry samples around
   * it, extrapolated along the measured twist (at most MAX_EXTRAPOLATION_S) past the newest;
   * null before odometry.
   */
  poseAt(t: number): Pose2D | null {
    const h = this.poseHistory;
    if (h.length === 0) return this.pose;
    const last = h[h.length - 1]!;
    if (t >= last.t) {
      const dt = Math.min(t - last.t, MAX_EXTRAPOLATION_S);
      const { v, w } = this.velocity;
      const th = last.pose.theta + (w * dt) / 2;
      return { x: last.pose.x + v * dt * Math.cos(th), y: last.pose.y + v * dt * Math.sin(th), theta: normalizeAngle(last.pose.theta + w * dt) };
    }
    let i = h.length - 1;
    while (i > 0 && h[i - 1]!.t > t) i--;
    if (i === 0) return h[0]!.pose;
    const a = h[i - 1]!;
    const b = h[i]!;
    const k = (t - a.t) / (b.t - a.t);
    return {
      x: a.pose.x + k * (b.pose.x - a.pose.x),
      y: a.pose.y + k * (b.pose.y - a.pose.y),
      theta: normalizeAngle(a.pose.theta + k * normalizeAngle(b.pose.theta - a.pose.theta)),
    };
  }

  faultNames(): string[] {
    const f = this.status?.faults ?? 0;
    const names: string[] = [];
    if (f & Fault.MotorOvercurrent) names.push('motor overcurrent');
    if (f & Fault.MotorDriver) names.push('motor driver');
    if (f & Fault.Lidar) names.push('lidar');
    if (f & Fault.LowBattery) names.push('low battery');
    if (f & Fault.Bumper) names.push('bumper');
    if (f & Fault.CommandWatchdog) names.push('command watchdog');
    return names;
  }
}
