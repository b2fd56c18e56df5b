/**
 * The RPLIDAR driver over a real pseudo-terminal, against an emulator written from the
 * public protocol: layout from INFO, revolutions of the scripted room, corrupt nodes dropped,
 * a health error refused in plain words, silence reported as lost, and the driver merged into
 * a robot by RobotWithLidar under ConsoleCore.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RplidarDevice } from '../../../../src/main/robot/rplidar/driver';
import { beamIndex } from '../../../../src/main/robot/rplidar/protocol';
import type { DriverFault, LidarDescription, LidarDeviceEvents, RobotLinkState } from '../../../../src/main/robot/driver';
import { ConsoleCore } from '../../../../src/main/core/console';
import { hostSeconds } from '../../../../src/main/core/clock';
import { InlinePlanner } from '../../../../src/main/core/planner-port';
import { CELL_FREE } from '../../../../src/shared/grid';
import { MemoryTransport, RobotLink } from '../../../../src/main/link';
import { ForesightLinkDriver } from '../../../../src/main/robot/foresight-driver';
import { RobotWithLidar } from '../../../../src/main/robot/with-lidar';
import { HELLO, scriptedRobot, sleep } from '../../core/scripted-robot';
import { RplidarEmulator, type EmulatorOptions } from './emulator';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(options: EmulatorOptions = {}) {
  const emu = await RplidarEmulator.create(options);
  cleanups.push(() => emu.close());
  const dev = new RplidarDevice({ path: emu.path, retryMs: 200, answerTimeoutMs: 500 });
  cleanups.push(() => dev.dispose());
  const scans: LidarDeviceEvents['scan'][] = [];
  const states: RobotLinkState[] = [];
  const faults: DriverFault[] = [];
  const layouts: LidarDescription[] = [];
  dev.on('scan', (s) => scans.push(s));
  dev.on('state', (s) => states.push(s));
  dev.on('fault', (f) => faults.push(f));
  dev.on('layout', (l) => layouts.push(l));
  return { emu, dev, scans, states, faults, layouts };
}

async function until(cond: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond() && Date.now() < end) await sleep(10);
}

describe('RplidarDevice over a pseudo-terminal', () => {
  it('reports its layout from INFO and delivers revolutions of the scripted room', async () => {
    const { emu, dev, scans, states, layouts } = await setup();
    dev.connect();
    await until(() => scans.length >= 3, 5000);
    expect(layouts.length).toBe(1);
    expect(layouts[0]).toMatchObject({ name: 'RPLIDAR A1M8 (model 0x18) fw 1.29 hw 7 S/N 0123456789ABCDEF0123456789ABCDEF', beams: 360, rangeMin: 0.15, rangeMax: 12 });
    expect(layouts[0]!.angleMin).toBeCloseTo(-Math.PI + (2 * Math.PI) / 360, 12);
    expect(dev.layout()?.name).toContain('A1M8');
    expect(states.map((s) => s.state)).toEqual(['connecting', 'connected']);
    expect(emu.commands.slice(0, 4)).toEqual([0x25, 0x52, 0x50, 0x20]); // STOP, GET_HEALTH, GET_INFO, SCAN
    expect(emu.scanning).toBe(true);

    for (const { msg, stamp, receivedAt } of scans.slice(1)) {
      expect(msg.ranges.length).toBe(360);
      // The wall 1.0 m straight ahead, the box 0.5 m on the right (−π/2 in REP 103), 2.0 m on the left, nothing behind.
      for (const deg of [-10, 0, 10]) expect(Math.abs(msg.ranges[beamIndex((deg * Math.PI) / 180, 360)]! - 1.0)).toBeLessThan(0.02);
      expect(Math.abs(msg.ranges[beamIndex(-Math.PI / 2, 360)]! - 0.5)).toBeLessThan(0.02);
      expect(Math.abs(msg.ranges[beamIndex(Math.PI / 2, 360)]! - 2.0)).toBeLessThan(0.02);
      expect(msg.ranges[beamIndex(Math.PI, 360)]).toBe(Infinity);
      // Nearly every beam has a node (400 jittered nodes a revolution on a 1° grid): the 20° gap behind and a few others are empty.
      expect(msg.ranges.filter((r) => r === Infinity).length).toBeLessThan(50);
      // Stamped at the revolution's first node, about one revolution (1/5.5 s) before it arrived.
      expect(receivedAt - stamp).toBeGreaterThan(0.1);
      expect(receivedAt - stamp).toBeLessThan(0.3);
      expect(Math.abs(receivedAt - hostSeconds())).toBeLessThan(2);
    }
    expect(dev.layout()!.rateHz).toBeGreaterThan(4);
    expect(dev.layout()!.rateHz).toBeLessThan(7);
    expect(dev.stats().rejected).toBe(0);

    await dev.dispose();
    await sleep(50);
    expect(emu.scanning).toBe(false); // STOP on dispose
    expect(states[states.length - 1]!.state).toBe('disconnected');
  });

  it('drops corrupted nodes without crashing, and counts them', async () => {
    const { emu, dev, scans } = await setup({ corruptEvery: 37 });
    dev.connect();
    await until(() => scans.length >= 4, 5000);
    expect(scans.length).toBeGreaterThanOrEqual(4);
    expect(emu.corruptedSent).toBeGreaterThan(10);
    expect(dev.stats().rejected).toBeGreaterThanOrEqual(Math.floor(emu.corruptedSent * 0.8));
    expect(dev.stats().rejected).toBeLessThanOrEqual(emu.corruptedSent);
    for (const { msg } of scans.slice(1)) {
      expect(Math.abs(msg.ranges[beamIndex(0, 360)]! - 1.0)).toBeLessThan(0.02);
      expect(Math.abs(msg.ranges[beamIndex(-Math.PI / 2, 360)]! - 0.5)).toBeLessThan(0.02);
      // No bogus return from a misread node: every finite range is one of the room's.
      for (const r of msg.ranges) if (Number.isFinite(r)) expect([0.5, 1.0, 2.0].some((d) => Math.abs(r - d) < 0.02)).toBe(true);
    }
  });

  it('reports a health error in plain words and does not start scanning', async () => {
    const { emu, dev, scans, states, faults, layouts } = await setup({ health: { status: 2, errorCode: 0x8001 } });
    dev.connect();
    await until(() => faults.length > 0, 3000);
    await sleep(500);
    expect(faults).toHaveLength(1);
    expect(faults[0]!.kind).toBe('lidar-health');
    expect(faults[0]!.message).toMatch(/reports a hardware error \(code 0x8001\); not scanning/);
    expect(states[states.length - 1]).toMatchObject({ state: 'incompatible' });
    expect(emu.commands).not.toContain(0x20);
    expect(emu.commands).not.toContain(0x50);
    expect(layouts).toHaveLength(0);
    expect(scans).toHaveLength(0);
    expect(emu.scanning).toBe(false);
  });

  it('reports lost within 1.5 s when the device goes silent, and reconnects when it answers again', async () => {
    const { emu, dev, scans, states, layouts } = await setup();
    dev.connect();
    await until(() => scans.length >= 1, 5000);
    emu.silent = true;
    const silentAt = hostSeconds();
    await until(() => states.some((s) => s.state === 'lost'), 2500);
    const lost = states.find((s) => s.state === 'lost')!;
    expect(lost).toBeDefined();
    expect(lost.at - silentAt).toBeLessThan(1.5);
    expect(lost.message).toMatch(/^no data for \d+ ms; reconnecting…$/);

    emu.silent = false;
    const before = scans.length;
    await until(() => scans.length > before + 1, 5000);
    expect(scans.length).toBeGreaterThan(before + 1);
    expect(states.map((s) => s.state).slice(-2)).toEqual(['lost', 'connected']);
    expect(layouts.length).toBe(2); // described again after the reconnect
  });
});

describe('RplidarDevice merged into a robot', () => {
  it('gives ConsoleCore a separate lidar and its scans', async () => {
    const emu = await RplidarEmulator.create();
    cleanups.push(() => emu.close());
    const transport = new MemoryTransport();
    const base = scriptedRobot(transport, { ...HELLO, lidarBeams: 0 });
    const core = new ConsoleCore({
      clock: hostSeconds,
      driverFactory: async () => new RobotWithLidar(new ForesightLinkDriver(new RobotLink({ transport })), new RplidarDevice({ path: emu.path }), { x: 0.1, y: 0, yaw: 0 }),
      planner: new InlinePlanner({ map: { width: 100, height: 100, resolution: 0.05, origin: { x: -2.5, y: -2.5 }, data: new Uint8Array(100 * 100).fill(CELL_FREE) } }),
      timers: false,
    });
    cleanups.push(() => base.close(), () => core.shutdown());
    expect(await core.connect({ kind: 'sim' })).toEqual({ ok: true });
    await until(() => core.state.scan !== null && core.state.scan !== undefined, 5000);
    expect(core.capabilities).toMatchObject({ lidar: 'separate', driver: 'foresight-link' });
    expect(core.capabilities!.spec).toMatchObject({ lidarBeams: 360, lidarRangeMax: 12, lidarMountX: 0.1 });
    expect(core.state.scan).toBeTruthy();
    expect(core.state.scan!.base.count).toBeGreaterThan(300);
  });
});
