/**
 * Incidents of a recorded run, detected and explained.
 *
 * Detection finds operator interventions (teleop during autonomy, emergency stops,
 * cancelled goals), safety stops (the reactive layer zeroed a non-zero command; consecutive
 * ticks are one incident), near misses (footprint clearance to a scan point or a tracked
 * person below a threshold while moving), no progress (a goal active and the distance to it
 * not shrinking for `noProgressS`) and link losses.
 *
 * Attribution walks the pipeline in the order information flows — link, perception,
 * prediction, global planning, local planning, reactive control — and names the earliest
 * stage whose check fails, keeping every check in a trace so the answer can be audited.
 * The checks use only what the recorder keeps: scans (with the lidar mount and footprint
 * from the robot's hello), odometry and localization, planner cycles (chosen trajectory,
 * candidate sample, guidance path), tracked people with their predicted futures, safety
 * decisions, operator actions and link events.
 *
 * `detectIncidents` takes records directly (unit tests); `explainRun` reads a run from a
 * RunStore, streaming scans rather than loading them all.
 *
 * Units: seconds on the host clock, metres, radians, m/s. Frames: odometry is in `odom`,
 * lifted to `map` with the newest map-to-odom; planner and people data are in `map`; safety
 * points in `base_link`; scan ranges in the lidar frame.
 */
import type { Pose2D, RectFootprint, Vec2 } from '../../shared/geometry';
import type {
  Incident, IncidentEvidence, IncidentKind, IncidentSeverity, IncidentSubject, InterventionType, PipelineStage, StageCheck,
} from '../../shared/incidents';
import type { HelloMsg } from '../../shared/protocol';
import type {
  RecordKind, RecordedCandidateSample, RecordedGuidancePath, RecordedLinkEvent, RecordedMapToOdom, RecordedOdometry,
  RecordedOperatorAction, RecordedPlannerCycle, RecordedPredictions, RecordedRecord, RecordedSafetyAction, RecordedScan,
} from '../../shared/recording';
import type { RunStore } from './run-store';

/** Pipeline stages in the order information flows through them. */
export const PIPELINE_STAGES: readonly PipelineStage[] = [
  'link', 'perception', 'prediction', 'global-planning', 'local-planning', 'reactive-control',
];

/** Plain-words names of the stages. */
export const STAGE_LABELS: Record<PipelineStage, string> = {
  'link': 'link',
  'perception': 'perception',
  'prediction': 'prediction',
  'global-planning': 'global planning',
  'local-planning': 'local planning',
  'reactive-control': 'reactive control',
};

export const INCIDENT_KINDS: readonly IncidentKind[] = ['intervention', 'safety-stop', 'near-miss', 'no-progress', 'link-loss'];

export interface IncidentOptions {
  /** Only these kinds (interventions are then attributed without the others). Default all. */
  kinds: readonly IncidentKind[];
  /** Run the stage checks (off: detection only, e.g. for the heatmap). Default true. */
  attribute: boolean;
  /** Safety stop ticks closer than this in time are one incident, s (the loop runs at ≥ 50 Hz; a brief flicker is the same event). */
  safetyMergeGapS: number;
  /** Teleop inputs closer than this are one intervention, s (the renderer repeats input while a key is held). */
  teleopMergeGapS: number;
  /** Teleop input magnitude (normalized) that counts as driving. */
  teleopMinInput: number;
  /** Speed above which the robot counts as moving, m/s. */
  movingSpeedMps: number;
  /** Near miss: footprint to scan point clearance below this while moving, m. */
  nearMissObstacleM: number;
  /** Near miss: footprint to a person's body below this while moving, m (people deserve more room than walls). */
  nearMissPersonM: number;
  /** Body radius of a tracked person around the track centre, m. */
  personRadiusM: number;
  /** Near-miss samples closer than this in time are one incident, s. */
  nearMissMergeGapS: number;
  /** No progress: distance to the goal not shrinking by `progressEpsilonM` for this long, s. */
  noProgressS: number;
  progressEpsilonM: number;
  /** A link loss this long before a stop (or during it) explains it, s. */
  linkWindowS: number;
  /** An obstacle or person first seen within this long before the stop: late detection, s. */
  lateDetectionS: number;
  /** Sensing-to-braking delay assumed when asking whether the robot could still have stopped, s. */
  reactionS: number;
  /** Braking deceleration when the robot's hello does not say, m/s². */
  defaultDecelMps2: number;
  /** A scan return this close to the stop's point "sees" it, m. */
  seenRadiusM: number;
  /** How far back stage checks look, s. */
  lookbackS: number;
  /** Stale scan: newest scan older than this at the stop, s (the reactive layer's own limit). */
  staleScanS: number;
  /** Prediction check: compare the tracked path with what was predicted this long before, s. */
  predictionLeadS: number;
  /** Step of the recorded futures: point k is `(k + 1)·step` after the record, s (the predictors' default). */
  predictionStepS: number;
  /** Uncertainty of a predicted position `tau` s ahead: sigma0 + growth·tau, m (the predictors' model). */
  predictionSigma0M: number;
  predictionSigmaGrowthMps: number;
  /** Inside the predicted futures: within this many sigmas of one of them. */
  predictionGate: number;
  /** A trigger point this close to a tracked person belongs to that person, m. */
  personMatchM: number;
  /** A chosen trajectory passing this close (footprint to point) "goes through" it, m. */
  contactMarginM: number;
  /** A guidance path still through an obstacle seen this long ago should have been replanned, s (replans are due every 2 s). */
  globalStaleS: number;
  /** An intervention within this long after another incident is explained by it, s. */
  precursorWindowS: number;
}

export const DEFAULT_INCIDENT_OPTIONS: IncidentOptions = {
  kinds: INCIDENT_KINDS,
  attribute: true,
  safetyMergeGapS: 0.3,
  teleopMergeGapS: 1.0,
  teleopMinInput: 0.01,
  movingSpeedMps: 0.05,
  nearMissObstacleM: 0.05,
  nearMissPersonM: 0.25,
  personRadiusM: 0.2,
  nearMissMergeGapS: 0.5,
  noProgressS: 5,
  progressEpsilonM: 0.15,
  linkWindowS: 1.0,
  lateDetectionS: 0.2,
  reactionS: 0.15,
  defaultDecelMps2: 1.0,
  seenRadiusM: 0.15,
  lookbackS: 5,
  staleScanS: 0.2,
  predictionLeadS: 1.0,
  predictionStepS: 0.4,
  predictionSigma0M: 0.15,
  predictionSigmaGrowthMps: 0.25,
  predictionGate: 2,
  personMatchM: 0.5,
  contactMarginM: 0.03,
  globalStaleS: 3,
  precursorWindowS: 5,
};

/** Used when the run has no hello: the simulator's robot. */
const DEFAULT_FOOTPRINT: RectFootprint = { length: 0.5, width: 0.4, centerOffsetX: 0 };

/** The nearest scan return to the footprint in one scan. */
interface ScanSummary {
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
  /** Nearest return per scan, time-ordered (only needed for near misses). */
  scanSummaries: readonly ScanSummary[];
  /** Scans with from ≤ t ≤ to, time-ordered. */
  scansBetween(from: number, to: number): RecordedScan[];
  /** The candidate sample of the planner cycle at `t`, when kept. */
  candidatesAt(t: number): RecordedCandidateSample | null;
}

// ── small geometry ────────────────────────────────────────────────────────────────────

/** Index of the newest element with t ≤ at, or −1. */
function newestAtOrBefore<T extends { t: number }>(list: readonly T[], at: number): number {
  let lo = 0;
  let hi = list.length - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.t <= at) {
      best = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return best;
}

function compose(a: Pose2D, b: Pose2D): Pose2D {
  const c = Math.cos(a.theta);
  const s = Math.sin(a.theta);
  return { x: a.x + c * b.x - s * b.y, y: a.y + s * b.x + c * b.y, theta: Math.atan2(Math.sin(a.theta + b.theta), Math.cos(a.theta + b.theta)) };
}

function toFrame(pose: Pose2D, p: Vec2): Vec2 {
  const c = Math.cos(pose.theta);
  const s = Math.sin(pose.theta);
  return { x: pose.x + c * p.x - s * p.y, y: pose.y + s * p.x + c * p.y };
}

function fromFrame(pose: Pose2D, p: Vec2): Vec2 {
  const c = Math.cos(pose.theta);
  const s = Math.sin(pose.theta);
  const dx = p.x - pose.x;
  const dy = p.y - pose.y;
  return { x: c * dx + s * dy, y: -s * dx + c * dy };
}

/** Signed distance from a base_link point to the footprint rectangle, m (negative inside). */
export function footprintClearance(fp: RectFootprint, x: number, y: number): number {
  const dx = Math.abs(x - fp.centerOffsetX) - fp.length / 2;
  const dy = Math.abs(y) - fp.width / 2;
  if (dx <= 0 && dy <= 0) return Math.max(dx, dy);
  return Math.hypot(Math.max(dx, 0), Math.max(dy, 0));
}

/** Smallest footprint clearance of map point `p` along a map-frame polyline (heading from its segments). */
function polylineClearance(fp: RectFootprint, points: readonly number[], p: Vec2, startTheta: number | null): number {
  const n = points.length >> 1;
  let best = Infinity;
  let theta = startTheta ?? 0;
  for (let i = 0; i < n; i++) {
    const x = points[2 * i]!;
    const y = points[2 * i + 1]!;
    if (i + 1 < n) {
      const dx = points[2 * i + 2]! - x;
      const dy = points[2 * i + 3]! - y;
      // Keep the last heading through a stationary stretch (a stop at the end of a trajectory).
      if (Math.hypot(dx, dy) > 1e-4) theta = Math.atan2(dy, dx);
      else if (i === 0 && startTheta === null) theta = 0;
    }
    const local = fromFrame({ x, y, theta }, p);
    best = Math.min(best, footprintClearance(fp, local.x, local.y));
  }
  return best;
}

function polylineLength(points: readonly number[]): number {
  let len = 0;
  for (let i = 2; i + 1 < points.length; i += 2) len += Math.hypot(points[i]! - points[i - 2]!, points[i + 1]! - points[i - 1]!);
  return len;
}

function distanceToPolyline(points: readonly number[], p: Vec2): number {
  const n = points.length >> 1;
  if (n === 0) return Infinity;
  if (n === 1) return Math.hypot(points[0]! - p.x, points[1]! - p.y);
  let best = Infinity;
  for (let i = 0; i + 1 < n; i++) {
    const ax = points[2 * i]!;
    const ay = points[2 * i + 1]!;
    const bx = points[2 * i + 2]!;
    const by = points[2 * i + 3]!;
    const vx = bx - ax;
    const vy = by - ay;
    const len2 = vx * vx + vy * vy;
    const u = len2 > 0 ? Math.max(0, Math.min(1, ((p.x - ax) * vx + (p.y - ay) * vy) / len2)) : 0;
    best = Math.min(best, Math.hypot(ax + u * vx - p.x, ay + u * vy - p.y));
  }
  return best;
}

const r2 = (v: number): number => Math.round(v * 100) / 100;
const f2 = (v: number): string => v.toFixed(2);
const f1 = (v: number): string => v.toFixed(1);

function footprintOf(hello: HelloMsg | null): RectFootprint {
  return hello
    ? { length: hello.footprintLength, width: hello.footprintWidth, centerOffsetX: hello.footprintCenterOffsetX }
    : DEFAULT_FOOTPRINT;
}

/** Scan returns in base_link, flat [x0, y0, …]; no-return and out-of-range beams skipped. */
function scanPointsBase(scan: RecordedScan, hello: HelloMsg | null): number[] {
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

// ── the run as seen by the checks ─────────────────────────────────────────────────────

/** Robot pose, speed and goal over time, from the recorded streams. */
class RunView {
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

// ── detection ─────────────────────────────────────────────────────────────────────────

/** An incident before attribution and numbering. */
interface Draft {
  kind: IncidentKind;
  intervention?: InterventionType;
  start: number;
  end: number;
  severity: IncidentSeverity;
  summary: string;
  subject: IncidentSubject | null;
  /** Base_link trigger points at the start (safety stops, near misses). */
  points: Vec2[];
  /** Clearance figure for near misses, m. */
  clearanceM?: number;
  first?: RecordedSafetyAction;
  link?: RecordedLinkEvent;
  distanceGainM?: number;
}

const nonZero = (tw: { v: number; w: number } | null, eps = 1e-3): boolean => tw !== null && (Math.abs(tw.v) > eps || Math.abs(tw.w) > eps);

function isStopTick(s: RecordedSafetyAction): boolean {
  return s.action === 'stop' && nonZero(s.requested) && !nonZero(s.commanded);
}

function pointsOf(flat: readonly number[]): Vec2[] {
  const out: Vec2[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push({ x: flat[i]!, y: flat[i + 1]! });
  return out;
}

function detectSafetyStops(v: RunView): Draft[] {
  const out: Draft[] = [];
  let cur: Draft | null = null;
  for (const s of v.d.safety) {
    if (!isStopTick(s)) continue;
    if (cur && s.t - cur.end <= v.o.safetyMergeGapS) {
      cur.end = s.t;
      continue;
    }
    const stale = /stale/i.test(s.reason);
    const pts = pointsOf(s.points);
    let nearest: Vec2 | null = null;
    for (const p of pts) if (!nearest || footprintClearance(v.fp, p.x, p.y) < footprintClearance(v.fp, nearest.x, nearest.y)) nearest = p;
    const speed = v.speedAt(s.t);
    const ahead = nearest ? `${f2(Math.max(0, footprintClearance(v.fp, nearest.x, nearest.y)))} m away` : '';
    cur = {
      kind: 'safety-stop', start: s.t, end: s.t, severity: 'medium', points: pts, first: s, subject: stale ? { kind: 'stale-sensor' } : null,
      summary: stale
        ? `Safety stop: sensor data stale (${s.reason}) at ${f2(speed)} m/s`
        : `Safety stop${ahead ? `: contact ${ahead}` : ''} at ${f2(speed)} m/s (${s.reason}${s.ttc !== null ? `, ttc ${f2(s.ttc)} s` : ''})`,
    };
    out.push(cur);
  }
  return out;
}

function detectInterventions(v: RunView): Draft[] {
  const out: Draft[] = [];
  const ops = v.d.operator;
  let teleop: Draft | null = null;
  let lastTeleopT = -Infinity;
  for (let i = 0; i < ops.length; i++) {
    const a = ops[i]!;
    if (a.action === 'teleop') {
      const driving = a.teleop !== undefined && Math.abs(a.teleop.linear) + Math.abs(a.teleop.angular) > v.o.teleopMinInput;
      if (teleop && a.t - lastTeleopT <= v.o.teleopMergeGapS) {
        // Zero inputs (key released) close the episode's end but do not start one.
        teleop.end = a.t;
        if (driving) lastTeleopT = a.t;
        continue;
      }
      teleop = null;
      // The goal just before the input: the console may drop the goal the moment teleop starts.
      if (driving && v.goalAt(a.t - 1e-6) !== null) {
        teleop = {
          kind: 'intervention', intervention: 'teleop', start: a.t, end: a.t, severity: 'medium', points: [], subject: null,
          summary: 'Operator took over with teleop during autonomy',
        };
        out.push(teleop);
        lastTeleopT = a.t;
      }
      continue;
    }
    if (a.action === 'emergency-stop') {
      const release = ops.slice(i + 1).find((b) => b.action === 'release-emergency-stop');
      out.push({
        kind: 'intervention', intervention: 'emergency-stop', start: a.t, end: release?.t ?? a.t, severity: 'high', points: [], subject: null,
        summary: `Operator pressed the emergency stop${release ? ` (released after ${f1(release.t - a.t)} s)` : ''}`,
      });
    } else if (a.action === 'cancel-goal' && v.goalAt(a.t - 1e-6) !== null) {
      out.push({
        kind: 'intervention', intervention: 'cancel-goal', start: a.t, end: a.t, severity: 'low', points: [], subject: null,
        summary: 'Operator cancelled the goal',
      });
    }
  }
  return out;
}

function detectLinkLosses(v: RunView): Draft[] {
  const out: Draft[] = [];
  const ev = v.d.link;
  for (let i = 0; i < ev.length; i++) {
    const e = ev[i]!;
    if (e.event !== 'lost') continue;
    const back = ev.slice(i + 1).find((b) => b.event === 'reconnected' || b.event === 'connected' || b.event === 'disconnected');
    const end = back?.t ?? v.d.endT;
    const speed = v.speedAt(e.t);
    const duration = end - e.t;
    out.push({
      kind: 'link-loss', start: e.t, end, link: e, points: [], subject: null,
      severity: !back || speed > 0.1 || duration > 2 ? 'high' : 'medium',
      summary: `Link lost${back ? ` for ${f1(duration)} s` : ' (not back before the run ended)'}${speed > v.o.movingSpeedMps ? ` while moving at ${f2(speed)} m/s` : ''}`,
    });
  }
  return out;
}

function detectNearMisses(v: RunView): Draft[] {
  const o = v.o;
  const samples: { t: number; clearanceM: number; subject: IncidentSubject; point: Vec2; key: string }[] = [];
  // Obstacles: the nearest scan return per scan, unless it belongs to a tracked person
  // (people are judged on their body, below).
  for (const s of v.d.scanSummaries) {
    if (!(s.clearanceM < o.nearMissObstacleM) || v.speedAt(s.t) <= o.movingSpeedMps) continue;
    const pose = v.poseAt(s.t);
    if (!pose) continue;
    const p = toFrame(pose, { x: s.x, y: s.y });
    const people = v.peopleAt(s.t);
    if (people?.people.some((q) => Math.hypot(q.x - p.x, q.y - p.y) <= o.personMatchM)) continue;
    samples.push({ t: s.t, clearanceM: s.clearanceM, subject: { kind: 'obstacle', x: p.x, y: p.y }, point: { x: s.x, y: s.y }, key: 'obstacle' });
  }
  for (const rec of v.d.predictions) {
    if (v.speedAt(rec.t) <= o.movingSpeedMps) continue;
    const pose = v.poseAt(rec.t);
    if (!pose) continue;
    for (const q of rec.people) {
      const local = fromFrame(pose, q);
      const c = footprintClearance(v.fp, local.x, local.y) - o.personRadiusM;
      if (c < o.nearMissPersonM) samples.push({ t: rec.t, clearanceM: c, subject: { kind: 'person', personId: q.id, x: q.x, y: q.y }, point: local, key: `person:${q.id}` });
    }
  }
  samples.sort((a, b) => a.t - b.t);
  const open = new Map<string, Draft>();
  const out: Draft[] = [];
  for (const s of samples) {
    const cur = open.get(s.key);
    if (cur && s.t - cur.end <= o.nearMissMergeGapS) {
      cur.end = s.t;
      if (s.clearanceM < cur.clearanceM!) {
        cur.clearanceM = s.clearanceM;
        cur.subject = s.subject;
        cur.points = [s.point];
      }
      continue;
    }
    const d: Draft = { kind: 'near-miss', start: s.t, end: s.t, severity: 'medium', points: [s.point], subject: s.subject, clearanceM: s.clearanceM, summary: '' };
    open.set(s.key, d);
    out.push(d);
  }
  for (const d of out) {
    const person = d.subject?.kind === 'person';
    const threshold = person ? o.nearMissPersonM : o.nearMissObstacleM;
    d.severity = d.clearanceM! < threshold / 2 ? 'high' : 'medium';
    const who = d.subject?.kind === 'person' ? `person ${d.subject.personId}` : 'an obstacle';
    d.summary = `Near miss: ${who} ${f2(Math.max(0, d.clearanceM!))} m from the footprint while moving (threshold ${f2(threshold)} m)`;
  }
  return out;
}

function detectNoProgress(v: RunView): Draft[] {
  const o = v.o;
  // Distance to the goal over time: from the planner's start state when it ran, else odometry.
  const samples: { t: number; d: number; goal: Pose2D }[] = [];
  if (v.d.cycles.some((c) => c.goal && c.start)) {
    for (const c of v.d.cycles) if (c.goal && c.start) samples.push({ t: c.t, d: Math.hypot(c.start.x - c.goal.x, c.start.y - c.goal.y), goal: c.goal });
  } else {
    for (const odo of v.d.odometry) {
      const goal = v.goalAt(odo.t);
      const pose = goal ? v.poseAt(odo.t) : null;
      if (goal && pose) samples.push({ t: odo.t, d: Math.hypot(pose.x - goal.x, pose.y - goal.y), goal });
    }
  }
  const out: Draft[] = [];
  let goal: Pose2D | null = null;
  let best = Infinity;
  let bestT = 0;
  let open: Draft | null = null;
  let lastT = -Infinity;
  const close = (t: number): void => {
    if (open) open.end = t;
    open = null;
  };
  for (const s of samples) {
    const sameGoal = goal !== null && Math.hypot(goal.x - s.goal.x, goal.y - s.goal.y) < 1e-6 && s.t - lastT < 2;
    if (!sameGoal || v.estopLatchedAt(s.t)) {
      // A new goal, a gap in the goal, or a latched e-stop (the operator's doing): start over.
      close(lastT);
      goal = s.goal;
      best = s.d;
      bestT = s.t;
    } else if (s.d < best - o.progressEpsilonM) {
      close(s.t);
      best = s.d;
      bestT = s.t;
    } else if (!open && s.t - bestT >= o.noProgressS) {
      open = { kind: 'no-progress', start: bestT, end: s.t, severity: 'low', points: [], subject: null, summary: '' };
      out.push(open);
    } else if (open) {
      open.end = s.t;
    }
    lastT = s.t;
  }
  close(lastT);
  for (const d of out) {
    const dur = d.end - d.start;
    const i0 = newestAtOrBefore(samples, d.start);
    const i1 = newestAtOrBefore(samples, d.end);
    const d0 = i0 >= 0 ? samples[i0]!.d : NaN;
    const d1 = i1 >= 0 ? samples[i1]!.d : NaN;
    d.distanceGainM = d0 - d1;
    d.severity = dur >= 3 * o.noProgressS ? 'medium' : 'low';
    d.summary = `No progress for ${f1(dur)} s with the goal ${f2(d1)} m away`;
  }
  return out;
}

// ── attribution ───────────────────────────────────────────────────────────────────────

interface Subjected {
  subject: IncidentSubject | null;
  /** The point the check is about, map frame (obstacle contact point, person position). */
  target: Vec2 | null;
}

/** Which person or obstacle a stop or near miss is about. */
function identifySubject(v: RunView, d: Draft, pose: Pose2D | null): Subjected {
  if (d.subject?.kind === 'stale-sensor') return { subject: d.subject, target: null };
  if (d.kind === 'near-miss' && d.subject) {
    return { subject: d.subject, target: { x: d.subject.x, y: d.subject.y } };
  }
  if (!pose) return { subject: null, target: null };
  const pts = d.points.map((p) => ({ base: p, map: toFrame(pose, p), c: footprintClearance(v.fp, p.x, p.y) })).sort((a, b) => a.c - b.c);
  const people = v.peopleAt(d.start);
  if (people) {
    let best: { id: number; x: number; y: number; dist: number } | null = null;
    for (const q of people.people) {
      // With trigger points: the person they belong to. Without: a person right at the footprint.
      const dist = pts.length > 0
        ? Math.min(...pts.map((p) => Math.hypot(p.map.x - q.x, p.map.y - q.y)))
        : Math.max(0, footprintClearance(v.fp, fromFrame(pose, q).x, fromFrame(pose, q).y) - v.o.personRadiusM);
      if (dist <= v.o.personMatchM && (!best || dist < best.dist)) best = { id: q.id, x: q.x, y: q.y, dist };
    }
    if (best) return { subject: { kind: 'person', personId: best.id, x: best.x, y: best.y }, target: { x: best.x, y: best.y } };
  }
  if (pts.length > 0) {
    const p = pts[0]!.map;
    return { subject: { kind: 'obstacle', x: p.x, y: p.y }, target: p };
  }
  return { subject: null, target: null };
}

const check = (stage: PipelineStage, verdict: StageCheck['verdict'], text: string, numbers: Record<string, number> = {}): StageCheck =>
  ({ stage, verdict, text, numbers });

function linkCheck(v: RunView, t: number, what: string): StageCheck {
  const w = v.o.linkWindowS;
  // Lost within the window before, or lost earlier and not back yet.
  const states = v.d.link.filter((e) => e.event !== 'bad-frame');
  const i = newestAtOrBefore(states, t);
  const recent = states.filter((e) => e.t <= t && e.t >= t - w && (e.event === 'lost' || e.event === 'disconnected'));
  const cause = recent[recent.length - 1] ?? (i >= 0 && states[i]!.event === 'lost' ? states[i]! : null);
  if (cause) {
    return check('link', 'failed', `the link was lost ${f2(t - cause.t)} s before the ${what} (${cause.message || cause.event})`, { linkLostBeforeS: r2(t - cause.t) });
  }
  const badFrames = v.d.link.filter((e) => e.event === 'bad-frame' && e.t <= t && e.t >= t - w).length;
  return check('link', 'ok', `the link was up; no loss in the ${f1(w)} s before${badFrames > 0 ? ` (${badFrames} bad frames)` : ''}`, { badFrames });
}

/** The start of the contiguous stretch of scans, ending at `t`, that saw map point `p`; null when the newest scan does not see it. */
function firstSeen(v: RunView, p: Vec2, t: number): { firstT: number; scans: number; sinceLookback: boolean } | null {
  const scans = v.d.scansBetween(t - v.o.lookbackS, t);
  let firstT: number | null = null;
  let count = 0;
  for (let i = scans.length - 1; i >= 0; i--) {
    const scan = scans[i]!;
    const pose = v.poseAt(scan.t);
    if (!pose) break;
    const local = fromFrame(pose, p);
    const pts = scanPointsBase(scan, v.d.hello);
    let seen = false;
    for (let k = 0; k < pts.length && !seen; k += 2) seen = Math.hypot(pts[k]! - local.x, pts[k + 1]! - local.y) <= v.o.seenRadiusM;
    if (!seen) break;
    firstT = scan.t;
    count++;
  }
  if (firstT === null) return null;
  return { firstT, scans: count, sinceLookback: count === scans.length };
}

function perceptionCheck(v: RunView, d: Draft, s: Subjected, what: string): { check: StageCheck; seenForS: number | null } {
  const t = d.start;
  const speed = v.speedAt(t);
  const stopS = v.stoppingTimeS(speed);
  const late = (lead: number, thing: string, seen: string, numbers: Record<string, number>): StageCheck | null => {
    if (lead <= v.o.lateDetectionS) {
      return check('perception', 'failed', `late detection: ${thing} was first ${seen} ${f2(lead)} s before the ${what}`, numbers);
    }
    if (lead < stopS) {
      return check('perception', 'failed',
        `${thing} was first ${seen} ${f2(lead)} s before the ${what}; stopping from ${f2(speed)} m/s takes ${f2(stopS)} s (${f2(v.o.reactionS)} s reaction + braking at ${f1(v.decel)} m/s²): seen too late to avoid`,
        { ...numbers, stoppingTimeS: r2(stopS) });
    }
    return null;
  };
  if (s.subject?.kind === 'stale-sensor') {
    const scans = v.d.scansBetween(t - v.o.lookbackS, t);
    const newest = scans[scans.length - 1];
    if (!newest) return { check: check('perception', 'failed', `no scan in the ${f1(v.o.lookbackS)} s before the ${what}: the lidar stalled`), seenForS: null };
    const age = t - newest.t;
    return {
      check: age > v.o.staleScanS
        ? check('perception', 'failed', `the newest scan was ${f2(age)} s old at the ${what} (limit ${f2(v.o.staleScanS)} s): the lidar stalled`, { scanAgeS: r2(age) })
        : check('perception', 'ok', `scans were arriving (newest ${f2(age)} s old)`, { scanAgeS: r2(age) }),
      seenForS: null,
    };
  }
  if (s.subject?.kind === 'person') {
    const id = s.subject.personId;
    let first: number | null = null;
    for (let i = newestAtOrBefore(v.d.predictions, t); i >= 0; i--) {
      const rec = v.d.predictions[i]!;
      if (t - rec.t > v.o.lookbackS || !rec.people.some((q) => q.id === id)) break;
      first = rec.t;
    }
    if (first === null) return { check: check('perception', 'no-data', `person ${id} has no track before the ${what}`), seenForS: null };
    const lead = t - first;
    const numbers = { trackedForS: r2(lead), speedMps: r2(speed) };
    const failed = late(lead, `person ${id}`, 'tracked', numbers);
    return {
      check: failed ?? check('perception', 'ok', `person ${id} had been tracked for ${lead >= v.o.lookbackS - 1e-9 ? `at least ${f1(lead)}` : f2(lead)} s`, numbers),
      seenForS: lead,
    };
  }
  if (s.subject?.kind === 'obstacle' && s.target) {
    const scans = v.d.scansBetween(t - v.o.lookbackS, t);
    if (scans.length === 0) return { check: check('perception', 'no-data', 'no scans recorded before it'), seenForS: null };
    const seen = firstSeen(v, s.target, t);
    if (!seen) {
      return {
        check: check('perception', 'no-data', `the point at (${f2(s.target.x)}, ${f2(s.target.y)}) is in none of the recorded scans before the ${what} (scan not recorded, or localization off)`),
        seenForS: 0,
      };
    }
    const lead = t - seen.firstT;
    const numbers = { seenForS: r2(lead), scansSeeing: seen.scans, speedMps: r2(speed) };
    const failed = late(lead, `the obstacle at (${f2(s.target.x)}, ${f2(s.target.y)})`, 'in the scan', numbers);
    return {
      check: failed ?? check('perception', 'ok', `the obstacle had been in the scan for ${seen.sinceLookback ? 'at least ' : ''}${f2(lead)} s`, numbers),
      seenForS: lead,
    };
  }
  return { check: check('perception', 'no-data', 'no trigger points recorded to check'), seenForS: null };
}

/** Position of future `points` at `tau` s after the record (person at `origin` at tau = 0). */
function futureAt(points: readonly number[], origin: Vec2, tau: number, step: number): Vec2 {
  const n = points.length >> 1;
  if (n === 0) return origin;
  const u = tau / step - 1; // point k is at (k + 1)·step
  if (u <= 0) {
    const a = Math.max(0, Math.min(1, tau / step));
    return { x: origin.x + a * (points[0]! - origin.x), y: origin.y + a * (points[1]! - origin.y) };
  }
  if (u >= n - 1) return { x: points[2 * n - 2]!, y: points[2 * n - 1]! };
  const k = Math.floor(u);
  const a = u - k;
  return { x: points[2 * k]! + a * (points[2 * k + 2]! - points[2 * k]!), y: points[2 * k + 1]! + a * (points[2 * k + 3]! - points[2 * k + 1]!) };
}

/**
 * Did the person's tracked path stay within what was predicted `predictionLeadS` earlier?
 * Each tracked position at t is compared with every future of the newest prediction made at
 * or before t − lead; inside when within `gate` sigmas of one.
 */
function predictionCheck(v: RunView, d: Draft, s: Subjected, what: string): StageCheck {
  if (s.subject?.kind !== 'person') return check('prediction', 'not-applicable', s.subject?.kind === 'obstacle' ? 'a static obstacle: nothing to predict' : 'no person involved');
  const o = v.o;
  const id = s.subject.personId;
  const t = d.start;
  const recs = v.d.predictions;
  const samples: { t: number; inside: boolean; devM: number; sigmaM: number }[] = [];
  for (let i = newestAtOrBefore(recs, t); i >= 0 && t - recs[i]!.t <= o.lookbackS; i--) {
    const rec = recs[i]!;
    const person = rec.people.find((q) => q.id === id);
    if (!person) break;
    const j = newestAtOrBefore(recs, rec.t - o.predictionLeadS + 1e-9);
    const ref = j >= 0 ? recs[j]!.people.find((q) => q.id === id) : undefined;
    if (!ref || ref.futures.length === 0) break;
    const tau = rec.t - recs[j]!.t;
    const sigma = o.predictionSigma0M + o.predictionSigmaGrowthMps * tau;
    let dev = Infinity;
    for (const f of ref.futures) {
      const p = futureAt(f.points, ref, tau, o.predictionStepS);
      dev = Math.min(dev, Math.hypot(p.x - person.x, p.y - person.y));
    }
    samples.push({ t: rec.t, inside: dev <= o.predictionGate * sigma, devM: dev, sigmaM: sigma });
  }
  if (samples.length === 0) return check('prediction', 'no-data', `no predictions of person ${id} from ${f1(o.predictionLeadS)} s earlier to compare with`);
  const newest = samples[0]!;
  const numbers: Record<string, number> = {
    deviationM: r2(newest.devM), gateM: r2(o.predictionGate * newest.sigmaM), predictionLeadS: o.predictionLeadS,
  };
  if (newest.inside) {
    return check('prediction', 'ok',
      `person ${id}'s path stayed within the predicted futures: ${f2(newest.devM)} m from the nearest one predicted ${f1(o.predictionLeadS)} s earlier (gate ${f2(o.predictionGate * newest.sigmaM)} m)`,
      numbers);
  }
  let departure = newest.t;
  for (const smp of samples) {
    if (smp.inside) break;
    departure = smp.t;
  }
  const lead = t - departure;
  numbers.leftFuturesBeforeS = r2(lead);
  return check('prediction', 'failed',
    `the person's actual path left the predicted futures ${f1(lead)} s before the ${what}: at the ${what} person ${id} was ${f2(newest.devM)} m from the nearest future predicted ${f1(o.predictionLeadS)} s earlier (gate ${f2(o.predictionGate * newest.sigmaM)} m = ${o.predictionGate} sigma)`,
    numbers);
}

function globalCheck(v: RunView, d: Draft, s: Subjected, seenForS: number | null, what: string): StageCheck {
  if (s.subject?.kind !== 'obstacle' || !s.target) {
    return check('global-planning', 'not-applicable', s.subject?.kind === 'person' ? 'people are left to the local planner' : 'nothing to route around');
  }
  const i = newestAtOrBefore(v.d.guidance, d.start);
  const path = i >= 0 ? v.d.guidance[i]! : null;
  if (!path || path.points.length < 2) return check('global-planning', 'ok', 'no guidance path in force; the local planner had the obstacle');
  const dist = distanceToPolyline(path.points, s.target);
  const through = dist <= v.fp.width / 2 + v.o.contactMarginM;
  const age = d.start - path.t;
  const numbers = { guidanceToObstacleM: r2(dist), guidanceAgeS: r2(age), seenForS: r2(seenForS ?? 0) };
  if (through && seenForS !== null && seenForS >= v.o.globalStaleS) {
    return check('global-planning', 'failed',
      `the guidance path (${f1(age)} s old) still ran ${f2(dist)} m from an obstacle seen ${f1(seenForS)} s before the ${what}: it was not replanned around it`, numbers);
  }
  return check('global-planning', 'ok',
    through ? `the guidance path ran through it, but it had been seen only ${f1(seenForS ?? 0)} s (replanning not yet due)` : `the guidance path kept ${f2(dist)} m from it`, numbers);
}

/** Terms of the chosen candidate, when the cycle's sample holds it (same total cost). */
function chosenTerms(v: RunView, cycle: RecordedPlannerCycle): Record<string, number> {
  if (cycle.chosenCost === null) return {};
  const sample = v.d.candidatesAt(cycle.t);
  if (!sample) return {};
  const cand = sample.candidates.find((c) => Math.abs(c.cost - cycle.chosenCost!) <= 1e-6 * Math.max(1, Math.abs(c.cost)));
  if (!cand) return {};
  const out: Record<string, number> = {};
  sample.termNames.forEach((n, k) => {
    const val = cand.terms[k];
    if (val !== undefined && Number.isFinite(val)) out[`term_${n}`] = Math.round(val * 1000) / 1000;
  });
  return out;
}

function localCheck(v: RunView, d: Draft, s: Subjected, seenForS: number | null, what: string): { check: StageCheck; planClearanceM: number | null } {
  if (!s.target) return { check: check('local-planning', 'no-data', 'no point to check the chosen trajectory against'), planClearanceM: null };
  const t = d.start;
  const ci = newestAtOrBefore(v.d.cycles, t);
  const cycle = ci >= 0 && t - v.d.cycles[ci]!.t <= 1 ? v.d.cycles[ci]! : null;
  if (!cycle) {
    if (v.teleopBefore(t)) return { check: check('local-planning', 'not-applicable', 'the operator was driving (teleop)'), planClearanceM: null };
    return { check: check('local-planning', 'no-data', 'no planner cycle in the second before'), planClearanceM: null };
  }
  if (cycle.chosen.length < 2) return { check: check('local-planning', 'ok', 'the planner had chosen no trajectory (stopping)'), planClearanceM: null };
  const person = s.subject?.kind === 'person';
  const body = person ? v.o.personRadiusM : 0;
  const clearance = polylineClearance(v.fp, cycle.chosen, s.target, cycle.start?.theta ?? null) - body;
  const threshold = d.kind === 'near-miss' ? (person ? v.o.nearMissPersonM : v.o.nearMissObstacleM) : v.o.contactMarginM;
  // How many cycles since the subject was known chose a trajectory through it.
  const since = seenForS !== null ? t - seenForS : t - v.o.lookbackS;
  let cycles = 0;
  let through = 0;
  for (let k = ci; k >= 0 && v.d.cycles[k]!.t >= since; k--) {
    const c = v.d.cycles[k]!;
    if (c.chosen.length < 2) continue;
    cycles++;
    if (polylineClearance(v.fp, c.chosen, s.target, c.start?.theta ?? null) - body <= threshold) through++;
  }
  const numbers: Record<string, number> = {
    chosenClearanceM: r2(clearance), cycleBeforeS: r2(t - cycle.t), cyclesThrough: through, cyclesSinceSeen: cycles,
    ...(cycle.chosenCost !== null ? { chosenCost: Math.round(cycle.chosenCost * 1000) / 1000 } : {}),
    ...chosenTerms(v, cycle),
  };
  const thing = person ? `where person ${(s.subject as { personId: number }).personId} was` : 'it';
  if (clearance <= threshold) {
    const known = seenForS !== null ? (person ? `person had been tracked for ${f1(seenForS)} s` : `obstacle had been in the scan for ${f1(seenForS)} s`) : 'subject was known';
    const terms = Object.entries(numbers).filter(([k]) => k.startsWith('term_')).map(([k, val]) => `${k.slice(5)} ${val}`).join(', ');
    return {
      check: check('local-planning', 'failed',
        `the ${known}, yet the chosen trajectory ${f2(t - cycle.t)} s before the ${what} ran ${f2(Math.max(0, clearance))} m from ${thing} (${through} of ${cycles} cycles since chose a path through it${cycle.chosenCost !== null ? `; cost ${f2(cycle.chosenCost)}` : ''}${terms ? `; ${terms}` : ''})`,
        numbers),
      planClearanceM: clearance,
    };
  }
  return { check: check('local-planning', 'ok', `the chosen trajectory kept ${f2(clearance)} m from ${thing}`, numbers), planClearanceM: clearance };
}

function reactiveCheck(v: RunView, d: Draft, planClearanceM: number | null): StageCheck {
  if (d.kind === 'safety-stop') {
    const s = d.first!;
    const numbers: Record<string, number> = { ...(s.ttc !== null ? { ttcS: r2(s.ttc) } : {}), ...(planClearanceM !== null ? { planClearanceM: r2(planClearanceM) } : {}) };
    if (/invalid/i.test(s.reason)) return check('reactive-control', 'failed', `the reactive layer rejected its input (${s.reason})`, numbers);
    return check('reactive-control', 'failed',
      `${planClearanceM !== null ? `the plan cleared it by ${f2(planClearanceM)} m, yet ` : 'no earlier stage failed; '}the reactive layer stopped (${s.reason}${s.zone ? `, zone ${s.zone}` : ''}${s.ttc !== null ? `, ttc ${f2(s.ttc)} s` : ''}): the robot strayed from the plan or the reactive margin is stricter than the planner's`,
      numbers);
  }
  // Near miss with a plan that kept its distance: the robot got closer than planned, and
  // the reactive layer let it.
  const during = v.d.safety.filter((s) => s.t >= d.start - 0.5 && s.t <= d.end);
  const minScale = during.length > 0 ? Math.min(...during.map((s) => s.scale)) : 1;
  return check('reactive-control', 'failed',
    `${planClearanceM !== null ? `the plan kept ${f2(planClearanceM)} m but the robot passed at ${f2(Math.max(0, d.clearanceM ?? 0))} m; ` : ''}the reactive layer ${minScale < 1 ? `slowed only to ${f2(minScale)} of the command` : 'did not slow down'}`,
    { minScale: r2(minScale), ...(planClearanceM !== null ? { planClearanceM: r2(planClearanceM) } : {}) });
}

interface Explained {
  subject: IncidentSubject | null;
  trace: StageCheck[];
}

/** Runs the stage checks in pipeline order and stops at the first failure. */
function explainContact(v: RunView, d: Draft, pose: Pose2D | null): Explained {
  const what = d.kind === 'safety-stop' ? 'stop' : 'near miss';
  const s = identifySubject(v, d, pose);
  const trace: StageCheck[] = [];
  const done = (c: StageCheck): boolean => {
    trace.push(c);
    return c.verdict === 'failed';
  };
  if (done(linkCheck(v, d.start, what))) return { subject: s.subject, trace };
  const teleop = d.kind === 'safety-stop' && v.teleopBefore(d.start) && v.goalAt(d.start) === null;
  const per = perceptionCheck(v, d, s, what);
  if (done(per.check)) return { subject: s.subject, trace };
  if (s.subject?.kind === 'stale-sensor') {
    done(check('reactive-control', 'ok', 'stale sensor data means stop: the reactive layer did as designed'));
    return { subject: s.subject, trace };
  }
  if (done(predictionCheck(v, d, s, what))) return { subject: s.subject, trace };
  if (teleop) {
    trace.push(check('global-planning', 'not-applicable', 'the operator was driving (teleop)'));
    trace.push(check('local-planning', 'not-applicable', 'the operator was driving (teleop)'));
    trace.push(check('reactive-control', 'ok', 'the operator drove toward it; the reactive layer stopped the robot as designed'));
    return { subject: s.subject, trace };
  }
  if (done(globalCheck(v, d, s, per.seenForS, what))) return { subject: s.subject, trace };
  const local = localCheck(v, d, s, per.seenForS, what);
  if (done(local.check)) return { subject: s.subject, trace };
  if (local.check.verdict === 'no-data' && per.check.verdict === 'no-data') {
    // Without scans or plans to compare with, blaming the last stage would be a guess.
    trace.push(check('reactive-control', 'no-data', `the reactive layer ${d.kind === 'safety-stop' ? `stopped (${d.first!.reason})` : 'let it happen'}; the recording lacks the scans and plans to say whether that was right`));
    return { subject: s.subject, trace };
  }
  done(reactiveCheck(v, d, local.planClearanceM));
  return { subject: s.subject, trace };
}

function explainNoProgress(v: RunView, d: Draft): Explained {
  const trace: StageCheck[] = [];
  const done = (c: StageCheck): boolean => {
    trace.push(c);
    return c.verdict === 'failed';
  };
  const lost = v.d.link.find((e) => e.event === 'lost' && e.t >= d.start - v.o.linkWindowS && e.t <= d.end);
  if (done(lost
    ? check('link', 'failed', `the link was lost ${f1(lost.t - d.start)} s into the stall (${lost.message || 'lost'})`, { linkLostAfterS: r2(lost.t - d.start) })
    : check('link', 'ok', 'the link stayed up'))) return { subject: null, trace };
  trace.push(check('perception', 'not-applicable', 'not judged for a stall'));
  // Waiting while people are close is yielding, not a failure: the stall is theirs.
  const yieldRadius = 1.5;
  const recs = v.d.predictions.filter((r) => r.t >= d.start && r.t <= d.end);
  let withPeople = 0;
  let most = 0;
  for (const r of recs) {
    const pose = v.poseAt(r.t);
    const n = pose ? r.people.filter((q) => Math.hypot(q.x - pose.x, q.y - pose.y) < yieldRadius).length : 0;
    if (n > 0) withPeople++;
    most = Math.max(most, n);
  }
  const share = recs.length > 0 ? withPeople / recs.length : 0;
  const dur = d.end - d.start;
  if (share >= 0.5) {
    trace.push(check('prediction', 'ok',
      `the robot was yielding: up to ${most} people within ${f1(yieldRadius)} m during ${Math.round(share * 100)} % of the ${f1(dur)} s without progress`,
      { peopleNearShare: r2(share), mostPeopleNear: most }));
    return { subject: null, trace };
  }
  trace.push(check('prediction', 'not-applicable', withPeople > 0 ? `people within ${f1(yieldRadius)} m during only ${Math.round(share * 100)} % of the stall` : 'no people nearby', { peopleNearShare: r2(share) }));
  const changes = v.d.guidance.filter((g) => g.t > d.start && g.t <= d.end);
  const gi = newestAtOrBefore(v.d.guidance, d.end);
  const inForce = gi >= 0 ? v.d.guidance[gi]! : null;
  const numbers = { stalledS: r2(dur), closerByM: r2(d.distanceGainM ?? 0), guidanceChanges: changes.length };
  if (!inForce || inForce.points.length < 2) {
    if (done(check('global-planning', 'failed', `no guidance path was in force during the ${f1(dur)} s without progress`, numbers))) return { subject: null, trace };
  }
  if (changes.length === 0) {
    if (done(check('global-planning', 'failed',
      `the guidance path was unchanged for ${f1(dur)} s while the robot got only ${f2(d.distanceGainM ?? 0)} m closer: no replan around the blockage`, numbers))) return { subject: null, trace };
  }
  trace.push(check('global-planning', 'ok', `the guidance path was replanned ${changes.length} time(s)`, numbers));
  const cycles = v.d.cycles.filter((c) => c.t >= d.start && c.t <= d.end);
  const moving = cycles.filter((c) => polylineLength(c.chosen) > 0.1);
  const stops = v.d.safety.filter((s) => s.t >= d.start && s.t <= d.end);
  const held = stops.filter((s) => isStopTick(s) || (s.action === 'scale' && s.scale < 0.2 && nonZero(s.requested)));
  const localNumbers = { cycles: cycles.length, cyclesMoving: moving.length };
  if (cycles.length > 0 && moving.length < cycles.length / 2) {
    done(check('local-planning', 'failed',
      `despite ${changes.length} replan(s), the local planner chose a trajectory longer than 0.1 m in only ${moving.length} of ${cycles.length} cycles`, localNumbers));
    return { subject: null, trace };
  }
  if (stops.length > 0 && held.length > stops.length / 2) {
    trace.push(check('local-planning', 'ok', `the local planner kept choosing trajectories (${moving.length} of ${cycles.length} cycles moving)`, localNumbers));
    done(check('reactive-control', 'failed', `the reactive layer held the robot: ${held.length} of ${stops.length} ticks stopped it or cut the command below 0.2`, { heldTicks: held.length, ticks: stops.length }));
    return { subject: null, trace };
  }
  done(check('local-planning', 'failed', `the local planner moved (${moving.length} of ${cycles.length} cycles) but not toward the goal: ${f2(d.distanceGainM ?? 0)} m closer in ${f1(dur)} s`, localNumbers));
  return { subject: null, trace };
}

function explainLinkLoss(v: RunView, d: Draft): Explained {
  const e = d.link!;
  const bad = v.d.link.filter((b) => b.event === 'bad-frame' && b.t >= e.t - 5 && b.t <= e.t).length;
  const speed = v.speedAt(e.t);
  return {
    subject: null,
    trace: [check('link', 'failed',
      `${e.message || 'the link went silent'}; ${d.end > d.start ? `down for ${f1(d.end - d.start)} s` : 'never back'}${bad > 0 ? `; ${bad} bad frames in the 5 s before` : ''}; speed at loss ${f2(speed)} m/s`,
      { downS: r2(d.end - d.start), badFramesBefore: bad, speedMps: r2(speed) })],
  };
}

function attributionFrom(trace: StageCheck[], fallback: string): { stage: PipelineStage | null; evidence: IncidentEvidence } {
  const failed = trace.find((c) => c.verdict === 'failed');
  if (failed) return { stage: failed.stage, evidence: { text: `${STAGE_LABELS[failed.stage]}: ${failed.text}`, numbers: failed.numbers } };
  const last = trace[trace.length - 1];
  return { stage: null, evidence: { text: last ? `${fallback}; ${last.text}` : fallback, numbers: last?.numbers ?? {} } };
}

// ── the whole run ─────────────────────────────────────────────────────────────────────

/** Detects and explains incidents over prepared run data; sorted by start time, numbered from 1. */
export function detectIncidentsIn(data: RunData, options: Partial<IncidentOptions> = {}): Incident[] {
  const o: IncidentOptions = { ...DEFAULT_INCIDENT_OPTIONS, ...options };
  const v = new RunView(data, o);
  const want = new Set(o.kinds);
  const drafts: Draft[] = [];
  const stops = want.has('safety-stop') ? detectSafetyStops(v) : [];
  drafts.push(...stops);
  if (want.has('near-miss')) {
    // A near miss that ends in (or follows) a safety stop is that stop, not a second incident.
    const covered = (n: Draft): boolean => stops.some((s) => n.start <= s.end + 1 && n.end >= s.start - 1);
    drafts.push(...detectNearMisses(v).filter((n) => !covered(n)));
  }
  if (want.has('no-progress')) drafts.push(...detectNoProgress(v));
  if (want.has('link-loss')) drafts.push(...detectLinkLosses(v));
  const interventions = want.has('intervention') ? detectInterventions(v) : [];
  drafts.push(...interventions);
  // Interventions after the rest, at equal times: the cause sorts before the reaction.
  drafts.sort((a, b) => a.start - b.start || Number(a.kind === 'intervention') - Number(b.kind === 'intervention'));

  const incidents: Incident[] = drafts.map((d, i) => {
    const pose = v.poseAt(d.start);
    const base: Incident = {
      id: i + 1, runId: data.runId, kind: d.kind, start: d.start, end: d.end, pose, severity: d.severity, summary: d.summary,
      subject: d.subject, attribution: { stage: null, evidence: { text: '', numbers: {} } }, trace: [], relatedIncidentId: null,
      ...(d.intervention ? { intervention: d.intervention } : {}),
    };
    if (d.kind === 'safety-stop') {
      const speed = v.speedAt(d.start);
      base.severity = speed >= 0.5 || d.first?.zone === 'footprint' ? 'high' : speed < 0.1 ? 'low' : 'medium';
    }
    if (!o.attribute || d.kind === 'intervention') return base;
    let ex: Explained;
    if (d.kind === 'safety-stop' || d.kind === 'near-miss') ex = explainContact(v, d, pose);
    else if (d.kind === 'no-progress') ex = explainNoProgress(v, d);
    else ex = explainLinkLoss(v, d);
    base.subject = ex.subject ?? base.subject;
    if (d.kind === 'safety-stop' && base.subject?.kind === 'person' && base.severity === 'medium') base.severity = 'high';
    if (d.kind === 'safety-stop' && base.subject?.kind === 'person') base.summary = base.summary.replace('Safety stop', `Safety stop for person ${base.subject.personId}`);
    else if (d.kind === 'safety-stop' && base.subject?.kind === 'obstacle') base.summary = base.summary.replace('Safety stop', 'Safety stop for an obstacle');
    base.trace = ex.trace;
    base.attribution = attributionFrom(ex.trace, 'no stage shows a failure in the recording');
    return base;
  });

  // Interventions: explained by the incident the operator was reacting to, if any.
  if (o.attribute) {
    for (const inc of incidents) {
      if (inc.kind !== 'intervention') continue;
      const before = incidents.filter((p) => p.kind !== 'intervention' && p.start <= inc.start && p.end >= inc.start - o.precursorWindowS);
      const cause = before[before.length - 1];
      if (cause) {
        inc.relatedIncidentId = cause.id;
        inc.trace = cause.trace;
        const gap = Math.max(0, inc.start - cause.start);
        inc.attribution = {
          stage: cause.attribution.stage,
          evidence: {
            text: `the operator stepped in ${f1(gap)} s after incident ${cause.id} (${cause.kind}): ${cause.attribution.evidence.text}`,
            numbers: { ...cause.attribution.evidence.numbers, afterIncidentS: r2(gap) },
          },
        };
      } else {
        const speed = v.speedAt(inc.start);
        inc.attribution = {
          stage: null,
          evidence: {
            text: `no failure is visible in the ${f1(o.precursorWindowS)} s before: the link was up and there was no stop, near miss or stall (speed ${f2(speed)} m/s); the operator's own choice`,
            numbers: { speedMps: r2(speed) },
          },
        };
      }
    }
  }
  return incidents;
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
    scanSummaries: scans.map((s) => summarizeScan(s, hello)),
    scansBetween: (from, to) => scans.filter((s) => s.t >= from && s.t <= to),
    candidatesAt: (t) => candidates.find((c) => c.t === t) ?? null,
  };
}

/** Detects and explains the incidents of a run given as records (unit tests, in-memory runs). */
export function detectIncidents(records: readonly RecordedRecord[], options: Partial<IncidentOptions> & { runId?: number } = {}): Incident[] {
  return detectIncidentsIn(runDataFromRecords(records, options.runId ?? null), options);
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

export interface ExplainRunOptions extends Partial<IncidentOptions> {
  /** Write the count into the run's summary (`runs.incidents`). Default true when every kind is detected. */
  updateCount?: boolean;
}

/**
 * Detects and explains a run's incidents, sorted by time, and stores their count in the run
 * summary (the `runs.incidents` column the recorder reserved for it). Throws NoSuchRunError.
 */
export function explainRun(store: RunStore, runId: number, options: ExplainRunOptions = {}): Incident[] {
  const kinds = options.kinds ?? INCIDENT_KINDS;
  const data = runDataFromStore(store, runId, { scanSummaries: kinds.includes('near-miss') });
  const incidents = detectIncidentsIn(data, options);
  const complete = INCIDENT_KINDS.every((k) => kinds.includes(k));
  if (options.updateCount ?? complete) {
    try {
      store.db.prepare('UPDATE runs SET incidents = ? WHERE id = ?').run(incidents.length, runId);
    } catch (err) {
      // A read-only or locked database still gets its explanation; the count is then
      // computed on read by whoever shows it.
      const code = (err as { code?: string }).code ?? '';
      if (!/^SQLITE_(READONLY|BUSY|LOCKED)/.test(code)) throw err;
    }
  }
  return incidents;
}

/** One line for a terminal: time from the run start, kind, severity, place, stage and evidence. */
export function formatIncident(inc: Incident, runStart: number): string {
  const at = inc.pose ? ` at (${f2(inc.pose.x)}, ${f2(inc.pose.y)})` : '';
  const dur = inc.end > inc.start ? ` for ${f1(inc.end - inc.start)} s` : '';
  const stage = inc.attribution.stage ? STAGE_LABELS[inc.attribution.stage] : 'no stage';
  const prefix = inc.attribution.stage ? `${STAGE_LABELS[inc.attribution.stage]}: ` : '';
  const text = inc.attribution.evidence.text.startsWith(prefix) ? inc.attribution.evidence.text.slice(prefix.length) : inc.attribution.evidence.text;
  return `#${inc.id} +${f2(inc.start - runStart)} s${dur} ${inc.kind}${inc.intervention ? ` (${inc.intervention})` : ''} [${inc.severity}]${at}: ${inc.summary}\n    -> ${stage}: ${text}`;
}
