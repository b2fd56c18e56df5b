/**
 * A finished run's incident count, computed when the run ends (not when someone first asks),
 * so `runs list` and the run list in Review show it at once. The work runs in a worker thread
 * (count-worker.ts) on its own database connection: the console's safety loop never waits.
 */
import { Worker } from 'node:worker_threads';
import { threadEntry } from '../threads';

export interface CountWorkerData {
  dbPath: string;
  runId: number;
  /** The thread's TypeScript entry, when run from sources (src/main/thread-boot.mjs loads it). */
  entry?: string;
}

export type CountWorkerReply = { ok: true; count: number } | { ok: false; error: string };

/** Detects the run's incidents and stores their count in its summary; resolves to the count. */
export function countRunIncidents(dbPath: string, runId: number): Promise<number> {
  const { url, entry } = threadEntry('incidents-count-worker.js', new URL('./count-worker.ts', import.meta.url));
  const worker = new Worker(url, { workerData: { dbPath, runId, entry } satisfies CountWorkerData });
  return new Promise((resolve, reject) => {
    let settled = false;
    worker.once('message', (m: CountWorkerReply) => {
      settled = true;
      if (m.ok) resolve(m.count);
      else reject(new Error(`incidents of run ${runId} not counted: ${m.error}`));
    });
    worker.once('error', (err) => {
      settled = true;
      reject(err);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`incidents of run ${runId} not counted: the worker exited (${code})`));
    });
  });
}
