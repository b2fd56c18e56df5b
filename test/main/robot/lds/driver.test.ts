/**
 * The LDS-01 and LDS-02 drivers over real pseudo-terminals, against the emulators on a
 * simulator in a room: the scans they produce match the simulator's own beam by beam in REP
 * 103 (ahead is ahead, left is left), garbage on the line is dropped, the LDS-01 is started
 * with 'b' and stopped with 'e', and a silent or vanished device is reported lost and picked
 * up again when it comes back.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Lds01Device, Lds02Device, LDS01_MODEL, LDS02_MODEL } from '../../../../src/main/robot/lds/driver';
import type { DriverFault, LidarDescription, LidarDeviceEvents, RobotLinkState } from '../../../../src/main/robot/driver';
import { builtinCatalog, findLidarProfile, findRobotProfile } from '../../../../src/main/robot/profiles';
import { beamIndex } from '../../../../src/shared/protocols/scan-grid';
import { hostSeconds } from '../../../../src/main/core/clock';
import { LDS01_CMD_START, LDS01_CMD_STOP, encodeLds01Packet } from '../../../../src/shared/protocols/lds';
import type { LidarProfile } from '../../../../src/shared/robots';
import { Lds01Emulator, Lds02Emulator } from '../../../../src/sim/emulators/lds';
import { robotParamsFor } from '../../../../src/sim/emulators/profile-params';
import { startRigOnPtys, type RigOnPty } from '../../../../src/sim/emulators/on-pty';
import { SimCore } from '../../../../src/sim/sim-core';
import { createPseudoTerminal } from '../../../../src/sim/pty';
import { roomGrid } from '../../../sim/helpers';
import { sleep, until } from '../driver-harness';

const catalog = builtinCatalog('resources');
const robot = findRobotProfile(catalog, 'turtlebot3-burger');
const TIMING = { retryMs: 100, lostAfterMs: 400 };

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/**
 * A 4 × 3 m room, the robot at (1.2, 1.0) facing +x, no range noise: from the lidar (3.2 cm
 * behind base_link) the front wall is 2.78 m ahead, the right wall 0.95 m, the left 1.95 m,
 * the back 1.12 m; every wall is within the LDS-01's 3.5 m.
 */
function simFor(lidar: LidarProfile): SimCore {
  return new SimCore({
    map: roomGrid(4, 3),
    seed: 1,
    baseRobot: robotParamsFor(robot, lidar),
    robot: { lidar: { rangeNoiseSigma: 0 } },
    startPose: { x: 1.2, y: 1.0, theta: 0 },
  });
}

type Emu = Lds01Emulator | Lds02Emulator;

async function rigFor(model: 'lds-01' | 'lds-02', linkPath?: string): Promise<{ core: SimCore; emu: Emu; rig: RigOnPty }> {
  const lidar = findLidarProfile(catalog, model);
  const core = simFor(lidar);
  const emu = model === 'lds-01' ? new Lds01Emulator(core, lidar) : new Lds02Emulator(core, lidar);
  const rig = await startRigOnPtys(core, [emu], [linkPath]);
  cleanups.push(() => rig.close());
  return { core, emu, rig };
}

function watch(dev: Lds01Device | Lds02Device) {
  cleanups.push(() => dev.dispose());
  const scans: LidarDeviceEvents['scan'][] = [];
  const states: RobotLinkState[] = [];
  const layouts: LidarDescription[] = [];
  dev.on('scan', (s) => scans.push(s));
  dev.on('state', (s) => states.push(s));
  dev.on('layout', (l) => layouts.push(l));
  return { scans, states, layouts };
}

/** Beam-by-beam comparison with the simulator's own scan (same grid: 360 beams over (−π, π]). */
function compare(ranges: Float32Array, truth: Float32Array) {
  let finiteBoth = 0;
  let worst = 0;
  let onlyOne = 0;
  for (let i = 0; i < truth.length; i++) {
    const a = ranges[i]!;
    const b = truth[i]!;
    if (Number.isFinite(a) && Number.isFinite(b)) {
      finiteBoth++;
      worst = Math.max(worst, Math.abs(a - b));
    } else if (Number.isFinite(a) !== Number.isFinite(b)) {
      onlyOne++;
    }
  }
  return { finiteBoth, worst, onlyOne };
}

describe('Lds01Device over a pseudo-terminal', () => {
  it("starts the LDS-01 with 'b', reports its layout, and delivers the room in REP 103, beam by beam", async () => {
    const { core, emu, rig } = await rigFor('lds-01');
    const lds = emu as Lds01Emulator;
    const dev = new Lds01Device({ path: rig.devices[0]!.path, ...TIMING });
    const { scans, states, layouts } = watch(dev);
    dev.connect();
    await until(() => scans.length >= 4, 5000, 'scans');
    expect(lds.commands[0]).toBe(LDS01_CMD_START);
    expect(lds.running).toBe(true);
    expect(states.map((s) => s.state)).toEqual(['connecting', 'connected']);
    expect(layouts).toHaveLength(1);
    expect(layouts[0]).toMatchObject({ name: 'ROBOTIS LDS-01', beams: 360, rangeMin: 0.12, rangeMax: 3.5 });
    expect(layouts[0]!.angleMin).toBeCloseTo(-Math.PI + Math.PI / 180, 12);
    expect(layouts[0]!.angleIncrement).toBeCloseTo(Math.PI / 180, 12);

    const truth = core.latestScan()!.ranges;
    for (const { msg, stamp, receivedAt } of scans) {
      expect(msg.ranges).toHaveLength(360);
      const c = compare(msg.ranges, truth);
      expect(c.finiteBoth).toBe(360); // every wall is within 3.5 m: all beams return
      expect(c.worst).toBeLessThan(0.001); // whole millimetres on the wire
      // REP 103: the front wall ahead, the near (right) wall at −90°, the far (left) one at +90°.
      expect(msg.ranges[beamIndex(0, 360)]).toBeCloseTo(2.78, 1);
      expect(msg.ranges[beamIndex(-Math.PI / 2, 360)]).toBeCloseTo(0.95, 1);
      expect(msg.ranges[beamIndex(Math.PI / 2, 360)]).toBeCloseTo(1.95, 1);
      expect(msg.ranges[beamIndex(Math.PI, 360)]).toBeCloseTo(1.12, 1);
      // Stamped at the revolution's first packet, about one revolution (0.2 s) before it completed.
      expect(receivedAt - stamp).toBeGreaterThan(0.12);
      expect(receivedAt - stamp).toBeLessThan(0.3);
      expect(Math.abs(receivedAt - hostSeconds())).toBeLessThan(3);
      // Beams 1/360 of a revolution apart in time, at the rate measured so far.
      expect(msg.timeIncrement * 360).toBeGreaterThan(1 / 5.5);
      expect(msg.timeIncrement * 360).toBeLessThan(1 / 4.5);
    }
    expect(dev.layout()!.rateHz).toBeGreaterThan(4.5);
    expect(dev.layout()!.rateHz).toBeLessThan(5.5);
    expect(dev.stats().rejected).toBe(0);

    await dev.dispose();
    await until(() => !lds.running, 1000, 'the motor to stop');
    expect(lds.commands[lds.commands.length - 1]).toBe(LDS01_CMD_STOP); // 'e' stops the motor
    expect(lds.running).toBe(false);
    expect(states[states.length - 1]!.state).toBe('disconnected');
  });

  it('drops garbage and corrupted packets on the line and keeps the scan right', async () => {
    const { core, rig } = await rigFor('lds-01');
    const dev = new Lds01Device({ path: rig.devices[0]!.path, checksum: 'strict', ...TIMING });
    const { scans } = watch(dev);
    dev.connect();
    await until(() => scans.length >= 1, 5000, 'a scan');
    // Between the emulator's packets: noise, a stray sync with an unknown index, a half packet, a corrupted packet.
    const pty = rig.devices[0]!.pty;
    const corrupted = Uint8Array.from({ length: 42 }, (_, i) => (i === 0 ? 0xfa : i === 1 ? 0xa5 : 0x33));
    for (let k = 0; k < 10; k++) {
      pty.write(Uint8Array.of(0x00, 0xfa, 0xf9, 0x13));
      pty.write(corrupted.subarray(0, 21));
      pty.write(corrupted);
      await sleep(30);
    }
    const n = scans.length;
    await until(() => scans.length >= n + 2, 3000, 'scans through the noise');
    expect(dev.stats().rejected).toBeGreaterThanOrEqual(10);
    const truth = core.latestScan()!.ranges;
    for (const { msg } of scans) expect(compare(msg.ranges, truth).worst).toBeLessThan(0.001);
  });
});

describe('Lds01Device and an unknown checksum', () => {
  it('still scans a unit whose firmware fills bytes 40-41 by another rule, and says so once', async () => {
    // A bare pty playing a unit that streams from power-up with its own checksum (here: zeros).
    const pty = await createPseudoTerminal();
    cleanups.push(() => pty.close());
    let n = 0;
    const timer = setInterval(() => {
      for (let k = 0; k < 12; k++, n++) {
        const p = encodeLds01Packet({ index: n % 60, rpm: 300, readings: Array.from({ length: 6 }, () => ({ intensity: 900, rangeMm: 1500 })) });
        p[40] = p[41] = 0;
        pty.write(p);
      }
    }, 40);
    cleanups.push(() => clearInterval(timer));
    const dev = new Lds01Device({ path: pty.path, ...TIMING });
    const { scans, states } = watch(dev);
    const faults: DriverFault[] = [];
    dev.on('fault', (f) => faults.push(f));
    dev.connect();
    await until(() => scans.length >= 2, 5000, 'scans');
    expect(states[states.length - 1]!.state).toBe('connected');
    expect(faults).toHaveLength(1);
    expect(faults[0]!.kind).toBe('lidar-checksum-unknown');
    expect(faults[0]!.message).toMatch(/does not use the checksum this driver knows/);
    expect(dev.stats().rejected).toBeGreaterThanOrEqual(60); // the first revolution, while it learnt
    // While it learnt, an odd packet could pass by chance and a revolution come out short;
    // nothing wrong is ever drawn, and once decided every revolution is whole.
    await until(() => scans.length >= 3, 3000, 'scans');
    for (const { msg } of scans) expect(msg.ranges.every((r) => r === Infinity || Math.abs(r - 1.5) < 1e-6)).toBe(true);
    for (const { msg } of scans.slice(1)) expect(msg.ranges.every((r) => Math.abs(r - 1.5) < 1e-6)).toBe(true);
  });
});

describe('Lds02Device over a pseudo-terminal', () => {
  it('reports its layout and delivers the room in REP 103 after the LD08 correction, beam by beam', async () => {
    const { core, rig } = await rigFor('lds-02');
    const dev = new Lds02Device({ path: rig.devices[0]!.path, ...TIMING });
    const { scans, states, layouts } = watch(dev);
    dev.connect();
    await until(() => scans.length >= 4, 5000, 'scans');
    expect(states.map((s) => s.state)).toEqual(['connecting', 'connected']);
    expect(layouts[0]).toMatchObject({ name: 'ROBOTIS LDS-02 (LD08)', beams: 360, rangeMin: 0.16, rangeMax: 8 });
    const truth = core.latestScan()!.ranges;
    for (const { msg, stamp, receivedAt } of scans) {
      const c = compare(msg.ranges, truth);
      // 460 samples a revolution on a 360-beam grid: nearly every beam gets one.
      expect(c.finiteBoth).toBeGreaterThan(350);
      expect(c.onlyOne).toBeLessThan(10);
      expect(c.worst).toBeLessThan(0.03);
      expect(msg.ranges[beamIndex(0, 360)]).toBeCloseTo(2.78, 1);
      expect(msg.ranges[beamIndex(-Math.PI / 2, 360)]).toBeCloseTo(0.95, 1);
      expect(msg.ranges[beamIndex(Math.PI / 2, 360)]).toBeCloseTo(1.95, 1);
      expect(receivedAt - stamp).toBeGreaterThan(0.12);
      expect(receivedAt - stamp).toBeLessThan(0.3);
    }
    expect(dev.layout()!.rateHz).toBeGreaterThan(4.5);
    expect(dev.layout()!.rateHz).toBeLessThan(5.5);
    expect(dev.stats().rejected).toBe(0);
    await dev.dispose();
    expect(states[states.length - 1]!.state).toBe('disconnected');
  });
});

describe('LDS liveness', () => {
  it.each(['lds-01', 'lds-02'] as const)('%s: a silent device is lost within lostAfterMs, and picked up again when it speaks', async (model) => {
    const { emu, rig } = await rigFor(model);
    const Device = model === 'lds-01' ? Lds01Device : Lds02Device;
    const dev = new Device({ path: rig.devices[0]!.path, ...TIMING });
    const { scans, states, layouts } = watch(dev);
    dev.connect();
    await until(() => scans.length >= 1, 5000, 'a scan');
    emu.silent = true;
    const silentAt = hostSeconds();
    await until(() => states.some((s) => s.state === 'lost'), 2000, 'lost');
    const lost = states.find((s) => s.state === 'lost')!;
    expect(lost).toBeDefined();
    expect(lost.at - silentAt).toBeGreaterThanOrEqual(0.35);
    expect(lost.at - silentAt).toBeLessThan(0.8);
    expect(lost.message).toMatch(/^no data for \d+ ms; reconnecting…$/);

    emu.silent = false;
    const before = scans.length;
    await until(() => scans.length > before + 1, 5000, 'scans again');
    expect(scans.length).toBeGreaterThan(before + 1);
    expect(states.map((s) => s.state).slice(-2)).toEqual(['lost', 'connected']);
    expect(layouts).toHaveLength(2); // described again after the reconnect
  });

  it.each(['lds-01', 'lds-02'] as const)('%s: a device that vanishes (pty closed) is lost, and reconnects when it is back at the same path', async (model) => {
    const dir = mkdtempSync(join(tmpdir(), 'foresight-lds-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const linkPath = join(dir, 'lidar.tty');
    const first = await rigFor(model, linkPath);
    const Device = model === 'lds-01' ? Lds01Device : Lds02Device;
    const dev = new Device({ path: linkPath, ...TIMING });
    const { scans, states } = watch(dev);
    dev.connect();
    await until(() => scans.length >= 1, 5000, 'a scan');
    const closedAt = hostSeconds();
    await first.rig.close();
    await until(() => states.some((s) => s.state === 'lost'), 2000, 'lost');
    const lost = states[states.length - 1]!;
    expect(lost.state).toBe('lost');
    // Seen from the port itself (a hangup), not only from the silence that follows.
    expect(lost.message).toMatch(/^the port closed \(.*lidar\.tty disconnected.*\); reconnecting…$/);
    expect(lost.at - closedAt).toBeLessThan(0.35);

    const second = await rigFor(model, linkPath);
    await until(() => states[states.length - 1]!.state === 'connected', 5000, 'the reconnect');
    expect(states.map((s) => s.state).slice(-2)).toEqual(['lost', 'connected']);
    const before = scans.length;
    await until(() => scans.length > before, 5000, 'a scan again');
    expect(compare(scans[scans.length - 1]!.msg.ranges, second.core.latestScan()!.ranges).worst).toBeLessThan(0.03);
    if (model === 'lds-01') expect((second.emu as Lds01Emulator).commands).toContain(LDS01_CMD_START); // 'b' again on the new port
  });

  it('a port that never streams is retried, not reported connected', async () => {
    const { emu, rig } = await rigFor('lds-02');
    emu.silent = true;
    const dev = new Lds02Device({ path: rig.devices[0]!.path, ...TIMING });
    const { states, layouts } = watch(dev);
    dev.connect();
    await sleep(700);
    expect(states.map((s) => s.state)).toEqual(['connecting', 'connecting']);
    expect(states[1]!.message).toMatch(/sends no ROBOTIS LDS-02 \(LD08\) packets; retrying every 100 ms/);
    expect(layouts).toHaveLength(0);
    emu.silent = false;
    await until(() => states[states.length - 1]!.state === 'connected', 3000, 'connected');
    expect(states[states.length - 1]!.state).toBe('connected');
  });
});

describe('LDS defaults', () => {
  it('match the built-in lidar profiles', () => {
    for (const [name, model] of [['lds-01', LDS01_MODEL], ['lds-02', LDS02_MODEL]] as const) {
      const json = JSON.parse(readFileSync(join('resources', 'robots', 'lidars', `${name}.json`), 'utf8')) as LidarProfile;
      expect({ baudRate: model.baudRate, beams: model.beams, rangeMin: model.rangeMin, rangeMax: model.rangeMax, rateHz: model.rateHz })
        .toEqual({ baudRate: json.baudRate, beams: json.beams, rangeMin: json.rangeMin, rangeMax: json.rangeMax, rateHz: json.rateHz });
    }
  });
});
