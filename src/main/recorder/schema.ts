/**
 * The run database: schema, migrations and a careful open.
 *
 * Identity: `PRAGMA application_id` = FORESIGHT_APPLICATION_ID marks the file as ours;
 * `PRAGMA user_version` is the schema version. A file that is not ours, is damaged, or is
 * newer than this build is refused with a typed error and never written to: every check
 * runs on a read-only connection (or on the raw header bytes) before anything is changed.
 *
 * Units: every `t`/`*_at` column is seconds on the host clock (Unix epoch); `*_us` columns
 * are microseconds on the clock they name; lengths metres, angles radians. Blob columns
 * hold little-endian float32 arrays (see blob.ts).
 */
import Database from 'better-sqlite3';
import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { RunDatabaseError } from './errors';

export type Db = Database.Database;

/** "FSRN" — Foresight runs. Stored in the SQLite header (bytes 68–71). */
export const FORESIGHT_APPLICATION_ID = 0x4653524e;

export interface Migration {
  /** The user_version after this step. Steps run in order, each in the upgrade's transaction. */
  version: number;
  description: string;
  up(db: Db): void;
}

const V1_SQL = `
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL DEFAULT '',
  robot_name TEXT NOT NULL,
  source TEXT NOT NULL,
  started_at REAL NOT NULL,          -- s, host clock
  ended_at REAL,                     -- s; NULL while recording
  last_record_t REAL,                -- s; newest committed record (end time of an interrupted run)
  outcome TEXT,                      -- RunOutcome; NULL while recording
  distance_m REAL NOT NULL DEFAULT 0,
  incidents INTEGER NOT NULL DEFAULT 0,
  recorder_pid INTEGER,              -- process recording the run, to tell live runs from dead ones
  recorder_host TEXT
);
CREATE INDEX runs_started_at ON runs(started_at);
CREATE TABLE run_tags (
  run_id INTEGER NOT NULL,
  tag TEXT NOT NULL,
  PRIMARY KEY (run_id, tag)
) WITHOUT ROWID;

CREATE TABLE odometry (
  run_id INTEGER NOT NULL, t REAL NOT NULL, robot_time_us INTEGER NOT NULL, seq INTEGER NOT NULL,
  x REAL NOT NULL, y REAL NOT NULL, theta REAL NOT NULL,   -- odom frame
  v REAL NOT NULL, w REAL NOT NULL,                        -- base_link, m/s, rad/s
  last_command_seq INTEGER NOT NULL
);
CREATE INDEX odometry_run_t ON odometry(run_id, t);

CREATE TABLE scans (
  run_id INTEGER NOT NULL, t REAL NOT NULL, robot_time_us INTEGER NOT NULL, seq INTEGER NOT NULL,
  angle_min REAL NOT NULL, angle_increment REAL NOT NULL, time_increment REAL NOT NULL,
  range_min REAL NOT NULL, range_max REAL NOT NULL,
  ranges BLOB NOT NULL                                     -- float32 LE, m
);
CREATE INDEX scans_run_t ON scans(run_id, t);

CREATE TABLE robot_messages (                              -- hello, status, screen-state, pong
  run_id INTEGER NOT NULL, t REAL NOT NULL, robot_time_us INTEGER NOT NULL, seq INTEGER NOT NULL,
  type TEXT NOT NULL, data TEXT NOT NULL                   -- the decoded message, JSON
);
CREATE INDEX robot_messages_run_type_t ON robot_messages(run_id, type, t);
CREATE INDEX robot_messages_run_t ON robot_messages(run_id, t);

CREATE TABLE commands (
  run_id INTEGER NOT NULL, t REAL NOT NULL, seq INTEGER NOT NULL,
  type TEXT NOT NULL,                                      -- velocity | screen | stop | ping
  v REAL, w REAL, pan_angle REAL, max_rate REAL, stop_reason INTEGER
);
CREATE INDEX commands_run_t ON commands(run_id, t);

CREATE TABLE planner_cycles (
  run_id INTEGER NOT NULL, t REAL NOT NULL,
  cycle_time_s REAL NOT NULL,
  chosen BLOB NOT NULL,                                    -- float32 LE [x0, y0, …], map
  chosen_cost REAL,
  start_x REAL, start_y REAL, start_theta REAL,
  goal_x REAL, goal_y REAL, goal_theta REAL,
  candidate_count INTEGER NOT NULL,
  extra TEXT NOT NULL                                      -- JSON object of numbers
);
CREATE INDEX planner_cycles_run_t ON planner_cycles(run_id, t);

CREATE TABLE candidate_samples (
  run_id INTEGER NOT NULL, t REAL NOT NULL,                -- t of the planner cycle
  term_names TEXT NOT NULL,                                -- JSON array of strings
  data BLOB NOT NULL                                       -- see blob.ts encodeCandidates
);
CREATE INDEX candidate_samples_run_t ON candidate_samples(run_id, t);

CREATE TABLE guidance_paths (
  run_id INTEGER NOT NULL, t REAL NOT NULL,
  points BLOB NOT NULL                                     -- float32 LE [x0, y0, …], map
);
CREATE INDEX guidance_paths_run_t ON guidance_paths(run_id, t);

CREATE TABLE predictions (
  run_id INTEGER NOT NULL, t REAL NOT NULL,
  data BLOB NOT NULL                                       -- see blob.ts encodePeople
);
CREATE INDEX predictions_run_t ON predictions(run_id, t);

CREATE TABLE safety_actions (
  run_id INTEGER NOT NULL, t REAL NOT NULL,
  action TEXT NOT NULL, reason TEXT NOT NULL, ttc REAL, scale REAL NOT NULL,
  requested_v REAL, requested_w REAL, commanded_v REAL, commanded_w REAL,
  zone TEXT, points BLOB NOT NULL                          -- float32 LE, base_link
);
CREATE INDEX safety_actions_run_t ON safety_actions(run_id, t);

CREATE TABLE map_to_odom (
  run_id INTEGER NOT NULL, t REAL NOT NULL,
  x REAL NOT NULL, y REAL NOT NULL, theta REAL NOT NULL    -- pose of odom in map
);
CREATE INDEX map_to_odom_run_t ON map_to_odom(run_id, t);

CREATE TABLE events (                                      -- operator actions, link events, generic records
  run_id INTEGER NOT NULL, t REAL NOT NULL,
  kind TEXT NOT NULL,                                      -- operator | link | generic
  type TEXT NOT NULL,                                      -- the action / event / caller's kind name
  data TEXT NOT NULL                                       -- JSON
);
CREATE INDEX events_run_t ON events(run_id, t);
`;

/** Every schema step, oldest first. The last one's version is the current schema. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, description: 'runs, tags and record tables', up: (db) => db.exec(V1_SQL) },
];

/** Tables holding a run's records (everything keyed by run_id), for deletion and counts. */
export const RECORD_TABLES = [
  'odometry', 'scans', 'robot_messages', 'commands', 'planner_cycles', 'candidate_samples',
  'guidance_paths', 'predictions', 'safety_actions', 'map_to_odom', 'events',
] as const;

/** Insert statements the writer prepares, by index (ops name them by index to keep batches small). */
export const INSERT_SQL = {
  odometry: 'INSERT INTO odometry VALUES (?,?,?,?,?,?,?,?,?,?)',
  scan: 'INSERT INTO scans VALUES (?,?,?,?,?,?,?,?,?,?)',
  robotMessage: 'INSERT INTO robot_messages VALUES (?,?,?,?,?,?)',
  command: 'INSERT INTO commands VALUES (?,?,?,?,?,?,?,?,?)',
  plannerCycle: 'INSERT INTO planner_cycles VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)',
  candidates: 'INSERT INTO candidate_samples VALUES (?,?,?,?)',
  guidancePath: 'INSERT INTO guidance_paths VALUES (?,?,?)',
  predictions: 'INSERT INTO predictions VALUES (?,?,?)',
  safety: 'INSERT INTO safety_actions VALUES (?,?,?,?,?,?,?,?,?,?,?,?)',
  mapToOdom: 'INSERT INTO map_to_odom VALUES (?,?,?,?,?)',
  event: 'INSERT INTO events VALUES (?,?,?,?,?)',
  /** (distance_m, last_record_t, id): progress of the live run, written with each batch. */
  runProgress: 'UPDATE runs SET distance_m = ?, last_record_t = max(coalesce(last_record_t, 0), ?) WHERE id = ?',
  /** (ended_at, outcome, distance_m, id). */
  runEnd: 'UPDATE runs SET ended_at = ?, outcome = ?, distance_m = ?, recorder_pid = NULL WHERE id = ?',
} as const;
export type InsertName = keyof typeof INSERT_SQL;
export const INSERT_NAMES = Object.keys(INSERT_SQL) as InsertName[];
export const INSERT_INDEX = Object.fromEntries(INSERT_NAMES.map((n, i) => [n, i])) as Record<InsertName, number>;

export interface OpenRunDatabaseOptions {
  /** Create the file (and its folder) when missing. Default true. */
  create?: boolean;
  /**
   * Run `PRAGMA quick_check` on an existing file before using it: always (true, default),
   * never (false), or only when the last session did not close cleanly ('after-crash': a
   * WAL file is left over or a run has no end). It reads the whole file: about 1 s per
   * recorded hour (see test/bench/recorder.bench.ts).
   */
  quickCheck?: boolean | 'after-crash';
  /** Schema steps; tests pass extra ones to exercise upgrades. Default MIGRATIONS. */
  migrations?: readonly Migration[];
  /** Mark runs left open by a dead recorder as interrupted. Default true. */
  markInterrupted?: boolean;
}

const SQLITE_MAGIC = 'SQLite format 3\0';

/** Applies the connection settings every connection to the run database uses. */
export function configureConnection(db: Db): void {
  db.pragma('journal_mode = WAL');
  // WAL + NORMAL: a commit survives a process crash (kill -9); only an OS crash or power
  // loss can drop the last transactions, and the file stays consistent either way.
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
}

/**
 * Opens (creating or upgrading as needed) the run database at `path`.
 * Throws RunDatabaseError for a missing (with create: false), non-SQLite, corrupt, foreign
 * or too-new file, leaving that file byte-for-byte untouched.
 */
export function openRunDatabase(path: string, options: OpenRunDatabaseOptions = {}): Db {
  const migrations = options.migrations ?? MIGRATIONS;
  const latest = migrations.length > 0 ? migrations[migrations.length - 1]!.version : 0;
  const exists = existsSync(path);
  if (!exists) {
    if (options.create === false) throw new RunDatabaseError('missing', path, `no run database at ${path}`);
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (err) {
      throw new RunDatabaseError('io', path, `cannot create the folder for ${path}: ${(err as Error).message}`, { cause: err });
    }
  } else {
    inspectExisting(path, latest, options.quickCheck ?? true);
  }

  let db: Db;
  try {
    db = new Database(path);
    configureConnection(db);
  } catch (err) {
    throw new RunDatabaseError('io', path, `cannot open ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    migrate(db, path, migrations);
    if (options.markInterrupted ?? true) markInterruptedRuns(db);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/** Read-only checks on an existing file. Never writes. */
function inspectExisting(path: string, latest: number, quickCheck: boolean | 'after-crash'): void {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new RunDatabaseError('io', path, `${path} is not a file`);
    size = st.size;
  } catch (err) {
    if (err instanceof RunDatabaseError) throw err;
    throw new RunDatabaseError('io', path, `cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  let headerAppId: number | null = null;
  if (size > 0) {
    const header = Buffer.alloc(100);
    let got = 0;
    try {
      const fd = openSync(path, 'r');
      try {
        got = readSync(fd, header, 0, 100, 0);
      } finally {
        closeSync(fd);
      }
    } catch (err) {
      throw new RunDatabaseError('io', path, `cannot read ${path}: ${(err as Error).message}`, { cause: err });
    }
    if (got < 100 || header.toString('latin1', 0, 16) !== SQLITE_MAGIC) {
      throw new RunDatabaseError('not-sqlite', path, `${path} is not a Foresight run database (not an SQLite file); it was left untouched`);
    }
    headerAppId = header.readUInt32BE(68);
  }

  let ro: Db;
  try {
    ro = new Database(path, { readonly: true, fileMustExist: true });
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    // A read-only connection cannot replay a WAL left by a crash when the -shm file is gone;
    // the file says it is ours, so let the read-write open recover it (SQLite's own recovery).
    if (headerAppId === FORESIGHT_APPLICATION_ID && /^SQLITE_(READONLY|CANTOPEN)/.test(code)) return;
    throw new RunDatabaseError('corrupt', path, `${path} cannot be read as a database (${code || (err as Error).message}); it was left untouched`, { cause: err });
  }
  try {
    let appId: number;
    let version: number;
    let objects: number;
    try {
      appId = ro.pragma('application_id', { simple: true }) as number;
      version = ro.pragma('user_version', { simple: true }) as number;
      objects = (ro.prepare('SELECT count(*) AS n FROM sqlite_schema').get() as { n: number }).n;
    } catch (err) {
      throw new RunDatabaseError('corrupt', path, `${path} is damaged (${(err as Error).message}); it was left untouched`, { cause: err });
    }
    if (appId !== FORESIGHT_APPLICATION_ID && !(appId === 0 && objects === 0)) {
      throw new RunDatabaseError('foreign', path, `${path} is another application's SQLite database (application_id ${appId}, ${objects} schema objects), not a Foresight run database; it was left untouched`);
    }
    if (version > latest) {
      throw new RunDatabaseError('too-new', path, `${path} was written by a newer Foresight (schema version ${version}; this build reads up to ${latest}). Update Foresight, or use another file with --db`);
    }
    if (quickCheck === true || (quickCheck === 'after-crash' && closedUncleanly(path, ro))) {
      let rows: { quick_check: string }[];
      try {
        rows = ro.pragma('quick_check(5)') as { quick_check: string }[];
      } catch (err) {
        throw new RunDatabaseError('corrupt', path, `${path} is damaged (${(err as Error).message}); it was left untouched`, { cause: err });
      }
      if (rows.length !== 1 || rows[0]!.quick_check !== 'ok') {
        const problems = rows.map((r) => r.quick_check).join('; ');
        throw new RunDatabaseError('corrupt', path, `${path} is damaged (quick_check: ${problems}); it was left untouched`);
      }
    }
  } finally {
    ro.close();
  }
}

/** True when the last session left a WAL behind or a run without an end. Read-only. */
function closedUncleanly(path: string, ro: Db): boolean {
  try {
    if (statSync(`${path}-wal`).size > 0) return true;
  } catch {
    // No WAL file: closed cleanly, or never in WAL mode.
  }
  try {
    return (ro.prepare('SELECT count(*) AS n FROM runs WHERE ended_at IS NULL').get() as { n: number }).n > 0;
  } catch {
    return true; // no runs table yet, or unreadable: check.
  }
}

function migrate(db: Db, path: string, migrations: readonly Migration[]): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  const pending = migrations.filter((m) => m.version > current);
  if (pending.length === 0) return;
  const upgrade = db.transaction(() => {
    db.pragma(`application_id = ${FORESIGHT_APPLICATION_ID}`);
    for (const m of pending) {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    }
  });
  try {
    upgrade.immediate();
  } catch (err) {
    throw new RunDatabaseError('migration-failed', path, `upgrading ${path} from schema ${current} failed (${(err as Error).message}); the file was left at schema ${current}`, { cause: err });
  }
}

/** True when a process with this id exists (on this host). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Marks runs without an end whose recorder process is gone as `interrupted`, ending them at
 * their newest committed record. Runs recorded right now by a live process are left alone.
 * Returns the ids marked.
 */
export function markInterruptedRuns(db: Db): number[] {
  const open = db.prepare('SELECT id, recorder_pid AS pid, recorder_host AS host FROM runs WHERE ended_at IS NULL').all() as
    { id: number; pid: number | null; host: string | null }[];
  const host = hostname();
  const dead = open.filter((r) => !(r.pid !== null && r.host === host && (r.pid === process.pid || processAlive(r.pid))));
  if (dead.length === 0) return [];
  const mark = db.prepare(
    "UPDATE runs SET ended_at = coalesce(last_record_t, started_at), outcome = 'interrupted', recorder_pid = NULL WHERE id = ?",
  );
  db.transaction(() => {
    for (const r of dead) mark.run(r.id);
  })();
  return dead.map((r) => r.id);
}
