/**
 * Scan-to-map matching against a probability grid (submap frame, metres, radians).
 *
 * Two stages, as in Cartographer's local SLAM and Olson's real-time correlative matching:
 *
 * 1. `correlativeSearch`: exhaustive search over a small window around the predicted pose
 *    (±linear m, ±angular rad). The angular step is the angle at which the farthest point
 *    moves by one cell, so no pose between two candidates can hide a better match; the
 *    translational step is one cell. Score = mean probability at the points, times a mild
 *    penalty for leaving the prediction (breaks ties in featureless places toward odometry).
 *    It pulls the estimate into the right basin when odometry slips (wheel slip on turns).
 * 2. `refinePose`: Levenberg–Marquardt on the bicubic-interpolated grid, minimising
 *    Σ (1 − p(T·pᵢ))² / n plus quadratic pulls toward a prior pose, to sub-cell accuracy.
 *
 * Both work on the thinned matching points of a scan (base_link) and write into caller-owned
 * scratch buffers: nothing is allocated per point.
 */
import type { Pose2D } from '../../shared/geometry';
import { normalizeAngle } from '../../shared/geometry';
import { CODE_TO_PROBABILITY, type ProbabilityGrid } from './probability-grid';

/** Matching points (base_link). */
export interface MatchPoints {
  x: Float32Array;
  y: Float32Array;
  count: number;
  /** Largest point range from base_link, m. */
  maxRange: number;
}

export interface CorrelativeOptions {
  /** Half-width of the translational window, m. */
  linearWindow: number;
  /** Half-width of the angular window, rad. */
  angularWindow: number;
  /** Penalty exp(−(wt·|Δt|)² − (wr·|Δθ|)²) on leaving the prior; 1/m and 1/rad. */
  translationPenalty: number;
  rotationPenalty: number;
  /**
   * Range (m) that sets the angular step (the angle moving a point this far by one cell).
   * Capped below the scan's farthest point: the refinement that follows is continuous, so
   * the search only has to land in the right basin, and far points are few.
   */
  stepRange: number;
}

export interface MatchResult {
  pose: Pose2D;
  /** Mean occupancy probability at the points (0.1 … 0.9), before penalties. */
  score: number;
}

/** Reusable buffers for matching one scan at a time. */
export class MatchScratch {
  cols = new Int32Array(512);
  rows = new Int32Array(512);
  scores = new Float64Array(1024);
  ensure(points: number, candidates: number): void {
    if (this.cols.length < points) {
      this.cols = new Int32Array(points * 2);
      this.rows = new Int32Array(points * 2);
    }
    if (this.scores.length < candidates) this.scores = new Float64Array(candidates * 2);
  }
}

/** Angular step at which a point `range` m away moves by `resolution` m (law of cosines). */
export function angularStep(resolution: number, range: number): number {
  const r = Math.max(range, 4 * resolution);
  return Math.acos(Math.max(-1, 1 - (resolution * resolution) / (2 * r * r)));
}

/**
 * Exhaustive correlative search around `prior` (base_link in the grid's frame).
 * Cost: (2·⌈angular/step⌉+1) · (2·⌈linear/res⌉+1)² · points look-ups.
 */
export function correlativeSearch(grid: ProbabilityGrid, pts: MatchPoints, prior: Pose2D, opts: CorrelativeOptions, scratch: MatchScratch): MatchResult {
  const res = grid.resolution;
  const n = pts.count;
  if (n === 0) return { pose: { ...prior }, score: 0 };
  const step = angularStep(res, Math.min(pts.maxRange, opts.stepRange));
  const na = Math.max(0, Math.ceil(opts.angularWindow / step));
  const nl = Math.max(0, Math.ceil(opts.linearWindow / res));
  const side = 2 * nl + 1;
  const cand = side * side;
  scratch.ensure(n, cand);
  const scores = scratch.scores;
  const cols = scratch.cols;
  const rows = scratch.rows;
  const W = grid.width;
  const H = grid.height;
  const values = grid.values;
  // Local alias: hot loops must not go through a module binding (bundlers and test runners
  // may turn those into property reads).
  const prob = CODE_TO_PROBABILITY;
  const unknown = prob[0]!;
  const inv = 1 / res;
  let bestScore = -1;
  let bestRaw = 0;
  let bestX = prior.x;
  let bestY = prior.y;
  let bestT = prior.theta;
  const wt = opts.translationPenalty;
  const wr = opts.rotationPenalty;
  for (let ai = -na; ai <= na; ai++) {
    const dth = ai * step;
    const th = prior.theta + dth;
    const c = Math.cos(th);
    const s = Math.sin(th);
    for (let i = 0; i < n; i++) {
      const px = pts.x[i]!;
      const py = pts.y[i]!;
      cols[i] = Math.floor((prior.x + c * px - s * py - grid.originX) * inv);
      rows[i] = Math.floor((prior.y + s * px + c * py - grid.originY) * inv);
    }
    scores.fill(0, 0, cand);
    for (let i = 0; i < n; i++) {
      const col = cols[i]!;
      const row = rows[i]!;
      if (col - nl >= 0 && row - nl >= 0 && col + nl < W && row + nl < H) {
        let k = 0;
        for (let dy = -nl; dy <= nl; dy++) {
          const base = (row + dy) * W + col;
          for (let dx = -nl; dx <= nl; dx++) scores[k++] += prob[values[base + dx]!]!;
        }
      } else {
        let k = 0;
        for (let dy = -nl; dy <= nl; dy++) {
          const r = row + dy;
          for (let dx = -nl; dx <= nl; dx++) {
            const cc = col + dx;
            scores[k++] += r >= 0 && r < H && cc >= 0 && cc < W ? prob[values[r * W + cc]!]! : unknown;
          }
        }
      }
    }
    const rotPen = (wr * dth) ** 2;
    let k = 0;
    for (let dy = -nl; dy <= nl; dy++) {
      for (let dx = -nl; dx <= nl; dx++) {
        const raw = scores[k++]! / n;
        const d2 = (dx * dx + dy * dy) * res * res;
        const sc = raw * Math.exp(-(wt * wt * d2) - rotPen);
        if (sc > bestScore) {
          bestScore = sc;
          bestRaw = raw;
          bestX = prior.x + dx * res;
          bestY = prior.y + dy * res;
          bestT = th;
        }
      }
    }
  }
  return { pose: { x: bestX, y: bestY, theta: normalizeAngle(bestT) }, score: bestRaw };
}

export interface RefineOptions {
  /** Weight of the map term (residual per point (w/√n)·(1 − p)). */
  occupiedWeight: number;
  /** Pull toward the prior position, per metre. */
  translationWeight: number;
  /** Pull toward the prior heading, per radian. */
  rotationWeight: number;
  /**
   * Huber scales of the two pulls (m, rad): beyond them the pull stops growing, so a prior
   * that is plainly wrong (wheel slip, odometry counting a reverse as forward) cannot hold
   * the pose against a clear map match, while small disagreements stay quadratic.
   * Infinity: plain quadratic pulls.
   */
  translationScale?: number;
  rotationScale?: number;
  maxIterations: number;
}

export interface RefineResult {
  pose: Pose2D;
  /** Mean occupancy probability (1 − interpolated cost) at the points at the result. */
  score: number;
  /**
   * Gauss–Newton Hessian of the map term alone, Σ JᵢᵀJᵢ / n with unit weight, row-major
   * 3×3 over (x m, y m, θ rad): how sharply the map pins each direction (small along a
   * featureless corridor).
   */
  hessian: Float64Array;
}

const interp = new Float64Array(3);

/**
 * Levenberg–Marquardt refinement of base_link's pose in the grid frame from `initial`,
 * with quadratic pulls toward `prior` (usually the correlative result or the prediction).
 */
export function refinePose(grid: ProbabilityGrid, pts: MatchPoints, initial: Pose2D, prior: Pose2D, opts: RefineOptions): RefineResult {
  const n = pts.count;
  const hessian = new Float64Array(9);
  if (n === 0) return { pose: { ...initial }, score: 0, hessian };
  const inv = 1 / grid.resolution;
  const wo2 = (opts.occupiedWeight * opts.occupiedWeight) / n;
  const wt2 = opts.translationWeight * opts.translationWeight;
  const wr2 = opts.rotationWeight * opts.rotationWeight;
  const ts = opts.translationScale ?? Number.POSITIVE_INFINITY;
  const rs = opts.rotationScale ?? Number.POSITIVE_INFINITY;
  let x = initial.x;
  let y = initial.y;
  let t = initial.theta;
  let lambda = 1e-4;
  const H = new Float64Array(9);
  const g = new Float64Array(3);

  // Evaluates the cost (and, when `build`, the normal equations) at (px0, py0, pt0).
  const evaluate = (ex: number, ey: number, et: number, build: boolean): number => {
    const c = Math.cos(et);
    const s = Math.sin(et);
    let cost = 0;
    if (build) {
      H.fill(0);
      g.fill(0);
    }
    for (let i = 0; i < n; i++) {
      const px = pts.x[i]!;
      const py = pts.y[i]!;
      const wx = ex + c * px - s * py;
      const wy = ey + s * px + c * py;
      grid.interpolateCost((wx - grid.originX) * inv - 0.5, (wy - grid.originY) * inv - 0.5, interp);
      const r = interp[0]!;
      cost += wo2 * r * r;
      if (build) {
        const jx = interp[1]! * inv;
        const jy = interp[2]! * inv;
        const jt = jx * (-s * px - c * py) + jy * (c * px - s * py);
        H[0] += wo2 * jx * jx;
        H[1] += wo2 * jx * jy;
        H[2] += wo2 * jx * jt;
        H[4] += wo2 * jy * jy;
        H[5] += wo2 * jy * jt;
        H[8] += wo2 * jt * jt;
        g[0] += wo2 * jx * r;
        g[1] += wo2 * jy * r;
        g[2] += wo2 * jt * r;
      }
    }
    const dx = ex - prior.x;
    const dy = ey - prior.y;
    const dt = normalizeAngle(et - prior.theta);
    // Huber on each pull: weight 1 inside the scale, scale/|residual| outside (IRLS).
    const d = Math.hypot(dx, dy);
    const ht = d <= ts ? 1 : ts / d;
    const hr = Math.abs(dt) <= rs ? 1 : rs / Math.abs(dt);
    cost += wt2 * (d <= ts ? d * d : 2 * ts * d - ts * ts) + wr2 * (Math.abs(dt) <= rs ? dt * dt : 2 * rs * Math.abs(dt) - rs * rs);
    if (build) {
      H[0] += wt2 * ht;
      H[4] += wt2 * ht;
      H[8] += wr2 * hr;
      g[0] += wt2 * ht * dx;
      g[1] += wt2 * ht * dy;
      g[2] += wr2 * hr * dt;
      H[3] = H[1];
      H[6] = H[2];
      H[7] = H[5];
    }
    return cost;
  };

  let cost = evaluate(x, y, t, true);
  const A = new Float64Array(9);
  const step = new Float64Array(3);
  for (let it = 0; it < opts.maxIterations; it++) {
    for (let k = 0; k < 9; k++) A[k] = H[k]!;
    A[0] += lambda * (H[0]! + 1e-9);
    A[4] += lambda * (H[4]! + 1e-9);
    A[8] += lambda * (H[8]! + 1e-9);
    if (!solve3(A, g, step)) break;
    const nx = x - step[0]!;
    const ny = y - step[1]!;
    const nt = t - step[2]!;
    const nc = evaluate(nx, ny, nt, false);
    if (nc < cost) {
      x = nx;
      y = ny;
      t = nt;
      lambda = Math.max(1e-7, lambda * 0.3);
      const small = Math.abs(step[0]!) < 1e-5 && Math.abs(step[1]!) < 1e-5 && Math.abs(step[2]!) < 1e-5;
      cost = evaluate(x, y, t, true);
      if (small) break;
    } else {
      lambda *= 10;
      if (lambda > 1e3) break;
    }
  }
  // Map-term Hessian and score at the result.
  const c = Math.cos(t);
  const s = Math.sin(t);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const px = pts.x[i]!;
    const py = pts.y[i]!;
    grid.interpolateCost((x + c * px - s * py - grid.originX) * inv - 0.5, (y + s * px + c * py - grid.originY) * inv - 0.5, interp);
    sum += interp[0]!;
    const jx = interp[1]! * inv;
    const jy = interp[2]! * inv;
    const jt = jx * (-s * px - c * py) + jy * (c * px - s * py);
    hessian[0] += jx * jx;
    hessian[1] += jx * jy;
    hessian[2] += jx * jt;
    hessian[4] += jy * jy;
    hessian[5] += jy * jt;
    hessian[8] += jt * jt;
  }
  for (const k of [0, 1, 2, 4, 5, 8]) hessian[k] /= n;
  hessian[3] = hessian[1]!;
  hessian[6] = hessian[2]!;
  hessian[7] = hessian[5]!;
  return { pose: { x, y, theta: normalizeAngle(t) }, score: 1 - sum / n, hessian };
}

/** Solves the symmetric positive 3×3 system A·x = b (row-major); false when singular. */
export function solve3(A: Float64Array | readonly number[], b: Float64Array | readonly number[], out: Float64Array): boolean {
  const a00 = A[0]!;
  const a01 = A[1]!;
  const a02 = A[2]!;
  const a11 = A[4]!;
  const a12 = A[5]!;
  const a22 = A[8]!;
  const c00 = a11 * a22 - a12 * a12;
  const c01 = a02 * a12 - a01 * a22;
  const c02 = a01 * a12 - a02 * a11;
  const det = a00 * c00 + a01 * c01 + a02 * c02;
  if (!(Math.abs(det) > 1e-300)) return false;
  const c11 = a00 * a22 - a02 * a02;
  const c12 = a01 * a02 - a00 * a12;
  const c22 = a00 * a11 - a01 * a01;
  const b0 = b[0]!;
  const b1 = b[1]!;
  const b2 = b[2]!;
  out[0] = (c00 * b0 + c01 * b1 + c02 * b2) / det;
  out[1] = (c01 * b0 + c11 * b1 + c12 * b2) / det;
  out[2] = (c02 * b0 + c12 * b1 + c22 * b2) / det;
  return true;
}

/** Mean occupancy probability at the points for pose `p` (nearest cell). */
export function scoreAt(grid: ProbabilityGrid, pts: MatchPoints, p: Pose2D): number {
  if (pts.count === 0) return 0;
  const c = Math.cos(p.theta);
  const s = Math.sin(p.theta);
  const inv = 1 / grid.resolution;
  let sum = 0;
  for (let i = 0; i < pts.count; i++) {
    const px = pts.x[i]!;
    const py = pts.y[i]!;
    sum += grid.probabilityAt(Math.floor((p.x + c * px - s * py - grid.originX) * inv), Math.floor((p.y + s * px + c * py - grid.originY) * inv));
  }
  return sum / pts.count;
}

/**
 * Fraction of the points that land within one cell of a likely-occupied cell (p > 0.5) at
 * pose `p`: "how much of the scan the map explains", 0…1, for status displays.
 */
export function agreement(grid: ProbabilityGrid, pts: MatchPoints, p: Pose2D): number {
  if (pts.count === 0) return 0;
  const c = Math.cos(p.theta);
  const s = Math.sin(p.theta);
  const inv = 1 / grid.resolution;
  const W = grid.width;
  const H = grid.height;
  const values = grid.values;
  const prob = CODE_TO_PROBABILITY;
  let hits = 0;
  for (let i = 0; i < pts.count; i++) {
    const px = pts.x[i]!;
    const py = pts.y[i]!;
    const col = Math.floor((p.x + c * px - s * py - grid.originX) * inv);
    const row = Math.floor((p.y + s * px + c * py - grid.originY) * inv);
    let found = false;
    for (let dr = -1; dr <= 1 && !found; dr++) {
      const r = row + dr;
      if (r < 0 || r >= H) continue;
      for (let dc = -1; dc <= 1; dc++) {
        const cc = col + dc;
        if (cc >= 0 && cc < W && prob[values[r * W + cc]!]! > 0.5) {
          found = true;
          break;
        }
      }
    }
    if (found) hits++;
  }
  return hits / pts.count;
}
