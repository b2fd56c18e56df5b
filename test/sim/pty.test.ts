import { lstat, readlink, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SerialPort } from 'serialport';
import { createPseudoTerminal, PseudoTerminalError, type PseudoTerminal } from '../../src/sim/pty';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function openSerial(path: string): Promise<SerialPort> {
  const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  cleanup.push(() => new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve())));
  return port;
}

async function makePty(linkPath?: string): Promise<PseudoTerminal> {
  const pty = await createPseudoTerminal(linkPath ? { linkPath } : {});
  cleanup.push(() => pty.close());
  return pty;
}

/** Resolves with everything received once `length` bytes have arrived (or rejects after timeoutMs). */
function collect(subscribe: (cb: (chunk: Buffer) => void) => void, length: number, timeoutMs = 2000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const timer = setTimeout(() => reject(new Error(`only ${total} of ${length} bytes arrived`)), timeoutMs);
    subscribe((chunk) => {
      chunks.push(chunk);
      total += chunk.length;
      if (total >= length) { clearTimeout(timer); resolve(Buffer.concat(chunks)); }
    });
  });
}

const allBytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
// CR, LF, XON/XOFF, ^C, ^Z, ^D, ^V, DEL and 0xFF repeated: what a cooked line discipline would eat or rewrite.
const nasty = Buffer.from([0x0d, 0x0a, 0x0d, 0x11, 0x13, 0x03, 0x1a, 0x04, 0x16, 0x7f, 0xff, 0x00, 0x0a, 0x0a, 0x0d]);

describe('pseudo-terminal', () => {
  it('passes every byte value both ways unchanged, with no echo', async () => {
    const pty = await makePty();
    expect(pty.path).toMatch(/^\/dev\/pts\/\d+$/);
    const port = await openSerial(pty.path);
    const payload = Buffer.concat([allBytes, nasty, Buffer.from(allBytes).reverse()]);

    const toSim = collect((cb) => pty.onData(cb), payload.length);
    const toHost = collect((cb) => port.on('data', cb), payload.length);
    // Anything echoed back to the writer would show up on its own side.
    const echoedToSim: Buffer[] = [];
    const echoedToHost: Buffer[] = [];
    port.write(payload);
    pty.write(payload);
    const [atSim, atHost] = await Promise.all([toSim, toHost]);
    expect(atSim.equals(payload)).toBe(true);
    expect(atHost.equals(payload)).toBe(true);

    pty.onData((c) => echoedToSim.push(c));
    port.on('data', (c: Buffer) => echoedToHost.push(c));
    await new Promise((r) => setTimeout(r, 100));
    expect(Buffer.concat(echoedToSim).length).toBe(0);
    expect(Buffer.concat(echoedToHost).length).toBe(0);
  });

  it('makes a stable symlink, replaces a stale one, and removes it on close', async () => {
    const linkPath = join(tmpdir(), `foresight-pty-test-${process.pid}.tty`);
    const first = await makePty(linkPath);
    expect(await readlink(linkPath)).toBe(first.path);
    // A second terminal at the same path (a restarted simulator) takes the link over.
    const second = await makePty(linkPath);
    expect(await readlink(linkPath)).toBe(second.path);
    // Closing the first must not remove the link that now belongs to the second.
    await first.close();
    expect(await readlink(linkPath)).toBe(second.path);
    const port = await openSerial(linkPath);
    const got = collect((cb) => port.on('data', cb), 3);
    second.write(new Uint8Array([1, 2, 3]));
    expect([...(await got)]).toEqual([1, 2, 3]);
    await second.close();
    await expect(lstat(linkPath)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses to replace a regular file with the link', async () => {
    const linkPath = join(tmpdir(), `foresight-pty-test-file-${process.pid}.tty`);
    await writeFile(linkPath, 'not a link');
    cleanup.push(() => rm(linkPath, { force: true }));
    const err = await createPseudoTerminal({ linkPath }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PseudoTerminalError);
    expect((err as PseudoTerminalError).code).toBe('link-path-occupied');
  });

  it('closing looks like an unplugged device to a reading serial client', async () => {
    const pty = await makePty();
    const port = await openSerial(pty.path);
    // serialport notices the hangup while it polls for input. (A read that starts after the
    // hangup gets 0 bytes and bindings-cpp retries forever; the link's silence watchdog covers
    // that case.) Exchange a byte so the port is polling, as a connected client always is.
    const first = collect((cb) => port.on('data', cb), 1);
    pty.write(new Uint8Array([7]));
    await first;
    await new Promise((r) => setTimeout(r, 20));
    const closed = new Promise<unknown>((resolve) => port.once('close', resolve));
    let closeEvents = 0;
    pty.onClose(() => closeEvents++);
    await pty.close();
    const err = await closed;
    expect((err as { disconnected?: boolean }).disconnected).toBe(true);
    expect(pty.closed).toBe(true);
    expect(closeEvents).toBe(1);
  });
});
