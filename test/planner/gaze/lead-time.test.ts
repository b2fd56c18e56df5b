import { describe, expect, it } from 'vitest';
import { gazeLeadTimes, type GazeSample } from '../../../src/planner/gaze/index';

const deg = Math.PI / 180;

/** Piecewise-linear series at 50 Hz from (t, value) knots. */
function series(duration: number, heading: [number, number][], gaze: [number, number][]): GazeSample[] {
  const at = (knots: [number, number][], t: number) => {
    if (t <= knots[0][0]) return knots[0][1];
    for (let i = 1; i < knots.length; i++) {
      const [t1, v1] = knots[i];
      const [t0, v0] = knots[i - 1];
      if (t <= t1) return v0 + ((t - t0) / (t1 - t0)) * (v1 - v0);
    }
    return knots[knots.length - 1][1];
  };
  const out: GazeSample[] = [];
  for (let k = 0; k * 0.02 <= duration + 1e-9; k++) {
    const t = k * 0.02;
    const h = at(heading, t);
    out.push({ t, heading: Math.atan2(Math.sin(h), Math.cos(h)), pan: at(gaze, t) - h });
  }
  return out;
}

describe('gazeLeadTimes', () => {
  it('measures the gaze reaching half the turn before the body leaves its heading by 10°', () => {
    // Body turns 0 → 90° from t = 3 to 4 s (10° at 3.111 s); gaze (map) turns 0 → 90° from 2 to 2.5 s (45° at 2.25 s).
    const log = series(8, [[0, 0], [3, 0], [4, 90 * deg]], [[0, 0], [2, 0], [2.5, 90 * deg]]);
    const [turn, ...rest] = gazeLeadTimes(log);
    expect(rest).toHaveLength(0);
    expect(turn.turn).toBeCloseTo(90 * deg, 2);
    expect(turn.bodyTurnTime).toBeCloseTo(3 + 1 / 9, 1);
    expect(turn.gazeTurnTime).toBeCloseTo(2.25, 1);
    expect(turn.leadTime!).toBeCloseTo(3.111 - 2.25, 1);
  });

  it('gives a negative lead when the screen lags, and null when it never looks', () => {
    const lag = gazeLeadTimes(series(8, [[0, 0], [3, 0], [4, -90 * deg]], [[0, 0], [3.5, 0], [4.5, -90 * deg]]))[0];
    expect(lag.turn).toBeLessThan(0);
    expect(lag.leadTime!).toBeLessThan(0);
    const never = gazeLeadTimes(series(8, [[0, 0], [3, 0], [4, 90 * deg]], [[0, 0], [3, 0], [4, 30 * deg], [8, 30 * deg]]))[0];
    expect(never.leadTime).toBeNull();
  });

  it('does not count a glance that turned away again before the body turned', () => {
    // Gaze looks left 1–1.5 s, back ahead, then turns with the body only at 3.5 s.
    const log = series(8, [[0, 0], [3, 0], [4, 90 * deg]], [[0, 0], [1, 0], [1.1, 80 * deg], [1.5, 80 * deg], [1.6, 0], [3.3, 0], [3.6, 90 * deg]]);
    const [turn] = gazeLeadTimes(log);
    expect(turn.gazeTurnTime!).toBeGreaterThan(3.3);
    expect(turn.leadTime!).toBeLessThan(0);
  });

  it('ignores turns of 45° or less and splits two turns separated by a straight stretch', () => {
    const log = series(
      20,
      [[0, 0], [2, 0], [2.5, 40 * deg], [6, 40 * deg], [7, 130 * deg], [11, 130 * deg], [12, 40 * deg]],
      [[0, 0], [2, 0], [2.5, 40 * deg], [5, 40 * deg], [5.5, 130 * deg], [10.2, 130 * deg], [10.6, 40 * deg], [20, 40 * deg]],
    );
    const turns = gazeLeadTimes(log);
    expect(turns.map((t) => Math.round(t.turn / deg))).toEqual([90, -90]);
    expect(turns[0].leadTime!).toBeCloseTo(6.111 - 5.25, 1); // measured from 40°, where the first (small) turn ended
    expect(turns[1].leadTime!).toBeGreaterThan(0.5);
  });

  it('handles headings wrapping through ±π', () => {
    const log = series(8, [[0, 170 * deg], [3, 170 * deg], [4, 260 * deg]], [[0, 170 * deg], [2, 170 * deg], [2.5, 260 * deg]]);
    const [turn] = gazeLeadTimes(log);
    expect(turn.turn).toBeCloseTo(90 * deg, 2);
    expect(turn.leadTime!).toBeGreaterThan(0.7);
  });
});
