/**
 * The robot link against the real simulator over a real pseudo-terminal: serialport on the
 * console's end, the firmware-equivalent simulator on the other.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type RunningSimulator } from '../../../src/sim/start';
import { RobotLink, SerialTransport, systemClock } from '../../../src/main/link';
import { FrameDecoder, encodeWire } from '../../../src/shared/wire';
import type { SimRobot } from '../../../src/sim/sim-robot';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function simOnPty(): Promise<RunningSimulator> {
  const sim = await startSimulator({ transport: { kind: 'pty', linkPath: join(mkdtempSync(join(tmpdir(), 'fs-link-')), 'robot.tty') }, seed: 3, people: 0 });
  cleanups.push(() => sim.close());
  return sim;
}

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('link ⇄ simulator over a real pty', () => {
  it('handshakes, and a velocity command moves the odometry', async () => {
    const sim = await simOnPty();
    const link = new RobotLink({ transport: new SerialTransport({ path: sim.endpoint, baudRate: 921600 }) });
    cleanups.push(() => link.dispose());
    let x0: number | null = null;
    let x = 0;
    link.on('frame', (f) => {
      if (f.msg.type === 'odometry') {
        x0 ??= f.msg.x;
        x = f.msg.x;
      }
    });
    link.connect();
    await until(() => link.state === 'connected', 5000, 'handshake');
    expect(link.robot?.name).toBe('foresight-sim');
    const started = Date.now();
    while (Date.now() - started < 1200) {
      link.setVelocity({ v: 0.4, w: 0 });
      await sleep(20);
    }
    expect(x - (x0 ?? 0)).toBeGreaterThan(0.15);
    link.stop();
    expect(link.getCounters().crcErrors + link.getCounters().badFrames).toBe(0);
  });

  it('reassembles frames split at every byte boundary, drops a corrupted one, counts it and resyncs', async () => {
    const sim = await simOnPty();
    // Raw serial access: the test writes the bytes itself, one write per byte.
    const port = new SerialTransport({ path: sim.endpoint, baudRate: 921600 });
    cleanups.push(() => port.close());
    expect((await port.open()).ok).toBe(true);
    let seq = 0;
    const frame = (msg: Parameters<typeof encodeWire>[0]): Uint8Array => encodeWire(msg, seq++, Math.round(systemClock.nowMs() * 1000));
    const pongs: number[] = [];
    const dec = new FrameDecoder();
    port.onData((chunk) => {
      for (const r of dec.push(chunk)) if (r.ok && r.frame.msg.type === 'pong') pongs.push(r.frame.msg.pingSeq);
    });

    // A Ping dribbled one byte at a time must still be answered.
    const ping = frame({ type: 'ping', requestHello: true });
    for (const byte of ping) {
      port.write(Uint8Array.of(byte));
      await sleep(1);
    }
    await until(() => pongs.length >= 1, 2000, 'pong to a dribbled ping');

    // A velocity command with a damaged CRC must be dropped, counted, and never move the robot.
    const bad = frame({ type: 'velocity-command', v: 0.5, w: 0 });
    // Flip bits of the last encoded byte (never into 0x00, which would split the block in two).
    bad[bad.length - 2] ^= bad[bad.length - 2] === 0x5a ? 0x3c : 0x5a;
    const before = (sim.robot as SimRobot).stats.badFramesIn;
    port.write(bad);
    // The next good frame is understood: the decoder resynchronized at the delimiter.
    const pingSeq = seq;
    port.write(frame({ type: 'ping', requestHello: false }));
    await until(() => pongs.includes(pingSeq), 2000, 'pong after the corrupted frame');
    expect((sim.robot as SimRobot).stats.badFramesIn - before).toBe(1);
    expect((sim.robot as SimRobot).stats.velocityCommands).toBe(0);
    expect(Math.abs(sim.core.groundTruth().robotVelocity.v)).toBe(0);
  });
});
