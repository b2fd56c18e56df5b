/**
 * Exact Euclidean distance transform (Felzenszwalb & Huttenlocher 2012, "Distance
 * Transforms of Sampled Functions"): two passes of the 1-D lower-envelope-of-parabolas
 * transform, linear in the number of cells. No per-cell neighbourhood loops, so the cost
 * of inflation does not grow with the inflation radius.
 */
import type { OccupancyGrid } from '../../shared/grid';
import { CELL_UNKNOWN } from '../../shared/grid';

/** Stand-in for +∞ in the squared-distance arithmetic (∞ − ∞ would give NaN). */
const FAR = 1e20;

/**
 * Squared Euclidean distance, in cells², from every cell centre to the nearest cell
 * centre with `mask[i] !== 0`. Cells with no obstacle anywhere get +Infinity.
 * `mask[row * width + col]`.
 */
export function squaredDistanceTransform(mask: Uint8Array, width: number, height: number): Float64Array {
  const n = width * height;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = mask[i] ? 0 : FAR;
  const len = Math.max(width, height);
  const f = new Float64Array(len);
  const d = new Float64Array(len);
  const v = new Int32Array(len);
  const z = new Float64Array(len + 1);
  // Columns first, then rows: the 2-D squared distance separates into the two 1-D passes.
  for (let col = 0; col < width; col++) {
    for (let row = 0; row < height; row++) f[row] = out[row * width + col]!;
    transform1d(f, d, v, z, height);
    for (let row = 0; row < height; row++) out[row * width + col] = d[row]!;
  }
  for (let row = 0; row < height; row++) {
    const base = row * width;
    for (let col = 0; col < width; col++) f[col] = out[base + col]!;
    transform1d(f, d, v, z, width);
    for (let col = 0; col < width; col++) out[base + col] = d[col]!;
  }
  for (let i = 0; i < n; i++) if (out[i]! >= FAR / 2) out[i] = Number.POSITIVE_INFINITY;
  return out;
}

/** 1-D squared distance transform of sampled function f[0..n) into d (F&H, Algorithm 1). */
function transform1d(f: Float64Array, d: Float64Array, v: Int32Array, z: Float64Array, n: number): void {
  let k = 0;
  v[0] = 0;
  z[0] = Number.NEGATIVE_INFINITY;
  z[1] = Number.POSITIVE_INFINITY;
  for (let q = 1; q < n; q++) {
    const fq = f[q]! + q * q;
    let vk = v[k]!;
    let s = (fq - (f[vk]! + vk * vk)) / (2 * q - 2 * vk);
    while (s <= z[k]!) {
      k--;
      vk = v[k]!;
      s = (fq - (f[vk]! + vk * vk)) / (2 * q - 2 * vk);
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = Number.POSITIVE_INFINITY;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1]! < q) k++;
    const vk = v[k]!;
    d[q] = (q - vk) * (q - vk) + f[vk]!;
  }
}

/** Which occupancy values count as obstacles for the distance field. */
export interface ObstacleRule {
  /** Cells with value ≥ this (and ≤ 100) are obstacles. Default 65 (map_server's occupied threshold, in %). */
  occupiedThreshold?: number;
  /** Treat unknown (255) cells as obstacles. Default false. */
  unknownIsObstacle?: boolean;
}

/** 1 where the occupancy value is an obstacle under `rule`. */
export function obstacleMask(grid: OccupancyGrid, rule: ObstacleRule = {}): Uint8Array {
  const threshold = rule.occupiedThreshold ?? 65;
  const unknown = rule.unknownIsObstacle ?? false;
  const mask = new Uint8Array(grid.width * grid.height);
  const data = grid.data;
  for (let i = 0; i < mask.length; i++) {
    const v = data[i]!;
    mask[i] = v === CELL_UNKNOWN ? (unknown ? 1 : 0) : v >= threshold && v <= 100 ? 1 : 0;
  }
  return mask;
}

/**
 * Distance from each cell centre to the nearest obstacle cell centre, metres, over a grid
 * laid out like an OccupancyGrid (map frame, row 0 = smallest y).
 */
export class DistanceField {
  /** Distance per cell, metres, `distances[row * width + col]`; +Infinity when the grid has no obstacle. */
  readonly distances: Float32Array;

  constructor(
    readonly width: number,
    readonly height: number,
    /** Cell edge, metres. */
    readonly resolution: number,
    /** Map-frame corner of cell (0, 0), metres. */
    readonly origin: { x: number; y: number },
    distances: Float32Array,
  ) {
    this.distances = distances;
  }

  /** Builds the field from a 0/1 obstacle mask laid out like `grid`. */
  static fromMask(grid: Pick<OccupancyGrid, 'width' | 'height' | 'resolution' | 'origin'>, mask: Uint8Array): DistanceField {
    const sq = squaredDistanceTransform(mask, grid.width, grid.height);
    const dist = new Float32Array(sq.length);
    const res = grid.resolution;
    for (let i = 0; i < sq.length; i++) dist[i] = Math.sqrt(sq[i]!) * res;
    return new DistanceField(grid.width, grid.height, res, { ...grid.origin }, dist);
  }

  /** Builds the field from an occupancy grid's obstacle cells. */
  static fromGrid(grid: OccupancyGrid, rule: ObstacleRule = {}): DistanceField {
    return DistanceField.fromMask(grid, obstacleMask(grid, rule));
  }

  /** Distance at cell (col, row), metres; 0 outside the grid (unknown space is not known to be clear). */
  distanceAtCell(col: number, row: number): number {
    if (col < 0 || row < 0 || col >= this.width || row >= this.height) return 0;
    return this.distances[row * this.width + col]!;
  }

  /** Distance at map-frame point (x, y) metres, from the cell containing it; 0 outside the grid. */
  distanceAt(x: number, y: number): number {
    return this.distanceAtCell(Math.floor((x - this.origin.x) / this.resolution), Math.floor((y - this.origin.y) / this.resolution));
  }
}
