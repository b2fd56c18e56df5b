import { describe, expect, it } from 'vitest';
import { PersonTracker } from '../../../src/planner/perception/tracker';
import { scorePeople, type ScoringFrame } from '../../../src/planner/perception/scoring';
import { createRng, standardNormal } from '../../../src/planner/predict/random';

const det = (x: number, y: number, confidence = 0.9) => ({ x, y, confidence });

describe('PersonTracker', () => {
  it('reports a track only after birthHits detections, with a stable id', () => {
    const tracker = new PersonTracker({ birthHits: 3 });
    expect(tracker.update([det(1, 1)], 0)).toHaveLength(0);
    expect(tracker.update([det(1.1, 1)], 0.1)).toHaveLength(0);
    const third = tracker.update([det(1.2, 1)], 0.2);
    expect(third).toHaveLength(1);
    const id = third[0].id;
    const fourth = tracker.update([det(1.3, 1)], 0.3);
    expect(fourth[0].id).toBe(id);
    expect(fourth[0].vx).toBeGreaterThan(0.5); // walking +x at 1 m/s
    expect(fourth[0].hits).toBe(4);
  });

  it('drops a track after maxCoastTime without detections', () => {
    const tracker = new PersonTracker({ maxCoastTime: 0.5, reportCoastTime: 0.5 });
    for (let k = 0; k < 5; k++) tracker.update([det(0, 0)], k * 0.1);
    expect(tracker.update([], 0.8)).toHaveLength(1); // 0.4 s coasting
    expect(tracker.update([], 1.1)).toHaveLength(0); // 0.7 s
  });

  it('gates out an outlier instead of dragging the track to it', () => {
    const tracker = new PersonTracker({ birthHits: 3 });
    for (let k = 0; k < 10; k++) tracker.update([det(k * 0.1, 0)], k * 0.1);
    const [before] = tracker.confirmedTracks();
    const after = tracker.update([det(3, 2.5)], 1.0); // 2.5 m off: not this person
    expect(after).toHaveLength(1);
    expect(after[0].id).toBe(before.id);
    expect(Math.hypot(after[0].x - 1.0, after[0].y)).toBeLessThan(0.1); // coasted, not pulled
    // The outlier only starts a tentative track; it is not reported.
    expect(tracker.update([det(1.1, 0), det(3, 2.5)], 1.1)).toHaveLength(1);
  });

  it('confirms on summed evidence: two leg pairs, but several faint single legs', () => {
    const tracker = new PersonTracker({ birthHits: 2, confirmEvidence: 1.2 });
    expect(tracker.update([det(1, 1, 0.9), det(3, 3, 0.3)], 0)).toHaveLength(0);
    const second = tracker.update([det(1, 1, 0.9), det(3, 3, 0.3)], 0.1);
    expect(second.map((t) => t.x)).toEqual([1]); // the faint one has 0.6 of 1.2
    tracker.update([det(1, 1, 0.9), det(3, 3, 0.3)], 0.2);
    expect(tracker.update([det(1, 1, 0.9), det(3, 3, 0.3)], 0.3)).toHaveLength(2);
  });

  it('does not start a second track on a stray leg of a tracked person', () => {
    const tracker = new PersonTracker();
    for (let k = 0; k < 5; k++) tracker.update([det(0, 0)], k * 0.1);
    // Pair detection plus a leg 0.2 m away (the pair association took the other leg).
    for (let k = 5; k < 10; k++) tracker.update([det(0, 0), det(0.2, 0.05, 0.4)], k * 0.1);
    expect(tracker.confirmedTracks()).toHaveLength(1);
  });

  it('stops reporting a coasting track after reportCoastTime but keeps its id for a reappearance', () => {
    const tracker = new PersonTracker({ reportCoastTime: 0.5, maxCoastTime: 1.5 });
    for (let k = 0; k < 10; k++) tracker.update([det(k * 0.1, 0)], k * 0.1);
    const id = tracker.confirmedTracks()[0].id;
    expect(tracker.update([], 1.2)).toHaveLength(1); // 0.3 s unseen
    expect(tracker.update([], 1.6)).toHaveLength(0); // 0.7 s unseen: not reported
    // The coasting velocity decayed, so the track waited near where it was lost.
    const back = tracker.update([det(1.3, 0)], 1.8);
    expect(back).toHaveLength(1);
    expect(back[0].id).toBe(id);
  });

  it('keeps identities through a crossing (two people passing 0.5 m apart)', () => {
    const tracker = new PersonTracker();
    const rng = createRng(7);
    const frames: ScoringFrame[] = [];
    for (let k = 0; k <= 60; k++) {
      const t = k * 0.1;
      const truth = [
        { id: 1, x: -3 + 1.0 * t, y: 0.25 },
        { id: 2, x: 3 - 1.0 * t, y: -0.25 },
      ];
      const detections = truth.map((p) => det(p.x + 0.03 * standardNormal(rng), p.y + 0.03 * standardNormal(rng)));
      const tracks = tracker.update(k % 2 === 0 ? detections : [...detections].reverse(), t);
      frames.push({ truth, estimates: tracks.map((tr) => ({ id: tr.id, x: tr.x, y: tr.y })) });
    }
    const score = scorePeople(frames.slice(3)); // after birth
    expect(score.identitySwitches).toBe(0);
    expect(score.recall).toBe(1);
    expect(score.precision).toBe(1);
    expect(score.meanPositionError).toBeLessThan(0.1);
  });

  it('resamples a track history for the predictor', () => {
    const tracker = new PersonTracker({ birthHits: 1 });
    for (let k = 0; k <= 20; k++) tracker.update([det(k * 0.1, 0)], k * 0.1);
    const [track] = tracker.confirmedTracks();
    const path = tracker.recentPath(track.id, 0.4, 4)!;
    expect(path.xs).toHaveLength(4);
    expect(path.xs[3]).toBeCloseTo(track.x, 9);
    // Evenly spaced 0.4 s apart at ≈ 1 m/s.
    expect(path.xs[3] - path.xs[2]).toBeCloseTo(0.4, 1);
    expect(path.xs[1] - path.xs[0]).toBeCloseTo(0.4, 1);
    expect(tracker.recentPath(999, 0.4, 4)).toBeNull();
  });
});
