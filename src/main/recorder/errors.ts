/**
 * Typed failures of the run database. Each carries a plain message an operator can act on;
 * `code` lets callers branch without parsing text.
 */

export type RunDatabaseErrorCode =
  | 'missing' // no file at the path, and creating was not asked for
  | 'not-sqlite' // the file is not an SQLite database
  | 'corrupt' // SQLite, but damaged (quick_check failed or unreadable)
  | 'foreign' // another application's SQLite database
  | 'too-new' // written by a newer Foresight (schema version above ours)
  | 'migration-failed' // an upgrade step failed; the file was left at its old version
  | 'io'; // the file could not be opened or written (permissions, disk)

export class RunDatabaseError extends Error {
  override readonly name = 'RunDatabaseError';
  constructor(
    readonly code: RunDatabaseErrorCode,
    /** The database file the error is about. */
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A run id that does not exist in the database. */
export class NoSuchRunError extends Error {
  override readonly name = 'NoSuchRunError';
  constructor(readonly runId: number) {
    super(`no run with id ${runId}`);
  }
}

/** An operation that needs a finished run was asked of one still being recorded. */
export class RunInProgressError extends Error {
  override readonly name = 'RunInProgressError';
  constructor(readonly runId: number, action: string) {
    super(`run ${runId} is still being recorded; cannot ${action} it`);
  }
}
