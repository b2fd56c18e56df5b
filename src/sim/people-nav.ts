/**
 * Route finding for simulated people: 8-connected A* over the cells a person fits in,
 * then string pulling to a few corner waypoints. People then steer between waypoints with
 * the social force model, so the route is guidance around walls, not a rail.
 * Map frame, metres.
 */
import type { Vec2 } from '../shared/geometry';
import type { World } from './world';

export class PeopleNav {
  /** 1 where a person's centre may be (clear of walls by `clearance`). */
  readonly walkable: Uint8Array;
  private readonly width: number;
  private readonly height: number;
  private readonly res: number;
  private readonly ox: number;
  private readonly oy: number;

  /** `clearance`: least distance from a route to a wall cell centre, metres. */
  constructor(private readonly world: World, clearance = 0.32) {
    const g = world.grid;
    this.width = g.width;
    this.height = g.height;
    this.res = g.resolution;
    this.ox = g.origin.x;
    this.oy = g.origin.y;
    this.walkable = new Uint8Array(g.width * g.height);
    for (let i = 0; i < this.walkable.length; i++) this.walkable[i] = world.cellDistance[i]! > clearance ? 1 : 0;
    // Circles (BARN cylinders) block routes too.
    for (const c of world.circles) {
      const reach = c.radius + clearance;
      const c0 = Math.floor((c.x - reach - this.ox) / this.res);
      const c1 = Math.floor((c.x + reach - this.ox) / this.res);
      const r0 = Math.floor((c.y - reach - this.oy) / this.res);
      const r1 = Math.floor((c.y + reach - this.oy) / this.res);
      for (let row = Math.max(0, r0); row <= Math.min(this.height - 1, r1); row++) {
        for (let col = Math.max(0, c0); col <= Math.min(this.width - 1, c1); col++) {
          const x = this.ox + (col + 0.5) * this.res;
          const y = this.oy + (row + 0.5) * this.res;
          if (Math.hypot(x - c.x, y - c.y) < reach) this.walkable[row * this.width + col] = 0;
        }
      }
    }
  }

  isWalkable(x: number, y: number): boolean {
    const col = Math.floor((x - this.ox) / this.res);
    const row = Math.floor((y - this.oy) / this.res);
    if (col < 0 || row < 0 || col >= this.width || row >= this.height) return false;
    return this.walkable[row * this.width + col] === 1;
  }

  /**
   * Waypoints from `from` to `to` (excluding `from`, ending at `to`), or null when `to` is
   * unreachable. A start outside the walkable set (pressed against a wall) is allowed.
   */
  route(from: Vec2, to: Vec2): Vec2[] | null {
    const w = this.width;
    const h = this.height;
    const cell = (p: Vec2): number => {
      const col = Math.min(w - 1, Math.max(0, Math.floor((p.x - this.ox) / this.res)));
      const row = Math.min(h - 1, Math.max(0, Math.floor((p.y - this.oy) / this.res)));
      return row * w + col;
    };
    const start = cell(from);
    const goal = cell(to);
    if (this.walkable[goal] !== 1) return null;
    const gCost = new Float32Array(w * h).fill(Infinity);
    const parent = new Int32Array(w * h).fill(-1);
    const closed = new Uint8Array(w * h);
    const heap = new MinHeap();
    const gc = goal % w;
    const gr = Math.floor(goal / w);
    const heuristic = (i: number): number => {
      const dx = Math.abs((i % w) - gc);
      const dy = Math.abs(Math.floor(i / w) - gr);
      return Math.max(dx, dy) + (Math.SQRT2 - 1) * Math.min(dx, dy);
    };
    gCost[start] = 0;
    heap.push(start, heuristic(start));
    const dirs: Array<[number, number, number]> = [
      [1, 0, 1], [-1, 0, 1], [0, 1, 1], [0, -1, 1],
      [1, 1, Math.SQRT2], [1, -1, Math.SQRT2], [-1, 1, Math.SQRT2], [-1, -1, Math.SQRT2],
    ];
    let found = false;
    while (heap.size > 0) {
      const i = heap.pop();
      if (closed[i]) continue;
      closed[i] = 1;
      if (i === goal) {
        found = true;
        break;
      }
      const col = i % w;
      const row = Math.floor(i / w);
      for (const [dc, dr, cost] of dirs) {
        const nc = col + dc;
        const nr = row + dr;
        if (nc < 0 || nr < 0 || nc >= w || nr >= h) continue;
        const j = nr * w + nc;
        if (this.walkable[j] !== 1 || closed[j]) continue;
        // No corner cutting: a diagonal needs both orthogonal neighbours walkable.
        if (dc !== 0 && dr !== 0 && (this.walkable[row * w + nc] !== 1 || this.walkable[nr * w + col] !== 1)) continue;
        const g = gCost[i]! + cost;
        if (g < gCost[j]!) {
          gCost[j] = g;
          parent[j] = i;
          heap.push(j, g + heuristic(j));
        }
      }
    }
    if (!found) return null;
    const cells: number[] = [];
    for (let i = goal; i !== -1; i = parent[i]!) cells.push(i);
    cells.reverse();
    const points = cells.map((i) => ({ x: this.ox + ((i % w) + 0.5) * this.res, y: this.oy + (Math.floor(i / w) + 0.5) * this.res }));
    points[0] = { x: from.x, y: from.y };
    points[points.length - 1] = { x: to.x, y: to.y };
    return this.stringPull(points);
  }

  /** Keeps only the points where the route must bend (greedy line of sight). */
  private stringPull(points: Vec2[]): Vec2[] {
    const out: Vec2[] = [];
    let anchor = 0;
    while (anchor < points.length - 1) {
      let next = anchor + 1;
      for (let k = points.length - 1; k > anchor + 1; k--) {
        if (this.lineWalkable(points[anchor]!, points[k]!)) {
          next = k;
          break;
        }
      }
      out.push(points[next]!);
      anchor = next;
    }
    return out;
  }

  /** True when every sample along the segment (a quarter cell apart) is walkable. */
  lineWalkable(a: Vec2, b: Vec2): boolean {
    const len = Math.hypot(b.x - a.x, b.y - a.y);
    const n = Math.max(1, Math.ceil(len / (this.res / 4)));
    for (let k = 1; k < n; k++) {
      const t = k / n;
      if (!this.isWalkable(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t)) return false;
    }
    return true;
  }
}

/** Binary min-heap of (item, priority). */
class MinHeap {
  private items: number[] = [];
  private prios: number[] = [];
  get size(): number {
    return this.items.length;
  }
  push(item: number, prio: number): void {
    const items = this.items;
    const prios = this.prios;
    let i = items.length;
    items.push(item);
    prios.push(prio);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (prios[p]! <= prio) break;
      items[i] = items[p]!;
      prios[i] = prios[p]!;
      i = p;
    }
    items[i] = item;
    prios[i] = prio;
  }
  pop(): number {
    const items = this.items;
    const prios = this.prios;
    const top = items[0]!;
    const lastItem = items.pop()!;
    const lastPrio = prios.pop()!;
    const n = items.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && prios[r]! < prios[l]! ? r : l;
        if (prios[c]! >= lastPrio) break;
        items[i] = items[c]!;
        prios[i] = prios[c]!;
        i = c;
      }
      items[i] = lastItem;
      prios[i] = lastPrio;
    }
    return top;
  }
}
