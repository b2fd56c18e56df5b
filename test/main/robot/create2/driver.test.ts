/**
 * The Create 2 driver over a real pseudo-terminal, against the emulated Create 2 (the
 * simulator behind the Open Interface): connect and capabilities, odometry in SI/REP 103
 * matching the simulated pose across the encoders' 16-bit roll-over, driving and stopping,
 * the robot's lack of a dead-man (it drives on when commands stop) against the driver's own
 * (zero once the command is stale), a safe dispose (OI Off), bumps, wheel drops, cliffs and
 * the fall to Passive said in words, and the fuzz ledger: hostile bytes, a silent robot, a
 * robot that never answers, a robot that vanishes and comes back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hostSeconds } from '../../../../src/main/core/clock';
import { SerialTransport } from '../../../../src/main/link';
import { CREATE2_STREAM_PACKETS, Create2Driver } from '../../../../src/main/robot/create2/driver';
import type { RobotLinkState } from '../../../../src/main/robot/driver';
import { builtinCatalog, findRobotProfile } from '../../../../src/main/robot/profiles';
import { Fault } from '../../../../src/shared/protocol';
import { OiMode, Opcode, encodeStreamFrame, streamChecksum, wrapEncoderCounts, type OiCommand } from '../../../../src/shared/protocols/create2';
import { Create2Emulator, type Create2EmulatorOptions } from '../../../../src/sim/emulators/create2';
import { plugIntoPty, startRigOnPtys } from '../../../../src/sim/emulators/on-pty';
import { robotParamsFor } from '../../../../src/sim/emulators/profile-params';
import { createPseudoTerminal } from '../../../../src/sim/pty';
import { SimCore } from '../../../../src/sim/sim-core';
import { roomGrid } from '../../../sim/helpers';
import { MutableTransport, recordDriver, sleep, until } from '../driver-harness';

const PROFILE = findRobotProfile(builtinCatalog('resources'), 'create2');
const START = { x: 2, y: 3, theta: 0 };

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface SetupOptions {
  emulator?: Create2EmulatorOptions;
  startPose?: { x: number; y: number; theta: number };
  linkPath?: string;
  timing?: { startTimeoutMs?: number };
}

/** `hold` refreshes the velocity every 40 ms, as the console's loop would. */
async function setup(opts: SetupOptions = {}) {
  const core = new SimCore({ map: roomGrid(8, 6), seed: 1, baseRobot: robotParamsFor(PROFILE, null), startPose: opts.startPose ?? START });
  const emu = new Create2Emulator(core, PROFILE, opts.emulator);
  const rig = await startRigOnPtys(core, [emu], [opts.linkPath]);
  cleanups.push(() => rig.close());
  const transport = new MutableTransport(new SerialTransport({ path: rig.devices[0]!.path, baudRate: PROFILE.baudRate }));
  const driver = new Create2Driver({ transport, profile: PROFILE, timing: { retryMs: 100, lostAfterMs: 400, ...opts.timing } });
  cleanups.push(() => driver.dispose());
  return { core, emu, rig, transport, driver, ...recordDriver(driver, 40) };
}

async function connected(driver: Create2Driver, states: RobotLinkState[]): Promise<void> {
  driver.connect();
  await until(() => states.at(-1)?.state === 'connected', 3000, 'connected');
}

const opcodes = (cmds: readonly OiCommand[]) => cmds.map((c) => c.opcode);
const isDriveDirect = (c: OiCommand, right: number, left: number) =>
  c.opcode === Opcode.DriveDirect && [...c.data].join() === [(right >> 8) & 0xff, right & 0xff, (left >> 8) & 0xff, left & 0xff].join();

describe('Create2Driver over a pseudo-terminal', () => {
  it('connects with Start, Safe and Stream; describes itself from the profile; streams odometry and battery', async () => {
    const { core, emu, driver, states, odometry, status, caps } = await setup();
    await connected(driver, states);
    expect(states.map((s) => s.state)).toEqual(['connecting', 'handshaking', 'connected']);
    expect(opcodes(emu.received.slice(0, 3))).toEqual([Opcode.Start, Opcode.Safe, Opcode.Stream]);
    expect([...emu.received[2]!.data]).toEqual([13, ...CREATE2_STREAM_PACKETS]);
    expect(emu.mode).toBe(OiMode.Safe);
    expect(emu.streaming).toBe(true);

    expect(caps).toHaveLength(1);
    expect(caps[0]).toMatchObject({ driver: 'create2', drive: 'differential', reverses: true, lidar: 'none', screen: false, watchdog: null });
    expect(caps[0]!.spec).toMatchObject({ name: 'iRobot Create 2', wheelBase: 0.235, maxLinearVelocity: 0.5 });
    expect(driver.capabilities()).toEqual(caps[0]);

    const before = odometry.length;
    await sleep(600);
    // One odometry per 15 ms stream frame: ~67 Hz, 40 in 600 ms.
    const count = odometry.length - before;
    expect(count).toBeGreaterThan(32);
    expect(count).toBeLessThan(48);
    expect(driver.status().frameRateHz).toBeGreaterThan(32); // messages heard in the last second (connected ~0.7 s)
    const last = odometry.at(-1)!;
    expect(last.frame.msg).toMatchObject({ x: 0, y: 0, theta: 0, v: 0, w: 0, lastCommandSeq: -1 });
    expect(last.stamp).toBeLessThanOrEqual(last.receivedAt);
    expect(Math.abs(last.receivedAt - hostSeconds())).toBeLessThan(1);

    expect(status.length).toBeGreaterThanOrEqual(3); // 5 Hz
    const s = status.at(-1)!.frame.msg;
    expect(s.batteryVoltage).toBeCloseTo(core.status().batteryVoltage, 2);
    expect(s.batteryPercent).toBe(core.status().batteryPercent);
    expect(s).toMatchObject({ faults: 0, estopPressed: false, motorsEnabled: true });
    expect(driver.status().badFrames).toBe(0);
  });

  it('drives at the commanded speed, odometry follows the simulated pose across the encoder roll-over, stop() stops it', async () => {
    const { core, emu, driver, hold, states, odometry } = await setup({ emulator: { initialEncoderCounts: { left: 65300, right: 65200 } } });
    await connected(driver, states);
    await hold(0.25, 0.4, 1200);
    // Drive Direct right then left: 0.25 ± 0.4 × 0.1175 m/s → 297 and 203 mm/s.
    expect(isDriveDirect(emu.received.at(-1)!, 297, 203)).toBe(true);
    const sim = core.odometry();
    expect(sim.v).toBeCloseTo(0.25, 2);
    expect(sim.w).toBeCloseTo(0.4, 2);
    // Both encoders rolled over 65535 on the way.
    expect(emu.encoderCounts().left).toBeLessThan(65300);
    expect(emu.encoderCounts().right).toBeLessThan(65200);

    const last = odometry.at(-1)!.frame.msg;
    expect(Math.abs(last.v - 0.25)).toBeLessThan(0.02);
    expect(Math.abs(last.w - 0.4)).toBeLessThan(0.05);
    // odom starts at the robot's pose at connection (here heading 0, so axes agree with the map).
    expect(Math.abs(last.x - (sim.x - START.x))).toBeLessThan(0.02);
    expect(Math.abs(last.y - (sim.y - START.y))).toBeLessThan(0.02);
    expect(Math.abs(last.theta - sim.theta)).toBeLessThan(0.02);
    expect(last.x).toBeGreaterThan(0.15);
    // Continuous through the roll-over: no sample jumps more than a frame's travel.
    for (let i = 1; i < odometry.length; i++) {
      const a = odometry[i - 1]!.frame.msg;
      const b = odometry[i]!.frame.msg;
      expect(Math.hypot(b.x - a.x, b.y - a.y)).toBeLessThan(0.02);
    }

    driver.stop('operator');
    await until(() => isDriveDirect(emu.received.at(-1)!, 0, 0), 300, 'Drive Direct 0,0');
    await until(() => Math.abs(core.odometry().v) < 0.005 && Math.abs(core.odometry().w) < 0.01, 1500, 'the robot to stop');
    await sleep(150);
    expect(Math.abs(odometry.at(-1)!.frame.msg.v)).toBeLessThan(0.01);
  });

  it('has no firmware dead-man: with commands cut the Create drives on; the driver’s own dead-man sends zero while connected', async () => {
    const { core, emu, transport, driver, hold, states } = await setup();
    await connected(driver, states);
    await hold(0.2, 0, 700);
    expect(core.odometry().v).toBeCloseTo(0.2, 2);

    // The console hangs (nothing reaches the robot): the Create keeps its last wheel speeds.
    transport.muted = true;
    await sleep(100); // what was already on the line arrives
    const heard = emu.received.length;
    await sleep(500);
    expect(emu.received.length).toBe(heard);
    expect(core.odometry().v).toBeCloseTo(0.2, 2);
    expect(emu.wheelSpeeds).toEqual({ right: 200, left: 200 });

    // Commands flow again but the console stops refreshing its velocity: after commandHoldMs
    // (300 ms) the driver sends zero, every 50 ms, for as long as it is connected.
    transport.muted = false;
    driver.setVelocity({ v: 0.2, w: 0 }, hostSeconds());
    await sleep(450);
    expect(emu.wheelSpeeds).toEqual({ right: 0, left: 0 });
    await until(() => Math.abs(core.odometry().v) < 0.01, 1000, 'the robot to stop');
    const zeros = emu.received.slice(-5);
    expect(zeros.every((c) => isDriveDirect(c, 0, 0))).toBe(true);
  });

  it('dispose leaves the robot stopped with the OI Off and sends nothing more', async () => {
    const { core, emu, driver, hold, states } = await setup();
    await connected(driver, states);
    const driving = hold(0.2, 0, 650);
    await sleep(600);
    expect(core.odometry().v).toBeGreaterThan(0.12);
    await driver.dispose();
    await driving;
    await until(() => emu.mode === OiMode.Off, 500, 'OI off');
    const tail = emu.received.slice(-3);
    expect(isDriveDirect(tail[0]!, 0, 0)).toBe(true);
    expect(tail[1]).toEqual({ opcode: Opcode.PauseResumeStream, data: Uint8Array.from([0]) });
    expect(tail[2]!.opcode).toBe(Opcode.Stop);
    expect(emu.streaming).toBe(false);
    expect(states.at(-1)!.state).toBe('disconnected');
    const heard = emu.received.length;
    await until(() => Math.abs(core.odometry().v) < 0.005, 1500, 'the robot to stop');
    await sleep(100);
    expect(emu.received.length).toBe(heard); // the command stream stopped with the driver
  });

  it('says bumps, wheel drops, cliffs and the fall to Passive in words; re-arming Safe drives again', async () => {
    // 0.18 m from the east wall (x = 7.95 m) to the robot's front (0.174 m ahead of its centre).
    const { core, emu, driver, hold, states, status, faults } = await setup({ startPose: { x: 7.6, y: 3, theta: 0 } });
    await connected(driver, states);
    await hold(0.1, 0, 300);
    emu.setWheelDrops({ right: true });
    await until(() => faults.some((f) => f.kind === 'create2-passive'), 1000, 'passive fault');
    expect(faults.find((f) => f.kind === 'create2-wheel-drop')!.message).toMatch(/right wheel dropped.*Safe mode stops it/);
    expect(faults.find((f) => f.kind === 'create2-passive')!.message).toMatch(/stopped itself and left Safe mode for Passive after a wheel drop.*ignores drive commands until it is put back in Safe mode/);
    await until(() => status.at(-1)?.frame.msg.motorsEnabled === false, 500, 'motors disabled in status');
    await until(() => Math.abs(core.odometry().v) < 0.002, 1000, 'the robot to stop itself');
    // The driver does not re-enter Safe by itself: commands go unheeded.
    await hold(0.1, 0, 400);
    expect(emu.mode).toBe(OiMode.Passive);
    expect(Math.abs(core.odometry().v)).toBeLessThan(0.002);

    emu.setWheelDrops({ right: false });
    expect(driver.reenterSafeMode()).toBe(true);
    await until(() => emu.mode === OiMode.Safe, 500, 'Safe again');
    const bumpSeen = (async () => {
      const end = Date.now() + 6000;
      while (Date.now() < end && !((status.at(-1)?.frame.msg.faults ?? 0) & Fault.Bumper)) await hold(0.2, 0, 80);
    })();
    await bumpSeen;
    expect(status.at(-1)!.frame.msg.faults & Fault.Bumper).toBe(Fault.Bumper);
    expect(status.at(-1)!.frame.msg.motorsEnabled).toBe(true);

    emu.setCliffs({ frontLeft: true, frontRight: true });
    await hold(0.1, 0, 300);
    const cliff = faults.find((f) => f.kind === 'create2-cliff')!;
    expect(cliff.message).toMatch(/sees a drop \(cliff sensor front-left, front-right\)/);
    await until(() => faults.filter((f) => f.kind === 'create2-passive').length === 2, 1000, 'second passive');
    expect(faults.at(-1)!.message).toMatch(/at a cliff \(front-left, front-right\)/);
  });
});

describe('Create2Driver fuzz ledger', () => {
  it('drops garbage, bad checksums, wrong lengths, truncated frames and unknown ids; none of them moves the robot or its odometry', async () => {
    const { core, emu, driver, states, odometry, badFrames } = await setup();
    await connected(driver, states);
    await sleep(100);
    const counts = emu.encoderCounts();
    // A frame in the driver's layout whose encoders jumped by 5000 counts (2.2 m).
    const valuesOf = (id: number) => (id === 43 ? wrapEncoderCounts(counts.left + 5000) : id === 44 ? wrapEncoderCounts(counts.right + 5000) : id === 35 ? OiMode.Safe : 0);
    const frame = encodeStreamFrame(CREATE2_STREAM_PACKETS, valuesOf);
    const badChecksum = Uint8Array.from(frame);
    badChecksum[badChecksum.length - 1] ^= 0x01;
    const wrongLength = encodeStreamFrame([43, 44], valuesOf);
    const truncated = frame.subarray(0, 20);
    const foreign = Uint8Array.from(frame);
    foreign[2] = 8; // packet 7's slot holds id 8 (Wall, not requested): still a valid checksum
    foreign[foreign.length - 1] = streamChecksum(foreign, 0, foreign.length - 1);
    const unknown = Uint8Array.from(frame);
    unknown[2] = 99; // an id the OI does not have
    unknown[unknown.length - 1] = streamChecksum(unknown, 0, unknown.length - 1);

    for (const hostile of [Uint8Array.from([0, 255, 7, 42]), badChecksum, wrongLength, truncated, foreign, unknown]) {
      emu.inject(hostile);
      await sleep(60); // a good frame in between, so each is met where a frame was expected
    }
    await sleep(100);
    const reasons = badFrames.map((b) => b.reason);
    expect(new Set(reasons)).toEqual(new Set(['create2-garbage', 'create2-checksum', 'create2-length', 'create2-truncated', 'create2-packet-ids']));
    expect(reasons.filter((r) => r === 'create2-packet-ids')).toHaveLength(2);
    expect(driver.status().crcErrors).toBe(1);
    expect(driver.status().badFrames).toBe(reasons.length);
    // Nothing moved: the robot stands still and odometry never saw the 2.2 m jump.
    for (const o of odometry) expect(Math.hypot(o.frame.msg.x, o.frame.msg.y)).toBeLessThan(0.001);
    expect(core.odometry().v).toBe(0);
    expect(states.at(-1)!.state).toBe('connected');
    const before = odometry.length;
    await sleep(200);
    expect(odometry.length - before).toBeGreaterThan(8);
  });

  it('a silent robot goes lost within lostAfterMs, is told to stop on the way, and reconnects when it talks again', async () => {
    const { core, emu, driver, hold, states } = await setup();
    await connected(driver, states);
    await hold(0.2, 0, 600);
    expect(core.odometry().v).toBeGreaterThan(0.15);
    emu.silent = true; // hears, but its TX line is broken
    const silentAt = hostSeconds();
    const driving = hold(0.2, 0, 700);
    await until(() => states.at(-1)?.state === 'lost', 1500, 'lost');
    expect(states.at(-1)!.at - silentAt).toBeLessThan(0.7);
    expect(states.at(-1)!.message).toMatch(/no data from the iRobot Create 2 for \d+ ms/);
    await driving;
    // Drive Direct 0,0 went out before the port closed: the robot, which would drive on, stopped.
    await until(() => Math.abs(core.odometry().v) < 0.01, 1500, 'the robot to stop');
    expect(emu.wheelSpeeds).toEqual({ right: 0, left: 0 });

    emu.silent = false;
    await until(() => states.at(-1)?.state === 'connected', 3000, 'reconnected');
    expect(states.map((s) => s.state).slice(-2)).toEqual(['lost', 'connected']);
    expect(emu.mode).toBe(OiMode.Safe);
    expect(driver.status().reconnects).toBe(1);
  });

  it('says in words that nothing streams when the robot never answers, and keeps asking', async () => {
    const { emu, driver, states } = await setup({ timing: { startTimeoutMs: 700 } });
    emu.silent = true;
    driver.connect();
    await until(() => states.some((s) => /no sensor stream from the Create 2/.test(s.message)), 2000, 'the words');
    expect(states.at(-1)!.message).toMatch(/is it switched on\? press Clean to wake it; the cable must run at 115200 baud.*retrying every 100 ms/);
    expect(states.some((s) => s.state === 'connected')).toBe(false);
    // Start, Safe and Stream went out again every 500 ms while waiting.
    expect(opcodes(emu.received).filter((o) => o === Opcode.Start).length).toBeGreaterThanOrEqual(2);
  });

  it('a robot that vanishes goes lost (and drives on: no dead-man), then reconnects on the same path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'create2-test-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const linkPath = join(dir, 'create2.tty');
    const { core, emu, rig, driver, hold, states, odometry } = await setup({ linkPath });
    await connected(driver, states);
    await hold(0.15, 0, 600);
    await rig.devices[0]!.pty.close(); // the USB cable is pulled
    await until(() => states.at(-1)?.state === 'lost', 1500, 'lost');
    await sleep(300);
    // Nobody can reach it: it keeps the last wheel speeds, as a real Create 2 does.
    expect(core.odometry().v).toBeCloseTo(0.15, 2);

    const pty = await createPseudoTerminal({ linkPath }); // plugged back in
    cleanups.push(() => pty.close());
    plugIntoPty(pty, emu);
    const before = odometry.length;
    await until(() => states.at(-1)?.state === 'connected', 3000, 'reconnected');
    expect(states.map((s) => s.state).slice(-2)).toEqual(['lost', 'connected']);
    await until(() => odometry.length > before + 5, 1000, 'odometry again');
    // Reconnecting re-entered the OI (Start → Passive stops the wheels, then Safe), and the
    // driver's stream holds zero: the robot stands.
    await until(() => Math.abs(core.odometry().v) < 0.01, 1500, 'the robot to stop');
    expect(emu.mode).toBe(OiMode.Safe);
    // odom carried on, including what the robot drove while nobody could hear it.
    await sleep(100);
    const last = odometry.at(-1)!.frame.msg;
    expect(last.x).toBeGreaterThan(0.1);
    expect(Math.abs(last.x - (core.odometry().x - START.x))).toBeLessThan(0.02);
  });
});
