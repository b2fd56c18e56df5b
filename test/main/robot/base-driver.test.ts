/**
 * What every non-Foresight base driver inherits from TransportBaseDriver, checked over a real
 * pseudo-terminal with a toy protocol (the device end is the test): the session states, the
 * command stream at its period with the profile's limits, the console's own dead-man (an old
 * command goes out as zero), lost on silence and on a vanished port, and dispose leaving the
 * robot stopped.
 *
 * Toy protocol: host → robot 'V' + float32 v + float32 w (little-endian); robot → host 'O' +
 * float32 x (odometry x, m). The robot answers start() by sending anything valid.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { SerialTransport } from '../../../src/main/link';
import { TransportBaseDriver, type BaseDriverOptions } from '../../../src/main/robot/base-driver';
import type { SentToRobot } from '../../../src/main/robot/driver';
import { builtinCatalog, findRobotProfile } from '../../../src/main/robot/profiles';
import { createPseudoTerminal, type PseudoTerminal } from '../../../src/sim/pty';
import { recordDriver, sleep, until } from './driver-harness';

const RESOURCES = join(__dirname, '../../../resources');
const profile = findRobotProfile(builtinCatalog(RESOURCES), 'create2'); // 0.5 m/s, 2 rad/s, reverses

class ToyDriver extends TransportBaseDriver {
  protected readonly driverName = 'toy';
  readonly written: { v: number; w: number }[] = [];
  stops = 0;
  left = 0;
  private rx: number[] = [];

  protected async start(): Promise<void> {
    this.write(Uint8Array.of(0x48)); // 'H': hello, please talk
    await this.untilAnswered(1000, 'no answer from the toy robot');
  }
  protected receive(bytes: Uint8Array): void {
    this.rx.push(...bytes);
    while (this.rx.length >= 5) {
      if (this.rx[0] !== 0x4f) {
        this.rx.shift();
        this.badFrame('sync', 'not O');
        continue;
      }
      const x = new DataView(Uint8Array.from(this.rx.slice(1, 5)).buffer).getFloat32(0, true);
      this.rx.splice(0, 5);
      this.answered();
      this.publish({ type: 'odometry', x, y: 0, theta: 0, v: 0, w: 0, lastCommandSeq: -1 });
    }
  }
  protected writeVelocity(v: number, w: number): void {
    this.written.push({ v, w });
    const b = new Uint8Array(9);
    b[0] = 0x56;
    new DataView(b.buffer).setFloat32(1, v, true);
    new DataView(b.buffer).setFloat32(5, w, true);
    this.write(b);
  }
  protected writeStop(): void {
    this.stops++;
    this.writeVelocity(0, 0);
  }
  protected leave(): void {
    this.left++;
    this.writeVelocity(0, 0);
  }
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The toy robot at the pty's far end: streams odometry at 50 Hz once it got 'H'; records commands. */
function toyRobot(pty: PseudoTerminal) {
  const commands: { v: number; w: number }[] = [];
  let talking = false;
  let silent = false;
  let x = 0;
  let rx: number[] = [];
  pty.onData((chunk) => {
    rx.push(...chunk);
    while (rx.length > 0) {
      if (rx[0] === 0x48) { talking = true; rx.shift(); continue; }
      if (rx[0] === 0x56 && rx.length >= 9) {
        const dv = new DataView(Uint8Array.from(rx.slice(0, 9)).buffer);
        commands.push({ v: dv.getFloat32(1, true), w: dv.getFloat32(5, true) });
        rx = rx.slice(9);
        continue;
      }
      if (rx[0] === 0x56) break;
      rx.shift();
    }
  });
  const timer = setInterval(() => {
    if (!talking || silent || pty.closed) return;
    x += 0.01;
    const b = new Uint8Array(5);
    b[0] = 0x4f;
    new DataView(b.buffer).setFloat32(1, x, true);
    pty.write(b);
  }, 20);
  cleanups.push(() => clearInterval(timer));
  return { commands, setSilent: (s: boolean) => (silent = s), garbage: (bytes: number[]) => pty.write(Uint8Array.from(bytes)) };
}

async function setup(timing: BaseDriverOptions['timing'] = {}) {
  const pty = await createPseudoTerminal();
  cleanups.push(() => pty.close());
  const robot = toyRobot(pty);
  const driver = new ToyDriver({ transport: new SerialTransport({ path: pty.path }), profile, timing: { commandPeriodMs: 20, commandHoldMs: 150, lostAfterMs: 300, retryMs: 100, ...timing } });
  cleanups.push(() => driver.dispose());
  const sent: SentToRobot[] = [];
  driver.on('sent', (s) => sent.push(s));
  return { pty, robot, driver, sent, ...recordDriver(driver) };
}

describe('TransportBaseDriver over a pseudo-terminal', () => {
  it('connects, describes the robot from its profile, numbers samples on the host clock', async () => {
    const { driver, states, samples } = await setup();
    driver.connect();
    await until(() => samples.length >= 70, 4000, '70 samples');
    expect(states.map((s) => s.state)).toEqual(['connecting', 'handshaking', 'connected']);
    expect(driver.capabilities()).toMatchObject({ driver: 'toy', drive: 'differential', reverses: true, lidar: 'none', screen: false, watchdog: null });
    expect(driver.capabilities()!.spec).toMatchObject({ name: 'iRobot Create 2', wheelBase: 0.235, maxLinearVelocity: 0.5, lidarBeams: 0 });
    const seqs = samples.map((s) => s.frame.seq);
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
    for (const s of samples) expect(s.stamp).toBeLessThanOrEqual(s.receivedAt);
    expect(driver.status()).toMatchObject({ state: 'connected', endpoint: expect.stringContaining('/dev/pts/') });
    // 50 Hz of odometry over the last second (a loaded machine may delay a few).
    expect(driver.status().frameRateHz).toBeGreaterThan(30);
    expect(driver.status().frameRateHz).toBeLessThan(60);
  });

  it('streams the newest command within the profile’s limits, and zero once it is older than the hold', async () => {
    const { driver, robot, samples, sent } = await setup();
    driver.connect();
    await until(() => samples.length > 0, 3000, 'a sample');
    const t = () => performance.timeOrigin / 1000 + performance.now() / 1000;
    driver.setVelocity({ v: 2, w: -5 }, t()); // beyond the Create 2's 0.5 m/s and 2 rad/s
    await until(() => robot.commands.some((c) => c.v > 0), 1000, 'a moving command');
    const moving = robot.commands.find((c) => c.v > 0)!;
    expect(moving.v).toBeCloseTo(0.5, 5);
    expect(moving.w).toBeCloseTo(-2, 5);
    // Not renewed: 150 ms later the stream carries zero (the console's own dead-man).
    await sleep(300);
    const last = robot.commands.at(-1)!;
    expect(last).toEqual({ v: 0, w: 0 });
    // Every command sent is reported for the run log, at the stream's period (on a loaded
    // machine the stream may have started late: wait for a dozen rather than sleep longer).
    await until(() => sent.length > 10, 2000, 'a dozen commands streamed');
    const gaps = sent.slice(1).map((s, i) => s.sentAt - sent[i]!.sentAt).sort((a, b) => a - b);
    expect(gaps[gaps.length >> 1]!).toBeGreaterThan(0.015);
    expect(gaps[gaps.length >> 1]!).toBeLessThan(0.04);
    // Non-finite input never reaches the robot.
    driver.setVelocity({ v: NaN, w: Infinity }, t());
    await sleep(60);
    expect(robot.commands.slice(-2).every((c) => Number.isFinite(c.v) && Number.isFinite(c.w))).toBe(true);
  });

  it('goes lost when the robot falls silent, and reconnects when it talks again', async () => {
    const { driver, robot, states, samples } = await setup();
    driver.connect();
    await until(() => samples.length > 0, 3000, 'a sample');
    robot.setSilent(true);
    await until(() => states.some((s) => s.state === 'lost'), 2000, 'lost');
    expect(states.find((s) => s.state === 'lost')!.message).toMatch(/no data from the iRobot Create 2 for \d+ ms/);
    expect(driver.status().reconnects).toBe(1);
    robot.setSilent(false);
    await until(() => states.at(-1)!.state === 'connected', 3000, 'the reconnect');
    expect(states.at(-1)!.state).toBe('connected');
  });

  it('goes lost when the port vanishes, and counts garbage as bad frames without crashing', async () => {
    const { driver, robot, pty, states, samples, badFrames } = await setup();
    driver.connect();
    await until(() => samples.length > 0, 3000, 'a sample');
    robot.garbage([1, 2, 3]);
    await until(() => badFrames.length >= 3, 1000, 'three bad frames');
    expect(badFrames.length).toBeGreaterThanOrEqual(3);
    expect(driver.status().badFrames).toBeGreaterThanOrEqual(3);
    await pty.close();
    await until(() => states.some((s) => s.state === 'lost'), 2000, 'lost');
    expect(states.some((s) => s.state === 'lost')).toBe(true);
  });

  it('refuses with the protocol’s words when the robot never answers, and keeps retrying', async () => {
    const pty = await createPseudoTerminal();
    cleanups.push(() => pty.close());
    const driver = new ToyDriver({ transport: new SerialTransport({ path: pty.path }), profile, timing: { retryMs: 50 } });
    cleanups.push(() => driver.dispose());
    const { states } = recordDriver(driver);
    driver.connect();
    await until(() => states.some((s) => /no answer from the toy robot/.test(s.message)), 3000, 'the refusal');
    expect(states.at(-1)).toMatchObject({ state: 'connecting', message: expect.stringMatching(/no answer from the toy robot; retrying every 50 ms/) });
  });

  it('stop() and dispose() use the robot’s own stop and leave it stopped', async () => {
    const { driver, robot, samples } = await setup();
    driver.connect();
    await until(() => samples.length > 0, 3000, 'a sample');
    driver.stop('operator');
    expect(driver.stops).toBe(1);
    await driver.dispose();
    expect(driver.left).toBe(1);
    await sleep(50);
    expect(robot.commands.at(-1)).toEqual({ v: 0, w: 0 });
    expect(driver.status().state).toBe('disconnected');
  });
});
