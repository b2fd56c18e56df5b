import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { captureOutput } from '../../support/capture-output';
import gridBench from '../../../src/main/cli/commands/grid-bench';
import { UsageError } from '../../../src/main/cli/command';

let dir: string;
const MAP = 'type octile\r\nheight 3\r\nwidth 4\r\nmap\r\n....\r\n.@@.\r\n....'; // CRLF, no final newline
// Two exact scenarios and one whose stated optimum is wrong (true cost is 5: around the wall).
const SCEN = 'version 1\n0\tt.map\t4\t3\t0\t0\t3\t0\t3\n0 t.map 4 3 0 0 3 2 5\n0\tt.map\t4\t3\t0\t1\t3\t1\t4\n';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'grid-bench-'));
  writeFileSync(join(dir, 't.map'), MAP);
  writeFileSync(join(dir, 't.map.scen'), SCEN);
  writeFileSync(join(dir, 'broken.map'), 'type octile\nheight 3\nwidth 4\nmap\n....\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

afterEach(() => vi.restoreAllMocks());

describe('foresight grid-bench', () => {
  it('--json prints exactly one JSON line with the contract fields', async () => {
    const io = captureOutput();
    const code = await gridBench.run(['--map', join(dir, 't.map'), '--scen', join(dir, 't.map.scen'), '--json']);
    expect(code).toBe(0);
    const lines = io.out().split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1);
    const row = JSON.parse(lines[0]!);
    expect(Object.keys(row)).toEqual(['map', 'scenarios', 'optimal', 'median_ms', 'p95_ms']);
    expect(row).toMatchObject({ map: 't.map', scenarios: 3, optimal: 2 });
    expect(row.median_ms).toBeGreaterThanOrEqual(0);
    expect(row.p95_ms).toBeGreaterThanOrEqual(row.median_ms);
  });

  it('prints a readable summary that names the scenario that is not optimal', async () => {
    const io = captureOutput();
    expect(await gridBench.run(['--map', join(dir, 't.map'), '--scen', join(dir, 't.map.scen')])).toBe(0);
    expect(io.out()).toContain('optimal    2 / 3');
    expect(io.out()).toContain('(0,1)→(3,1) expected 4, got 5.00000');
  });

  it('fails with a message on stderr for missing and broken files, nothing on stdout', async () => {
    const io = captureOutput();
    expect(await gridBench.run(['--map', join(dir, 'nope.map'), '--scen', join(dir, 't.map.scen'), '--json'])).not.toBe(0);
    expect(io.err()).toMatch(/cannot read map .*nope\.map.*no such file/);
    expect(await gridBench.run(['--map', join(dir, 'broken.map'), '--scen', join(dir, 't.map.scen'), '--json'])).not.toBe(0);
    expect(io.err()).toContain('header says 3 rows, file has 1');
    expect(io.out()).toBe('');
  });

  it('rejects missing arguments as usage errors', async () => {
    await expect(gridBench.run(['--map', 'x.map'])).rejects.toBeInstanceOf(UsageError);
    await expect(gridBench.run(['--scen'])).rejects.toBeInstanceOf(UsageError);
  });
});
