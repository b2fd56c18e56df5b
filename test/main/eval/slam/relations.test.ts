import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCarmenLog } from '../../../../src/main/eval/slam/carmen-log';
import { evaluateRelations, parseRelations, relationError, RelationsError } from '../../../../src/main/eval/slam/relations';
import { odometryPoses } from '../../../../src/main/eval/slam/run-log';

const DEG = Math.PI / 180;
const SLAM_DATA = join(import.meta.dirname, '../../../../../shared/data/slam');

describe('relations file', () => {
  it('parses t1 t2 x y z roll pitch yaw, keeping the timestamps as text', () => {
    const r = parseRelations('976052905.167303 976052911.885496 -0.056990 -0.128430 0.000000 0.000000 0.000000 -1.682210\n\n1.50 2.0 1 2 0 0 0 4\n');
    expect(r).toHaveLength(2);
    expect(r[0]).toEqual({ line: 1, t1: '976052905.167303', t2: '976052911.885496', delta: { x: -0.05699, y: -0.12843, theta: -1.68221 } });
    expect(r[1]!.t1).toBe('1.50');
    expect(r[1]!.line).toBe(3);
    // yaw is wrapped to (−π, π].
    expect(r[1]!.delta.theta).toBeCloseTo(4 - 2 * Math.PI, 12);
  });

  it.each([
    ['a short line', '1 2 3 4 5 6 7', /line 1: expected 8 fields/],
    ['a word', '1 2 3 4 5 6 7 yaw', /line 1: field 8 is not a number: 'yaw'/],
    ['no relations', '# only a comment\n', /no relations/],
  ])('rejects %s with the line number', (_what, text, message) => {
    expect(() => parseRelations(text)).toThrow(RelationsError);
    expect(() => parseRelations(text)).toThrow(message);
  });
});

describe('relation metric', () => {
  it('matches hand-computed errors: e = δ⁻¹ ⊕ (x̂ᵢ⁻¹ ⊕ x̂ⱼ)', () => {
    // x̂ᵢ = (1, 2, 90°), x̂ⱼ = (1, 3, 100°): seen from i, j is 1 m ahead, turned 10°.
    // δ = (1.1, 0, 0): e = (−0.1, 0, 10°).
    const a = relationError({ x: 1, y: 2, theta: 90 * DEG }, { x: 1, y: 3, theta: 100 * DEG }, { x: 1.1, y: 0, theta: 0 });
    expect(a.trans).toBeCloseTo(0.1, 12);
    expect(a.rot).toBeCloseTo(10 * DEG, 12);
    // δ̂ = (1, 0, 90°) against δ = (1, 0.1, 90°): e_t = R(−90°)·((1, 0) − (1, 0.1)) = (−0.1, 0); the
    // error is expressed in δ's frame, so its length is 0.1 whatever δ's heading.
    const b = relationError({ x: 0, y: 0, theta: 0 }, { x: 1, y: 0, theta: 90 * DEG }, { x: 1, y: 0.1, theta: 90 * DEG });
    expect(b.trans).toBeCloseTo(0.1, 12);
    expect(b.rot).toBeCloseTo(0, 12);
    // Rotation errors wrap: 179° vs −179° is 2°.
    const c = relationError({ x: 0, y: 0, theta: 0 }, { x: 0, y: 0, theta: 179 * DEG }, { x: 0, y: 0, theta: -179 * DEG });
    expect(c.rot).toBeCloseTo(2 * DEG, 12);
  });

  it('reports mean ± population std of |e| and of e², in m and degrees', () => {
    const rel = parseRelations('10.0 11.0 1.1 0 0 0 0 0\n11.0 12.0 1 0.1 0 0 0 1.5707963267948966\n');
    const poses = new Map([
      ['10.0', { x: 1, y: 2, theta: 90 * DEG }],
      ['11.0', { x: 1, y: 3, theta: 100 * DEG }],
      // c: from b, 1 m ahead and turned 90° → δ̂ = (1, 0, 90°).
      ['12.0', { x: 1 + Math.cos(100 * DEG), y: 3 + Math.sin(100 * DEG), theta: 190 * DEG }],
    ]);
    const e = evaluateRelations(rel, poses);
    expect(e.count).toBe(2);
    expect(e.translational.mean).toBeCloseTo(0.1, 10);
    expect(e.translational.std).toBeCloseTo(0, 10);
    expect(e.rotational.mean).toBeCloseTo(5, 10);
    expect(e.rotational.std).toBeCloseTo(5, 10);
    expect(e.rotationalSq.mean).toBeCloseTo(50, 8);
    expect(e.translationalSq.mean).toBeCloseTo(0.01, 10);
    expect(e.translational.median).toBeCloseTo(0.1, 10);
  });

  it('refuses to score when a relation names a timestamp with no pose', () => {
    const rel = parseRelations('1.0 2.0 1 0 0 0 0 0\n');
    // '1.0' is there, '2.0' is not (and '2' would not do: timestamps match as text).
    expect(() => evaluateRelations(rel, new Map([['1.0', { x: 0, y: 0, theta: 0 }], ['2', { x: 0, y: 0, theta: 0 }]]))).toThrow(/line 1: 2\.0/);
  });

  describe.skipIf(!existsSync(join(SLAM_DATA, 'intel/intel.clf')))('on the benchmark data', () => {
    // The README's sanity check: raw odometry (the FLASER odom fields) as the estimate.
    it.each([
      ['intel', 0.05, 7.37, 14.35, 39.2, 53.8],
      ['fr079', 0.067, 6.5, 13.66, 30.3, 45.5],
    ])('%s raw odometry reproduces the published figures', (name, median, mean, std, rot, rotStd) => {
      const log = parseCarmenLog(readFileSync(join(SLAM_DATA, name, `${name}.clf`), 'utf8'));
      const rel = parseRelations(readFileSync(join(SLAM_DATA, name, `${name}.relations`), 'utf8'));
      const e = evaluateRelations(rel, odometryPoses(log));
      expect(e.count).toBe(name === 'intel' ? 2984 : 1685);
      expect(e.translational.median).toBeCloseTo(median, 3);
      expect(e.translational.mean).toBeCloseTo(mean, 2);
      expect(e.translational.std).toBeCloseTo(std, 2);
      expect(e.rotational.mean).toBeCloseTo(rot, 1);
      expect(e.rotational.std).toBeCloseTo(rotStd, 1);
    });
  });
});
