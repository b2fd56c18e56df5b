import { describe, expect, it } from 'vitest';
import { PathCostToGo, predictConstantVelocity } from '../../../src/planner/local';

describe('PathCostToGo', () => {
  const field = new PathCostToGo();
  field.build(
    [
      { x: 0, y: 0 },
      { x: 4, y: 0 },
    ],
    { x: 4, y: 0 },
    0,
    0,
    3,
    1.15,
  );

  it('is the remaining path length on the path', () => {
    // Within interpolation error of the grid (the field has a kink along the path).
    expect(Math.abs(field.at(0, 0) - 4)).toBeLessThan(0.03);
    expect(Math.abs(field.at(1.5, 0) - 2.5)).toBeLessThan(0.03);
  });

  it('charges little for stepping aside and more beyond the goal', () => {
    const aside = field.at(1.5, 0.5) - field.at(1.5, 0);
    expect(aside).toBeGreaterThan(0);
    expect(aside).toBeLessThan(0.5); // cheaper than the sideways distance itself
    // Overshooting the goal costs.
    const f2 = new PathCostToGo();
    f2.build([{ x: 0, y: 0 }, { x: 1, y: 0 }], { x: 1, y: 0 }, 0.5, 0, 2, 1.15);
    expect(f2.at(1.5, 0)).toBeGreaterThan(f2.at(1, 0));
    expect(f2.at(1, 0)).toBeLessThan(0.03);
  });

  it('is continuous (bilinear) between cells', () => {
    let worst = 0;
    for (let x = -1; x < 2; x += 0.001) worst = Math.max(worst, Math.abs(field.at(x + 0.001, 0.3) - field.at(x, 0.3)));
    expect(worst).toBeLessThan(0.01);
  });

  it('follows a bend of the path', () => {
    const f = new PathCostToGo();
    f.build([{ x: 0, y: 0 }, { x: 2, y: 0 }, { x: 2, y: 2 }], { x: 2, y: 2 }, 1, 1, 2.5, 1.15);
    expect(f.at(2, 1)).toBeCloseTo(1, 1);
    expect(f.at(1, 0)).toBeGreaterThan(f.at(2, 0.5));
  });
});

describe('predictConstantVelocity', () => {
  it('moves the track at its velocity from when it was last seen, with growing σ', () => {
    const p = predictConstantVelocity(
      { id: 4, x: 1, y: 2, vx: 0.5, vy: -0.2, positionSigma: 0.1, lastSeen: 9.9, hits: 10 },
      10,
      { horizon: 2, dt: 0.5, sigmaGrowth: 0.2 },
    );
    expect(p.trackId).toBe(4);
    expect(p.t0).toBe(10);
    expect(p.futures).toHaveLength(1);
    const f = p.futures[0]!;
    expect(f.probability).toBe(1);
    expect(f.xs.length).toBe(4);
    // Point 0 is at t0 + dt = 10.5, i.e. 0.6 s after the last detection.
    expect(f.xs[0]).toBeCloseTo(1 + 0.5 * 0.6, 12);
    expect(f.ys[0]).toBeCloseTo(2 - 0.2 * 0.6, 12);
    expect(f.sigmas[3]).toBeCloseTo(0.1 + 0.2 * 2.1, 12);
    for (let k = 1; k < 4; k++) expect(f.sigmas[k]!).toBeGreaterThan(f.sigmas[k - 1]!);
  });
});
