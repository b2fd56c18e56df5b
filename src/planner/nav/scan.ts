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

/**
 * The velocity command to send at time `t` (seconds, the trajectory's clock) to follow a
 * trajectory: its commands when it carries them (every planner trajectory does: the
 * candidate's velocity target in force, see Trajectory.commandVs), else its velocity;
 * linear interpolation between samples; zero outside it. Bases track commands with
 * jerk-limited ramps, so commanding the planned velocity itself would leave the base
 * trailing the plan (at 1 m/s² planned, a 5 m/s³ base settled near 0.1 m/s²).
 */
export function trajectoryCommandAt(
  traj: { t0: number; dt: number; count: number; vs: ArrayLike<number>; ws: ArrayLike<number>; commandVs?: ArrayLike<number>; commandWs?: ArrayLike<number> },
  t: number,
): { v: number; w: number } {
  const u = (t - traj.t0) / traj.dt;
  if (!(u >= 0) || u > traj.count - 1) return { v: 0, w: 0 };
  const vs = traj.commandVs ?? traj.vs;
  const ws = traj.commandWs ?? traj.ws;
  const i = Math.min(traj.count - 2, Math.floor(u));
  if (i < 0) return { v: vs[0]!, w: ws[0]! };
  const f = u - i;
  return { v: vs[i]! * (1 - f) + vs[i + 1]! * f, w: ws[i]! * (1 - f) + ws[i + 1]! * f };
}

/**
 * What to send at time `t` to follow a trajectory. Kept under its first name because the
 * runners call it for their commands; it returns `trajectoryCommandAt`, not the velocity.
 * @deprecated use trajectoryCommandAt
 */
export const trajectoryVelocityAt = trajectoryCommandAt;
