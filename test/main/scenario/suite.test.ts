/**
 * The built-in scenario suite (resources/scenarios, every file but the people-* ones, which
 * have their own evaluation): each run closed loop must reach its goal with zero
 * collisions, and replan where the file expects it (dead ends).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../../src/main/scenario/run-scenario';
import { loadScenarioFile } from '../../../src/main/scenario/scenario-file';

const DIR = join(__dirname, '../../../resources/scenarios');
/**
 * Scenarios the planner does not pass yet, with why. `it.fails` keeps them honest: the
 * test goes red as soon as the run succeeds (move the file out of this list then).
 */
const KNOWN_FAILING: Record<string, string> = {
  // Stops without collision, then wedges between the box and the wall (a rear corner would
  // sweep the box on any turn) and gives up on no progress after 16.7 s. Planner work.
  'box-ahead-hallway.json': 'recovers from the surprise box without collision but does not reach the goal',
};

const FILES = readdirSync(DIR)
  .filter((f) => f.endsWith('.json') && !f.startsWith('people-'))
  .sort();

describe('scenario suite', () => {
  it('has room-to-room runs, a narrow doorway, a dead end and a surprise box', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(7);
  });

  for (const file of FILES) {
    const known = KNOWN_FAILING[file];
    (known ? it.fails : it)(known ? `${file} (known failing: ${known})` : file, { timeout: 120_000 }, async () => {
      const loaded = await loadScenarioFile(join(DIR, file));
      if (!loaded.ok) throw new Error(loaded.message);
      const s = loaded.scenario;
      expect(s.description.length).toBeGreaterThan(20);
      const report = runScenario(s);
      const summary = `${s.name}: ${report.outcome} ${report.message ?? ''} at ${report.time_s.toFixed(1)} s`;
      expect(report.collisions, summary).toBe(0);
      expect(report.success, summary).toBe(true);
      if (s.expect.replan) expect(report.replans, summary).toBeGreaterThan(0);
    });
  }
});
