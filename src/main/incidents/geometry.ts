/**
 * Small geometry and time lookups for the incident checks. Poses and points in metres and
 * radians; `fromFrame`/`toFrame` convert between a frame and the one `pose` is given in.
 */
import type { Pose2D, RectFootprint, Vec2 } from '../../shared/geometry';

/** Index of the newest element with t ≤ at, or −1. */
export function newestAtOrBefore<T extends { t: number }>(list: readonly T[], at: number): number {
  let lo = 0;
  let hi = list.length - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.t <= at) {
      best = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return best;
}

export { composePose as compose } from '../../shared/geometry';

export function toFrame(pose: Pose2D, p: Vec2): Vec2 {
  const c = Math.cos(pose.theta);
  const s = Math.sin(pose.theta);
  return { x: pose.x + c * p.x - s * p.y, y: pose.y + s * p.x + c * p.y };
}

export function fromFrame(pose: Pose2D, p: Vec2): Vec2 {
  const c = Math.cos(pose.theta);
  const s = Math.sin(pose.theta);
  const dx = p.x - pose.x;
  const dy = p.y - pose.y;
  return { x: c * dx + s * dy, y: -s * dx + c * dy };
}

/** Signed distance from a base_link point to the footprint rectangle, m (negative inside). */
export function footprintClearance(fp: RectFootprint, x: number, y: number): number {
  const dx = Math.abs(x - fp.centerOffsetX) - fp.length / 2;
  const dy = Math.abs(y) - fp.width / 2;
  if (dx <= 0 && dy <= 0) return Math.max(dx, dy);
  return Math.hypot(Math.max(dx, 0), Math.max(dy, 0));
}

/** Smallest footprint clearance of map point `p` along a map-frame polyline (heading from its segments). */
export function polylineClearance(fp: RectFootprint, points: readonly number[], p: Vec2, startTheta: number | null): number {
  const n = points.length >> 1;
  let best = Infinity;
  let theta = startTheta ?? 0;
  for (let i = 0; i < n; i++) {
    const x = points[2 * i]!;
    const y = points[2 * i + 1]!;
    if (i + 1 < n) {
      const dx = points[2 * i + 2]! - x;
      const dy = points[2 * i + 3]! - y;
      // Keep the last heading through a stationary stretch (a stop at the end of a trajectory).
      if (Math.hypot(dx, dy) > 1e-4) theta = Math.atan2(dy, dx);
      else if (i === 0 && startTheta === null) theta = 0;
    }
    const local = fromFrame({ x, y, theta }, p);
    best = Math.min(best, footprintClearance(fp, local.x, local.y));
  }
  return best;
}

export function polylineLength(points: readonly number[]): number {
  let len = 0;
  for (let i = 2; i + 1 < points.length; i += 2) len += Math.hypot(points[i]! - points[i - 2]!, points[i + 1]! - points[i - 1]!);
  return len;
}

export function distanceToPolyline(points: readonly number[], p: Vec2): number {
  const n = points.length >> 1;
  if (n === 0) return Infinity;
  if (n === 1) return Math.hypot(points[0]! - p.x, points[1]! - p.y);
  let best = Infinity;
  for (let i = 0; i + 1 < n; i++) {
    const ax = points[2 * i]!;
    const ay = points[2 * i + 1]!;
    const bx = points[2 * i + 2]!;
    const by = points[2 * i + 3]!;
    const vx = bx - ax;
    const vy = by - ay;
    const len2 = vx * vx + vy * vy;
    const u = len2 > 0 ? Math.max(0, Math.min(1, ((p.x - ax) * vx + (p.y - ay) * vy) / len2)) : 0;
    best = Math.min(best, Math.hypot(ax + u * vx - p.x, ay + u * vy - p.y));
  }
  return best;
}

export function pointsOf(flat: readonly number[]): Vec2[] {
  const out: Vec2[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push({ x: flat[i]!, y: flat[i + 1]! });
  return out;
}
