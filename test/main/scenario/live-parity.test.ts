/**
 * One loop: the same scenario driven by the live console (real time, the simulator behind a
 * real pseudo-terminal, Foresight's link over serialport, the planner in its worker thread)
 * and by the scenario runner (virtual time, the simulator in process). Both are the same
 * ConsoleCore and AutonomyLoop; only the clock and the robot differ, so the outcomes must
 * agree: both reach the goal without touching anything, by similar paths in similar times.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ConsoleCore } from '../../../src/main/core/console';
import { hostSeconds } from '../../../src/main/core/clock';
import { WorkerPlanner } from '../../../src/main/core/worker-planner';
import { RobotLink, SerialTransport } from '../../../src/main/link';
import { ForesightLinkDriver } from '../../../src/main/robot/foresight-driver';
import { loadScenarioFile, poseOf } from '../../../src/main/scenario/scenario-file';
import { runScenario } from '../../../src/main/scenario/run-scenario';
import { startSimulator, type RunningSimulator } from '../../../src/sim/start';
import { Fault } from '../../../src/shared/protocol';
import type { ConsoleEvent } from '../../../src/shared/api';

const SCENARIO = join(__dirname, '../../../resources/scenarios/kitchen-to-living.json');

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('one loop: live console and scenario runner', () => {
  it('drive the same scenario to the same outcome', { timeout: 120_000 }, async () => {
    const loaded = await loadScenarioFile(SCENARIO);
    if (!loaded.ok) throw new Error(loaded.message);
    const s = loaded.scenario;
    const goal = poseOf(s.goal);

    // Virtual time: the scenario runner.
    const virtual = await runScenario(s);

    // Real time: the simulator on a pty in this process, the console on the other end.
    const sim: RunningSimulator = await startSimulator({ transport: { kind: 'pty' }, seed: s.seed, people: 0, config: { startPose: poseOf(s.start) } });
    cleanups.push(() => sim.close());
    const core = new ConsoleCore({
      clock: hostSeconds,
      driverFactory: async () => new ForesightLinkDriver(new RobotLink({ transport: new SerialTransport({ path: sim.devicePath! }) })),
      planner: new WorkerPlanner({ map: sim.core.world.grid }),
    });
    cleanups.push(() => core.shutdown());
    const events: ConsoleEvent[] = [];
    core.subscribe((e, p) => void (e === 'event' && events.push(p as ConsoleEvent)));
    expect(await core.connect({ kind: 'serial', path: sim.devicePath!, baud: 921600 })).toEqual({ ok: true });
    for (let i = 0; i < 500 && !(core.snapshot().link.state === 'connected' && core.state.scan && core.state.pose); i++) await sleep(20);
    // The worker boots through tsx: retry while it is not ready.
    let res = await core.setGoal(goal);
    for (let i = 0; i < 100 && !res.ok && res.error.includes('not ready'); i++) {
      await sleep(200);
      res = await core.setGoal(goal);
    }
    expect(res).toEqual({ ok: true });
    const startedAt = hostSeconds();
    let path = 0;
    let last = core.state.pose!;
    let bumped = false;
    while (hostSeconds() - startedAt < s.timeLimitS && !events.some((e) => /^Goal (reached|abandoned)/.test(e.message))) {
      await sleep(20);
      const p = core.state.pose!;
      path += Math.hypot(p.x - last.x, p.y - last.y);
      last = p;
      if ((core.state.status?.faults ?? 0) & Fault.Bumper) bumped = true;
    }
    const liveTime = hostSeconds() - startedAt;
    const truth = sim.core.groundTruth();
    const live = {
      reached: events.some((e) => e.message === 'Goal reached'),
      time_s: liveTime,
      path_length_m: path,
      final_error_m: Math.hypot(truth.robotPose.x - goal.x, truth.robotPose.y - goal.y),
      collisions: truth.collisionCount,
    };
    const summary = JSON.stringify({ live, virtual: { success: virtual.success, time_s: virtual.time_s, path_length_m: virtual.path_length_m, collisions: virtual.collisions } });
    console.log(`live vs scenario runner: ${summary}`);

    expect(virtual.success, summary).toBe(true);
    expect(virtual.collisions, summary).toBe(0);
    expect(live.reached, summary).toBe(true);
    expect(live.collisions, summary).toBe(0);
    expect(bumped, summary).toBe(false);
    expect(live.final_error_m, summary).toBeLessThanOrEqual(s.goalToleranceM + 0.05);
    // Same loop, different clocks: real time adds scheduling jitter and link latency, so the
    // runs are alike, not identical.
    expect(Math.abs(live.path_length_m - virtual.path_length_m) / virtual.path_length_m, summary).toBeLessThan(0.15);
    expect(Math.abs(live.time_s - virtual.time_s) / virtual.time_s, summary).toBeLessThan(0.35);
  });
});
