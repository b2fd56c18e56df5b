/**
 * A first-pass incident finder from a run's sparse events, used until (or where) the full
 * explainer (src/main/recorder/incidents.ts, explainRun) is wired in through
 * `ReviewDeps.explain`. It finds safety stops, emergency stops, teleop during autonomy,
 * cancelled goals and link losses, and attributes each to the earliest stage the recorded
 * evidence points at.
 */
import type { IncidentStage, ReviewIncident } from '../../shared/api';
import type { RecordedPredictions } from '../../shared/recording';
import type { RunStore } from '../recorder/run-store';
import { mapPose } from './frame';
import { lastAtOrBefore, readRunEvents, type RunEvents } from './run-events';

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

export function basicIncidents(store: RunStore, runId: number, events?: RunEvents): ReviewIncident[] {
  const ev = events ?? readRunEvents(store, runId);
  const out: Omit<ReviewIncident, 'id'>[] = [];
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
    out.push({
      kind: 'link-loss', t: e.t, pose, stage: 'link', label: 'Link lost',
      summary: `The robot link went silent (${e.message || 'no data'}); ${lasted}.`,
      evidence: [e.message || 'link lost', back ? `reconnected at +${fmtS(back.t - ev.startT)}` : 'no reconnect recorded'],
    });
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
    let stage: IncidentStage = 'local-planning';
    if (person && person.d < 2) {
      evidence.push(`person #${person.id} ${person.d.toFixed(1)} m away, predicted risk ${(person.risk * 100).toFixed(0)} %`);
      // A person close by with a low predicted risk: the prediction did not see it coming.
      stage = person.risk < 0.3 ? 'prediction' : 'local-planning';
    } else if (!st.plannerCycle || ep.t - st.plannerCycle.t > 0.5) {
      stage = 'reactive-control';
    }
    out.push({
      kind: 'safety-stop', t: ep.t, pose, stage, label: 'Safety stop',
      summary: `Reactive safety stopped the robot: ${s.reason}.`,
      evidence,
    });
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
      const lastStop = ev.safetyStops[lastAtOrBefore(ev.safetyStops, a.t)];
      const stage: IncidentStage = person && person.d < 1.5 && person.risk < 0.3 ? 'prediction'
        : lastStop && a.t - lastStop.t < 3 ? 'reactive-control' : goalActive ? 'local-planning' : 'operator';
      const kind = a.action === 'emergency-stop' ? 'emergency-stop' : a.action === 'cancel-goal' ? 'cancelled-goal' : 'teleop-override';
      const label = kind === 'emergency-stop' ? 'Emergency stop' : kind === 'cancelled-goal' ? 'Goal cancelled' : 'Teleop during autonomy';
      const summary = kind === 'emergency-stop' ? 'The operator pressed the emergency stop.'
        : kind === 'cancelled-goal' ? 'The operator cancelled the goal before the robot reached it.'
        : 'The operator took over with teleop while autonomy was driving.';
      out.push({ kind, t: a.t, pose, stage, label, summary, evidence });
      goalActive = false; // one intervention per goal
    }
    if (a.action === 'disconnect') goalActive = false;
  }

  out.sort((a, b) => a.t - b.t);
  return out.map((x, id) => ({ id, ...x }));
}
