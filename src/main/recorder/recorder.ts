/**
 * The run recorder: every session with a robot is a run, recorded as it happens.
 *
 * Hot path: each `record…` call encodes its record into a small parameter array and pushes
 * it onto an in-memory queue — O(1), no disk, never throws. Every `flushIntervalMs` (or as
 * soon as `batchRecords` are waiting) the queue is handed to the writer thread
 * (writer-thread.ts), which commits it in one transaction. The main thread's cost per batch
 * is the hand-off (a structured clone), whatever the disk does.
 *
 * Degrading loudly: if writes fail (disk full, I/O error) the batch goes back to the head of
 * the queue and is retried; if the disk cannot keep up, the queue grows until its bound and
 * then the oldest records of the lowest value are dropped — candidate samples first, then
 * scans / predictions / planner cycles, then odometry and commands, events last. Every such
 * state raises an error event and shows in `status().message` ("recording: degraded — …").
 */
import { hostname } from 'node:os';
import { Worker } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import type { ConsoleEvent, PersonView, TrajectoryView } from '../../shared/api';
import type { Pose2D, Twist2D } from '../../shared/geometry';
import type { HostMessage, LinkFrame, RobotMessage } from '../../shared/protocol';
import type {
  LinkEventType, OperatorActionType, RecorderStatus, RecordedSafetyAction, RunOutcome,
} from '../../shared/recording';
import { decimatePolyline, encodeCandidates, encodeF32, encodePeople } from './blob';
import { INSERT_INDEX, INSERT_NAMES, INSERT_SQL, openRunDatabase, type Db, type OpenRunDatabaseOptions } from './schema';
import { RunStore } from './run-store';
import type { FromWriter, ToWriter, WriteOp, WriterFaults, WriterInit, WriterWorkerData } from './writer-protocol';
import { threadEntry } from '../threads';

/**
 * How much a record is worth keeping when memory runs out, lowest first. Dropping starts at
 * tier 0 and moves up only when a whole tier is gone.
 */
const enum Tier {
  /** Candidate samples: nice to see, not needed to explain a run. */
  Candidates = 0,
  /** Scans, predictions, planner cycles: large and frequent. */
  Bulk = 1,
  /** Odometry, commands, small robot messages, localization, generic records. */
  Telemetry = 2,
  /** Safety actions, operator actions, link events, run start/end, hello. */
  Events = 3,
}
const TIER_NAMES = ['candidates', 'bulk', 'telemetry', 'events'] as const;

interface QueuedRecord {
  op: WriteOp;
  tier: Tier;
  /** Rough memory cost, bytes (for the queue bound). */
  bytes: number;
}

interface InFlightBatch {
  records: QueuedRecord[];
  bytes: number;
  /** performance.now() when posted, ms. */
  postedAtMs: number;
}

export interface RecorderOptions {
  /** Hand queued records to the writer this often, ms. Default 100. */
  flushIntervalMs?: number;
  /** …or as soon as this many are queued. Default 500. */
  batchRecords?: number;
  /** At most this many records per batch when catching up. Default 5000. */
  maxBatchRecords?: number;
  /** Batches posted and not yet committed before the recorder holds records back. Default 2. */
  maxInFlightBatches?: number;
  /** Memory bound of queued + in-flight records, bytes. Default 64 MiB. */
  maxQueuedBytes?: number;
  /** Count bound of queued + in-flight records. Default 200 000. */
  maxQueuedRecords?: number;
  /** A batch not committed after this long marks the recorder degraded, s. Default 2. */
  slowWriteS?: number;
  /** Wait before retrying a failed batch, ms. Default 1000. */
  retryDelayMs?: number;
  /** Points kept per candidate trajectory (decimated). Default 16. */
  maxCandidatePoints?: number;
  /** Candidates kept per planner cycle. Default 64. */
  maxCandidates?: number;
  /** Host clock used when a record call gives no time, s. Default Date.now()/1000. */
  clock?: () => number;
  /** Fault drills for the writer (tests, benchmarks). */
  faults?: WriterFaults;
  /** Keep per-batch timings (for benchmarks). Default false. */
  collectTimings?: boolean;
  /** How to open the database. */
  open?: OpenRunDatabaseOptions;
}

export interface StartRunInput {
  robotName: string;
  /** "serial:/dev/ttyACM0", "tcp:host:port", "sim", "scenario:FILE". */
  source: string;
  /** Host clock, s. Default: now. */
  startedAt?: number;
  /** The run's name (e.g. the scenario it ran); empty (the operator names it later) by default. */
  name?: string;
}

/** A candidate as the planner hands it over: total cost, named cost terms, map-frame points. */
export interface CandidateInput {
  cost: number;
  terms: Record<string, number>;
  /** Flat [x0, y0, …], map frame, m. */
  points: ArrayLike<number>;
}

export interface PlannerCycleInput {
  /** Wall time the cycle took, s. */
  cycleTimeS: number;
  chosen: TrajectoryView | null;
  /** A sample of the candidates (the recorder keeps at most `maxCandidates`). */
  candidates?: readonly CandidateInput[];
  /** Total candidates evaluated; default: the sample's length. */
  candidateCount?: number;
  /** Guidance path, flat [x0, y0, …], map frame; recorded only when it changed. */
  guidancePath?: ArrayLike<number> | null;
  start?: Pose2D | null;
  goal?: Pose2D | null;
  /** Extra figures, e.g. stage timings in s. */
  extra?: Record<string, number>;
}

export interface SafetyActionInput {
  action: RecordedSafetyAction['action'];
  reason: string;
  ttc: number | null;
  scale: number;
  requested?: Twist2D | null;
  commanded?: Twist2D | null;
  zone?: string | null;
  /** Triggering points, base_link, flat [x0, y0, …]. */
  points?: ArrayLike<number>;
}

export interface OperatorActionInput {
  action: OperatorActionType;
  teleop?: { linear: number; angular: number };
  goal?: Pose2D;
  detail?: string;
}

export interface LinkEventInput {
  event: LinkEventType;
  message: string;
  reason?: string;
}

/** Per-batch timings, ms, when `collectTimings` is on. */
export interface RecorderTimings {
  /** Main-thread time of each hand-off to the writer. */
  flushMainMs: number[];
  /** Writer-thread time of each committed transaction. */
  writeMs: number[];
}

type Listener<T> = (value: T) => void;

/** Plain words for SQLite error codes an operator can act on. */
function describeWriteError(message: string, code: string | null): string {
  if (code === 'SQLITE_FULL') return 'disk full';
  if (code?.startsWith('SQLITE_IOERR')) return `disk write error (${code})`;
  if (code === 'SQLITE_READONLY') return 'the database is read-only';
  if (code === 'SQLITE_BUSY') return 'the database is locked by another program';
  return code ? `${message} (${code})` : message;
}

export class Recorder {
  /** Read API over the same database (run list, seek, rename, tag, delete). */
  readonly store: RunStore;
  readonly path: string;

  private readonly db: Db;
  private readonly opts: Required<Omit<RecorderOptions, 'open' | 'faults'>>;
  private faults: WriterFaults;
  private writer: Worker | null = null;
  private writerRestartAtMs = 0;

  private queue: QueuedRecord[] = [];
  private queuedBytes = 0;
  private readonly inFlight = new Map<number, InFlightBatch>();
  private inFlightBytes = 0;
  private inFlightRecords = 0;
  private nextBatchId = 1;
  private flushScheduled = false;
  private retryAtMs = 0;
  private readonly timer: NodeJS.Timeout;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  private runId: number | null = null;
  private distanceM = 0;
  private lastOdom: { x: number; y: number } | null = null;
  private lastRecordT = 0;
  private lastGuidance: number[] | null = null;

  private written = 0;
  private readonly dropped = [0, 0, 0, 0];
  private droppedAtEpisodeStart = 0;
  private lastError: string | null = null;
  private backlog = false;
  private slow = false;
  private writerDown: string | null = null;
  private lastStatusMessage = '';

  private readonly eventListeners = new Set<Listener<ConsoleEvent>>();
  private readonly statusListeners = new Set<Listener<RecorderStatus>>();
  readonly timings: RecorderTimings = { flushMainMs: [], writeMs: [] };

  private constructor(path: string, db: Db, options: RecorderOptions) {
    this.path = path;
    this.db = db;
    // Checkpoints (which fsync and copy the WAL into the file) run on the writer thread's
    // connection; this one only commits the odd run row and review edits, so it must never
    // be the one that happens to cross the auto-checkpoint threshold.
    db.pragma('wal_autocheckpoint = 0');
    this.store = new RunStore(db);
    this.opts = {
      flushIntervalMs: options.flushIntervalMs ?? 100,
      batchRecords: options.batchRecords ?? 500,
      maxBatchRecords: options.maxBatchRecords ?? 5000,
      maxInFlightBatches: options.maxInFlightBatches ?? 2,
      maxQueuedBytes: options.maxQueuedBytes ?? 64 * 1024 * 1024,
      maxQueuedRecords: options.maxQueuedRecords ?? 200_000,
      slowWriteS: options.slowWriteS ?? 2,
      retryDelayMs: options.retryDelayMs ?? 1000,
      maxCandidatePoints: options.maxCandidatePoints ?? 16,
      maxCandidates: options.maxCandidates ?? 64,
      clock: options.clock ?? (() => Date.now() / 1000),
      collectTimings: options.collectTimings ?? false,
    };
    this.faults = { ...options.faults };
    this.startWriter();
    this.timer = setInterval(() => this.tick(), this.opts.flushIntervalMs);
    this.timer.unref();
    this.lastStatusMessage = this.status().message;
  }

  /**
   * Opens (creating or upgrading) the run database and starts the writer thread.
   * Throws RunDatabaseError when the file is not usable (not ours, damaged, too new); the
   * file is then left untouched.
   */
  static open(path: string, options: RecorderOptions = {}): Recorder {
    const db = openRunDatabase(path, options.open);
    return new Recorder(path, db, options);
  }

  // ── runs ────────────────────────────────────────────────────────────────────────────

  /**
   * Starts a run and returns its id, or null when the run row could not be written (the
   * error is reported as an event and in the status). Ends a run still open as `aborted`.
   * Writes one row synchronously: it happens at connect time, not per message.
   */
  startRun(input: StartRunInput): number | null {
    if (this.closed) return null;
    if (this.runId !== null) this.endRun('aborted');
    const startedAt = input.startedAt ?? this.opts.clock();
    try {
      const res = this.db.prepare(
        'INSERT INTO runs (robot_name, source, started_at, last_record_t, recorder_pid, recorder_host, name) VALUES (?,?,?,?,?,?,?)',
      ).run(input.robotName, input.source, startedAt, startedAt, process.pid, hostname(), input.name ?? '');
      this.runId = Number(res.lastInsertRowid);
    } catch (err) {
      const e = err as { message?: string; code?: string };
      this.lastError = `could not start a run: ${describeWriteError(e.message ?? String(err), e.code ?? null)}`;
      this.emit('error', `Recording off for this run — ${this.lastError}`);
      this.updateStatus();
      return null;
    }
    this.distanceM = 0;
    this.lastOdom = null;
    this.lastRecordT = startedAt;
    this.lastGuidance = null;
    this.updateStatus();
    return this.runId;
  }

  /** Ends the current run; its end is written after every record queued before it. */
  endRun(outcome: Exclude<RunOutcome, 'interrupted'>, endedAt?: number): void {
    this.guard(() => {
      if (this.runId === null) return;
      const t = endedAt ?? this.opts.clock();
      this.push([INSERT_INDEX.runEnd, t, outcome, this.distanceM, this.runId], Tier.Events, 64);
      this.runId = null;
      this.scheduleFlush();
      this.updateStatus();
    });
  }

  /** Id of the run being recorded, or null. */
  get currentRunId(): number | null {
    return this.runId;
  }

  // ── records ─────────────────────────────────────────────────────────────────────────

  /** A decoded frame from the robot, with its host receive time `t` (s). */
  recordRobotFrame(frame: LinkFrame<RobotMessage>, t?: number): void {
    this.guard(() => {
      const run = this.runId;
      if (run === null) return;
      const time = this.time(t);
      const m = frame.msg;
      switch (m.type) {
        case 'odometry': {
          // Dead-reckoned path length; a jump of more than 1 m between samples is an odometry
          // reset, not travel.
          if (this.lastOdom) {
            const d = Math.hypot(m.x - this.lastOdom.x, m.y - this.lastOdom.y);
            if (d < 1) this.distanceM += d;
          }
          this.lastOdom = { x: m.x, y: m.y };
          this.push([INSERT_INDEX.odometry, run, time, frame.timestampUs, frame.seq, m.x, m.y, m.theta, m.v, m.w, m.lastCommandSeq], Tier.Telemetry, 120);
          return;
        }
        case 'laser-scan': {
          const ranges = encodeF32(m.ranges);
          this.push([INSERT_INDEX.scan, run, time, frame.timestampUs, frame.seq, m.angleMin, m.angleIncrement, m.timeIncrement, m.rangeMin, m.rangeMax, ranges], Tier.Bulk, 120 + ranges.byteLength);
          return;
        }
        default: {
          const data = JSON.stringify(m);
          this.push([INSERT_INDEX.robotMessage, run, time, frame.timestampUs, frame.seq, m.type, data], m.type === 'hello' ? Tier.Events : Tier.Telemetry, 80 + data.length * 2);
        }
      }
    });
  }

  /** A command frame the host sent (velocity, screen, stop, ping), with its send time `t` (s). */
  recordCommandSent(frame: LinkFrame<HostMessage>, t?: number): void {
    this.guard(() => {
      const run = this.runId;
      if (run === null) return;
      const time = this.time(t);
      const m = frame.msg;
      const I = INSERT_INDEX.command;
      switch (m.type) {
        case 'velocity-command':
          this.push([I, run, time, frame.seq, 'velocity', m.v, m.w, null, null, null], Tier.Telemetry, 100);
          return;
        case 'screen-command':
          this.push([I, run, time, frame.seq, 'screen', null, null, m.panAngle, m.maxRate, null], Tier.Telemetry, 100);
          return;
        case 'stop':
          this.push([I, run, time, frame.seq, 'stop', null, null, null, null, m.reason], Tier.Events, 100);
          return;
        case 'ping':
          this.push([I, run, time, frame.seq, 'ping', null, null, null, null, null], Tier.Telemetry, 100);
      }
    });
  }

  /** One local-planner cycle at time `t` (s): chosen trajectory, candidate sample, guidance path. */
  recordPlannerCycle(cycle: PlannerCycleInput, t?: number): void {
    this.guard(() => {
      const run = this.runId;
      if (run === null) return;
      const time = this.time(t);
      const chosen = encodeF32(cycle.chosen?.points ?? []);
      const extra = JSON.stringify(cycle.extra ?? {});
      const sample = cycle.candidates ?? [];
      this.push([
        INSERT_INDEX.plannerCycle, run, time, cycle.cycleTimeS, chosen, cycle.chosen?.cost ?? null,
        cycle.start?.x ?? null, cycle.start?.y ?? null, cycle.start?.theta ?? null,
        cycle.goal?.x ?? null, cycle.goal?.y ?? null, cycle.goal?.theta ?? null,
        cycle.candidateCount ?? sample.length, extra,
      ], Tier.Bulk, 160 + chosen.byteLength + extra.length * 2);

      if (sample.length > 0) {
        const termNames = Object.keys(sample[0]!.terms);
        const kept = sample.slice(0, this.opts.maxCandidates).map((c) => ({
          cost: c.cost,
          terms: termNames.map((n) => c.terms[n] ?? NaN),
          points: decimatePolyline(c.points, this.opts.maxCandidatePoints),
        }));
        const data = encodeCandidates(termNames.length, kept);
        this.push([INSERT_INDEX.candidates, run, time, JSON.stringify(termNames), data], Tier.Candidates, 100 + data.byteLength);
      }

      if (cycle.guidancePath !== undefined) {
        const path = cycle.guidancePath ?? [];
        if (!this.lastGuidance || !sameNumbers(this.lastGuidance, path)) {
          this.lastGuidance = Array.from(path);
          const points = encodeF32(path);
          this.push([INSERT_INDEX.guidancePath, run, time, points], Tier.Telemetry, 60 + points.byteLength);
        }
      }
    });
  }

  /** People and their predicted futures at time `t` (s), map frame. */
  recordPredictions(people: readonly PersonView[], t?: number): void {
    this.guard(() => {
      const run = this.runId;
      if (run === null) return;
      const data = encodePeople(people);
      this.push([INSERT_INDEX.predictions, run, this.time(t), data], Tier.Bulk, 60 + data.byteLength);
    });
  }

  /** A reactive-safety decision and its reason at time `t` (s). */
  recordSafetyAction(a: SafetyActionInput, t?: number): void {
    this.guard(() => {
      const run = this.runId;
      if (run === null) return;
      const points = encodeF32(a.points ?? []);
      this.push([
        INSERT_INDEX.safety, run, this.time(t), a.action, a.reason, a.ttc, a.scale,
        a.requested?.v ?? null, a.requested?.w ?? null, a.commanded?.v ?? null, a.commanded?.w ?? null,
        a.zone ?? null, points,
      ], Tier.Events, 140 + a.reason.length * 2 + points.byteLength);
    });
  }

  /** An operator action (teleop, goal, emergency stop, connect…) at time `t` (s). */
  recordOperatorAction(a: OperatorActionInput, t?: number): void {
    this.guard(() => {
      const run = this.runId;
      if (run === null) return;
      const { action, ...rest } = a;
      const data = JSON.stringify(rest);
      this.push([INSERT_INDEX.event, run, this.time(t), 'operator', action, data], Tier.Events, 80 + data.length * 2);
    });
  }

  /** A link event (lost, reconnected, bad frame…) at time `t` (s). */
  recordLinkEvent(e: LinkEventInput, t?: number): void {
    this.guard(() => {
      const run = this.runId;
      if (run === null) return;
      const { event, ...rest } = e;
      const data = JSON.stringify(rest);
      this.push([INSERT_INDEX.event, run, this.time(t), 'link', event, data], Tier.Events, 80 + data.length * 2);
    });
  }

  /** Localization: the pose of `odom` in `map` at time `t` (s). */
  recordMapToOdom(pose: Pose2D, t?: number): void {
    this.guard(() => {
      const run = this.runId;
      if (run === null) return;
      this.push([INSERT_INDEX.mapToOdom, run, this.time(t), pose.x, pose.y, pose.theta], Tier.Telemetry, 80);
    });
  }

  /** A record kind without a typed method yet: `type` names it, `data` must be JSON-serializable. */
  record(type: string, data: unknown, t?: number): void {
    this.guard(() => {
      const run = this.runId;
      if (run === null) return;
      const json = JSON.stringify(data ?? null);
      this.push([INSERT_INDEX.event, run, this.time(t), 'generic', type, json], Tier.Telemetry, 80 + json.length * 2);
    });
  }

  // ── status and events ───────────────────────────────────────────────────────────────

  status(): RecorderStatus {
    const droppedTotal = this.dropped.reduce((a, b) => a + b, 0);
    const problems: string[] = [];
    if (this.writerDown) problems.push(`writer stopped: ${this.writerDown}`);
    if (this.lastError) problems.push(this.lastError);
    if (this.slow) problems.push('disk slow');
    if (this.backlog) problems.push(`disk not keeping up, ${this.queue.length + this.inFlightRecords} records waiting`);
    let state: RecorderStatus['state'];
    let message: string;
    if (this.closed) {
      state = 'closed';
      message = 'recording: closed';
    } else if (problems.length > 0) {
      state = 'degraded';
      message = `recording: degraded — ${problems.join('; ')}${droppedTotal > 0 ? `; ${droppedTotal} records dropped` : ''}`;
    } else {
      state = this.runId === null ? 'idle' : 'recording';
      message = this.runId === null ? 'recording: idle' : `recording: ok (run ${this.runId})`;
    }
    return {
      state,
      message,
      runId: this.runId,
      queuedRecords: this.queue.length,
      inFlightRecords: this.inFlightRecords,
      writtenRecords: this.written,
      droppedRecords: { candidates: this.dropped[0]!, bulk: this.dropped[1]!, telemetry: this.dropped[2]!, events: this.dropped[3]! },
      lastError: this.lastError ?? this.writerDown,
    };
  }

  /** Operator-facing events (degraded, recovered, dropped records). Returns an unsubscribe. */
  onEvent(listener: Listener<ConsoleEvent>): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** Called whenever `status().message` changes. Returns an unsubscribe. */
  onStatus(listener: Listener<RecorderStatus>): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Changes the writer's fault drills (tests, benchmarks). */
  injectWriterFaults(faults: WriterFaults): void {
    this.faults = { ...faults };
    this.post({ type: 'faults', faults: this.faults });
  }

  // ── flushing and closing ────────────────────────────────────────────────────────────

  /**
   * Hands everything queued to the writer and resolves when it is committed (true), or
   * after `timeoutMs` if the writer cannot keep up or keeps failing (false).
   */
  flush(timeoutMs = 10_000): Promise<boolean> {
    this.flushNow();
    if (this.isIdle()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timeout = setTimeout(() => {
        this.idleWaiters = this.idleWaiters.filter((w) => w !== done);
        resolve(false);
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timeout);
        resolve(true);
      };
      this.idleWaiters.push(done);
    });
  }

  /**
   * Ends a run still open (as `aborted`), writes what is queued (waiting at most
   * `timeoutMs`), stops the writer and closes the database. Records still unwritten then
   * are reported as dropped.
   */
  async close(timeoutMs = 10_000): Promise<void> {
    if (this.closed) return;
    if (this.runId !== null) this.endRun('aborted');
    const drained = await this.flush(timeoutMs);
    this.closed = true;
    clearInterval(this.timer);
    if (!drained) {
      const lost = this.queue.length + this.inFlightRecords;
      this.emit('error', `Recording closed with ${lost} records unwritten (${this.lastError ?? 'the disk did not keep up'})`);
    }
    const writer = this.writer;
    this.writer = null;
    if (writer) {
      await new Promise<void>((resolve) => {
        const timeout = setTimeout(() => resolve(), 5000);
        writer.on('message', (m: FromWriter) => {
          if (m.type === 'closed') {
            clearTimeout(timeout);
            resolve();
          }
        });
        writer.once('exit', () => resolve());
        writer.postMessage({ type: 'close' } satisfies ToWriter);
      });
      await writer.terminate();
    }
    this.db.close();
    this.updateStatus();
  }

  // ── internals ───────────────────────────────────────────────────────────────────────

  private time(t: number | undefined): number {
    const time = t ?? this.opts.clock();
    if (time > this.lastRecordT) this.lastRecordT = time;
    return time;
  }

  /** Runs a record method body; anything it throws becomes an event, never the caller's problem. */
  private guard(body: () => void): void {
    if (this.closed) return;
    try {
      body();
    } catch (err) {
      this.emit('error', `Recording: a record could not be encoded and was skipped (${err instanceof Error ? err.message : String(err)})`);
    }
  }

  private push(op: WriteOp, tier: Tier, bytes: number): void {
    this.queue.push({ op, tier, bytes });
    this.queuedBytes += bytes;
    if (this.queue.length >= this.opts.batchRecords) this.scheduleFlush();
    if (this.overBound(1)) this.shed();
  }

  private overBound(fraction: number): boolean {
    return this.queuedBytes + this.inFlightBytes > this.opts.maxQueuedBytes * fraction
      || this.queue.length + this.inFlightRecords > this.opts.maxQueuedRecords * fraction;
  }

  /** Drops the oldest records of the lowest tiers until the queue is at 75 % of its bound. */
  private shed(): void {
    const target = 0.75;
    let excessBytes = this.queuedBytes + this.inFlightBytes - this.opts.maxQueuedBytes * target;
    let excessRecords = this.queue.length + this.inFlightRecords - this.opts.maxQueuedRecords * target;
    const droppedNow = [0, 0, 0, 0];
    for (let tier = Tier.Candidates; tier <= Tier.Events && (excessBytes > 0 || excessRecords > 0); tier++) {
      const kept: QueuedRecord[] = [];
      for (const r of this.queue) {
        if (r.tier === tier && (excessBytes > 0 || excessRecords > 0)) {
          excessBytes -= r.bytes;
          excessRecords--;
          this.queuedBytes -= r.bytes;
          droppedNow[tier]!++;
        } else {
          kept.push(r);
        }
      }
      this.queue = kept;
    }
    droppedNow.forEach((n, i) => (this.dropped[i]! += n));
    const wasBacklogged = this.backlog;
    this.backlog = true;
    const what = droppedNow.map((n, i) => (n > 0 ? `${n} ${TIER_NAMES[i]}` : '')).filter(Boolean).join(', ');
    if (!wasBacklogged) {
      this.droppedAtEpisodeStart = this.dropped.reduce((a, b) => a + b, 0) - droppedNow.reduce((a, b) => a + b, 0);
      this.emit('error', `Recording degraded: the disk is not keeping up; dropping the oldest low-value records (${what || 'none yet'})`);
    } else if (droppedNow[Tier.Telemetry]! > 0 || droppedNow[Tier.Events]! > 0) {
      this.emit('error', `Recording degraded: dropped ${what}`);
    }
    this.updateStatus();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flushNow();
    });
  }

  private tick(): void {
    const now = performance.now();
    if (!this.writer && !this.closed && now >= this.writerRestartAtMs) this.startWriter();
    let slow = false;
    for (const b of this.inFlight.values()) if (now - b.postedAtMs > this.opts.slowWriteS * 1000) slow = true;
    if (slow && !this.slow) this.emit('error', `Recording degraded: a write has taken over ${this.opts.slowWriteS} s (disk slow)`);
    this.slow = slow;
    this.flushNow();
    this.updateStatus();
  }

  /** Posts the queue (up to maxBatchRecords) to the writer, if it can take more. */
  private flushNow(): void {
    if (this.closed || !this.writer || this.queue.length === 0) return;
    if (this.inFlight.size >= this.opts.maxInFlightBatches) return;
    const t0 = performance.now();
    if (t0 < this.retryAtMs) return;
    let records: QueuedRecord[];
    if (this.queue.length <= this.opts.maxBatchRecords) {
      records = this.queue;
      this.queue = [];
    } else {
      records = this.queue.slice(0, this.opts.maxBatchRecords);
      this.queue = this.queue.slice(this.opts.maxBatchRecords);
    }
    let bytes = 0;
    const ops: WriteOp[] = new Array<WriteOp>(records.length);
    for (let i = 0; i < records.length; i++) {
      ops[i] = records[i]!.op;
      bytes += records[i]!.bytes;
    }
    // The live run's distance and newest time ride with every batch, so an interrupted
    // run ends at its last committed record with its distance so far.
    if (this.runId !== null) ops.push([INSERT_INDEX.runProgress, this.distanceM, this.lastRecordT, this.runId]);
    this.queuedBytes -= bytes;
    const id = this.nextBatchId++;
    this.inFlight.set(id, { records, bytes, postedAtMs: t0 });
    this.inFlightBytes += bytes;
    this.inFlightRecords += records.length;
    this.post({ type: 'batch', id, ops });
    if (this.opts.collectTimings) this.timings.flushMainMs.push(performance.now() - t0);
  }

  private post(msg: ToWriter): void {
    this.writer?.postMessage(msg);
  }

  private startWriter(): void {
    const init: WriterInit = {
      dbPath: this.path,
      statements: INSERT_NAMES.map((n) => INSERT_SQL[n]),
      faults: this.faults,
    };
    const { url, entry } = threadEntry('writer-thread.js', new URL('./writer-thread.ts', import.meta.url));
    const workerData: WriterWorkerData = entry ? { init, entry } : { init };
    let worker: Worker;
    try {
      worker = new Worker(url, { workerData });
    } catch (err) {
      this.writerFailed(err instanceof Error ? err.message : String(err));
      return;
    }
    worker.unref();
    this.writer = worker;
    worker.on('message', (m: FromWriter) => this.onWriterMessage(worker, m));
    worker.on('error', (err) => {
      if (this.writer === worker) this.writerFailed(err.message);
    });
    worker.on('exit', (code) => {
      if (this.writer === worker && !this.closed) this.writerFailed(`exited with code ${code}`);
    });
  }

  private onWriterMessage(worker: Worker, m: FromWriter): void {
    if (this.writer !== worker) return;
    switch (m.type) {
      case 'ready':
        if (this.writerDown) {
          this.writerDown = null;
          this.emit('info', 'Recording resumed: the writer is back');
          this.updateStatus();
        }
        return;
      case 'done': {
        const batch = this.inFlight.get(m.id);
        if (!batch) return;
        this.settle(m.id, batch);
        this.written += batch.records.length;
        if (this.opts.collectTimings) this.timings.writeMs.push(m.writeMs);
        if (this.lastError) {
          this.emit('info', `Recording recovered after: ${this.lastError}`);
          this.lastError = null;
        }
        if (this.backlog && !this.overBound(0.5)) {
          this.backlog = false;
          const lost = this.dropped.reduce((a, b) => a + b, 0) - this.droppedAtEpisodeStart;
          this.emit('info', `Recording caught up; ${lost} records were dropped meanwhile`);
        }
        if (this.inFlight.size === 0) this.slow = false;
        // Catch up at once when a backlog is waiting, rather than at the next tick.
        if (this.queue.length >= this.opts.batchRecords) this.flushNow();
        this.updateStatus();
        this.checkIdle();
        return;
      }
      case 'failed': {
        const batch = this.inFlight.get(m.id);
        if (!batch) return;
        this.settle(m.id, batch);
        this.requeue(batch);
        const reason = describeWriteError(m.message, m.code);
        if (this.lastError !== reason) this.emit('error', `Recording degraded: ${reason}; retrying, low-value records are dropped first if it persists`);
        this.lastError = reason;
        this.retryAtMs = performance.now() + this.opts.retryDelayMs;
        if (this.overBound(1)) this.shed();
        this.updateStatus();
        return;
      }
      case 'fatal':
        this.writerFailed(describeWriteError(m.message, m.code));
        void worker.terminate();
        return;
      case 'closed':
        return;
    }
  }

  private settle(id: number, batch: InFlightBatch): void {
    this.inFlight.delete(id);
    this.inFlightBytes -= batch.bytes;
    this.inFlightRecords -= batch.records.length;
  }

  /** Puts a failed batch back at the head of the queue, oldest first, to be retried. */
  private requeue(batch: InFlightBatch): void {
    this.queue = batch.records.concat(this.queue);
    this.queuedBytes += batch.bytes;
  }

  private writerFailed(message: string): void {
    this.writer = null;
    for (const [id, batch] of [...this.inFlight]) {
      this.settle(id, batch);
      this.requeue(batch);
    }
    if (this.writerDown !== message) this.emit('error', `Recording degraded: the writer stopped (${message}); restarting it`);
    this.writerDown = message;
    this.writerRestartAtMs = performance.now() + 2000;
    this.updateStatus();
  }

  private isIdle(): boolean {
    return this.queue.length === 0 && this.inFlight.size === 0;
  }

  private checkIdle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private emit(level: ConsoleEvent['level'], message: string): void {
    const event: ConsoleEvent = { t: Date.now() / 1000, level, message };
    for (const l of this.eventListeners) {
      try {
        l(event);
      } catch {
        // A listener's failure must not stop the recorder.
      }
    }
  }

  private updateStatus(): void {
    const status = this.status();
    if (status.message === this.lastStatusMessage) return;
    this.lastStatusMessage = status.message;
    for (const l of this.statusListeners) {
      try {
        l(status);
      } catch {
        // A listener's failure must not stop the recorder.
      }
    }
  }
}

function sameNumbers(a: readonly number[], b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
