import { describe, expect, it } from 'vitest';
import { scorePeople } from '../../../src/planner/perception/scoring';
import { assignMinCost } from '../../../src/planner/perception/assignment';

describe('scorePeople', () => {
  it('counts matches, false positives, misses, switches and position error by hand', () => {
    const score = scorePeople([
      // Frame 1: both found (errors 0.1 and 0.2), one clutter estimate.
      { truth: [{ id: 1, x: 0, y: 0 }, { id: 2, x: 5, y: 0 }], estimates: [{ id: 10, x: 0.1, y: 0 }, { id: 20, x: 5, y: 0.2 }, { id: 30, x: 9, y: 9 }] },
      // Frame 2: person 1 now matched by estimate 20 (identity switch); person 2 missed.
      { truth: [{ id: 1, x: 0, y: 0 }, { id: 2, x: 5, y: 0 }], estimates: [{ id: 20, x: 0, y: 0.3 }] },
    ]);
    expect(score.truePositives).toBe(3);
    expect(score.falsePositives).toBe(1);
    expect(score.misses).toBe(1);
    expect(score.precision).toBeCloseTo(3 / 4, 12);
    expect(score.recall).toBeCloseTo(3 / 4, 12);
    expect(score.identitySwitches).toBe(1);
    expect(score.meanPositionError).toBeCloseTo((0.1 + 0.2 + 0.3) / 3, 12);
  });

  it('filters by range from the robot and by match radius', () => {
    const score = scorePeople(
      [{ robot: { x: 0, y: 0 }, truth: [{ x: 1, y: 0 }, { x: 6, y: 0 }], estimates: [{ x: 1.6, y: 0 }, { x: 6, y: 0 }] }],
      { maxRange: 4, matchRadius: 0.5 },
    );
    expect(score).toMatchObject({ truePositives: 0, falsePositives: 1, misses: 1 });
  });
});

describe('assignMinCost', () => {
  it('finds the global optimum where greedy would not', () => {
    // Greedy takes (0,0)=1 then (1,1)=10: total 11. Optimum: (0,1)=2 + (1,0)=3 = 5.
    expect(assignMinCost([[1, 2], [3, 10]], 2)).toEqual([1, 0]);
  });
  it('never assigns forbidden pairs and handles rectangles', () => {
    expect(assignMinCost([[Infinity, 1, 5]], 3)).toEqual([1]);
    expect(assignMinCost([[Infinity], [Infinity]], 1)).toEqual([-1, -1]);
    expect(assignMinCost([[4], [1]], 1)).toEqual([-1, 0]);
    expect(assignMinCost([], 3)).toEqual([]);
  });
});

describe('scorePeople with ignored (not visible) truth', () => {
  it('neither rewards nor punishes estimates on an ignored person, and does not count them missed', () => {
    const score = scorePeople([
      { truth: [{ id: 1, x: 0, y: 0 }, { id: 2, x: 5, y: 0, ignore: true }], estimates: [{ id: 10, x: 0.1, y: 0 }, { id: 11, x: 5.1, y: 0 }] },
      { truth: [{ id: 2, x: 5, y: 0, ignore: true }], estimates: [] },
    ]);
    expect(score.truePositives).toBe(1);
    expect(score.falsePositives).toBe(0);
    expect(score.misses).toBe(0);
  });
});
