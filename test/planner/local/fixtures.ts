/**
 * Test fixtures for the local planner: analytic obstacle scenes with an exact distance
 * field, a rasterized version that behaves like a grid EDT, robot limits and scene helpers.
 */
import type { LocalPlannerInput, ObstacleDistance, RobotLimits, RobotState } from '../../../src/planner/local';
import type { PersonPrediction } from '../../../src/shared/people';

/** Axis-aligned box, map frame, metres. */
export interface Box {
  kind: 'box';
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}
/** Disc, map frame, metres. */
export interface Disc {
  kind: 'disc';
  x: number;
  y: number;
  r: number;
}
export type Shape = Box | Disc;

/** Exact signed distance (negative inside) to the nearest shape; +∞ in an empty scene. */
export class AnalyticField implements ObstacleDistance {
  constructor(readonly shapes: Shape[]) {}
  distanceAt(x: number, y: number): number {
    let best = Infinity;
    for (const s of this.shapes) {
      let d: number;
      if (s.kind === 'disc') d = Math.hypot(x - s.x, y - s.y) - s.r;
      else {
        const dx = Math.max(s.minX - x, 0, x - s.maxX);
        const dy = Math.max(s.minY - y, 0, y - s.maxY);
        if (dx === 0 && dy === 0) d = -Math.min(x - s.minX, s.maxX - x, y - s.minY, s.maxY - y);
        else d = Math.hypot(dx, dy);
      }
      if (d < best) best = d;
    }
    return best;
  }
}

/** The analytic field sampled on a grid and bilinearly interpolated, like a grid EDT. */
export class GridField implements ObstacleDistance {
  readonly data: Float32Array;
  readonly width: number;
  readonly height: number;
  constructor(
    src: ObstacleDistance,
    readonly originX: number,
    readonly originY: number,
    sizeX: number,
    sizeY: number,
    readonly resolution = 0.05,
  ) {
    this.width = Math.ceil(sizeX / resolution) + 1;
    this.height = Math.ceil(sizeY / resolution) + 1;
    this.data = new Float32Array(this.width * this.height);
    for (let r = 0; r < this.height; r++) {
      for (let c = 0; c < this.width; c++) {
        this.data[r * this.width + c] = Math.min(20, src.distanceAt(originX + c * resolution, originY + r * resolution));
      }
    }
  }
  distanceAt(x: number, y: number): number {
    const fx = (x - this.originX) / this.resolution;
    const fy = (y - this.originY) / this.resolution;
    if (!(fx >= 0 && fy >= 0 && fx < this.width - 1 && fy < this.height - 1)) return 0;
    const c = fx | 0;
    const r = fy | 0;
    const tx = fx - c;
    const ty = fy - r;
    const i = r * this.width + c;
    const d = this.data;
    const a = d[i]! + (d[i + 1]! - d[i]!) * tx;
    const b = d[i + this.width]! + (d[i + this.width + 1]! - d[i + this.width]!) * tx;
    return a + (b - a) * ty;
  }
}

export const LIMITS: RobotLimits = {
  vMax: 1.0,
  vMin: 0,
  wMax: 1.5,
  aMax: 1.0,
  alphaMax: 3.0,
  jerkMax: 4.0,
  yawJerkMax: 12.0,
  footprint: { length: 0.5, width: 0.4, centerOffsetX: 0 },
};

export function state(x: number, y: number, theta: number, v = 0, w = 0, a = 0, alpha = 0): RobotState {
  return { pose: { x, y, theta }, v, w, a, alpha };
}

export function box(minX: number, minY: number, maxX: number, maxY: number): Box {
  return { kind: 'box', minX, minY, maxX, maxY };
}

export function disc(x: number, y: number, r: number): Disc {
  return { kind: 'disc', x, y, r };
}

/** A straight corridor along +x from x = −2 to x = 30, free width `width` metres, centred on y = 0. */
export function corridor(width: number): Shape[] {
  return [box(-2, width / 2, 30, width / 2 + 0.3), box(-2, -width / 2 - 0.3, 30, -width / 2)];
}

/**
 * One person with futures given as straight motions, each from (x, y) at velocity (vx, vy),
 * predicted `steps` × dt ahead from t0, σ growing from 0.1 m at `sigmaGrowth` m/s.
 */
export function person(
  trackId: number,
  t0: number,
  futures: { probability: number; x: number; y: number; vx: number; vy: number }[],
  steps = 48,
  dt = 0.1,
  sigmaGrowth = 0.1,
): PersonPrediction {
  return {
    trackId,
    t0,
    dt,
    futures: futures.map((f) => {
      const xs = new Float64Array(steps);
      const ys = new Float64Array(steps);
      const sigmas = new Float64Array(steps);
      for (let k = 0; k < steps; k++) {
        const t = (k + 1) * dt;
        xs[k] = f.x + f.vx * t;
        ys[k] = f.y + f.vy * t;
        sigmas[k] = 0.1 + sigmaGrowth * t;
      }
      return { probability: f.probability, xs, ys, sigmas };
    }),
  };
}

/** A planner input on the x axis toward (8, 0) in an empty 16 × 8 m grid field, overridden by `over`. */
export function plannerInput(over: Partial<LocalPlannerInput> & { start: RobotState }): LocalPlannerInput {
  return {
    now: 0,
    limits: LIMITS,
    guidancePath: [
      { x: 0, y: 0 },
      { x: 8, y: 0 },
    ],
    goal: { x: 8, y: 0, theta: 0 },
    obstacles: new GridField(new AnalyticField([]), -3, -4, 16, 8, 0.05),
    people: [],
    seed: 1,
    ...over,
  };
}
