import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeWire, FrameDecoder } from '../../src/shared/wire';
import { Fault, StopReason, type HostMessage, type LinkFrame, type RobotMessage } from '../../src/shared/protocol';
import { SimCore } from '../../src/sim/sim-core';
import { SimRobot } from '../../src/sim/sim-robot';
import { startSimulator, type RunningSimulator } from '../../src/sim/start';
import { roomGrid } from './helpers';

/** A SimRobot on a small empty room with a sink that decodes everything it sends. */
function bench() {
  const core = new SimCore({ map: roomGrid(20, 20), seed: 5, startPose: { x: 5, y: 10, theta: 0 } });
  const robot = new SimRobot(core);
  const decoder = new FrameDecoder();
  const frames: LinkFrame[] = [];
  robot.attach({ write: (bytes) => frames.push(...decoder.push(bytes).flatMap((r) => (r.ok ? [r.frame] : []))) });
  let hostSeq = 0;
  const send = (msg: HostMessage, timestampUs = 123_456_789) => robot.receive(encodeWire(msg, hostSeq++, timestampUs));
  const of = <T extends RobotMessage['type']>(type: T) => frames.filter((f) => f.msg.type === type) as Array<LinkFrame<Extract<RobotMessage, { type: T }>>>;
  return { core, robot, frames, send, of };
}

describe('SimRobot endpoint', () => {
  it('answers Ping with Pong (echoing seq and timestamp) and Hello when asked; then streams telemetry', () => {
    const b = bench();
    b.robot.advanceTo(0.5);
    expect(b.frames).toHaveLength(0); // silent until a host pings
    b.robot.receive(encodeWire({ type: 'ping', requestHello: true }, 4242, 987_654_321));
    const pong = b.of('pong')[0]!;
    expect(pong.msg).toEqual({ type: 'pong', pingSeq: 4242, hostTimeUs: 987_654_321, robotRxTimeUs: 500_000 });
    const hello = b.of('hello')[0]!.msg;
    expect(hello.footprintLength).toBeCloseTo(0.45, 6);
    expect(hello.maxLinearVelocity).toBe(1);
    expect(hello.lidarBeams).toBe(360);
    expect(hello.panMax).toBeCloseTo(2.6, 6);
    b.frames.length = 0;
    // Keep pinging (no hello) at 20 Hz for one second.
    for (let k = 1; k <= 20; k++) {
      b.robot.advanceTo(0.5 + k * 0.05);
      b.send({ type: 'ping', requestHello: false });
    }
    expect(b.of('odometry').length).toBeGreaterThanOrEqual(49);
    expect(b.of('odometry').length).toBeLessThanOrEqual(51);
    expect(b.of('laser-scan').length).toBe(10);
    expect(b.of('screen-state').length).toBeGreaterThanOrEqual(9);
    // 2 Hz over 1 s, both ends included.
    expect(b.of('status').length).toBeGreaterThanOrEqual(2);
    expect(b.of('status').length).toBeLessThanOrEqual(3);
    expect(b.of('hello')).toHaveLength(0);
    const scan = b.of('laser-scan')[0]!;
    expect(scan.msg.ranges).toHaveLength(360);
    // Robot timestamps are µs since sim start and never go backwards.
    const stamps = b.frames.map((f) => f.timestampUs);
    for (let i = 1; i < stamps.length; i++) expect(stamps[i]!).toBeGreaterThanOrEqual(stamps[i - 1]! - 100_000);
    expect(b.of('odometry').at(-1)!.timestampUs).toBe(1_500_000);
  });

  it("brakes on the operator's Stop and ramps down on a safety Stop (docs/protocol.md 7.3)", () => {
    const stopAfter = (reason: number): number => {
      const b = bench();
      b.send({ type: 'ping', requestHello: true });
      let t = 0;
      for (; t < 2 - 1e-9; t += 0.02) {
        b.send({ type: 'velocity-command', v: 0.6, w: 0 });
        b.robot.advanceTo(t + 0.02);
      }
      const x0 = b.core.groundTruth().robotPose.x;
      b.send({ type: 'stop', reason });
      for (; t < 4 - 1e-9; t += 0.02) {
        b.send({ type: 'velocity-command', v: 0, w: 0 });
        b.robot.advanceTo(t + 0.02);
      }
      expect(b.core.groundTruth().robotVelocity.v).toBeCloseTo(0, 6);
      return b.core.groundTruth().robotPose.x - x0;
    };
    const operator = stopAfter(StopReason.Operator);
    const safety = stopAfter(StopReason.Safety);
    expect(stopAfter(9)).toBeCloseTo(operator, 6); // unknown reasons: as Operator
    expect(safety).toBeGreaterThan(operator * 1.8);
  });

  it('applies VelocityCommand and stops 250 ms after the last one although Pings continue', () => {
    const b = bench();
    b.send({ type: 'ping', requestHello: true });
    let t = 0;
    for (; t < 1.5 - 1e-9; t += 0.05) {
      b.send({ type: 'velocity-command', v: 0.5, w: 0 });
      b.robot.advanceTo(t + 0.05);
    }
    const lastCommand = b.core.time - 0.05; // the last command arrived at t = 1.45 s
    expect(b.core.odometry().v).toBeGreaterThan(0.45);
    const lastSeq = b.of('odometry').at(-1)!.msg.lastCommandSeq;
    expect(lastSeq).toBe(30); // ping was seq 0, commands 1…30
    // Only Pings from here on.
    const pingUntil = (until: number) => {
      while (b.core.time < until - 1e-9) {
        b.send({ type: 'ping', requestHello: false });
        b.robot.advanceTo(Math.min(until, b.core.time + 0.05));
      }
    };
    pingUntil(lastCommand + 0.24);
    expect(b.core.driveState().targetV).toBe(0.5);
    pingUntil(lastCommand + 0.26);
    expect(b.core.driveState().targetV).toBe(0);
    pingUntil(lastCommand + 2);
    expect(b.core.odometry().v).toBeCloseTo(0, 3);
    const status = b.of('status').at(-1)!.msg;
    expect(status.faults & Fault.CommandWatchdog).not.toBe(0);
  });

  it('drops corrupted and malformed frames without moving, and Stop stops', () => {
    const b = bench();
    b.send({ type: 'ping', requestHello: false });
    for (let k = 0; k < 40; k++) {
      const good = encodeWire({ type: 'velocity-command', v: 0.8, w: 0.5 }, k, 0);
      const flipped = good.slice();
      flipped[5] ^= 0x10; // payload byte: CRC fails
      b.robot.receive(flipped);
      b.robot.receive(good.subarray(0, good.length - 4)); // truncated, then the next frame's delimiter
      b.robot.receive(Uint8Array.of(0x01, 0x02, 0x00)); // not a frame at all
      b.robot.receive(encodeWire({ type: 'velocity-command', v: 0.8, w: 0 }, k, 0, 2)); // wrong version
      b.robot.receive(encodeWire({ type: 'velocity-command', v: Number.NaN, w: 0 }, k, 0)); // valid frame, invalid value
      b.robot.advanceTo(b.core.time + 0.05);
    }
    expect(b.core.groundTruth().robotPose).toEqual({ x: 5, y: 10, theta: 0 });
    expect(b.robot.stats.velocityCommands).toBe(0);
    expect(b.robot.stats.rejectedCommands).toBe(40);
    expect(b.robot.stats.badFramesIn).toBeGreaterThanOrEqual(120);
    // A good frame after all that garbage is still understood.
    b.send({ type: 'velocity-command', v: 0.8, w: 0 });
    b.robot.advanceTo(b.core.time + 0.2);
    expect(b.core.odometry().v).toBeGreaterThan(0);
    b.send({ type: 'stop', reason: 0 });
    b.robot.advanceTo(b.core.time + 1.5);
    expect(b.core.odometry().v).toBeCloseTo(0, 3);
  });

  it('pans the screen on ScreenCommand within its rate limit', () => {
    const b = bench();
    b.send({ type: 'ping', requestHello: false });
    b.send({ type: 'screen-command', panAngle: 1.0, maxRate: 1.0 });
    b.robot.advanceTo(0.5);
    const mid = b.core.screenState();
    expect(mid.panAngle).toBeGreaterThan(0.2);
    expect(mid.panAngle).toBeLessThan(0.5);
    expect(mid.panVelocity).toBeLessThanOrEqual(1.0 + 1e-9);
    for (let k = 0; k < 40; k++) {
      b.send({ type: 'ping', requestHello: false });
      b.robot.advanceTo(0.5 + (k + 1) * 0.05);
    }
    expect(b.core.screenState().panAngle).toBeCloseTo(1.0, 6);
    expect(b.of('screen-state').at(-1)!.msg.panAngle).toBeCloseTo(1.0, 5);
  });
});

describe('SimRobot over TCP on loopback', () => {
  let sim: RunningSimulator | null = null;
  let socket: Socket | null = null;
  afterEach(async () => {
    socket?.destroy();
    await sim?.close();
    sim = null;
  });

  it('handshakes, echoes pings, moves on commands and ignores corrupted frames', async () => {
    sim = await startSimulator({ transport: { kind: 'tcp', port: 0 }, seed: 3, people: 0 });
    expect(sim.endpoint).toMatch(/^127\.0\.0\.1:\d+$/);
    const s = connect(sim.port!, '127.0.0.1');
    socket = s;
    await new Promise<void>((resolve, reject) => {
      s.once('connect', resolve);
      s.once('error', reject);
    });
    const decoder = new FrameDecoder();
    const frames: LinkFrame[] = [];
    s.on('data', (chunk: Buffer) => {
      for (const r of decoder.push(new Uint8Array(chunk))) if (r.ok) frames.push(r.frame);
    });
    const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const until = async (what: () => boolean, ms = 3000) => {
      const end = Date.now() + ms;
      while (!what() && Date.now() < end) await wait(10);
      return what();
    };
    const odometry = () => frames.filter((f) => f.msg.type === 'odometry').at(-1)?.msg as Extract<RobotMessage, { type: 'odometry' }> | undefined;

    s.write(encodeWire({ type: 'ping', requestHello: true }, 77, 1_000_000));
    expect(await until(() => frames.some((f) => f.msg.type === 'hello'))).toBe(true);
    const pong = frames.find((f) => f.msg.type === 'pong')!.msg;
    expect(pong).toMatchObject({ pingSeq: 77, hostTimeUs: 1_000_000 });
    expect(await until(() => odometry() !== undefined)).toBe(true);
    const x0 = odometry()!.x;

    // Corrupted VelocityCommands for 0.4 s (with pings to keep telemetry flowing): no motion.
    let seq = 100;
    for (let k = 0; k < 8; k++) {
      const bad = encodeWire({ type: 'velocity-command', v: 1, w: 0 }, seq++, 0);
      bad[bad.length - 3] ^= 0xff;
      s.write(bad);
      s.write(encodeWire({ type: 'ping', requestHello: false }, seq++, 0));
      await wait(50);
    }
    expect(odometry()!.x).toBe(x0);
    expect((sim.robot as SimRobot).stats.badFramesIn).toBeGreaterThanOrEqual(8);

    // Good commands at 20 Hz for 1 s: the robot drives forward.
    for (let k = 0; k < 20; k++) {
      s.write(encodeWire({ type: 'velocity-command', v: 0.5, w: 0 }, seq++, 0));
      await wait(50);
    }
    expect(odometry()!.x - x0).toBeGreaterThan(0.2);
    expect(odometry()!.v).toBeGreaterThan(0.3);
    expect(frames.some((f) => f.msg.type === 'laser-scan')).toBe(true);
  });
});
