import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Recorder } from '../../../src/main/recorder/recorder';
import { main } from '../../../src/main/cli/index';
import { sha256, simulateSession, tempDir } from '../recorder/fixtures';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => { tmp = tempDir(); });
afterEach(() => {
  vi.restoreAllMocks();
  tmp.cleanup();
});

const T0 = 1_700_000_000;
const bin = join(process.cwd(), 'bin', 'foresight.mjs');

async function recordTwoRuns(path: string): Promise<void> {
  const rec = Recorder.open(path);
  rec.startRun({ robotName: 'sim-bot', source: 'sim', startedAt: T0 });
  simulateSession(rec, T0, 2, { candidates: 4 });
  rec.endRun('goal-reached', T0 + 2);
  rec.startRun({ robotName: 'sim-bot', source: 'sim', startedAt: T0 + 60 });
  simulateSession(rec, T0 + 60, 1, { candidates: 4 });
  rec.endRun('aborted', T0 + 61.5);
  await rec.close();
}

/** Runs the dispatcher in-process, capturing stdout and stderr. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => { stdout += String(s); return true; });
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => { stderr += String(s); return true; });
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    vi.restoreAllMocks();
  }
}

describe('foresight runs', () => {
  it('list --json prints one JSON line per run and nothing else (real process); export writes the MCAP and exits 0', async () => {
    const db = join(tmp.dir, 'runs.sqlite');
    await recordTwoRuns(db);
    const list = spawnSync(process.execPath, [bin, 'runs', 'list', '--json', '--db', db], { encoding: 'utf8' });
    expect(list.status).toBe(0);
    const lines = list.stdout.trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { id: 2, started_at: T0 + 60, duration_s: 1.5, outcome: 'aborted', incidents: 0, name: '' },
      { id: 1, started_at: T0, duration_s: 2, outcome: 'goal-reached', incidents: 0, name: '' },
    ]);
    expect(Object.keys(JSON.parse(lines[0]!))).toEqual(['id', 'started_at', 'duration_s', 'outcome', 'incidents', 'name']);

    const mcap = join(tmp.dir, 'run1.mcap');
    const exp = spawnSync(process.execPath, [bin, 'runs', 'export', '1', '--mcap', mcap, '--db', db], { encoding: 'utf8' });
    expect(exp.stderr).toBe('');
    expect(exp.status).toBe(0);
    expect(exp.stdout).toMatch(/^wrote .*run1\.mcap: run 1, \d+ messages on \d+ topics\n$/);
    expect(existsSync(mcap)).toBe(true);
  });

  it('human list, FORESIGHT_DB, and clear errors with non-zero exits', async () => {
    const db = join(tmp.dir, 'runs.sqlite');
    await recordTwoRuns(db);
    vi.stubEnv('FORESIGHT_DB', db);
    try {
      const human = await cli(['runs', 'list']);
      expect(human.code).toBe(0);
      expect(human.stdout.split('\n')[0]).toMatch(/^ID\s+STARTED \(UTC\)\s+DURATION\s+ROBOT\s+DISTANCE\s+OUTCOME\s+INCIDENTS/);
      expect(human.stdout).toContain('2023-11-14 22:13:20');
    } finally {
      vi.unstubAllEnvs();
    }

    const missingRun = await cli(['runs', 'export', '7', '--mcap', join(tmp.dir, 'x.mcap'), '--db', db]);
    expect(missingRun).toMatchObject({ code: 1, stdout: '' });
    expect(missingRun.stderr).toBe(`foresight runs: no run with id 7 in ${db}\n`);
    expect(existsSync(join(tmp.dir, 'x.mcap'))).toBe(false);

    const damaged = join(tmp.dir, 'notes.sqlite');
    writeFileSync(damaged, 'not a database at all, just some text that is long enough to have a header');
    const before = sha256(damaged);
    const bad = await cli(['runs', 'list', '--json', '--db', damaged]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/notes\.sqlite is not a Foresight run database \(not an SQLite file\); it was left untouched/);
    expect(sha256(damaged)).toBe(before);

    const noDb = await cli(['runs', 'list', '--db', join(tmp.dir, 'absent.sqlite')]);
    expect(noDb.code).toBe(1);
    expect(noDb.stderr).toMatch(/no run database at/);
    expect(existsSync(join(tmp.dir, 'absent.sqlite'))).toBe(false);

    expect((await cli(['runs', 'export', 'abc', '--mcap', 'x', '--db', db])).code).toBe(2);
    expect((await cli(['runs', 'export', '1', '--db', db])).stderr).toMatch(/export needs --mcap FILE/);
    expect((await cli(['runs', 'frobnicate'])).code).toBe(2);
  });
});
