/**
 * The messages between the recorder (main thread) and its writer thread (writer-thread.ts),
 * typed in one place: the thread's start data, what the recorder posts to it and what it
 * answers.
 */

/** What the writer thread needs to start: the database and the statements it runs. */
export interface WriterInit {
  dbPath: string;
  /** Insert statements, by op index. */
  statements: string[];
  faults: WriterFaults;
}

/**
 * workerData of the writer thread. `entry` is set only when it runs from sources: the JS
 * bootstrap (src/main/thread-boot.mjs) registers tsx, then imports that TypeScript entry.
 */
export interface WriterWorkerData {
  init: WriterInit;
  entry?: string;
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

/** Recorder → writer. */
export type ToWriter =
  /** Commit these records in one transaction. */
  | { type: 'batch'; id: number; ops: WriteOp[] }
  | { type: 'faults'; faults: WriterFaults }
  /** Checkpoint the WAL, close the database and answer `closed`. */
  | { type: 'close' };

/** Writer → recorder. */
export type FromWriter =
  | { type: 'ready' }
  | { type: 'done'; id: number; /** Time the transaction took on the writer thread, ms. */ writeMs: number }
  | { type: 'failed'; id: number; message: string; code: string | null }
  /** The database could not be opened: the thread does nothing more. */
  | { type: 'fatal'; message: string; code: string | null }
  | { type: 'closed' };
