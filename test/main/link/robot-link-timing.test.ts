/**
 * RobotLink timing rules checked deterministically: fake timers, an injected clock and the
 * in-memory transport. (The same behaviour over a real pty is in robot-link.test.ts.)
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryTransport } from '../../../src/main/link/memory-transport';
import { RobotLink, type LinkStateChange, type SentFrame } from '../../../src/main/link/robot-link';
import type { ClockJump } from '../../../src/main/link/clock-sync';
import { ScriptedRobot } from './scripted-robot';

let link: RobotLink;
let transport: MemoryTransport;
let robot: ScriptedRobot;
let states: LinkStateChange[];
let sent: SentFrame[];

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
  transport = new MemoryTransport();
  robot = new ScriptedRobot(transport.robot, { nowMs: () => Date.now(), clockOffsetMs: 300 });
  link = new RobotLink({ transport, clock: { nowMs: () => Date.now() } });
  states = [];
  sent = [];
  link.on('state', (s) => states.push(s));
  link.on('sent', (s) => sent.push(s));
});

afterEach(async () => {
  robot.stop();
  await link.dispose();
  vi.useRealTimers();
});

const advance = (ms: number) => vi.advanceTimersByTimeAsync(ms);
const velocityCommands = () => sent.filter((s) => s.frame.msg.type === 'velocity-command');

describe('RobotLink timing (fake clock)', () => {
  it('handshakes within one Ping and streams VelocityCommand every 40 ms', async () => {
    link.connect();
    await advance(5);
    expect(link.state).toBe('connected');
    const start = Date.now();
    await advance(1000);
    const cmds = velocityCommands().filter((s) => s.sentAtMs > start);
    expect(cmds.length).toBe(25);
    const pings = sent.filter((s) => s.frame.msg.type === 'ping' && s.sentAtMs > start);
    expect(pings.length).toBe(5);
    // Offset is exact with zero transport delay: robot clock − host clock.
    expect(link.clockOffsetMs).toBe(300);
    expect(link.rttMs).toBe(0);
  });

  it('sends the desired command while fresh and zeros once older than 100 ms', async () => {
    link.connect();
    await advance(5);
    const setAt = Date.now();
    link.setVelocity({ v: 0.5, w: 1 }, setAt);
    await advance(400);
    const cmds = velocityCommands().filter((s) => s.sentAtMs >= setAt);
    expect(cmds.length).toBeGreaterThan(5);
    for (const c of cmds) {
      const fresh = c.sentAtMs - setAt <= 100;
      const msg = c.frame.msg as { v: number; w: number };
      expect([msg.v, msg.w]).toEqual(fresh ? [0.5, 1] : [0, 0]);
    }
    expect(cmds.some((c) => c.sentAtMs - setAt > 100)).toBe(true);
    // A command stamped in the past is already stale.
    link.setVelocity({ v: 0.5, w: 0 }, Date.now() - 150);
    await advance(40);
    expect(link.lastCommand).toMatchObject({ v: 0, w: 0, stale: true });
    // Non-finite input is refused and zeroes the intent.
    expect(link.setVelocity({ v: Number.NaN, w: 0 })).toBe(false);
  });

  it('stop() sends Stop at once and clears the intent', async () => {
    link.connect();
    await advance(5);
    link.setVelocity({ v: 0.5, w: 0 });
    await advance(10);
    const before = sent.length;
    expect(link.stop()).toBe(true);
    const now = sent.slice(before).map((s) => s.frame.msg);
    expect(now).toEqual([{ type: 'stop', reason: 0 }, { type: 'velocity-command', v: 0, w: 0 }]);
  });

  it('sends the screen command when set and repeats it at 2 Hz', async () => {
    link.connect();
    await advance(5);
    link.setScreen({ panAngle: 0.5, maxRate: 1 });
    // Refreshes ride on the 40 ms command tick: at t ≈ 0, 520, 1040 ms.
    await advance(1100);
    const screens = sent.filter((s) => s.frame.msg.type === 'screen-command');
    expect(screens.length).toBe(3);
    expect(screens[0]!.frame.msg).toEqual({ type: 'screen-command', panAngle: 0.5, maxRate: 1 });
    link.setScreen(null);
    await advance(1000);
    expect(sent.filter((s) => s.frame.msg.type === 'screen-command').length).toBe(3);
  });

  it('declares lost after 500–520 ms of silence and reopens every 250 ms', async () => {
    let lastFrameAt = 0;
    link.on('frame', (f) => { lastFrameAt = f.receivedAtMs; });
    link.connect();
    await advance(5);
    robot.silent = true;
    await advance(600);
    const lost = states.find((s) => s.state === 'lost')!;
    const silentFrom = lastFrameAt;
    expect(lost.atMs - silentFrom).toBeGreaterThanOrEqual(500);
    expect(lost.atMs - silentFrom).toBeLessThanOrEqual(520);
    // Unplugged: each reopen fails with a plain message.
    transport.robot.unplug();
    await advance(1000);
    expect(link.state).toBe('lost');
    expect(link.message).toMatch(/Link lost: no data from the robot for \d+ ms; reconnecting \(memory:\/\/robot not found/);
    robot.silent = false;
    transport.robot.plugIn();
    await advance(260);
    expect(link.state).toBe('connected');
    expect(link.status().reconnects).toBe(1);
  });

  it('closes and reopens when the robot never answers the handshake', async () => {
    robot.silent = true;
    link.connect();
    await advance(2100);
    expect(states.map((s) => s.state)).toEqual(['connecting', 'handshaking', 'connecting']);
    expect(link.message).toMatch(/Cannot connect: no answer from the robot/);
    robot.silent = false;
    await advance(300);
    expect(link.state).toBe('connected');
    expect(link.status().reconnects).toBe(0);
  });

  it('follows a robot clock jump and reports it', async () => {
    const jumps: ClockJump[] = [];
    link.on('clock-jump', (j) => jumps.push(j));
    link.connect();
    await advance(1000);
    expect(link.clockOffsetMs).toBe(300);
    robot.clockOffsetMs = -60_000; // the robot rebooted its clock
    await advance(1000);
    expect(jumps).toEqual([expect.objectContaining({ fromOffsetMs: 300, toOffsetMs: -60_000 })]);
    expect(link.clockOffsetMs).toBe(-60_000);
    expect(link.robotTimeToHostMs(robot.nowUs())).toBe(Date.now());
  });

  it('one stray frame of another version does not end a healthy link', async () => {
    link.connect();
    await advance(5);
    const { encodeWire } = await import('../../../src/shared/wire');
    transport.robot.write(encodeWire({ type: 'status', batteryVoltage: 12, batteryPercent: 90, faults: 0, estopPressed: false, motorsEnabled: true }, 1, 1, 7));
    await advance(100);
    expect(link.state).toBe('connected');
    expect(link.getCounters().byReason.version).toBe(1);
  });
});
