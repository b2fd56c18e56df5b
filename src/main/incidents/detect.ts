/**
 * Incident detection: operator interventions (teleop during autonomy, emergency stops,
 * cancelled goals), safety stops (the reactive layer zeroed a non-zero command; consecutive
 * ticks are one incident), near misses (footprint clearance to a scan point or a tracked
 * person below a threshold while moving), no progress (a goal active and the distance to it
 * not shrinking for `noProgressS`) and link losses. Each is a Draft until attribution
 * (attribute.ts) explains it and explain-run.ts numbers it.
 */
import type { Pose2D, Vec2 } from '../../shared/geometry';
import type { IncidentKind, IncidentSeverity, IncidentSubject, InterventionType } from '../../shared/incidents';
import type { RecordedLinkEvent, RecordedSafetyAction } from '../../shared/recording';
import { footprintClearance, fromFrame, newestAtOrBefore, pointsOf, toFrame } from './geometry';
import { isStopTick, type RecordedFault, type RunView } from './run-data';
import { f1, f2 } from './text';

/** An incident before attribution and numbering. */
export interface Draft {
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
  /** For localization losses: the fault as recorded. */
  fault?: RecordedFault;
  distanceGainM?: number;
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

/**
 * Localization lost: from the fault to the recovery (or the run's end). High severity when the
 * robot was moving then: it drove on a pose the map no longer backed.
 */
function detectLocalizationLosses(v: RunView): Draft[] {
  const out: Draft[] = [];
  const faults = v.d.faults;
  for (let i = 0; i < faults.length; i++) {
    const f = faults[i]!;
    if (f.kind !== 'localization-lost') continue;
    const back = faults.slice(i + 1).find((b) => b.kind === 'localization-recovered');
    const end = back?.t ?? v.d.endT;
    const speed = v.speedAt(f.t);
    out.push({
      kind: 'localization-lost', start: f.t, end, fault: f, points: [], subject: null,
      severity: !back || speed > v.o.movingSpeedMps ? 'high' : 'medium',
      summary: `Localization lost${back ? ` for ${f1(end - f.t)} s` : ' (not recovered before the run ended)'}${speed > v.o.movingSpeedMps ? ` while moving at ${f2(speed)} m/s` : ''}`,
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

/**
 * Every incident of the kinds wanted, before attribution, sorted by start time (at equal
 * times interventions last: the cause sorts before the reaction).
 */
export function detectDrafts(v: RunView, kinds: readonly IncidentKind[]): Draft[] {
  const want = new Set(kinds);
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
  if (want.has('localization-lost')) drafts.push(...detectLocalizationLosses(v));
  if (want.has('intervention')) drafts.push(...detectInterventions(v));
  drafts.sort((a, b) => a.start - b.start || Number(a.kind === 'intervention') - Number(b.kind === 'intervention'));
  return drafts;
}
