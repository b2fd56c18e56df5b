/**
 * Occupancy grid from optimised node poses: every node's scan is ray cast into one map-frame
 * log-odds grid (hit at the endpoint, miss along the ray), each cell changing at most once
 * per scan. Cells no ray ever reached stay unknown (255); the others become occupied (100)
 * when p > 0.65 (one hit), free (0) when p < 0.35 (two clear passes, more if hit as well),
 * unknown in between. Only these three values are written, so the trinary PGM of
 * `ros-map-writer.ts` reads back as the same grid.
 */
import type { Pose2D } from '../../shared/geometry';
import { CELL_FREE, CELL_OCCUPIED, CELL_UNKNOWN, type OccupancyGrid } from '../../shared/grid';
import type { ScanPoints } from './scan-points';
import { forEachRayCell } from '../grid/cell-ray';

export interface OccupancyOptions {
  /** Log-odds added by a hit / a miss. */
  hitLogOdds: number;
  missLogOdds: number;
  /** Clamp of the accumulated log-odds (keeps a changed world able to overwrite a cell). */
  minLogOdds: number;
  maxLogOdds: number;
  /** Probability thresholds: above occupied, below free, unknown between. */
  occupiedThreshold: number;
  freeThreshold: number;
}

export const DEFAULT_OCCUPANCY_OPTIONS: Readonly<OccupancyOptions> = Object.freeze({
  hitLogOdds: 0.85,
  missLogOdds: -0.4,
  minLogOdds: -2,
  maxLogOdds: 3.5,
  occupiedThreshold: 0.65,
  freeThreshold: 0.35,
});

export interface PlacedScan {
  /** base_link in map. */
  pose: Pose2D;
  points: ScanPoints;
}

/** Rebuilds occupancy at `resolution` m from scans placed at their (optimised) poses. */
export function occupancyFromNodes(scans: readonly PlacedScan[], resolution: number, options: Partial<OccupancyOptions> = {}): OccupancyGrid {
  const o = { ...DEFAULT_OCCUPANCY_OPTIONS, ...options };
  if (scans.length === 0) return { width: 0, height: 0, resolution, origin: { x: 0, y: 0 }, data: new Uint8Array(0) };
  let x0 = Number.POSITIVE_INFINITY;
  let y0 = Number.POSITIVE_INFINITY;
  let x1 = Number.NEGATIVE_INFINITY;
  let y1 = Number.NEGATIVE_INFINITY;
  const extend = (pose: Pose2D, xs: Float32Array, ys: Float32Array, n: number): void => {
    const c = Math.cos(pose.theta);
    const s = Math.sin(pose.theta);
    for (let i = 0; i < n; i++) {
      const x = pose.x + c * xs[i]! - s * ys[i]!;
      const y = pose.y + s * xs[i]! + c * ys[i]!;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  };
  for (const { pose, points } of scans) {
    extend(pose, points.hitX, points.hitY, points.hitCount);
    extend(pose, points.freeX, points.freeY, points.freeCount);
    const c = Math.cos(pose.theta);
    const s = Math.sin(pose.theta);
    const ox = pose.x + c * points.originX - s * points.originY;
    const oy = pose.y + s * points.originX + c * points.originY;
    x0 = Math.min(x0, ox);
    x1 = Math.max(x1, ox);
    y0 = Math.min(y0, oy);
    y1 = Math.max(y1, oy);
  }
  const c0 = Math.floor(x0 / resolution) - 1;
  const r0 = Math.floor(y0 / resolution) - 1;
  const width = Math.floor(x1 / resolution) + 2 - c0;
  const height = Math.floor(y1 / resolution) + 2 - r0;
  const originX = c0 * resolution;
  const originY = r0 * resolution;
  const logOdds = new Float32Array(width * height);
  const seen = new Uint8Array(width * height);
  const stamp = new Int32Array(width * height).fill(-1);
  const inv = 1 / resolution;
  const update = (idx: number, delta: number, k: number): void => {
    if (stamp[idx] === k) return;
    stamp[idx] = k;
    seen[idx] = 1;
    logOdds[idx] = Math.min(o.maxLogOdds, Math.max(o.minLogOdds, logOdds[idx]! + delta));
  };
  const ray = (sx: number, sy: number, ex: number, ey: number, includeEnd: boolean, k: number): void =>
    forEachRayCell(sx, sy, ex, ey, includeEnd, (ix, iy) => update(iy * width + ix, o.missLogOdds, k));

  for (let k = 0; k < scans.length; k++) {
    const { pose, points } = scans[k]!;
    const c = Math.cos(pose.theta);
    const s = Math.sin(pose.theta);
    const sx = (pose.x + c * points.originX - s * points.originY - originX) * inv;
    const sy = (pose.y + s * points.originX + c * points.originY - originY) * inv;
    // Hits first: a cell hit by this scan is not cleared by a neighbouring beam's ray.
    for (let i = 0; i < points.hitCount; i++) {
      const ex = (pose.x + c * points.hitX[i]! - s * points.hitY[i]! - originX) * inv;
      const ey = (pose.y + s * points.hitX[i]! + c * points.hitY[i]! - originY) * inv;
      update(Math.floor(ey) * width + Math.floor(ex), o.hitLogOdds, k);
    }
    for (let i = 0; i < points.hitCount; i++) {
      const ex = (pose.x + c * points.hitX[i]! - s * points.hitY[i]! - originX) * inv;
      const ey = (pose.y + s * points.hitX[i]! + c * points.hitY[i]! - originY) * inv;
      ray(sx, sy, ex, ey, false, k);
    }
    for (let i = 0; i < points.freeCount; i++) {
      const ex = (pose.x + c * points.freeX[i]! - s * points.freeY[i]! - originX) * inv;
      const ey = (pose.y + s * points.freeX[i]! + c * points.freeY[i]! - originY) * inv;
      ray(sx, sy, ex, ey, true, k);
    }
  }
  const lOcc = Math.log(o.occupiedThreshold / (1 - o.occupiedThreshold));
  const lFree = Math.log(o.freeThreshold / (1 - o.freeThreshold));
  const data = new Uint8Array(width * height).fill(CELL_UNKNOWN);
  for (let i = 0; i < data.length; i++) {
    if (!seen[i]) continue;
    const l = logOdds[i]!;
    if (l > lOcc) data[i] = CELL_OCCUPIED;
    else if (l < lFree) data[i] = CELL_FREE;
  }
  return { width, height, resolution, origin: { x: originX, y: originY }, data };
}
