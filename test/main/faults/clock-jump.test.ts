/** Fault: the robot's clock jumps (firmware reset of its timer, overflow, a resync). */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryTransport } from '../../../src/main/link/memory-transport';
import { FaultyRobot, ROBOT_STOP_BOUND_MS, STOP_BOUND_MS, attachFaultMonitor, driveThenFault, startRig, waitUntil } from './fault-harness';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function rigWithRobot() {
  const transport = new MemoryTransport();
  const robot = new FaultyRobot(transport.robot);
  cleanups.push(() => robot.close());
  const rig = await startRig(transport);
  cleanups.push(() => rig.close());
  const { faults } = attachFaultMonitor(rig.link());
  // Clock sync needs a few Pongs before scans are stamped on the robot clock.
  await waitUntil(() => rig.link().clockOffsetMs !== null, 3_000, 'a clock offset estimate');
  return { rig, robot, faults };
}

describe('fault: the robot clock jumps', () => {
  it('back: motion stops within 250 ms (scans now look old), the jump is named in plain words, and the stop is logged', async () => {
    const { rig, robot, faults } = await rigWithRobot();

    const r = await driveThenFault(rig, robot, () => { robot.clockOffsetMs -= 30_000; });

    expect(r.coreStoppedAfterMs).toBeLessThanOrEqual(STOP_BOUND_MS);
    expect(r.robotStoppedAfterMs!).toBeLessThanOrEqual(ROBOT_STOP_BOUND_MS);
    // The core's fault monitor holds motion and the stop carries the cause in plain words.
    expect(rig.log.safetyActions()).toContainEqual(expect.objectContaining({ action: 'stop', reason: expect.stringMatching(/^Robot clock jumped back 30\.0 s/), commanded: { v: 0, w: 0 } }));
    expect(rig.events.some((e) => e.message.startsWith('Robot clock jumped back'))).toBe(true);
    // Plain words only in the operator's event log: the figures stay in the run log's detail.
    expect(rig.events.filter((e) => /[{}"]/.test(e.message))).toEqual([]);
    // The detector names the cause within the bound.
    const jump = faults.find((f) => f.kind === 'robot-clock-jump');
    expect(jump?.message).toMatch(/^Robot clock jumped back 30\.0 s; motion stopped/);
    expect(jump!.atMs - r.faultAtMs).toBeLessThanOrEqual(STOP_BOUND_MS);
  }, 20_000);

  it('ahead: the detector catches it within 250 ms (the core alone does not stop: a scan stamp is capped at its arrival)', async () => {
    const { rig, robot, faults } = await rigWithRobot();
    const r = await driveThenFault(rig, robot, () => { robot.clockOffsetMs += 3_600_000; });
    const jump = faults.find((f) => f.kind === 'robot-clock-jump');
    expect(jump?.message).toMatch(/^Robot clock jumped ahead 60\.0 min; motion stopped/);
    expect(jump!.atMs - r.faultAtMs).toBeLessThanOrEqual(STOP_BOUND_MS);
    expect(r.coreStoppedAfterMs).toBeLessThanOrEqual(STOP_BOUND_MS);
    expect(r.robotStoppedAfterMs!).toBeLessThanOrEqual(ROBOT_STOP_BOUND_MS);
    expect(rig.events.some((e) => e.message.startsWith('Robot clock jumped ahead'))).toBe(true);
    expect(rig.log.safetyActions()).toContainEqual(expect.objectContaining({ action: 'stop', reason: expect.stringContaining('Robot clock jumped') }));
  }, 20_000);
});
