/**
 * The TurtleBot3 driver over a real pseudo-terminal, against the emulated OpenCR (the
 * simulator running behind turtlebot3_ros2's control table): connect and capabilities,
 * odometry in SI/REP 103 matching the simulated pose, driving and stopping, the firmware's
 * 500 ms heartbeat dead-man when the host stops sending, a safe dispose, the wrong robot
 * refused in words, and the fuzz ledger (corrupt and foreign answers, a silent board, a board
 * that vanishes and comes back).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hostSeconds } from '../../../../src/main/core/clock';
import { SerialTransport } from '../../../../src/main/link';
import { builtinCatalog, findRobotProfile } from '../../../../src/main/robot/profiles';
import { Turtlebot3Driver } from '../../../../src/main/robot/turtlebot3/driver';
import { Fault } from '../../../../src/shared/protocol';
import { DynamixelDecoder, encodeStatus } from '../../../../src/shared/protocols/dynamixel';
import { ControlTable } from '../../../../src/shared/protocols/turtlebot3';
import type { RobotProfile } from '../../../../src/shared/robots';
import type { DeviceEmulator } from '../../../../src/sim/emulators/emulator';
import { plugIntoPty, startRigOnPtys, type RigOnPty } from '../../../../src/sim/emulators/on-pty';
import { robotParamsFor } from '../../../../src/sim/emulators/profile-params';
import { Turtlebot3Emulator } from '../../../../src/sim/emulators/turtlebot3';
import { createPseudoTerminal } from '../../../../src/sim/pty';
import { SimCore } from '../../../../src/sim/sim-core';
import type { ByteSink } from '../../../../src/sim/sim-robot';
import { roomGrid } from '../../../sim/helpers';
import { MutableTransport, recordDriver, simInOdom, sleep, until } from '../driver-harness';

const catalog = builtinCatalog('resources');
const BURGER = findRobotProfile(catalog, 'turtlebot3-burger');
const WAFFLE_PI = findRobotProfile(catalog, 'turtlebot3-waffle-pi');
const START = { x: 2, y: 3, theta: 0.7 };

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  // node-pty sends SIGHUP to a closed terminal's child pid once its socket has closed; let that
  // happen before the next test spawns a terminal whose child could have been given the same pid.
  await sleep(50);
});

/** The emulated board with a faulty USB link: answers get a byte flipped with probability `corruptP` (seeded); optional foreign packets. */
class FaultyLink implements DeviceEmulator {
  corrupted = 0;
  private seed = 7;
  constructor(
    readonly inner: Turtlebot3Emulator,
    private readonly corruptP: number,
    private readonly extra?: () => Uint8Array | null,
  ) {}
  private random(): number {
    this.seed = (this.seed * 1103515245 + 12345) & 0x7fffffff;
    return this.seed / 0x7fffffff;
  }
  attach(sink: ByteSink): void {
    this.inner.attach({
      write: (b) => {
        const out = b.slice();
        if (this.random() < this.corruptP) {
          out[Math.min(out.length - 3, 9)]! ^= 0x5a;
          this.corrupted++;
        }
        const more = this.extra?.();
        if (more) sink.write(more);
        sink.write(out);
      },
    });
  }
  detach(sink?: ByteSink): void { this.inner.detach(sink); }
  receive(bytes: Uint8Array): void { this.inner.receive(bytes); }
  afterStep(...args: Parameters<DeviceEmulator['afterStep']>): void { this.inner.afterStep(...args); }
}

interface SetupOptions {
  robot?: RobotProfile;
  driverProfile?: RobotProfile;
  device?: (core: SimCore, emu: Turtlebot3Emulator) => DeviceEmulator;
  linkPath?: string;
  /** The simulated battery's charge at start, %. */
  batteryPercent?: number;
}

async function setup(options: SetupOptions = {}) {
  const robot = options.robot ?? BURGER;
  const core = new SimCore({ map: roomGrid(8, 6), seed: 1, baseRobot: robotParamsFor(robot, null), startPose: START, batteryPercent: options.batteryPercent });
  const emu = new Turtlebot3Emulator(core, robot);
  const device = options.device ? options.device(core, emu) : emu;
  const rig: RigOnPty = await startRigOnPtys(core, [device], [options.linkPath]);
  cleanups.push(() => rig.close());
  const transport = new MutableTransport(new SerialTransport({ path: rig.devices[0]!.path, baudRate: 1_000_000 }));
  const driver = new Turtlebot3Driver({ transport, profile: options.driverProfile ?? robot, timing: { retryMs: 100, lostAfterMs: 400 } });
  cleanups.push(() => driver.dispose());
  return { core, emu, rig, transport, driver, ...recordDriver(driver) };
}

describe('Turtlebot3Driver over a pseudo-terminal', () => {
  it('connects, describes the robot from its profile, and streams odometry and status in SI', async () => {
    const t = await setup({ robot: WAFFLE_PI });
    t.driver.connect();
    await until(() => t.status.length >= 2, 4000, 'two status messages');
    expect(t.states.map((s) => s.state)).toEqual(['connecting', 'handshaking', 'connected']);
    expect(t.driver.opencrFirmwareVersion).toBe(5);
    expect(t.caps).toHaveLength(1);
    expect(t.caps[0]).toMatchObject({ driver: 'turtlebot3', drive: 'differential', reverses: true, lidar: 'none', watchdog: { timeoutS: 0.5 } });
    expect(t.caps[0]!.spec).toMatchObject({ name: 'TurtleBot3 Waffle Pi', wheelBase: 0.287, maxLinearVelocity: 0.26 });
    // The board answered torque on.
    expect(t.emu.torqueEnabled).toBe(true);
    // Odometry at the command rate (50 ms), starting at the odom origin, stamped on the host clock.
    const n0 = t.odometry.length;
    await sleep(600);
    const count = t.odometry.length - n0; // 12 expected
    expect(count).toBeGreaterThanOrEqual(9);
    expect(count).toBeLessThanOrEqual(14);
    expect(t.last()).toMatchObject({ type: 'odometry', lastCommandSeq: -1 });
    expect(Math.hypot(t.last().x, t.last().y)).toBeLessThan(1e-6);
    for (const s of t.odometry) expect(s.stamp).toBeLessThanOrEqual(s.receivedAt);
    // Status at 2 Hz: battery on the 3S scale, motors on, the firmware hears our heartbeat.
    const st = t.status[t.status.length - 1]!.frame.msg;
    const pct = t.core.status().batteryPercent;
    expect(st.batteryVoltage).toBeCloseTo(10.5 + (1.8 * pct) / 100, 1);
    expect(st.batteryPercent).toBe(Math.round(pct));
    expect(st).toMatchObject({ faults: 0, estopPressed: false, motorsEnabled: true });
    expect(t.status.length).toBeLessThanOrEqual(4);
    expect(t.driver.status()).toMatchObject({ state: 'connected', badFrames: 0, crcErrors: 0 });
    expect(t.driver.status().rttMs).not.toBeNull();
    expect(t.driver.latency().commandTransitS).toBeLessThan(0.1);
  });

  it('drives at the commanded speed, reports odometry matching the simulated pose in REP 103, and stops', async () => {
    const t = await setup();
    t.driver.connect();
    await until(() => t.odometry.length > 0, 4000, 'odometry');
    await t.hold(0.15, 0.6, 1100);
    // The robot: 0.15 m/s and 0.6 rad/s, quantised to whole wheel units.
    expect(t.core.odometry().v).toBeCloseTo(0.15, 2);
    expect(t.core.odometry().w).toBeCloseTo(0.6, 1);
    expect(t.emu.commandGoal).toEqual({ v: 0.15, w: 0.6 });
    // Odometry: moving forward and turning left (REP 103: +w counter-clockwise).
    expect(t.last().v).toBeCloseTo(0.15, 2);
    expect(t.last().w).toBeCloseTo(0.6, 1);
    t.driver.stop('operator');
    await until(() => Math.abs(t.core.odometry().v) < 1e-3 && Math.abs(t.core.odometry().w) < 1e-3, 2000, 'the robot to stop');
    expect(t.emu.commandGoal).toEqual({ v: 0, w: 0 });
    await sleep(150);
    const sim = simInOdom(t.core, START);
    const odo = t.last();
    expect(sim.theta).toBeGreaterThan(0.5);
    expect(Math.hypot(sim.x, sim.y)).toBeGreaterThan(0.12);
    expect(odo.x).toBeCloseTo(sim.x, 2);
    expect(odo.y).toBeCloseTo(sim.y, 2);
    expect(odo.theta).toBeCloseTo(sim.theta, 2);
    expect(Math.abs(odo.v)).toBeLessThan(0.005);
  });

  it('uses the wheel encoders for heading when the profile turns the IMU off', async () => {
    const profile: RobotProfile = { ...BURGER, options: { ...BURGER.options, useImu: false } };
    const t = await setup({ robot: profile });
    t.driver.connect();
    await until(() => t.odometry.length > 0, 4000, 'odometry');
    await t.hold(0.1, -0.8, 600);
    t.driver.stop('operator');
    await until(() => Math.abs(t.core.odometry().w) < 1e-3, 2000, 'the robot to stop');
    await sleep(150);
    const sim = simInOdom(t.core, START);
    expect(sim.theta).toBeLessThan(-0.35);
    expect(t.last().theta).toBeCloseTo(sim.theta, 1);
    expect(t.last().x).toBeCloseTo(sim.x, 2);
  });

  it('the firmware’s heartbeat dead-man stops the robot within ~0.5 s when the host stops sending', async () => {
    const t = await setup();
    t.driver.connect();
    await until(() => t.odometry.length > 0, 4000, 'odometry');
    const keepDriving = t.hold(0.2, 0, 1600);
    await until(() => t.core.odometry().v > 0.19, 2000, 'full speed');
    t.transport.muted = true;
    const mutedAt = t.core.time;
    let zeroAt: number | null = null;
    await until(() => (zeroAt = t.emu.wheelCommand.v === 0 ? t.core.time : null) !== null, 1500, 'the wheels to be told zero');
    // The firmware's rule: 500 ms after it last saw the heartbeat change, at its next 20 ms control tick.
    const afterLastBeat = zeroAt! - t.emu.heartbeatChangedAt;
    expect(afterLastBeat).toBeGreaterThanOrEqual(0.5);
    expect(afterLastBeat).toBeLessThanOrEqual(0.53);
    // The last heartbeat left at most one command period before the host went quiet.
    expect(zeroAt! - mutedAt).toBeLessThan(0.6);
    expect(zeroAt! - mutedAt).toBeGreaterThan(0.4);
    expect(t.emu.heartbeatConnected).toBe(false);
    await until(() => Math.abs(t.core.odometry().v) < 1e-3, 1000, 'the robot at rest');
    // Without answers the driver calls the link lost.
    await until(() => t.states.some((s) => s.state === 'lost'), 1500, 'lost');
    await keepDriving;
  });

  it('leaves the robot stopped at once on dispose, torque on (not rolling free)', async () => {
    const t = await setup();
    t.driver.connect();
    await until(() => t.odometry.length > 0, 4000, 'odometry');
    const driving = t.hold(0.2, 0, 800);
    await until(() => t.core.odometry().v > 0.19, 2000, 'full speed');
    const disposedAt = t.core.time;
    let zeroAt: number | null = null;
    const watch = setInterval(() => { if (zeroAt === null && t.emu.wheelCommand.v === 0) zeroAt = t.core.time; }, 2);
    cleanups.push(() => clearInterval(watch));
    await t.driver.dispose();
    await until(() => zeroAt !== null, 1000, 'the wheels to be told zero');
    // Zeroed by the driver's last write (≤ one 20 ms control tick), well before the dead-man would have.
    expect(zeroAt! - disposedAt).toBeLessThan(0.1);
    expect(t.emu.heartbeatConnected).toBe(true);
    expect(t.emu.torqueEnabled).toBe(true);
    expect(t.states[t.states.length - 1]!.state).toBe('disconnected');
    await driving;
  });

  it('refuses an OpenCR with the other model’s firmware, in words, and never drives it', async () => {
    const t = await setup({ robot: BURGER, driverProfile: WAFFLE_PI });
    t.driver.connect();
    await until(() => t.states.some((s) => /Burger firmware/.test(s.message)), 3000, 'the refusal');
    const s = t.states.find((x) => /Burger firmware/.test(x.message))!;
    expect(s.state).toBe('incompatible');
    expect(s.message).toMatch(/profile is TurtleBot3 Waffle Pi; choose the matching profile \(turtlebot3-burger or turtlebot3-waffle-pi\)/);
    t.driver.setVelocity({ v: 0.2, w: 0 }, hostSeconds());
    await sleep(400);
    expect(t.states.some((x) => x.state === 'connected')).toBe(false);
    expect(t.caps).toHaveLength(0);
    expect(t.core.odometry().v).toBe(0);
    expect(t.emu.read(ControlTable.CMD_VEL_LINEAR_X)).toBe(0);
  });

  it('refuses a DYNAMIXEL at ID 200 that is not an OpenCR', async () => {
    // A servo (XM430-W210, model 1030) answering PING at ID 200 and nothing else.
    const servo = (core: SimCore): DeviceEmulator => {
      let sink: ByteSink | null = null;
      const decoder = new DynamixelDecoder();
      void core;
      return {
        attach: (s) => { sink = s; },
        detach: () => { sink = null; },
        receive: (b) => {
          for (const ev of decoder.push(b)) if (ev.type === 'packet' && ev.packet.kind === 'instruction' && ev.packet.id === 200) sink?.write(encodeStatus(200, 0, [0x06, 0x04, 0x26]));
        },
        afterStep: () => {},
      };
    };
    const t = await setup({ device: servo });
    t.driver.connect();
    await until(() => t.states.some((s) => /model 0x0406/.test(s.message)), 3000, 'the refusal');
    expect(t.states.find((s) => /model 0x0406/.test(s.message))!.message).toMatch(/is model 0x0406, not a TurtleBot3 OpenCR \(0x5000\)/);
    expect(t.caps).toHaveLength(0);
  });
});

describe('Turtlebot3Driver: the fuzz ledger', () => {
  it('drops corrupted answers (CRC) and foreign IDs, keeps odometry right, and never moves the robot by itself', async () => {
    let k = 0;
    const foreign = () => (++k % 7 === 0 ? encodeStatus(1, 0, [1, 2, 3, 4]) : k % 11 === 0 ? Uint8Array.of(0x00, 0xff, 0xff, 0xfd) : null);
    let link: FaultyLink | null = null;
    const t = await setup({ device: (_core, emu) => (link = new FaultyLink(emu, 0.2, foreign)) });
    t.driver.connect();
    await until(() => t.odometry.length > 10, 6000, 'odometry through the noise');
    // Idle: nothing drives the robot.
    expect(t.core.odometry().v).toBe(0);
    expect(t.emu.read(ControlTable.CMD_VEL_LINEAR_X)).toBe(0);
    await t.hold(0.1, 0.3, 800);
    t.driver.stop('operator');
    await until(() => Math.abs(t.core.odometry().v) < 1e-3 && Math.abs(t.core.odometry().w) < 1e-3, 2000, 'the robot to stop');
    await sleep(200);
    expect(link!.corrupted).toBeGreaterThan(10);
    const reasons = new Set(t.badFrames.map((b) => b.reason));
    expect(reasons.has('crc')).toBe(true);
    expect(reasons.has('unknown-id')).toBe(true);
    expect(t.driver.status().crcErrors).toBeGreaterThan(5);
    const sim = simInOdom(t.core, START);
    expect(t.last().x).toBeCloseTo(sim.x, 2);
    expect(t.last().y).toBeCloseTo(sim.y, 2);
    expect(t.last().theta).toBeCloseTo(sim.theta, 2);
    expect(t.states.every((s) => s.state !== 'lost')).toBe(true);
    expect(t.faults).toEqual([]);
  });

  it('calls a silent board lost within lostAfterMs, and reconnects when it answers again', async () => {
    const t = await setup();
    t.driver.connect();
    await until(() => t.odometry.length > 0, 4000, 'odometry');
    t.emu.silent = true;
    const silentAt = hostSeconds();
    await until(() => t.states.some((s) => s.state === 'lost'), 1500, 'lost');
    const lost = t.states.find((s) => s.state === 'lost')!;
    expect(lost.at - silentAt).toBeLessThan(0.7);
    expect(lost.message).toMatch(/no data from the TurtleBot3 Burger for \d+ ms; reconnecting…/);
    t.emu.silent = false;
    await until(() => t.states[t.states.length - 1]!.state === 'connected', 3000, 'reconnected');
    expect(t.caps).toHaveLength(2);
    expect(t.driver.status().reconnects).toBe(1);
    const n = t.odometry.length;
    await until(() => t.odometry.length > n + 3, 2000, 'odometry again');
  });

  it('goes lost when the port vanishes, reconnects when it returns, and odometry carries on from the same pose', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'foresight-tb3-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const linkPath = join(dir, 'opencr.tty');
    const t = await setup({ linkPath });
    t.driver.connect();
    await until(() => t.odometry.length > 0, 4000, 'odometry');
    await t.hold(0.15, 0, 600);
    t.driver.stop('operator');
    await until(() => Math.abs(t.core.odometry().v) < 1e-3, 2000, 'the robot to stop');
    await sleep(100);
    const before = t.last();
    expect(before.x).toBeGreaterThan(0.05);

    await t.rig.devices[0]!.pty.close();
    await until(() => t.states.some((s) => s.state === 'lost'), 2000, 'lost');
    expect(t.states.find((s) => s.state === 'lost')!.message).toMatch(/closed|disconnected|no data/);

    // The board comes back at the same path (a by-id symlink): same robot, new port.
    const pty = await createPseudoTerminal({ linkPath });
    cleanups.push(() => pty.close());
    plugIntoPty(pty, t.emu);
    await until(() => t.states[t.states.length - 1]!.state === 'connected', 4000, 'reconnected');
    const n = t.odometry.length;
    await until(() => t.odometry.length > n + 2, 2000, 'odometry again');
    expect(t.last().x).toBeCloseTo(before.x, 3);
    expect(t.last().y).toBeCloseTo(before.y, 3);
    // And it drives again.
    await t.hold(0.1, 0, 500);
    expect(t.core.odometry().v).toBeGreaterThan(0.08);
  });

  it('reports a board whose heartbeat dead-man tripped, and low battery, in status', async () => {
    // 20 % of the firmware's 10.5–12.3 V scale is 10.86 V: below its 11.0 V alarm.
    const t = await setup({ batteryPercent: 20 });
    t.driver.connect();
    await until(() => t.status.length >= 1, 4000, 'status');
    expect(t.status[0]!.frame.msg.faults & Fault.CommandWatchdog).toBe(0);
    expect(t.status[0]!.frame.msg.faults & Fault.LowBattery).toBe(Fault.LowBattery);
    expect(t.status[0]!.frame.msg.batteryVoltage).toBeCloseTo(10.86, 1);
    // Stop only the heartbeat (commands and reads keep flowing): the firmware drops the connection.
    const realWrite = t.transport.write.bind(t.transport);
    t.transport.write = (b: Uint8Array) => (b[4] === 200 && b[7] === 0x03 && b[8] === ControlTable.HEARTBEAT.addr ? true : realWrite(b));
    await until(() => t.status.some((s) => (s.frame.msg.faults & Fault.CommandWatchdog) !== 0), 2500, 'the watchdog fault');
    expect(t.emu.heartbeatConnected).toBe(false);
  });
});
