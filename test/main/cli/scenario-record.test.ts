/** `scenario run --record` puts the closed-loop run into the run database like a live one. */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunStore } from '../../../src/main/recorder';

const ROOT = join(__dirname, '..', '..', '..');
const cli = (...args: string[]): string => execFileSync(process.execPath, [join(ROOT, 'bin', 'foresight.mjs'), ...args], { cwd: ROOT, encoding: 'utf8' });

describe('scenario run --record', () => {
  it('records the run with its telemetry, plans and outcome, listed by runs list with its name and incident count', () => {
    const db = join(mkdtempSync(join(tmpdir(), 'fs-scen-rec-')), 'runs.sqlite');
    const out = cli('scenario', 'run', join(ROOT, 'resources', 'scenarios', 'people-doorway-group.json'), '--record', '--db', db, '--json');
    const result = JSON.parse(out.trim().split('\n')[0]!) as { scenario: string; success: boolean; time_s: number };
    expect(result.success).toBe(true);

    // Listed before anyone asked for the run's incidents: they were counted when it ended.
    const runs = cli('runs', 'list', '--db', db, '--json').trim().split('\n').map((l) => JSON.parse(l) as { id: number; outcome: string; duration_s: number; incidents: number; name: string });
    expect(runs).toHaveLength(1);
    expect(runs[0]!.name).toBe('people-doorway-group');
    const incidents = cli('runs', 'incidents', String(runs[0]!.id), '--db', db, '--json').trim().split('\n').filter((l) => l.length > 0);
    expect(incidents.length).toBeGreaterThan(0);
    expect(runs[0]!.incidents).toBe(incidents.length);
    expect(runs[0]!.outcome).toBe('goal-reached');
    expect(runs[0]!.duration_s).toBeCloseTo(result.time_s, 0);

    const store = RunStore.open(db);
    try {
      const counts = store.countRecords(runs[0]!.id);
      // 50 Hz odometry and 10 Hz scans and plans over the run's simulated seconds.
      expect(counts.odometry).toBeGreaterThan(result.time_s * 45);
      expect(counts['laser-scan']).toBeGreaterThan(result.time_s * 8);
      expect(counts['planner-cycle']).toBeGreaterThan(result.time_s * 8);
      expect(counts.operator).toBeGreaterThanOrEqual(1);
    } finally {
      store.close();
    }
  }, 120_000);
});
