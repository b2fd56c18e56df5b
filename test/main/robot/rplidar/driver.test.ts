/**
 * The RPLIDAR driver over real pseudo-terminals against the emulator on a SimCore room: each
 * built-in model in the mode it should use (A1/A2 express, C1/S2 standard), every scan equal
 * to one of the simulator's own revolutions beam by beam (REP 103: left is left), the motor
 * driven as the SDK drives it, the fallback from EXPRESS_SCAN to SCAN, and the fuzz ledger:
 * corrupt nodes and capsules, a health error, a silent device, a device that vanishes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RplidarDevice, type RplidarBaudRate, type RplidarOptions } from '../../../../src/main/robot/rplidar/driver';
import { Cmd, WIRE_RANGE_MAX_M } from '../../../../src/shared/protocols/rplidar';
import { beamIndex } from '../../../../src/shared/protocols/scan-grid';
import type { DriverFault, LidarDescription, LidarDeviceEvents, RobotLinkState } from '../../../../src/main/robot/driver';
import { builtinCatalog, findLidarProfile, findRobotProfile } from '../../../../src/main/robot/profiles';
import { ConsoleCore } from '../../../../src/main/core/console';
import { hostSeconds } from '../../../../src/main/core/clock';
import { InlinePlanner } from '../../../../src/main/core/planner-port';
import { CELL_FREE, type OccupancyGrid } from '../../../../src/shared/grid';
import type { LaserScanMsg } from '../../../../src/shared/protocol';
import { MemoryTransport, RobotLink } from '../../../../src/main/link';
import { ForesightLinkDriver } from '../../../../src/main/robot/foresight-driver';
import { RobotWithLidar } from '../../../../src/main/robot/with-lidar';
import { RplidarEmulator, type RplidarEmulatorOptions } from '../../../../src/sim/emulators/rplidar';
import { startRigOnPtys } from '../../../../src/sim/emulators/on-pty';
import { robotParamsFor } from '../../../../src/sim/emulators/profile-params';
import { SimCore, type SimScan } from '../../../../src/sim/sim-core';
import { fillRect, roomGrid } from '../../../sim/helpers';
import { HELLO, scriptedRobot } from '../../core/scripted-robot';
import { sleep, until } from '../driver-harness';

const catalog = builtinCatalog('resources');
const base = findRobotProfile(catalog, 'kobuki'); // its lidar sits on base_link (mount 0, 0, 0)

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/**
 * An 8 × 6 m room with a box on the robot's left: from (2, 3) facing +x the lidar sees the
 * front wall 5.95 m ahead, the right wall 2.95 m, the box 0.8 m on the left, the back wall 1.95 m.
 */
function roomWithBoxOnTheLeft(): OccupancyGrid {
  const map = roomGrid(8, 6);
  fillRect(map, 1.8, 2.2, 3.8, 4.0);
  return map;
}

interface BenchOptions {
  emulator?: RplidarEmulatorOptions;
  device?: Partial<RplidarOptions>;
  linkPath?: string;
}

/** A SimCore room, the lidar emulator on its own pty run in real time, and the driver on that pty. */
async function bench(lidarName: string, options: BenchOptions = {}) {
  const lidar = findLidarProfile(catalog, lidarName);
  const core = new SimCore({ map: roomWithBoxOnTheLeft(), seed: 1, baseRobot: robotParamsFor(base, lidar), startPose: { x: 2, y: 3, theta: 0 } });
  const truth: SimScan[] = [];
  const emu = recording(new RplidarEmulator(core, lidar, options.emulator), truth);
  const rig = await startRigOnPtys(core, [emu], [options.linkPath]);
  cleanups.push(() => rig.close());
  const dev = new RplidarDevice({
    path: rig.devices[0]!.path, baudRate: lidar.baudRate as RplidarBaudRate, beams: lidar.beams,
    retryMs: 100, lostAfterMs: 400, answerTimeoutMs: 300, ...options.device,
  });
  cleanups.push(() => dev.dispose());
  const scans: LidarDeviceEvents['scan'][] = [];
  const states: RobotLinkState[] = [];
  const faults: DriverFault[] = [];
  const layouts: LidarDescription[] = [];
  dev.on('scan', (s) => scans.push(s));
  dev.on('state', (s) => states.push(s));
  dev.on('fault', (f) => faults.push(f));
  dev.on('layout', (l) => layouts.push(l));
  return { core, lidar, emu, rig, truth, dev, scans, states, faults, layouts };
}

/** Keeps every revolution the simulator hands the emulator: the ground truth. */
function recording(emu: RplidarEmulator, truth: SimScan[]): RplidarEmulator {
  const afterStep = emu.afterStep.bind(emu);
  emu.afterStep = (result) => {
    truth.push(...result.scans);
    afterStep(result);
  };
  return emu;
}

/**
 * The simulator's revolution this scan is, beam by beam: for each truth scan, the beams that
 * disagree (a return where the wire has one — finite, within the driver's limits and the
 * 16.383 m the format carries — must be there within `tolM`; +Infinity elsewhere), and
 * `missing`: beams with a return in the truth and none in the scan. Returns the best.
 */
function bestMatch(msg: LaserScanMsg, truth: SimScan[], tolM: number) {
  let best = { index: -1, wrong: Infinity, missing: Infinity };
  truth.forEach((t, index) => {
    if (t.ranges.length !== msg.ranges.length) return;
    let wrong = 0;
    let missing = 0;
    for (let i = 0; i < t.ranges.length; i++) {
      const r = t.ranges[i]!;
      const expected = Number.isFinite(r) && r >= msg.rangeMin && r <= Math.min(msg.rangeMax, WIRE_RANGE_MAX_M) ? r : Infinity;
      const got = msg.ranges[i]!;
      if (got === Infinity && expected !== Infinity) missing++;
      else if (got === Infinity ? expected !== Infinity : !(Math.abs(got - expected) <= tolM)) wrong++;
    }
    if (wrong < best.wrong || (wrong === best.wrong && missing < best.missing)) best = { index, wrong, missing };
  });
  return best;
}

/** Every scan after the first is a distinct simulated revolution, in order, with no beam wrong or missing. */
function expectScansAreTheSimulators(scans: LidarDeviceEvents['scan'][], truth: SimScan[], tolM: number): void {
  expect(scans.length).toBeGreaterThanOrEqual(3);
  const matched = scans.map(({ msg }) => bestMatch(msg, truth, tolM));
  for (const m of matched) expect({ wrong: m.wrong, missing: m.missing }).toEqual({ wrong: 0, missing: 0 });
  for (let k = 1; k < matched.length; k++) expect(matched[k]!.index).toBe(matched[k - 1]!.index + 1);
}

/** REP 103 in the lidar frame: the box on the left at +π/2, the right wall at −π/2. */
function expectLeftIsLeft(msg: LaserScanMsg): void {
  const n = msg.ranges.length;
  expect(msg.ranges[beamIndex(Math.PI / 2, n)]).toBeCloseTo(0.8, 1);
  expect(msg.ranges[beamIndex(-Math.PI / 2, n)]).toBeCloseTo(2.95, 1);
  expect(msg.ranges[beamIndex(0, n)]).toBeCloseTo(5.95, 1);
  expect(msg.ranges[beamIndex(Math.PI, n)]).toBeCloseTo(1.95, 1);
}

describe('RplidarDevice over a pseudo-terminal, per model', () => {
  it('A1: EXPRESS_SCAN, DTR motor; each scan is the simulator\'s revolution beam by beam, left on the left', async () => {
    const { emu, truth, dev, scans, states, layouts } = await bench('rplidar-a1');
    dev.connect();
    await until(() => scans.length >= 4, 5000, 'scans');
    expect(layouts).toHaveLength(1);
    expect(layouts[0]).toMatchObject({ name: 'RPLIDAR A1M8 (model 0x18) fw 1.29 hw 7 S/N 0123456789ABCDEF0123456789ABCDEF', beams: 360, rangeMin: 0.15, rangeMax: 12 });
    // The driver's grid is the simulator's: beam i is beam i.
    expect(layouts[0]!.angleMin).toBeCloseTo(truth[0]!.angleMin, 12);
    expect(layouts[0]!.angleIncrement).toBeCloseTo(truth[0]!.angleIncrement, 12);
    expect(states.map((s) => s.state)).toEqual(['connecting', 'connected']);
    expect(states[1]!.message).toBe('RPLIDAR A1M8 (model 0x18) fw 1.29 hw 7 S/N 0123456789ABCDEF0123456789ABCDEF scanning (express)');
    expect(emu.commands.slice(0, 4)).toEqual([Cmd.Stop, Cmd.GetHealth, Cmd.GetInfo, Cmd.ExpressScan]);
    expect(dev.activeScanMode()).toBe('express');
    expect(emu.mode).toBe('express');

    // Express distances are whole millimetres.
    expectScansAreTheSimulators(scans, truth, 0.0006);
    for (const { msg, stamp, receivedAt } of scans) {
      expectLeftIsLeft(msg);
      // Stamped at the revolution's first measurement, about one revolution (1/5.5 s) before it arrived.
      expect(receivedAt - stamp).toBeGreaterThan(0.12);
      expect(receivedAt - stamp).toBeLessThan(0.25);
      expect(Math.abs(receivedAt - hostSeconds())).toBeLessThan(2);
    }
    expect(dev.layout()!.rateHz).toBeGreaterThan(4.5);
    expect(dev.layout()!.rateHz).toBeLessThan(6.5);
    expect(dev.stats().rejected).toBe(0);

    await dev.dispose();
    await sleep(50);
    expect(emu.mode).toBe('idle'); // STOP on dispose
    expect(states[states.length - 1]!.state).toBe('disconnected');
  });

  it('A2: asks the accessory board, runs the motor by SET_MOTOR_PWM, EXPRESS_SCAN; PWM 0 on dispose', async () => {
    const { emu, truth, dev, scans, states } = await bench('rplidar-a2');
    dev.connect();
    await until(() => scans.length >= 4, 5000, 'scans');
    expect(emu.commands.slice(0, 6)).toEqual([Cmd.Stop, Cmd.GetHealth, Cmd.GetInfo, Cmd.GetAccBoardFlag, Cmd.SetMotorPwm, Cmd.ExpressScan]);
    expect(emu.motorPwm).toBe(600);
    expect(states[1]!.message).toContain('RPLIDAR A2M8 (model 0x28)');
    expectScansAreTheSimulators(scans, truth, 0.0006);
    expectLeftIsLeft(scans[scans.length - 1]!.msg);
    expect(dev.layout()!.rateHz).toBeGreaterThan(8.5); // the A2 profile turns at 10 Hz
    await dev.dispose();
    await sleep(50);
    expect(emu.motorPwm).toBe(0);
    expect(emu.mode).toBe('idle');
  });

  it('C1 at 460800 baud: standard SCAN (no legacy express), DTR motor when the board says no PWM', async () => {
    const { emu, truth, dev, scans, layouts } = await bench('rplidar-c1');
    dev.connect();
    await until(() => scans.length >= 4, 5000, 'scans');
    expect(emu.commands.slice(0, 5)).toEqual([Cmd.Stop, Cmd.GetHealth, Cmd.GetInfo, Cmd.GetAccBoardFlag, Cmd.Scan]);
    expect(emu.commands).not.toContain(Cmd.ExpressScan);
    expect(emu.commands).not.toContain(Cmd.SetMotorPwm);
    expect(layouts[0]).toMatchObject({ beams: 360, rangeMin: 0.05, rangeMax: 12 });
    expect(layouts[0]!.name).toContain('RPLIDAR C1M1 (model 0x41)');
    expect(dev.activeScanMode()).toBe('standard');
    // SCAN distances are quarter millimetres.
    expectScansAreTheSimulators(scans, truth, 0.0003);
    expectLeftIsLeft(scans[scans.length - 1]!.msg);
  });

  it('S2 at 1 Mbaud: standard SCAN on 720 beams, motor by HQ_MOTOR_SPEED_CTRL in rpm, 0 on dispose', async () => {
    const { emu, truth, dev, scans, layouts } = await bench('rplidar-s2');
    dev.connect();
    await until(() => scans.length >= 4, 5000, 'scans');
    expect(emu.commands.slice(0, 5)).toEqual([Cmd.Stop, Cmd.GetHealth, Cmd.GetInfo, Cmd.HqMotorSpeedCtrl, Cmd.Scan]);
    expect(emu.motorRpm).toBe(600);
    // 30 m on the datasheet, but SCAN nodes carry at most 16.383 m.
    expect(layouts[0]).toMatchObject({ beams: 720, rangeMin: 0.05, rangeMax: WIRE_RANGE_MAX_M });
    expect(layouts[0]!.name).toContain('RPLIDAR S2M1 (model 0x71)');
    expectScansAreTheSimulators(scans, truth, 0.0003);
    expectLeftIsLeft(scans[scans.length - 1]!.msg);
    await dev.dispose();
    await sleep(50);
    expect(emu.motorRpm).toBe(0);
    expect(emu.mode).toBe('idle');
  });
});

describe('RplidarDevice fallbacks and the fuzz ledger', () => {
  it('falls back to SCAN when EXPRESS_SCAN goes unanswered, and asks that device for SCAN straight away after a silence', async () => {
    // An A1 whose firmware claims 1.29 but does not answer EXPRESS_SCAN.
    const { emu, truth, dev, scans, states, faults, layouts } = await bench('rplidar-a1', { emulator: { express: false } });
    dev.connect();
    await until(() => scans.length >= 3, 5000, 'scans');
    expect(emu.commands.slice(0, 6)).toEqual([Cmd.Stop, Cmd.GetHealth, Cmd.GetInfo, Cmd.ExpressScan, Cmd.Stop, Cmd.Scan]);
    expect(faults.map((f) => f.kind)).toEqual(['lidar-express-unavailable']);
    expect(faults[0]!.message).toMatch(/EXPRESS_SCAN was not answered; scanning in standard mode/);
    expect(states[1]).toMatchObject({ state: 'connected' });
    expect(states[1]!.message).toMatch(/scanning \(standard\) \(EXPRESS_SCAN was not answered; using SCAN\)$/);
    expectScansAreTheSimulators(scans, truth, 0.0003);

    // Silence: lost within lostAfterMs (400 ms) and a watchdog tick.
    emu.silent = true;
    const silentAt = hostSeconds();
    await until(() => states.some((s) => s.state === 'lost'), 2000, 'lost');
    const lost = states.find((s) => s.state === 'lost')!;
    expect(lost.at - silentAt).toBeLessThan(0.7);
    expect(lost.message).toMatch(/^no data for \d+ ms; reconnecting…$/);

    const commandsBefore = emu.commands.length;
    emu.silent = false;
    const before = scans.length;
    await until(() => scans.length > before + 1, 5000, 'scans again');
    expect(states.map((s) => s.state).slice(-2)).toEqual(['lost', 'connected']);
    expect(layouts).toHaveLength(2); // described again after the reconnect
    // Retries during the silence went unanswered; the successful handshake did not try express again.
    const lastHandshake = emu.commands.slice(commandsBefore);
    expect(lastHandshake.slice(-4)).toEqual([Cmd.Stop, Cmd.GetHealth, Cmd.GetInfo, Cmd.Scan]);
    expect(faults).toHaveLength(1);
  });

  it('takes EXPRESS_SCAN when forced, and standard SCAN when asked on a model that has express', async () => {
    const forced = await bench('rplidar-a1', { device: { scanMode: 'standard' } });
    forced.dev.connect();
    await until(() => forced.scans.length >= 3, 5000, 'scans');
    expect(forced.emu.commands).not.toContain(Cmd.ExpressScan);
    expect(forced.dev.activeScanMode()).toBe('standard');
    expectScansAreTheSimulators(forced.scans, forced.truth, 0.0003);
  });

  it('drops corrupt SCAN nodes and express capsules, counts them, and lets no wrong range through', async () => {
    for (const [scanMode, corruptEvery] of [['standard', 37], ['express', 9]] as const) {
      const { emu, truth, dev, scans } = await bench('rplidar-a1', { emulator: { corruptEvery }, device: { scanMode } });
      dev.connect();
      await until(() => scans.length >= 4, 5000, 'scans');
      expect(dev.activeScanMode()).toBe(scanMode);
      expect(emu.corruptedSent).toBeGreaterThan(5);
      const rejected = dev.stats().rejected;
      expect(rejected).toBeGreaterThanOrEqual(emu.corruptedSent - 2); // the newest may still be in flight
      expect(rejected).toBeLessThanOrEqual(emu.corruptedSent);
      for (const { msg } of scans.slice(1)) {
        const m = bestMatch(msg, truth, scanMode === 'express' ? 0.0006 : 0.0003);
        expect(m.wrong).toBe(0); // every range there is is the simulator's
        // A corrupt node costs it and the one before; a corrupt capsule costs 64 samples.
        expect(m.missing).toBeLessThan(scanMode === 'express' ? 160 : 40);
      }
      await dev.dispose();
    }
  });

  it('reports a health error in plain words and does not start scanning', async () => {
    const { emu, dev, scans, states, faults, layouts } = await bench('rplidar-a1', { emulator: { health: { status: 2, errorCode: 0x8001 } } });
    dev.connect();
    await until(() => faults.length > 0, 3000, 'the health fault');
    await sleep(300);
    expect(faults).toHaveLength(1);
    expect(faults[0]!.kind).toBe('lidar-health');
    expect(faults[0]!.message).toMatch(/reports a hardware error \(code 0x8001\); not scanning/);
    expect(states[states.length - 1]).toMatchObject({ state: 'incompatible' });
    for (const cmd of [Cmd.GetInfo, Cmd.Scan, Cmd.ExpressScan]) expect(emu.commands).not.toContain(cmd);
    expect(layouts).toHaveLength(0);
    expect(scans).toHaveLength(0);
    expect(emu.mode).toBe('idle');
  });

  it('goes lost when the device vanishes (its pty closes), and reconnects when it is back on the same path', async () => {
    const linkPath = join(tmpdir(), `foresight-rplidar-${process.pid}-${Date.now()}.tty`);
    const { core, lidar, rig, dev, scans, states } = await bench('rplidar-a1', { linkPath });
    dev.connect();
    await until(() => scans.length >= 2, 5000, 'scans');
    await rig.close();
    const goneAt = hostSeconds();
    await until(() => states.some((s) => s.state === 'lost'), 2000, 'lost');
    expect(states[states.length - 1]!.state).toBe('lost');
    expect(hostSeconds() - goneAt).toBeLessThan(0.8);
    await sleep(300); // retries fail while the path is gone

    const truth: SimScan[] = [];
    const again = await startRigOnPtys(core, [recording(new RplidarEmulator(core, lidar), truth)], [linkPath]);
    cleanups.push(() => again.close());
    const before = scans.length;
    await until(() => scans.length >= before + 3, 5000, 'scans again');
    expect(states.map((s) => s.state).slice(-2)).toEqual(['lost', 'connected']);
    expectScansAreTheSimulators(scans.slice(before), truth, 0.0006);
  });
});

describe('RplidarDevice merged into a robot', () => {
  it('gives ConsoleCore a separate lidar and its scans', async () => {
    const lidar = findLidarProfile(catalog, 'rplidar-a1');
    const sim = new SimCore({ map: roomWithBoxOnTheLeft(), seed: 1, baseRobot: robotParamsFor(base, lidar), startPose: { x: 2, y: 3, theta: 0 } });
    const rig = await startRigOnPtys(sim, [new RplidarEmulator(sim, lidar)]);
    cleanups.push(() => rig.close());
    const transport = new MemoryTransport();
    const robot = scriptedRobot(transport, { ...HELLO, lidarBeams: 0 });
    const core = new ConsoleCore({
      clock: hostSeconds,
      driverFactory: async () => new RobotWithLidar(new ForesightLinkDriver(new RobotLink({ transport })), new RplidarDevice({ path: rig.devices[0]!.path }), { x: 0.1, y: 0, yaw: 0 }),
      planner: new InlinePlanner({ map: { width: 100, height: 100, resolution: 0.05, origin: { x: -2.5, y: -2.5 }, data: new Uint8Array(100 * 100).fill(CELL_FREE) } }),
      timers: false,
    });
    cleanups.push(() => robot.close(), () => core.shutdown());
    expect(await core.connect({ kind: 'sim' })).toEqual({ ok: true });
    await until(() => core.state.scan !== null && core.state.scan !== undefined, 5000, 'a scan in the core');
    expect(core.capabilities).toMatchObject({ lidar: 'separate', driver: 'foresight-link' });
    expect(core.capabilities!.spec).toMatchObject({ lidarBeams: 360, lidarRangeMax: 12, lidarMountX: 0.1 });
    expect(core.state.scan).toBeTruthy();
    expect(core.state.scan!.base.count).toBeGreaterThan(300);
  });
});
