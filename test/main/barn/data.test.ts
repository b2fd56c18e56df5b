import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { captureOutput } from '../../support/capture-output';
import barn from '../../../src/main/cli/commands/barn';
import { UsageError } from '../../../src/main/cli/command';
import { BarnDataError, loadBarnWorlds, loadReference, parseCylindersCsv } from '../../../src/main/barn/data';
import { referencePathLength } from '../../../src/main/barn/score';
import { makeNpy } from './npy-fixture';

let root: string;

/** A data folder with the given files (relative path → content). */
function dataDir(name: string, files: Record<string, string | Uint8Array>): string {
  const dir = join(root, name);
  mkdirSync(join(dir, 'path_files'), { recursive: true });
  for (const [file, content] of Object.entries(files)) writeFileSync(join(dir, file), content);
  return dir;
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'barn-data-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());


describe('BARN data loader', () => {
  it('groups cylinders by world; the rows decide which worlds exist', () => {
    const worlds = parseCylindersCsv('world,x_m,y_m\n7,-0.075,0.075\n2,-1.5,6\n7,-0.225,0.075\n\n');
    expect(worlds.map((w) => w.index)).toEqual([2, 7]);
    expect(worlds[1]!.cylinders).toEqual([{ x: -0.075, y: 0.075 }, { x: -0.225, y: 0.075 }]);
  });

  it('reads a reference path and derives OT from it', () => {
    const dir = dataDir('good', { 'cylinders.csv': 'world,x_m,y_m\r\n3,-1,6\r\n', 'path_files/path_3.npy': makeNpy([[15, 0], [15, 10]]) });
    expect(loadBarnWorlds(dir)).toEqual([{ index: 3, cylinders: [{ x: -1, y: 6 }] }]);
    const ref = loadReference(dir, 3);
    expect(ref.cells).toEqual([[15, 0], [15, 10]]);
    expect(ref.lengthM).toBeCloseTo(referencePathLength([[15, 0], [15, 10]]), 12);
    expect(ref.optimalTimeS).toBeCloseTo(ref.lengthM / 2, 12);
  });

  it('names the file and the problem when data is missing or broken', () => {
    const missing = join(root, 'nowhere');
    expect(() => loadBarnWorlds(missing)).toThrow(BarnDataError);
    expect(() => loadBarnWorlds(missing)).toThrow(`${join(missing, 'cylinders.csv')}: cannot read (no such file)`);
    expect(() => parseCylindersCsv('x,y\n1,2\n', 'c.csv')).toThrow("c.csv: expected the header 'world,x_m,y_m', found 'x,y'");
    expect(() => parseCylindersCsv('world,x_m,y_m\n1,0.5,zero\n', 'c.csv')).toThrow("c.csv: line 2 is not 'world,x_m,y_m' (an integer world and two numbers): '1,0.5,zero'");
    expect(() => parseCylindersCsv('world,x_m,y_m\n1.5,0,0\n', 'c.csv')).toThrow(/line 2/);
    expect(() => parseCylindersCsv('world,x_m,y_m\n', 'c.csv')).toThrow('c.csv: holds no cylinders, so no worlds');

    const dir = dataDir('broken', {
      'cylinders.csv': 'world,x_m,y_m\n1,0,0\n2,0,0\n3,0,0\n4,0,0\n',
      'path_files/path_2.npy': 'not numpy',
      'path_files/path_3.npy': makeNpy([[1, 2, 3]]),
      'path_files/path_4.npy': makeNpy([], { shape: [0, 2] }),
    });
    expect(() => loadReference(dir, 1)).toThrow(`${join(dir, 'path_files', 'path_1.npy')}: cannot read (no such file)`);
    expect(() => loadReference(dir, 2)).toThrow(`${join(dir, 'path_files', 'path_2.npy')}: not a .npy file`);
    expect(() => loadReference(dir, 3)).toThrow(`${join(dir, 'path_files', 'path_3.npy')}: expected N×2 cells, found 1×3`);
    expect(() => loadReference(dir, 4)).toThrow(/path_4\.npy: holds no cells/);
  });
});

describe('foresight barn (arguments and data errors)', () => {
  it('exits non-zero naming the file when the data is missing or broken', async () => {
    const io = captureOutput();
    expect(await barn.run(['--all', '--data', join(root, 'nowhere'), '--json'])).toBe(1);
    expect(io.err()).toContain(`${join(root, 'nowhere', 'cylinders.csv')}: cannot read (no such file)`);
    expect(io.out()).toBe('');

    const dir = dataDir('no-path', { 'cylinders.csv': 'world,x_m,y_m\n5,0,0\n' });
    expect(await barn.run(['--world', '5', '--data', dir])).toBe(1);
    expect(io.err()).toContain(`${join(dir, 'path_files', 'path_5.npy')}: cannot read (no such file)`);
    expect(await barn.run(['--world', '6', '--data', dir])).toBe(1);
    expect(io.err()).toContain('has no world 6');
  });

  it('refuses bad arguments as usage errors', async () => {
    await expect(barn.run([])).rejects.toThrow(UsageError);
    await expect(barn.run(['--world', 'x'])).rejects.toThrow(/world numbers/);
    await expect(barn.run(['--world', '1', '--all'])).rejects.toThrow(/not both/);
    await expect(barn.run(['--jobs', '0', '--all'])).rejects.toThrow(/positive whole number/);
    await expect(barn.run(['--bogus'])).rejects.toThrow(/unknown argument/);
  });
});
