/** Review helpers: the run's extent and the instants sampled for it. */
import { describe, expect, it } from 'vitest';
import { ODOMETRY_ONLY, type ConsoleSnapshot } from '../../../src/shared/api';
import { runExtent, sampleTimes } from '../../../src/renderer/review/run-view';

function frame(patch: Partial<ConsoleSnapshot> = {}): ConsoleSnapshot {
  return {
    t: 0,
    link: { state: 'connected', message: 'ok', endpoint: null, rttMs: null, clockOffsetMs: null, frameRateHz: 0, crcErrors: 0, badFrames: 0, reconnects: 0 },
    robot: null, pose: null, velocity: { v: 0, w: 0 }, command: { v: 0, w: 0 }, motion: 'idle', emergencyStop: false, battery: null,
    faults: [], screenPan: null, scan: [], scanAgeMs: null, safety: null, goal: null, globalPath: [], candidates: [], chosen: null,
    people: [], gazeTarget: null, notice: null, localization: ODOMETRY_ONLY,
    ...patch,
  } as ConsoleSnapshot;
}

describe('run extent', () => {
  it('covers every pose and goal, with a margin', () => {
    const e = runExtent([frame({ pose: { x: 1, y: 4, theta: 0 } }), frame({ pose: { x: 9, y: 4.5, theta: 0 }, goal: { x: 10, y: 4, theta: 0 } })])!;
    // x: 1…10 (9 m) → margin max(1, 0.12 · 9) = 1.08; y: 4…4.5 grows to the 4 m minimum, 2.25…6.25.
    expect(e.minX).toBeCloseTo(1 - 1.08, 6);
    expect(e.maxX).toBeCloseTo(10 + 1.08, 6);
    expect(e.minY).toBeCloseTo(2.25 - 1.08, 6);
    expect(e.maxY).toBeCloseTo(6.25 + 1.08, 6);
  });

  it('is at least the minimum size around a robot that did not move', () => {
    const e = runExtent([frame({ pose: { x: 2, y: 3, theta: 0 } })], { minSizeM: 4, minMarginM: 1 })!;
    expect(e).toEqual({ minX: -1, minY: 0, maxX: 5, maxY: 6 });
  });

  it('is null without poses or goals, and skips non-finite ones', () => {
    expect(runExtent([])).toBeNull();
    expect(runExtent([frame()])).toBeNull();
    expect(runExtent([frame({ pose: { x: NaN, y: 0, theta: 0 } })])).toBeNull();
  });
});

describe('extent sampling instants', () => {
  it('spreads about one a second over the run, ends included', () => {
    const t = sampleTimes(100, 110);
    expect(t).toHaveLength(11);
    expect(t[0]).toBe(100);
    expect(t[10]).toBe(110);
  });

  it('caps the count on a long run and handles an empty one', () => {
    expect(sampleTimes(0, 3600, 1, 96)).toHaveLength(96);
    expect(sampleTimes(5, 5)).toEqual([5]);
  });
});
