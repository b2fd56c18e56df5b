/**
 * Prediction on and off: runs a scenario with the planner's default people predictor and
 * again with constant-velocity prediction in its place (everything else identical: seed,
 * world, people, triggers), and reports the same metrics for both. The issue's people
 * scenarios are judged by the first; the second shows what prediction buys.
 * Units: seconds, metres, m/s³.
 */
import { DEFAULT_PREDICTOR_MODEL, type PredictorModel } from '../../planner/predict';
import { runScenario, type ScenarioReport } from './run-scenario';
import type { Scenario } from './scenario-file';

/** What one run is judged by. */
export interface CompareMetrics {
  success: boolean;
  outcome: ScenarioReport['outcome'];
  collisions: number;
  /** Time to goal (or to the end of the run when it failed), s. */
  time_s: number;
  /** Footprint to nearest person's body, minimum over the run, m; null with nobody around. */
  min_person_distance_m: number | null;
  /** RMS linear jerk while under way, m/s³. */
  rms_jerk: number;
  /** Halts on the way (not counting arrival). */
  stops: number;
  safety_stops: number;
  /** Body turns larger than 45°, those the screen never led, and min / median lead, s (null without turns). */
  gaze_turns: number;
  gaze_turns_missed: number;
  gaze_lead_min_s: number | null;
  gaze_lead_median_s: number | null;
}

/** One scenario, both predictors. Keys of `runs` are predictor names; `default_predictor` names the planner's. */
export interface ScenarioComparison {
  scenario: string;
  default_predictor: PredictorModel;
  runs: Record<PredictorModel, CompareMetrics>;
}

/** The predictors compared, the planner's default first. */
export const COMPARED_PREDICTORS: readonly PredictorModel[] = [DEFAULT_PREDICTOR_MODEL, 'cv'];

export function compareMetrics(r: ScenarioReport): CompareMetrics {
  return {
    success: r.success,
    outcome: r.outcome,
    collisions: r.collisions,
    time_s: round(r.time_s, 2),
    min_person_distance_m: Number.isFinite(r.min_person_clearance_m) ? round(r.min_person_clearance_m, 3) : null,
    rms_jerk: round(r.rms_jerk, 3),
    stops: r.stops,
    safety_stops: r.safety_stops,
    gaze_turns: r.gaze_turns,
    gaze_turns_missed: r.gaze_turns_missed,
    gaze_lead_min_s: r.gaze_lead_min_s === null ? null : round(r.gaze_lead_min_s, 2),
    gaze_lead_median_s: r.gaze_lead_median_s === null ? null : round(r.gaze_lead_median_s, 2),
  };
}

/** Runs the scenario once per compared predictor. Deterministic for the scenario's seed. */
export async function compareScenario(s: Scenario): Promise<ScenarioComparison> {
  const runs = {} as Record<PredictorModel, CompareMetrics>;
  for (const model of COMPARED_PREDICTORS) runs[model] = compareMetrics(await runScenario(s, { predictor: model }));
  return { scenario: s.name, default_predictor: DEFAULT_PREDICTOR_MODEL, runs };
}

const HEADER = ['scenario', 'predictor', 'result', 'time s', 'min dist m', 'RMS jerk', 'stops', 'gaze lead min/med s (turns)'];

/** The human table: one row per scenario and predictor, fixed-width columns. */
export function formatComparisonTable(rows: readonly ScenarioComparison[]): string {
  const cells: string[][] = [HEADER];
  for (const c of rows) {
    for (const [i, model] of Object.keys(c.runs).entries()) {
      const m = c.runs[model as PredictorModel];
      const result = m.success ? (m.collisions > 0 ? `reached, ${m.collisions} coll.` : 'reached') : `FAILED (${m.outcome}${m.collisions > 0 ? `, ${m.collisions} coll.` : ''})`;
      const gaze = m.gaze_turns === 0 ? '— (0)' : `${fmt(m.gaze_lead_min_s)}/${fmt(m.gaze_lead_median_s)} (${m.gaze_turns}${m.gaze_turns_missed > 0 ? `, ${m.gaze_turns_missed} missed` : ''})`;
      cells.push([
        i === 0 ? c.scenario : '',
        model === c.default_predictor ? `${model} *` : model,
        result,
        m.time_s.toFixed(2),
        m.min_person_distance_m === null ? '—' : m.min_person_distance_m.toFixed(3),
        m.rms_jerk.toFixed(3),
        String(m.stops + (m.safety_stops > 0 ? ` (+${m.safety_stops} safety)` : '')),
        gaze,
      ]);
    }
  }
  const widths = HEADER.map((_, k) => Math.max(...cells.map((r) => r[k]!.length)));
  const lines = cells.map((r) => r.map((cell, k) => (k >= 3 && k <= 5 ? cell.padStart(widths[k]!) : cell.padEnd(widths[k]!))).join('  ').trimEnd());
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  return `${lines.join('\n')}\n* the planner's default predictor; min dist: robot footprint to the nearest person's body\n`;
}

function fmt(x: number | null): string {
  return x === null ? '—' : x.toFixed(2);
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
