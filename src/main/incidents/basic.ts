/**
 * A first-pass incident finder from a run's sparse events, the review's fallback where the
 * full explainer (explain-run.ts, explainRun) fails on a run, or a custom explainer in
 * tests. It finds safety stops, emergency stops, teleop during autonomy, cancelled goals and
 * link losses, and attributes each to the earliest stage the recorded evidence points at
 * (without stage-by-stage checks: its incidents have an empty trace).
 */
import type { Incident, IncidentSeverity, InterventionType, PipelineStage } from '../../shared/incidents';
import type { RecordedPredictions } from '../../shared/recording';
import type { RunStore } from '../recorder/run-store';
import { mapPose } from '../review/frame';
import { readRunEvents, type RunEvents } from '../review/run-events';
import { newestAtOrBefore } from './geometry';

const fmtS = (s: number) => `${s.toFixed(1)} s`;

/** Nearest person to `pose` in a predictions record, with distance. */
function nearestPerson(pred: RecordedPredictions | null, x: number, y: number): { id: number; d: number; risk: number } | null {
  if (!pred) return null;
  let best: { id: number; d: number; risk: number } | null = null;
  for (const p of pred.people) {
    const d = Math.hypot(p.x - x, p.y - y);
    if (!best || d < best.d) best = { id: p.id, d, risk: p.risk };
  }
  return best;
}

type Found = Omit<Incident, 'id'>;

/** An incident of the basic finder: evidence lines joined, no trace. */
function found(
  runId: number, kind: Incident['kind'], start: number, end: number, pose: Incident['pose'], severity: IncidentSeverity,
  stage: PipelineStage | null, summary: string, evidence: string[], intervention?: InterventionType,
): Found {
  return {
    runId, kind, ...(intervention ? { intervention } : {}), start, end, pose, severity, summary, subject: null,
    attribution: { stage, evidence: { text: evidence.join('; '), numbers: {} } }, trace: [], relatedIncidentId: null,
  };
}

/** The run's incidents from its sparse events, in time order, numbered from 1. */
export function basicIncidents(store: RunStore, runId: number, events?: RunEvents): Incident[] {
  const ev = events ?? readRunEvents(store, runId);
  const out: Found[] = [];
  const at = (t: number) => {
    const st = store.stateAt(runId, t);
    return { st, pose: mapPose(st) };
  };

  // Link losses.
  for (let i = 0; i < ev.link.length; i++) {
    const e = ev.link[i]!;
    if (e.event !== 'lost') continue;
    const back = ev.link.slice(i + 1).find((x) => x.event === 'reconnected' || x.event === 'connected');
    const { pose } = at(e.t);
    const lasted = back ? `back after ${fmtS(back.t - e.t)}` : 'not back before the run ended';
    out.push(found(runId, 'link-loss', e.t, back?.t ?? ev.endT, pose, back ? 'medium' : 'high', 'link',
      `The robot link went silent (${e.message || 'no data'}); ${lasted}.`,
      [e.message || 'link lost', back ? `reconnected at +${fmtS(back.t - ev.startT)}` : 'no reconnect recorded']));
  }

  // Safety stops.
  for (const ep of ev.safetyStops) {
    const { st, pose } = at(ep.t);
    const s = ep.first;
    const person = pose ? nearestPerson(st.predictions, pose.x, pose.y) : null;
    const evidence = [`reactive safety: ${s.reason}`];
    if (s.ttc !== null) evidence.push(`time to collision ${s.ttc.toFixed(2)} s`);
    if (s.requested) evidence.push(`requested ${s.requested.v.toFixed(2)} m/s, commanded ${(s.commanded?.v ?? 0).toFixed(2)} m/s`);
    if (s.zone) evidence.push(`zone: ${s.zone}${s.points.length >= 2 ? `, ${s.points.length / 2} points inside` : ''}`);
    if (ep.endT !== null) evidence.push(`stopped for ${fmtS(ep.endT - ep.t)}`);
    let stage: PipelineStage = 'local-planning';
    if (person && person.d < 2) {
      evidence.push(`person #${person.id} ${person.d.toFixed(1)} m away, predicted risk ${(person.risk * 100).toFixed(0)} %`);
      // A person close by with a low predicted risk: the prediction did not see it coming.
      stage = person.risk < 0.3 ? 'prediction' : 'local-planning';
    } else if (!st.plannerCycle || ep.t - st.plannerCycle.t > 0.5) {
      stage = 'reactive-control';
    }
    out.push(found(runId, 'safety-stop', ep.t, ep.endT ?? ev.endT, pose, 'medium', stage,
      `Reactive safety stopped the robot: ${s.reason}.`, evidence));
  }

  // Operator interventions.
  let goalActive = false;
  for (const a of ev.operator) {
    if (a.action === 'set-goal') {
      goalActive = true;
      continue;
    }
    if (a.action === 'emergency-stop' || (a.action === 'cancel-goal' && goalActive) ||
      (a.action === 'teleop' && goalActive && !!a.teleop && (a.teleop.linear !== 0 || a.teleop.angular !== 0))) {
      const { st, pose } = at(a.t);
      const evidence: string[] = [];
      if (st.odometry) evidence.push(`speed ${Math.abs(st.odometry.v).toFixed(2)} m/s`);
      const s = st.safety && a.t - st.safety.t < 2 ? st.safety : null;
      if (s) evidence.push(`last safety decision ${(a.t - s.t).toFixed(1)} s before: ${s.action} (${s.reason})`);
      const person = pose ? nearestPerson(st.predictions, pose.x, pose.y) : null;
      if (person) evidence.push(`nearest person #${person.id} at ${person.d.toFixed(1)} m, predicted risk ${(person.risk * 100).toFixed(0)} %`);
      const lastStop = ev.safetyStops[newestAtOrBefore(ev.safetyStops, a.t)];
      // No stage: the operator's own choice.
      const stage: PipelineStage | null = person && person.d < 1.5 && person.risk < 0.3 ? 'prediction'
        : lastStop && a.t - lastStop.t < 3 ? 'reactive-control' : goalActive ? 'local-planning' : null;
      const intervention: InterventionType = a.action === 'emergency-stop' ? 'emergency-stop' : a.action === 'cancel-goal' ? 'cancel-goal' : 'teleop';
      const severity: IncidentSeverity = intervention === 'emergency-stop' ? 'high' : intervention === 'cancel-goal' ? 'low' : 'medium';
      const summary = intervention === 'emergency-stop' ? 'The operator pressed the emergency stop.'
        : intervention === 'cancel-goal' ? 'The operator cancelled the goal before the robot reached it.'
        : 'The operator took over with teleop while autonomy was driving.';
      out.push(found(runId, 'intervention', a.t, a.t, pose, severity, stage, summary, evidence, intervention));
      goalActive = false; // one intervention per goal
    }
    if (a.action === 'disconnect') goalActive = false;
  }

  out.sort((a, b) => a.start - b.start);
  return out.map((x, i) => ({ id: i + 1, ...x }));
}
