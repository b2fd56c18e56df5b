/**
 * A synthetic indoor world for SLAM tests: wall segments (metres, map frame) and an exact
 * ray-cast lidar, plus a seeded noisy odometry model.
 */
import type { Pose2D } from '../../../src/shared/geometry';
import { normalizeAngle } from '../../../src/shared/geometry';
import { Prng } from '../../../src/planner/random';
import type { RangeScan, ScanInput } from '../../../src/planner/slam/types';
import { between, compose } from '../../../src/planner/slam/se2';

export type Segment = [number, number, number, number];

/** Rectangle outline as four segments. */
export function box(x0: number, y0: number, x1: number, y1: number): Segment[] {
  return [
    [x0, y0, x1, y0],
    [x1, y0, x1, y1],
    [x1, y1, x0, y1],
    [x0, y1, x0, y0],
  ];
}

/**
 * A 12 × 8 m flat: outer walls, an inner wall with a door, furniture boxes and a pillar —
 * asymmetric enough that a scan matches in one place only.
 */
export function flat(): Segment[] {
  return [
    ...box(0, 0, 12, 8),
    [6, 0, 6, 3],
    [6, 4.2, 6, 8],
    ...box(1, 5.5, 2.5, 7),
    ...box(8, 1, 9.5, 1.8),
    ...box(3.2, 1.2, 3.6, 1.6),
    ...box(10, 5, 10.8, 7.2),
    [0, 3, 1.2, 3],
  ];
}

/** Distance along the ray from (x, y) in direction a to the nearest segment (∞ if none). */
export function castRay(world: readonly Segment[], x: number, y: number, a: number): number {
  const dx = Math.cos(a);
  const dy = Math.sin(a);
  let best = Number.POSITIVE_INFINITY;
  for (const [x0, y0, x1, y1] of world) {
    const ex = x1 - x0;
    const ey = y1 - y0;
    const den = dx * ey - dy * ex;
    if (Math.abs(den) < 1e-12) continue;
    const t = ((x0 - x) * ey - (y0 - y) * ex) / den;
    const u = ((x0 - x) * dy - (y0 - y) * dx) / den;
    if (t > 1e-9 && u >= 0 && u <= 1 && t < best) best = t;
  }
  return best;
}

export interface LidarModel {
  beams: number;
  rangeMax: number;
  /** Range noise σ, m. */
  noise: number;
}

export const HOME_LIDAR: LidarModel = { beams: 360, rangeMax: 10, noise: 0.01 };

/** A 360° scan from base_link at `pose` (laser at the base_link origin). */
export function scanAt(world: readonly Segment[], pose: Pose2D, time: number, lidar: LidarModel, rng: Prng): RangeScan {
  const ranges = new Float32Array(lidar.beams);
  const inc = (2 * Math.PI) / lidar.beams;
  for (let i = 0; i < lidar.beams; i++) {
    const r = castRay(world, pose.x, pose.y, pose.theta - Math.PI + i * inc);
    ranges[i] = r >= lidar.rangeMax ? Number.POSITIVE_INFINITY : r + lidar.noise * rng.normal();
  }
  return { time, ranges, angleMin: -Math.PI, angleIncrement: inc, rangeMin: 0.05, rangeMax: lidar.rangeMax };
}

/** Waypoints → poses every `step` m (heading along the path, turning on the spot at corners). */
export function pathPoses(waypoints: readonly [number, number][], step: number): Pose2D[] {
  const out: Pose2D[] = [];
  for (let k = 0; k + 1 < waypoints.length; k++) {
    const [x0, y0] = waypoints[k]!;
    const [x1, y1] = waypoints[k + 1]!;
    const heading = Math.atan2(y1 - y0, x1 - x0);
    if (out.length > 0) {
      // Turn in place in ≤ 10° steps.
      const last = out[out.length - 1]!;
      const turn = normalizeAngle(heading - last.theta);
      const n = Math.ceil(Math.abs(turn) / (10 * (Math.PI / 180)));
      for (let i = 1; i <= n; i++) out.push({ x: x0, y: y0, theta: normalizeAngle(last.theta + (turn * i) / n) });
    }
    const len = Math.hypot(x1 - x0, y1 - y0);
    const n = Math.max(1, Math.round(len / step));
    for (let i = out.length === 0 ? 0 : 1; i <= n; i++) out.push({ x: x0 + ((x1 - x0) * i) / n, y: y0 + ((y1 - y0) * i) / n, theta: heading });
  }
  return out;
}

/**
 * Scan inputs along `truth` with odometry that drifts: each increment is scaled and rotated
 * by small biased errors (wheel-radius and heading errors), so dead reckoning goes wrong.
 */
export function simulate(world: readonly Segment[], truth: readonly Pose2D[], seed: number, lidar: LidarModel = HOME_LIDAR, odomNoise = { scale: 0.03, headingPerMetre: 0.05, jitter: 0.004 }): ScanInput[] {
  const rng = new Prng(seed);
  const out: ScanInput[] = [];
  let odom: Pose2D = { x: 0, y: 0, theta: 0 };
  for (let i = 0; i < truth.length; i++) {
    if (i > 0) {
      const d = between(truth[i - 1]!, truth[i]!);
      const len = Math.hypot(d.x, d.y);
      const noisy = {
        x: d.x * (1 + odomNoise.scale) + odomNoise.jitter * rng.normal(),
        y: d.y * (1 + odomNoise.scale) + odomNoise.jitter * rng.normal(),
        theta: d.theta * (1 + odomNoise.scale) + odomNoise.headingPerMetre * len + 0.3 * odomNoise.jitter * rng.normal(),
      };
      odom = compose(odom, noisy);
    }
    out.push({ scan: scanAt(world, truth[i]!, i * 0.1, lidar, rng), odom, mount: { x: 0, y: 0, theta: 0 } });
  }
  return out;
}
