import { describe, expect, it } from 'vitest';
import { createGlobalPlanner, planningGridFromCosts, planningGridFromOccupancy } from '../../../src/planner/global/planner';
import { Costmap } from '../../../src/planner/grid/costmap';
import type { OccupancyGrid } from '../../../src/shared/grid';

/** 6 m × 4 m at 0.1 m with origin (−1, −2), a wall at x ∈ [1.0, 1.1) for y < 1.0 (rows 0..29). */
function wallMap(): OccupancyGrid {
  const width = 60;
  const height = 40;
  const data = new Uint8Array(width * height);
  for (let r = 0; r < 30; r++) data[r * width + 20] = 100;
  return { width, height, resolution: 0.1, origin: { x: -1, y: -2 }, data };
}

describe('GlobalPlanner', () => {
  it('plans in metres in the map frame with an any-angle guidance path', () => {
    const planner = createGlobalPlanner(planningGridFromOccupancy(wallMap()));
    expect(planner.algorithm).toBe('jps');
    const r = planner.plan({ start: { x: -0.5, y: -1.5 }, goal: { x: 2.5, y: -1.5 } });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.path[0]!.x).toBeCloseTo(-0.45, 9);
    expect(r.path[0]!.y).toBeCloseTo(-1.45, 9);
    expect(r.path[r.path.length - 1]!.x).toBeCloseTo(2.55, 9);
    // It has to go over the wall's top end at y ≈ 1.0: two long legs, a handful of vertices.
    expect(r.path.length).toBeLessThanOrEqual(5);
    expect(Math.max(...r.path.map((p) => p.y))).toBeGreaterThan(0.9);
    expect(r.lengthM).toBeLessThanOrEqual(r.cost + 1e-9);
    expect(r.lengthM).toBeGreaterThan(2 * Math.hypot(1.5, 2.5) - 0.2);
  });

  it('explains start and goal in obstacles or off the map, and unreachable goals', () => {
    const map = wallMap();
    for (let r = 30; r < 40; r++) map.data[r * 60 + 20] = 100; // close the wall
    const planner = createGlobalPlanner(planningGridFromOccupancy(map));
    const inWall = planner.plan({ start: { x: 1.05, y: 0 }, goal: { x: 2, y: 0 } });
    expect(inWall).toMatchObject({ ok: false, reason: 'start-occupied' });
    expect(inWall.ok === false && inWall.message).toContain('start is inside an obstacle');
    expect(planner.plan({ start: { x: 0, y: 0 }, goal: { x: 50, y: 0 } })).toMatchObject({ ok: false, reason: 'goal-occupied' });
    const cut = planner.plan({ start: { x: 0, y: 0 }, goal: { x: 2, y: 0 } });
    expect(cut).toMatchObject({ ok: false, reason: 'no-path' });
    expect(cut.ok === false && cut.message).toContain('no collision-free path');
  });

  it('passes cancel and budget through the plan request', () => {
    const planner = createGlobalPlanner(planningGridFromOccupancy(wallMap()), { algorithm: 'astar' });
    expect(planner.plan({ start: { x: -0.5, y: -1.5 }, goal: { x: 2.5, y: -1.5 }, cancel: { cancelled: true } })).toMatchObject({ ok: false, reason: 'cancelled' });
  });

  it('on an inflated costmap, blocks the inscribed zone and keeps clear of walls when cost-aware', () => {
    const cm = new Costmap(wallMap(), { inflation: { inscribedRadiusM: 0.2, circumscribedRadiusM: 0.3, marginM: 0.3, decayPerM: 3 } });
    const grid = planningGridFromCosts(cm, cm.costs());
    // Next to the wall is inside the inscribed radius: start-occupied.
    const tight = createGlobalPlanner(grid);
    expect(tight.plan({ start: { x: 0.95, y: 0 }, goal: { x: 2.5, y: 0 } })).toMatchObject({ ok: false, reason: 'start-occupied' });
    const shortest = tight.plan({ start: { x: -0.5, y: -1.5 }, goal: { x: 2.5, y: -1.5 } });
    const aware = createGlobalPlanner(grid, { costWeight: 4 }).plan({ start: { x: -0.5, y: -1.5 }, goal: { x: 2.5, y: -1.5 } });
    expect(shortest.ok && aware.ok).toBe(true);
    if (!shortest.ok || !aware.ok) return;
    const clearance = (cells: Int32Array): number => Math.min(...Array.from(cells, (c) => cm.distanceField().distances[c]!));
    expect(clearance(aware.cells)).toBeGreaterThan(clearance(shortest.cells));
    expect(() => createGlobalPlanner(grid, { algorithm: 'jps', costWeight: 1 })).toThrow(RangeError);
  });
});
