/**
 * Live robot state as the core keeps it, built from link frames. Converts the scan to
 * base_link and map-frame points once per scan so every consumer reuses them.
 *
 * Frames: odometry arrives in `odom`; `mapFromOdom` places odom in the map (identity for
 * the simulator, whose odom starts at its map pose; a localizer would update it). Everything
 * here arrives through the robot seam (src/main/robot/driver.ts) in shared units.
 */
import type { HelloMsg, LaserScanMsg, LinkFrame, OdometryMsg, StatusMsg } from '../../shared/protocol';
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
  /** The newest odometry pose as the robot reported it (odom frame). */
  private lastOdom: Pose2D | null = null;
  /** A placement asked for before the first odometry. */
  private pendingPlacement: Pose2D | null = null;
  /** scanNow()'s buffers, reused every tick. */
  private nowXs = new Float64Array(0);
  private nowYs = new Float64Array(0);
  /** Recent map-frame poses with their host times (s), oldest first: scans are placed at their own time. */
  private readonly poseHistory: { t: number; pose: Pose2D }[] = [];

  reset(): void {
    this.mapFromOdom = { x: 0, y: 0, theta: 0 };
    this.lastOdom = null;
    this.pendingPlacement = null;
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

  /**
   * The operator (or a scenario, or a simulator that knows) says where the robot is on the
   * map now: `mapFromOdom` becomes that pose composed with the inverse of the current odometry
   * pose, so odometry carries on from there. Before the first odometry, it is applied to it.
   */
  placeOnMap(pose: Pose2D): void {
    const o = this.lastOdom;
    if (!o) {
      this.pendingPlacement = { ...pose };
      return;
    }
    // mapFromOdom = pose ∘ odom⁻¹ (SE(2)).
    const theta = normalizeAngle(pose.theta - o.theta);
    const c = Math.cos(theta);
    const s = Math.sin(theta);
    this.mapFromOdom = { x: pose.x - (c * o.x - s * o.y), y: pose.y - (s * o.x + c * o.y), theta };
    this.pose = { x: pose.x, y: pose.y, theta: normalizeAngle(pose.theta) };
    // Poses and the scan from before the placement are in another frame: dropped (the next
    // scan, a revolution away, is placed in the new one; until then the safety loop holds still).
    this.poseHistory.length = 0;
    this.scan = null;
    if (this.odomTime !== null) this.poseHistory.push({ t: this.odomTime, pose: this.pose });
  }

  /** An odometry frame as placed on the map (itself while the placement is the identity). */
  placed(frame: LinkFrame<OdometryMsg>): LinkFrame<OdometryMsg> {
    const m = this.mapFromOdom;
    if (m.x === 0 && m.y === 0 && m.theta === 0) return frame;
    return { ...frame, msg: { ...frame.msg, ...composePose(m, frame.msg) } };
  }

  applyOdometry(msg: OdometryMsg, hostTime: number): void {
    this.lastOdom = { x: msg.x, y: msg.y, theta: msg.theta };
    if (this.pendingPlacement) {
      const p = this.pendingPlacement;
      this.pendingPlacement = null;
      this.placeOnMap(p);
    }
    this.pose = composePose(this.mapFromOdom, msg);
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
   * The newest scan's points in base_link as the robot stands NOW (s stamp still the scan's):
   * the points were placed on the map at the pose of their own time, so the robot's motion
   * since (up to two revolutions of a 5 Hz lidar: 0.4 s, 20 cm at 0.5 m/s) is taken out
   * before the safety loop measures distances. Null without a scan or pose.
   */
  scanNow(): ScanPoints | null {
    const scan = this.scan;
    const p = this.pose;
    if (!scan || !p) return scan?.base ?? null;
    const n = scan.map.length >> 1;
    if (this.nowXs.length < n) {
      this.nowXs = new Float64Array(n * 2);
      this.nowYs = new Float64Array(n * 2);
    }
    const c = Math.cos(p.theta);
    const s = Math.sin(p.theta);
    for (let i = 0; i < n; i++) {
      const dx = scan.map[i * 2]! - p.x;
      const dy = scan.map[i * 2 + 1]! - p.y;
      this.nowXs[i] = c * dx + s * dy;
      this.nowYs[i] = -s * dx + c * dy;
    }
    return { stamp: scan.base.stamp, xs: this.nowXs, ys: this.nowYs, count: n };
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

/** a ∘ b in SE(2): the pose b, given in a's frame, expressed in the frame a is given in. */
function composePose(a: Pose2D, b: Pose2D): Pose2D {
  const c = Math.cos(a.theta);
  const s = Math.sin(a.theta);
  return { x: a.x + c * b.x - s * b.y, y: a.y + s * b.x + c * b.y, theta: normalizeAngle(a.theta + b.theta) };
}
