/**
 * Timeline markers of a run: explained incidents, plus link losses, emergency stops and
 * safety stops. A raw event that an incident already stands for (same kind of thing within
 * half a second) is not repeated: the incident marker carries it, with its explanation.
 */
import type { RunTimeline, TimelineMarker, TimelineMarkerKind } from '../../shared/api';
import { incidentLabel, type Incident } from '../../shared/incidents';
import type { RunEvents } from './run-events';

/** An incident within this much of a raw event stands for it, s. */
export const MARKER_MERGE_S = 0.5;

/** Which incidents stand for each kind of raw event. */
const INCIDENT_COVERS: Record<Exclude<TimelineMarkerKind, 'incident'>, (i: Incident) => boolean> = {
  'link-loss': (i) => i.kind === 'link-loss',
  'emergency-stop': (i) => i.kind === 'intervention' && i.intervention === 'emergency-stop',
  'safety-stop': (i) => i.kind === 'safety-stop',
};

export function buildTimeline(ev: RunEvents, incidents: readonly Incident[]): RunTimeline {
  const markers: TimelineMarker[] = incidents.map((i) => ({
    id: `incident:${i.id}`, kind: 'incident', t: i.start, label: incidentLabel(i), incidentId: i.id,
  }));
  const covered = (kind: Exclude<TimelineMarkerKind, 'incident'>, t: number) =>
    incidents.some((i) => INCIDENT_COVERS[kind](i) && Math.abs(i.start - t) <= MARKER_MERGE_S);

  for (let k = 0; k < ev.link.length; k++) {
    const e = ev.link[k]!;
    if (e.event !== 'lost' || covered('link-loss', e.t)) continue;
    const back = ev.link.slice(k + 1).find((x) => x.event === 'reconnected' || x.event === 'connected');
    const durationS = back ? back.t - e.t : undefined;
    markers.push({ id: `link:${e.t}`, kind: 'link-loss', t: e.t, label: durationS !== undefined ? `Link lost ${durationS.toFixed(1)} s` : 'Link lost', durationS });
  }
  for (const a of ev.operator) {
    if (a.action !== 'emergency-stop' || covered('emergency-stop', a.t)) continue;
    markers.push({ id: `estop:${a.t}`, kind: 'emergency-stop', t: a.t, label: 'Emergency stop' });
  }
  for (const s of ev.safetyStops) {
    if (covered('safety-stop', s.t)) continue;
    const durationS = s.endT !== null ? s.endT - s.t : undefined;
    markers.push({ id: `safety:${s.t}`, kind: 'safety-stop', t: s.t, label: `Safety stop: ${s.first.reason}`, durationS });
  }
  markers.sort((a, b) => a.t - b.t || a.id.localeCompare(b.id));
  return { runId: ev.run.id, startT: ev.startT, endT: ev.endT, durationS: ev.endT - ev.startT, markers };
}
