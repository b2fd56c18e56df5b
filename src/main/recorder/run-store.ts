/**
 * Read API over the run database for review, the CLI and export: list, rename, tag, delete,
 * records by time range and kind, and "state at time t" for the map view.
 *
 * Every query is by (run_id, t) on an index, so a seek is a handful of B-tree lookups
 * whatever the run's length.
 */
import type Database from 'better-sqlite3';
import type { HelloMsg, ScreenStateMsg, StatusMsg } from '../../shared/protocol';
import type {
  LinkEventType, OperatorActionType, RecordKind, RecordedCandidateSample, RecordedCommand, RecordedCommandType,
  RecordedGeneric, RecordedGuidancePath, RecordedLinkEvent, RecordedMapToOdom, RecordedOdometry, RecordedOperatorAction,
  RecordedPlannerCycle, RecordedPredictions, RecordedRecord, RecordedRobotMessage, RecordedSafetyAction, RecordedScan,
  RunOutcome, RunStateAt, RunSummary,
} from '../../shared/recording';
import { decodeCandidates, decodeF32, decodeF32Array, decodePeople } from './blob';
import { NoSuchRunError, RunInProgressError } from './errors';
import { RECORD_TABLES, openRunDatabase, type Db, type OpenRunDatabaseOptions } from './schema';

/** Every record kind, for validating names from outside (CLI, IPC). */
export const RECORD_KINDS: readonly RecordKind[] = [
  'odometry', 'laser-scan', 'robot-message', 'command', 'planner-cycle', 'candidates', 'guidance-path',
  'predictions', 'safety', 'operator', 'link', 'map-to-odom', 'generic',
];

export interface RecordQuery {
  /** From this time, inclusive, s (host clock). Default: the run's start. */
  from?: number;
  /** To this time, inclusive, s. Default: the run's end. */
  to?: number;
  /** Only these kinds. Default: all. */
  kinds?: readonly RecordKind[];
  /** At most this many records per kind (the earliest). Default: no limit. */
  limitPerKind?: number;
}

interface RunRow {
  id: number; name: string; robot_name: string; source: string; started_at: number; ended_at: number | null;
  last_record_t: number | null; outcome: string | null; distance_m: number; incidents: number; tags: string | null;
}

type Row = Record<string, unknown>;

const num = (v: unknown): number => v as number;
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : (v as number));
const bytes = (v: unknown): Uint8Array => v as Uint8Array;

function odometryFrom(r: Row): RecordedOdometry {
  return {
    kind: 'odometry', t: num(r.t), robotTimeUs: num(r.robot_time_us), seq: num(r.seq), x: num(r.x), y: num(r.y),
    theta: num(r.theta), v: num(r.v), w: num(r.w), lastCommandSeq: num(r.last_command_seq),
  };
}
function scanFrom(r: Row): RecordedScan {
  return {
    kind: 'laser-scan', t: num(r.t), robotTimeUs: num(r.robot_time_us), seq: num(r.seq), angleMin: num(r.angle_min),
    angleIncrement: num(r.angle_increment), timeIncrement: num(r.time_increment), rangeMin: num(r.range_min),
    rangeMax: num(r.range_max), ranges: decodeF32(bytes(r.ranges)),
  };
}
function robotMessageFrom(r: Row): RecordedRobotMessage {
  return {
    kind: 'robot-message', t: num(r.t), robotTimeUs: num(r.robot_time_us), seq: num(r.seq),
    msg: JSON.parse(r.data as string) as RecordedRobotMessage['msg'],
  };
}
function commandFrom(r: Row): RecordedCommand {
  return {
    kind: 'command', t: num(r.t), seq: num(r.seq), type: r.type as RecordedCommandType, v: numOrNull(r.v), w: numOrNull(r.w),
    panAngle: numOrNull(r.pan_angle), maxRate: numOrNull(r.max_rate), stopReason: numOrNull(r.stop_reason),
  };
}
function poseOrNull(x: unknown, y: unknown, theta: unknown): { x: number; y: number; theta: number } | null {
  return x === null || y === null || theta === null ? null : { x: num(x), y: num(y), theta: num(theta) };
}
function plannerCycleFrom(r: Row): RecordedPlannerCycle {
  return {
    kind: 'planner-cycle', t: num(r.t), cycleTimeS: num(r.cycle_time_s), chosen: decodeF32Array(bytes(r.chosen)),
    chosenCost: numOrNull(r.chosen_cost), start: poseOrNull(r.start_x, r.start_y, r.start_theta),
    goal: poseOrNull(r.goal_x, r.goal_y, r.goal_theta), candidateCount: num(r.candidate_count),
    extra: JSON.parse(r.extra as string) as Record<string, number>,
  };
}
function candidatesFrom(r: Row): RecordedCandidateSample {
  return {
    kind: 'candidates', t: num(r.t), termNames: JSON.parse(r.term_names as string) as string[],
    candidates: decodeCandidates(bytes(r.data)),
  };
}
function guidanceFrom(r: Row): RecordedGuidancePath {
  return { kind: 'guidance-path', t: num(r.t), points: decodeF32Array(bytes(r.points)) };
}
function predictionsFrom(r: Row): RecordedPredictions {
  return { kind: 'predictions', t: num(r.t), people: decodePeople(bytes(r.data)) };
}
function safetyFrom(r: Row): RecordedSafetyAction {
  const twist = (v: unknown, w: unknown) => (v === null || w === null ? null : { v: num(v), w: num(w) });
  return {
    kind: 'safety', t: num(r.t), action: r.action as RecordedSafetyAction['action'], reason: r.reason as string,
    ttc: numOrNull(r.ttc), scale: num(r.scale), requested: twist(r.requested_v, r.requested_w),
    commanded: twist(r.commanded_v, r.commanded_w), zone: (r.zone as string | null) ?? null,
    points: decodeF32Array(bytes(r.points)),
  };
}
function mapToOdomFrom(r: Row): RecordedMapToOdom {
  return { kind: 'map-to-odom', t: num(r.t), x: num(r.x), y: num(r.y), theta: num(r.theta) };
}
function eventFrom(r: Row): RecordedOperatorAction | RecordedLinkEvent | RecordedGeneric {
  const data = JSON.parse(r.data as string) as Record<string, unknown>;
  if (r.kind === 'operator') return { ...data, kind: 'operator', t: num(r.t), action: r.type as OperatorActionType };
  if (r.kind === 'link') {
    return { ...(data as { message: string; reason?: string }), kind: 'link', t: num(r.t), event: r.type as LinkEventType };
  }
  return { kind: 'generic', t: num(r.t), type: r.type as string, data };
}

/** Where each kind lives and how to read a row of it. */
const KIND_SOURCES: Record<RecordKind, { table: string; where?: string; from: (r: Row) => RecordedRecord }> = {
  'odometry': { table: 'odometry', from: odometryFrom },
  'laser-scan': { table: 'scans', from: scanFrom },
  'robot-message': { table: 'robot_messages', from: robotMessageFrom },
  'command': { table: 'commands', from: commandFrom },
  'planner-cycle': { table: 'planner_cycles', from: plannerCycleFrom },
  'candidates': { table: 'candidate_samples', from: candidatesFrom },
  'guidance-path': { table: 'guidance_paths', from: guidanceFrom },
  'predictions': { table: 'predictions', from: predictionsFrom },
  'safety': { table: 'safety_actions', from: safetyFrom },
  'map-to-odom': { table: 'map_to_odom', from: mapToOdomFrom },
  'operator': { table: 'events', where: "kind = 'operator'", from: eventFrom },
  'link': { table: 'events', where: "kind = 'link'", from: eventFrom },
  'generic': { table: 'events', where: "kind = 'generic'", from: eventFrom },
};

export class RunStore {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(readonly db: Db) {}

  /** Prepared once per SQL text: compiling costs more than an indexed lookup. */
  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  /** Opens a database for review (read API only; no recorder). Same checks as the recorder. */
  static open(path: string, options?: OpenRunDatabaseOptions): RunStore {
    return new RunStore(openRunDatabase(path, options));
  }

  close(): void {
    this.db.close();
  }

  /** Runs, newest first. */
  listRuns(): RunSummary[] {
    const rows = this.stmt(`
      SELECT r.*, (SELECT json_group_array(tag) FROM run_tags WHERE run_id = r.id) AS tags
      FROM runs r ORDER BY r.started_at DESC, r.id DESC`).all() as RunRow[];
    return rows.map(summaryFrom);
  }

  /** One run's summary; throws NoSuchRunError. */
  getRun(runId: number): RunSummary {
    const row = this.stmt(`
      SELECT r.*, (SELECT json_group_array(tag) FROM run_tags WHERE run_id = r.id) AS tags
      FROM runs r WHERE r.id = ?`).get(runId) as RunRow | undefined;
    if (!row) throw new NoSuchRunError(runId);
    return summaryFrom(row);
  }

  renameRun(runId: number, name: string): void {
    const res = this.stmt('UPDATE runs SET name = ? WHERE id = ?').run(name.trim(), runId);
    if (res.changes === 0) throw new NoSuchRunError(runId);
  }

  /** Replaces the run's tags (trimmed, empty ones dropped, duplicates merged). */
  setTags(runId: number, tags: readonly string[]): void {
    this.getRun(runId);
    const clean = [...new Set(tags.map((t) => t.trim()).filter((t) => t.length > 0))];
    const del = this.stmt('DELETE FROM run_tags WHERE run_id = ?');
    const ins = this.stmt('INSERT INTO run_tags (run_id, tag) VALUES (?, ?)');
    this.db.transaction(() => {
      del.run(runId);
      for (const t of clean) ins.run(runId, t);
    })();
  }

  /** Deletes a finished run and all its records in one transaction. */
  deleteRun(runId: number): void {
    const run = this.getRun(runId);
    if (run.endedAt === null) throw new RunInProgressError(runId, 'delete');
    this.db.transaction(() => {
      for (const table of [...RECORD_TABLES, 'run_tags']) this.stmt(`DELETE FROM ${table} WHERE run_id = ?`).run(runId);
      this.stmt('DELETE FROM runs WHERE id = ?').run(runId);
    })();
  }

  /** Number of records of each kind in a run. */
  countRecords(runId: number): Record<RecordKind, number> {
    const out = {} as Record<RecordKind, number>;
    for (const kind of RECORD_KINDS) {
      const src = KIND_SOURCES[kind];
      const sql = `SELECT count(*) AS n FROM ${src.table} WHERE run_id = ?${src.where ? ` AND ${src.where}` : ''}`;
      out[kind] = (this.stmt(sql).get(runId) as { n: number }).n;
    }
    return out;
  }

  /** A run's records in [from, to], time-ordered (kinds merged; ties keep kind order). */
  records(runId: number, query: RecordQuery = {}): RecordedRecord[] {
    this.getRun(runId);
    const kinds = query.kinds ?? RECORD_KINDS;
    const lists: RecordedRecord[][] = [];
    for (const kind of kinds) {
      const rows = [...this.iterateKind(runId, kind, query)];
      lists.push(rows);
    }
    return mergeByTime(lists);
  }

  /**
   * Iterates one kind's records in time order without loading them all (export, long runs).
   */
  *iterateKind(runId: number, kind: RecordKind, query: RecordQuery = {}): Generator<RecordedRecord> {
    const src = KIND_SOURCES[kind];
    const clauses = ['run_id = ?', 't >= ?', 't <= ?'];
    if (src.where) clauses.push(src.where);
    const limit = query.limitPerKind !== undefined ? ` LIMIT ${Math.max(0, Math.floor(query.limitPerKind))}` : '';
    // A statement of its own: a cached one would be busy if the same kind is iterated twice at once.
    const stmt = this.db.prepare(`SELECT * FROM ${src.table} WHERE ${clauses.join(' AND ')} ORDER BY t, rowid${limit}`);
    for (const row of stmt.iterate(runId, query.from ?? -Infinity, query.to ?? Infinity)) yield src.from(row as Row);
  }

  /**
   * What the map view needs at instant `t` (s): the newest record of each kind at or before
   * `t`, and the robot description. Indexed lookups only.
   */
  stateAt(runId: number, t: number): RunStateAt {
    const latest = (table: string, extraWhere = ''): Row | null =>
      (this.stmt(`SELECT * FROM ${table} WHERE run_id = ? AND t <= ?${extraWhere} ORDER BY t DESC LIMIT 1`).get(runId, t) as Row | undefined) ?? null;
    const latestRobot = (type: string): Row | null =>
      (this.stmt('SELECT * FROM robot_messages WHERE run_id = ? AND type = ? AND t <= ? ORDER BY t DESC LIMIT 1').get(runId, type, t) as Row | undefined) ?? null;
    // The robot description: the newest hello at or before t, or the first one when t is
    // before it (the robot is the same for the whole run).
    const hello = latestRobot('hello')
      ?? ((this.stmt("SELECT * FROM robot_messages WHERE run_id = ? AND type = 'hello' ORDER BY t LIMIT 1").get(runId) as Row | undefined) ?? null);
    const cycle = latest('planner_cycles');
    const cand = cycle
      ? ((this.stmt('SELECT * FROM candidate_samples WHERE run_id = ? AND t = ? LIMIT 1').get(runId, cycle.t) as Row | undefined) ?? null)
      : null;
    const odo = latest('odometry');
    const scan = latest('scans');
    const status = latestRobot('status');
    const screen = latestRobot('screen-state');
    const cmd = latest('commands', " AND type = 'velocity'");
    const guidance = latest('guidance_paths');
    const pred = latest('predictions');
    const safety = latest('safety_actions');
    const m2o = latest('map_to_odom');
    return {
      runId,
      t,
      robot: hello ? (JSON.parse(hello.data as string) as HelloMsg) : null,
      odometry: odo ? odometryFrom(odo) : null,
      mapToOdom: m2o ? mapToOdomFrom(m2o) : null,
      scan: scan ? scanFrom(scan) : null,
      status: status ? (JSON.parse(status.data as string) as StatusMsg) : null,
      screen: screen ? (JSON.parse(screen.data as string) as ScreenStateMsg) : null,
      command: cmd ? commandFrom(cmd) : null,
      plannerCycle: cycle ? plannerCycleFrom(cycle) : null,
      candidates: cand ? candidatesFrom(cand) : null,
      guidancePath: guidance ? guidanceFrom(guidance) : null,
      predictions: pred ? predictionsFrom(pred) : null,
      safety: safety ? safetyFrom(safety) : null,
    };
  }
}

function summaryFrom(r: RunRow): RunSummary {
  const end = r.ended_at ?? r.last_record_t ?? r.started_at;
  return {
    id: r.id,
    name: r.name,
    robotName: r.robot_name,
    source: r.source,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    durationS: Math.max(0, end - r.started_at),
    distanceM: r.distance_m,
    outcome: (r.outcome as RunOutcome | null) ?? null,
    incidents: r.incidents,
    tags: r.tags ? (JSON.parse(r.tags) as string[]) : [],
  };
}

/** k-way merge of time-ordered lists (k is small: one per kind). */
function mergeByTime(lists: RecordedRecord[][]): RecordedRecord[] {
  const nonEmpty = lists.filter((l) => l.length > 0);
  if (nonEmpty.length === 1) return nonEmpty[0]!;
  const idx = new Array<number>(nonEmpty.length).fill(0);
  const total = nonEmpty.reduce((a, l) => a + l.length, 0);
  const out: RecordedRecord[] = [];
  while (out.length < total) {
    let best = -1;
    for (let i = 0; i < nonEmpty.length; i++) {
      const r = nonEmpty[i]![idx[i]!];
      if (r && (best < 0 || r.t < nonEmpty[best]![idx[best]!]!.t)) best = i;
    }
    out.push(nonEmpty[best]![idx[best]!++]!);
  }
  return out;
}
