/**
 * Shared checks of the people scenarios (resources/scenarios/people-*.json) with the
 * planner's default predictor: what issue 4 asks of them. Each scenario runs once per
 * file and its report is shared by that file's tests.
 */
import { resolve } from 'node:path';
import { expect } from 'vitest';
import { loadScenarioFile, type Scenario } from '../../../src/main/scenario/scenario-file';
import { runScenario, type ScenarioReport } from '../../../src/main/scenario/run-scenario';

export const SCENARIO_DIR = resolve(__dirname, '../../../resources/scenarios');

export async function loadPeopleScenario(name: string): Promise<Scenario> {
  const loaded = await loadScenarioFile(resolve(SCENARIO_DIR, `${name}.json`));
  if (!loaded.ok) throw new Error(loaded.message);
  return loaded.scenario;
}

const reports = new Map<string, ScenarioReport>();

/** The scenario's report with the default predictor, run once and kept. */
export async function peopleReport(name: string): Promise<ScenarioReport> {
  let r = reports.get(name);
  if (!r) {
    r = await runScenario(await loadPeopleScenario(name));
    reports.set(name, r);
  }
  return r;
}

/** Failure text with everything needed to see what happened. */
function describeRun(r: ScenarioReport): string {
  const { gaze_turn_leads, ...rest } = r;
  const turns = gaze_turn_leads.map((t) => `turn ${((t.turn * 180) / Math.PI).toFixed(0)}° at ${t.bodyTurnTime.toFixed(2)} s lead ${t.leadTime === null ? 'none' : t.leadTime.toFixed(2)} s`);
  return `${JSON.stringify(rest)}\n${turns.join('\n')}`;
}

/** Goal reached, no collisions, nobody closer to the footprint than the scenario's bound (0.3 m). */
export async function expectSafeArrival(name: string): Promise<void> {
  const s = await loadPeopleScenario(name);
  const r = await peopleReport(name);
  const why = describeRun(r);
  expect(s.expect.minPersonClearanceM, 'people scenarios state their clearance bound').toBe(0.3);
  expect(r.collisions, why).toBe(0);
  expect(r.success, why).toBe(true);
  expect(Number.isFinite(r.min_person_clearance_m), `${name}: someone was around (${why})`).toBe(true);
  expect(r.min_person_clearance_m, why).toBeGreaterThanOrEqual(s.expect.minPersonClearanceM!);
}

/** Every body turn larger than 45° led by the screen by at least the scenario's bound (0.5 s). */
export async function expectGazeLead(name: string): Promise<void> {
  const s = await loadPeopleScenario(name);
  const r = await peopleReport(name);
  const why = describeRun(r);
  expect(s.expect.minGazeLeadS).toBe(0.5);
  expect(r.gaze_turns_missed, why).toBe(0);
  for (const turn of r.gaze_turn_leads) expect(turn.leadTime!, why).toBeGreaterThanOrEqual(s.expect.minGazeLeadS!);
  if (r.gaze_turns > 0) expect(r.gaze_lead_min_s!, why).toBeGreaterThanOrEqual(s.expect.minGazeLeadS!);
}
