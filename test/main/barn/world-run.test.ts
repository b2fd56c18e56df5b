import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BARN_DATA } from '../../../src/main/cli/commands/barn';
import { loadBarnWorlds, loadReference } from '../../../src/main/barn/data';
import { runBarnWorld } from '../../../src/main/barn/run-world';
import { BARN_START, barnPlanningGrid, createBarnSim } from '../../../src/main/barn/world';

describe('BARN world setup', () => {
  it('gives the planner an all-free grid over the BARN area and the simulator the cylinders', () => {
    const grid = barnPlanningGrid(0.05);
    expect([grid.width, grid.height, grid.resolution]).toEqual([90, 276, 0.05]);
    expect(grid.origin).toEqual({ x: -4.5, y: 0 });
    expect(grid.data.every((v) => v === 0)).toBe(true);
    const sim = createBarnSim([{ x: -2.25, y: 6 }], 1);
    expect(sim.world.circles).toEqual([{ x: -2.25, y: 6, radius: 0.075 }]);
    expect(sim.groundTruth().robotPose).toEqual(BARN_START);
    expect(sim.params.maxLinearVelocity).toBe(2);
    expect([sim.params.footprintLength, sim.params.footprintWidth]).toEqual([0.508, 0.43]);
  });
});

// World 94 has the lowest difficulty of the shared set by both simple measures: the
// shortest reference path (10.05 m, nearly the straight 10 m) and the fewest cylinders
// inside the field (32 of the usual 40–180).
const EASY_WORLD = 94;
const haveData = existsSync(join(DEFAULT_BARN_DATA, 'cylinders.csv'));

describe.skipIf(!haveData)('BARN closed loop on real data', () => {
  it(`reaches the goal of world ${EASY_WORLD} without a collision`, { timeout: 120_000 }, async () => {
    const world = loadBarnWorlds(DEFAULT_BARN_DATA).find((w) => w.index === EASY_WORLD)!;
    const reference = loadReference(DEFAULT_BARN_DATA, EASY_WORLD);
    const r = await runBarnWorld(world, reference);
    expect(r.collided).toBe(false);
    expect(r.success).toBe(true);
    expect(r.outcome).toBe('reached');
    // Physically possible: the straight 10 m less the 1 m goal circle and the 0.1 m before the clock starts, at 2 m/s.
    expect(r.time_s).toBeGreaterThanOrEqual((10 - 1 - 0.1) / 2);
    expect(r.time_s).toBeLessThan(100);
    expect(r.score).toBeGreaterThan(0.125);
    expect(r.score).toBeLessThanOrEqual(0.5);
  });
});
