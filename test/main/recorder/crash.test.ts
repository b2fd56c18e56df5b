// kill -9 in the middle of a run: a real child process records in real time; the test kills
// it with SIGKILL and checks what a restarted console finds.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openRunDatabase } from '../../../src/main/recorder/schema';
import { RunStore } from '../../../src/main/recorder/run-store';
import { tempDir } from './fixtures';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => { tmp = tempDir(); });
afterEach(() => tmp.cleanup());

const child = fileURLToPath(new URL('./crash-child.ts', import.meta.url));
const TABLE: Record<string, string> = { 'odometry': 'odometry', 'command': 'commands', 'laser-scan': 'scans', 'planner-cycle': 'planner_cycles' };

describe('crash safety', () => {
  it('after SIGKILL mid-run the database opens cleanly, the run is interrupted, at most the last second is missing', async () => {
    const path = join(tmp.dir, 'runs.sqlite');
    const proc = spawn(process.execPath, ['--import', 'tsx', child, path], { stdio: ['ignore', 'pipe', 'inherit'] });
    const reported: { kind: string; t: number }[] = [];
    let buffer = '';
    let firstT: number | null = null;
    const exited = new Promise<void>((resolve) => proc.on('exit', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      proc.on('exit', (code) => reject(new Error(`child exited early (${code})`)));
      proc.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop()!;
        for (const line of lines) {
          const [kind, t] = line.split(' ');
          if (kind === 'run') continue;
          reported.push({ kind: kind!, t: Number(t) });
          firstT ??= Number(t);
          // Kill after ~2.5 s of recording, between two of the child's ticks.
          if (Number(t) - firstT > 2.5 && !proc.killed) {
            proc.kill('SIGKILL');
            resolve();
          }
        }
      });
    });
    await exited; // reaped: its pid is gone, so the run counts as dead

    const lastT = Math.max(...reported.map((r) => r.t));
    const db = openRunDatabase(path); // runs quick_check and marks the run interrupted
    expect(db.pragma('quick_check', { simple: true })).toBe('ok');
    db.close();

    const store = RunStore.open(path);
    const [run] = store.listRuns();
    expect(run).toMatchObject({ robotName: 'crash-bot', outcome: 'interrupted' });
    expect(run!.endedAt).not.toBeNull();
    expect(lastT - run!.endedAt!).toBeLessThanOrEqual(1.0);
    store.close();

    const check = new Database(path, { readonly: true });
    for (const [kind, table] of Object.entries(TABLE)) {
      const sent = reported.filter((r) => r.kind === kind);
      const stored = check.prepare(`SELECT t FROM ${table} WHERE run_id = ? ORDER BY t`).all(run!.id) as { t: number }[];
      // Everything handed over more than a second before the kill is there…
      const old = sent.filter((r) => r.t <= lastT - 1.0);
      expect(old.length).toBeGreaterThan(0);
      expect(stored.length, `${kind}: ${stored.length} stored, ${old.length} older than 1 s sent`).toBeGreaterThanOrEqual(old.length);
      // …as exactly those records, in order, and nothing that was never sent.
      expect(stored.length).toBeLessThanOrEqual(sent.length);
      stored.forEach((row, i) => expect(row.t).toBeCloseTo(sent[i]!.t, 5));
    }
    check.close();
  });
});
