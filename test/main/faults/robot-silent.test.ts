/** Fault: the robot goes silent (hung firmware) while the port stays open. */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryTransport } from '../../../src/main/link/memory-transport';
import { FaultyRobot, ROBOT_STOP_BOUND_MS, STOP_BOUND_MS, driveThenFault, startRig, waitUntil } from './fault-harness';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('fault: the robot goes silent with the port open', () => {
  it('stops on the stale scan within 250 ms, then declares the link lost in plain words, logs both, and recovers', async () => {
    const transport = new MemoryTransport();
    const robot = new FaultyRobot(transport.robot);
    cleanups.push(() => robot.close());
    const rig = await startRig(transport);
    cleanups.push(() => rig.close());

    const r = await driveThenFault(rig, robot, () => { robot.silent = true; }, 700);

    // Motion stops on the newest scan going stale (0.2 s), well before the link's 500 ms silence rule.
    expect(r.coreStoppedAfterMs).toBeLessThanOrEqual(STOP_BOUND_MS);
    expect(r.robotStoppedAfterMs!).toBeLessThanOrEqual(ROBOT_STOP_BOUND_MS);
    // Then the link gives up on the robot and says so.
    const snap = rig.core.snapshot();
    expect(snap.command).toEqual({ v: 0, w: 0 });
    expect(snap.link.state).toBe('lost');
    expect(snap.link.message).toMatch(/^Link lost: no data from the robot for \d+ ms; /);
    expect(rig.events.some((e) => e.level === 'error' && /no data from the robot/.test(e.message))).toBe(true);
    // Run log: the safety stop (stale scan) and the link loss.
    expect(rig.log.safetyActions()).toContainEqual(expect.objectContaining({ action: 'stop', reason: 'stale-scan', commanded: { v: 0, w: 0 } }));
    expect(rig.log.linkEvents()).toContainEqual(expect.objectContaining({ event: 'lost', message: expect.stringContaining('no data from the robot') }));

    // The robot wakes up: the link reopens, handshakes again and is back.
    robot.silent = false;
    await waitUntil(() => rig.core.snapshot().link.state === 'connected', 5_000, 'the link to come back');
    expect(rig.log.linkEvents()).toContainEqual(expect.objectContaining({ event: 'reconnected' }));
  }, 30_000);
});
