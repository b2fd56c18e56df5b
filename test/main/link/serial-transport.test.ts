import { afterEach, describe, expect, it } from 'vitest';
import { SerialTransport } from '../../../src/main/link/serial-transport';
import type { TransportCloseInfo } from '../../../src/main/link/transport';
import { createPseudoTerminal } from '../../../src/sim/pty';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

describe('SerialTransport', () => {
  it('reports a missing device as not-found, without throwing', async () => {
    const transport = new SerialTransport({ path: '/dev/ttyUSB-foresight-missing' });
    const result = await transport.open();
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('not-found');
      expect(result.error.message).toContain('/dev/ttyUSB-foresight-missing');
    }
  });

  it('moves bytes both ways, reports a vanished device once, and can reopen', async () => {
    const pty = await createPseudoTerminal();
    cleanup.push(() => pty.close());
    const transport = new SerialTransport({ path: pty.path });
    cleanup.push(() => transport.close());
    expect((await transport.open()).ok).toBe(true);
    expect((await transport.open()).ok).toBe(false); // already open

    const fromPty: number[] = [];
    const fromHost: number[] = [];
    pty.onData((c) => fromHost.push(...c));
    transport.onData((c) => fromPty.push(...c));
    expect(transport.write(new Uint8Array([0, 1, 0x0a, 0xff]))).toBe(true);
    pty.write(new Uint8Array([0x0d, 0x0a, 0]));
    await new Promise((r) => setTimeout(r, 50));
    expect(fromHost).toEqual([0, 1, 0x0a, 0xff]);
    expect(fromPty).toEqual([0x0d, 0x0a, 0]);

    // Requested close.
    const closes: TransportCloseInfo[] = [];
    transport.onClose((i) => closes.push(i));
    await transport.close();
    expect(closes).toEqual([{ requested: true, error: null }]);
    expect(transport.isOpen).toBe(false);

    // Reopen, then the device vanishes.
    expect((await transport.open()).ok).toBe(true);
    await new Promise((r) => setTimeout(r, 20));
    await pty.close();
    await new Promise((r) => setTimeout(r, 100));
    expect(closes).toHaveLength(2);
    expect(closes[1]!.requested).toBe(false);
    expect(closes[1]!.error?.code).toBe('disconnected');
    expect(transport.isOpen).toBe(false);
  });
});

describe('SerialTransport close while opening', () => {
  it('settles open() without leaking the port, and can open again', async () => {
    const pty = await createPseudoTerminal();
    cleanup.push(() => pty.close());
    const transport = new SerialTransport({ path: pty.path });
    const opening = transport.open();
    await transport.close();
    expect((await opening).ok).toBe(false);
    expect(transport.isOpen).toBe(false);
    expect((await transport.open()).ok).toBe(true);
    await transport.close();
  });
});
