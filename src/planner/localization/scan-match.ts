/**
 * Scan-to-map refinement: Gauss–Newton on the bilinearly interpolated signed distance field,
 * minimising Σ ρ(d(T·pᵢ)) over the scan's endpoints pᵢ (base_link), where d is the distance of
 * the endpoint to the mapped surface and ρ a Huber loss cut off at `cutoff` (an endpoint that
 * far from every surface is a person or clutter, not a misalignment, and is left out).
 *
 * The particle mean is only as precise as the particles' spacing and the likelihood table's
 * cell lookup; this polishes it to the sensor's precision (Hähnel/Kohlbrecher-style matching
 * against a smooth map function). The caller decides whether to trust the result.
 * Frames: pose is base_link in `map`; endpoints in base_link; metres, radians.
 */
import { normalizeAngle, type Pose2D } from '../../shared/geometry';
import type { FieldSample, MapModel } from './likelihood-field';

export interface ScanMatchOptions {
  /** Gauss–Newton iterations at most. */
  iterations: number;
  /** Endpoints farther than this from the surface are ignored, metres. */
  cutoff: number;
  /** Huber threshold, metres: residuals above it are down-weighted linearly. */
  huber: number;
}

export interface ScanMatchResult {
  x: number;
  y: number;
  theta: number;
  /** Truncated squared-distance cost (m²) at the start and at the result, same beams. */
  costBefore: number;
  costAfter: number;
  /** Endpoints within the cutoff at the result. */
  inliers: number;
}

export class ScanMatcher {
  private readonly f: FieldSample = { value: 0, gx: 0, gy: 0 };

  constructor(
    private readonly map: MapModel,
    private readonly options: ScanMatchOptions,
  ) {}

  /** Truncated cost Σ min(d², cutoff²) at pose (x, y, θ); unknown endpoints count cutoff². */
  cost(x: number, y: number, theta: number, bx: Float64Array, by: Float64Array, n: number): { cost: number; inliers: number } {
    const c = Math.cos(theta);
    const s = Math.sin(theta);
    const cut2 = this.options.cutoff * this.options.cutoff;
    let cost = 0;
    let inliers = 0;
    for (let k = 0; k < n; k++) {
      const ex = x + c * bx[k]! - s * by[k]!;
      const ey = y + s * bx[k]! + c * by[k]!;
      if (!this.map.sample(ex, ey, this.f)) {
        cost += cut2;
        continue;
      }
      const r2 = this.f.value * this.f.value;
      if (r2 < cut2) {
        cost += r2;
        inliers++;
      } else cost += cut2;
    }
    return { cost, inliers };
  }

  /** Refines `pose` against the map; writes the result into `out`. */
  refine(pose: Pose2D, bx: Float64Array, by: Float64Array, n: number, out: ScanMatchResult): void {
    const { iterations, cutoff, huber } = this.options;
    let x = pose.x;
    let y = pose.y;
    let t = pose.theta;
    const before = this.cost(x, y, t, bx, by, n);
    const f = this.f;
    for (let it = 0; it < iterations; it++) {
      const c = Math.cos(t);
      const s = Math.sin(t);
      let h00 = 0, h01 = 0, h02 = 0, h11 = 0, h12 = 0, h22 = 0;
      let g0 = 0, g1 = 0, g2 = 0;
      let used = 0;
      for (let k = 0; k < n; k++) {
        const lx = bx[k]!;
        const ly = by[k]!;
        const ex = x + c * lx - s * ly;
        const ey = y + s * lx + c * ly;
        if (!this.map.sample(ex, ey, f)) continue;
        const r = f.value;
        const ar = r < 0 ? -r : r;
        if (ar > cutoff) continue;
        const w = ar <= huber ? 1 : huber / ar;
        const jx = f.gx;
        const jy = f.gy;
        const jt = f.gx * (-s * lx - c * ly) + f.gy * (c * lx - s * ly);
        h00 += w * jx * jx;
        h01 += w * jx * jy;
        h02 += w * jx * jt;
        h11 += w * jy * jy;
        h12 += w * jy * jt;
        h22 += w * jt * jt;
        g0 += w * jx * r;
        g1 += w * jy * r;
        g2 += w * jt * r;
        used++;
      }
      if (used < 10) break;
      // Levenberg damping keeps a degenerate direction (a long corridor) from running away.
      const lambda = 1e-3 * (h00 + h11 + h22) / 3 + 1e-9;
      const step = solve3(h00 + lambda, h01, h02, h11 + lambda, h12, h22 + lambda, -g0, -g1, -g2);
      if (!step) break;
      x += step[0];
      y += step[1];
      t = normalizeAngle(t + step[2]);
      if (Math.abs(step[0]) < 1e-5 && Math.abs(step[1]) < 1e-5 && Math.abs(step[2]) < 1e-5) break;
    }
    const after = this.cost(x, y, t, bx, by, n);
    out.x = x;
    out.y = y;
    out.theta = t;
    out.costBefore = before.cost;
    out.costAfter = after.cost;
    out.inliers = after.inliers;
  }
}

const SOLUTION: [number, number, number] = [0, 0, 0];

/** Solves the symmetric 3×3 system [a b c; b d e; c e f]·x = (u, v, w) by Cramer's rule; null when singular. */
function solve3(a: number, b: number, c: number, d: number, e: number, f: number, u: number, v: number, w: number): [number, number, number] | null {
  const m00 = d * f - e * e;
  const m01 = c * e - b * f;
  const m02 = b * e - c * d;
  const det = a * m00 + b * m01 + c * m02;
  if (!(Math.abs(det) > 1e-18)) return null;
  const m11 = a * f - c * c;
  const m12 = b * c - a * e;
  const m22 = a * d - b * b;
  SOLUTION[0] = (m00 * u + m01 * v + m02 * w) / det;
  SOLUTION[1] = (m01 * u + m11 * v + m12 * w) / det;
  SOLUTION[2] = (m02 * u + m12 * v + m22 * w) / det;
  return SOLUTION;
}
