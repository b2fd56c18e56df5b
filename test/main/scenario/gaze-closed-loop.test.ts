import { describe, expect, it } from 'vitest';
import { runScenario } from '../../../src/main/scenario/run-scenario';
import { scenarioSchema } from '../../../src/main/scenario/scenario-file';
import type { GazeOutput } from '../../../src/planner/gaze';

/**
 * Hallway to office: east along the hallway, then a ~100° left turn through the office door
 * at about 1 m/s. The robot starts in the hallway's right-hand lane (where it keeps to,
 * NavigationConfig.keepRightM): from the centre line its first move is a small right turn
 * into the lane, and the slow left curve back toward the door that follows never pauses
 * long enough for the lead-time measure to start a new turn there, so it would measure the
 * lead from that lane change, 5 s before the door.
 */
const HALL_TO_OFFICE = { ...scenarioSchema.parse({ name: 'hall-to-office', seed: 1, start: { x: 1.2, y: 4.25, theta: 0 }, goal: { x: 7.95, y: 6.6, theta: 1.57 }, timeLimitS: 30 }), file: '', mapYaml: null };

describe('gaze in the closed loop', () => {
  it('plans the screen every cycle, drives the simulated head, and leads the turn into the office by ≥ 0.5 s', async () => {
    const gazes: GazeOutput[] = [];
    const r = await runScenario(HALL_TO_OFFICE, { onGaze: (_t, g) => gazes.push(g) });
    expect(r.success, JSON.stringify(r)).toBe(true);
    expect(gazes.length).toBeGreaterThan(5 * r.time_s); // about 10 Hz
    expect(gazes.every((g) => g.reason.kind !== 'person')).toBe(true); // nobody there
    expect(r.gaze_turns, JSON.stringify(r.gaze_turn_leads)).toBe(1);
    const turn = r.gaze_turn_leads[0]!;
    expect(turn.turn).toBeGreaterThan(Math.PI / 4);
    expect(turn.leadTime!, JSON.stringify(turn)).toBeGreaterThanOrEqual(0.5);
    expect(r.gaze_lead_min_s).toBe(turn.leadTime);
    expect(r.gaze_lead_median_s).toBe(turn.leadTime);
  }, 60_000);

  it('leaves the screen alone when gaze is off (backward compatible result fields)', async () => {
    const r = await runScenario({ ...HALL_TO_OFFICE, timeLimitS: 2 }, { gaze: false });
    expect(r).toMatchObject({ gaze_turns: 0, gaze_turns_missed: 0, gaze_lead_min_s: null, gaze_lead_median_s: null, gaze_turn_leads: [] });
  }, 60_000);
});
