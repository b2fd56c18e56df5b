/**
 * Reading a run for incident detection: the recorded streams it needs (from an array of
 * records or streamed from a RunStore), each scan reduced to its nearest return, and the
 * run as the checks see it (robot pose, speed and goal over time).
 *
 * Frames: odometry is in `odom`, lifted to `map` with the newest map-to-odom; planner and
 * people data are in `map`; safety points in `base_link`; scan ranges in the lidar frame.
 */
import type { Pose2D, RectFootprint } from '../../shared/geometry';
import type { HelloMsg } from '../../shared/protocol';
import type {
  RecordKind, RecordedCandidateSample, RecordedGuidancePath, RecordedLinkEvent, RecordedMapToOdom, RecordedOdometry,
  RecordedGeneric, RecordedOperatorAction, RecordedPlannerCycle, RecordedPredictions, RecordedRecord, RecordedSafetyAction, RecordedScan,
} from '../../shared/recording';
import type { RunStore } from '../recorder/run-store';
import { compose, footprintClearance, newestAtOrBefore } from './geometry';
import type { IncidentOptions } from './options';

/** Used when the run has no hello: the simulator's robot. */
const DEFAULT_FOOTPRINT: RectFootprint = { length: 0.5, width: 0.4, centerOffsetX: 0 };

/** The nearest scan return to the footprint in one scan. */
export interface ScanSummary {
  t: number;
  /** Signed footprint clearance, m (negative: inside). */
  clearanceM: number;
  /** The point, base_link. */
  x: number;
  y: number;
}

/** Everything detection reads; built from a record array or from a RunStore. */
export interface RunData {
  runId: number | null;
  hello: HelloMsg | null;
  /** Time of the newest record, s (end of open incidents). */
  endT: number;
  odometry: readonly RecordedOdometry[];
  mapToOdom: readonly RecordedMapToOdom[];
  cycles: readonly RecordedPlannerCycle[];
  guidance: readonly RecordedGuidancePath[];
  predictions: readonly RecordedPredictions[];
  safety: readonly RecordedSafetyAction[];
  operator: readonly RecordedOperatorAction[];
  link: readonly RecordedLinkEvent[];
  /** Faults the console detected (generic 'fault' records): clock and pose jumps, localization lost and recovered. */
  faults: readonly RecordedFault[];
  /** Nearest return per scan, time-ordered (only needed for near misses). */
  scanSummaries: readonly ScanSummary[];
  /** Scans with from ≤ t ≤ to, time-ordered. */
  scansBetween(from: number, to: number): RecordedScan[];
  /** The candidate sample of the planner cycle at `t`, when kept. */
  candidatesAt(t: number): RecordedCandidateSample | null;
}

/** A fault as the console recorded it (RunRecording.fault). */
export interface RecordedFault {
  t: number;
  kind: string;
  message: string;
  detail: Record<string, number | string>;
}

function faultsOf(generic: readonly RecordedGeneric[]): RecordedFault[] {
  const out: RecordedFault[] = [];
  for (const g of generic) {
    if (g.type !== 'fault' || typeof g.data !== 'object' || g.data === null) continue;
    const d = g.data as { kind?: unknown; message?: unknown; detail?: unknown };
    if (typeof d.kind !== 'string') continue;
    out.push({ t: g.t, kind: d.kind, message: typeof d.message === 'string' ? d.message : '', detail: typeof d.detail === 'object' && d.detail !== null ? (d.detail as RecordedFault['detail']) : {} });
  }
  return out.sort((a, b) => a.t - b.t);
}

export function footprintOf(hello: HelloMsg | null): RectFootprint {
  return hello
    ? { length: hello.footprintLength, width: hello.footprintWidth, centerOffsetX: hello.footprintCenterOffsetX }
    : DEFAULT_FOOTPRINT;
}

/** Scan returns in base_link, flat [x0, y0, …]; no-return and out-of-range beams skipped. */
export function scanPointsBase(scan: RecordedScan, hello: HelloMsg | null): number[] {
  const mount: Pose2D = hello ? { x: hello.lidarMountX, y: hello.lidarMountY, theta: hello.lidarMountYaw } : { x: 0, y: 0, theta: 0 };
  const c = Math.cos(mount.theta);
  const s = Math.sin(mount.theta);
  const out: number[] = [];
  const r = scan.ranges;
  for (let i = 0; i < r.length; i++) {
    const range = r[i]!;
    if (!Number.isFinite(range) || range < scan.rangeMin || range >= scan.rangeMax) continue;
    const a = scan.angleMin + i * scan.angleIncrement;
    const lx = range * Math.cos(a);
    const ly = range * Math.sin(a);
    out.push(mount.x + c * lx - s * ly, mount.y + s * lx + c * ly);
  }
  return out;
}

export function summarizeScan(scan: RecordedScan, hello: HelloMsg | null): ScanSummary {
  const fp = footprintOf(hello);
  const pts = scanPointsBase(scan, hello);
  let best: ScanSummary = { t: scan.t, clearanceM: Infinity, x: NaN, y: NaN };
  for (let i = 0; i < pts.length; i += 2) {
    const d = footprintClearance(fp, pts[i]!, pts[i + 1]!);
    if (d < best.clearanceM) best = { t: scan.t, clearanceM: d, x: pts[i]!, y: pts[i + 1]! };
  }
  return best;
}

/** Run data from an array of records (any order of kinds; each kind time-ordered). */
export function runDataFromRecords(records: readonly RecordedRecord[], runId: number | null = null): RunData {
  const by = <K extends RecordKind>(kind: K) =>
    records.filter((r): r is Extract<RecordedRecord, { kind: K }> => r.kind === kind).sort((a, b) => a.t - b.t);
  const scans = by('laser-scan');
  const candidates = by('candidates');
  const helloRec = by('robot-message').find((r) => r.msg.type === 'hello');
  const hello = helloRec && helloRec.msg.type === 'hello' ? helloRec.msg : null;
  let endT = -Infinity;
  for (const r of records) endT = Math.max(endT, r.t);
  return {
    runId, hello, endT: Number.isFinite(endT) ? endT : 0,
    odometry: by('odometry'), mapToOdom: by('map-to-odom'), cycles: by('planner-cycle'), guidance: by('guidance-path'),
    predictions: by('predictions'), safety: by('safety'), operator: by('operator'), link: by('link'),
    faults: faultsOf(by('generic')),
    scanSummaries: scans.map((s) => summarizeScan(s, hello)),
    scansBetween: (from, to) => scans.filter((s) => s.t >= from && s.t <= to),
    candidatesAt: (t) => candidates.find((c) => c.t === t) ?? null,
  };
}


/** Reads what detection needs from the store; scans are summarized as they stream past. */
export function runDataFromStore(store: RunStore, runId: number, opts: { scanSummaries: boolean } = { scanSummaries: true }): RunData {
  const run = store.getRun(runId);
  const all = <K extends RecordKind>(kind: K): Extract<RecordedRecord, { kind: K }>[] =>
    [...store.iterateKind(runId, kind)] as Extract<RecordedRecord, { kind: K }>[];
  const hello = store.stateAt(runId, run.startedAt).robot;
  const summaries: ScanSummary[] = [];
  let endT = run.endedAt ?? run.startedAt + run.durationS;
  if (opts.scanSummaries) {
    for (const s of store.iterateKind(runId, 'laser-scan')) summaries.push(summarizeScan(s as RecordedScan, hello));
  }
  const data: RunData = {
    runId, hello, endT,
    odometry: all('odometry'), mapToOdom: all('map-to-odom'), cycles: all('planner-cycle'),
    guidance: all('guidance-path'), predictions: all('predictions'), safety: all('safety'), operator: all('operator'), link: all('link'),
    faults: faultsOf(all('generic')),
    scanSummaries: summaries,
    scansBetween: (from, to) => [...store.iterateKind(runId, 'laser-scan', { from, to })] as RecordedScan[],
    candidatesAt: (t) => (store.records(runId, { from: t, to: t, kinds: ['candidates'] })[0] as RecordedCandidateSample | undefined) ?? null,
  };
  for (const list of [data.odometry, data.safety, data.operator, data.link, data.cycles]) {
    const last = list[list.length - 1];
    if (last && last.t > endT) endT = last.t;
  }
  data.endT = endT;
  return data;
}

/** A velocity that is not (near) zero. */
export const nonZero = (tw: { v: number; w: number } | null, eps = 1e-3): boolean => tw !== null && (Math.abs(tw.v) > eps || Math.abs(tw.w) > eps);

/** A safety tick that zeroed a non-zero command. */
export function isStopTick(s: RecordedSafetyAction): boolean {
  return s.action === 'stop' && nonZero(s.requested) && !nonZero(s.commanded);
}

// ── the run as seen by the checks ─────────────────────────────────────────────────────

/** Robot pose, speed and goal over time, from the recorded streams. */
export class RunView {
  readonly fp: RectFootprint;
  readonly decel: number;
  private readonly goalEvents: { t: number; goal: Pose2D | null }[];
  private readonly estops: { t: number; latched: boolean }[];

  constructor(readonly d: RunData, readonly o: IncidentOptions) {
    this.fp = footprintOf(d.hello);
    this.decel = d.hello && d.hello.maxLinearAccel > 0 ? d.hello.maxLinearAccel : o.defaultDecelMps2;
    // The goal in force: the newest of the operator's set/cancel and the planner's own goal.
    const ev: { t: number; goal: Pose2D | null }[] = [];
    for (const a of d.operator) {
      if (a.action === 'set-goal' && a.goal) ev.push({ t: a.t, goal: a.goal });
      else if (a.action === 'cancel-goal') ev.push({ t: a.t, goal: null });
    }
    for (const c of d.cycles) ev.push({ t: c.t, goal: c.goal });
    ev.sort((a, b) => a.t - b.t);
    this.goalEvents = ev;
    this.estops = d.operator
      .filter((a) => a.action === 'emergency-stop' || a.action === 'release-emergency-stop')
      .map((a) => ({ t: a.t, latched: a.action === 'emergency-stop' }));
  }

  /** Robot pose in the map frame at `t` (newest odometry at or before it), or null. */
  poseAt(t: number): Pose2D | null {
    const i = newestAtOrBefore(this.d.odometry, t);
    const odo = i >= 0 ? this.d.odometry[i]! : null;
    if (!odo) {
      // No odometry yet: the planner's start state is in the map frame already.
      const c = newestAtOrBefore(this.d.cycles, t);
      return c >= 0 ? this.d.cycles[c]!.start : null;
    }
    const m = newestAtOrBefore(this.d.mapToOdom, t);
    const m2o: Pose2D = m >= 0 ? this.d.mapToOdom[m]! : { x: 0, y: 0, theta: 0 };
    return compose(m2o, { x: odo.x, y: odo.y, theta: odo.theta });
  }

  speedAt(t: number): number {
    const i = newestAtOrBefore(this.d.odometry, t);
    return i >= 0 ? Math.abs(this.d.odometry[i]!.v) : 0;
  }

  goalAt(t: number): Pose2D | null {
    const i = newestAtOrBefore(this.goalEvents, t);
    return i >= 0 ? this.goalEvents[i]!.goal : null;
  }

  estopLatchedAt(t: number): boolean {
    const i = newestAtOrBefore(this.estops, t);
    return i >= 0 && this.estops[i]!.latched;
  }

  /** Time the robot needs to stop from speed v: reaction plus braking, s. */
  stoppingTimeS(v: number): number {
    return this.o.reactionS + v / this.decel;
  }

  /** Tracked people at `t` (newest predictions at or before it, if at most 0.5 s old). */
  peopleAt(t: number): RecordedPredictions | null {
    const i = newestAtOrBefore(this.d.predictions, t);
    if (i < 0) return null;
    const p = this.d.predictions[i]!;
    return t - p.t <= 0.5 ? p : null;
  }

  /** Was the operator driving (teleop) within `windowS` before `t`? */
  teleopBefore(t: number, windowS = 0.5): boolean {
    return this.d.operator.some((a) => a.action === 'teleop' && a.t <= t && a.t >= t - windowS
      && a.teleop !== undefined && Math.abs(a.teleop.linear) + Math.abs(a.teleop.angular) > this.o.teleopMinInput);
  }
}
