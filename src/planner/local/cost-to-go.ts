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
 */
import type { Vec2 } from '../../shared/geometry';

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

  constructor(
    /** Cells along each side of the square window. */
    private readonly maxSide = 112,
    /** Finest cell size, metres. */
    private readonly minResolution = 0.04,
  ) {
    this.cells = new Float64Array(maxSide * maxSide);
  }

  /**
   * Rebuilds the field for a window of half-size `halfSize` metres centred on (cx, cy),
   * map frame. `path` ends at the goal; with fewer than two points the straight line from
   * (cx, cy) to the goal is used.
   */
  build(path: readonly Vec2[], goal: Vec2, cx: number, cy: number, halfSize: number, lateralWeight: number): void {
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
