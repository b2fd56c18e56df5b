import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { encodeWire, FrameDecoder } from '../../src/shared/wire';

const BIN = fileURLToPath(new URL('../../bin/foresight.mjs', import.meta.url));

describe('foresight sim', () => {
  it('prints its TCP address as the first stdout line, serves the protocol, exits cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [BIN, 'sim', '--tcp', '0', '--people', '1', '--seed', '9'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const first = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += String(d);
          if (out.includes('\n')) resolve(out.split('\n')[0]!);
        });
        child.once('exit', (code) => reject(new Error(`exited with ${code}`)));
      });
      expect(first).toMatch(/^127\.0\.0\.1:\d+$/);
      const port = Number(first.split(':')[1]);
      const socket = connect(port, '127.0.0.1');
      const decoder = new FrameDecoder();
      const pong = await new Promise<unknown>((resolve) => {
        socket.on('data', (chunk: Buffer) => {
          for (const r of decoder.push(new Uint8Array(chunk))) if (r.ok && r.frame.msg.type === 'pong') resolve(r.frame.msg);
        });
        socket.on('connect', () => socket.write(encodeWire({ type: 'ping', requestHello: true }, 5, 42)));
      });
      expect(pong).toMatchObject({ pingSeq: 5, hostTimeUs: 42 });
      socket.destroy();
    } finally {
      child.kill('SIGTERM');
    }
    const code = await new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (c) => resolve(c))));
    expect(code).toBe(0);
  });

  it('rejects a missing transport with a usage error', async () => {
    const child = spawn(process.execPath, [BIN, 'sim', '--seed', '3'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += String(d)));
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(code).toBe(2);
    expect(err).toContain('--pty or --tcp');
  });
});
