import { describe, expect, it } from 'vitest';
import { CandidateBuffer, generateTrajectory, PARAM_DIM } from '../../../src/planner/local';
import { Prng } from '../../../src/planner/random';
import { LIMITS, state } from './fixtures';

const H = 3;

/**
 * Largest violation of the velocity, acceleration and jerk limits on a sampled trajectory,
 * checked numerically (samples and finite differences), ≤ 0 when every limit holds.
 */
function worstViolation(buf: CandidateBuffer): number {
  const L = LIMITS;
  const dt = buf.dt;
  let worst = -Infinity;
  const over = (value: number, limit: number) => {
    if (value - limit > worst) worst = value - limit;
  };
  for (let k = 0; k < buf.count; k++) {
    over(buf.vs[k]!, L.vMax);
    over(-buf.vs[k]!, -L.vMin);
    over(Math.abs(buf.ws[k]!), L.wMax);
    over(Math.abs(buf.accels[k]!), L.aMax);
    over(Math.abs(buf.alphas[k]!), L.alphaMax);
  }
  for (let k = 0; k + 1 < buf.count; k++) {
    // Finite differences: mean acceleration over a step, mean jerk over a step.
    over(Math.abs(buf.vs[k + 1]! - buf.vs[k]!) / dt, L.aMax + 1e-6);
    over(Math.abs(buf.ws[k + 1]! - buf.ws[k]!) / dt, L.alphaMax + 1e-6);
    over(Math.abs(buf.accels[k + 1]! - buf.accels[k]!) / dt, L.jerkMax + 1e-6);
    over(Math.abs(buf.alphas[k + 1]! - buf.alphas[k]!) / dt, L.yawJerkMax + 1e-6);
  }
  for (let k = 0; k + 2 < buf.count; k++) {
    // Jerk from velocities alone (second difference).
    const a0 = (buf.vs[k + 1]! - buf.vs[k]!) / dt;
    const a1 = (buf.vs[k + 2]! - buf.vs[k + 1]!) / dt;
    over(Math.abs(a1 - a0) / dt, L.jerkMax + 1e-6);
    const b0 = (buf.ws[k + 1]! - buf.ws[k]!) / dt;
    const b1 = (buf.ws[k + 2]! - buf.ws[k + 1]!) / dt;
    over(Math.abs(b1 - b0) / dt, L.yawJerkMax + 1e-6);
  }
  return worst;
}

function checkLimits(buf: CandidateBuffer): void {
  expect(worstViolation(buf)).toBeLessThanOrEqual(1e-9);
}

function randomParams(r: Prng): Float64Array {
  return new Float64Array([
    r.uniform(LIMITS.vMin, LIMITS.vMax),
    r.uniform(-LIMITS.wMax, LIMITS.wMax),
    r.uniform(0.2, H),
    r.uniform(LIMITS.vMin, LIMITS.vMax),
    r.uniform(-LIMITS.wMax, LIMITS.wMax),
  ]);
}

/** A random start state the base can physically be in (its settle velocity is within limits). */
function randomStart(r: Prng) {
  for (;;) {
    const v = r.uniform(0, LIMITS.vMax);
    const a = r.uniform(-LIMITS.aMax, LIMITS.aMax);
    const w = r.uniform(-LIMITS.wMax, LIMITS.wMax);
    const alpha = r.uniform(-LIMITS.alphaMax, LIMITS.alphaMax);
    const settleV = v + (a * Math.abs(a)) / (2 * LIMITS.jerkMax);
    const settleW = w + (alpha * Math.abs(alpha)) / (2 * LIMITS.yawJerkMax);
    if (settleV >= 0 && settleV <= LIMITS.vMax && Math.abs(settleW) <= LIMITS.wMax) return state(0, 0, 0, v, w, a, alpha);
  }
}

describe('candidate trajectories', () => {
  it('respect velocity, acceleration and jerk limits for every sampled parameter vector', () => {
    const r = new Prng(2024);
    const coarse = new CandidateBuffer(30, 0.1);
    const fine = new CandidateBuffer(300, 0.01); // catches violations between 0.1 s samples
    let worst = -Infinity;
    for (let i = 0; i < 2000; i++) {
      const p = randomParams(r);
      const s = randomStart(r);
      generateTrajectory(p, 0, s, LIMITS, coarse);
      worst = Math.max(worst, worstViolation(coarse));
      generateTrajectory(p, 0, s, LIMITS, fine);
      worst = Math.max(worst, worstViolation(fine));
    }
    expect(worst).toBeLessThanOrEqual(1e-9);
  });

  it('contain a quick stop: maximum deceleration to zero in the minimum time', () => {
    const buf = new CandidateBuffer(300, 0.01);
    generateTrajectory(new Float64Array([0, 0, H, 0, 0]), 0, state(0, 0, 0, 1.0), LIMITS, buf);
    checkLimits(buf);
    // Minimum time from 1 m/s with a ≤ 1 m/s², jerk ≤ 4 m/s³: 1/1 + 1/4 = 1.25 s.
    expect(buf.vs[120]).toBeGreaterThan(0);
    expect(Math.abs(buf.vs[126]!)).toBeLessThan(1e-12);
    expect(Math.min(...buf.accels)).toBeCloseTo(-LIMITS.aMax, 9); // full braking is used
    for (let k = 126; k < buf.count; k++) expect(Math.abs(buf.vs[k]!)).toBeLessThan(1e-12);
    // Stopping distance ≈ v²/2a + v·a/(2j) = 0.5 + 0.125.
    expect(buf.xs[buf.count - 1]).toBeCloseTo(0.625, 2);
  });

  it('contain hard turns at the full yaw rate, in place and while driving', () => {
    const buf = new CandidateBuffer(30, 0.1);
    for (const sign of [1, -1]) {
      generateTrajectory(new Float64Array([0, sign * LIMITS.wMax, H, 0, sign * LIMITS.wMax]), 0, state(0, 0, 0), LIMITS, buf);
      checkLimits(buf);
      expect(buf.ws[buf.count - 1]).toBeCloseTo(sign * LIMITS.wMax, 12);
      expect(buf.xs[buf.count - 1]).toBe(0); // in place
      generateTrajectory(new Float64Array([0.8, sign * LIMITS.wMax, 1.5, 0.8, 0]), 0, state(0, 0, 0, 0.8), LIMITS, buf);
      checkLimits(buf);
      // Full yaw rate reached after wMax/alpha + alpha/yawJerk = 0.5 + 0.25 s.
      expect(buf.ws[8]).toBeCloseTo(sign * LIMITS.wMax, 9);
      expect(Math.sign(buf.thetas[buf.count - 1]!)).toBe(sign);
    }
  });

  it('integrates a constant arc accurately', () => {
    const buf = new CandidateBuffer(30, 0.1);
    generateTrajectory(new Float64Array([0.5, 0.5, H, 0.5, 0.5]), 0, state(0, 0, 0, 0.5, 0.5), LIMITS, buf);
    // Circle of radius 1 about (0, 1): after 3 s the heading is 1.5 rad.
    expect(buf.thetas[30]).toBeCloseTo(1.5, 9);
    expect(buf.xs[30]).toBeCloseTo(Math.sin(1.5), 3);
    expect(buf.ys[30]).toBeCloseTo(1 - Math.cos(1.5), 3);
  });

  it('uses packed parameters at an offset', () => {
    const buf = new CandidateBuffer(30, 0.1);
    const packed = new Float64Array(2 * PARAM_DIM);
    packed.set([0.7, 0, H, 0.7, 0], PARAM_DIM);
    generateTrajectory(packed, PARAM_DIM, state(0, 0, 0), LIMITS, buf);
    expect(buf.vs[30]).toBeCloseTo(0.7, 9);
  });
});
