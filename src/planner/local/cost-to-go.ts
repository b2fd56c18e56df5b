/**
 * Cost-to-go along the guidance path, as a small grid around the robot rebuilt each cycle.
 *
 * For a map-frame point p the cost-to-go is, in metres,
 *   min over points q of the path of  w · |p − q| + (path length from q to the goal),
 * with w = lateralWeight > 1: head straight for some point of the path, paying a little
 * extra per metre off it, then follow the path. For a straight path this grows like
 * along + lateral·√(w² − 1), so stepping aside (to let someone pass) is cheap while cutting
 * across bends of the path (through what the global planner went around) is not. Beyond the
 * last point it grows with the distance to the goal, so overshooting costs.
 * The grid is bilinearly interpolated, so the field is continuous.
 *
 * With an obstacle field, |p − q| becomes the shortest distance from p to q through the
 * cells where the robot's centre fits (clearance above the footprint's inscribed radius),
 * computed by an 8-connected Dijkstra over the window seeded along the path. Walls then
 * count: next to a doorway the field falls toward the opening, not through the jamb, so
 * the planner has no reason to aim at a corner the string-pulled path cuts close to.
 * Cells where the robot does not fit are still crossed, at `blockedFactor` times the
 * price, so the field stays finite (and points out of them) everywhere.
 */
import type { Vec2 } from '../../shared/geometry';
import { IndexedMinHeap } from '../global/heap';
import type { ObstacleDistance } from './types';

/** Walls in the cost-to-go: what the field must go around. */
export interface CostToGoObstacles {
  field: ObstacleDistance;
  /** The robot's centre fits where the clearance exceeds this, metres (the inscribed radius). */
  minClearance: number;
  /** Price factor for crossing cells where it does not fit (> 1). */
  blockedFactor?: number;
}

export class PathCostToGo {
  private cells: Float64Array;
  private side = 0;
  private originX = 0;
  private originY = 0;
  private resolution = 1;
  private goalX = 0;
  private goalY = 0;
  private fallbackWeight = 1;
  private aheadFactor = 1;
  // Path in packed form, plus remaining length from each vertex to the end.
  private px = new Float64Array(64);
  private py = new Float64Array(64);
  private remaining = new Float64Array(64);
  private vertexCount = 0;
  // Geodesic build: per-cell fit flag, Dijkstra state and heap, sized for maxSide².
  private readonly fits: Uint8Array;
  private readonly done: Uint8Array;
  private readonly heap: IndexedMinHeap;

  constructor(
    /** Cells along each side of the square window. */
    private readonly maxSide = 112,
    /** Finest cell size, metres. */
    private readonly minResolution = 0.04,
  ) {
    this.cells = new Float64Array(maxSide * maxSide);
    this.fits = new Uint8Array(maxSide * maxSide);
    this.done = new Uint8Array(maxSide * maxSide);
    this.heap = new IndexedMinHeap(maxSide * maxSide);
  }

  /**
   * Rebuilds the field for a window of half-size `halfSize` metres centred on (cx, cy),
   * map frame. `path` ends at the goal; with fewer than two points the straight line from
   * (cx, cy) to the goal is used.
   */
  build(
    path: readonly Vec2[],
    goal: Vec2,
    cx: number,
    cy: number,
    halfSize: number,
    lateralWeight: number,
    obstacles?: CostToGoObstacles,
  ): void {
    if (!(lateralWeight > 1)) throw new RangeError('lateralWeight must be > 1');
    this.fallbackWeight = lateralWeight;
    this.aheadFactor = 1 / Math.sqrt(lateralWeight * lateralWeight - 1);
    this.goalX = goal.x;
    this.goalY = goal.y;
    // Vertices: the path, with the goal appended if the path does not end there.
    const pts: Vec2[] = path.length >= 2 ? path.slice() : [{ x: cx, y: cy }];
    const last = pts[pts.length - 1]!;
    if (Math.hypot(last.x - goal.x, last.y - goal.y) > 1e-6) pts.push({ x: goal.x, y: goal.y });
    if (pts.length === 1) pts.push({ x: goal.x, y: goal.y });
    this.ensureVertices(pts.length);
    const n = pts.length;
    for (let i = 0; i < n; i++) {
      this.px[i] = pts[i]!.x;
      this.py[i] = pts[i]!.y;
    }
    this.remaining[n - 1] = 0;
    for (let i = n - 2; i >= 0; i--) {
      this.remaining[i] = this.remaining[i + 1]! + Math.hypot(this.px[i + 1]! - this.px[i]!, this.py[i + 1]! - this.py[i]!);
    }
    this.vertexCount = n;

    const side = Math.min(this.maxSide, Math.max(2, Math.ceil((2 * halfSize) / this.minResolution) + 1));
    const res = (2 * halfSize) / (side - 1);
    this.side = side;
    this.resolution = res;
    this.originX = cx - halfSize;
    this.originY = cy - halfSize;
    if (obstacles && this.buildGeodesic(lateralWeight, obstacles)) return;

    // Only segments that come near the window can hold the minimum for a cell in it… unless
    // none does; then every segment is kept so the field still points along the path.
    const margin = halfSize * 1.5;
    const segs: number[] = [];
    for (let i = 0; i < n - 1; i++) {
      const x0 = Math.min(this.px[i]!, this.px[i + 1]!);
      const x1 = Math.max(this.px[i]!, this.px[i + 1]!);
      const y0 = Math.min(this.py[i]!, this.py[i + 1]!);
      const y1 = Math.max(this.py[i]!, this.py[i + 1]!);
      if (x1 >= cx - margin && x0 <= cx + margin && y1 >= cy - margin && y0 <= cy + margin) segs.push(i);
    }
    if (segs.length === 0) for (let i = 0; i < n - 1; i++) segs.push(i);

    for (let r = 0; r < side; r++) {
      const y = this.originY + r * res;
      for (let c = 0; c < side; c++) {
        const x = this.originX + c * res;
        let best = Infinity;
        for (let s = 0; s < segs.length; s++) {
          const i = segs[s]!;
          const ax = this.px[i]!;
          const ay = this.py[i]!;
          const dx = this.px[i + 1]! - ax;
          const dy = this.py[i + 1]! - ay;
          const len = Math.hypot(dx, dy);
          let cost: number;
          if (len < 1e-9) {
            cost = lateralWeight * Math.hypot(x - ax, y - ay) + this.remaining[i + 1]!;
          } else {
            // Along-segment coordinate of the projection and lateral offset of the point.
            const along = ((x - ax) * dx + (y - ay) * dy) / len;
            const lat = Math.abs((x - ax) * dy - (y - ay) * dx) / len;
            // Best point q of the segment to head for: minimizes w·|p − q| + remaining(q),
            // which lies ahead of the projection by lat/√(w² − 1).
            let sq = along + lat * this.aheadFactor;
            if (sq < 0) sq = 0;
            else if (sq > len) sq = len;
            cost = lateralWeight * Math.hypot(sq - along, lat) + this.remaining[i + 1]! + (len - sq);
          }
          if (cost < best) best = cost;
        }
        this.cells[r * side + c] = best;
      }
    }
  }

  /**
   * Fills the cells with w·(shortest distance through free cells to a path point) + the
   * path length from there to the goal. Returns false (nothing usable) when no path point
   * inside the window is free: the caller falls back to the straight-line field.
   */
  private buildGeodesic(w: number, obstacles: CostToGoObstacles): boolean {
    const side = this.side;
    const res = this.resolution;
    const ox = this.originX;
    const oy = this.originY;
    const n = side * side;
    const fits = this.fits;
    const cells = this.cells;
    const done = this.done;
    const field = obstacles.field;
    const minClr = obstacles.minClearance;
    const blocked = Math.max(1, obstacles.blockedFactor ?? 20);
    for (let r = 0; r < side; r++) {
      const y = oy + r * res;
      for (let c = 0; c < side; c++) {
        const i = r * side + c;
        fits[i] = field.distanceAt(ox + c * res, y) > minClr ? 1 : 0;
        cells[i] = Infinity;
        done[i] = 0;
      }
    }
    const heap = this.heap;
    heap.clear();
    const inHeap = (i: number): boolean => done[i] === 2;
    // Seeds: points every half cell along the path; each offers its remaining length plus the
    // straight (weighted) hop to the free cells around it.
    let seeded = 0;
    const seedAt = (qx: number, qy: number, remaining: number): void => {
      const fc = (qx - ox) / res;
      const fr = (qy - oy) / res;
      if (fc < -1 || fr < -1 || fc > side || fr > side) return;
      const c0 = Math.round(fc);
      const r0 = Math.round(fr);
      for (let dr = -1; dr <= 1; dr++) {
        const r = r0 + dr;
        if (r < 0 || r >= side) continue;
        for (let dc = -1; dc <= 1; dc++) {
          const c = c0 + dc;
          if (c < 0 || c >= side) continue;
          const i = r * side + c;
          if (fits[i] === 0) continue;
          const v = remaining + w * Math.hypot(ox + c * res - qx, oy + r * res - qy);
          if (v < cells[i]!) {
            if (inHeap(i)) heap.decrease(i, v);
            else {
              heap.push(i, v);
              done[i] = 2;
            }
            cells[i] = v;
            seeded++;
          }
        }
      }
    };
    const nv = this.vertexCount;
    for (let k = 0; k < nv - 1; k++) {
      const ax = this.px[k]!;
      const ay = this.py[k]!;
      const dx = this.px[k + 1]! - ax;
      const dy = this.py[k + 1]! - ay;
      const len = Math.hypot(dx, dy);
      const steps = Math.max(1, Math.ceil(len / (0.5 * res)));
      for (let j = 0; j < steps; j++) {
        const u = j / steps;
        seedAt(ax + u * dx, ay + u * dy, this.remaining[k + 1]! + (1 - u) * len);
      }
    }
    if (nv > 0) seedAt(this.px[nv - 1]!, this.py[nv - 1]!, 0);
    if (seeded === 0) return false;

    const straight = w * res;
    const diagonal = straight * Math.SQRT2;
    while (heap.size > 0) {
      const i = heap.pop();
      done[i] = 1;
      const r = (i / side) | 0;
      const c = i - r * side;
      const vi = cells[i]!;
      const fi = fits[i]!;
      for (let dr = -1; dr <= 1; dr++) {
        const rr = r + dr;
        if (rr < 0 || rr >= side) continue;
        for (let dc = -1; dc <= 1; dc++) {
          if (dr === 0 && dc === 0) continue;
          const cc = c + dc;
          if (cc < 0 || cc >= side) continue;
          const j = rr * side + cc;
          if (done[j] === 1) continue;
          const step = dr !== 0 && dc !== 0 ? diagonal : straight;
          const v = vi + (fi === 1 && fits[j] === 1 ? step : blocked * step);
          if (v < cells[j]!) {
            cells[j] = v;
            if (done[j] === 2) heap.decrease(j, v);
            else {
              heap.push(j, v);
              done[j] = 2;
            }
          }
        }
      }
    }
    for (let i = 0; i < n; i++) if (!(cells[i]! < Infinity)) cells[i] = w * Math.hypot(ox + (i % side) * res - this.goalX, oy + ((i / side) | 0) * res - this.goalY);
    return true;
  }

  /** Cost-to-go at a map-frame point, metres. Outside the window: distance to the goal, weighted. */
  at(x: number, y: number): number {
    const fx = (x - this.originX) / this.resolution;
    const fy = (y - this.originY) / this.resolution;
    const side = this.side;
    if (!(fx >= 0 && fy >= 0 && fx < side - 1 && fy < side - 1)) {
      return this.fallbackWeight * Math.hypot(x - this.goalX, y - this.goalY);
    }
    const c = Math.floor(fx);
    const r = Math.floor(fy);
    const tx = fx - c;
    const ty = fy - r;
    const i = r * side + c;
    const g = this.cells;
    const top = g[i]! + (g[i + 1]! - g[i]!) * tx;
    const bottom = g[i + side]! + (g[i + side + 1]! - g[i + side]!) * tx;
    return top + (bottom - top) * ty;
  }

  /** Price per metre off the path relative to along it (as last built). */
  get lateralWeight(): number {
    return this.fallbackWeight;
  }

  /** Path length from the first vertex to the goal, metres. */
  totalLength(): number {
    return this.vertexCount > 0 ? this.remaining[0]! : 0;
  }

  private ensureVertices(n: number): void {
    if (this.px.length >= n) return;
    const cap = Math.max(n, this.px.length * 2);
    this.px = new Float64Array(cap);
    this.py = new Float64Array(cap);
    this.remaining = new Float64Array(cap);
  }
}

/**
 * The path moved to its right, as people keep to the right of a corridor. The path is
 * resampled every `step` metres; each sample but the goal moves along the path's
 * right-hand normal by up to `offset` metres, as far as the robot's centre keeps
 * `minClearance` from obstacles there (searched in 2 cm steps), and the shift changes by
 * at most `maxSlope` metres per metre along the path (so the lane is left gradually before
 * a doorway or a gap, which keep their line, and the shifted path does not cut a corner
 * that the original went round). An open hallway gets a right-hand lane. Map frame, metres.
 */
export function keepRightOf(
  path: readonly Vec2[],
  field: ObstacleDistance,
  offset: number,
  minClearance: number,
  step = 0.2,
  maxSlope = 0.5,
): Vec2[] {
  if (path.length < 2 || !(offset > 0)) return path.slice();
  // Resample: points every `step` along each segment, with the segment's unit direction.
  const px: number[] = [];
  const py: number[] = [];
  const dirX: number[] = [];
  const dirY: number[] = [];
  for (let i = 0; i < path.length - 1; i++) {
    const a = path[i]!;
    const b = path[i + 1]!;
    const len = Math.hypot(b.x - a.x, b.y - a.y);
    if (len < 1e-9) continue;
    const ux = (b.x - a.x) / len;
    const uy = (b.y - a.y) / len;
    const n = Math.max(1, Math.ceil(len / step));
    for (let j = 0; j < n; j++) {
      px.push(a.x + (ux * len * j) / n);
      py.push(a.y + (uy * len * j) / n);
      dirX.push(ux);
      dirY.push(uy);
    }
  }
  const last = path[path.length - 1]!;
  const count = px.length;
  if (count === 0) return path.slice();
  const shift = new Float64Array(count + 1); // the goal (index count) keeps its place
  const normX = new Float64Array(count);
  const normY = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    // Right-hand normal (uy, −ux), averaged with the previous sample's at a corner.
    let nx = dirY[i]!;
    let ny = -dirX[i]!;
    if (i > 0) {
      nx += dirY[i - 1]!;
      ny -= dirX[i - 1]!;
    }
    const m = Math.hypot(nx, ny);
    if (m < 1e-9) continue;
    nx /= m;
    ny /= m;
    normX[i] = nx;
    normY[i] = ny;
    let s = 0;
    for (let t = 0.02; t <= offset + 1e-9; t += 0.02) {
      if (field.distanceAt(px[i]! + nx * t, py[i]! + ny * t) < minClearance) break;
      s = t;
    }
    shift[i] = s;
  }
  // Limit the slope both ways (the goal's shift is 0).
  const dMax = maxSlope * step;
  for (let i = 1; i <= count; i++) shift[i] = Math.min(shift[i]!, shift[i - 1]! + dMax);
  for (let i = count - 1; i >= 0; i--) shift[i] = Math.min(shift[i]!, shift[i + 1]! + dMax);
  const out: Vec2[] = [];
  for (let i = 0; i < count; i++) out.push({ x: px[i]! + normX[i]! * shift[i]!, y: py[i]! + normY[i]! * shift[i]! });
  out.push({ x: last.x, y: last.y });
  return out;
}
