/**
 * Hostile link input through the real serial path (pty + SerialTransport + RobotLink), short
 * run (~1 MB); `npm run bench -- fuzz` runs the same fuzzer over ≥ 10 MB. See
 * test/main/faults/serial-fuzzer.ts for how every injected bad frame is accounted for.
 */
import { describe, expect, it } from 'vitest';
import { runSerialFuzz } from '../faults/serial-fuzzer';

describe('serial fuzz (1 MB)', () => {
  it('counts every bad frame, delivers every good one, never moves on a bad one, and stays in sync', async () => {
    const r = await runSerialFuzz({ totalBytes: 1_000_000, seed: 0xf022 });

    expect(r.bytes).toBeGreaterThanOrEqual(1_000_000);
    // Every kind of hostile unit was exercised.
    for (const [kind, n] of Object.entries(r.units)) expect(n, kind).toBeGreaterThan(0);

    // Exact accounting, reason by reason: CRC errors in crcErrors, everything else in badFrames.
    expect(r.counted.byReason).toEqual(r.badInjected);
    expect(r.counted.crcErrors).toBe(r.badInjected.crc);
    expect(r.counted.crcErrors + r.counted.badFrames).toBe(r.badInjectedTotal);
    expect(r.counted.frames).toBe(r.validFramesInjected);

    // Nothing from a bad frame reached the owner, and no motion was commanded from one.
    expect(r.poisonDelivered).toBe(0);
    expect(r.nonZeroCommands).toBe(0);
    expect(r.commandsReceived).toBeGreaterThan(0);

    // Replays are valid frames to the link; the fault monitor drops every one, and nothing else.
    expect(r.replaysDelivered).toBe(r.units.replay);
    expect(r.replaysDropped).toBe(r.replaysDelivered);
    expect(r.validDropped).toBe(0);

    // The session survived (no loss, no incompatibility) and the last good frame came through.
    expect(r.stateChanges).toEqual([]);
    expect(r.resyncedAtEnd).toBe(true);

    // Memory: the link buffers at most one wire block; the heap after GC stays put.
    expect(r.heapAfterBytes - r.heapBeforeBytes).toBeLessThan(2 * 1024 * 1024);
  }, 120_000);
});
