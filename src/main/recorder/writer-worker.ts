/**
 * The recorder's writer thread. It owns the writing connection and commits each batch the
 * main thread hands over in one transaction, so disk latency (commits, WAL checkpoints,
 * a slow or full disk) never lands on the main thread where the safety loop runs.
 *
 * The code is a plain CommonJS string run with `new Worker(src, { eval: true })`: that works
 * the same under tsx, vitest and a bundled Electron main without a separate build entry.
 * Keep it small; everything it needs arrives in `workerData` (WriterInit).
 */

/** workerData of the writer thread. */
export interface WriterInit {
  dbPath: string;
  /** Resolved path of better-sqlite3 (resolved by the main side so bundling cannot lose it). */
  betterSqlitePath: string;
  /** Insert statements, by op index. */
  statements: string[];
  faults: WriterFaults;
}

/** Fault drills: make the writer slow or the disk "full" on purpose (tests, benchmarks). */
export interface WriterFaults {
  /** Sleep this long before each batch, ms. */
  writeDelayMs?: number;
  /** `PRAGMA max_page_count`: writes beyond it fail with SQLITE_FULL, like a full disk. */
  maxPageCount?: number;
}

/** One record to write: [statement index, ...parameters]. */
export type WriteOp = unknown[];

export type ToWriter =
  | { type: 'batch'; id: number; ops: WriteOp[] }
  | { type: 'faults'; faults: WriterFaults }
  | { type: 'close' };

export type FromWriter =
  | { type: 'ready' }
  | { type: 'done'; id: number; /** Time the transaction took on the writer thread, ms. */ writeMs: number }
  | { type: 'failed'; id: number; message: string; code: string | null }
  | { type: 'fatal'; message: string; code: string | null }
  | { type: 'closed' };

export const WRITER_SOURCE = String.raw`
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
const init = workerData;
let faults = init.faults || {};
let db;
let stmts;
let runBatch;
const sleeper = new Int32Array(new SharedArrayBuffer(4));
function errInfo(err) {
  return { message: String((err && err.message) || err), code: (err && err.code) || null };
}
function applyFaults() {
  if (faults.maxPageCount) db.pragma('max_page_count = ' + Math.floor(faults.maxPageCount));
}
try {
  const Database = require(init.betterSqlitePath);
  db = new Database(init.dbPath, { fileMustExist: true });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  applyFaults();
  stmts = init.statements.map((sql) => db.prepare(sql));
  runBatch = db.transaction((ops) => {
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i];
      stmts[op[0]].run(op.slice(1));
    }
  });
  parentPort.postMessage({ type: 'ready' });
} catch (err) {
  parentPort.postMessage(Object.assign({ type: 'fatal' }, errInfo(err)));
  db = null;
}
parentPort.on('message', (msg) => {
  if (msg.type === 'faults') {
    faults = msg.faults || {};
    if (db) { try { applyFaults(); } catch (err) { /* reported by the next batch */ } }
    return;
  }
  if (msg.type === 'close') {
    if (db) {
      try { db.pragma('wal_checkpoint(TRUNCATE)'); } catch (err) { /* a busy reader: the WAL is checkpointed later */ }
      try { db.close(); } catch (err) { /* closing anyway */ }
      db = null;
    }
    parentPort.postMessage({ type: 'closed' });
    return;
  }
  if (msg.type === 'batch') {
    if (!db) {
      parentPort.postMessage({ type: 'failed', id: msg.id, message: 'the writer has no database', code: null });
      return;
    }
    if (faults.writeDelayMs) Atomics.wait(sleeper, 0, 0, faults.writeDelayMs);
    const t0 = performance.now();
    try {
      runBatch(msg.ops);
      parentPort.postMessage({ type: 'done', id: msg.id, writeMs: performance.now() - t0 });
    } catch (err) {
      parentPort.postMessage(Object.assign({ type: 'failed', id: msg.id }, errInfo(err)));
    }
  }
});
`;
