/**
 * The recorder's writer thread. It owns the writing connection and commits each batch the
 * main thread hands over in one transaction, so disk latency (commits, WAL checkpoints,
 * a slow or full disk) never lands on the main thread where the safety loop runs.
 *
 * Started by the Recorder as a worker thread: in the Electron build the bundled
 * writer-thread.js beside the main bundle; from sources (CLI, web host, tests) through
 * src/main/thread-boot.mjs, which registers tsx and imports this file. Everything it needs
 * arrives in `workerData` (WriterWorkerData); the messages are in writer-protocol.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import type { FromWriter, ToWriter, WriteOp, WriterFaults, WriterWorkerData } from './writer-protocol';

if (!parentPort) throw new Error('writer-thread runs as a worker thread started by the Recorder');
const port = parentPort;
const { init } = workerData as WriterWorkerData;

let faults: WriterFaults = init.faults ?? {};
let db: Database.Database | null = null;
let runBatch: ((ops: WriteOp[]) => void) | null = null;
/** Atomics.wait on this sleeps the thread (the slow-disk drill). */
const sleeper = new Int32Array(new SharedArrayBuffer(4));

const post = (msg: FromWriter): void => port.postMessage(msg);

function errInfo(err: unknown): { message: string; code: string | null } {
  const e = typeof err === 'object' && err !== null ? (err as { message?: unknown; code?: unknown }) : {};
  return { message: e.message ? String(e.message) : String(err), code: typeof e.code === 'string' && e.code ? e.code : null };
}

function applyFaults(d: Database.Database): void {
  if (faults.maxPageCount) d.pragma(`max_page_count = ${Math.floor(faults.maxPageCount)}`);
}

function open(): void {
  let d: Database.Database | null = null;
  try {
    d = new Database(init.dbPath, { fileMustExist: true });
    d.pragma('journal_mode = WAL');
    d.pragma('synchronous = NORMAL');
    d.pragma('busy_timeout = 5000');
    applyFaults(d);
    const stmts = init.statements.map((sql) => d!.prepare(sql));
    runBatch = d.transaction((ops: WriteOp[]) => {
      for (let i = 0; i < ops.length; i++) {
        const op = ops[i]!;
        stmts[op[0] as number]!.run(op.slice(1));
      }
    });
    db = d;
    post({ type: 'ready' });
  } catch (err) {
    post({ type: 'fatal', ...errInfo(err) });
    try {
      d?.close();
    } catch {
      // Not usable anyway.
    }
    db = null;
    runBatch = null;
  }
}

function onMessage(msg: ToWriter): void {
  switch (msg.type) {
    case 'faults':
      faults = msg.faults ?? {};
      if (db) {
        try {
          applyFaults(db);
        } catch {
          // Reported by the next batch.
        }
      }
      return;
    case 'close':
      if (db) {
        try {
          db.pragma('wal_checkpoint(TRUNCATE)');
        } catch {
          // A busy reader: the WAL is checkpointed later.
        }
        try {
          db.close();
        } catch {
          // Closing anyway.
        }
        db = null;
        runBatch = null;
      }
      post({ type: 'closed' });
      return;
    case 'batch': {
      if (!db || !runBatch) {
        post({ type: 'failed', id: msg.id, message: 'the writer has no database', code: null });
        return;
      }
      if (faults.writeDelayMs) Atomics.wait(sleeper, 0, 0, faults.writeDelayMs);
      const t0 = performance.now();
      try {
        runBatch(msg.ops);
        post({ type: 'done', id: msg.id, writeMs: performance.now() - t0 });
      } catch (err) {
        post({ type: 'failed', id: msg.id, ...errInfo(err) });
      }
    }
  }
}

open();
port.on('message', onMessage);
