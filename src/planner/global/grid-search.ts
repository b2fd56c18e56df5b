/**
 * Optimal 8-connected grid search without corner cutting (straight step 1, diagonal √2;
 * a diagonal step only when both orthogonal neighbours are free), prepared once per map.
 *
 * Everything a query needs is allocated in the constructor and reused: a generation
 * counter marks which g-values belong to the current query, so nothing is cleared
 * between queries. The map is padded with a one-cell blocked border, which removes
 * bounds checks from the inner loops.
 *
 * Two searches share the buffers:
 * - `jps`: Jump Point Search (Harabor & Grastien) with the pruning rules for no corner
 *   cutting. Diagonal moves have no forced neighbours; a straight move east at p has a
 *   forced neighbour p+s (s = north or south) when p+s is free and p−east+s is blocked,
 *   because the diagonal from the parent to p+s is then forbidden. Exactly optimal on
 *   uniform-cost grids. Straight jumps are O(1) look-ups in a per-map table of distances
 *   to the next forced cell or wall (as in JPS+); diagonal jumps walk, using those look-ups.
 * - `astar`: plain A* with the octile heuristic, optionally cost-aware (each step's length
 *   is multiplied by 1 + w·(c_from + c_to)/(2·252) for costmap costs c), which JPS cannot do.
 */
import { IndexedMinHeap } from './heap';

/** Cooperative cancellation: the search polls `cancelled` while it runs. */
export interface CancelToken {
  readonly cancelled: boolean;
}

/** When to give up. Time is read only through `now`, which the caller supplies. */
export interface SearchLimits {
  /** Monotonic clock, seconds. Needed for `budgetS`. */
  now?: () => number;
  /** Give up with 'timeout' after this many seconds of `now()` time. */
  budgetS?: number;
  cancel?: CancelToken;
}

/** What the search runs on: one flag per cell, same layout as an OccupancyGrid. */
export interface PlanningGrid {
  width: number;
  height: number;
  /** Cell edge, metres. */
  resolution: number;
  /** Map-frame corner of cell (0, 0), metres. */
  origin: { x: number; y: number };
  /** 1 where the robot centre may not be, `blocked[row * width + col]`. */
  blocked: Uint8Array;
  /** Optional traversal cost 0..252 per cell (costmap_2d scale), used by the cost-aware A*. */
  cost?: Uint8Array;
}

export type SearchFailureReason = 'start-occupied' | 'goal-occupied' | 'no-path' | 'timeout' | 'cancelled';

export type SearchOutcome =
  | {
      ok: true;
      /** Cells from start to goal, each 8-adjacent to the next, as `row * width + col`. */
      cells: Int32Array;
      /** Search objective in cell units (the 8-connected length when not cost-aware). */
      cost: number;
      /** Nodes taken off the open list. */
      expanded: number;
    }
  | { ok: false; reason: SearchFailureReason; expanded: number };

const SQRT2 = Math.SQRT2;
const OCTILE_DIAG = SQRT2 - 2;
/** Ties on f go to the node nearer the goal; the scaled heuristic stays within 1e-6 of optimal. */
const TIE_BREAK = 1 + 1e-9;
const NO_DIR = 8;

export class GridSearch {
  readonly width: number;
  readonly height: number;
  /** Padded row stride. */
  private readonly stride: number;
  private readonly blocked: Uint8Array;
  /** Per-cell half step-cost surcharge w·c/(2·252); absent when the search is not cost-aware. */
  private stepSurcharge: Float32Array | undefined;
  private readonly g: Float64Array;
  private readonly parent: Int32Array;
  /** Direction (0..7) of the move that reached each node; NO_DIR for the start. */
  private readonly arrival: Uint8Array;
  private readonly seenGen: Uint32Array;
  private readonly closedGen: Uint32Array;
  private generation = 0;
  private readonly heap: IndexedMinHeap;
  private readonly offsets: Int32Array;
  private goalCol = 0;
  private goalRow = 0;
  /** Straight jump distances for JPS, 4 per padded cell; built on first JPS query. */
  private jumpTable: Int32Array | undefined;

  constructor(grid: PlanningGrid) {
    const { width, height } = grid;
    this.width = width;
    this.height = height;
    const stride = width + 2;
    this.stride = stride;
    const n = stride * (height + 2);
    this.blocked = new Uint8Array(n).fill(1);
    for (let row = 0; row < height; row++) {
      for (let col = 0; col < width; col++) this.blocked[(row + 1) * stride + col + 1] = grid.blocked[row * width + col] ? 1 : 0;
    }
    this.g = new Float64Array(n);
    this.parent = new Int32Array(n);
    this.arrival = new Uint8Array(n);
    this.seenGen = new Uint32Array(n);
    this.closedGen = new Uint32Array(n);
    this.heap = new IndexedMinHeap(n);
    // Directions: E, W, N(+row), S(−row), NE, NW, SE, SW.
    this.offsets = Int32Array.from([1, -1, stride, -stride, stride + 1, stride - 1, -stride + 1, -stride - 1]);
  }

  /**
   * Sets the cost-aware weight w ≥ 0 and per-cell costs (0..252, same layout as the grid).
   * w = 0 (or no costs) makes A* a pure shortest-path search.
   */
  setCosts(cost: Uint8Array | undefined, weight: number): void {
    if (!cost || !(weight > 0)) {
      this.stepSurcharge = undefined;
      return;
    }
    const s = new Float32Array(this.blocked.length);
    const k = weight / (2 * 252);
    for (let row = 0; row < this.height; row++) {
      for (let col = 0; col < this.width; col++) s[(row + 1) * this.stride + col + 1] = Math.min(252, cost[row * this.width + col]!) * k;
    }
    this.stepSurcharge = s;
  }

  /** True when the cell may not hold the robot centre (or is outside the grid). */
  isBlocked(col: number, row: number): boolean {
    if (col < 0 || row < 0 || col >= this.width || row >= this.height) return true;
    return this.blocked[(row + 1) * this.stride + col + 1] === 1;
  }

  /** Padded blocked flags and stride, for line-of-sight checks. */
  paddedBlocked(): { blocked: Uint8Array; stride: number } {
    return { blocked: this.blocked, stride: this.stride };
  }

  private begin(): void {
    this.generation++;
    if (this.generation === 0xffffffff) {
      this.seenGen.fill(0);
      this.closedGen.fill(0);
      this.generation = 1;
    }
    this.heap.clear();
  }

  private heuristic(p: number): number {
    const row = (p / this.stride) | 0;
    const dx = Math.abs(p - row * this.stride - this.goalCol);
    const dy = Math.abs(row - this.goalRow);
    return (dx + dy + OCTILE_DIAG * (dx < dy ? dx : dy)) * TIE_BREAK;
  }

  private check(limits: SearchLimits | undefined, start: number): 'timeout' | 'cancelled' | undefined {
    if (!limits) return undefined;
    if (limits.cancel?.cancelled) return 'cancelled';
    if (limits.now && limits.budgetS !== undefined && limits.now() - start > limits.budgetS) return 'timeout';
    return undefined;
  }

  private prelude(
    startCol: number,
    startRow: number,
    goalCol: number,
    goalRow: number,
    limits: SearchLimits | undefined,
  ): { start: number; goal: number } | SearchOutcome {
    if (this.isBlocked(startCol, startRow)) return { ok: false, reason: 'start-occupied', expanded: 0 };
    if (this.isBlocked(goalCol, goalRow)) return { ok: false, reason: 'goal-occupied', expanded: 0 };
    if (limits?.cancel?.cancelled) return { ok: false, reason: 'cancelled', expanded: 0 };
    const start = (startRow + 1) * this.stride + startCol + 1;
    const goal = (goalRow + 1) * this.stride + goalCol + 1;
    if (start === goal) return { ok: true, cells: Int32Array.of(startRow * this.width + startCol), cost: 0, expanded: 0 };
    this.goalCol = goalCol + 1;
    this.goalRow = goalRow + 1;
    this.begin();
    const gen = this.generation;
    this.g[start] = 0;
    this.parent[start] = -1;
    this.arrival[start] = NO_DIR;
    this.seenGen[start] = gen;
    this.heap.push(start, this.heuristic(start));
    return { start, goal };
  }

  /** Offers node n with tentative cost ng, reached from p by direction dir. */
  private relax(n: number, ng: number, p: number, dir: number): void {
    const gen = this.generation;
    if (this.seenGen[n] !== gen) {
      this.seenGen[n] = gen;
      this.g[n] = ng;
      this.parent[n] = p;
      this.arrival[n] = dir;
      this.heap.push(n, ng + this.heuristic(n));
    } else if (ng < this.g[n]! && this.closedGen[n] !== gen) {
      this.g[n] = ng;
      this.parent[n] = p;
      this.arrival[n] = dir;
      this.heap.decrease(n, ng + this.heuristic(n));
    }
  }

  /** A* over all 8 neighbours (cost-aware when costs are set). Cells are (col, row). */
  astar(startCol: number, startRow: number, goalCol: number, goalRow: number, limits?: SearchLimits): SearchOutcome {
    const pre = this.prelude(startCol, startRow, goalCol, goalRow, limits);
    if ('ok' in pre) return pre;
    const { goal } = pre;
    const t0 = limits?.now && limits.budgetS !== undefined ? limits.now() : 0;
    const blocked = this.blocked;
    const stride = this.stride;
    const g = this.g;
    const heap = this.heap;
    const closedGen = this.closedGen;
    const seenGen = this.seenGen;
    const parent = this.parent;
    const gen = this.generation;
    const surcharge = this.stepSurcharge;
    const gc = this.goalCol;
    const gr = this.goalRow;
    let expanded = 0;
    while (heap.size > 0) {
      const p = heap.pop();
      if (p === goal) return this.finish(goal, expanded);
      closedGen[p] = gen;
      expanded++;
      if ((expanded & 1023) === 0 && limits) {
        const stop = this.check(limits, t0);
        if (stop) return { ok: false, reason: stop, expanded };
      }
      const gp = g[p]!;
      const pr = (p / stride) | 0;
      const pc = p - pr * stride;
      const sp = surcharge ? surcharge[p]! : 0;
      const freeE = blocked[p + 1] === 0;
      const freeW = blocked[p - 1] === 0;
      const freeN = blocked[p + stride] === 0;
      const freeS = blocked[p - stride] === 0;
      for (let k = 0; k < 8; k++) {
        let n: number;
        let base: number;
        let nc = pc;
        let nr = pr;
        switch (k) {
          case 0: if (!freeE) continue; n = p + 1; base = 1; nc++; break;
          case 1: if (!freeW) continue; n = p - 1; base = 1; nc--; break;
          case 2: if (!freeN) continue; n = p + stride; base = 1; nr++; break;
          case 3: if (!freeS) continue; n = p - stride; base = 1; nr--; break;
          case 4: if (!(freeN && freeE)) continue; n = p + stride + 1; base = SQRT2; nc++; nr++; break;
          case 5: if (!(freeN && freeW)) continue; n = p + stride - 1; base = SQRT2; nc--; nr++; break;
          case 6: if (!(freeS && freeE)) continue; n = p - stride + 1; base = SQRT2; nc++; nr--; break;
          default: if (!(freeS && freeW)) continue; n = p - stride - 1; base = SQRT2; nc--; nr--; break;
        }
        if (blocked[n] !== 0 || closedGen[n] === gen) continue;
        const ng = gp + (surcharge ? base * (1 + sp + surcharge[n]!) : base);
        const seen = seenGen[n] === gen;
        if (seen && ng >= g[n]!) continue;
        const dx = nc > gc ? nc - gc : gc - nc;
        const dy = nr > gr ? nr - gr : gr - nr;
        const f = ng + (dx + dy + OCTILE_DIAG * (dx < dy ? dx : dy)) * TIE_BREAK;
        g[n] = ng;
        parent[n] = p;
        if (seen) heap.decrease(n, f);
        else {
          seenGen[n] = gen;
          heap.push(n, f);
        }
      }
    }
    return { ok: false, reason: 'no-path', expanded };
  }

  /** Jump Point Search (uniform costs only; ignores `setCosts`). Cells are (col, row). */
  jps(startCol: number, startRow: number, goalCol: number, goalRow: number, limits?: SearchLimits): SearchOutcome {
    if (!this.jumpTable) this.jumpTable = this.precomputeJumps();
    const pre = this.prelude(startCol, startRow, goalCol, goalRow, limits);
    if ('ok' in pre) return pre;
    const { goal } = pre;
    const t0 = limits?.now && limits.budgetS !== undefined ? limits.now() : 0;
    const blocked = this.blocked;
    const off = this.offsets;
    const heap = this.heap;
    const gen = this.generation;
    let expanded = 0;
    while (heap.size > 0) {
      const p = heap.pop();
      if (p === goal) return this.finish(goal, expanded);
      this.closedGen[p] = gen;
      expanded++;
      if ((expanded & 63) === 0 && limits) {
        const stop = this.check(limits, t0);
        if (stop) return { ok: false, reason: stop, expanded };
      }
      const dir = this.arrival[p]!;
      if (dir === NO_DIR) {
        for (let d = 0; d < 4; d++) this.straightSuccessor(p, d, goal);
        for (let d = 4; d < 8; d++) this.diagonalSuccessor(p, d, goal);
      } else if (dir < 4) {
        const o = off[dir]!;
        this.straightSuccessor(p, dir, goal);
        // Perpendicular directions: for E/W they are N/S (2, 3); for N/S they are E/W (0, 1).
        const perpA = dir < 2 ? 2 : 0;
        for (let side = perpA; side < perpA + 2; side++) {
          const s = off[side]!;
          if (blocked[p + s] === 0 && blocked[p - o + s] !== 0) {
            this.straightSuccessor(p, side, goal);
            this.diagonalSuccessor(p, diagonalOf(dir, side), goal);
          }
        }
      } else {
        const [a, b] = componentsOf(dir);
        this.straightSuccessor(p, a, goal);
        this.straightSuccessor(p, b, goal);
        this.diagonalSuccessor(p, dir, goal);
      }
    }
    return { ok: false, reason: 'no-path', expanded };
  }

  private straightSuccessor(p: number, dir: number, goal: number): void {
    const o = this.offsets[dir]!;
    const j = this.jumpStraight(p, o, goal);
    if (j < 0 || this.closedGen[j] === this.generation) return;
    const steps = Math.abs(j - p) / Math.abs(o);
    this.relax(j, this.g[p]! + steps, p, dir);
  }

  private diagonalSuccessor(p: number, dir: number, goal: number): void {
    const off = this.offsets;
    const [a, b] = componentsOf(dir);
    const j = this.jumpDiagonal(p, off[a]!, off[b]!, goal);
    if (j < 0 || this.closedGen[j] === this.generation) return;
    const steps = Math.abs(j - p) / Math.abs(off[dir]!);
    this.relax(j, this.g[p]! + steps * SQRT2, p, dir);
  }

  /**
   * Straight jump from p along offset o with sides ±s, in O(1) from the precomputed
   * distances: the first cell with a forced neighbour, the goal if it lies on the free
   * stretch first, or −1 when a wall comes first.
   */
  private get jumpDistance(): Int32Array {
    return this.jumpTable!;
  }

  private jumpStraight(p: number, o: number, goal: number): number {
    const stride = this.stride;
    const dir = o === 1 ? 0 : o === -1 ? 1 : o === stride ? 2 : 3;
    const v = this.jumpDistance[p * 4 + dir]!;
    const reach = v > 0 ? v : -v;
    const delta = goal - p;
    if (o === 1 || o === -1) {
      // Horizontal: the goal must be on p's row, ahead, within reach.
      if (((p / stride) | 0) === this.goalRow) {
        const t = delta * o;
        if (t > 0 && t <= reach) return goal;
      }
    } else if (delta % stride === 0) {
      const t = (delta / stride) * (o > 0 ? 1 : -1);
      if (t > 0 && t <= reach) return goal;
    }
    return v > 0 ? p + v * o : -1;
  }

  /**
   * Per cell and straight direction (E, W, N, S): k > 0 when the k-th cell ahead is the
   * first with a forced neighbour (side free, side-behind blocked) with free cells before
   * it; −k (k ≥ 0) when k free cells come before a blocked one. One backward pass per
   * direction; this is what turns a straight jump into a table look-up (JPS+ style).
   */
  private precomputeJumps(): Int32Array {
    const b = this.blocked;
    const stride = this.stride;
    const rows = this.height + 2;
    const table = new Int32Array(b.length * 4);
    const dirs: Array<[number, number]> = [
      [1, stride],
      [-1, stride],
      [stride, 1],
      [-stride, 1],
    ];
    for (let dir = 0; dir < 4; dir++) {
      const [o, s] = dirs[dir]!;
      // Visit cells so that p + o is always done before p.
      const order = o > 0 ? -1 : 1;
      const horizontal = s === stride;
      const outerCount = horizontal ? rows : stride;
      const innerCount = horizontal ? stride : rows;
      for (let outer = 0; outer < outerCount; outer++) {
        for (let k = 0; k < innerCount; k++) {
          const inner = order < 0 ? innerCount - 1 - k : k;
          const p = horizontal ? outer * stride + inner : inner * stride + outer;
          const q = p + o;
          if (q < 0 || q >= b.length || (horizontal && ((q / stride) | 0) !== outer) || b[q] !== 0) {
            table[p * 4 + dir] = 0;
            continue;
          }
          const forced = (b[q + s] === 0 && b[p + s] !== 0) || (b[q - s] === 0 && b[p - s] !== 0);
          if (forced) table[p * 4 + dir] = 1;
          else {
            const next = table[q * 4 + dir]!;
            table[p * 4 + dir] = next > 0 ? next + 1 : next - 1;
          }
        }
      }
    }
    return table;
  }

  /**
   * From p, steps diagonally (ox + oy) while the step is legal (both orthogonal cells
   * free); stops at the goal or where a straight jump along ox or oy finds a jump point.
   */
  private jumpDiagonal(p: number, ox: number, oy: number, goal: number): number {
    const b = this.blocked;
    const d = ox + oy;
    for (;;) {
      if (b[p + ox] !== 0 || b[p + oy] !== 0) return -1;
      p += d;
      if (b[p] !== 0) return -1;
      if (p === goal) return p;
      if (this.jumpStraight(p, ox, goal) >= 0 || this.jumpStraight(p, oy, goal) >= 0) return p;
    }
  }

  /** Walks parents back from the goal, filling in the cells between jump points. */
  private finish(goal: number, expanded: number): SearchOutcome {
    const stride = this.stride;
    const rev: number[] = [];
    let p = goal;
    while (p >= 0) {
      const q = this.parent[p]!;
      rev.push(p);
      if (q >= 0) {
        const pr = (p / stride) | 0;
        const qr = (q / stride) | 0;
        const step = Math.sign(q - qr * stride - (p - pr * stride)) + Math.sign(qr - pr) * stride;
        for (let c = p + step; c !== q; c += step) rev.push(c);
      }
      p = q;
    }
    const cells = new Int32Array(rev.length);
    for (let i = 0; i < rev.length; i++) {
      const c = rev[rev.length - 1 - i]!;
      const row = (c / stride) | 0;
      cells[i] = (row - 1) * this.width + (c - row * stride - 1);
    }
    return { ok: true, cells, cost: this.g[goal]!, expanded };
  }
}

/** The diagonal made of straight directions `a` (E/W/N/S) and `b` (perpendicular). */
function diagonalOf(a: number, b: number): number {
  const east = a === 0 || b === 0;
  const north = a === 2 || b === 2;
  return north ? (east ? 4 : 5) : east ? 6 : 7;
}

const COMPONENTS: ReadonlyArray<readonly [number, number]> = [
  [0, 0],
  [1, 1],
  [2, 2],
  [3, 3],
  [0, 2],
  [1, 2],
  [0, 3],
  [1, 3],
];

/** Straight components (east/west, north/south) of diagonal direction d. */
function componentsOf(d: number): readonly [number, number] {
  return COMPONENTS[d]!;
}
