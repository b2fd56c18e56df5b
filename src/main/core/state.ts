/**
 * Live robot state as the core keeps it, built from link frames. Converts the scan to
 * base_link and map-frame points once per scan so every consumer reuses them.
 *
 * Frames: odometry arrives in `odom`; `mapFromOdom` (REP 105's map → odom) places odom in the
 * map. The operator's placement sets it at once; a localizer or the mapper corrects it after
 * every scan. History and the newest scan are kept in `odom`, so a correction moves what is
 * drawn on the map but never what the safety loop measures (the distance from the robot to a
 * wall does not change because the estimate of where both are on the map did). Everything here
 * arrives through the robot seam (src/main/robot/driver.ts) in shared units.
 */
import type { HelloMsg, LaserScanMsg, OdometryMsg, StatusMsg } from '../../shared/protocol';
import { Fault } from '../../shared/protocol';
import type { Pose2D, Twist2D } from '../../shared/geometry';
import { composePose, invertPose, normalizeAngle } from '../../shared/geometry';
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
  /** The same points in the odom frame, flat (what the safety loop reads: corrections do not move them). */
  odom: Float64Array;
  /** The scan as received and the lidar's map-frame pose when it was applied. */
  msg: LaserScanMsg;
  lidarPose: Pose2D;
  /** base_link in odom at the scan's stamp (what a localizer or mapper consumes). */
  odomPose: Pose2D;
  /** The lidar's pose in base_link (from the robot's hello). */
  mount: Pose2D;
  /** base_link in map at the scan's stamp, as placed when the scan arrived. */
  pose: Pose2D;
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
  /** Recent odom-frame poses with their host times (s), oldest first: scans are placed at their own time. */
  private readonly odomHistory: { t: number; pose: Pose2D }[] = [];

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
    this.odomHistory.length = 0;
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
    this.mapFromOdom = mapFromOdomFor(pose, o);
    this.pose = { x: pose.x, y: pose.y, theta: normalizeAngle(pose.theta) };
    // The operator's word replaces the old placement outright: the scan drawn from before it
    // is dropped (the next one, a revolution away, is drawn in the new place; the safety loop
    // holds still meanwhile).
    this.scan = null;
  }

  /**
   * A localizer's or the mapper's correction of map → odom. Unlike a placement it keeps the
   * scan: the robot did not move, only the estimate of where odom sits on the map did.
   */
  correctMapFromOdom(mapFromOdom: Pose2D): void {
    this.mapFromOdom = { x: mapFromOdom.x, y: mapFromOdom.y, theta: normalizeAngle(mapFromOdom.theta) };
    if (this.lastOdom) this.pose = composePose(this.mapFromOdom, this.lastOdom);
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
    this.odomHistory.push({ t: hostTime, pose: this.lastOdom });
    if (this.odomHistory.length > POSE_HISTORY) this.odomHistory.shift();
    this.lastCommandSeqApplied = msg.lastCommandSeq;
  }

  /**
   * Converts a scan taken at `hostTime` (s, first beam). Beams that are NaN, infinite,
   * negative or outside [rangeMin, rangeMax] are dropped and counted.
   */
  applyScan(msg: LaserScanMsg, hostTime: number): ScanView {
    const h = this.hello;
    const mount = { x: h?.lidarMountX ?? 0, y: h?.lidarMountY ?? 0, theta: h?.lidarMountYaw ?? 0 };
    // REP 117: −Infinity means "closer than rangeMin": keep it as an obstacle at rangeMin
    // rather than dropping the nearest thing the lidar sees.
    let ranges: ArrayLike<number> = msg.ranges;
    if (msg.ranges.includes(-Infinity)) ranges = msg.ranges.map((r) => (r === -Infinity ? Math.max(msg.rangeMin, 1e-3) : r));
    const base = scanToPoints(
      ranges,
      msg.angleMin,
      msg.angleIncrement,
      hostTime,
      { x: mount.x, y: mount.y, yaw: mount.theta },
      { min: Math.max(msg.rangeMin, 1e-3), max: msg.rangeMax },
    );
    // Where the robot was when the scan was taken, not where the newest odometry says it is
    // now: at 1 rad/s a 20 ms difference turns a wall 2 m away by 4 cm.
    const odomPose = this.odomAt(hostTime) ?? { x: 0, y: 0, theta: 0 };
    const p = composePose(this.mapFromOdom, odomPose);
    const map = transformPoints(p, base.xs, base.ys, base.count);
    const odom = transformPoints(odomPose, base.xs, base.ys, base.count);
    const lidarPose = composePose(p, mount);
    this.scan = { base, map, odom, invalidBeams: msg.ranges.length - base.count, msg, lidarPose, odomPose, mount, pose: p };
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
    const p = this.lastOdom;
    if (!scan || !p) return scan?.base ?? null;
    const n = scan.odom.length >> 1;
    if (this.nowXs.length < n) {
      this.nowXs = new Float64Array(n * 2);
      this.nowYs = new Float64Array(n * 2);
    }
    const c = Math.cos(p.theta);
    const s = Math.sin(p.theta);
    for (let i = 0; i < n; i++) {
      const dx = scan.odom[i * 2]! - p.x;
      const dy = scan.odom[i * 2 + 1]! - p.y;
      this.nowXs[i] = c * dx + s * dy;
      this.nowYs[i] = -s * dx + c * dy;
    }
    return { stamp: scan.base.stamp, xs: this.nowXs, ys: this.nowYs, count: n };
  }

  /** The map-frame pose at host time `t` (s): `odomAt(t)` placed with the current map → odom. */
  poseAt(t: number): Pose2D | null {
    const o = this.odomAt(t);
    return o ? composePose(this.mapFromOdom, o) : null;
  }

  /**
   * The odom-frame pose at host time `t` (s): interpolated between the odometry samples around
   * it, extrapolated along the measured twist (at most MAX_EXTRAPOLATION_S) past the newest;
   * null before odometry.
   */
  odomAt(t: number): Pose2D | null {
    const h = this.odomHistory;
    if (h.length === 0) return this.lastOdom;
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

/** map → odom such that `mapPose` = result ∘ `odomPose` (SE(2)): mapPose ∘ odomPose⁻¹. */
export function mapFromOdomFor(mapPose: Pose2D, odomPose: Pose2D): Pose2D {
  return composePose(mapPose, invertPose(odomPose));
}

/** Points (flat result [x0, y0, …]) moved from a frame to its parent, the frame `p` is given in. */
function transformPoints(p: Pose2D, xs: Float64Array, ys: Float64Array, count: number): Float64Array {
  const out = new Float64Array(count * 2);
  const c = Math.cos(p.theta);
  const s = Math.sin(p.theta);
  for (let i = 0; i < count; i++) {
    out[i * 2] = p.x + c * xs[i]! - s * ys[i]!;
    out[i * 2 + 1] = p.y + s * xs[i]! + c * ys[i]!;
  }
  return out;
}
