/**
 * Inflated costmaps (costmap_2d conventions): cost 254 in an obstacle cell, 253 where the
 * robot centre would put the footprint's inscribed circle into an obstacle, an
 * exponentially decaying cost out to the circumscribed radius plus a margin, 0 beyond, and
 * 255 for unknown space. Inflation reads a Euclidean distance field, so its cost does not
 * depend on the inflation radius.
 */
import type { RectFootprint, Vec2 } from '../../shared/geometry';
import { circumscribedRadius, inscribedRadius } from '../../shared/geometry';
import type { OccupancyGrid } from '../../shared/grid';
import { CELL_UNKNOWN } from '../../shared/grid';
import { DistanceField, obstacleMask, type ObstacleRule } from './distance-field';
import { ObstacleLayer, type ObstacleLayerConfig } from './obstacle-layer';

export const COST_FREE = 0;
/** Highest cost a traversable cell can have. */
export const COST_MAX_TRAVERSABLE = 252;
/** Robot centre here puts an obstacle inside the inscribed circle: certain collision. */
export const COST_INSCRIBED = 253;
/** Obstacle cell. */
export const COST_LETHAL = 254;
export const COST_UNKNOWN = 255;

export interface InflationConfig {
  /** Radius inside which any obstacle means collision, metres (footprint's inscribed radius). */
  inscribedRadiusM: number;
  /** Footprint's circumscribed radius, metres. */
  circumscribedRadiusM: number;
  /** Cost keeps decaying this far beyond the circumscribed radius, metres. */
  marginM: number;
  /** Exponential decay rate of the cost with distance beyond the inscribed radius, 1/m. */
  decayPerM: number;
}

/** Inflation for a rectangular footprint; margin 0.15 m and decay 5 /m unless given. */
export function inflationForFootprint(fp: RectFootprint, opts: { marginM?: number; decayPerM?: number } = {}): InflationConfig {
  return {
    inscribedRadiusM: inscribedRadius(fp),
    circumscribedRadiusM: circumscribedRadius(fp),
    marginM: opts.marginM ?? 0.15,
    decayPerM: opts.decayPerM ?? 5,
  };
}

/** Distance beyond which inflation adds no cost, metres. */
export function inflationRadius(c: InflationConfig): number {
  return Math.max(c.inscribedRadiusM, c.circumscribedRadiusM + c.marginM);
}

/** Cost of a cell whose centre is `d` metres from the nearest obstacle cell centre. */
export function costForDistance(d: number, c: InflationConfig): number {
  if (d <= 0) return COST_LETHAL;
  if (d <= c.inscribedRadiusM) return COST_INSCRIBED;
  if (d > inflationRadius(c)) return COST_FREE;
  return Math.max(1, Math.round(COST_MAX_TRAVERSABLE * Math.exp(-c.decayPerM * (d - c.inscribedRadiusM))));
}

/**
 * Costs from a distance field. `unknown` (optional, same layout) marks unknown cells: they
 * get COST_UNKNOWN unless inflation makes them inscribed or lethal.
 */
export function inflate(field: DistanceField, c: InflationConfig, unknown?: Uint8Array): Uint8Array {
  const n = field.width * field.height;
  const cost = new Uint8Array(n);
  const dist = field.distances;
  // Tabulate the decaying part per cell distance bucket: exp() per cell is the slow part on big maps.
  const res = field.resolution;
  const radius = inflationRadius(c);
  const table = new Uint8Array(Math.ceil((radius / res) * 16) + 2);
  for (let i = 0; i < table.length; i++) table[i] = costForDistance((i / 16) * res, c);
  const scale = 16 / res;
  for (let i = 0; i < n; i++) {
    const d = dist[i]!;
    let v: number;
    if (d <= 0) v = COST_LETHAL;
    else if (d <= c.inscribedRadiusM) v = COST_INSCRIBED;
    else if (d > radius) v = COST_FREE;
    else v = table[Math.min(table.length - 1, Math.round(d * scale))]!;
    if (unknown && unknown[i] && v < COST_INSCRIBED) v = COST_UNKNOWN;
    cost[i] = v;
  }
  return cost;
}

/** A square (or rectangular) piece of costmap around a point, in the map frame. */
export interface CostmapWindow {
  width: number;
  height: number;
  /** Cell edge, metres. */
  resolution: number;
  /** Map-frame corner of the window's cell (0, 0), metres. */
  origin: { x: number; y: number };
  /** costmap_2d costs, `cost[row * width + col]`. Cells outside the map are COST_UNKNOWN. */
  cost: Uint8Array;
  /** Distance to the nearest obstacle (static or live) for the window's cells, metres. */
  distance: DistanceField;
}

export interface CostmapConfig extends ObstacleRule {
  inflation: InflationConfig;
  obstacles?: ObstacleLayerConfig;
  /** Edge of the local planner's window, metres. Default 6. */
  localWindowM?: number;
  /** Edge of the reactive loop's window, metres. Default 2. */
  reactiveWindowM?: number;
}

/**
 * Static map + live obstacle layer + inflation. Full-map costs are recomputed lazily after
 * the obstacle layer changes; windows are computed on demand from a padded crop, so the
 * 10 Hz and 50 Hz loops only pay for the cells they use.
 */
export class Costmap {
  readonly width: number;
  readonly height: number;
  readonly resolution: number;
  readonly origin: { x: number; y: number };
  readonly obstacles: ObstacleLayer;
  /** Obstacle cells of the static map, plus keep-out cells (see setKeepOut) (1 = obstacle). */
  readonly staticMask: Uint8Array;
  /** The map's own obstacle cells, without keep-out (so a removed zone frees its cells again). */
  private readonly mapMask: Uint8Array;
  private readonly unknownMask: Uint8Array;
  private cached: { version: number; cost: Uint8Array; field: DistanceField } | undefined;

  constructor(
    readonly staticMap: OccupancyGrid,
    readonly config: CostmapConfig,
  ) {
    this.width = staticMap.width;
    this.height = staticMap.height;
    this.resolution = staticMap.resolution;
    this.origin = { ...staticMap.origin };
    this.staticMask = obstacleMask(staticMap, config);
    this.mapMask = this.staticMask.slice();
    this.unknownMask = new Uint8Array(this.width * this.height);
    for (let i = 0; i < this.unknownMask.length; i++) this.unknownMask[i] = staticMap.data[i] === CELL_UNKNOWN ? 1 : 0;
    this.obstacles = new ObstacleLayer(this.width, this.height, this.resolution, this.origin, config.obstacles);
  }

  /**
   * Extra static obstacles, e.g. operator keep-out zones rasterized onto this grid
   * (`[row * width + col]`, 1 = obstacle; null clears them). They replace the previous
   * ones and are ORed into `staticMask`, so whole-map costs, windows and inflation treat
   * them exactly as walls: the footprint is kept out, not just its centre.
   */
  setKeepOut(mask: Uint8Array | null): void {
    if (mask && mask.length !== this.mapMask.length) throw new RangeError(`keep-out mask has ${mask.length} cells, the map ${this.mapMask.length}`);
    for (let i = 0; i < this.mapMask.length; i++) this.staticMask[i] = this.mapMask[i]! | (mask ? mask[i]! : 0);
    this.cached = undefined;
  }

  private combinedMask(): Uint8Array {
    const mask = new Uint8Array(this.staticMask);
    const marks = this.obstacles.marks;
    for (let i = 0; i < mask.length; i++) mask[i] = mask[i]! | marks[i]!;
    return mask;
  }

  private update(): { cost: Uint8Array; field: DistanceField } {
    if (!this.cached || this.cached.version !== this.obstacles.version) {
      const field = DistanceField.fromMask(this, this.combinedMask());
      this.cached = { version: this.obstacles.version, field, cost: inflate(field, this.config.inflation, this.unknownMask) };
    }
    return this.cached;
  }

  /** Whole-map costs (static + live), `[row * width + col]`. Do not mutate. */
  costs(): Uint8Array {
    return this.update().cost;
  }

  /** Whole-map distance to the nearest static or live obstacle. */
  distanceField(): DistanceField {
    return this.update().field;
  }

  /** Cost at a map-frame point, metres; COST_UNKNOWN outside the map. */
  costAt(x: number, y: number): number {
    const col = Math.floor((x - this.origin.x) / this.resolution);
    const row = Math.floor((y - this.origin.y) / this.resolution);
    if (col < 0 || row < 0 || col >= this.width || row >= this.height) return COST_UNKNOWN;
    return this.costs()[row * this.width + col]!;
  }

  /**
   * A `sizeM` × `sizeM` window centred on `center` (map frame, metres), aligned with the
   * map's cells. Obstacles up to one inflation radius outside the window still inflate
   * into it, so window costs equal whole-map costs.
   */
  window(center: Vec2, sizeM: number): CostmapWindow {
    const res = this.resolution;
    const cells = Math.max(1, Math.round(sizeM / res));
    const col0 = Math.round((center.x - this.origin.x) / res - cells / 2);
    const row0 = Math.round((center.y - this.origin.y) / res - cells / 2);
    const pad = Math.ceil(inflationRadius(this.config.inflation) / res) + 1;
    const pw = cells + 2 * pad;
    const mask = new Uint8Array(pw * pw);
    const unknown = new Uint8Array(pw * pw);
    const marks = this.obstacles.marks;
    for (let r = 0; r < pw; r++) {
      const row = row0 - pad + r;
      for (let c = 0; c < pw; c++) {
        const col = col0 - pad + c;
        const i = r * pw + c;
        if (col < 0 || row < 0 || col >= this.width || row >= this.height) {
          unknown[i] = 1;
          continue;
        }
        const j = row * this.width + col;
        mask[i] = this.staticMask[j]! | marks[j]!;
        unknown[i] = this.unknownMask[j]!;
      }
    }
    const padded = DistanceField.fromMask({ width: pw, height: pw, resolution: res, origin: { x: 0, y: 0 } }, mask);
    const paddedCost = inflate(padded, this.config.inflation, unknown);
    const cost = new Uint8Array(cells * cells);
    const dist = new Float32Array(cells * cells);
    for (let r = 0; r < cells; r++) {
      const src = (r + pad) * pw + pad;
      cost.set(paddedCost.subarray(src, src + cells), r * cells);
      dist.set(padded.distances.subarray(src, src + cells), r * cells);
    }
    const origin = { x: this.origin.x + col0 * res, y: this.origin.y + row0 * res };
    return { width: cells, height: cells, resolution: res, origin, cost, distance: new DistanceField(cells, cells, res, origin, dist) };
  }

  /** The local planner's window (default 6 × 6 m). */
  localWindow(center: Vec2): CostmapWindow {
    return this.window(center, this.config.localWindowM ?? 6);
  }

  /** The reactive loop's window (default 2 × 2 m) from the static map and live layer. */
  reactiveWindow(center: Vec2): CostmapWindow {
    return this.window(center, this.config.reactiveWindowM ?? 2);
  }
}

/**
 * A window built from scan points only (no map, no history), as the reactive loop wants:
 * what the newest scan sees, inflated. Points are in the map frame, metres; the window is
 * centred on `center`, `sizeM` wide, with cells of `resolution` metres. Nothing is unknown.
 */
export function windowFromPoints(center: Vec2, points: readonly Vec2[], sizeM: number, resolution: number, inflation: InflationConfig): CostmapWindow {
  const cells = Math.max(1, Math.round(sizeM / resolution));
  const pad = Math.ceil(inflationRadius(inflation) / resolution) + 1;
  const pw = cells + 2 * pad;
  const origin = { x: center.x - (cells / 2) * resolution, y: center.y - (cells / 2) * resolution };
  const mask = new Uint8Array(pw * pw);
  for (const p of points) {
    const c = Math.floor((p.x - origin.x) / resolution) + pad;
    const r = Math.floor((p.y - origin.y) / resolution) + pad;
    if (c >= 0 && r >= 0 && c < pw && r < pw) mask[r * pw + c] = 1;
  }
  const padded = DistanceField.fromMask({ width: pw, height: pw, resolution, origin: { x: 0, y: 0 } }, mask);
  const paddedCost = inflate(padded, inflation);
  const cost = new Uint8Array(cells * cells);
  const dist = new Float32Array(cells * cells);
  for (let r = 0; r < cells; r++) {
    const src = (r + pad) * pw + pad;
    cost.set(paddedCost.subarray(src, src + cells), r * cells);
    dist.set(padded.distances.subarray(src, src + cells), r * cells);
  }
  return { width: cells, height: cells, resolution, origin, cost, distance: new DistanceField(cells, cells, resolution, origin, dist) };
}
