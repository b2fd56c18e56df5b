import { describe, expect, it } from 'vitest';
import type { Pose2D } from '../../../src/shared/geometry';
import { Prng } from '../../../src/planner/random';
import { PoseGraphOptimizer, robustCost, robustWeight, type RobustKernel } from '../../../src/planner/slam/pose-graph-optimizer';
import { BlockSparseCholesky } from '../../../src/planner/slam/sparse-cholesky';
import { between, compose } from '../../../src/planner/slam/se2';

const info = (sxy: number, sth: number): number[] => [1 / sxy ** 2, 0, 0, 0, 1 / sxy ** 2, 0, 0, 0, 1 / sth ** 2];

/** Poses on a 10 m circle, heading along it. */
function circle(n: number): Pose2D[] {
  return Array.from({ length: n }, (_, i) => {
    const a = (2 * Math.PI * i) / n;
    return { x: 10 * Math.cos(a), y: 10 * Math.sin(a), theta: a + Math.PI / 2 };
  });
}

/** Odometry chain with noise on every increment; poses initialised by dead reckoning. */
function noisyChain(truth: Pose2D[], rng: Prng, sigma: number): PoseGraphOptimizer {
  const opt = new PoseGraphOptimizer();
  let est = truth[0]!;
  opt.addVariable(est.x, est.y, est.theta, true);
  for (let i = 1; i < truth.length; i++) {
    const d = between(truth[i - 1]!, truth[i]!);
    const z = { x: d.x + sigma * rng.normal(), y: d.y + sigma * rng.normal(), theta: d.theta + sigma * rng.normal() };
    est = compose(est, z);
    opt.addVariable(est.x, est.y, est.theta);
    opt.addEdge({ from: i - 1, to: i, ...z, information: info(0.02, 0.02), kernel: 'none', kernelScale: 1 });
  }
  return opt;
}

function maxError(opt: PoseGraphOptimizer, truth: Pose2D[]): number {
  let worst = 0;
  for (let i = 0; i < truth.length; i++) {
    const p = opt.pose(i);
    worst = Math.max(worst, Math.hypot(p.x - truth[i]!.x, p.y - truth[i]!.y));
  }
  return worst;
}

describe('sparse block Cholesky', () => {
  it('solves a random sparse SPD system like a dense solver, with fill', () => {
    const rng = new Prng(5);
    const n = 40;
    const pairs: number[] = [];
    for (let i = 1; i < n; i++) pairs.push(i - 1, i);
    for (let k = 0; k < 15; k++) pairs.push(rng.int(n), rng.int(n));
    const chol = new BlockSparseCholesky(n, pairs);
    // Dense reference matrix built with the same blocks.
    const N = 3 * n;
    const dense = new Float64Array(N * N);
    chol.clear();
    const addBlock = (a: number, b: number, m: number[]): void => {
      for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) {
        dense[(3 * a + r) * N + 3 * b + c] += m[3 * r + c]!;
        dense[(3 * b + c) * N + 3 * a + r] += a === b ? 0 : m[3 * r + c]!;
      }
    };
    for (let k = 0; k + 1 < pairs.length; k += 2) {
      const [a, b] = [pairs[k]!, pairs[k + 1]!];
      if (a === b) continue;
      const m = Array.from({ length: 9 }, () => rng.uniform(-1, 1));
      const off = chol.blockOffset(a, b);
      if (off >= 0) for (let q = 0; q < 9; q++) chol.lower[off + q] += m[q]!;
      else for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) chol.lower[-off - 1 + 3 * c + r] += m[3 * r + c]!;
      addBlock(a, b, m);
    }
    // Diagonally dominant diagonal blocks keep it positive definite.
    for (let a = 0; a < n; a++) {
      const d = [30, 1, 0, 1, 30, 2, 0, 2, 30];
      const off = chol.diagOffset(a);
      for (let q = 0; q < 9; q++) chol.diag[off + q] += d[q]!;
      addBlock(a, a, d);
    }
    const b = Float64Array.from({ length: N }, () => rng.uniform(-1, 1));
    expect(chol.factor()).toBe(true);
    const x = new Float64Array(N);
    chol.solve(b, x);
    // Residual of the dense system.
    let worst = 0;
    for (let r = 0; r < N; r++) {
      let s = 0;
      for (let c = 0; c < N; c++) s += dense[r * N + c]! * x[c]!;
      worst = Math.max(worst, Math.abs(s - b[r]!));
    }
    expect(worst).toBeLessThan(1e-9);
    expect(chol.nonZeroBlocks).toBeGreaterThanOrEqual(n - 1);
  });
});

describe('pose graph optimisation', () => {
  it('closes a noisy 200-pose loop: dead reckoning is metres off, the optimum centimetres', () => {
    const truth = circle(200);
    const opt = noisyChain(truth, new Prng(1), 0.01);
    expect(maxError(opt, truth)).toBeGreaterThan(0.5);
    opt.addEdge({ from: 199, to: 0, ...between(truth[199]!, truth[0]!), information: info(0.02, 0.02), kernel: 'none', kernelScale: 1 });
    const r = opt.optimize({ maxIterations: 20, relativeTolerance: 1e-9 });
    expect(r.finalCost).toBeLessThan(r.initialCost / 100);
    expect(maxError(opt, truth)).toBeLessThan(0.25);
  });

  // Redescending kernels only: Huber bounds an outlier's pull but never cancels it (a 3 m
  // false closure still drags the loop by more than a metre), which is why loops use DCS.
  it.each(['cauchy', 'dcs'] as RobustKernel[])('a deliberately false loop closure does not wreck the map (%s kernel)', (kernel) => {
    const truth = circle(200);
    const build = (withFalse: boolean): PoseGraphOptimizer => {
      const opt = noisyChain(truth, new Prng(2), 0.004);
      // True closures: the end back to the start, and a chord across the circle.
      opt.addEdge({ from: 199, to: 0, ...between(truth[199]!, truth[0]!), information: info(0.02, 0.02), kernel, kernelScale: 2 });
      opt.addEdge({ from: 150, to: 50, ...between(truth[150]!, truth[50]!), information: info(0.02, 0.02), kernel, kernelScale: 2 });
      opt.addEdge({ from: 120, to: 20, ...between(truth[120]!, truth[20]!), information: info(0.02, 0.02), kernel, kernelScale: 2 });
      // A false one: pose 100 "seen" 3 m from where pose 30 really is relative to it.
      if (withFalse) opt.addEdge({ from: 30, to: 100, ...compose(between(truth[30]!, truth[100]!), { x: 3, y: -1, theta: 0.4 }), information: info(0.02, 0.02), kernel, kernelScale: 2 });
      opt.optimize({ maxIterations: 30, relativeTolerance: 1e-10 });
      return opt;
    };
    const clean = maxError(build(false), truth);
    const withFalse = maxError(build(true), truth);
    expect(clean).toBeLessThan(0.25);
    // A least-squares edge would drag the circle by metres; the kernel bounds its pull.
    expect(withFalse).toBeLessThan(clean + (kernel === 'cauchy' ? 0.1 : 0.05));
  });

  it('without a kernel the same false closure does wreck it (the test above is meaningful)', () => {
    const truth = circle(200);
    const opt = noisyChain(truth, new Prng(2), 0.004);
    opt.addEdge({ from: 199, to: 0, ...between(truth[199]!, truth[0]!), information: info(0.02, 0.02), kernel: 'none', kernelScale: 2 });
    opt.addEdge({ from: 30, to: 100, ...compose(between(truth[30]!, truth[100]!), { x: 3, y: -1, theta: 0.4 }), information: info(0.02, 0.02), kernel: 'none', kernelScale: 2 });
    opt.optimize({ maxIterations: 30, relativeTolerance: 1e-10 });
    expect(maxError(opt, truth)).toBeGreaterThan(0.5);
  });

  it('kernels: weight is ρ′, cost is continuous at the scale, and least squares is untouched', () => {
    for (const k of ['huber', 'cauchy', 'dcs'] as RobustKernel[]) {
      expect(robustWeight(k, 2, 1)).toBeGreaterThan(0.5);
      expect(robustWeight(k, 2, 400)).toBeLessThan(0.2);
      expect(robustCost(k, 2, 4 - 1e-9)).toBeCloseTo(robustCost(k, 2, 4 + 1e-9), 6);
      // Numerical derivative of the cost matches the weight.
      const s = 9;
      expect((robustCost(k, 2, s + 1e-6) - robustCost(k, 2, s - 1e-6)) / 2e-6).toBeCloseTo(robustWeight(k, 2, s), 4);
    }
    expect(robustWeight('none', 1, 1e6)).toBe(1);
    expect(robustCost('none', 1, 7)).toBe(7);
  });
});
