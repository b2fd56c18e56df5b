/**
 * Localization through the live console's own core on virtual time: the simulated robot's
 * odometry drifts and starts at zero, the operator places it, the particle filter (in process,
 * as the scenario runner runs it) corrects map → odom, a kidnap is caught as "localization
 * lost" (goal refused, said in words) and the pose recovers while the operator drives on.
 */
import { describe, expect, it } from 'vitest';
import { ConsoleCore, SAFETY_PERIOD_S } from '../../../src/main/core/console';
import { mapPayload } from '../../../src/main/core/map-file';
import { InlineEstimator } from '../../../src/main/localization/port';
import { InlinePlanner } from '../../../src/main/core/planner-port';
import { InProcessSimDriver } from '../../../src/main/robot/sim-driver';
import { createSimCore } from '../../../src/sim/start';
import type { Pose2D } from '../../../src/shared/geometry';

const START: Pose2D = { x: 1.2, y: 4.6, theta: 0 };

function rig(seed: number) {
  const sim = createSimCore({ seed, people: 0, config: { startPose: START, drift: 'typical' } });
  const driver = new InProcessSimDriver(sim, { commandTransitS: 0.01 });
  const core = new ConsoleCore({
    clock: () => sim.time, driverFactory: async () => driver, timers: false,
    map: mapPayload('apartment', sim.world.grid), estimator: new InlineEstimator(), estimatorOnConnect: 'localize', seed,
    planner: new InlinePlanner({ map: sim.world.grid }),
  });
  const events: string[] = [];
  core.subscribe((e, p) => {
    if (e === 'event') events.push((p as { message: string }).message);
  });
  /** Runs `seconds` of sim time with the operator's teleop input held. */
  const drive = (seconds: number, linear: number, angular: number, each?: () => void): void => {
    const steps = Math.round(seconds / 0.01);
    for (let i = 0; i < steps; i++) {
      if (i % 5 === 0) core.setTeleop({ linear, angular });
      if (i % Math.round(SAFETY_PERIOD_S / 0.01) === 0) core.tick();
      driver.step(0.01);
      each?.();
    }
  };
  const error = (): number => {
    const p = core.state.pose!;
    const t = sim.groundTruth().robotPose;
    return Math.hypot(p.x - t.x, p.y - t.y);
  };
  return { sim, core, events, drive, error };
}

describe('localization in the console', () => {
  it('keeps a drifting robot on the map, calls a kidnap lost (refusing goals) and recovers while driving', async () => {
    const { sim, core, events, drive, error } = rig(3);
    await core.connect({ kind: 'sim', initialPose: START });
    drive(0.3, 0, 0);
    // Odometry started at zero where the robot stands; the placement puts it on the map.
    expect(sim.odometry().x).toBeCloseTo(0, 6);
    expect(error()).toBeLessThan(0.01);

    // Drive around the living room: the odometry drifts, the console's pose does not.
    let worst = 0;
    drive(4, 0.25, 0.35, () => (worst = Math.max(worst, error())));
    const odomDrift = Math.hypot(sim.groundTruth().trueMapFromOdom.x - START.x, sim.groundTruth().trueMapFromOdom.y - START.y);
    expect(odomDrift).toBeGreaterThan(0.01);
    expect(worst).toBeLessThan(0.05);
    expect(core.localization!.view().quality).toBe('localized');

    // Kidnap: the robot is carried 3 m into the hallway; its encoders saw nothing.
    const at = sim.groundTruth().robotPose;
    sim.teleport({ x: at.x + 3, y: at.y, theta: at.theta });
    let lostAt: number | null = null;
    let refused: ReturnType<ConsoleCore['setGoal']> | null = null;
    drive(4, 0, 0.6, () => {
      if (lostAt !== null || core.localization!.view().quality !== 'lost') return;
      lostAt = sim.time;
      // A goal asked for now is refused, in words.
      refused = core.setGoal({ x: 5, y: 5, theta: 0 });
    });
    expect(lostAt).not.toBeNull();
    expect(lostAt! - 4.3).toBeLessThan(2.5);
    expect(events.some((m) => /^Localization lost: .*Autonomy stopped/.test(m))).toBe(true);
    expect(await refused!).toMatchObject({ ok: false, error: expect.stringMatching(/^Localization lost/) });

    // Driving on, the filter searches and finds it again.
    let recovered = false;
    for (let i = 0; i < 20 && !recovered; i++) {
      drive(1, 0.1, 0.5);
      recovered = core.localization!.view().quality === 'localized' && error() < 0.2;
    }
    expect(recovered).toBe(true);
    expect(events.some((m) => m.startsWith('Localization recovered'))).toBe(true);
    await core.shutdown();
  }, 60_000);

  it('without localization the same drive leaves the console pose where odometry drifted it', async () => {
    const sim = createSimCore({ seed: 3, people: 0, config: { startPose: START, drift: 'typical' } });
    const driver = new InProcessSimDriver(sim, { commandTransitS: 0.01 });
    const core = new ConsoleCore({ clock: () => sim.time, driverFactory: async () => driver, timers: false, map: mapPayload('apartment', sim.world.grid) });
    await core.connect({ kind: 'sim', initialPose: START });
    for (let i = 0; i < 430; i++) {
      if (i % 5 === 0) core.setTeleop({ linear: 0.25, angular: 0.35 });
      if (i % 2 === 0) core.tick();
      driver.step(0.01);
    }
    const p = core.state.pose!;
    const t = sim.groundTruth().robotPose;
    // The console's pose is odometry, so its error is exactly the odometry's drift.
    const m = sim.groundTruth().trueMapFromOdom;
    expect(Math.hypot(p.x - t.x, p.y - t.y)).toBeCloseTo(Math.hypot(m.x - START.x, m.y - START.y), 1);
    expect(core.snapshot().localization.quality).toBe('odometry');
    await core.shutdown();
  });
});
