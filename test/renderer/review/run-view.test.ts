/** Review helper: the box the review fits for a run, from its recorded extent. */
import { describe, expect, it } from 'vitest';
import { padExtent } from '../../../src/renderer/review/run-view';

describe('run extent, padded', () => {
  it('adds a margin to every side', () => {
    const e = padExtent({ minX: 1, minY: 4, maxX: 10, maxY: 4.5 })!;
    // x: 1…10 (9 m) → margin max(1, 0.12 · 9) = 1.08; y: 4…4.5 grows to the 4 m minimum, 2.25…6.25.
    expect(e.minX).toBeCloseTo(1 - 1.08, 6);
    expect(e.maxX).toBeCloseTo(10 + 1.08, 6);
    expect(e.minY).toBeCloseTo(2.25 - 1.08, 6);
    expect(e.maxY).toBeCloseTo(6.25 + 1.08, 6);
  });

  it('is at least the minimum size around a robot that did not move', () => {
    const e = padExtent({ minX: 2, minY: 3, maxX: 2, maxY: 3 }, { minSizeM: 4, minMarginM: 1 })!;
    expect(e).toEqual({ minX: -1, minY: 0, maxX: 5, maxY: 6 });
  });

  it('is null for a run without poses or goals, or a damaged box', () => {
    expect(padExtent(null)).toBeNull();
    expect(padExtent({ minX: Number.NaN, minY: 0, maxX: 1, maxY: 1 })).toBeNull();
  });
});
