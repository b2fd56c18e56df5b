import { describe, expect, it } from 'vitest';
import { ClockSync } from '../../../src/main/link/clock-sync';

/** One exchange with a robot whose clock is `offsetMs` ahead, one-way delays up/down (ms). */
function exchange(sync: ClockSync, t0Ms: number, offsetMs: number, upMs: number, downMs: number, processMs = 1) {
  const us = (ms: number) => Math.round(ms * 1000);
  const t1 = t0Ms + upMs + offsetMs;
  const t2 = t1 + processMs;
  const t3 = t0Ms + upMs + processMs + downMs;
  return sync.addExchange(us(t0Ms), us(t1), us(t2), us(t3));
}

describe('ClockSync', () => {
  it('recovers offset and RTT exactly with symmetric delays', () => {
    const sync = new ClockSync();
    expect(sync.offsetMs).toBeNull();
    exchange(sync, 1000, 250, 3, 3);
    expect(sync.offsetMs).toBeCloseTo(250, 6);
    expect(sync.rttMs).toBeCloseTo(6, 6);
  });

  it('ignores a single delayed exchange through the median', () => {
    const sync = new ClockSync();
    for (let i = 0; i < 8; i++) exchange(sync, 1000 + i * 200, -40, 2, 2);
    exchange(sync, 3000, -40, 2, 80); // one Pong stuck in a buffer
    expect(sync.offsetMs).toBeCloseTo(-40, 6);
    expect(sync.rttMs).toBeCloseTo(4, 6);
  });

  it('follows a robot clock jump after a few confirming samples and reports it', () => {
    const sync = new ClockSync({ jumpConfirmSamples: 3 });
    for (let i = 0; i < 9; i++) exchange(sync, i * 200, 100, 2, 2);
    expect(exchange(sync, 2000, 10_100, 2, 2)).toBeNull();
    expect(exchange(sync, 2200, 10_100, 2, 2)).toBeNull();
    expect(sync.offsetMs).toBeCloseTo(100, 6); // not yet: could be noise
    const jump = exchange(sync, 2400, 10_100, 2, 2);
    expect(jump).toEqual({ fromOffsetMs: 100, toOffsetMs: 10_100 });
    expect(sync.offsetMs).toBeCloseTo(10_100, 6);
  });

  it('drops impossible samples', () => {
    const sync = new ClockSync();
    // Pong "received" before the Ping was sent: negative round trip.
    expect(sync.addExchange(10_000, 0, 0, 5_000)).toBeNull();
    expect(sync.sampleCount).toBe(0);
    expect(sync.addExchange(Number.NaN, 0, 0, 5_000)).toBeNull();
    expect(sync.sampleCount).toBe(0);
  });
});
