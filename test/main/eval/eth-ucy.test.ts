import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildWindows, parseEthUcy } from '../../../src/main/eval/eth-ucy';
import { evaluatePredictor, sampleTrajectories } from '../../../src/main/eval/prediction-metrics';
import { loadWindows } from '../../../src/main/eval/eth-ucy-files';
import { createPredictor } from '../../../src/planner/predict/index';
import { createRng } from '../../../src/planner/predict/random';
import { tinyFile } from './tiny-file';

describe('ETH/UCY windows', () => {
  it('parses the format and rejects a malformed line with its number', () => {
    expect(parseEthUcy('780\t1.0\t8.46\t3.59\r\n790 1.0 9.57 3.79\n')).toEqual([
      { frame: 780, id: 1, x: 8.46, y: 3.59 },
      { frame: 790, id: 1, x: 9.57, y: 3.79 },
    ]);
    expect(() => parseEthUcy('1 2 3\n', 'f.txt')).toThrow(/f\.txt:1/);
  });

  it('keeps only pedestrians present in all 20 frames and windows with at least 2 of them', () => {
    const windows = buildWindows(parseEthUcy(tinyFile()));
    expect(windows).toHaveLength(1);
    expect(windows[0].agents.map((a) => a.id)).toEqual([1, 2]);
    // One more frame with only ped 1: the second window has a single counted pedestrian.
    const longer = buildWindows(parseEthUcy(`${tinyFile()}\n200\t1.0\t20.0\t0.0\n`));
    expect(longer).toHaveLength(1);
  });

  it('scores constant velocity on the tiny file as computed by hand', () => {
    const score = evaluatePredictor(buildWindows(parseEthUcy(tinyFile())), createPredictor({ model: 'cv' }));
    expect(score.windows).toBe(1);
    expect(score.agents).toBe(2);
    expect(score.ade).toBeCloseTo(3.25, 12);
    expect(score.fde).toBeCloseTo(6, 12);
    expect(score.bestOfMethod).toBe('sampled');
    expect(score.minAde).toBeLessThanOrEqual(score.ade);
  });

  it('samples deterministically from a seeded generator', () => {
    const [p] = createPredictor({ model: 'cv' }).predict({ t0: 0, historyDt: 0.4, agents: [{ id: 1, xs: [0, 1], ys: [0, 0] }] });
    const a = sampleTrajectories(p, 20, createRng(5));
    const b = sampleTrajectories(p, 20, createRng(5));
    expect(a).toHaveLength(20);
    expect(a).toEqual(b);
  });

  const hotel = '../shared/data/eth_ucy/hotel/test/biwi_hotel.txt';
  it.skipIf(!existsSync(hotel))('reproduces the published constant-velocity check on HOTEL', () => {
    const score = evaluatePredictor(loadWindows(hotel), createPredictor({ model: 'cv' }));
    expect(score.ade).toBeCloseTo(0.323, 3);
    expect(score.fde).toBeCloseTo(0.617, 3);
  });
});
