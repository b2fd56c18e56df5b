/**
 * The global planner: on demand, over the whole map, in the map frame. A thin layer over
 * GridSearch that converts metres ↔ cells, picks the search from configuration, attaches
 * messages to failures and string-pulls the result into an any-angle guidance path.
 */
import type { Vec2 } from '../../shared/geometry';
import type { OccupancyGrid } from '../../shared/grid';
import { CELL_UNKNOWN } from '../../shared/grid';
import { COST_INSCRIBED, COST_UNKNOWN } from '../grid/costmap';
import { GridSearch, type CancelToken, type PlanningGrid, type SearchFailureReason, type SearchLimits } from './grid-search';
import { smoothCellPath } from './line-of-sight';

export type GlobalAlgorithm = 'jps' | 'astar';

export interface GlobalPlannerConfig {
  /**
   * 'jps' (fastest, shortest path only), 'astar' (also cost-aware), or 'auto' (default):
   * JPS when `costWeight` is 0, A* otherwise.
   */
  algorithm?: GlobalAlgorithm | 'auto';
  /**
   * How much the inflated cost lengthens a step: a step through cells of cost c is
   * 1 + costWeight·c/252 times its length. 0 (default) = shortest path.
   */
  costWeight?: number;
  /** Return a string-pulled any-angle path (default true); false returns every cell centre. */
  anyAngle?: boolean;
}

export interface GlobalPlanRequest {
  /** Map frame, metres. */
  start: Vec2;
  /** Map frame, metres. */
  goal: Vec2;
  /** Monotonic clock in seconds, read only to enforce `budgetS`. */
  now?: () => number;
  /** Time budget, seconds of `now()`; exceeded → 'timeout'. */
  budgetS?: number;
  /** Polled during the search; `cancelled` true → 'cancelled'. */
  cancel?: CancelToken;
}

export type GlobalPlanFailureReason = SearchFailureReason;

export interface GlobalPlanSuccess {
  ok: true;
  /** Guidance path, map frame, metres: start cell centre … goal cell centre (any-angle when configured). */
  path: Vec2[];
  /** The optimal 8-connected cell path, `row * width + col`, start → goal. */
  cells: Int32Array;
  /** Search objective in metres (equals the 8-connected path length when costWeight is 0). */
  cost: number;
  /** Length of `path`, metres. */
  lengthM: number;
  /** Nodes expanded by the search. */
  expanded: number;
}

export interface GlobalPlanFailure {
  ok: false;
  reason: GlobalPlanFailureReason;
  message: string;
  expanded: number;
}

export type GlobalPlanResult = GlobalPlanSuccess | GlobalPlanFailure;

export interface GlobalPlanner {
  readonly algorithm: GlobalAlgorithm;
  readonly grid: PlanningGrid;
  /** Plans between two map-frame points (metres). Never throws on unreachable or invalid goals. */
  plan(request: GlobalPlanRequest): GlobalPlanResult;
  /** Plans between two cells (col, row); `cost` and `path` in metres as for `plan`. */
  planCells(startCol: number, startRow: number, goalCol: number, goalRow: number, limits?: SearchLimits): GlobalPlanResult;
}

/**
 * Planning grid from an inflated costmap (costmap_2d costs): cells ≥ COST_INSCRIBED are
 * blocked (the robot centre there means collision); unknown cells are blocked unless
 * `allowUnknown`, in which case they cost `unknownCost` (default 128).
 */
export function planningGridFromCosts(
  geometry: { width: number; height: number; resolution: number; origin: { x: number; y: number } },
  costs: Uint8Array,
  opts: { allowUnknown?: boolean; unknownCost?: number } = {},
): PlanningGrid {
  const n = geometry.width * geometry.height;
  const blocked = new Uint8Array(n);
  const cost = new Uint8Array(n);
  const unknownCost = opts.unknownCost ?? 128;
  for (let i = 0; i < n; i++) {
    const c = costs[i]!;
    if (c === COST_UNKNOWN) {
      blocked[i] = opts.allowUnknown ? 0 : 1;
      cost[i] = unknownCost;
    } else {
      blocked[i] = c >= COST_INSCRIBED ? 1 : 0;
      cost[i] = c >= COST_INSCRIBED ? 252 : c;
    }
  }
  return { width: geometry.width, height: geometry.height, resolution: geometry.resolution, origin: { ...geometry.origin }, blocked, cost };
}

/** Planning grid straight from occupancy (no inflation): occupied (≥ threshold) and unknown cells are blocked. */
export function planningGridFromOccupancy(grid: OccupancyGrid, occupiedThreshold = 65): PlanningGrid {
  const blocked = new Uint8Array(grid.width * grid.height);
  for (let i = 0; i < blocked.length; i++) {
    const v = grid.data[i]!;
    blocked[i] = v === CELL_UNKNOWN || v >= occupiedThreshold ? 1 : 0;
  }
  return { width: grid.width, height: grid.height, resolution: grid.resolution, origin: { ...grid.origin }, blocked };
}

const MESSAGES: Record<SearchFailureReason, string> = {
  'start-occupied': 'the start is inside an obstacle, its inflation, unknown space or off the map',
  'goal-occupied': 'the goal is inside an obstacle, its inflation, unknown space or off the map',
  'no-path': 'no collision-free path connects start and goal',
  timeout: 'the search ran out of its time budget',
  cancelled: 'the search was cancelled',
};

/** Prepares `grid` once (buffers sized for it) and returns a planner for repeated queries. */
export function createGlobalPlanner(grid: PlanningGrid, config: GlobalPlannerConfig = {}): GlobalPlanner {
  const weight = config.costWeight ?? 0;
  if (!(weight >= 0)) throw new RangeError(`costWeight must be ≥ 0, got ${weight}`);
  const requested = config.algorithm ?? 'auto';
  if (requested === 'jps' && weight > 0) throw new RangeError('JPS finds shortest paths only: use algorithm astar (or auto) with costWeight > 0');
  const algorithm: GlobalAlgorithm = requested === 'auto' ? (weight > 0 ? 'astar' : 'jps') : requested;
  const anyAngle = config.anyAngle ?? true;
  const search = new GridSearch(grid);
  search.setCosts(grid.cost, weight);
  const res = grid.resolution;
  const { width, height } = grid;

  const centre = (cell: number): Vec2 => ({
    x: grid.origin.x + ((cell % width) + 0.5) * res,
    y: grid.origin.y + (((cell / width) | 0) + 0.5) * res,
  });

  function planCells(startCol: number, startRow: number, goalCol: number, goalRow: number, limits?: SearchLimits): GlobalPlanResult {
    const out = algorithm === 'jps' ? search.jps(startCol, startRow, goalCol, goalRow, limits) : search.astar(startCol, startRow, goalCol, goalRow, limits);
    if (!out.ok) {
      const where = out.reason === 'start-occupied' ? ` (cell ${startCol}, ${startRow})` : out.reason === 'goal-occupied' ? ` (cell ${goalCol}, ${goalRow})` : '';
      return { ok: false, reason: out.reason, message: `global planner: ${MESSAGES[out.reason]}${where}`, expanded: out.expanded };
    }
    const kept = anyAngle ? smoothCellPath(width, height, grid.blocked, weight > 0 ? grid.cost : undefined, out.cells) : out.cells;
    const path = Array.from(kept, centre);
    let lengthM = 0;
    for (let i = 1; i < path.length; i++) lengthM += Math.hypot(path[i]!.x - path[i - 1]!.x, path[i]!.y - path[i - 1]!.y);
    return { ok: true, path, cells: out.cells, cost: out.cost * res, lengthM, expanded: out.expanded };
  }

  return {
    algorithm,
    grid,
    planCells,
    plan(request: GlobalPlanRequest): GlobalPlanResult {
      const toCell = (p: Vec2): [number, number] => [Math.floor((p.x - grid.origin.x) / res), Math.floor((p.y - grid.origin.y) / res)];
      const [sc, sr] = toCell(request.start);
      const [gc, gr] = toCell(request.goal);
      return planCells(sc, sr, gc, gr, { now: request.now, budgetS: request.budgetS, cancel: request.cancel });
    },
  };
}
