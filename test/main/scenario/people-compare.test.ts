import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { captureOutput } from '../../support/capture-output';
import scenarioCommand from '../../../src/main/cli/commands/scenario';
import { UsageError } from '../../../src/main/cli/command';
import { formatComparisonTable, type ScenarioComparison } from '../../../src/main/scenario/people-compare';

let dir: string;
/**
 * A short run for the output contract: 2.5 m across the living room while someone crosses
 * 1.5 m ahead (triggered as the robot sets off), so both predictors see a person.
 */
const SHORT = {
  name: 'short-crossing',
  seed: 3,
  start: { x: 1.0, y: 3.0, theta: 0 },
  goal: { x: 3.5, y: 3.0, theta: 0 },
  timeLimitS: 20,
  people: [{ trigger: { robotWithinM: 1.9, of: { x: 2.7, y: 3.0 } }, waypoints: [{ x: 4.6, y: 3.5 }, { x: 4.6, y: 1.6 }], speed: 1.0, atEnd: 'stay' }],
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'scenario-compare-'));
  writeFileSync(join(dir, 'short.json'), JSON.stringify(SHORT));
  writeFileSync(join(dir, 'broken.json'), JSON.stringify({ ...SHORT, start: { x: 'west' } }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

afterEach(() => vi.restoreAllMocks());

const RUN_KEYS = [
  'success',
  'outcome',
  'collisions',
  'time_s',
  'min_person_distance_m',
  'rms_jerk',
  'stops',
  'safety_stops',
  'gaze_turns',
  'gaze_turns_missed',
  'gaze_lead_min_s',
  'gaze_lead_median_s',
];

describe('foresight scenario compare', () => {
  it('--json prints one line per scenario with both predictors and the contract fields; a broken file is named on stderr', async () => {
    const io = captureOutput();
    const code = await scenarioCommand.run(['compare', join(dir, 'short.json'), join(dir, 'broken.json'), '--json']);
    const lines = io.out().split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1);
    const row = JSON.parse(lines[0]!);
    expect(Object.keys(row)).toEqual(['scenario', 'default_predictor', 'runs']);
    expect(row.scenario).toBe('short-crossing');
    expect(row.default_predictor).toBe('social');
    expect(Object.keys(row.runs)).toEqual(['social', 'cv']);
    for (const model of ['social', 'cv']) {
      const m = row.runs[model];
      expect(Object.keys(m)).toEqual(RUN_KEYS);
      expect(typeof m.success).toBe('boolean');
      expect(m.time_s).toBeGreaterThan(0);
      expect(m.time_s).toBeLessThanOrEqual(SHORT.timeLimitS + 0.01);
      expect(m.min_person_distance_m).toBeGreaterThanOrEqual(0); // a person was there: a number, not null
      expect(m.rms_jerk).toBeGreaterThanOrEqual(0);
      expect(Number.isInteger(m.stops)).toBe(true);
      expect(Number.isInteger(m.gaze_turns)).toBe(true);
      if (m.gaze_turns === 0) expect(m.gaze_lead_min_s).toBeNull();
    }
    expect(io.err()).toMatch(/broken\.json: start\.x/);
    expect(code).toBe(1); // the broken file
  }, 60_000);

  it('rejects --predictor (compare runs both) and unknown verbs', async () => {
    await expect(scenarioCommand.run(['compare', join(dir, 'short.json'), '--predictor', 'cv'])).rejects.toBeInstanceOf(UsageError);
    await expect(scenarioCommand.run(['contrast', join(dir, 'short.json')])).rejects.toBeInstanceOf(UsageError);
  });

  it('the human table has a row per scenario and predictor, the default marked, lead as min/median (turns)', () => {
    const metrics = {
      success: true,
      outcome: 'reached' as const,
      collisions: 0,
      time_s: 8.4,
      min_person_distance_m: 0.323,
      rms_jerk: 1.5,
      stops: 0,
      safety_stops: 0,
      gaze_turns: 2,
      gaze_turns_missed: 0,
      gaze_lead_min_s: 0.62,
      gaze_lead_median_s: 0.9,
    };
    const rows: ScenarioComparison[] = [
      { scenario: 'people-crossing', default_predictor: 'social', runs: { social: metrics, cv: { ...metrics, success: false, outcome: 'timeout', collisions: 1, gaze_turns: 0, gaze_lead_min_s: null, gaze_lead_median_s: null } } },
    ];
    const lines = formatComparisonTable(rows).split('\n');
    expect(lines[0]).toMatch(/^scenario\s+predictor\s+result\s+time s\s+min dist m\s+RMS jerk\s+stops\s+gaze lead min\/med s \(turns\)$/);
    expect(lines[2]).toMatch(/^people-crossing\s+social \*\s+reached\s+8\.40\s+0\.323\s+1\.500\s+0\s+0\.62\/0\.90 \(2\)$/);
    expect(lines[3]).toMatch(/^\s+cv\s+FAILED \(timeout, 1 coll\.\)\s+8\.40\s+0\.323\s+1\.500\s+0\s+— \(0\)$/);
  });
});
