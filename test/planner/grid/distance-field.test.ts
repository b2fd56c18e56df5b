import { describe, expect, it } from 'vitest';
import { DistanceField, squaredDistanceTransform } from '../../../src/planner/grid/distance-field';
import type { OccupancyGrid } from '../../../src/shared/grid';

/** Deterministic pseudo-random mask (LCG) so the test needs no Math.random. */
function mask(width: number, height: number, density: number, seed: number): Uint8Array {
  let s = seed >>> 0;
  const m = new Uint8Array(width * height);
  for (let i = 0; i < m.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    m[i] = s / 2 ** 32 < density ? 1 : 0;
  }
  return m;
}

function bruteForce(m: Uint8Array, width: number, height: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      let best = Number.POSITIVE_INFINITY;
      for (let rr = 0; rr < height; rr++) for (let cc = 0; cc < width; cc++) if (m[rr * width + cc]) best = Math.min(best, (r - rr) ** 2 + (c - cc) ** 2);
      out.push(best);
    }
  }
  return out;
}

describe('squaredDistanceTransform', () => {
  it('equals brute force on non-square grids of several densities', () => {
    for (const [w, h, d, seed] of [
      [17, 11, 0.05, 1],
      [9, 23, 0.3, 2],
      [30, 30, 0.01, 3],
    ] as const) {
      const m = mask(w, h, d, seed);
      expect(Array.from(squaredDistanceTransform(m, w, h))).toEqual(bruteForce(m, w, h));
    }
  });

  it('gives +Infinity everywhere when there is no obstacle', () => {
    expect(Array.from(squaredDistanceTransform(new Uint8Array(6), 3, 2))).toEqual(new Array(6).fill(Number.POSITIVE_INFINITY));
  });
});

describe('DistanceField', () => {
  const grid: OccupancyGrid = { width: 5, height: 4, resolution: 0.1, origin: { x: 1, y: -1 }, data: new Uint8Array(20) };
  grid.data[1 * 5 + 1] = 100; // obstacle at col 1, row 1
  grid.data[3 * 5 + 4] = 255; // unknown is not an obstacle by default

  it('answers in metres in the map frame', () => {
    const f = DistanceField.fromGrid(grid);
    expect(f.distanceAtCell(1, 1)).toBe(0);
    expect(f.distanceAtCell(4, 1)).toBeCloseTo(0.3, 6);
    expect(f.distanceAtCell(3, 3)).toBeCloseTo(Math.hypot(0.2, 0.2), 6);
    // (1.45, -0.75) is inside cell (4, 2): 3 cells right of and 1 above the obstacle.
    expect(f.distanceAt(1.45, -0.75)).toBeCloseTo(Math.hypot(0.3, 0.1), 6);
    expect(f.distanceAt(0.5, 0)).toBe(0); // off the map
  });

  it('can treat unknown cells as obstacles', () => {
    const f = DistanceField.fromGrid(grid, { unknownIsObstacle: true });
    expect(f.distanceAtCell(4, 3)).toBe(0);
    expect(f.distanceAtCell(4, 2)).toBeCloseTo(0.1, 6);
  });
});
