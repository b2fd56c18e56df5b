/**
 * Sparse pose-graph optimisation (SPA-style Levenberg–Marquardt) with robust kernels.
 *
 * Variables are planar poses (x, y m; θ rad) in the map frame. An edge (i → j) measures
 * z = pose j in pose i's frame; its residual is, in i's frame,
 *   e = [ R(θᵢ)ᵀ (tⱼ − tᵢ) − z_t ;  θⱼ − θᵢ − z_θ ]   (θ part wrapped to (−π, π])
 * weighted by the edge's information Ω (3×3, i's frame) and a robust kernel ρ on χ² = eᵀΩe
 * (iteratively reweighted: Ω·ρ′(χ²)). Robust kernels are what let a wrong loop closure that
 * slipped past the front end's checks cost a bounded amount instead of bending the map.
 *
 * The normal equations are solved by sparse block Cholesky (`sparse-cholesky.ts`); the
 * first variable (or any variable marked fixed) anchors the gauge.
 */
import { normalizeAngle } from '../../shared/geometry';
import { BlockSparseCholesky } from './sparse-cholesky';

export type RobustKernel = 'none' | 'huber' | 'cauchy' | 'dcs';

export interface OptimizerEdge {
  from: number;
  to: number;
  /** Measured pose of `to` in `from`'s frame. */
  x: number;
  y: number;
  theta: number;
  /** Information, row-major 3×3 (in `from`'s frame). */
  information: ArrayLike<number>;
  kernel: RobustKernel;
  /** Kernel scale in χ units (√χ²): residuals beyond it are down-weighted. */
  kernelScale: number;
  /** A disabled edge is kept (indices stay valid) but contributes nothing. */
  disabled?: boolean;
}

export interface OptimizeOptions {
  maxIterations: number;
  /** Stop when the relative cost decrease of an accepted step is below this. */
  relativeTolerance: number;
}

export interface OptimizeResult {
  iterations: number;
  initialCost: number;
  finalCost: number;
}

/** ρ′(s) for the IRLS weight of an edge with χ² = s. */
export function robustWeight(kernel: RobustKernel, scale: number, s: number): number {
  const k2 = scale * scale;
  switch (kernel) {
    case 'none':
      return 1;
    case 'huber':
      return s <= k2 ? 1 : scale / Math.sqrt(s);
    case 'cauchy':
      return 1 / (1 + s / k2);
    case 'dcs': {
      // Dynamic covariance scaling (Agarwal et al. 2013): Ω scaled by min(1, 2Φ/(Φ+χ²))².
      const f = Math.min(1, (2 * k2) / (k2 + s));
      return f * f;
    }
  }
}

/** ρ(s): the robust cost of an edge with χ² = s. */
export function robustCost(kernel: RobustKernel, scale: number, s: number): number {
  const k2 = scale * scale;
  switch (kernel) {
    case 'none':
      return s;
    case 'huber':
      return s <= k2 ? s : 2 * scale * Math.sqrt(s) - k2;
    case 'cauchy':
      return k2 * Math.log1p(s / k2);
    case 'dcs': {
      // ∫ of the DCS weight min(1, 2Φ/(Φ+χ²))²: quadratic up to Φ, then 3Φ − 4Φ²/(Φ+χ²),
      // which never exceeds 3Φ — a wrong edge costs a bounded amount however far off it is.
      if (s <= k2) return s;
      return 3 * k2 - (4 * k2 * k2) / (k2 + s);
    }
  }
}

export class PoseGraphOptimizer {
  /** Poses, 3 per variable (x, y, θ). */
  private poses = new Float64Array(3 * 256);
  private count = 0;
  /** chi2()'s scratch residual (3). */
  private readonly chi2Residual = new Float64Array(3);
  private fixed = new Uint8Array(256);
  readonly edges: OptimizerEdge[] = [];
  private solver: BlockSparseCholesky | null = null;
  private solverEdges = -1;
  private solverVars = -1;
  /** Variable index → system block index (−1 when fixed). */
  private sys = new Int32Array(0);
  private edgeFrom = new Int32Array(0);
  private edgeTo = new Int32Array(0);
  private edgeOff = new Int32Array(0);

  get size(): number {
    return this.count;
  }

  addVariable(x: number, y: number, theta: number, fixed = false): number {
    if (3 * (this.count + 1) > this.poses.length) {
      const p = new Float64Array(this.poses.length * 2);
      p.set(this.poses);
      this.poses = p;
      const f = new Uint8Array(this.fixed.length * 2);
      f.set(this.fixed);
      this.fixed = f;
    }
    const i = this.count++;
    this.poses[3 * i] = x;
    this.poses[3 * i + 1] = y;
    this.poses[3 * i + 2] = normalizeAngle(theta);
    this.fixed[i] = fixed ? 1 : 0;
    return i;
  }

  setFixed(i: number, fixed: boolean): void {
    this.fixed[i] = fixed ? 1 : 0;
    this.solverVars = -1;
  }

  addEdge(edge: OptimizerEdge): number {
    this.edges.push(edge);
    return this.edges.length - 1;
  }

  pose(i: number): { x: number; y: number; theta: number } {
    return { x: this.poses[3 * i]!, y: this.poses[3 * i + 1]!, theta: this.poses[3 * i + 2]! };
  }

  setPose(i: number, x: number, y: number, theta: number): void {
    this.poses[3 * i] = x;
    this.poses[3 * i + 1] = y;
    this.poses[3 * i + 2] = normalizeAngle(theta);
  }

  /** A copy of all poses (3 per variable), to roll back a rejected change. */
  snapshot(): Float64Array {
    return this.poses.slice(0, 3 * this.count);
  }

  restore(saved: Float64Array): void {
    this.poses.set(saved.subarray(0, Math.min(saved.length, 3 * this.count)));
  }

  /** χ² of one edge at the current poses (before the kernel). */
  edgeChi2(e: OptimizerEdge): number {
    return this.chi2(e, this.poses);
  }

  private chi2(e: OptimizerEdge, p: Float64Array): number {
    const i = 3 * e.from;
    const j = 3 * e.to;
    const th = p[i + 2]!;
    edgeResidual(e, Math.cos(th), Math.sin(th), p[j]! - p[i]!, p[j + 1]! - p[i + 1]!, p[j + 2]! - th, this.chi2Residual);
    return quadraticForm(e.information, this.chi2Residual);
  }

  /** Total robust cost at poses `p`. */
  private cost(p: Float64Array): number {
    let total = 0;
    for (const e of this.edges) if (!e.disabled) total += robustCost(e.kernel, e.kernelScale, this.chi2(e, p));
    return total;
  }

  private prepare(): BlockSparseCholesky | null {
    if (this.solver && this.solverEdges === this.edges.length && this.solverVars === this.count) return this.solver;
    const sys = new Int32Array(this.count);
    let m = 0;
    for (let i = 0; i < this.count; i++) sys[i] = this.fixed[i] ? -1 : m++;
    if (m === 0) return null;
    const pairs: number[] = [];
    for (const e of this.edges) {
      const a = sys[e.from]!;
      const b = sys[e.to]!;
      if (a >= 0 && b >= 0 && a !== b) pairs.push(a, b);
    }
    const solver = new BlockSparseCholesky(m, pairs);
    const n = this.edges.length;
    this.edgeFrom = new Int32Array(n);
    this.edgeTo = new Int32Array(n);
    this.edgeOff = new Int32Array(n);
    for (let k = 0; k < n; k++) {
      const e = this.edges[k]!;
      const a = sys[e.from]!;
      const b = sys[e.to]!;
      this.edgeFrom[k] = a;
      this.edgeTo[k] = b;
      this.edgeOff[k] = a >= 0 && b >= 0 && a !== b ? solver.blockOffset(a, b) : 0;
    }
    this.sys = sys;
    this.solver = solver;
    this.solverEdges = this.edges.length;
    this.solverVars = this.count;
    return solver;
  }

  /**
   * Levenberg–Marquardt from the current poses. Each iteration: linearise every edge (with
   * its kernel weight at the current residual), solve (H + λ·diag H)·δ = −g, keep the step
   * if the robust cost went down.
   */
  optimize(opts: OptimizeOptions): OptimizeResult {
    const solver = this.prepare();
    const initialCost = this.cost(this.poses);
    if (!solver) return { iterations: 0, initialCost, finalCost: initialCost };
    const m = solver.n;
    const g = new Float64Array(3 * m);
    const delta = new Float64Array(3 * m);
    const trial = new Float64Array(this.poses.length);
    const hDiag = new Float64Array(9 * m);
    let cost = initialCost;
    let lambda = 1e-5;
    let iterations = 0;
    let relinearise = true;
    const Ji = new Float64Array(9);
    const Jj = new Float64Array(9);
    const OJi = new Float64Array(9);
    const OJj = new Float64Array(9);
    const res = new Float64Array(3);
    for (let it = 0; it < opts.maxIterations; it++) {
      iterations++;
      if (relinearise) {
        solver.clear();
        g.fill(0);
        for (let k = 0; k < this.edges.length; k++) {
          const e = this.edges[k]!;
          const a = this.edgeFrom[k]!;
          const b = this.edgeTo[k]!;
          if ((a < 0 && b < 0) || e.disabled) continue;
          this.linearise(e, Ji, Jj, res);
          const O = e.information;
          // χ² from the residual just computed (not the poses again).
          const w = robustWeight(e.kernel, e.kernelScale, quadraticForm(O, res));
          // OJ = w·Ω·J (3×3 each).
          for (let r = 0; r < 3; r++) {
            for (let c = 0; c < 3; c++) {
              OJi[3 * r + c] = w * (O[3 * r]! * Ji[c]! + O[3 * r + 1]! * Ji[3 + c]! + O[3 * r + 2]! * Ji[6 + c]!);
              OJj[3 * r + c] = w * (O[3 * r]! * Jj[c]! + O[3 * r + 1]! * Jj[3 + c]! + O[3 * r + 2]! * Jj[6 + c]!);
            }
          }
          const Wr0 = w * (O[0]! * res[0]! + O[1]! * res[1]! + O[2]! * res[2]!);
          const Wr1 = w * (O[3]! * res[0]! + O[4]! * res[1]! + O[5]! * res[2]!);
          const Wr2 = w * (O[6]! * res[0]! + O[7]! * res[1]! + O[8]! * res[2]!);
          if (a >= 0) {
            addJtB(solver.diag, solver.diagOffset(a), Ji, OJi);
            for (let c = 0; c < 3; c++) g[3 * a + c] += Ji[c]! * Wr0 + Ji[3 + c]! * Wr1 + Ji[6 + c]! * Wr2;
          }
          if (b >= 0) {
            addJtB(solver.diag, solver.diagOffset(b), Jj, OJj);
            for (let c = 0; c < 3; c++) g[3 * b + c] += Jj[c]! * Wr0 + Jj[3 + c]! * Wr1 + Jj[6 + c]! * Wr2;
          }
          if (a >= 0 && b >= 0 && a !== b) {
            const off = this.edgeOff[k]!;
            // Block (a, b) = Jiᵀ Ω Jj; stored as (a, b) or transposed as (b, a) = Jjᵀ Ω Ji.
            if (off >= 0) addJtB(solver.lower, off, Ji, OJj);
            else addJtB(solver.lower, -off - 1, Jj, OJi);
          }
        }
        hDiag.set(solver.diag.subarray(0, 9 * m));
        relinearise = false;
      }
      // Damping on the diagonal blocks (Marquardt: scaled by H's own diagonal).
      const savedLower = solver.lower.slice();
      for (let j = 0; j < m; j++) {
        const d = 9 * j;
        for (let q = 0; q < 9; q++) solver.diag[d + q] = hDiag[d + q]!;
        solver.diag[d] += lambda * (hDiag[d]! + 1e-6);
        solver.diag[d + 4] += lambda * (hDiag[d + 4]! + 1e-6);
        solver.diag[d + 8] += lambda * (hDiag[d + 8]! + 1e-6);
      }
      if (!solver.factor()) {
        solver.lower.set(savedLower);
        lambda = Math.max(lambda * 10, 1e-6);
        if (lambda > 1e8) break;
        continue;
      }
      for (let q = 0; q < 3 * m; q++) g[q] = -g[q]!;
      solver.solve(g, delta);
      for (let q = 0; q < 3 * m; q++) g[q] = -g[q]!;
      trial.set(this.poses);
      for (let v = 0; v < this.count; v++) {
        const s = this.sys[v]!;
        if (s < 0) continue;
        trial[3 * v] += delta[3 * s]!;
        trial[3 * v + 1] += delta[3 * s + 1]!;
        trial[3 * v + 2] = normalizeAngle(trial[3 * v + 2]! + delta[3 * s + 2]!);
      }
      const newCost = this.cost(trial);
      if (newCost < cost) {
        const decrease = (cost - newCost) / Math.max(cost, 1e-300);
        this.poses.set(trial);
        cost = newCost;
        lambda = Math.max(lambda / 3, 1e-9);
        relinearise = true;
        if (decrease < opts.relativeTolerance) break;
      } else {
        solver.lower.set(savedLower);
        lambda *= 10;
        if (lambda > 1e8) break;
      }
    }
    return { iterations, initialCost, finalCost: cost };
  }

  /** Residual and Jacobians (3×3 row-major, ∂e/∂xᵢ and ∂e/∂xⱼ) of edge e at the current poses. */
  private linearise(e: OptimizerEdge, Ji: Float64Array, Jj: Float64Array, res: Float64Array): void {
    const p = this.poses;
    const i = 3 * e.from;
    const j = 3 * e.to;
    const c = Math.cos(p[i + 2]!);
    const s = Math.sin(p[i + 2]!);
    const dx = p[j]! - p[i]!;
    const dy = p[j + 1]! - p[i + 1]!;
    edgeResidual(e, c, s, dx, dy, p[j + 2]! - p[i + 2]!, res);
    Ji[0] = -c;
    Ji[1] = -s;
    Ji[2] = -s * dx + c * dy;
    Ji[3] = s;
    Ji[4] = -c;
    Ji[5] = -c * dx - s * dy;
    Ji[6] = 0;
    Ji[7] = 0;
    Ji[8] = -1;
    Jj[0] = c;
    Jj[1] = s;
    Jj[2] = 0;
    Jj[3] = -s;
    Jj[4] = c;
    Jj[5] = 0;
    Jj[6] = 0;
    Jj[7] = 0;
    Jj[8] = 1;
  }
}

/** M(at off) += Aᵀ·B for 3×3 A, B (row-major). */
function addJtB(m: Float64Array, off: number, A: Float64Array, B: Float64Array): void {
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) m[off + 3 * r + c] += A[r]! * B[c]! + A[3 + r]! * B[3 + c]! + A[6 + r]! * B[6 + c]!;
  }
}

/**
 * The residual of edge e (to seen from from, minus the measured relative pose): `c`, `s` the
 * cosine and sine of the from-node's heading, (dx, dy) the to-node's offset in the map frame
 * (m), `dTheta` the heading difference (rad, normalised here).
 */
function edgeResidual(e: OptimizerEdge, c: number, s: number, dx: number, dy: number, dTheta: number, out: Float64Array): void {
  out[0] = c * dx + s * dy - e.x;
  out[1] = -s * dx + c * dy - e.y;
  out[2] = normalizeAngle(dTheta - e.theta);
}

/** rᵀ Ω r for a 3-vector and a row-major 3×3 information matrix. */
function quadraticForm(O: ArrayLike<number>, r: Float64Array): number {
  const e0 = r[0]!;
  const e1 = r[1]!;
  const e2 = r[2]!;
  return e0 * (O[0]! * e0 + O[1]! * e1 + O[2]! * e2) + e1 * (O[3]! * e0 + O[4]! * e1 + O[5]! * e2) + e2 * (O[6]! * e0 + O[7]! * e1 + O[8]! * e2);
}
