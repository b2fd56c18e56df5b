/**
 * Incidents of a recorded run, detected (detect.ts), explained (attribute.ts) and numbered.
 *
 * `detectIncidents` takes records directly (unit tests); `explainRun` reads a run from a
 * RunStore, streaming scans rather than loading them all.
 *
 * Units: seconds on the host clock, metres, radians, m/s.
 */
import type { Incident } from '../../shared/incidents';
import type { RecordedRecord } from '../../shared/recording';
import type { RunStore } from '../recorder/run-store';
import { attributeInterventions, attributionFrom, explainDraft } from './attribute';
import { detectDrafts } from './detect';
import { DEFAULT_INCIDENT_OPTIONS, INCIDENT_KINDS, type IncidentOptions } from './options';
import { RunView, runDataFromRecords, runDataFromStore, type RunData } from './run-data';

/** Detects and explains incidents over prepared run data; sorted by start time, numbered from 1. */
export function detectIncidentsIn(data: RunData, options: Partial<IncidentOptions> = {}): Incident[] {
  const o: IncidentOptions = { ...DEFAULT_INCIDENT_OPTIONS, ...options };
  const v = new RunView(data, o);
  const drafts = detectDrafts(v, o.kinds);

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
    const ex = explainDraft(v, d, pose);
    base.subject = ex.subject ?? base.subject;
    if (d.kind === 'safety-stop' && base.subject?.kind === 'person' && base.severity === 'medium') base.severity = 'high';
    if (d.kind === 'safety-stop' && base.subject?.kind === 'person') base.summary = base.summary.replace('Safety stop', `Safety stop for person ${base.subject.personId}`);
    else if (d.kind === 'safety-stop' && base.subject?.kind === 'obstacle') base.summary = base.summary.replace('Safety stop', 'Safety stop for an obstacle');
    base.trace = ex.trace;
    base.attribution = attributionFrom(ex.trace, 'no stage shows a failure in the recording');
    return base;
  });

  if (o.attribute) attributeInterventions(v, incidents);
  return incidents;
}

/** Detects and explains the incidents of a run given as records (unit tests, in-memory runs). */
export function detectIncidents(records: readonly RecordedRecord[], options: Partial<IncidentOptions> & { runId?: number } = {}): Incident[] {
  return detectIncidentsIn(runDataFromRecords(records, options.runId ?? null), options);
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
