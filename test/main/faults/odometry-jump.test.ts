/** Fault: odometry jumps (a reset encoder count, a corrupted value that passed the CRC). */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryTransport } from '../../../src/main/link/memory-transport';
import { FaultyRobot, ROBOT_STOP_BOUND_MS, STOP_BOUND_MS, attachFaultMonitor, driveThenFault, sleep, startRig } from './fault-harness';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('fault: odometry jumps', () => {
  it('a 3 m jump in one 40 ms frame is caught within 250 ms and named in plain words', async () => {
    const transport = new MemoryTransport();
    const robot = new FaultyRobot(transport.robot);
    cleanups.push(() => robot.close());
    const rig = await startRig(transport);
    cleanups.push(() => rig.close());
    const { faults, monitor } = attachFaultMonitor(rig.link());
    // A few frames first: the detector judges a pose against the previous one.
    await sleep(200);

    const res = await driveThenFault(rig, robot, () => { robot.pose = { x: 3, y: 0, theta: 0 }; });

    const jump = faults.find((f) => f.kind === 'odometry-jump');
    expect(jump?.message).toMatch(/^Odometry jumped 3\.00 m in \d+ ms \(at most 0\.\d\d m possible\); the robot's position is not trustworthy, motion stopped$/);
    expect(jump!.atMs - res.faultAtMs).toBeLessThanOrEqual(STOP_BOUND_MS);
    expect(monitor.holding(jump!.atMs + 500)?.kind).toBe('odometry-jump');
    // Reported once: the new pose is the new reference.
    expect(faults.filter((f) => f.kind === 'odometry-jump')).toHaveLength(1);
    expect(res.coreStoppedAfterMs).toBeLessThanOrEqual(STOP_BOUND_MS);
    expect(res.robotStoppedAfterMs!).toBeLessThanOrEqual(ROBOT_STOP_BOUND_MS);
    expect(rig.events.some((e) => e.message.startsWith('Odometry jumped'))).toBe(true);
    expect(rig.log.safetyActions()).toContainEqual(expect.objectContaining({ action: 'stop', reason: expect.stringContaining('Odometry jumped') }));
  }, 20_000);
});
