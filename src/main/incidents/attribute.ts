/**
 * Attribution: walks the pipeline in the order information flows — link, perception,
 * prediction, global planning, local planning, reactive control — and names the earliest
 * stage whose check fails, keeping every check in a trace so the answer can be audited.
 * The checks use only what the recorder keeps: scans (with the lidar mount and footprint
 * from the robot's hello), odometry and localization, planner cycles (chosen trajectory,
 * candidate sample, guidance path), tracked people with their predicted futures, safety
 * decisions, operator actions and link events.
 */
import type { Pose2D, Vec2 } from '../../shared/geometry';
import type { Incident, IncidentAttribution, IncidentSubject, PipelineStage, StageCheck } from '../../shared/incidents';
import type { RecordedPlannerCycle } from '../../shared/recording';
import type { Draft } from './detect';
import { distanceToPolyline, footprintClearance, fromFrame, newestAtOrBefore, polylineClearance, polylineLength, toFrame } from './geometry';
import { isStopTick, nonZero, scanPointsBase, type RunView } from './run-data';
import { f1, f2, r2, STAGE_LABELS } from './text';

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

export interface Explained {
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

/** The link first (no scans, nothing to localize with), then what the localizer said. */
function explainLocalizationLoss(v: RunView, d: Draft): Explained {
  const f = d.fault!;
  const link = linkCheck(v, f.t, 'loss');
  if (link.verdict === 'failed') return { subject: null, trace: [link] };
  const numbers: Record<string, number> = {};
  for (const [k, val] of Object.entries(f.detail)) if (typeof val === 'number') numbers[k] = val;
  const speed = v.speedAt(f.t);
  numbers.speedMps = r2(speed);
  return {
    subject: null,
    trace: [link, check('localization', 'failed', `${f.message.replace(/^Localization lost: /, '')}; ${d.end > d.start ? `lost for ${f1(d.end - d.start)} s` : 'never recovered'}; speed then ${f2(speed)} m/s`, numbers)],
  };
}

export function attributionFrom(trace: StageCheck[], fallback: string): IncidentAttribution {
  const failed = trace.find((c) => c.verdict === 'failed');
  if (failed) return { stage: failed.stage, evidence: { text: `${STAGE_LABELS[failed.stage]}: ${failed.text}`, numbers: failed.numbers } };
  const last = trace[trace.length - 1];
  return { stage: null, evidence: { text: last ? `${fallback}; ${last.text}` : fallback, numbers: last?.numbers ?? {} } };
}

/** Runs the stage checks for a stop, near miss, stall or link loss (not interventions: see attributeInterventions). */
export function explainDraft(v: RunView, d: Draft, pose: Pose2D | null): Explained {
  if (d.kind === 'safety-stop' || d.kind === 'near-miss') return explainContact(v, d, pose);
  if (d.kind === 'no-progress') return explainNoProgress(v, d);
  if (d.kind === 'localization-lost') return explainLocalizationLoss(v, d);
  return explainLinkLoss(v, d);
}

/**
 * Interventions: explained by the incident the operator was reacting to (within
 * `precursorWindowS` before), whose trace they share; else the operator's own choice.
 */
export function attributeInterventions(v: RunView, incidents: Incident[]): void {
  const o = v.o;
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
