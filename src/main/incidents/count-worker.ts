/**
 * Counts a finished run's incidents off the main thread: detection streams every scan of the
 * run, which on a long run takes longer than the safety loop may wait. Started by
 * `countRunIncidents` (count.ts) as a worker thread, on its own connection to the run
 * database; it stores the count in the run's summary (`runs.incidents`) and reports it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openRunDatabase } from '../recorder/schema';
import { RunStore } from '../recorder/run-store';
import { explainRun } from './explain-run';
import type { CountWorkerData, CountWorkerReply } from './count';

if (!parentPort) throw new Error('count-worker runs as a worker thread started by countRunIncidents');
const { dbPath, runId } = workerData as CountWorkerData;
let reply: CountWorkerReply;
try {
  const db = openRunDatabase(dbPath, { create: false });
  try {
    reply = { ok: true, count: explainRun(new RunStore(db), runId, { updateCount: true }).length };
  } finally {
    db.close();
  }
} catch (err) {
  reply = { ok: false, error: err instanceof Error ? err.message : String(err) };
}
parentPort.postMessage(reply);
