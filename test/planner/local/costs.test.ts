import { describe, expect, it } from 'vitest';
import { keepRightOf, LocalPlanner, PathCostToGo, predictConstantVelocity } from '../../../src/planner/local';
import { AnalyticField, box, corridor, person, plannerInput, state } from './fixtures';

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

describe('keepRightOf', () => {
  // Hallway along +x, 1.4 m wide (y −0.7 … 0.7), with a 0.8 m door in its right wall at x = 4 … 4.8.
  const hall = new AnalyticField([box(-2, 0.7, 12, 1), box(-2, -1, 4, -0.7), box(4.8, -1, 12, -0.7)]);
  const path = [
    { x: 0, y: 0 },
    { x: 10, y: 0 },
  ];

  it('gives an open hallway a right-hand lane, bounded by the clearance the robot keeps from the wall', () => {
    const lane = keepRightOf(path, hall, 0.4, 0.33);
    const at = (x: number) => lane.reduce((best, p) => (Math.abs(p.x - x) < Math.abs(best.x - x) ? p : best));
    // Moving right along +x is toward −y; the wall at −0.7 stops it at −0.7 + 0.33 = −0.37.
    expect(at(2).y).toBeCloseTo(-0.36, 1);
    expect(hall.distanceAt(at(2).x, at(2).y)).toBeGreaterThanOrEqual(0.33);
    // Beside the door the lane could go farther right, but the offset caps it at 0.4.
    expect(at(4.4).y).toBeGreaterThanOrEqual(-0.4 - 1e-9);
    // The goal keeps its place, and the lane returns to it gradually (≤ 0.5 m per metre).
    expect(lane[lane.length - 1]).toEqual({ x: 10, y: 0 });
    for (let i = 1; i < lane.length; i++) {
      const run = Math.hypot(lane[i]!.x - lane[i - 1]!.x, 1e-9);
      expect(Math.abs(lane[i]!.y - lane[i - 1]!.y)).toBeLessThanOrEqual(0.5 * run + 0.021);
    }
  });

  it('keeps the line of a gap too narrow for a lane, and is off with a zero offset', () => {
    // A 0.8 m gap (y −0.4 … 0.4) at x = 5 … 5.3: at the gap the shift is 0.4 − 0.33 = 0.07 at most.
    const gap = new AnalyticField([...corridor(3), box(5, 0.4, 5.3, 1.5), box(5, -1.5, 5.3, -0.4)]);
    const lane = keepRightOf(path, gap, 0.4, 0.33);
    for (const p of lane) if (p.x >= 5 && p.x <= 5.3) expect(p.y).toBeGreaterThanOrEqual(-0.08);
    expect(keepRightOf(path, gap, 0, 0.33)).toEqual(path);
  });
});

describe('PersonalSpaceTerm', () => {
  // A person standing 1.2 m ahead on the robot's line; the robot creeps toward them.
  const standing = person(1, 0, [{ probability: 1, x: 1.2, y: 0, vx: 0, vy: 0 }]);
  const term = (params: { v1: number; w1: number; tSwitch: number; v2: number; w2: number }, people = [standing]) =>
    new LocalPlanner().evaluateCandidate(plannerInput({ start: state(0, 0, 0), people }), params)!.terms['personalSpace']!;

  it('grows as the robot closes in on someone, even slowly, and is zero with nobody near', () => {
    const stay = term({ v1: 0, w1: 0, tSwitch: 3, v2: 0, w2: 0 });
    const creep = term({ v1: 0.15, w1: 0, tSwitch: 3, v2: 0.15, w2: 0 });
    const closer = term({ v1: 0.3, w1: 0, tSwitch: 3, v2: 0.3, w2: 0 });
    expect(stay).toBe(0); // 0.95 m from the body: outside the 0.4 m space at rest
    expect(creep).toBeGreaterThan(stay);
    expect(closer).toBeGreaterThan(creep);
    expect(term({ v1: 0.3, w1: 0, tSwitch: 3, v2: 0.3, w2: 0 }, [])).toBe(0);
  });

  it('asks for more room the faster the robot passes, and measures the real footprint side-on', () => {
    // Someone walking the other way 0.75 m to the left of the robot's line.
    const passing = person(2, 0, [{ probability: 1, x: 3, y: 0.75, vx: -1, vy: 0 }]);
    const slow = term({ v1: 0.3, w1: 0, tSwitch: 3, v2: 0.3, w2: 0 }, [passing]);
    const fast = term({ v1: 1, w1: 0, tSwitch: 3, v2: 1, w2: 0 }, [passing]);
    expect(fast).toBeGreaterThan(slow);
    // Side-on, 0.75 − 0.2 (half width) − 0.22 (body) = 0.33 m: inside the space only when
    // moving (0.4 + 0.3·v); a circumscribed circle (0.32 m) would leave 0.21 m.
    expect(slow).toBeGreaterThan(0);
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
