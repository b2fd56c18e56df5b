/**
 * Operator zones (keep-out and slow polygons in the `map` frame), stored in a small SQLite
 * file of their own next to the run database: `runs.sqlite` → `runs.zones.sqlite`.
 *
 * Why a separate file: zones are configuration, not a recording. They must survive deleting
 * runs or starting a new run database, and the run database's schema (versioned by the
 * recorder's migrations) stays the recorder's alone. The file is marked as ours with its own
 * application_id ("FSZN") and schema version, and a file that is not ours is refused and
 * left untouched, as the run database is.
 */
import Database from 'better-sqlite3';
import { existsSync, mkdirSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import type { Zone, ZoneInput } from '../../shared/api';

/** "FSZN" — Foresight zones. */
export const ZONES_APPLICATION_ID = 0x46535a4e;
export const ZONES_SCHEMA_VERSION = 1;
/** Vertices a zone may have. */
export const MAX_ZONE_VERTICES = 500;

export class ZoneStoreError extends Error {
  override readonly name = 'ZoneStoreError';
}

/** The zones file that goes with a run database. */
export function zonesPathFor(runDbPath: string): string {
  const ext = extname(runDbPath);
  const stem = basename(runDbPath, ext);
  return join(dirname(runDbPath), `${stem}.zones.sqlite`);
}

/** Twice the signed area of a polygon (flat [x0, y0, …]); positive when counter-clockwise. */
export function signedArea2(p: readonly number[]): number {
  let a = 0;
  const n = p.length / 2;
  for (let i = 0; i < n; i++) {
    const j = (i + 1) % n;
    a += p[2 * i]! * p[2 * j + 1]! - p[2 * j]! * p[2 * i + 1]!;
  }
  return a;
}

function segmentsCross(ax: number, ay: number, bx: number, by: number, cx: number, cy: number, dx: number, dy: number): boolean {
  const o = (px: number, py: number, qx: number, qy: number, rx: number, ry: number) => Math.sign((qx - px) * (ry - py) - (qy - py) * (rx - px));
  const o1 = o(ax, ay, bx, by, cx, cy);
  const o2 = o(ax, ay, bx, by, dx, dy);
  const o3 = o(cx, cy, dx, dy, ax, ay);
  const o4 = o(cx, cy, dx, dy, bx, by);
  return o1 !== o2 && o3 !== o4 && o1 !== 0 && o2 !== 0 && o3 !== 0 && o4 !== 0;
}

/**
 * Checks a zone polygon and returns it cleaned (closing vertex dropped, counter-clockwise),
 * or a plain-words error: fewer than 3 vertices, no area, edges crossing.
 */
export function cleanPolygon(points: readonly number[]): { ok: true; polygon: number[] } | { ok: false; error: string } {
  if (points.length % 2 !== 0) return { ok: false, error: 'the polygon needs x, y pairs' };
  if (!points.every(Number.isFinite)) return { ok: false, error: 'the polygon has a non-finite coordinate' };
  let p = [...points];
  // Drop repeated vertices and a closing vertex.
  const out: number[] = [];
  for (let i = 0; i < p.length; i += 2) {
    const n = out.length;
    if (n >= 2 && Math.hypot(out[n - 2]! - p[i]!, out[n - 1]! - p[i + 1]!) < 1e-6) continue;
    out.push(p[i]!, p[i + 1]!);
  }
  if (out.length >= 4 && Math.hypot(out[0]! - out[out.length - 2]!, out[1]! - out[out.length - 1]!) < 1e-6) out.length -= 2;
  p = out;
  const n = p.length / 2;
  if (n < 3) return { ok: false, error: 'a zone needs at least 3 corners' };
  if (n > MAX_ZONE_VERTICES) return { ok: false, error: `a zone may have at most ${MAX_ZONE_VERTICES} corners` };
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (j === i + 1 || (i === 0 && j === n - 1)) continue; // neighbours share a corner
      const i2 = (i + 1) % n;
      const j2 = (j + 1) % n;
      if (segmentsCross(p[2 * i]!, p[2 * i + 1]!, p[2 * i2]!, p[2 * i2 + 1]!, p[2 * j]!, p[2 * j + 1]!, p[2 * j2]!, p[2 * j2 + 1]!)) {
        return { ok: false, error: 'the zone\'s edges cross each other' };
      }
    }
  }
  const area2 = signedArea2(p);
  if (Math.abs(area2) < 2e-4) return { ok: false, error: 'the zone has no area' };
  if (area2 < 0) {
    const rev: number[] = [];
    for (let i = n - 1; i >= 0; i--) rev.push(p[2 * i]!, p[2 * i + 1]!);
    p = rev;
  }
  return { ok: true, polygon: p };
}

/** Point-in-polygon (even-odd) for a flat polygon, map frame. For planners and tests. */
export function pointInPolygon(x: number, y: number, p: readonly number[]): boolean {
  let inside = false;
  const n = p.length / 2;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const xi = p[2 * i]!, yi = p[2 * i + 1]!, xj = p[2 * j]!, yj = p[2 * j + 1]!;
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

interface ZoneRow { id: number; name: string; kind: string; slow_speed: number | null; polygon: string; created_at: number; updated_at: number }

const zoneFrom = (r: ZoneRow): Zone => ({
  id: r.id, name: r.name, kind: r.kind as Zone['kind'], slowSpeed: r.slow_speed,
  polygon: JSON.parse(r.polygon) as number[], createdAt: r.created_at, updatedAt: r.updated_at,
});

export class ZoneStore {
  private readonly listeners = new Set<(zones: Zone[]) => void>();

  private constructor(readonly path: string, private readonly db: Database.Database, private readonly clock: () => number) {}

  /** Opens (creating) the zones file. Throws ZoneStoreError for a file that is not ours or is newer. */
  static open(path: string, clock: () => number = () => Date.now() / 1000): ZoneStore {
    const exists = existsSync(path);
    if (!exists) mkdirSync(dirname(path), { recursive: true });
    let db: Database.Database;
    try {
      db = new Database(path, exists ? { fileMustExist: true } : {});
    } catch (err) {
      throw new ZoneStoreError(`cannot open the zones file ${path}: ${(err as Error).message}`, { cause: err });
    }
    try {
      const appId = db.pragma('application_id', { simple: true }) as number;
      const version = db.pragma('user_version', { simple: true }) as number;
      const objects = (db.prepare('SELECT count(*) AS n FROM sqlite_schema').get() as { n: number }).n;
      if (appId !== ZONES_APPLICATION_ID && !(appId === 0 && objects === 0)) {
        throw new ZoneStoreError(`${path} is not a Foresight zones file (application_id ${appId}); it was left untouched`);
      }
      if (version > ZONES_SCHEMA_VERSION) {
        throw new ZoneStoreError(`${path} was written by a newer Foresight (zones schema ${version}); update Foresight`);
      }
      if (version < 1) {
        db.transaction(() => {
          db.exec(`CREATE TABLE zones (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('keep-out', 'slow')),
            slow_speed REAL,                 -- m/s; NULL for keep-out
            polygon TEXT NOT NULL,           -- JSON [x0, y0, …], map frame, m, counter-clockwise
            created_at REAL NOT NULL,        -- s, host clock
            updated_at REAL NOT NULL
          )`);
          db.pragma(`application_id = ${ZONES_APPLICATION_ID}`);
          db.pragma(`user_version = ${ZONES_SCHEMA_VERSION}`);
        }).immediate();
      }
      db.pragma('journal_mode = WAL');
      db.pragma('busy_timeout = 2000');
    } catch (err) {
      db.close();
      if (err instanceof ZoneStoreError) throw err;
      throw new ZoneStoreError(`${path} cannot be used as a zones file (${(err as Error).message}); it was left untouched`, { cause: err });
    }
    return new ZoneStore(path, db, clock);
  }

  list(): Zone[] {
    return (this.db.prepare('SELECT * FROM zones ORDER BY id').all() as ZoneRow[]).map(zoneFrom);
  }

  /** Creates or replaces a zone; returns it, or a plain-words error. */
  save(input: ZoneInput): { ok: true; zone: Zone } | { ok: false; error: string } {
    const name = input.name.trim();
    if (!name) return { ok: false, error: 'a zone needs a name' };
    const poly = cleanPolygon(input.polygon);
    if (!poly.ok) return poly;
    let slow: number | null = null;
    if (input.kind === 'slow') {
      slow = input.slowSpeed ?? null;
      if (slow === null || !(slow > 0)) return { ok: false, error: 'a slow zone needs a speed limit above 0 m/s' };
    }
    const now = this.clock();
    const json = JSON.stringify(poly.polygon.map((v) => Math.round(v * 1000) / 1000));
    let id: number;
    if (input.id !== undefined) {
      const res = this.db.prepare('UPDATE zones SET name = ?, kind = ?, slow_speed = ?, polygon = ?, updated_at = ? WHERE id = ?')
        .run(name, input.kind, slow, json, now, input.id);
      if (res.changes === 0) return { ok: false, error: `no zone with id ${input.id}` };
      id = input.id;
    } else {
      const res = this.db.prepare('INSERT INTO zones (name, kind, slow_speed, polygon, created_at, updated_at) VALUES (?,?,?,?,?,?)')
        .run(name, input.kind, slow, json, now, now);
      id = Number(res.lastInsertRowid);
    }
    const zone = zoneFrom(this.db.prepare('SELECT * FROM zones WHERE id = ?').get(id) as ZoneRow);
    this.changed();
    return { ok: true, zone };
  }

  delete(id: number): boolean {
    const res = this.db.prepare('DELETE FROM zones WHERE id = ?').run(id);
    if (res.changes > 0) this.changed();
    return res.changes > 0;
  }

  /** Called with every zone after each change (the planners subscribe here). */
  onChange(listener: (zones: Zone[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.db.close();
  }

  private changed(): void {
    const zones = this.list();
    for (const l of this.listeners) {
      try {
        l(zones);
      } catch {
        // A failing subscriber must not undo the save.
      }
    }
  }
}
