/**
 * RobotLink over a REAL pseudo-terminal: serialport on the console side (SerialTransport),
 * a scripted robot on the pty master. Timing assertions use windows, not exact values.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cobsEncode, encodeFrameBody } from '../../../src/shared/wire';
import { RobotLink, type LinkStateChange, type ReceivedFrame, type SentFrame } from '../../../src/main/link/robot-link';
import { SerialTransport } from '../../../src/main/link/serial-transport';
import { createPseudoTerminal, type PseudoTerminal } from '../../../src/sim/pty';
import type { LinkState } from '../../../src/shared/api';
import type { RobotMessage } from '../../../src/shared/protocol';
import { ScriptedRobot, type ScriptedRobotOptions } from './scripted-robot';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface Rig {
  pty: PseudoTerminal;
  robot: ScriptedRobot;
  link: RobotLink;
  states: LinkStateChange[];
  frames: ReceivedFrame[];
  sent: SentFrame[];
}

async function startRobot(linkPath?: string, options?: ScriptedRobotOptions): Promise<{ pty: PseudoTerminal; robot: ScriptedRobot }> {
  const pty = await createPseudoTerminal(linkPath ? { linkPath } : {});
  const robot = new ScriptedRobot({ write: (b) => pty.write(b), onData: (cb) => pty.onData(cb) }, options);
  cleanup.push(() => { robot.stop(); return pty.close(); });
  return { pty, robot };
}

async function rig(options?: ScriptedRobotOptions & { linkPath?: string }): Promise<Rig> {
  const { pty, robot } = await startRobot(options?.linkPath, options);
  const link = new RobotLink({ transport: new SerialTransport({ path: options?.linkPath ?? pty.path }) });
  const states: LinkStateChange[] = [];
  const frames: ReceivedFrame[] = [];
  const sent: SentFrame[] = [];
  link.on('state', (s) => states.push(s));
  link.on('frame', (f) => frames.push(f));
  link.on('sent', (s) => sent.push(s));
  cleanup.push(() => link.dispose());
  return { pty, robot, link, states, frames, sent };
}

function waitForState(link: RobotLink, state: LinkState, timeoutMs: number): Promise<LinkStateChange> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { off(); reject(new Error(`no '${state}' within ${timeoutMs} ms (state ${link.state}: ${link.message})`)); }, timeoutMs);
    const off = link.on('state', (s) => {
      if (s.state !== state) return;
      clearTimeout(timer);
      off();
      resolve(s);
    });
  });
}

async function connected(r: Rig): Promise<void> {
  const done = waitForState(r.link, 'connected', 2000);
  r.link.connect();
  await done;
}

describe('RobotLink over a real pseudo-terminal', () => {
  it('handshakes, then measures RTT and the robot clock offset', async () => {
    const r = await rig({ clockOffsetMs: 5000 });
    await connected(r);
    expect(r.states.map((s) => s.state)).toEqual(['connecting', 'handshaking', 'connected']);
    expect(r.link.robot?.name).toBe('scripted-bot');
    expect(r.link.message).toMatch(/Connected to scripted-bot/);
    // Nothing but Pings before the Hello: the first VelocityCommand follows the handshake.
    const firstCommand = r.robot.received.findIndex((f) => f.frame.msg.type === 'velocity-command');
    expect(r.robot.received.slice(0, firstCommand).every((f) => f.frame.msg.type === 'ping')).toBe(true);

    await sleep(700);
    const status = r.link.status();
    expect(status.state).toBe('connected');
    expect(status.rttMs).not.toBeNull();
    expect(status.rttMs!).toBeGreaterThanOrEqual(0);
    expect(status.rttMs!).toBeLessThan(50);
    // Robot clock = performance.now() + 5000 ms; link clock = timeOrigin + performance.now().
    expect(Math.abs(status.clockOffsetMs! - (5000 - performance.timeOrigin))).toBeLessThan(20);
    // 50 Hz odometry plus 5 Hz pongs, from the robot's timers on a shared, busy machine.
    expect(status.frameRateHz).toBeGreaterThan(20);
    expect(status.frameRateHz).toBeLessThan(80);
    expect(status.crcErrors + status.badFrames).toBe(0);
    expect(status.endpoint).toBe(r.pty.path);
  });

  it('declares a robot with another protocol version incompatible and never sends it motion', async () => {
    const r = await rig({ headerVersion: 2 });
    const incompatible = waitForState(r.link, 'incompatible', 2000);
    r.link.connect();
    const change = await incompatible;
    expect(change.message).toMatch(/robot speaks protocol v2; this console speaks v1/i);
    await sleep(300);
    expect(r.link.state).toBe('incompatible');
    expect(r.robot.framesOf('velocity-command')).toHaveLength(0);
    expect(r.robot.framesOf('screen-command')).toHaveLength(0);
    expect(r.sent.every((s) => s.frame.msg.type === 'ping')).toBe(true);
  });

  it('declares incompatible on a v1-framed Hello announcing v2, at once', async () => {
    const r = await rig({ headerVersion: 1, helloVersion: 2 });
    const incompatible = waitForState(r.link, 'incompatible', 2000);
    r.link.connect();
    expect((await incompatible).message).toMatch(/v2.*v1/);
    await sleep(200);
    expect(r.robot.framesOf('velocity-command')).toHaveLength(0);
  });

  it('streams commands at 25 Hz, sends zeros once the desired command is stale, and reports latency', async () => {
    const r = await rig();
    await connected(r);
    const refreshedAt: number[] = [];
    const refresh = setInterval(() => {
      r.link.setVelocity({ v: 0.5, w: -0.25 });
      refreshedAt.push(performance.timeOrigin + performance.now());
    }, 50);
    r.link.setVelocity({ v: 0.5, w: -0.25 });
    const windowStart = performance.now();
    await sleep(1000);
    clearInterval(refresh);
    const windowEnd = performance.now();
    const lastRefresh = refreshedAt.at(-1)!;

    const inWindow = r.robot.framesOf('velocity-command').filter((f) => f.atMs >= windowStart && f.atMs < windowEnd);
    const rateHz = inWindow.length / ((windowEnd - windowStart) / 1000);
    expect(rateHz).toBeGreaterThanOrEqual(20);
    expect(rateHz).toBeLessThanOrEqual(30);
    expect(inWindow.slice(2).every((f) => f.frame.msg.v === 0.5 && f.frame.msg.w === -0.25)).toBe(true);

    await sleep(300);
    // Every command sent more than commandStaleMs after the last refresh is zero.
    const afterStale = r.sent.filter((s) => s.frame.msg.type === 'velocity-command' && s.sentAtMs > lastRefresh + 100);
    expect(afterStale.length).toBeGreaterThanOrEqual(4);
    expect(afterStale.every((s) => s.frame.msg.type === 'velocity-command' && s.frame.msg.v === 0 && s.frame.msg.w === 0)).toBe(true);
    expect(r.link.lastCommand).toMatchObject({ v: 0, w: 0, stale: true });
    const lastAtRobot = r.robot.framesOf('velocity-command').at(-1)!.frame.msg;
    expect([lastAtRobot.v, lastAtRobot.w]).toEqual([0, 0]);

    // Latency: odometry echoes the last applied command seq; the link knows when it sent it.
    const odom = r.frames.filter((f) => f.msg.type === 'odometry').at(-1)!;
    const seq = (odom.msg as Extract<RobotMessage, { type: 'odometry' }>).lastCommandSeq;
    const sentAt = r.link.commandSentAtMs(seq);
    expect(sentAt).not.toBeNull();
    expect(odom.receivedAtMs - sentAt!).toBeGreaterThanOrEqual(0);
    expect(odom.receivedAtMs - sentAt!).toBeLessThan(100);
    // A Ping's seq is not a command.
    const pingSeq = r.sent.find((s) => s.frame.msg.type === 'ping')!.frame.seq;
    expect(r.link.commandSentAtMs(pingSeq)).toBeNull();
  });

  it('decodes frames split at every byte boundary by the real pty', async () => {
    const r = await rig({ odometryPeriodMs: 0 });
    await connected(r);
    // Quiet the robot's own replies so nothing interleaves with the byte-by-byte stream.
    r.robot.silent = true;
    const msgs: RobotMessage[] = [
      { type: 'odometry', x: 1.5, y: -2.25, theta: 0.5, v: 0.25, w: -0.125, lastCommandSeq: 7 },
      { type: 'status', batteryVoltage: 12.5, batteryPercent: 80, faults: 0, estopPressed: false, motorsEnabled: true },
      { type: 'screen-state', panAngle: 0.25, panVelocity: -1 },
      { type: 'laser-scan', angleMin: -3, angleIncrement: 0.5, timeIncrement: 0.0009765625, rangeMin: 0.125, rangeMax: 8, ranges: new Float32Array([1, 0, 2, 7.5]) },
      { type: 'odometry', x: 0, y: 0, theta: 0, v: 0, w: 0, lastCommandSeq: 0 },
    ];
    const wire = Buffer.concat(msgs.map((m) => r.robot.wire(m)));
    const chunkSizes: number[] = [];
    let arrived: (() => void) | null = null;
    const off = r.link.transport.onData((c) => { chunkSizes.push(c.length); arrived?.(); });
    const before = r.frames.length;
    // One byte at a time, each read by the console before the next is written: every byte
    // boundary of every frame is a read boundary.
    for (let i = 0; i < wire.length; i++) {
      const got = new Promise<void>((resolve) => { arrived = resolve; });
      r.pty.write(wire.subarray(i, i + 1));
      await got;
    }
    await sleep(20);
    off();
    expect(chunkSizes).toEqual(new Array(wire.length).fill(1));
    const got = r.frames.slice(before).map((f) => f.msg);
    expect(got).toEqual(msgs);
    expect(r.link.status().crcErrors + r.link.status().badFrames).toBe(0);
    expect(r.link.state).toBe('connected');
  });

  it('drops corrupted frames, counts them, and resyncs on the next good frame', async () => {
    const r = await rig();
    await connected(r);
    const bad: string[] = [];
    r.link.on('bad-frame', (b) => bad.push(b.reason));

    // CRC error with valid COBS: flip a payload bit before stuffing.
    const body = encodeFrameBody({ type: 'odometry', x: 9, y: 9, theta: 0, v: 0, w: 0, lastCommandSeq: 0 }, 100, r.robot.nowUs());
    body[14]! ^= 0x04;
    r.robot.writeRaw(Buffer.concat([cobsEncode(body), Buffer.from([0])]));
    // A truncated frame: its delimiter arrives early.
    const whole = r.robot.wire({ type: 'status', batteryVoltage: 12, batteryPercent: 50, faults: 0, estopPressed: false, motorsEnabled: true });
    r.robot.writeRaw(Buffer.concat([whole.subarray(0, 8), Buffer.from([0])]));
    // Line noise.
    r.robot.writeRaw(Buffer.from([0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x00]));
    // A message only a host sends (as if the line echoed): never acted upon.
    r.robot.writeRaw(r.robot.wire({ type: 'velocity-command', v: 1, w: 0 } as never));
    // Then a good frame, marked so it can be found.
    r.robot.send({ type: 'odometry', x: 1.25, y: 0, theta: 0, v: 0, w: 0, lastCommandSeq: 0 });
    await sleep(100);

    expect(r.frames.some((f) => f.msg.type === 'odometry' && f.msg.x === 1.25)).toBe(true);
    expect(r.frames.some((f) => f.msg.type === 'odometry' && f.msg.x === 9)).toBe(false);
    const status = r.link.status();
    expect(status.crcErrors).toBe(1);
    expect(status.badFrames).toBe(3);
    expect(bad).toEqual(['crc', expect.any(String), expect.any(String), 'wrong-direction']);
    expect(r.link.getCounters().byReason['wrong-direction']).toBe(1);
    expect(r.link.state).toBe('connected');
  });

  it('declares the link lost 500–700 ms after the robot goes silent, stops motion, and recovers', async () => {
    const r = await rig();
    await connected(r);
    r.link.setVelocity({ v: 0.3, w: 0 });
    const keepDriving = setInterval(() => r.link.setVelocity({ v: 0.3, w: 0 }), 50);
    cleanup.push(() => clearInterval(keepDriving));
    await sleep(200);
    const lost = waitForState(r.link, 'lost', 2000);
    r.robot.silent = true;
    const lostChange = await lost;
    const lastFrameAt = r.frames.at(-1)!.receivedAtMs;
    const silenceMs = lostChange.atMs - lastFrameAt;
    expect(silenceMs).toBeGreaterThanOrEqual(500);
    expect(silenceMs).toBeLessThanOrEqual(700);
    expect(lostChange.message).toMatch(/Link lost: no data from the robot for \d+ ms/);

    // Motion stops: a Stop goes out, and no VelocityCommand is sent while lost, even though the owner keeps asking.
    await sleep(400);
    const stopAt = r.sent.findIndex((s) => s.frame.msg.type === 'stop');
    expect(r.sent[stopAt]!.frame.msg).toEqual({ type: 'stop', reason: 2 });
    expect(Math.abs(r.sent[stopAt]!.sentAtMs - lostChange.atMs)).toBeLessThan(5);
    expect(r.sent.slice(stopAt).some((s) => s.frame.msg.type === 'velocity-command')).toBe(false);
    expect(r.link.state).toBe('lost');

    // The robot wakes up: the link reopens, handshakes again and counts a reconnect.
    const back = waitForState(r.link, 'connected', 3000);
    r.robot.silent = false;
    await back;
    expect(r.link.status().reconnects).toBe(1);
    expect(r.link.message).toMatch(/reconnected/);
  });

  it('notices the device vanishing, and reconnects when a new pty appears at the same path', async () => {
    const linkPath = join(tmpdir(), `foresight-link-test-${process.pid}.tty`);
    const { pty, robot } = await startRobot(linkPath);
    const link = new RobotLink({ transport: new SerialTransport({ path: linkPath }) });
    cleanup.push(() => link.dispose());
    const first = waitForState(link, 'connected', 2000);
    link.connect();
    await first;

    const lost = waitForState(link, 'lost', 2000);
    const vanishedAt = performance.timeOrigin + performance.now();
    robot.stop();
    await pty.close();
    const lostChange = await lost;
    // Through the transport closing (a hangup) or at worst the silence watchdog.
    expect(lostChange.atMs - vanishedAt).toBeLessThan(700);
    expect(lostChange.message).toMatch(/Link lost/);

    await sleep(600);
    expect(link.state).toBe('lost');
    const back = waitForState(link, 'connected', 3000);
    const restartedAt = performance.timeOrigin + performance.now();
    await startRobot(linkPath);
    const backChange = await back;
    expect(backChange.atMs - restartedAt).toBeLessThan(3000);
    expect(link.status().reconnects).toBe(1);
    // Commands flow again on the new device.
    await sleep(200);
    expect(link.lastCommand).not.toBeNull();
  });

  it('disconnect() sends Stop and goes quiet', async () => {
    const r = await rig();
    await connected(r);
    r.link.setVelocity({ v: 0.2, w: 0 });
    await sleep(100);
    await r.link.disconnect();
    expect(r.link.state).toBe('disconnected');
    await sleep(100);
    const lastAtRobot = r.robot.received.at(-1)!.frame.msg;
    expect(lastAtRobot).toEqual({ type: 'stop', reason: 0 });
    const count = r.robot.received.length;
    await sleep(200);
    expect(r.robot.received.length).toBe(count);
  });

  it('reports a missing port in plain words and keeps retrying', async () => {
    const link = new RobotLink({ transport: new SerialTransport({ path: '/dev/does-not-exist-foresight' }) });
    cleanup.push(() => link.dispose());
    link.connect();
    await sleep(600);
    expect(link.state).toBe('connecting');
    expect(link.message).toMatch(/Cannot connect: .*not found.*retrying/);
  });
});
