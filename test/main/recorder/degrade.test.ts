// Disk trouble is simulated for real: SQLite's max_page_count makes writes fail with
// SQLITE_FULL exactly as a full disk does, and a writer delay stands in for a slow disk.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { ConsoleEvent } from '../../../src/shared/api';
import type { RecorderStatus } from '../../../src/shared/recording';
import { Recorder } from '../../../src/main/recorder/recorder';
import { openRunDatabase } from '../../../src/main/recorder/schema';
import { simulateSession, tempDir } from './fixtures';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => { tmp = tempDir(); });
afterEach(() => tmp.cleanup());

const T0 = 1_700_000_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await sleep(20);
  }
}

describe('Recorder under disk trouble', () => {
  it('disk full: degrades loudly, sheds candidate samples first, keeps telemetry and events, recovers', async () => {
    const path = join(tmp.dir, 'runs.sqlite');
    const db = openRunDatabase(path);
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.close();
    const rec = Recorder.open(path, { faults: { maxPageCount: pages + 2 }, retryDelayMs: 50, maxQueuedBytes: 600_000 });
    const events: ConsoleEvent[] = [];
    const statuses: RecorderStatus[] = [];
    rec.onEvent((e) => events.push(e));
    rec.onStatus((s) => statuses.push(s));
    rec.startRun({ robotName: 'r', source: 'sim', startedAt: T0 });
    let sent!: ReturnType<typeof simulateSession>;
    expect(() => { sent = simulateSession(rec, T0, 10); }).not.toThrow();

    await until(() => rec.status().lastError === 'disk full');
    const s = rec.status();
    expect(s.state).toBe('degraded');
    expect(s.message).toMatch(/^recording: degraded — disk full/);
    expect(s.message).toMatch(/records dropped/);
    expect(s.droppedRecords.candidates).toBeGreaterThan(0);
    expect(s.droppedRecords).toMatchObject({ bulk: 0, telemetry: 0, events: 0 });
    expect(events.filter((e) => e.level === 'error').map((e) => e.message)).toEqual(expect.arrayContaining([
      expect.stringMatching(/^Recording degraded: disk full/),
      expect.stringMatching(/dropping the oldest low-value records \(\d+ candidates\)/),
    ]));
    expect(statuses.some((st) => st.state === 'degraded')).toBe(true);

    // Space comes back: the retried batches land, nothing but candidates was lost.
    rec.injectWriterFaults({ maxPageCount: 1_000_000_000 });
    expect(await rec.flush()).toBe(true);
    expect(rec.status().lastError).toBeNull();
    expect(events.some((e) => e.level === 'info' && /Recording recovered after: disk full/.test(e.message))).toBe(true);
    rec.endRun('completed', T0 + 10);
    await rec.close();

    const check = new Database(path, { readonly: true });
    const count = (table: string) => (check.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    expect(count('odometry')).toBe(sent.odometry);
    expect(count('scans')).toBe(sent.scans);
    expect(count('safety_actions')).toBe(sent.safety);
    expect(count('candidate_samples')).toBe(sent.candidates - rec.status().droppedRecords.candidates);
    // The kept candidate samples are the newest ones: the oldest were dropped first.
    const oldestKept = (check.prepare('SELECT min(t) AS t FROM candidate_samples').get() as { t: number }).t;
    expect(oldestKept).toBeGreaterThan(T0 + 5);
    expect(check.prepare('SELECT outcome FROM runs').get()).toEqual({ outcome: 'completed' });
    check.close();
  });

  it('slow disk: the queue bound is held by shedding, the caller never waits, and it catches up', async () => {
    const path = join(tmp.dir, 'runs.sqlite');
    const rec = Recorder.open(path, { faults: { writeDelayMs: 400 }, maxInFlightBatches: 1, maxQueuedBytes: 300_000, slowWriteS: 0.2 });
    const events: ConsoleEvent[] = [];
    rec.onEvent((e) => events.push(e));
    rec.startRun({ robotName: 'r', source: 'sim', startedAt: T0 });
    const t0 = performance.now();
    const sent = simulateSession(rec, T0, 10);
    // 10 s of records enqueued while the "disk" takes 400 ms per batch: the calls do not wait
    // for it. Waiting would take ~100 batches × 400 ms = 40 s; the bound leaves room for a
    // loaded machine (enqueueing alone takes ~0.1 s on a quiet one).
    expect(performance.now() - t0).toBeLessThan(10_000);
    const st = rec.status();
    expect(st.state).toBe('degraded');
    expect(st.message).toMatch(/disk not keeping up/);
    expect(st.droppedRecords.candidates).toBeGreaterThan(0);
    expect(st.droppedRecords.telemetry + st.droppedRecords.events).toBe(0);
    await until(() => /disk slow/.test(rec.status().message));

    rec.injectWriterFaults({});
    expect(await rec.flush()).toBe(true);
    await until(() => rec.status().state === 'recording');
    expect(events.some((e) => /Recording caught up; \d+ records were dropped meanwhile/.test(e.message))).toBe(true);
    await rec.close();
    const check = new Database(path, { readonly: true });
    expect((check.prepare('SELECT count(*) AS n FROM odometry').get() as { n: number }).n).toBe(sent.odometry);
    check.close();
  });
});
