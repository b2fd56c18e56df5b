/**
 * The simulated world: a static occupancy grid (walls, furniture), exact circles (BARN
 * cylinders) and boxes that may appear and disappear at given times. It answers the
 * geometric questions the simulator asks of the environment: where a lidar ray stops,
 * whether the robot footprint touches something, how far the nearest obstacle is.
 * Everything is in the `map` frame, metres; times are simulator seconds.
 */
import type { OccupancyGrid } from '../shared/grid';
import {
  boxBoxDistance,
  boxesOverlap,
  closestPointOnBox,
  pointBoxDistance,
  rayBox,
  rayCircle,
  type CircleShape,
  type OrientedBox,
} from './shapes';

/** A box obstacle that exists for sim times in [appearAt, disappearAt). */
export interface WorldBox extends OrientedBox {
  id: number;
  /** Sim time it appears, seconds (0 or less: from the start). */
  appearAt: number;
  /** Sim time it disappears, seconds (Infinity: never). */
  disappearAt: number;
}

/** Cells with an occupancy of at least this value (and not unknown) are solid. */
export const SOLID_THRESHOLD = 50;

/** Distance to and direction away from the nearest obstacle. */
export interface ObstacleProximity {
  /** Distance from the point to the nearest obstacle surface, metres (approximate for grid cells). */
  distance: number;
  /** Unit vector pointing from the obstacle towards the point (0, 0 when unknown). */
  awayX: number;
  awayY: number;
}

export class World {
  readonly grid: OccupancyGrid;
  /** 1 where the grid cell is solid, `[row * width + col]`. */
  readonly solid: Uint8Array;
  /**
   * Distance from each cell centre to the nearest solid cell centre, metres
   * (Infinity when the grid has no solid cell).
   */
  readonly cellDistance: Float32Array;
  readonly circles: CircleShape[];
  private readonly boxList: WorldBox[] = [];
  private nextBoxId = 1;

  constructor(grid: OccupancyGrid, circles: CircleShape[] = []) {
    this.grid = grid;
    const n = grid.width * grid.height;
    this.solid = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const v = grid.data[i]!;
      this.solid[i] = v >= SOLID_THRESHOLD && v <= 100 ? 1 : 0;
    }
    this.cellDistance = euclideanDistanceTransform(this.solid, grid.width, grid.height, grid.resolution);
    this.circles = circles.map((c) => ({ ...c }));
  }

  /** Adds a box; returns its id. `appearAt` defaults to 0 (always there). */
  addBox(box: OrientedBox & { appearAt?: number; disappearAt?: number; id?: number }): number {
    const id = box.id ?? this.nextBoxId;
    this.nextBoxId = Math.max(this.nextBoxId, id + 1);
    this.boxList.push({
      id,
      x: box.x,
      y: box.y,
      yaw: box.yaw,
      length: box.length,
      width: box.width,
      appearAt: box.appearAt ?? 0,
      disappearAt: box.disappearAt ?? Infinity,
    });
    return id;
  }

  removeBox(id: number): boolean {
    const i = this.boxList.findIndex((b) => b.id === id);
    if (i < 0) return false;
    this.boxList.splice(i, 1);
    return true;
  }

  /** Every box, present or scheduled. */
  get boxes(): readonly WorldBox[] {
    return this.boxList;
  }

  /** Boxes present at sim time `t`. */
  activeBoxes(t: number): WorldBox[] {
    return this.boxList.filter((b) => b.appearAt <= t && t < b.disappearAt);
  }

  isSolidCell(col: number, row: number): boolean {
    const g = this.grid;
    if (col < 0 || row < 0 || col >= g.width || row >= g.height) return false;
    return this.solid[row * g.width + col] === 1;
  }

  /** True when the map-frame point lies in a solid grid cell. */
  isSolidAt(x: number, y: number): boolean {
    const g = this.grid;
    return this.isSolidCell(Math.floor((x - g.origin.x) / g.resolution), Math.floor((y - g.origin.y) / g.resolution));
  }

  /**
   * Distance along a unit ray from (ox, oy) to the first solid grid cell, by a DDA walk
   * (Amanatides & Woo) over the cells the ray crosses; Infinity when none within maxRange.
   * Outside the grid is empty space.
   */
  rayGrid(ox: number, oy: number, dx: number, dy: number, maxRange: number): number {
    const g = this.grid;
    const res = g.resolution;
    const gx = (ox - g.origin.x) / res;
    const gy = (oy - g.origin.y) / res;
    let col = Math.floor(gx);
    let row = Math.floor(gy);
    const stepCol = dx > 0 ? 1 : -1;
    const stepRow = dy > 0 ? 1 : -1;
    const tDeltaX = dx !== 0 ? res / Math.abs(dx) : Infinity;
    const tDeltaY = dy !== 0 ? res / Math.abs(dy) : Infinity;
    let tMaxX = dx > 0 ? (col + 1 - gx) * tDeltaX : dx < 0 ? (gx - col) * tDeltaX : Infinity;
    let tMaxY = dy > 0 ? (row + 1 - gy) * tDeltaY : dy < 0 ? (gy - row) * tDeltaY : Infinity;
    let t = 0;
    const w = g.width;
    const h = g.height;
    while (t <= maxRange) {
      if (col >= 0 && row >= 0 && col < w && row < h) {
        if (this.solid[row * w + col] === 1) return t;
      } else if ((col < 0 && stepCol < 0) || (col >= w && stepCol > 0) || (row < 0 && stepRow < 0) || (row >= h && stepRow > 0)) {
        return Infinity; // left the grid and moving away from it
      }
      if (tMaxX < tMaxY) {
        t = tMaxX;
        tMaxX += tDeltaX;
        col += stepCol;
      } else {
        t = tMaxY;
        tMaxY += tDeltaY;
        row += stepRow;
      }
    }
    return Infinity;
  }

  /**
   * Distance along a unit ray to the first static obstacle (grid, circles, boxes present at
   * time t), or Infinity beyond maxRange. `circles` lets a caller pass a pre-filtered subset.
   */
  raycast(ox: number, oy: number, dx: number, dy: number, maxRange: number, boxes: readonly OrientedBox[], circles: readonly CircleShape[] = this.circles): number {
    let best = this.rayGrid(ox, oy, dx, dy, maxRange);
    for (const c of circles) {
      const t = rayCircle(ox, oy, dx, dy, c);
      if (t < best) best = t;
    }
    for (const b of boxes) {
      const t = rayBox(ox, oy, dx, dy, b);
      if (t < best) best = t;
    }
    return best <= maxRange ? best : Infinity;
  }

  /** What the footprint (an oriented box in the map frame) overlaps at time t, if anything. */
  footprintContact(fp: OrientedBox, t: number): 'grid' | 'circle' | 'box' | null {
    for (const c of this.circles) {
      if (pointBoxDistance(c.x, c.y, fp) < c.radius) return 'circle';
    }
    for (const b of this.activeBoxes(t)) {
      if (boxesOverlap(fp, b)) return 'box';
    }
    const g = this.grid;
    const res = g.resolution;
    const reach = Math.hypot(fp.length, fp.width) / 2;
    const c0 = Math.floor((fp.x - reach - g.origin.x) / res);
    const c1 = Math.floor((fp.x + reach - g.origin.x) / res);
    const r0 = Math.floor((fp.y - reach - g.origin.y) / res);
    const r1 = Math.floor((fp.y + reach - g.origin.y) / res);
    const halfDiag = (res * Math.SQRT2) / 2;
    for (let row = Math.max(0, r0); row <= Math.min(g.height - 1, r1); row++) {
      for (let col = Math.max(0, c0); col <= Math.min(g.width - 1, c1); col++) {
        if (this.solid[row * g.width + col] !== 1) continue;
        const cx = g.origin.x + (col + 0.5) * res;
        const cy = g.origin.y + (row + 0.5) * res;
        const d = pointBoxDistance(cx, cy, fp);
        if (d === 0) return 'grid';
        if (d > halfDiag) continue;
        if (boxesOverlap(fp, { x: cx, y: cy, yaw: 0, length: res, width: res })) return 'grid';
      }
    }
    return null;
  }

  /**
   * Distance from the footprint to the nearest static obstacle at time t, metres (0 in
   * contact). Exact for circles and boxes; for grid cells, the distance to the cell square
   * measured from its centre minus half a cell (within about 0.2 cell of exact). Beyond
   * `searchRadius` of the footprint the grid part is a lower bound from the distance field.
   */
  footprintClearance(fp: OrientedBox, t: number, searchRadius = 1.0): number {
    let best = Infinity;
    for (const c of this.circles) best = Math.min(best, Math.max(0, pointBoxDistance(c.x, c.y, fp) - c.radius));
    for (const b of this.activeBoxes(t)) best = Math.min(best, boxBoxDistance(fp, b));
    const g = this.grid;
    const res = g.resolution;
    const reach = Math.hypot(fp.length, fp.width) / 2;
    const centreDistance = this.cellDistanceAt(fp.x, fp.y);
    if (centreDistance - reach - res > searchRadius) return Math.min(best, centreDistance - reach - res);
    const span = reach + searchRadius;
    const c0 = Math.max(0, Math.floor((fp.x - span - g.origin.x) / res));
    const c1 = Math.min(g.width - 1, Math.floor((fp.x + span - g.origin.x) / res));
    const r0 = Math.max(0, Math.floor((fp.y - span - g.origin.y) / res));
    const r1 = Math.min(g.height - 1, Math.floor((fp.y + span - g.origin.y) / res));
    let gridBest = Infinity;
    for (let row = r0; row <= r1; row++) {
      for (let col = c0; col <= c1; col++) {
        if (this.solid[row * g.width + col] !== 1) continue;
        const d = pointBoxDistance(g.origin.x + (col + 0.5) * res, g.origin.y + (row + 0.5) * res, fp);
        if (d < gridBest) gridBest = d;
      }
    }
    if (gridBest === Infinity) gridBest = Math.max(searchRadius, centreDistance - reach - res);
    else gridBest = Math.max(0, gridBest - res / 2);
    return Math.min(best, gridBest);
  }

  /** Distance-field value at a map point (nearest solid cell centre), metres; Infinity off-grid or empty grid. */
  cellDistanceAt(x: number, y: number): number {
    const g = this.grid;
    const col = Math.floor((x - g.origin.x) / g.resolution);
    const row = Math.floor((y - g.origin.y) / g.resolution);
    if (col < 0 || row < 0 || col >= g.width || row >= g.height) return Infinity;
    return this.cellDistance[row * g.width + col]!;
  }

  /** Nearest static obstacle to a point at time t: used by people steering around walls. */
  proximity(x: number, y: number, t: number): ObstacleProximity {
    const out: ObstacleProximity = { distance: Infinity, awayX: 0, awayY: 0 };
    const g = this.grid;
    const res = g.resolution;
    const col = Math.floor((x - g.origin.x) / res);
    const row = Math.floor((y - g.origin.y) / res);
    if (col >= 1 && row >= 1 && col < g.width - 1 && row < g.height - 1) {
      const w = g.width;
      const i = row * w + col;
      const d = this.cellDistance[i]!;
      if (Number.isFinite(d)) {
        // Away direction from the distance field's gradient (central differences).
        const gxv = this.cellDistance[i + 1]! - this.cellDistance[i - 1]!;
        const gyv = this.cellDistance[i + w]! - this.cellDistance[i - w]!;
        const n = Math.hypot(gxv, gyv);
        out.distance = Math.max(0, d - res / 2);
        if (n > 1e-9 && Number.isFinite(n)) {
          out.awayX = gxv / n;
          out.awayY = gyv / n;
        }
      }
    }
    for (const c of this.circles) {
      const dx = x - c.x;
      const dy = y - c.y;
      const r = Math.hypot(dx, dy);
      const d = Math.max(0, r - c.radius);
      if (d < out.distance) {
        out.distance = d;
        out.awayX = r > 1e-9 ? dx / r : 1;
        out.awayY = r > 1e-9 ? dy / r : 0;
      }
    }
    for (const b of this.activeBoxes(t)) {
      const p = closestPointOnBox(x, y, b);
      const dx = x - p.x;
      const dy = y - p.y;
      const d = Math.hypot(dx, dy);
      if (d < out.distance) {
        out.distance = d;
        if (d > 1e-9) {
          out.awayX = dx / d;
          out.awayY = dy / d;
        } else {
          const cx = x - b.x;
          const cy = y - b.y;
          const n = Math.hypot(cx, cy) || 1;
          out.awayX = cx / n;
          out.awayY = cy / n;
        }
      }
    }
    return out;
  }
}

/**
 * Exact Euclidean distance transform (Felzenszwalb & Huttenlocher): metres from each cell
 * centre to the nearest cell with mask = 1. Linear time, two 1-D passes.
 */
export function euclideanDistanceTransform(mask: Uint8Array, width: number, height: number, resolution: number): Float32Array {
  const FAR = 1e20;
  const n = width * height;
  const sq = new Float64Array(n);
  for (let i = 0; i < n; i++) sq[i] = mask[i] ? 0 : FAR;
  const len = Math.max(width, height);
  const f = new Float64Array(len);
  const d = new Float64Array(len);
  const v = new Int32Array(len);
  const z = new Float64Array(len + 1);
  const pass = (count: number): void => {
    let k = 0;
    v[0] = 0;
    z[0] = -Infinity;
    z[1] = Infinity;
    for (let q = 1; q < count; q++) {
      // z[0] = −∞, so k never drops below 0.
      let p = v[k]!;
      let s = (f[q]! + q * q - (f[p]! + p * p)) / (2 * q - 2 * p);
      while (s <= z[k]!) {
        k--;
        p = v[k]!;
        s = (f[q]! + q * q - (f[p]! + p * p)) / (2 * q - 2 * p);
      }
      k++;
      v[k] = q;
      z[k] = s;
      z[k + 1] = Infinity;
    }
    k = 0;
    for (let q = 0; q < count; q++) {
      while (z[k + 1]! < q) k++;
      const p = v[k]!;
      d[q] = (q - p) * (q - p) + f[p]!;
    }
  };
  for (let col = 0; col < width; col++) {
    for (let row = 0; row < height; row++) f[row] = sq[row * width + col]!;
    pass(height);
    for (let row = 0; row < height; row++) sq[row * width + col] = d[row]!;
  }
  for (let row = 0; row < height; row++) {
    const base = row * width;
    for (let col = 0; col < width; col++) f[col] = sq[base + col]!;
    pass(width);
    for (let col = 0; col < width; col++) sq[base + col] = d[col]!;
  }
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = sq[i]! >= FAR / 2 ? Infinity : Math.sqrt(sq[i]!) * resolution;
  return out;
}
