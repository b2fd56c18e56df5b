import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, openSync, writeFileSync, writeSync, closeSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { FORESIGHT_APPLICATION_ID, MIGRATIONS, openRunDatabase } from '../../../src/main/recorder/schema';
import { RunDatabaseError } from '../../../src/main/recorder/errors';
import { Recorder } from '../../../src/main/recorder/recorder';
import { RunStore } from '../../../src/main/recorder/run-store';
import { sha256, tempDir } from './fixtures';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => { tmp = tempDir(); });
afterEach(() => tmp.cleanup());

/** Expects opening `path` to fail with `code`, and the file to be byte-for-byte unchanged. */
function expectRefused(path: string, code: RunDatabaseError['code'], pattern: RegExp): void {
  const before = sha256(path);
  let error: unknown;
  try {
    openRunDatabase(path).close();
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(RunDatabaseError);
  expect((error as RunDatabaseError).code).toBe(code);
  expect((error as RunDatabaseError).message).toMatch(pattern);
  expect((error as RunDatabaseError).message).toContain('left untouched');
  // Also through the recorder, which must not start a writer on it.
  expect(() => Recorder.open(path)).toThrow(RunDatabaseError);
  expect(sha256(path)).toBe(before);
}

function ourDbWithRun(path: string): void {
  const db = openRunDatabase(path);
  db.prepare("INSERT INTO runs (robot_name, source, started_at, ended_at, outcome) VALUES ('r', 'sim', 1, 2, 'completed')").run();
  db.close();
}

describe('openRunDatabase', () => {
  it('creates a missing file (and folder) with our application_id and the latest schema, in WAL mode', () => {
    const path = join(tmp.dir, 'deep', 'er', 'runs.sqlite');
    const db = openRunDatabase(path);
    expect(db.pragma('application_id', { simple: true })).toBe(FORESIGHT_APPLICATION_ID);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.at(-1)!.version);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    expect(() => openRunDatabase(join(tmp.dir, 'nope.sqlite'), { create: false })).toThrow(/no run database/);
    expect(existsSync(join(tmp.dir, 'nope.sqlite'))).toBe(false);
  });

  it('migrates an older file of ours in one transaction, keeping its runs', () => {
    const path = join(tmp.dir, 'runs.sqlite');
    ourDbWithRun(path);
    const v2 = [...MIGRATIONS, { version: 2, description: 'test column', up: (db: Database.Database) => db.exec("ALTER TABLE runs ADD COLUMN weather TEXT NOT NULL DEFAULT 'dry'") }];
    const db = openRunDatabase(path, { migrations: v2 });
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    expect(db.prepare('SELECT robot_name, weather FROM runs').get()).toEqual({ robot_name: 'r', weather: 'dry' });
    db.close();
  });

  it('rolls a failed migration back and leaves the file at its old version', () => {
    const path = join(tmp.dir, 'runs.sqlite');
    ourDbWithRun(path);
    const broken = [...MIGRATIONS, { version: 2, description: 'fails halfway', up: (db: Database.Database) => { db.exec('CREATE TABLE half (x)'); throw new Error('boom'); } }];
    expect(() => openRunDatabase(path, { migrations: broken })).toThrow(expect.objectContaining({ code: 'migration-failed', message: expect.stringMatching(/left at schema 1/) }));
    const db = new Database(path, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'half'").get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT count(*) AS n FROM runs').get()).toEqual({ n: 1 });
    db.close();
  });

  it('refuses a file written by a newer version', () => {
    const path = join(tmp.dir, 'runs.sqlite');
    ourDbWithRun(path);
    const db = new Database(path);
    db.pragma('user_version = 99');
    db.close();
    const before = sha256(path);
    expect(() => openRunDatabase(path)).toThrow(expect.objectContaining({ code: 'too-new', message: expect.stringMatching(/newer Foresight \(schema version 99/) }));
    expect(sha256(path)).toBe(before);
  });

  it('refuses a file that is not SQLite, never overwriting it', () => {
    const path = join(tmp.dir, 'runs.sqlite');
    writeFileSync(path, 'these are my notes, not a database\n'.repeat(20));
    expectRefused(path, 'not-sqlite', /not an SQLite file/);
  });

  it('refuses a foreign SQLite database (other application_id, or ours unmarked but non-empty)', () => {
    const other = join(tmp.dir, 'other.sqlite');
    const db = new Database(other);
    db.exec('CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES (\'Ada\')');
    db.pragma('application_id = 1234');
    db.close();
    expectRefused(other, 'foreign', /another application's SQLite database \(application_id 1234/);

    const plain = join(tmp.dir, 'plain.sqlite');
    const db2 = new Database(plain);
    db2.exec('CREATE TABLE runs (id INTEGER)');
    db2.close();
    expectRefused(plain, 'foreign', /application_id 0/);
  });

  it('refuses a damaged database of ours (quick_check fails), never overwriting it', () => {
    const path = join(tmp.dir, 'runs.sqlite');
    ourDbWithRun(path);
    const db = new Database(path);
    db.pragma('journal_mode = DELETE'); // everything in the main file, so the damage is what SQLite reads
    db.exec('CREATE TABLE filler (x TEXT); CREATE INDEX filler_x ON filler(x)');
    const ins = db.prepare('INSERT INTO filler VALUES (?)');
    db.transaction(() => { for (let i = 0; i < 2000; i++) ins.run(`row ${i} ${'x'.repeat(100)}`); })();
    db.close();
    const pages = statSync(path).size / 4096;
    expect(pages).toBeGreaterThan(20);
    const fd = openSync(path, 'r+');
    // Scribble over pages in the middle: b-tree pages no longer parse.
    for (let p = Math.floor(pages / 2); p < Math.floor(pages / 2) + 4; p++) writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, p * 4096);
    closeSync(fd);
    expectRefused(path, 'corrupt', /damaged/);
  });

  it('opens an empty (0-byte) file as a new database', () => {
    const path = join(tmp.dir, 'runs.sqlite');
    writeFileSync(path, '');
    const db = openRunDatabase(path);
    expect(db.pragma('application_id', { simple: true })).toBe(FORESIGHT_APPLICATION_ID);
    db.close();
  });

  it('marks runs left open by a dead recorder as interrupted, keeping their records; live ones stay open', () => {
    const path = join(tmp.dir, 'runs.sqlite');
    const db = openRunDatabase(path);
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid!;
    const ins = db.prepare('INSERT INTO runs (robot_name, source, started_at, last_record_t, recorder_pid, recorder_host) VALUES (?,?,?,?,?,?)');
    ins.run('dead', 'sim', 100, 160.5, deadPid, hostname());
    ins.run('live', 'sim', 200, 210, process.pid, hostname());
    db.prepare('INSERT INTO odometry VALUES (1, 160.5, 0, 0, 0, 0, 0, 0, 0, 0)').run();
    db.close();

    const store = RunStore.open(path);
    const runs = store.listRuns();
    expect(runs.find((r) => r.robotName === 'dead')).toMatchObject({ outcome: 'interrupted', endedAt: 160.5, durationS: 60.5 });
    expect(runs.find((r) => r.robotName === 'live')).toMatchObject({ outcome: null, endedAt: null });
    expect(store.countRecords(1).odometry).toBe(1);
    store.close();
  });
});

describe('quickCheck: after-crash', () => {
  it('skips the full check after a clean close and runs it when a run was left open', () => {
    const path = join(tmp.dir, 'runs.sqlite');
    ourDbWithRun(path);
    const db = new Database(path);
    db.pragma('journal_mode = DELETE');
    db.exec('CREATE TABLE filler (x TEXT); CREATE INDEX filler_x ON filler(x)');
    const ins = db.prepare('INSERT INTO filler VALUES (?)');
    db.transaction(() => { for (let i = 0; i < 2000; i++) ins.run(`row ${i} ${'x'.repeat(100)}`); })();
    db.close();
    const pages = statSync(path).size / 4096;
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, Math.floor(pages / 2) * 4096);
    closeSync(fd);
    // Clean close: only the cheap checks run, and they pass.
    openRunDatabase(path, { quickCheck: 'after-crash', markInterrupted: false }).close();
    const db2 = new Database(path);
    db2.prepare('INSERT INTO runs (robot_name, source, started_at) VALUES (\'r\', \'sim\', 5)').run();
    db2.close();
    expect(() => openRunDatabase(path, { quickCheck: 'after-crash' })).toThrow(expect.objectContaining({ code: 'corrupt' }));
  });
});
