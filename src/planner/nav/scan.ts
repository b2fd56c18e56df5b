/** Scan conversions the navigation stack needs, pure. */
import type { Pose2D } from '../../shared/geometry';
import type { ScanEndpoint } from '../grid';

/**
 * Beam ends in the map frame from a scan taken with the lidar at `lidarPose` (map frame).
 * Returns hits for valid ranges and, for beams with no return (+Infinity or beyond
 * rangeMax), a non-hit endpoint at rangeMax so free space is still cleared. NaN, negative
 * and −Infinity (too close) beams are skipped.
 */
export function scanEndpoints(
  ranges: ArrayLike<number>,
  angleMin: number,
  angleIncrement: number,
  rangeMin: number,
  rangeMax: number,
  lidarPose: Pose2D,
): ScanEndpoint[] {
  const out: ScanEndpoint[] = [];
  for (let i = 0; i < ranges.length; i++) {
    const r = ranges[i]!;
    let range: number;
    let hit: boolean;
    if (r === Infinity || (r > rangeMax && Number.isFinite(r))) {
      range = rangeMax;
      hit = false;
    } else if (r >= rangeMin && r <= rangeMax) {
      range = r;
      hit = true;
    } else continue;
    const a = lidarPose.theta + angleMin + i * angleIncrement;
    out.push({ x: lidarPose.x + range * Math.cos(a), y: lidarPose.y + range * Math.sin(a), hit });
  }
  return out;
}

/** Velocity of a trajectory at time `t` (linear interpolation; zero outside it). */
export function trajectoryVelocityAt(
  traj: { t0: number; dt: number; count: number; vs: ArrayLike<number>; ws: ArrayLike<number> },
  t: number,
): { v: number; w: number } {
  const u = (t - traj.t0) / traj.dt;
  if (!(u >= 0) || u > traj.count - 1) return { v: 0, w: 0 };
  const i = Math.min(traj.count - 2, Math.floor(u));
  if (i < 0) return { v: traj.vs[0]!, w: traj.ws[0]! };
  const f = u - i;
  return { v: traj.vs[i]! * (1 - f) + traj.vs[i + 1]! * f, w: traj.ws[i]! * (1 - f) + traj.ws[i + 1]! * f };
}
