/**
 * CARMEN log (`.clf`) reader for the laser SLAM benchmark: front-laser scans with the
 * odometry pose they were taken at.
 *
 * `FLASER n r₁ … rₙ x y θ odom_x odom_y odom_θ ipc_timestamp ipc_hostname logger_timestamp`
 * - Beam geometry (the log does not state it): a 180° field of view, first beam at −90°
 *   (the robot's right), spacing 180°/n — 1° for n = 180, 0.5° for n = 360 — so the last
 *   beam is at +90° − 180°/n. (Some readers use 180°/(n−1); we do not.)
 * - Ranges in metres; readings ≥ 80 m (81.83 / 81.91 in these logs: the SICK's "max range")
 *   mean no return.
 * - `x y θ` is the laser pose and `odom_*` the robot's odometry pose, both in the odometry
 *   frame; we feed the odometry pose and take the laser mount from
 *   `PARAM robot_frontlaser_offset` (metres along base_link x; 0 when absent).
 * - `ipc_timestamp` is kept as the exact text too: relations files name scans by it.
 *
 *
 * `ROBOTLASER1 type start_angle fov angular_res max_range accuracy remission_mode n r₁…rₙ m
 * rem₁…remₘ laser_x laser_y laser_θ robot_x robot_y robot_θ tv rv fwd_safety side_safety
 * turn_axis ipc_timestamp ipc_hostname logger_timestamp` (newer logs, e.g. fr-clinic) carries
 * its own beam geometry; its mount is the laser pose seen from the robot pose. A log with
 * FLASER lines is read from those; one without, from its ROBOTLASER1 lines.
 *
 * Malformed FLASER / ROBOTLASER1 / robot_frontlaser_offset lines are errors naming the line
 * (a log that silently lost scans would give a wrong benchmark figure); other message types
 * (ODOM, RLASER, TRUEPOS, NMEA, SYNC, …) and other PARAMs are skipped and counted.
 */
import { normalizeAngle, type Pose2D } from '../../../shared/geometry';
import type { RangeScan } from '../../../planner/slam/types';

/** Readings at or above this are "no return", metres. */
export const CARMEN_NO_RETURN_RANGE = 80;

export interface CarmenScan {
  /** 0-based index among the log's FLASER lines. */
  index: number;
  /** 1-based line number in the file. */
  line: number;
  /** ipc_timestamp exactly as written. */
  timeText: string;
  /** ipc_timestamp, s. */
  time: number;
  ranges: Float32Array;
  /** Beam i at angleMin + i·angleIncrement in the laser frame, rad. */
  angleMin: number;
  angleIncrement: number;
  /** Readings at or above this carry no return, m. */
  rangeMax: number;
  /** Laser pose in the odometry frame, as logged. */
  laser: Pose2D;
  /** Robot odometry pose (base_link in odom). */
  odom: Pose2D;
  /** Laser pose in base_link. */
  mount: Pose2D;
}

export interface CarmenLog {
  scans: CarmenScan[];
  /** Which message the scans come from. */
  source: 'FLASER' | 'ROBOTLASER1';
  /** Laser pose in base_link: robot_frontlaser_offset for FLASER, the first scan's for ROBOTLASER1. */
  mount: Pose2D;
  /** Every PARAM line's value text by name (last one wins). */
  params: Map<string, string>;
  /** Lines skipped, by message type (comments and blank lines not counted). */
  skipped: Map<string, number>;
}

export class CarmenLogError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

/** Parses a CARMEN log; throws CarmenLogError (with the line number) on a malformed FLASER line. */
export function parseCarmenLog(text: string): CarmenLog {
  const flaser: CarmenScan[] = [];
  const robotLaser: CarmenScan[] = [];
  const params = new Map<string, string>();
  const skipped = new Map<string, number>();
  let mountX = 0;
  let lineNo = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    lineNo++;
    let line = text.slice(start, end);
    start = end + 1;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const f = trimmed.split(/\s+/);
    const kind = f[0]!;
    if (kind === 'FLASER') {
      flaser.push(parseFlaser(f, lineNo, flaser.length));
    } else if (kind === 'ROBOTLASER1') {
      robotLaser.push(parseRobotLaser(f, lineNo, robotLaser.length));
    } else if (kind === 'PARAM') {
      if (f.length < 3) throw new CarmenLogError(lineNo, `PARAM line needs a name and a value, got '${trimmed.slice(0, 60)}'`);
      params.set(f[1]!, f[2]!);
      if (f[1] === 'robot_frontlaser_offset') {
        const v = Number(f[2]);
        if (!Number.isFinite(v)) throw new CarmenLogError(lineNo, `robot_frontlaser_offset must be a number, got '${f[2]}'`);
        mountX = v;
      }
    } else {
      skipped.set(kind, (skipped.get(kind) ?? 0) + 1);
    }
  }
  if (flaser.length > 0 || robotLaser.length === 0) {
    // PARAM lines may come anywhere; the mount applies to every FLASER scan.
    const mount = { x: mountX, y: 0, theta: 0 };
    if (robotLaser.length > 0) skipped.set('ROBOTLASER1', robotLaser.length);
    for (const scan of flaser) scan.mount = mount;
    return { scans: flaser, source: 'FLASER', mount, params, skipped };
  }
  return { scans: robotLaser, source: 'ROBOTLASER1', mount: robotLaser[0]!.mount, params, skipped };
}

function num(f: string[], i: number, line: number, what: string): number {
  const t = f[i];
  const v = t === undefined ? Number.NaN : Number(t);
  if (t === undefined || t === '' || !Number.isFinite(v)) throw new CarmenLogError(line, `FLASER ${what} (field ${i + 1}) is not a number: '${t ?? '(missing)'}'`);
  return v;
}

function parseRanges(f: string[], from: number, n: number, line: number, what: string): Float32Array {
  const ranges = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const v = num(f, from + i, line, `range ${i}`);
    if (v < 0) throw new CarmenLogError(line, `${what} range ${i} is negative (${v})`);
    ranges[i] = v;
  }
  return ranges;
}

/** A FLASER line; its mount is filled in once every PARAM has been read. */
function parseFlaser(f: string[], line: number, index: number): CarmenScan {
  const nText = f[1];
  const n = Number(nText);
  if (nText === undefined || !Number.isInteger(n) || n <= 0 || n > 100000) throw new CarmenLogError(line, `FLASER beam count must be a positive whole number, got '${nText ?? '(missing)'}'`);
  const expected = 2 + n + 6 + 3;
  if (f.length !== expected) throw new CarmenLogError(line, `FLASER with ${n} beams needs ${expected} fields, got ${f.length}`);
  const ranges = parseRanges(f, 2, n, line, 'FLASER');
  const o = 2 + n;
  const laser = { x: num(f, o, line, 'x'), y: num(f, o + 1, line, 'y'), theta: num(f, o + 2, line, 'theta') };
  const odom = { x: num(f, o + 3, line, 'odom_x'), y: num(f, o + 4, line, 'odom_y'), theta: num(f, o + 5, line, 'odom_theta') };
  const timeText = f[o + 6]!;
  const time = num(f, o + 6, line, 'ipc_timestamp');
  // 180° field of view, first beam at −90°, spacing 180°/n (see the header comment).
  return { index, line, timeText, time, ranges, angleMin: -Math.PI / 2, angleIncrement: Math.PI / n, rangeMax: CARMEN_NO_RETURN_RANGE, laser, odom, mount: { x: 0, y: 0, theta: 0 } };
}

function parseRobotLaser(f: string[], line: number, index: number): CarmenScan {
  const startAngle = num(f, 2, line, 'start_angle');
  const angularRes = num(f, 4, line, 'angular_res');
  const maxRange = num(f, 5, line, 'max_range');
  const nText = f[8];
  const n = Number(nText);
  if (nText === undefined || !Number.isInteger(n) || n <= 0 || n > 100000) throw new CarmenLogError(line, `ROBOTLASER1 beam count must be a positive whole number, got '${nText ?? '(missing)'}'`);
  const mText = f[9 + n];
  const m = Number(mText);
  if (mText === undefined || !Number.isInteger(m) || m < 0 || m > 100000) throw new CarmenLogError(line, `ROBOTLASER1 remission count must be a whole number, got '${mText ?? '(missing)'}'`);
  const expected = 9 + n + 1 + m + 11 + 3;
  if (f.length !== expected) throw new CarmenLogError(line, `ROBOTLASER1 with ${n} beams and ${m} remissions needs ${expected} fields, got ${f.length}`);
  if (!(angularRes > 0)) throw new CarmenLogError(line, `ROBOTLASER1 angular_res must be > 0, got ${angularRes}`);
  const ranges = parseRanges(f, 9, n, line, 'ROBOTLASER1');
  const o = 10 + n + m;
  const laser = { x: num(f, o, line, 'laser_x'), y: num(f, o + 1, line, 'laser_y'), theta: num(f, o + 2, line, 'laser_theta') };
  const odom = { x: num(f, o + 3, line, 'robot_x'), y: num(f, o + 4, line, 'robot_y'), theta: num(f, o + 5, line, 'robot_theta') };
  const t = o + 11;
  const timeText = f[t]!;
  const time = num(f, t, line, 'ipc_timestamp');
  // Mount: the laser pose seen from the robot pose (both in odom).
  const c = Math.cos(odom.theta);
  const s = Math.sin(odom.theta);
  const dx = laser.x - odom.x;
  const dy = laser.y - odom.y;
  const mount = { x: c * dx + s * dy, y: -s * dx + c * dy, theta: normalizeAngle(laser.theta - odom.theta) };
  return { index, line, timeText, time, ranges, angleMin: startAngle, angleIncrement: angularRes, rangeMax: maxRange > 0 ? Math.min(maxRange, CARMEN_NO_RETURN_RANGE) : CARMEN_NO_RETURN_RANGE, laser, odom, mount };
}

/** The scan as the mapper consumes it (laser frame geometry stated above). */
export function carmenRangeScan(scan: CarmenScan): RangeScan {
  return { time: scan.time, ranges: scan.ranges, angleMin: scan.angleMin, angleIncrement: scan.angleIncrement, rangeMin: 0.001, rangeMax: scan.rangeMax };
}
