import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { captureOutput } from '../../../support/capture-output';
import slamEval from '../../../../src/main/cli/commands/slam-eval';
import { UsageError } from '../../../../src/main/cli/command';
import { parseRosMap } from '../../../../src/planner/grid/ros-map';
import { Prng } from '../../../../src/planner/random';
import { between } from '../../../../src/planner/slam/se2';
import { castRay, flat, pathPoses } from '../../../planner/slam/synthetic';

let dir: string;

/**
 * A CARMEN log of a robot driving through the synthetic flat: FLASER lines with 180 beams
 * over 180° (first at −90°, step 1°), noisy odometry, and the exact relations between
 * consecutive-ish scans.
 */
function writeSyntheticLog(): void {
  const truth = pathPoses(
    [
      [2, 2],
      [4.5, 2],
      [4.5, 3.6],
      [8, 3.6],
      [8, 6],
    ],
    0.08,
  );
  const rng = new Prng(21);
  const lines = ['# synthetic', 'PARAM robot_frontlaser_offset 0.0 nohost 0'];
  const stamps: string[] = [];
  let ox = 0;
  let oy = 0;
  let oth = 0;
  truth.forEach((p, i) => {
    if (i > 0) {
      const d = between(truth[i - 1]!, p);
      // 3 % scale error and a heading bias: dead reckoning drifts.
      const dx = d.x * 1.03;
      const dy = d.y * 1.03;
      ox += Math.cos(oth) * dx - Math.sin(oth) * dy;
      oy += Math.sin(oth) * dx + Math.cos(oth) * dy;
      oth += d.theta * 1.02 + 0.004;
    }
    const ranges: string[] = [];
    for (let b = 0; b < 180; b++) {
      const r = castRay(flat(), p.x, p.y, p.theta - Math.PI / 2 + (b * Math.PI) / 180);
      ranges.push(r > 30 ? '81.83' : (r + 0.005 * rng.normal()).toFixed(3));
    }
    const ts = (1000 + 0.2 * i).toFixed(6);
    stamps.push(ts);
    lines.push(`FLASER 180 ${ranges.join(' ')} ${ox.toFixed(6)} ${oy.toFixed(6)} ${oth.toFixed(6)} ${ox.toFixed(6)} ${oy.toFixed(6)} ${oth.toFixed(6)} ${ts} nohost ${(0.2 * i).toFixed(6)}`);
    if (i % 2 === 0) lines.push(`ODOM ${ox} ${oy} ${oth} 0 0 0 ${ts} nohost 0`);
  });
  const rel: string[] = [];
  for (let i = 0; i + 5 < truth.length; i += 3) {
    const d = between(truth[i]!, truth[i + 5]!);
    rel.push(`${stamps[i]} ${stamps[i + 5]} ${d.x.toFixed(6)} ${d.y.toFixed(6)} 0.000000 0.000000 0.000000 ${d.theta.toFixed(6)}`);
  }
  writeFileSync(join(dir, 'flat.clf'), `${lines.join('\n')}\n`);
  writeFileSync(join(dir, 'flat.relations'), `${rel.join('\n')}\n`);
  writeFileSync(join(dir, 'broken.clf'), `${lines.slice(0, 6).join('\n')}\nFLASER 180 1 2 3\n`);
  writeFileSync(join(dir, 'other.relations'), '5.000000 6.000000 1 0 0 0 0 0\n');
  writeFileSync(join(dir, 'broken.relations'), `${rel[0]}\n1000.0 1000.2 0.1 0\n`);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'slam-eval-'));
  writeSyntheticLog();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

describe('foresight slam-eval', () => {
  it('--json prints one line with the contract fields; the synthetic log maps to centimetres', async () => {
    const io = captureOutput();
    const code = await slamEval.run(['--clf', join(dir, 'flat.clf'), '--relations', join(dir, 'flat.relations'), '--json']);
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    const lines = io.out().split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1);
    const row = JSON.parse(lines[0]!) as Record<string, number>;
    for (const key of ['translational_m', 'translational_std_m', 'rotational_deg', 'rotational_std_deg', 'realtime_factor', 'scans', 'nodes', 'loop_closures']) expect(row).toHaveProperty(key);
    expect(row.scans).toBeGreaterThan(100);
    expect(row.translational_m).toBeLessThan(0.02);
    expect(row.rotational_deg).toBeLessThan(0.5);
    expect(row.realtime_factor).toBeGreaterThan(1);
  });

  it('prints a readable summary and can save the map for map_server', async () => {
    const io = captureOutput();
    const prefix = join(dir, 'flat-map');
    expect(await slamEval.run(['--clf', join(dir, 'flat.clf'), '--relations', join(dir, 'flat.relations'), '--save-map', prefix])).toBe(0);
    expect(io.out()).toMatch(/translational {2}0\.0\d+ ± 0\.0\d+ m/);
    expect(io.out()).toMatch(/real time {6}[\d.]+×/);
    const map = parseRosMap(readFileSync(`${prefix}.yaml`, 'utf8'), readFileSync(`${prefix}.pgm`));
    expect(map.ok).toBe(true);
    if (map.ok) expect(map.value.metadata.image).toBe('flat-map.pgm');
  });

  it('fails with a message and exit code 1 on missing and broken files', async () => {
    const io = captureOutput();
    expect(await slamEval.run(['--clf', join(dir, 'nope.clf'), '--relations', join(dir, 'flat.relations')])).toBe(1);
    expect(io.err()).toMatch(/cannot read log .*nope\.clf.*no such file/);
    expect(await slamEval.run(['--clf', join(dir, 'broken.clf'), '--relations', join(dir, 'flat.relations')])).toBe(1);
    expect(io.err()).toMatch(/broken\.clf: line 7: FLASER with 180 beams needs 191 fields, got 5/);
    expect(await slamEval.run(['--clf', join(dir, 'flat.clf'), '--relations', join(dir, 'broken.relations')])).toBe(1);
    expect(io.err()).toMatch(/broken\.relations: line 2: expected 8 fields/);
    expect(await slamEval.run(['--clf', join(dir, 'flat.clf'), '--relations', join(dir, 'other.relations')])).toBe(1);
    expect(io.err()).toMatch(/line 1 names timestamp 5\.000000, which no FLASER line of flat\.clf has/);
    expect(io.out()).toBe('');
  });

  it('usage errors for missing or unknown arguments', async () => {
    await expect(slamEval.run(['--clf', 'x'])).rejects.toThrow(UsageError);
    await expect(slamEval.run(['--clf', 'x', '--relations', 'y', '--fast'])).rejects.toThrow(/unknown argument '--fast'/);
    await expect(slamEval.run(['--clf', 'x', '--relations', 'y', '--scans', 'many'])).rejects.toThrow(/--scans takes a whole number/);
  });
});
