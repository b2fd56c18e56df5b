import { describe, expect, it } from 'vitest';
import { NpyFormatError, parseNpyInt64Matrix } from '../../../src/main/barn/npy';
import { officialScore, optimalTime, referenceCellToWorld, referencePathLength } from '../../../src/main/barn/score';
import { BARN_GOAL, BARN_START } from '../../../src/main/barn/world';
import { makeNpy } from './npy-fixture';

describe('parseNpyInt64Matrix', () => {
  it('reads a hand-made version 1.0 int64 file', () => {
    const m = parseNpyInt64Matrix(makeNpy([[26, 0], [25, 1], [-3, 29]]));
    expect(m).toEqual({ rows: 3, cols: 2, data: [26, 0, 25, 1, -3, 29] });
  });

  it('reads version 2.0 headers and Fortran order', () => {
    // Column-major on disk: 1, 2, 3 | 10, 20, 30 is the matrix [[1,10],[2,20],[3,30]].
    const bytes = makeNpy([[1, 2, 3, 10, 20, 30]], { version: 2, fortranOrder: true, shape: [3, 2] });
    expect(parseNpyInt64Matrix(bytes)).toEqual({ rows: 3, cols: 2, data: [1, 10, 2, 20, 3, 30] });
  });

  it('reads values beyond 32 bits and an empty array', () => {
    expect(parseNpyInt64Matrix(makeNpy([[2 ** 40, -(2 ** 40)]])).data).toEqual([2 ** 40, -(2 ** 40)]);
    expect(parseNpyInt64Matrix(makeNpy([], { shape: [0, 2] }))).toEqual({ rows: 0, cols: 2, data: [] });
  });

  it('refuses what it cannot read, saying why', () => {
    expect(() => parseNpyInt64Matrix(new TextEncoder().encode('world,x_m,y_m\n'))).toThrow(/not a \.npy file/);
    expect(() => parseNpyInt64Matrix(makeNpy([[1, 2]], { descr: '<f8' }))).toThrow(/expected little-endian int64.*'<f8'/);
    expect(() => parseNpyInt64Matrix(makeNpy([[1, 2]], { descr: '>i8' }))).toThrow(NpyFormatError);
    expect(() => parseNpyInt64Matrix(makeNpy([[1, 2, 3]], { shape: [3] }))).toThrow(/2-D array, found shape \(3\)/);
    expect(() => parseNpyInt64Matrix(makeNpy([[1, 2]], { version: 4 }))).toThrow(/unsupported \.npy version 4/);
    const full = makeNpy([[1, 2], [3, 4]]);
    expect(() => parseNpyInt64Matrix(full.subarray(0, full.length - 4))).toThrow(/data too short/);
    expect(() => parseNpyInt64Matrix(full.subarray(0, 20))).toThrow(/ends inside the header/);
  });
});

describe('official metric', () => {
  it('converts reference cells as the official run.py does', () => {
    expect(referenceCellToWorld(0, 0)).toEqual({ x: -4.575, y: 5.075 });
    const p = referenceCellToWorld(30, 30);
    expect(p.x).toBeCloseTo(-0.075, 12);
    expect(p.y).toBeCloseTo(9.575, 12);
  });

  it('measures the reference path from the start, through the cells, to the goal', () => {
    // Cells (15, 0) and (15, 10) are (−2.325, 5.075) and (−2.325, 6.575).
    const a = { x: -2.325, y: 5.075 };
    const b = { x: -2.325, y: 6.575 };
    const expected = Math.hypot(a.x - BARN_START.x, a.y - BARN_START.y) + 1.5 + Math.hypot(BARN_GOAL.x - b.x, BARN_GOAL.y - b.y);
    const length = referencePathLength([[15, 0], [15, 10]]);
    expect(length).toBeCloseTo(expected, 12);
    expect(length).toBeCloseTo(2.0763549 + 1.5 + 6.4254377, 6);
    expect(optimalTime(length)).toBeCloseTo(length / 2, 12);
    // A path with no cells is the straight 10 m from start to goal: OT = 5 s.
    expect(optimalTime(referencePathLength([]))).toBeCloseTo(5, 12);
  });

  it('scores success × OT / clip(AT, 2·OT, 8·OT)', () => {
    const ot = 5;
    expect(officialScore(true, 7, ot)).toBe(0.5); // faster than 2·OT: clipped up to 2·OT
    expect(officialScore(true, 10, ot)).toBe(0.5); // exactly 2·OT
    expect(officialScore(true, 20, ot)).toBe(0.25); // in between: OT / AT
    expect(officialScore(true, 40, ot)).toBe(0.125); // exactly 8·OT
    expect(officialScore(true, 90, ot)).toBe(0.125); // slower than 8·OT: clipped down to 8·OT
    expect(officialScore(false, 20, ot)).toBe(0); // failures score nothing
    expect(officialScore(true, Number.NaN, ot)).toBe(0);
  });
});
