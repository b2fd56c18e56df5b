/** Fault: the lidar sends NaN, infinite and negative ranges. */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryTransport } from '../../../src/main/link/memory-transport';
import { FaultyRobot, ROBOT_STOP_BOUND_MS, STOP_BOUND_MS, attachFaultMonitor, driveThenFault, startRig } from './fault-harness';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** 3/4 of the beams NaN or negative; the rest open room at 4 m. */
const hostile = (): Float32Array => new Float32Array(360).map((_, i) => (i % 4 <= 1 ? NaN : i % 4 === 2 ? -1 : 4));

async function rig() {
  const transport = new MemoryTransport();
  const robot = new FaultyRobot(transport.robot);
  cleanups.push(() => robot.close());
  const r = await startRig(transport);
  cleanups.push(() => r.close());
  return { rig: r, robot, ...attachFaultMonitor(r.link()) };
}

describe('fault: scans with NaN/Inf/negative ranges', () => {
  it('an obstacle among invalid beams still stops the robot: invalid beams are dropped, never read as range', async () => {
    const { rig: r, robot } = await rig();
    // Half the beams NaN or negative (still a usable scan), and a wall 0.3 m ahead (±10°).
    const partlyInvalid = (): Float32Array =>
      new Float32Array(360).map((_, i) => (Math.abs(i - 180) <= 10 ? 0.3 : i % 4 === 0 ? NaN : i % 4 === 1 ? -1 : 4));
    const res = await driveThenFault(r, robot, () => {
      robot.ranges = partlyInvalid;
    });
    expect(res.coreStoppedAfterMs).toBeLessThanOrEqual(STOP_BOUND_MS);
    expect(res.robotStoppedAfterMs!).toBeLessThanOrEqual(ROBOT_STOP_BOUND_MS);
    const snap = r.core.snapshot();
    expect(snap.safety?.action).toBe('stop');
    expect(Array.from(r.core.state.scan!.map).every(Number.isFinite)).toBe(true);
    const expectedInvalid = Array.from(partlyInvalid()).filter((v) => !(v >= 0)).length;
    expect(expectedInvalid).toBe(180 - 10);
    expect(r.core.state.scan!.invalidBeams).toBe(expectedInvalid);
    expect(r.log.safetyActions()).toContainEqual(expect.objectContaining({ action: 'stop', commanded: { v: 0, w: 0 } }));
  }, 20_000);

  it('a scan that is mostly invalid is a blind lidar: the detector stops motion and says so within 250 ms', async () => {
    const { rig: r, robot, faults, monitor } = await rig();
    const res = await driveThenFault(r, robot, () => { robot.ranges = hostile; });
    const blind = faults.find((f) => f.kind === 'scan-invalid');
    expect(blind?.message).toBe('The lidar cannot see: 270 of 360 beams are invalid (180 NaN, 90 negative); motion stopped');
    expect(blind!.atMs - res.faultAtMs).toBeLessThanOrEqual(STOP_BOUND_MS);
    expect(monitor.holding(blind!.atMs + 100)?.kind).toBe('scan-invalid');
    expect(res.coreStoppedAfterMs).toBeLessThanOrEqual(STOP_BOUND_MS);
    expect(res.robotStoppedAfterMs!).toBeLessThanOrEqual(ROBOT_STOP_BOUND_MS);
    expect(r.events.some((e) => e.message.startsWith('The lidar cannot see'))).toBe(true);
    expect(r.log.safetyActions()).toContainEqual(expect.objectContaining({ action: 'stop', reason: expect.stringContaining('lidar cannot see') }));
  }, 20_000);
});
