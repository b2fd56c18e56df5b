/**
 * The saved map as the laser sees it, built once per map: a signed distance to the obstacle
 * surface in every cell (the likelihood field of Thrun et al., Probabilistic Robotics §6.4,
 * plus the inside of obstacles), where the robot may stand, and the endpoint likelihood as a
 * small lookup table over distance.
 *
 * Why signed and why "surface": the exact distance transform (grid/distance-field.ts) gives
 * distances between cell centres, but a lidar return lies on the face of the first occupied
 * cell, half a cell nearer. Shifting by res/2 puts the zero level on the cell faces, and
 * measuring into obstacles too (negative inside) makes the field smooth across the surface:
 * the scan matcher's Gauss–Newton steps see a slope, not a kink, and an endpoint deep inside
 * a solid block (a bed, a counter) is not mistaken for a hit on its face.
 *
 * Frames: everything is in `map`, metres; cells follow the OccupancyGrid layout
 * (`[row * width + col]`, row 0 at the smallest y).
 */
import type { OccupancyGrid } from '../../shared/grid';
import { CELL_UNKNOWN } from '../../shared/grid';
import { DistanceField, obstacleMask } from '../grid/distance-field';

export interface MapModelOptions {
  /** Occupancy ≥ this (percent, ≤ 100) is an obstacle (map_server's occupied_thresh, 65). */
  occupiedThreshold: number;
  /** Occupancy ≤ this (percent) is free floor where particles may be spread (map_server's free_thresh, 19.6 → 19). */
  freeThreshold: number;
  /** Distances are capped here, metres; beyond it every endpoint is equally "far from everything". */
  maxDistance: number;
  /**
   * The robot's centre is at least this far from any obstacle surface, metres: particles are
   * spread (global localization, recovery) only there, so none are wasted inside furniture
   * edges. Keep it below the robot's inscribed radius.
   */
  minClearance: number;
}

/** Result of a bilinear field lookup: value (m) and its gradient (m/m, map frame). */
export interface FieldSample {
  value: number;
  gx: number;
  gy: number;
}

export class MapModel {
  readonly width: number;
  readonly height: number;
  /** Cell edge, metres. */
  readonly resolution: number;
  readonly invResolution: number;
  /** Map-frame corner of cell (0, 0), metres. */
  readonly originX: number;
  readonly originY: number;
  /**
   * Signed distance from each cell centre to the nearest obstacle surface, metres: positive
   * in free space, negative inside obstacles, capped at ±maxDistance; NaN in unknown cells
   * (the map has no opinion there).
   */
  readonly sdf: Float32Array;
  /** 1 where base_link may stand: free, and at least `minClearance` from an obstacle surface. */
  readonly standable: Uint8Array;
  /** Indices of the standable cells, for uniform sampling over free space. */
  readonly standableCells: Int32Array;
  /** 1 for obstacle cells (a particle standing there is impossible). */
  readonly obstacle: Uint8Array;
  readonly maxDistance: number;

  constructor(grid: OccupancyGrid, options: MapModelOptions) {
    this.width = grid.width;
    this.height = grid.height;
    this.resolution = grid.resolution;
    this.invResolution = 1 / grid.resolution;
    this.originX = grid.origin.x;
    this.originY = grid.origin.y;
    this.maxDistance = options.maxDistance;
    const n = grid.width * grid.height;
    const mask = obstacleMask(grid, { occupiedThreshold: options.occupiedThreshold, unknownIsObstacle: false });
    const outside = DistanceField.fromMask(grid, mask).distances;
    // Distance from inside an obstacle to the nearest non-obstacle cell (free or unknown).
    const inverse = new Uint8Array(n);
    for (let i = 0; i < n; i++) inverse[i] = mask[i] ? 0 : 1;
    const inside = DistanceField.fromMask(grid, inverse).distances;
    const half = grid.resolution / 2;
    const cap = options.maxDistance;
    this.sdf = new Float32Array(n);
    this.standable = new Uint8Array(n);
    this.obstacle = mask;
    let standableCount = 0;
    for (let i = 0; i < n; i++) {
      const v = grid.data[i]!;
      if (mask[i]) {
        this.sdf[i] = -Math.min(cap, inside[i]! - half);
      } else if (v === CELL_UNKNOWN) {
        this.sdf[i] = Number.NaN;
      } else {
        const d = Math.min(cap, outside[i]! - half);
        this.sdf[i] = d;
        if (v <= options.freeThreshold && d >= options.minClearance) {
          this.standable[i] = 1;
          standableCount++;
        }
      }
    }
    // A map too cramped for the clearance still gets particles: fall back to every free cell.
    if (standableCount === 0) {
      for (let i = 0; i < n; i++) {
        const v = grid.data[i]!;
        if (!mask[i] && v !== CELL_UNKNOWN && v <= options.freeThreshold) {
          this.standable[i] = 1;
          standableCount++;
        }
      }
    }
    this.standableCells = new Int32Array(standableCount);
    let k = 0;
    for (let i = 0; i < n; i++) if (this.standable[i]) this.standableCells[k++] = i;
  }

  /** Cell index of map point (x, y), or −1 outside the grid. */
  cellAt(x: number, y: number): number {
    const col = Math.floor((x - this.originX) * this.invResolution);
    const row = Math.floor((y - this.originY) * this.invResolution);
    if (col < 0 || row < 0 || col >= this.width || row >= this.height) return -1;
    return row * this.width + col;
  }

  /** Signed surface distance of the cell containing (x, y), metres; NaN when unknown or outside. */
  distanceAt(x: number, y: number): number {
    const i = this.cellAt(x, y);
    return i < 0 ? Number.NaN : this.sdf[i]!;
  }

  /**
   * Bilinear interpolation of the signed distance between cell centres, with its gradient.
   * Returns false (and leaves `out` alone) when any of the four cells is unknown or outside.
   */
  sample(x: number, y: number, out: FieldSample): boolean {
    const u = (x - this.originX) * this.invResolution - 0.5;
    const v = (y - this.originY) * this.invResolution - 0.5;
    const c0 = Math.floor(u);
    const r0 = Math.floor(v);
    if (c0 < 0 || r0 < 0 || c0 + 1 >= this.width || r0 + 1 >= this.height) return false;
    const fu = u - c0;
    const fv = v - r0;
    const i00 = r0 * this.width + c0;
    const s00 = this.sdf[i00]!;
    const s10 = this.sdf[i00 + 1]!;
    const s01 = this.sdf[i00 + this.width]!;
    const s11 = this.sdf[i00 + this.width + 1]!;
    // NaN (unknown) in any corner poisons the sum: one test covers all four.
    const sum = s00 + s10 + s01 + s11;
    if (sum !== sum) return false;
    const a = s00 + (s10 - s00) * fu;
    const b = s01 + (s11 - s01) * fu;
    out.value = a + (b - a) * fv;
    out.gx = ((1 - fv) * (s10 - s00) + fv * (s11 - s01)) * this.invResolution;
    out.gy = (b - a) * this.invResolution;
    return true;
  }
}

/** The beam endpoint model: a mixture of a Gaussian hit and a uniform random reading. */
export interface EndpointModel {
  /** Weight of "the beam hit the mapped surface", 0..1. */
  zHit: number;
  /** Weight of "an unexplained reading" (people, clutter, noise), uniform over [0, rangeMax]. */
  zRand: number;
  /** 1-σ of the endpoint's distance to the surface, metres (sensor noise + map resolution + pose). */
  sigmaHit: number;
  /** The sensor's maximum range, metres (the uniform's support). */
  rangeMax: number;
}

/** Steps of the distance → log-likelihood table, metres. */
export const LUT_STEP = 0.001;

/**
 * log p(endpoint | distance d to the surface) for d = 0, LUT_STEP, … maxDistance:
 * log(zHit·N(d; 0, σ) + zRand/rangeMax). The last entry serves every larger distance.
 */
export function endpointLogLikelihoodTable(model: EndpointModel, maxDistance: number, out?: Float64Array): Float64Array {
  const n = Math.ceil(maxDistance / LUT_STEP) + 1;
  const lut = out && out.length === n ? out : new Float64Array(n);
  const norm = model.zHit / (model.sigmaHit * Math.sqrt(2 * Math.PI));
  const floor = model.zRand / Math.max(model.rangeMax, 1e-3);
  const k = 1 / (2 * model.sigmaHit * model.sigmaHit);
  for (let i = 0; i < n; i++) {
    const d = i * LUT_STEP;
    lut[i] = Math.log(norm * Math.exp(-d * d * k) + floor);
  }
  return lut;
}
