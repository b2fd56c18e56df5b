/**
 * The operator's speed limit is the console's, not the renderer's: it caps teleop and
 * autonomy alike (the planner samples within it and the safety tick caps what it sends), it
 * is in the snapshot (so a reloaded page shows it) and it is recorded as an operator action.
 */
import { describe, expect, it } from 'vitest';
import { ConsoleCore, SAFETY_PERIOD_S } from '../../../src/main/core/console';
import { mapPayload } from '../../../src/main/core/map-file';
import { InlinePlanner } from '../../../src/main/core/planner-port';
import { InProcessSimDriver } from '../../../src/main/robot/sim-driver';
import { createSimCore } from '../../../src/sim/start';
import type { Pose2D } from '../../../src/shared/geometry';

const START: Pose2D = { x: 1.2, y: 4.6, theta: 0 };
const DT = 0.01;

async function rig() {
  const sim = createSimCore({ seed: 2, people: 0, config: { startPose: START } });
  const driver = new InProcessSimDriver(sim, { commandTransitS: 0.01 });
  const core = new ConsoleCore({
    clock: () => sim.time, driverFactory: async () => driver, timers: false,
    map: mapPayload('apartment', sim.world.grid), planner: new InlinePlanner({ map: sim.world.grid }), seed: 2,
  });
  await core.connect({ kind: 'sim', initialPose: START });
  /** Runs `seconds` of sim time (optionally holding teleop); returns the fastest command and true speed seen. */
  const run = async (seconds: number, teleop: { linear: number; angular: number } | null = null): Promise<{ cmdV: number; cmdW: number; trueV: number }> => {
    let cmdV = 0;
    let cmdW = 0;
    let trueV = 0;
    const steps = Math.round(seconds / DT);
    for (let i = 0; i < steps; i++) {
      if (teleop && i % 5 === 0) core.setTeleop(teleop);
      if (i % Math.round(SAFETY_PERIOD_S / DT) === 0) core.tick();
      if (i % 10 === 0) core.planCycle();
      driver.step(DT);
      if (i % 10 === 0) await Promise.resolve();
      const c = core.snapshot().command;
      cmdV = Math.max(cmdV, Math.abs(c.v));
      cmdW = Math.max(cmdW, Math.abs(c.w));
      trueV = Math.max(trueV, Math.abs(sim.groundTruth().robotVelocity.v));
    }
    return { cmdV, cmdW, trueV };
  };
  return { sim, core, run };
}

describe('the operator speed limit', () => {
  it('caps teleop and autonomy, shows in the snapshot and refuses nonsense', async () => {
    const { core, run } = await rig();
    const limits = core.loop.robotLimits!;
    expect(core.snapshot().speedLimit).toBe(1);
    expect(core.setSpeedLimit(0.5)).toEqual({ ok: true });
    expect(core.snapshot().speedLimit).toBe(0.5);
    expect((await core.handle('setSpeedLimit', { fraction: 0 })).ok).toBe(false);
    expect(core.snapshot().speedLimit).toBe(0.5);

    // Teleop at full stick: half the robot's limits, linear and angular.
    const tele = await run(1.5, { linear: 1, angular: 0 });
    expect(tele.cmdV).toBeCloseTo(0.5 * limits.vMax, 3);
    const turn = await run(0.5, { linear: 0, angular: 1 });
    expect(turn.cmdW).toBeCloseTo(0.5 * limits.wMax, 3);
    await run(1, { linear: 0, angular: 0 });

    // Autonomy across the apartment: never above the limit.
    const res = await core.setGoal({ x: 5.5, y: 4.6, theta: 0 });
    expect(res).toEqual({ ok: true });
    const auto = await run(4);
    expect(auto.cmdV).toBeGreaterThan(0.3 * limits.vMax);
    expect(auto.cmdV).toBeLessThanOrEqual(0.5 * limits.vMax + 1e-9);
    expect(auto.trueV).toBeLessThanOrEqual(0.5 * limits.vMax + 0.02);

    // Raised again mid-goal: autonomy may go faster than before.
    core.setSpeedLimit(1);
    const fast = await run(3);
    expect(fast.cmdV).toBeGreaterThan(0.5 * limits.vMax + 0.05);
    await core.shutdown();
  });
});
