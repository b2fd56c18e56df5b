import { describe, expect, it } from 'vitest';
import { lineOfSight, smoothCellPath } from '../../../src/planner/global/line-of-sight';
import { gridFromRows } from './helpers';

describe('lineOfSight', () => {
  const g = gridFromRows(['.....', '..#..', '.....', '.#...', '..#..']);
  const los = (c0: number, r0: number, c1: number, r1: number, cost?: Uint8Array, max = 0): boolean =>
    lineOfSight(g.width, g.height, g.blocked, cost, max, c0, r0, c1, r1);

  it('sees along free rows and is blocked by an obstacle on the segment', () => {
    expect(los(0, 0, 4, 0)).toBe(true);
    expect(los(0, 1, 4, 1)).toBe(false);
    expect(los(0, 0, 4, 2)).toBe(false); // passes through (2, 1)
  });

  it('does not squeeze through a diagonal gap between two obstacles', () => {
    // (1,3) and (2,4) are blocked; the segment (1,4)→(2,3) passes exactly through their shared corner.
    expect(los(1, 4, 2, 3)).toBe(false);
    expect(los(0, 2, 4, 2)).toBe(true);
  });

  it('treats cells costlier than the limit as blocked', () => {
    const cost = new Uint8Array(25);
    cost[0 * 5 + 2] = 100;
    expect(los(0, 0, 4, 0, cost, 50)).toBe(false);
    expect(los(0, 0, 4, 0, cost, 100)).toBe(true);
  });
});

describe('smoothCellPath', () => {
  it('keeps only the corner around an obstacle', () => {
    const g = gridFromRows(['.....', '.###.', '.....']);
    // Path (0,0)→(0,1)→(0,2)→(1,2)…(4,2): kept vertices should be start, a turning cell, goal.
    const cells = Int32Array.from([0, 5, 10, 11, 12, 13, 14]);
    const out = Array.from(smoothCellPath(g.width, g.height, g.blocked, undefined, cells));
    expect(out[0]).toBe(0);
    expect(out[out.length - 1]).toBe(14);
    expect(out.length).toBe(3);
    expect(out[1]).toBe(10);
  });

  it('does not cut through higher-cost cells than the path it replaces', () => {
    const g = gridFromRows(['.....', '.....', '.....']);
    const cost = new Uint8Array(15);
    cost[1 * 5 + 2] = 200;
    // An L path around the costly cell: (0,1)→(0,0)… no: along row 0 then down.
    const cells = Int32Array.from([5, 0, 1, 2, 3, 4, 9]);
    const out = Array.from(smoothCellPath(g.width, g.height, g.blocked, cost, cells));
    for (let i = 1; i < out.length; i++) {
      const a = out[i - 1]!;
      const b = out[i]!;
      expect(lineOfSight(5, 3, g.blocked, cost, 0, a % 5, Math.floor(a / 5), b % 5, Math.floor(b / 5))).toBe(true);
    }
  });
});
