import { describe, expect, it, vi } from 'vitest';
import { runPerceptionEval } from '../../../src/main/eval/perception-eval';
import command from '../../../src/main/cli/commands/people-eval';
import { UsageError } from '../../../src/main/cli/command';

describe('runPerceptionEval (simulated apartment, crowd of 6)', () => {
  it("meets the issue's targets within 4 m over 4 × 20 s (standing and patrolling, two seeds)", () => {
    // One 20 s run holds only a few people's entrances, so its recall moves by a few
    // percent from seed to seed; the target is checked on the pooled counts.
    let tp = 0;
    let fp = 0;
    let misses = 0;
    let errorSum = 0;
    let visible = 0;
    for (const motion of ['stand', 'patrol'] as const) {
      for (const seed of [1, 2]) {
        const r = runPerceptionEval({ seed, durationS: 20, motion, crowdCount: 6, maxRange: 4 });
        expect(r.frames).toBeGreaterThan(180);
        // Every run on its own stays near the target.
        expect(r.tracks.recall).toBeGreaterThan(0.9);
        expect(r.tracks.precision).toBeGreaterThan(0.9);
        expect(r.tracks.identitySwitches).toBeLessThan(10);
        tp += r.tracks.truePositives;
        fp += r.tracks.falsePositives;
        misses += r.tracks.misses;
        errorSum += r.tracks.meanPositionError * r.tracks.truePositives;
        visible += r.visiblePersonFrames;
      }
    }
    // Enough people were in view for the figures to mean something.
    expect(visible).toBeGreaterThan(1000);
    expect(tp / (tp + misses)).toBeGreaterThanOrEqual(0.95);
    expect(tp / (tp + fp)).toBeGreaterThanOrEqual(0.95);
    expect(errorSum / tp).toBeLessThanOrEqual(0.15);
  });

  it('is deterministic for a seed', () => {
    const a = runPerceptionEval({ seed: 5, durationS: 5 });
    const b = runPerceptionEval({ seed: 5, durationS: 5 });
    expect(b).toEqual(a);
  });

  it('counts nothing when nobody is there', () => {
    const r = runPerceptionEval({ seed: 1, durationS: 3, crowdCount: 0 });
    expect(r.tracks.falsePositives).toBe(0);
    expect(r.tracks.truePositives + r.tracks.misses).toBe(0);
  });
});

describe('foresight people-eval', () => {
  it('prints one JSON line with --json', async () => {
    let out = '';
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
    try {
      expect(await command.run(['--seconds', '3', '--seed', '2', '--json'])).toBe(0);
    } finally {
      spy.mockRestore();
    }
    const lines = out.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1);
    const json = JSON.parse(lines[0]);
    expect(Object.keys(json)).toEqual([
      'seconds', 'seed', 'crowd', 'motion', 'range', 'frames', 'recall', 'precision',
      'id_switches', 'position_error_m', 'position_rms_m', 'detection_recall', 'detection_precision',
    ]);
    expect(json).toMatchObject({ seconds: 3, seed: 2, crowd: 6, motion: 'patrol', range: 4 });
  });

  it('rejects bad options as usage errors', async () => {
    await expect(command.run(['--motion', 'fly'])).rejects.toBeInstanceOf(UsageError);
    await expect(command.run(['--seconds', '-1'])).rejects.toBeInstanceOf(UsageError);
  });
});
