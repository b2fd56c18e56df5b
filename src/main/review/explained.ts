/**
 * The full incident explainer (recorder/incidents.ts, explainRun) and heatmap
 * (recorder/heatmap.ts, interventionHeatmap) in the review API's shapes.
 */
import type { HeatmapView, IncidentStage, ReviewIncident } from '../../shared/api';
import type { Incident } from '../../shared/incidents';
import { interventionHeatmap } from '../recorder/heatmap';
import { explainRun } from '../recorder/incidents';
import type { RunStore } from '../recorder/run-store';

const KIND_LABEL: Record<string, string> = {
  'safety-stop': 'Safety stop',
  'near-miss': 'Near miss',
  'no-progress': 'No progress',
  'link-loss': 'Link lost',
  'emergency-stop': 'Emergency stop',
  'teleop-override': 'Teleop during autonomy',
  'cancelled-goal': 'Goal cancelled',
  'intervention': 'Operator intervention',
};

function reviewKind(inc: Incident): string {
  if (inc.kind !== 'intervention') return inc.kind;
  switch (inc.intervention) {
    case 'emergency-stop':
      return 'emergency-stop';
    case 'teleop':
      return 'teleop-override';
    case 'cancel-goal':
      return 'cancelled-goal';
    default:
      return 'intervention';
  }
}

/** One explained incident as the review shows it. */
export function toReviewIncident(inc: Incident): ReviewIncident {
  const kind = reviewKind(inc);
  const stage: IncidentStage = inc.attribution.stage ?? (inc.kind === 'intervention' ? 'operator' : 'unknown');
  // The attribution's evidence; the stage-by-stage checks travel in `trace`.
  const ev = inc.attribution.evidence.text;
  // Not repeated when it only restates a stage check the trace shows.
  const evidence = ev && !inc.trace.some((c) => c.text.length > 0 && ev.endsWith(c.text)) ? [ev] : [];
  if (inc.relatedIncidentId !== null) evidence.push(`follows incident #${inc.relatedIncidentId}`);
  return {
    id: inc.id,
    kind,
    t: inc.start,
    pose: inc.pose,
    stage,
    label: KIND_LABEL[kind] ?? kind,
    summary: inc.summary,
    evidence,
    endT: inc.end,
    severity: inc.severity,
    trace: inc.trace.map((c) => ({ stage: c.stage, verdict: c.verdict, text: c.text })),
  };
}

/** Explains a run with the full explainer. Throws NoSuchRunError. */
export function explainForReview(store: RunStore, runId: number): ReviewIncident[] {
  return explainRun(store, runId).map(toReviewIncident);
}

/** Interventions and safety stops over every run, as the map layer draws it. */
export function heatmapForReview(store: RunStore, cellSize: number): HeatmapView {
  const h = interventionHeatmap(store, { resolution: cellSize });
  return {
    cellSize: h.resolution,
    origin: h.origin,
    width: h.width,
    height: h.height,
    counts: h.total,
    max: h.max.total,
    events: h.events.intervention + h.events.safetyStop,
    runs: h.runs,
  };
}
