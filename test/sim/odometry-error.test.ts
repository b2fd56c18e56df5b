/**
 * The encoder model on its own, fed true steps by hand: perfect encoders integrate the truth;
 * each systematic term does exactly what its doc says; the random walk has the configured
 * spread whatever the step length (many seeds: the model is cheap); slip adds distance while
 * speeding up, takes it away braking, and adds rotation turning in place only; the same seed
 * gives the same account.
 */
import { describe, expect, it } from 'vitest';
import type { Pose2D } from '../../src/shared/geometry';
import { integrateArc } from '../../src/sim/arc';
import { OdometryErrorModel, odometryErrorFrom, ZERO_ODOMETRY_ERROR, type OdometryErrorSpec } from '../../src/sim/odometry-error';
import { SimRandom } from '../../src/sim/random';

const WHEEL_BASE = 0.33;

function model(spec: OdometryErrorSpec, seed = 1): OdometryErrorModel {
  return new OdometryErrorModel(odometryErrorFrom(spec), WHEEL_BASE, SimRandom.stream(seed, 'odometry'));
}

/** Drives `m` at constant (v, w) for `seconds` in steps of h, with no acceleration; returns the true pose from the origin. */
function cruise(m: OdometryErrorModel, v: number, w: number, seconds: number, h = 0.01, start: Pose2D = { x: 0, y: 0, theta: 0 }): Pose2D {
  let truth = start;
  const n = Math.round(seconds / h);
  for (let k = 0; k < n; k++) {
    truth = integrateArc(truth, v, w, h);
    m.advance({ ds: v * h, dTheta: w * h, v, w, accel: 0, h });
  }
  return truth;
}

/** Sample standard deviation. */
function std(xs: number[]): number {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
}

describe('OdometryErrorModel systematic terms', () => {
  it('with every term zero, the account is the truth, from the origin', () => {
    const m = new OdometryErrorModel(ZERO_ODOMETRY_ERROR, WHEEL_BASE, SimRandom.stream(1, 'odometry'));
    expect(m.pose).toEqual({ x: 0, y: 0, theta: 0 });
    const truth = cruise(m, 0.4, 0.3, 7);
    expect(m.pose.x).toBeCloseTo(truth.x, 12);
    expect(m.pose.y).toBeCloseTo(truth.y, 12);
    expect(m.pose.theta).toBeCloseTo(truth.theta, 12);
    expect(m.v).toBe(0.4);
    expect(m.w).toBe(0.3);
  });

  it('scales distance and rotation, and bends a straight line by the curvature', () => {
    const straight = model({ systematic: { distanceScale: 0.015 } });
    cruise(straight, 0.5, 0, 10); // 5 m
    expect(straight.pose.x).toBeCloseTo(5 * 1.015, 9);
    expect(straight.v).toBeCloseTo(0.5 * 1.015, 12);

    const spin = model({ systematic: { rotationScale: -0.02 } });
    cruise(spin, 0, 1, 1.5); // 1.5 rad in place
    expect(spin.pose.theta).toBeCloseTo(1.5 * 0.98, 9);
    expect(Math.hypot(spin.pose.x, spin.pose.y)).toBeLessThan(1e-12);

    const bent = model({ systematic: { curvature: 0.004 } });
    cruise(bent, 0.5, 0, 10); // truly straight 5 m
    expect(bent.pose.theta).toBeCloseTo(0.004 * 5, 9);
    // A circular arc of curvature c: lateral offset ≈ c·d²/2 = 5 cm.
    expect(bent.pose.y).toBeCloseTo((0.004 * 25) / 2, 3);
    // Reversing bends it back.
    cruise(bent, -0.5, 0, 10);
    expect(bent.pose.theta).toBeCloseTo(0, 9);
  });
});

describe('OdometryErrorModel random walk', () => {
  const SEEDS = Array.from({ length: 400 }, (_, k) => k + 1);

  it('distance and heading spread as σ·√(distance) over many seeds, whatever the step', () => {
    const spec: OdometryErrorSpec = { random: { distancePerSqrtM: 0.02, headingPerSqrtM: 0.01 } };
    for (const h of [0.01, 0.05]) {
      const along: number[] = [];
      const heading: number[] = [];
      for (const seed of SEEDS) {
        const m = model(spec, seed);
        cruise(m, 1, 0, 10, h); // 10 m
        along.push(m.pose.x);
        heading.push(m.pose.theta);
      }
      // 400 samples: the sample σ is within ±10 % of the true one at 99.9 %.
      expect(std(along) / (0.02 * Math.sqrt(10))).toBeGreaterThan(0.88);
      expect(std(along) / (0.02 * Math.sqrt(10))).toBeLessThan(1.12);
      expect(std(heading) / (0.01 * Math.sqrt(10))).toBeGreaterThan(0.88);
      expect(std(heading) / (0.01 * Math.sqrt(10))).toBeLessThan(1.12);
    }
  });

  it('turning in place spreads the heading as σ·√(rotation), and the distance by the cross term', () => {
    const spec: OdometryErrorSpec = { random: { headingPerSqrtRad: 0.02, distancePerSqrtRad: 0.003 } };
    const heading: number[] = [];
    const dist: number[] = [];
    for (const seed of SEEDS) {
      const m = model(spec, seed);
      cruise(m, 0, 1, 2 * Math.PI); // one full turn
      heading.push(Math.atan2(Math.sin(m.pose.theta), Math.cos(m.pose.theta)));
      // The distance error moves the point along the way; its spread sits in the position.
      dist.push(Math.hypot(m.pose.x, m.pose.y));
    }
    expect(std(heading) / (0.02 * Math.sqrt(2 * Math.PI))).toBeGreaterThan(0.88);
    expect(std(heading) / (0.02 * Math.sqrt(2 * Math.PI))).toBeLessThan(1.12);
    // The distance errors along a circle of headings partly cancel: a nonzero, bounded spread.
    expect(Math.max(...dist)).toBeGreaterThan(0);
    expect(Math.max(...dist)).toBeLessThan(5 * 0.003 * Math.sqrt(2 * Math.PI));
  });

  it('is deterministic from the seed; another seed differs', () => {
    const spec: OdometryErrorSpec = { random: { distancePerSqrtM: 0.02, headingPerSqrtRad: 0.02 } };
    const run = (seed: number) => {
      const m = model(spec, seed);
      cruise(m, 0.5, 0.4, 5);
      return m.pose;
    };
    expect(run(5)).toEqual(run(5));
    expect(run(6)).not.toEqual(run(5));
  });
});

describe('OdometryErrorModel wheel slip', () => {
  const slip = { slip: { accelThreshold: 0.5, ratioPerAccel: 0.1 } };

  it('counts more while speeding up hard, less while braking hard, nothing extra below the threshold', () => {
    const h = 0.01;
    const ramp = (m: OdometryErrorModel, v0: number, a: number, seconds: number): number => {
      let v = v0;
      let truth = 0;
      for (let k = 0; k < Math.round(seconds / h); k++) {
        const next = v + a * h;
        const ds = ((v + next) / 2) * h;
        truth += ds;
        v = next;
        m.advance({ ds, dTheta: 0, v, w: 0, accel: a, h });
      }
      return truth;
    };
    // 1.5 m/s²: 1 m/s² above the threshold, ratio 0.1.
    const up = model(slip);
    const travelled = ramp(up, 0, 1.5, 0.6);
    expect(up.pose.x / travelled).toBeCloseTo(1.1, 9);
    expect(up.v).toBeCloseTo(0.9 * 1.1, 9);
    const down = model(slip);
    const braked = ramp(down, 0.9, -1.5, 0.5);
    expect(down.pose.x / braked).toBeCloseTo(0.9, 9);
    const gentle = model(slip);
    expect(gentle.pose.x).toBe(0);
    const soft = ramp(gentle, 0, 0.4, 1);
    expect(gentle.pose.x).toBeCloseTo(soft, 12);
  });

  it('adds a fraction of a turn in place, less on a curve, none once the inner wheel stops', () => {
    const spec = { slip: { turnInPlace: 0.05 } };
    const spin = model(spec);
    cruise(spin, 0, 1, 2);
    expect(spin.pose.theta).toBeCloseTo(2 * 1.05, 9);
    // Inner wheel at half the outer's speed backwards: v = |w|·b/2 · (1/3) → pivot 2/3.
    const curve = model(spec);
    cruise(curve, (1 * WHEEL_BASE) / 2 / 3, 1, 2);
    expect(curve.pose.theta).toBeCloseTo(2 * (1 + 0.05 * (2 / 3)), 9);
    const arc = model(spec);
    cruise(arc, (1 * WHEEL_BASE) / 2, 1, 2);
    expect(arc.pose.theta).toBeCloseTo(2, 9);
  });

  it('varies each episode by the configured factor, deterministically', () => {
    const spec = { slip: { turnInPlace: 0.05, variation: 0.5 } };
    const extra = (seed: number) => {
      const m = model(spec, seed);
      cruise(m, 0, 1, 1);
      return m.pose.theta - 1;
    };
    const episodes = Array.from({ length: 200 }, (_, k) => extra(k + 1) / 0.05);
    expect(extra(3)).toBe(extra(3));
    expect(std(episodes)).toBeGreaterThan(0.4);
    expect(std(episodes)).toBeLessThan(0.6);
    expect(Math.min(...episodes)).toBeGreaterThanOrEqual(0);
  });
});
