import { describe, expect, it } from 'vitest';
import { createPredictor, quantizeModes, agentFromTrack } from '../../../src/planner/predict/index';
import type { PredictionAgent, PredictionInput } from '../../../src/planner/predict/types';
import { trackNoiseIndex, weightedVelocity } from '../../../src/planner/predict/velocity';
import { createRng } from '../../../src/planner/predict/random';

/** A person observed for 8 steps of 0.4 s walking from (x, y) at (vx, vy) m/s, ending at t0. */
function walker(id: number, x: number, y: number, vx: number, vy: number): PredictionAgent {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let k = -7; k <= 0; k++) {
    xs.push(x + vx * 0.4 * k);
    ys.push(y + vy * 0.4 * k);
  }
  return { id, xs, ys };
}

const input = (...agents: PredictionAgent[]): PredictionInput => ({ t0: 10, historyDt: 0.4, agents });

describe('constant-velocity predictor', () => {
  it('repeats the last displacement', () => {
    const [p] = createPredictor({ model: 'cv' }).predict(input(walker(1, 0, 0, 1, 0.5)));
    expect(p.futures).toHaveLength(1);
    expect(p.t0).toBe(10);
    expect(p.futures[0].xs[0]).toBeCloseTo(0.4, 12);
    expect(p.futures[0].ys[11]).toBeCloseTo(0.5 * 4.8, 12);
  });
});

describe('social predictor', () => {
  const scene = input(walker(1, 0, 0, 1.2, 0), walker(2, 3, 2, 0, -1), walker(3, -2, 1, 0.05, 0));

  it('gives several futures per person whose probabilities sum to 1, nominal most likely', () => {
    for (const futureCount of [1, 7, 20]) {
      const predictions = createPredictor({ futureCount }).predict(scene);
      expect(predictions.map((p) => p.trackId)).toEqual([1, 2, 3]);
      for (const p of predictions) {
        expect(p.futures).toHaveLength(futureCount);
        expect(p.futures.reduce((s, f) => s + f.probability, 0)).toBeCloseTo(1, 12);
        const top = Math.max(...p.futures.map((f) => f.probability));
        expect(p.futures[0].probability).toBe(top);
      }
    }
  });

  it('lets uncertainty grow with time', () => {
    const [p] = createPredictor().predict(scene);
    for (const f of p.futures) {
      for (let k = 1; k < f.sigmas.length; k++) expect(f.sigmas[k]).toBeGreaterThan(f.sigmas[k - 1]);
    }
  });

  it('covers the configured horizon and step, and refuses more than 8 s', () => {
    const [p] = createPredictor({ horizon: 8, dt: 0.2 }).predict(scene);
    expect(p.dt).toBe(0.2);
    expect(p.futures[0].xs).toHaveLength(40);
    expect(() => createPredictor({ horizon: 9 })).toThrow(/horizon/);
    expect(() => createPredictor({ model: 'nope' as 'cv' })).toThrow(/unknown predictor/);
  });

  it('is deterministic', () => {
    const a = createPredictor({ futureCount: 20 }).predict(scene);
    const b = createPredictor({ futureCount: 20 }).predict(scene);
    expect(a).toEqual(b);
  });

  it('bends a predicted path away from an oncoming person', () => {
    // Head-on, 0.2 m lateral offset: person 2 slightly to person 1's left (+y).
    const oncoming = input(walker(1, 0, 0, 1.2, 0), walker(2, 6, 0.2, -1.2, 0));
    const social = createPredictor({ futureCount: 1 }).predict(oncoming);
    const blind = createPredictor({ futureCount: 1, social: { interactionTurnRate: 0 } }).predict(oncoming);
    // Lateral separation when the two pass each other (x positions cross), interpolated.
    const passingGap = (ps: typeof social) => {
      const [a, b] = ps.map((p) => p.futures[0]);
      for (let k = 1; k < a.xs.length; k++) {
        const before = a.xs[k - 1] - b.xs[k - 1];
        const after = a.xs[k] - b.xs[k];
        if (before < 0 && after >= 0) {
          const f = -before / (after - before);
          const dy = (a.ys[k - 1] - b.ys[k - 1]) * (1 - f) + (a.ys[k] - b.ys[k]) * f;
          return Math.abs(dy);
        }
      }
      throw new Error('the two never pass each other');
    };
    expect(passingGap(blind)).toBeCloseTo(0.2, 9);
    expect(passingGap(social)).toBeGreaterThan(0.45);
    // Person 1 turns right (−y), away from person 2.
    expect(Math.min(...social[0].futures[0].ys)).toBeLessThan(-0.1);
    // A lone walker is not bent.
    const [alone] = createPredictor({ futureCount: 1 }).predict(input(walker(1, 0, 0, 1.2, 0)));
    expect(Math.max(...alone.futures[0].ys.map(Math.abs))).toBeLessThan(1e-12);
  });

  it('keeps predicted paths off walls it is given', () => {
    const wall = { distanceAt: (x: number) => Math.abs(2 - x) }; // wall at x = 2
    const [p] = createPredictor({ futureCount: 1 }).predict({ ...input(walker(1, 0, 0, 1, 0.3)), obstacles: wall });
    for (const x of p.futures[0].xs) expect(x).toBeLessThan(2);
  });

  it('uses a track velocity when there is no history', () => {
    const track = { id: 4, x: 1, y: 1, vx: 0, vy: 1, positionSigma: 0.1, lastSeen: 0, hits: 5 };
    const [p] = createPredictor({ futureCount: 1 }).predict(input(agentFromTrack(track)));
    expect(p.futures[0].ys[0]).toBeCloseTo(1.4, 2);
    expect(p.futures[0].sigmas[0]).toBeGreaterThan(0.1);
  });
});

describe('velocity estimation', () => {
  it('tells smooth tracks from noisy ones', () => {
    const rng = createRng(3);
    const smooth = walker(1, 0, 0, 1, 0.2) as { id: number; xs: number[]; ys: number[] };
    const noisy = { id: 2, xs: smooth.xs.map((x) => x + 0.1 * (rng() - 0.5)), ys: smooth.ys.map((y) => y + 0.1 * (rng() - 0.5)) };
    const curving = { id: 3, xs: [0, 0.4, 0.8, 1.2, 1.55, 1.85, 2.1, 2.3], ys: [0, 0, 0.02, 0.06, 0.13, 0.23, 0.36, 0.52] };
    expect(trackNoiseIndex([noisy])).toBeGreaterThan(0.3);
    expect(trackNoiseIndex([curving])).toBeLessThan(0.05);
    expect(trackNoiseIndex([smooth])).toBe(0);
  });

  it('weights recent displacements', () => {
    const v = weightedVelocity([0, 0.4, 1.2], [0, 0, 0], 0.4, 0.5)!; // displacements 0.8 (w 1), 0.4 (w 0.5)
    expect(v.vx).toBeCloseTo((0.8 + 0.5 * 0.4) / 1.5 / 0.4, 12);
    expect(weightedVelocity([0], [0], 0.4, 0.5)).toBeNull();
  });
});

describe('quantizeModes', () => {
  it('puts the nominal first and sums to 1 for any count', () => {
    for (let n = 1; n <= 30; n++) {
      const modes = quantizeModes(n, { headingSigma: 0.3, logSpeedSigma: 0.2, ringRadii: [1, 2.2] });
      expect(modes).toHaveLength(n);
      expect(modes.reduce((s, m) => s + m.probability, 0)).toBeCloseTo(1, 12);
      expect(modes[0]).toMatchObject({ headingOffset: 0, speedScale: 1 });
    }
  });
});
