/**
 * The words of incident explanations: stage names, number formats and the one-line
 * terminal form (`foresight runs incidents`).
 */
import type { Incident, PipelineStage } from '../../shared/incidents';

/** Plain-words names of the stages. */
export const STAGE_LABELS: Record<PipelineStage, string> = {
  'link': 'link',
  'localization': 'localization',
  'perception': 'perception',
  'prediction': 'prediction',
  'global-planning': 'global planning',
  'local-planning': 'local planning',
  'reactive-control': 'reactive control',
};

/** Rounded to centimetres (figures kept in evidence numbers). */
export const r2 = (v: number): number => Math.round(v * 100) / 100;
export const f2 = (v: number): string => v.toFixed(2);
export const f1 = (v: number): string => v.toFixed(1);

/** One line for a terminal: time from the run start, kind, severity, place, stage and evidence. */
export function formatIncident(inc: Incident, runStart: number): string {
  const at = inc.pose ? ` at (${f2(inc.pose.x)}, ${f2(inc.pose.y)})` : '';
  const dur = inc.end > inc.start ? ` for ${f1(inc.end - inc.start)} s` : '';
  const stage = inc.attribution.stage ? STAGE_LABELS[inc.attribution.stage] : 'no stage';
  const prefix = inc.attribution.stage ? `${STAGE_LABELS[inc.attribution.stage]}: ` : '';
  const text = inc.attribution.evidence.text.startsWith(prefix) ? inc.attribution.evidence.text.slice(prefix.length) : inc.attribution.evidence.text;
  return `#${inc.id} +${f2(inc.start - runStart)} s${dur} ${inc.kind}${inc.intervention ? ` (${inc.intervention})` : ''} [${inc.severity}]${at}: ${inc.summary}\n    -> ${stage}: ${text}`;
}
