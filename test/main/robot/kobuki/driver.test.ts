/**
 * The Kobuki driver over a real pseudo-terminal, against the emulated mainboard (the simulator
 * behind the Kobuki serial protocol): connect, versions and capabilities, odometry in SI/REP
 * 103 matching the simulated pose (also across the uint16 encoder and clock wrap), the
 * speed/radius conventions (on the spot turns the right way, straight goes straight), stop,
 * a safe dispose, what the robot does when its host vanishes (it keeps driving: no firmware
 * dead-man), bumper/wheel-drop/cliff in words, a firmware of another major version refused,
 * and the fuzz ledger (corrupt frames, a silent board, a board that vanishes and comes back).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type ExpectStatic, type TestContext } from 'vitest';
import { hostSeconds } from '../../../../src/main/core/clock';
import { SerialTransport } from '../../../../src/main/link';
import { KobukiDriver } from '../../../../src/main/robot/kobuki/driver';
import { builtinCatalog, findRobotProfile } from '../../../../src/main/robot/profiles';
import { normalizeAngle, type Pose2D } from '../../../../src/shared/geometry';
import { Fault, type OdometryMsg } from '../../../../src/shared/protocol';
import { KobukiBumper, KobukiCliff, KobukiWheelDrop } from '../../../../src/shared/protocols/kobuki';
import { KobukiEmulator, type KobukiEmulatorOptions } from '../../../../src/sim/emulators/kobuki';
import { plugIntoPty, startRigOnPtys, type RigOnPty } from '../../../../src/sim/emulators/on-pty';
import { robotParamsFor } from '../../../../src/sim/emulators/profile-params';
import { createPseudoTerminal } from '../../../../src/sim/pty';
import { SimCore } from '../../../../src/sim/sim-core';
import { roomGrid } from '../../../sim/helpers';
import { recordDriver, simInOdom, sleep, until } from '../driver-harness';

const KOBUKI = findRobotProfile(builtinCatalog('resources'), 'kobuki');
const START: Pose2D = { x: 2, y: 3, theta: 0.5 };

/**
 * One simulated Kobuki on its own pty and a driver for it, torn down when the test ends. The
 * tests run concurrently (each robot runs in real time, so this keeps the file short): each
 * uses its own context's `expect` and `onTestFinished`.
 */
async function setup(ctx: TestContext, options: KobukiEmulatorOptions = {}, linkPath?: string) {
  const cleanups: (() => Promise<void> | void)[] = [];
  ctx.onTestFinished(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  const core = new SimCore({ map: roomGrid(8, 6), seed: 1, baseRobot: robotParamsFor(KOBUKI, null), startPose: START });
  const emu = new KobukiEmulator(core, KOBUKI, options);
  const rig: RigOnPty = await startRigOnPtys(core, [emu], [linkPath]);
  cleanups.push(() => rig.close());
  const transport = new SerialTransport({ path: rig.devices[0]!.path, baudRate: KOBUKI.baudRate });
  const driver = new KobukiDriver({ transport, profile: KOBUKI, timing: { retryMs: 100, lostAfterMs: 400 } });
  cleanups.push(() => driver.dispose());
  const rec = recordDriver(driver);
  const connected = () => until(() => rec.odometry.length > 0, 4000, 'odometry');
  return { core, emu, rig, driver, ...rec, connected, cleanups };
}

function expectOdomMatchesSim(expect: ExpectStatic, odom: OdometryMsg, core: SimCore, tolerance = 0.02): void {
  const sim = simInOdom(core, START);
  // The newest frame may lag the sim by up to a 20 ms period of motion.
  expect(Math.hypot(odom.x - sim.x, odom.y - sim.y)).toBeLessThan(tolerance);
  expect(Math.abs(normalizeAngle(odom.theta - sim.theta))).toBeLessThan(0.03);
}

describe.concurrent('KobukiDriver over a pseudo-terminal', () => {
  it('connects, says the versions, and streams odometry at 50 Hz and status in SI', async (ctx) => {
    const { expect } = ctx;
    const t = await setup(ctx);
    t.driver.connect();
    await t.connected();
    expect(t.states.map((s) => s.state)).toEqual(['connecting', 'handshaking', 'connected']);
    expect(t.emu.requests[0]).toBe(0x0b); // hardware, firmware and UDID asked at connect
    expect(t.caps).toHaveLength(1);
    expect(t.caps[0]).toMatchObject({ driver: 'kobuki', drive: 'differential', reverses: true, lidar: 'none', watchdog: null });
    expect(t.caps[0]!.spec).toMatchObject({ wheelBase: 0.23, maxLinearVelocity: 0.7, lidarBeams: 0 });
    expect(t.caps[0]!.spec.name).toBe('Yujin Kobuki (TurtleBot 2) (hardware 1.0.4, firmware 1.2.0, id 97713968-842422349-1361404194)');
    const n0 = t.odometry.length;
    await sleep(1000);
    const rate = t.odometry.length - n0;
    expect(rate).toBeGreaterThan(40);
    expect(rate).toBeLessThan(60);
    expect(t.last()).toMatchObject({ type: 'odometry', lastCommandSeq: -1 });
    expect(Math.hypot(t.last().x, t.last().y)).toBeLessThan(1e-3);
    for (const s of t.odometry) expect(s.stamp).toBeLessThanOrEqual(s.receivedAt);
    // Status at 2 Hz: 0.1 V units of the simulated 4S pack, kobuki_core's percent estimate.
    expect(t.status.length).toBeGreaterThanOrEqual(2);
    expect(t.status.length).toBeLessThanOrEqual(4);
    const st = t.status[t.status.length - 1]!.frame.msg;
    expect(st.batteryVoltage).toBeCloseTo(t.core.status().batteryVoltage, 1);
    expect(st.batteryPercent).toBeGreaterThan(90);
    expect(st).toMatchObject({ faults: 0, estopPressed: false, motorsEnabled: true });
    expect(t.driver.status()).toMatchObject({ state: 'connected', badFrames: 0, crcErrors: 0 });
  });

  it('drives at the commanded speed with odometry matching the simulated pose (REP 103), and stops', async (ctx) => {
    const { expect } = ctx;
    const t = await setup(ctx);
    t.driver.connect();
    await t.connected();
    await t.hold(0.3, 0.5, 1500);
    expect(t.core.odometry().v).toBeCloseTo(0.3, 2);
    expect(t.core.odometry().w).toBeCloseTo(0.5, 2);
    expect(t.emu.lastBaseControl).toEqual({ speed: 358, radius: 600 }); // R = v/w = 600 mm, speed (R + 115)·w = 357.5
    expect(t.last().v).toBeCloseTo(0.3, 1);
    expect(t.last().w).toBeCloseTo(0.5, 1);
    expectOdomMatchesSim(expect, t.last(), t.core);
    // Left turn, forwards: in odom the robot is ahead (x > 0) and to the left (y > 0), heading up.
    expect(t.last().x).toBeGreaterThan(0.2);
    expect(t.last().y).toBeGreaterThan(0.02);
    expect(t.last().theta).toBeGreaterThan(0.3);

    t.driver.stop('operator');
    await until(() => t.emu.lastBaseControl?.speed === 0, 500, 'the zero Base Control');
    expect(t.emu.lastBaseControl).toEqual({ speed: 0, radius: 0 });
    await until(() => Math.abs(t.core.odometry().v) < 1e-3 && Math.abs(t.core.odometry().w) < 1e-3, 2000, 'the robot to stop');
    await sleep(100);
    expectOdomMatchesSim(expect, t.last(), t.core);
    expect(Math.abs(t.last().v)).toBeLessThan(0.01);
  });

  it('turns on the spot the right way (radius 1) and goes straight (radius 0)', async (ctx) => {
    const { expect } = ctx;
    const t = await setup(ctx);
    t.driver.connect();
    await t.connected();
    for (const w of [1.0, -1.0]) {
      t.driver.stop('operator');
      await until(() => Math.abs(t.core.odometry().w) < 1e-3, 2000, 'the robot at rest');
      const before = t.core.odometry();
      await t.hold(0, w, 1000);
      const after = t.core.odometry();
      expect(t.emu.lastBaseControl).toEqual({ speed: Math.sign(w) * 115, radius: 1 });
      expect(after.w).toBeCloseTo(w, 1);
      expect(Math.sign(normalizeAngle(after.theta - before.theta))).toBe(Math.sign(w));
      expect(Math.hypot(after.x - before.x, after.y - before.y)).toBeLessThan(0.005);
      expect(t.last().w).toBeCloseTo(w, 1);
    }
    t.driver.stop('operator');
    await until(() => Math.abs(t.core.odometry().w) < 1e-3, 2000, 'the turn to stop');
    const before = t.core.odometry();
    await t.hold(0.3, 0, 1200);
    const after = t.core.odometry();
    expect(t.emu.lastBaseControl).toEqual({ speed: 300, radius: 0 });
    // (What is left of the last turn's decay: well under a milliradian.)
    expect(Math.abs(normalizeAngle(after.theta - before.theta))).toBeLessThan(1e-3);
    // Along the heading, no sideways drift.
    const ahead = (after.x - before.x) * Math.cos(before.theta) + (after.y - before.y) * Math.sin(before.theta);
    const aside = -(after.x - before.x) * Math.sin(before.theta) + (after.y - before.y) * Math.cos(before.theta);
    expect(ahead).toBeGreaterThan(0.2);
    expect(Math.abs(aside)).toBeLessThan(1e-3);
    expectOdomMatchesSim(expect, t.last(), t.core);
  });

  it('keeps odometry right across the uint16 wrap of encoders and firmware clock, forwards and back', async (ctx) => {
    const { expect } = ctx;
    const t = await setup(ctx, { encoderStart: { left: 65300, right: 150 }, clockStartMs: 65000 });
    t.driver.connect();
    await t.connected();
    await t.hold(0.3, 0, 800); // the left counter passes 65535 → 0, and the clock 65535 → 0
    expectOdomMatchesSim(expect, t.last(), t.core);
    expect(t.last().v).toBeCloseTo(0.3, 1);
    await t.hold(-0.3, 0, 2000); // back past the wrap; the right counter goes below 0
    expectOdomMatchesSim(expect, t.last(), t.core);
    expect(t.last().v).toBeCloseTo(-0.3, 1);
    expect(t.last().x).toBeLessThan(0);
  });

  it('drops corrupt frames, counts them, and keeps odometry right', async (ctx) => {
    const { expect } = ctx;
    const t = await setup(ctx, { corruptEvery: 5 });
    t.driver.connect();
    await t.connected();
    await t.hold(0.25, -0.4, 1500);
    expectOdomMatchesSim(expect, t.last(), t.core);
    const s = t.driver.status();
    expect(s.crcErrors).toBeGreaterThanOrEqual(Math.floor(t.emu.framesSent / 5) - 12); // those before the port opened were never read
    expect(s.crcErrors).toBeLessThanOrEqual(Math.ceil(t.emu.framesSent / 5));
    expect(t.badFrames.every((b) => b.reason === 'checksum')).toBe(true);
    expect(s.state).toBe('connected');
  });

  it('reports bumper as a fault bit and wheel drop, cliff and over-current in words', async (ctx) => {
    const { expect } = ctx;
    const t = await setup(ctx);
    t.driver.connect();
    await t.connected();
    t.emu.inject.wheelDrop = KobukiWheelDrop.Left;
    t.emu.inject.cliff = KobukiCliff.Centre | KobukiCliff.Right;
    t.emu.inject.bumper = KobukiBumper.Left;
    await until(() => t.faults.length >= 2, 1000, 'wheel drop and cliff faults');
    await sleep(100);
    expect(t.faults.map((f) => [f.kind, f.message])).toEqual([
      ['kobuki-wheel-drop', "the Kobuki's left wheel has dropped: it is lifted or over an edge"],
      ['kobuki-cliff', "the Kobuki's centre and right cliff sensors see no floor ahead"],
    ]);
    const st = t.status[t.status.length - 1]!.frame.msg;
    expect(st.faults & Fault.Bumper).toBe(Fault.Bumper);
    t.emu.inject.overCurrent = 0x02;
    await until(() => t.faults.length >= 3, 1000, 'the over-current fault');
    expect(t.faults[2]!.message).toBe("the Kobuki's right wheel motor draws too much current; the board cuts motor power");
    await until(() => (t.status[t.status.length - 1]!.frame.msg.faults & Fault.MotorOvercurrent) !== 0, 1000, 'the over-current bit');
    expect(t.status[t.status.length - 1]!.frame.msg.motorsEnabled).toBe(false);
    // Said once, not every frame.
    await sleep(200);
    expect(t.faults).toHaveLength(3);
  });

  it('leaves the robot stopped on dispose', async (ctx) => {
    const { expect } = ctx;
    const t = await setup(ctx);
    t.driver.connect();
    await t.connected();
    await t.hold(0.3, 0, 800);
    expect(t.core.odometry().v).toBeGreaterThan(0.2);
    await t.driver.dispose();
    // The zero Base Control was written before the port closed; the pty delivers it.
    await until(() => t.emu.lastBaseControl?.speed === 0, 500, 'the zero Base Control');
    expect(t.emu.lastBaseControl).toEqual({ speed: 0, radius: 0 });
    await until(() => Math.abs(t.core.odometry().v) < 1e-3, 2000, 'the robot to stop');
    expect(t.states[t.states.length - 1]!.state).toBe('disconnected');
  });

  it('refuses a firmware of another major version, in words', async (ctx) => {
    const { expect } = ctx;
    const t = await setup(ctx, { firmwareVersion: { major: 2, minor: 0, patch: 0 } });
    t.driver.connect();
    await until(() => t.states.some((s) => /firmware 2\.0\.0/.test(s.message)), 3000, 'the refusal');
    expect(t.states.some((s) => s.state === 'connected')).toBe(false);
    expect(t.states[t.states.length - 1]).toMatchObject({ state: 'incompatible', message: expect.stringMatching(/runs firmware 2\.0\.0, whose protocol this driver does not know \(major version 1 expected\).*trying again every 5 s/) });
    expect(t.odometry).toHaveLength(0);
  });
});

describe.concurrent('KobukiDriver fuzz ledger: silence and a vanishing board', () => {
  it('goes lost when the board falls silent, and reconnects when it streams again', async (ctx) => {
    const { expect } = ctx;
    const t = await setup(ctx);
    t.driver.connect();
    await t.connected();
    t.emu.silent = true;
    const silentAt = hostSeconds();
    await until(() => t.states.some((s) => s.state === 'lost'), 1500, 'lost');
    expect(t.states.find((s) => s.state === 'lost')!.at - silentAt).toBeLessThan(0.7);
    t.emu.silent = false;
    await until(() => t.states[t.states.length - 1]!.state === 'connected', 3000, 'the reconnect');
    expect(t.states.map((s) => s.state).slice(-2)).toEqual(['lost', 'connected']);
    expect(t.caps).toHaveLength(2); // described again
    expect(t.driver.status().reconnects).toBe(1);
  });

  it('has no firmware dead-man: pulled while driving it keeps going; plugged back, odometry carries on and the driver stops it', async (ctx) => {
    const { expect } = ctx;
    const link = tempLink(ctx);
    const t = await setup(ctx, {}, link);
    t.driver.connect();
    await t.connected();
    await t.hold(0.2, 0, 800);
    // The USB cable comes out: the port vanishes under the driver.
    await t.rig.devices[0]!.pty.close();
    await until(() => t.states.some((s) => s.state === 'lost'), 1500, 'lost');
    await sleep(600);
    // The Kobuki heard no stop and has no timeout of its own: still driving at 0.2 m/s.
    expect(t.core.odometry().v).toBeCloseTo(0.2, 2);
    // Plugged back in (the same path): the driver reconnects and, with no fresh command, sends zero.
    const pty = await createPseudoTerminal({ linkPath: link });
    t.cleanups.push(() => pty.close());
    plugIntoPty(pty, t.emu);
    await until(() => t.states[t.states.length - 1]!.state === 'connected', 3000, 'the reconnect');
    await until(() => Math.abs(t.core.odometry().v) < 1e-3, 2000, 'the robot to stop');
    expect(t.emu.lastBaseControl).toEqual({ speed: 0, radius: 0 });
    // The board's clock ran on, so the counters were differenced across the gap: the metres
    // driven while unplugged are in the odometry, which still matches the robot.
    await sleep(60);
    expectOdomMatchesSim(expect, t.last(), t.core);
    expect(t.last().x).toBeGreaterThan(0.25);
  });

  it('re-anchors odometry on a board that restarted while unplugged: no jump, then tracks again', async (ctx) => {
    const { expect } = ctx;
    const link = tempLink(ctx);
    const t = await setup(ctx, {}, link);
    t.driver.connect();
    await t.connected();
    await t.hold(0.2, 0.3, 600);
    t.driver.stop('operator');
    await until(() => Math.abs(t.core.odometry().v) < 1e-4 && Math.abs(t.core.odometry().w) < 1e-4, 2000, 'the robot at rest');
    await sleep(60);
    const before = t.last();
    await t.rig.devices[0]!.pty.close();
    await until(() => t.states.some((s) => s.state === 'lost'), 1500, 'lost');
    // A power cycle: the clock starts again (here 30 s off what it would read), counters elsewhere, gyro at zero.
    const rebooted = new KobukiEmulator(t.core, KOBUKI, { clockStartMs: 30000, encoderStart: { left: 40000, right: 1234 } });
    t.rig.rig.devices.push(rebooted);
    const pty = await createPseudoTerminal({ linkPath: link });
    t.cleanups.push(() => pty.close());
    plugIntoPty(pty, rebooted);
    const n = t.odometry.length;
    await until(() => t.states[t.states.length - 1]!.state === 'connected' && t.odometry.length > n + 3, 3000, 'the reconnect');
    expect(Math.hypot(t.last().x - before.x, t.last().y - before.y)).toBeLessThan(1e-3);
    expect(Math.abs(normalizeAngle(t.last().theta - before.theta))).toBeLessThan(1e-3);
    // The robot did not move while away, so the odom frame still sits on START and tracks it.
    await t.hold(0.2, -0.4, 600);
    await sleep(60);
    expectOdomMatchesSim(expect, t.last(), t.core);
  });
});

/** A symlink path in a fresh temporary directory, removed after the test: the device's stable name. */
function tempLink(ctx: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'kobuki-'));
  ctx.onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'kobuki.tty');
}
