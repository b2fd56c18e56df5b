/**
 * A growable probability grid: the map a submap keeps, in the submap's own frame (metres).
 *
 * Cell (col, row) covers x ∈ [originX + col·res, originX + (col+1)·res), same for y. Each cell
 * holds a 16-bit code: 0 = never observed, 1..32767 = occupancy probability in
 * [P_MIN, P_MAX] (linear). Updates are table look-ups in odds space (one table for a hit,
 * one for a miss), and every cell changes at most once per scan: a cell already hit by this
 * scan is not also cleared by another beam's ray (the high bit marks "updated this scan"),
 * which is what keeps thin walls from being eroded by grazing rays.
 *
 * Probabilities are clamped to [P_MIN, P_MAX] = [0.1, 0.9] so no cell becomes certain and a
 * changed world can still overwrite it. An unobserved cell reads as P_MIN: to a matcher it is
 * as unlikely to hold a wall as known free space.
 */
import type { Pose2D } from '../../shared/geometry';
import type { ScanPoints } from './scan-points';
import { forEachRayCell } from '../grid/cell-ray';

export const P_MIN = 0.1;
export const P_MAX = 0.9;
const CODE_MAX = 32767;
const UPDATED = 32768;

/** Probability of each 16-bit code (code 0, unknown, reads P_MIN). */
export const CODE_TO_PROBABILITY: Float32Array = (() => {
  const t = new Float32Array(UPDATED);
  t[0] = P_MIN;
  for (let v = 1; v <= CODE_MAX; v++) t[v] = P_MIN + ((v - 1) / (CODE_MAX - 1)) * (P_MAX - P_MIN);
  return t;
})();

/** Correspondence cost 1 − p of each code: what the continuous matcher minimises. */
export const CODE_TO_COST: Float32Array = (() => {
  const t = new Float32Array(UPDATED);
  for (let v = 0; v <= CODE_MAX; v++) t[v] = 1 - CODE_TO_PROBABILITY[v]!;
  return t;
})();

export function probabilityToCode(p: number): number {
  const c = Math.min(P_MAX, Math.max(P_MIN, p));
  return 1 + Math.round(((c - P_MIN) / (P_MAX - P_MIN)) * (CODE_MAX - 1));
}

const odds = (p: number): number => p / (1 - p);
const fromOdds = (o: number): number => o / (1 + o);

const tableCache = new Map<number, Uint16Array>();

/**
 * Update table for one observation of probability `p` (hit > 0.5, miss < 0.5): code → new
 * code with the UPDATED bit set; codes already marked map to themselves.
 */
export function updateTable(p: number): Uint16Array {
  const cached = tableCache.get(p);
  if (cached) return cached;
  const t = new Uint16Array(2 * UPDATED);
  const o = odds(p);
  t[0] = probabilityToCode(p) + UPDATED;
  for (let v = 1; v <= CODE_MAX; v++) t[v] = probabilityToCode(fromOdds(odds(CODE_TO_PROBABILITY[v]!) * o)) + UPDATED;
  for (let v = UPDATED; v < 2 * UPDATED; v++) t[v] = v;
  tableCache.set(p, t);
  return t;
}

export class ProbabilityGrid {
  readonly resolution: number;
  /** Submap-frame position of the corner of cell (0, 0), metres. */
  originX = 0;
  originY = 0;
  width = 0;
  height = 0;
  values: Uint16Array = new Uint16Array(0);
  /** Bounding box of every cell touched so far (inclusive), or empty when min > max. */
  minCol = Number.MAX_SAFE_INTEGER;
  minRow = Number.MAX_SAFE_INTEGER;
  maxCol = -1;
  maxRow = -1;
  private readonly hitTable: Uint16Array;
  private readonly missTable: Uint16Array;
  private updated = new Int32Array(4096);
  private updatedCount = 0;

  constructor(resolution: number, hitProbability: number, missProbability: number) {
    this.resolution = resolution;
    this.hitTable = updateTable(hitProbability);
    this.missTable = updateTable(missProbability);
  }

  /**
   * Makes sure the grid covers the submap-frame box [x0, x1] × [y0, y1] (metres), growing it
   * with a margin so a robot driving on does not cause a copy every scan.
   */
  ensureContains(x0: number, y0: number, x1: number, y1: number): void {
    const res = this.resolution;
    if (this.width > 0) {
      const c0 = Math.floor((x0 - this.originX) / res);
      const r0 = Math.floor((y0 - this.originY) / res);
      const c1 = Math.floor((x1 - this.originX) / res);
      const r1 = Math.floor((y1 - this.originY) / res);
      if (c0 >= 0 && r0 >= 0 && c1 < this.width && r1 < this.height) return;
    }
    const margin = 64; // cells (3.2 m at 5 cm)
    let nx0 = Math.floor(x0 / res) - margin;
    let ny0 = Math.floor(y0 / res) - margin;
    let nx1 = Math.floor(x1 / res) + margin;
    let ny1 = Math.floor(y1 / res) + margin;
    if (this.width > 0) {
      const ox = Math.round(this.originX / res);
      const oy = Math.round(this.originY / res);
      nx0 = Math.min(nx0, ox);
      ny0 = Math.min(ny0, oy);
      nx1 = Math.max(nx1, ox + this.width - 1);
      ny1 = Math.max(ny1, oy + this.height - 1);
    }
    const w = nx1 - nx0 + 1;
    const h = ny1 - ny0 + 1;
    const values = new Uint16Array(w * h);
    if (this.width > 0) {
      const dc = Math.round(this.originX / res) - nx0;
      const dr = Math.round(this.originY / res) - ny0;
      for (let r = 0; r < this.height; r++) values.set(this.values.subarray(r * this.width, (r + 1) * this.width), (r + dr) * w + dc);
      if (this.maxCol >= 0) {
        this.minCol += dc;
        this.maxCol += dc;
        this.minRow += dr;
        this.maxRow += dr;
      }
    }
    this.values = values;
    this.width = w;
    this.height = h;
    this.originX = nx0 * res;
    this.originY = ny0 * res;
  }

  /**
   * Inserts a scan taken with base_link at `pose` (submap frame): endpoints hit, the cells
   * the rays cross missed, and so are the cells along returns beyond the usable range (not
   * along beams with no return at all: see ScanPoints.farCount).
   */
  insert(points: ScanPoints, pose: Pose2D): void {
    const c = Math.cos(pose.theta);
    const s = Math.sin(pose.theta);
    const ox = pose.x + c * points.originX - s * points.originY;
    const oy = pose.y + s * points.originX + c * points.originY;
    const box = { x0: ox, y0: oy, x1: ox, y1: oy };
    growBounds(box, pose, c, s, points.hitX, points.hitY, points.hitCount);
    growBounds(box, pose, c, s, points.freeX, points.freeY, points.farCount);
    this.ensureContains(box.x0, box.y0, box.x1, box.y1);
    const res = this.resolution;
    const inv = 1 / res;
    const sx = (ox - this.originX) * inv;
    const sy = (oy - this.originY) * inv;
    const w = this.width;
    const values = this.values;
    // Hits first, so a cell hit by one beam is not cleared by a neighbour's ray.
    const hit = this.hitTable;
    for (let i = 0; i < points.hitCount; i++) {
      const px = points.hitX[i]!;
      const py = points.hitY[i]!;
      const col = Math.floor((pose.x + c * px - s * py - this.originX) * inv);
      const row = Math.floor((pose.y + s * px + c * py - this.originY) * inv);
      const idx = row * w + col;
      const v = values[idx]!;
      if (v < UPDATED) {
        values[idx] = hit[v]!;
        this.mark(idx);
      }
    }
    for (let i = 0; i < points.hitCount; i++) {
      const px = points.hitX[i]!;
      const py = points.hitY[i]!;
      this.ray(sx, sy, (pose.x + c * px - s * py - this.originX) * inv, (pose.y + s * px + c * py - this.originY) * inv, false);
    }
    for (let i = 0; i < points.farCount; i++) {
      const px = points.freeX[i]!;
      const py = points.freeY[i]!;
      this.ray(sx, sy, (pose.x + c * px - s * py - this.originX) * inv, (pose.y + s * px + c * py - this.originY) * inv, true);
    }
    for (let k = 0; k < this.updatedCount; k++) {
      const idx = this.updated[k]!;
      values[idx] = values[idx]! - UPDATED;
      const col = idx % w;
      const row = (idx - col) / w;
      if (col < this.minCol) this.minCol = col;
      if (col > this.maxCol) this.maxCol = col;
      if (row < this.minRow) this.minRow = row;
      if (row > this.maxRow) this.maxRow = row;
    }
    this.updatedCount = 0;
  }

  private mark(idx: number): void {
    if (this.updatedCount === this.updated.length) {
      const grown = new Int32Array(this.updated.length * 2);
      grown.set(this.updated);
      this.updated = grown;
    }
    this.updated[this.updatedCount++] = idx;
  }

  /**
   * Marks the cells from (sx, sy) to (ex, ey) (cell units) missed, exact grid traversal
   * (Amanatides–Woo). The end cell is included only for a free-space ray.
   */
  private ray(sx: number, sy: number, ex: number, ey: number, includeEnd: boolean): void {
    forEachRayCell(sx, sy, ex, ey, includeEnd, this.missCell);
  }

  /** One cell a ray crossed: missed, unless this scan already updated it. */
  private readonly missCell = (ix: number, iy: number): void => {
    const idx = iy * this.width + ix;
    const v = this.values[idx]!;
    if (v < UPDATED) {
      this.values[idx] = this.missTable[v]!;
      this.mark(idx);
    }
  };

  /** Occupancy probability of cell (col, row); P_MIN outside the grid or unobserved. */
  probabilityAt(col: number, row: number): number {
    if (col < 0 || row < 0 || col >= this.width || row >= this.height) return P_MIN;
    return CODE_TO_PROBABILITY[this.values[row * this.width + col]!]!;
  }

  /**
   * Bicubic (Catmull–Rom) interpolation of the correspondence cost 1 − p at continuous cell
   * coordinates (u, v), where integer coordinates are cell centres (u = (x − originX)/res − ½).
   * Writes [cost, ∂cost/∂u, ∂cost/∂v] into `out`. Outside the grid the cost is 1 − P_MIN.
   * Smooth (C¹), so Gauss–Newton converges to sub-cell precision.
   */
  interpolateCost(u: number, v: number, out: Float64Array): void {
    const i = Math.floor(u);
    const j = Math.floor(v);
    const fx = u - i;
    const fy = v - j;
    const w = this.width;
    const values = this.values;
    const cost = CODE_TO_COST; // local alias for the hot loop
    const inside = i >= 1 && j >= 1 && i + 2 < w && j + 2 < this.height;
    let r0 = 0;
    let r1 = 0;
    let r2 = 0;
    let r3 = 0;
    let d0 = 0;
    let d1 = 0;
    let d2 = 0;
    let d3 = 0;
    for (let k = 0; k < 4; k++) {
      const row = j - 1 + k;
      let f0: number;
      let f1: number;
      let f2: number;
      let f3: number;
      if (inside) {
        const base = row * w + i;
        f0 = cost[values[base - 1]!]!;
        f1 = cost[values[base]!]!;
        f2 = cost[values[base + 1]!]!;
        f3 = cost[values[base + 2]!]!;
      } else {
        f0 = this.costAt(i - 1, row);
        f1 = this.costAt(i, row);
        f2 = this.costAt(i + 1, row);
        f3 = this.costAt(i + 2, row);
      }
      // Catmull–Rom: p(t) = f1 + t·c + t²·b + t³·a.
      const a = 0.5 * (-f0 + 3 * f1 - 3 * f2 + f3);
      const b = 0.5 * (2 * f0 - 5 * f1 + 4 * f2 - f3);
      const c = 0.5 * (f2 - f0);
      const val = ((a * fx + b) * fx + c) * fx + f1;
      const der = (3 * a * fx + 2 * b) * fx + c;
      if (k === 0) {
        r0 = val;
        d0 = der;
      } else if (k === 1) {
        r1 = val;
        d1 = der;
      } else if (k === 2) {
        r2 = val;
        d2 = der;
      } else {
        r3 = val;
        d3 = der;
      }
    }
    const a = 0.5 * (-r0 + 3 * r1 - 3 * r2 + r3);
    const b = 0.5 * (2 * r0 - 5 * r1 + 4 * r2 - r3);
    const c = 0.5 * (r2 - r0);
    out[0] = ((a * fy + b) * fy + c) * fy + r1;
    out[2] = (3 * a * fy + 2 * b) * fy + c;
    const da = 0.5 * (-d0 + 3 * d1 - 3 * d2 + d3);
    const db = 0.5 * (2 * d0 - 5 * d1 + 4 * d2 - d3);
    const dc = 0.5 * (d2 - d0);
    out[1] = ((da * fy + db) * fy + dc) * fy + d1;
  }

  private costAt(col: number, row: number): number {
    if (col < 0 || row < 0 || col >= this.width || row >= this.height) return 1 - P_MIN;
    return CODE_TO_COST[this.values[row * this.width + col]!]!;
  }

  /** Shrinks storage to the touched box (plus a cell of margin): finished submaps stop growing. */
  crop(): void {
    if (this.maxCol < 0) return;
    const c0 = Math.max(0, this.minCol - 1);
    const r0 = Math.max(0, this.minRow - 1);
    const c1 = Math.min(this.width - 1, this.maxCol + 1);
    const r1 = Math.min(this.height - 1, this.maxRow + 1);
    const w = c1 - c0 + 1;
    const h = r1 - r0 + 1;
    if (w === this.width && h === this.height) return;
    const values = new Uint16Array(w * h);
    for (let r = 0; r < h; r++) values.set(this.values.subarray((r + r0) * this.width + c0, (r + r0) * this.width + c0 + w), r * w);
    this.values = values;
    this.originX += c0 * this.resolution;
    this.originY += r0 * this.resolution;
    this.width = w;
    this.height = h;
    this.minCol -= c0;
    this.maxCol -= c0;
    this.minRow -= r0;
    this.maxRow -= r0;
  }
}

/** Grows `box` (map frame, m) to hold the first `n` points (xs, ys) given in the frame of `pose` (cos c, sin s). */
function growBounds(box: { x0: number; y0: number; x1: number; y1: number }, pose: Pose2D, c: number, s: number, xs: ArrayLike<number>, ys: ArrayLike<number>, n: number): void {
  for (let i = 0; i < n; i++) {
    const px = xs[i]!;
    const py = ys[i]!;
    const x = pose.x + c * px - s * py;
    const y = pose.y + s * px + c * py;
    if (x < box.x0) box.x0 = x;
    else if (x > box.x1) box.x1 = x;
    if (y < box.y0) box.y0 = y;
    else if (y > box.y1) box.y1 = y;
  }
}
