import { describe, expect, it } from 'vitest';
import type { RunFrame, TimelineMarker } from '../../src/shared/api';
import { PlaybackClock, STEP_S, fmtClock } from '../../src/renderer/review/clock';
import { adjacentMarker, placeMarkers, timeToX, xToTime } from '../../src/renderer/review/markers';
import { FrameCache } from '../../src/renderer/review/frame-cache';

describe('playback clock', () => {
  it('advances with wall time times the rate, and pauses', () => {
    const c = new PlaybackClock(100, 160);
    expect(c.now(0)).toBe(100);
    c.play(1000);
    expect(c.now(3000)).toBeCloseTo(102, 9);
    c.setRate(10, 3000);
    expect(c.now(3500)).toBeCloseTo(107, 9);
    c.pause(3500);
    expect(c.now(99_999)).toBeCloseTo(107, 9);
    c.setRate(0.1, 0);
    c.play(0);
    expect(c.now(10_000)).toBeCloseTo(108, 9);
  });

  it('clamps the rate to 0.1x..10x', () => {
    const c = new PlaybackClock(0, 10);
    c.setRate(50, 0);
    expect(c.rate).toBe(10);
    c.setRate(0.01, 0);
    expect(c.rate).toBe(0.1);
  });

  it('seeks forwards and backwards while playing, clamped to the run', () => {
    const c = new PlaybackClock(0, 60);
    c.play(0);
    c.seek(40, 1000);
    expect(c.now(2000)).toBeCloseTo(41, 9);
    c.seek(5, 2000);
    expect(c.now(2000)).toBe(5);
    expect(c.playing).toBe(true);
    c.seek(-10, 2000);
    expect(c.now(2000)).toBe(0);
    c.seek(Number.NaN, 2000);
    expect(c.now(2000)).toBe(0);
  });

  it('stops at the end and plays again from the start', () => {
    const c = new PlaybackClock(0, 2);
    c.play(0);
    expect(c.now(5000)).toBe(2);
    expect(c.playing).toBe(false);
    c.play(6000);
    expect(c.now(6500)).toBeCloseTo(0.5, 9);
  });

  it('steps by one planner cycle and pauses', () => {
    const c = new PlaybackClock(0, 10, 5);
    c.play(0);
    c.step(1, 1000);
    expect(c.playing).toBe(false);
    expect(c.now(1000)).toBeCloseTo(6 + STEP_S, 9);
    c.step(-3, 1000);
    expect(c.now(1000)).toBeCloseTo(6 - 2 * STEP_S, 9);
  });

  it('formats m:ss.s', () => {
    expect(fmtClock(0)).toBe('0:00.0');
    expect(fmtClock(65.25)).toBe('1:05.3');
  });
});

const mk = (id: string, t: number): TimelineMarker => ({ id, kind: 'incident', t, label: id });

describe('marker placement', () => {
  it('maps time to pixels and back, clamped', () => {
    expect(timeToX(130, 100, 160, 600)).toBe(300);
    expect(timeToX(90, 100, 160, 600)).toBe(0);
    expect(timeToX(200, 100, 160, 600)).toBe(600);
    expect(xToTime(150, 100, 160, 600)).toBe(115);
    expect(xToTime(-5, 100, 160, 600)).toBe(100);
    expect(timeToX(5, 10, 10, 600)).toBe(0);
  });

  it('groups markers closer than the minimum gap', () => {
    const placed = placeMarkers([mk('c', 130), mk('a', 100), mk('b', 100.3), mk('d', 160)], 100, 160, 600, 6);
    expect(placed.map((p) => [p.x, p.markers.map((m) => m.id)])).toEqual([[0, ['a', 'b']], [300, ['c']], [600, ['d']]]);
  });

  it('finds the next and previous marker', () => {
    const ms = [mk('a', 10), mk('b', 20), mk('c', 30)];
    expect(adjacentMarker(ms, 20, 1)?.id).toBe('c');
    expect(adjacentMarker(ms, 20, -1)?.id).toBe('a');
    expect(adjacentMarker(ms, 30, 1)).toBeNull();
    expect(adjacentMarker(ms, 5, -1)).toBeNull();
  });
});

function frame(t: number): RunFrame {
  return { runId: 1, t, snapshot: { t } as RunFrame['snapshot'] };
}

describe('frame cache', () => {
  it('serves cached frames at once and fetches each quantum once', async () => {
    const asked: number[] = [];
    const cache = new FrameCache(async (t) => {
      asked.push(t);
      return frame(t);
    });
    const f = await cache.want(10.001);
    expect(f?.t).toBeCloseTo(10, 9);
    expect(cache.get(10.004)?.t).toBeCloseTo(10, 9);
    await cache.want(10.002);
    expect(asked).toHaveLength(1);
  });

  it('a newer cursor position replaces an older one not yet requested (latest wins)', async () => {
    const resolvers: (() => void)[] = [];
    const asked: number[] = [];
    const cache = new FrameCache((t) => {
      asked.push(Math.round(t * 100) / 100);
      return new Promise<RunFrame>((r) => resolvers.push(() => r(frame(t))));
    }, { maxInFlight: 1 });
    const a = cache.want(1);
    const b = cache.want(2);
    const c = cache.want(3);
    expect(asked).toEqual([1]);
    expect(await b).toBeNull(); // superseded before it was sent
    resolvers.shift()!();
    expect((await a)?.t).toBe(1);
    await Promise.resolve();
    expect(asked).toEqual([1, 3]);
    resolvers.shift()!();
    expect((await c)?.t).toBe(3);
  });

  it('prefetches into free slots, keeping one for the cursor, and evicts the oldest', async () => {
    const asked: number[] = [];
    const pending: (() => void)[] = [];
    const cache = new FrameCache((t) => {
      asked.push(Math.round(t * 100) / 100);
      return new Promise<RunFrame>((r) => pending.push(() => r(frame(t))));
    }, { maxInFlight: 2, capacity: 3 });
    cache.prefetch([1, 2, 3, 4]);
    expect(asked).toEqual([1]);
    const w = cache.want(9);
    expect(asked).toEqual([1, 9]);
    while (pending.length > 0) {
      pending.shift()!();
      await new Promise((r) => setTimeout(r, 0));
    }
    expect((await w)?.t).toBe(9);
    expect(asked.sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 9]);
    expect(cache.size).toBe(3);
    expect(cache.nearest(4.03, 0.1)?.t).toBe(4);
  });

  it('reports fetch errors and resolves the waiter with null', async () => {
    const cache = new FrameCache(async () => {
      throw new Error('no run with id 1');
    });
    expect(await cache.want(1)).toBeNull();
    expect(cache.lastError).toBe('no run with id 1');
  });
});
