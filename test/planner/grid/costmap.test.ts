import { describe, expect, it } from 'vitest';
import {
  COST_FREE,
  COST_INSCRIBED,
  COST_LETHAL,
  COST_UNKNOWN,
  Costmap,
  costForDistance,
  inflationForFootprint,
  windowFromPoints,
  type InflationConfig,
} from '../../../src/planner/grid/costmap';
import type { OccupancyGrid } from '../../../src/shared/grid';

const INFL: InflationConfig = { inscribedRadiusM: 0.2, circumscribedRadiusM: 0.3, marginM: 0.1, decayPerM: 5 };

function room(): OccupancyGrid {
  // 10 m × 8 m at 0.1 m, origin (−2, −1); one occupied cell at col 50, row 40 and an unknown strip.
  const width = 100;
  const height = 80;
  const data = new Uint8Array(width * height);
  data[40 * width + 50] = 100;
  for (let r = 0; r < height; r++) data[r * width + 99] = 255;
  return { width, height, resolution: 0.1, origin: { x: -2, y: -1 }, data };
}

describe('inflation', () => {
  it('derives radii from a rectangular footprint', () => {
    const c = inflationForFootprint({ length: 0.6, width: 0.4, centerOffsetX: 0 });
    expect(c.inscribedRadiusM).toBeCloseTo(0.2);
    expect(c.circumscribedRadiusM).toBeCloseTo(Math.hypot(0.3, 0.2));
  });

  it('is lethal at the obstacle, inscribed inside the inscribed radius, decaying out to circumscribed + margin, then free', () => {
    expect(costForDistance(0, INFL)).toBe(COST_LETHAL);
    expect(costForDistance(0.2, INFL)).toBe(COST_INSCRIBED);
    const near = costForDistance(0.25, INFL);
    const far = costForDistance(0.35, INFL);
    expect(near).toBeLessThan(COST_INSCRIBED);
    expect(far).toBeLessThan(near);
    expect(far).toBeGreaterThan(0);
    expect(costForDistance(0.41, INFL)).toBe(COST_FREE);
  });

  it('inflates the static map through the distance field', () => {
    const cm = new Costmap(room(), { inflation: INFL });
    const w = cm.width;
    const cost = cm.costs();
    expect(cost[40 * w + 50]).toBe(COST_LETHAL);
    expect(cost[40 * w + 52]).toBe(COST_INSCRIBED); // 0.2 m
    expect(cost[40 * w + 53]).toBe(costForDistance(0.3, INFL));
    expect(cost[40 * w + 55]).toBe(COST_FREE); // 0.5 m
    expect(cost[10 * w + 99]).toBe(COST_UNKNOWN);
    // map-frame lookup: cell (52, 40) centre is x = −2 + 5.25, y = −1 + 4.05
    expect(cm.costAt(3.25, 3.05)).toBe(COST_INSCRIBED);
    expect(cm.costAt(100, 0)).toBe(COST_UNKNOWN);
  });
});

describe('Costmap windows and live obstacles', () => {
  it('a window equals the whole-map costs over the same cells, including inflation from just outside it', () => {
    const cm = new Costmap(room(), { inflation: INFL });
    // Window whose left edge is 2 cells to the right of the obstacle: inflation must still reach in.
    const win = cm.window({ x: -2 + 6.2, y: -1 + 4.05 }, 2);
    expect(win.width).toBe(20);
    const full = cm.costs();
    const col0 = Math.round((win.origin.x - cm.origin.x) / 0.1);
    const row0 = Math.round((win.origin.y - cm.origin.y) / 0.1);
    expect(col0).toBe(52);
    let nonZero = 0;
    for (let r = 0; r < win.height; r++) {
      for (let c = 0; c < win.width; c++) {
        expect(win.cost[r * win.width + c]).toBe(full[(row0 + r) * cm.width + col0 + c]);
        if (win.cost[r * win.width + c]! > 0) nonZero++;
      }
    }
    expect(nonZero).toBeGreaterThan(0);
    expect(win.distance.distanceAtCell(0, 40 - row0)).toBeCloseTo(0.2, 5);
  });

  it('local and reactive windows have the configured sizes and mark off-map cells unknown', () => {
    const cm = new Costmap(room(), { inflation: INFL, localWindowM: 6, reactiveWindowM: 2 });
    expect(cm.localWindow({ x: 0, y: 0 }).width).toBe(60);
    const corner = cm.reactiveWindow({ x: -2, y: -1 });
    expect(corner.width).toBe(20);
    expect(corner.cost[0]).toBe(COST_UNKNOWN);
    expect(corner.cost[19 * 20 + 19]).toBe(COST_FREE);
  });

  it('scan hits raise costs; later beams through them clear them again', () => {
    const cm = new Costmap(room(), { inflation: INFL, obstacles: { markRangeM: 3, clearRangeM: 4 } });
    const sensor = { x: 0, y: 0 };
    cm.obstacles.integrateScan(sensor, [{ x: 1.05, y: 0.05 }]);
    expect(cm.costAt(1.05, 0.05)).toBe(COST_LETHAL);
    expect(cm.costAt(0.85, 0.05)).toBe(COST_INSCRIBED);
    // The obstacle moved away: a beam ending farther along the same line clears the old hit.
    cm.obstacles.integrateScan(sensor, [{ x: 2.05, y: 0.05 }]);
    expect(cm.costAt(1.05, 0.05)).toBe(COST_FREE);
    expect(cm.costAt(2.05, 0.05)).toBe(COST_LETHAL);
    // Too far to mark, and a no-return beam only clears.
    cm.obstacles.integrateScan(sensor, [{ x: 0.05, y: 3.55 }, { x: 2.55, y: 0.05, hit: false }]);
    expect(cm.costAt(0.05, 3.55)).toBe(COST_FREE);
    expect(cm.costAt(2.05, 0.05)).toBe(COST_FREE);
    // The static map is never cleared by beams.
    cm.obstacles.integrateScan({ x: 2.05, y: 3.05 }, [{ x: 3.95, y: 3.05, hit: false }]);
    expect(cm.costAt(3.05, 3.05)).toBe(COST_LETHAL);
  });

  it('builds a reactive window from scan points alone', () => {
    const win = windowFromPoints({ x: 10, y: 10 }, [{ x: 10.55, y: 10.05 }, { x: 50, y: 50 }], 2, 0.05, INFL);
    expect(win.width).toBe(40);
    expect(win.origin).toEqual({ x: 9, y: 9 });
    expect(win.distance.distanceAt(10.55, 10.05)).toBe(0);
    expect(win.distance.distanceAt(10.05, 10.05)).toBeCloseTo(0.5, 5);
    expect(win.cost[21 * 40 + 31]).toBe(COST_LETHAL);
  });
});
