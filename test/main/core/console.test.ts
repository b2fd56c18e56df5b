/**
 * Core motion rules over a real RobotLink (in-memory transport, scripted robot): dead-man
 * teleop, latched emergency stop, no motion without a fresh scan, link loss, a robot
 * without lidar, hostile scan values.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ConsoleCore, NO_LIDAR_TELEOP_SPEED, TELEOP_DEADMAN_S } from '../../../src/main/core/console';
import { MemoryTransport, RobotLink } from '../../../src/main/link';
import { ForesightLinkDriver } from '../../../src/main/robot/foresight-driver';
import { HELLO, scriptedRobot, sleep } from './scripted-robot';
import { hostSeconds } from '../../../src/main/core/clock';
import type { HelloMsg } from '../../../src/shared/protocol';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function connectedCore(hello: HelloMsg = HELLO, ranges: () => Float32Array = () => new Float32Array(360).fill(4)) {
  const transport = new MemoryTransport();
  const robot = scriptedRobot(transport, hello, ranges);
  const core = new ConsoleCore({
    clock: hostSeconds,
    driverFactory: async () => new ForesightLinkDriver(new RobotLink({ transport })),
    timers: false,
  });
  cleanups.push(() => robot.close(), () => core.shutdown());
  expect(await core.connect({ kind: 'sim' })).toEqual({ ok: true });
  for (let i = 0; i < 100 && (core.snapshot().link.state !== 'connected' || !core.state.scan); i++) await sleep(10);
  expect(core.snapshot().link.state).toBe('connected');
  return { core, transport, robot };
}

describe('ConsoleCore', () => {
  it('drives on teleop, scaled to the robot limits, and stops when input stops (dead-man)', async () => {
    const { core } = await connectedCore();
    // Full stick is the robot's top speed as the console allows it: 1 m/s, capped so that it
    // can stop within 0.8 m of something its 10 Hz lidar has not seen yet.
    const top = core.loop.robotLimits!.vMax;
    expect(top).toBeGreaterThan(0.95);
    expect(top).toBeLessThan(1);
    core.setTeleop({ linear: 0.5, angular: -0.25 });
    expect(core.snapshot().command).toEqual({ v: 0.5 * top, w: -0.5 });
    expect(core.snapshot().motion).toBe('teleop');
    await sleep(TELEOP_DEADMAN_S * 1000 + 80);
    core.tick();
    expect(core.snapshot().command).toEqual({ v: 0, w: 0 });
    expect(core.snapshot().motion).toBe('idle');
  });

  it('latches the emergency stop: driving is refused until released', async () => {
    const { core } = await connectedCore();
    const top = core.loop.robotLimits!.vMax;
    core.setTeleop({ linear: 1, angular: 0 });
    expect(core.snapshot().command.v).toBe(top);
    core.emergencyStop();
    expect(core.snapshot().command).toEqual({ v: 0, w: 0 });
    expect(core.setTeleop({ linear: 1, angular: 0 })).toMatchObject({ ok: false, error: expect.stringContaining('Emergency stop') });
    expect(core.snapshot().command.v).toBe(0);
    core.releaseEmergencyStop();
    expect(core.setTeleop({ linear: 1, angular: 0 })).toEqual({ ok: true });
    expect(core.snapshot().command.v).toBe(top);
  });

  it('stops when the scan goes stale, and says why', async () => {
    const { core, robot } = await connectedCore();
    robot.stopScans();
    await sleep(260);
    core.setTeleop({ linear: 1, angular: 0 });
    const snap = core.snapshot();
    expect(snap.command).toEqual({ v: 0, w: 0 });
    expect(snap.safety).toMatchObject({ action: 'stop', reason: 'stale-scan' });
  });

  it('slows for an obstacle ahead and stops before it', async () => {
    // A wall 0.6 m ahead (beams within ±30° of forward), open elsewhere.
    const ranges = (): Float32Array => new Float32Array(360).map((_, i) => (Math.abs(i - 180) < 30 ? 0.6 : 4));
    const { core } = await connectedCore(HELLO, ranges);
    core.setTeleop({ linear: 1, angular: 0 });
    const snap = core.snapshot();
    expect(snap.command.v).toBeLessThan(1);
    expect(['scale', 'stop']).toContain(snap.safety?.action);
  });

  it('drops everything on link loss', async () => {
    const { core, transport } = await connectedCore();
    core.setTeleop({ linear: 1, angular: 0 });
    transport.robot.unplug();
    for (let i = 0; i < 50 && core.snapshot().link.state === 'connected'; i++) await sleep(10);
    expect(core.snapshot().link.state).toBe('lost');
    core.tick();
    expect(core.snapshot().command).toEqual({ v: 0, w: 0 });
  });

  it('lets a robot without lidar be driven only by hand, slowly', async () => {
    const { core } = await connectedCore({ ...HELLO, lidarBeams: 0 });
    core.setTeleop({ linear: 1, angular: 0.5 });
    const snap = core.snapshot();
    expect(snap.command.v).toBeCloseTo(NO_LIDAR_TELEOP_SPEED, 9);
    expect(snap.safety?.reason).toContain('no lidar');
  });

  it('drops NaN, infinite and negative ranges and counts them', async () => {
    const ranges = (): Float32Array => new Float32Array(360).map((_, i) => (i % 4 === 0 ? NaN : i % 4 === 1 ? Infinity : i % 4 === 2 ? -1 : 3));
    const { core } = await connectedCore(HELLO, ranges);
    const scan = core.state.scan!;
    expect(scan.invalidBeams).toBe(270);
    expect(scan.base.count).toBe(90);
    expect(Array.from(scan.map).every(Number.isFinite)).toBe(true);
  });
});
