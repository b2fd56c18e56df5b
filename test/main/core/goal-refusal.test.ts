/**
 * A refused goal is said once, in plain words: by the console for its own reasons (e-stop,
 * no robot), by autonomy for the planner's (goal in a wall). The renderer shows the console's
 * event and no copy of its own (test/e2e covers the page).
 */
import { describe, expect, it } from 'vitest';
import { ConsoleCore } from '../../../src/main/core/console';
import { mapPayload } from '../../../src/main/core/map-file';
import { InlinePlanner } from '../../../src/main/core/planner-port';
import { InProcessSimDriver } from '../../../src/main/robot/sim-driver';
import { createSimCore } from '../../../src/sim/start';

describe('goal refusals', () => {
  it('are said exactly once each, without raw data', async () => {
    const sim = createSimCore({ seed: 4, people: 0, config: { startPose: { x: 1.2, y: 4.6, theta: 0 } } });
    const driver = new InProcessSimDriver(sim, { commandTransitS: 0.01 });
    const core = new ConsoleCore({
      clock: () => sim.time, driverFactory: async () => driver, timers: false,
      map: mapPayload('apartment', sim.world.grid), planner: new InlinePlanner({ map: sim.world.grid }),
    });
    const events: string[] = [];
    core.subscribe((e, p) => {
      if (e === 'event') events.push((p as { message: string }).message);
    });
    const refusals = (): string[] => events.filter((m) => m.startsWith('Goal refused'));

    const noRobot = await core.setGoal({ x: 2, y: 4.6, theta: 0 });
    expect(noRobot).toEqual({ ok: false, error: 'No robot connected' });
    expect(refusals()).toEqual(['Goal refused: No robot connected']);

    await core.connect({ kind: 'sim', initialPose: { x: 1.2, y: 4.6, theta: 0 } });
    for (let i = 0; i < 30; i++) {
      if (i % 2 === 0) core.tick();
      driver.step(0.01);
    }
    core.emergencyStop();
    const estop = await core.setGoal({ x: 2, y: 4.6, theta: 0 });
    expect(estop.ok).toBe(false);
    expect(refusals()).toHaveLength(2);
    core.releaseEmergencyStop();

    // Outside the map: the planner refuses, autonomy says it once.
    const outside = await core.setGoal({ x: -50, y: -50, theta: 0 });
    expect(outside.ok).toBe(false);
    expect(refusals()).toHaveLength(3);
    expect(refusals()[2]).toBe(`Goal refused: ${(outside as { error: string }).error}`);
    expect(events.every((m) => !/[{}]/.test(m))).toBe(true);
    await core.shutdown();
  });
});
