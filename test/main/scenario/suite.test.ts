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
const FILES = readdirSync(DIR)
  .filter((f) => f.endsWith('.json') && !f.startsWith('people-'))
  .sort();

describe('scenario suite', () => {
  it('has room-to-room runs, a narrow doorway, a dead end and a surprise box', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(7);
  });

  for (const file of FILES) {
    it(file, { timeout: 120_000 }, async () => {
      const loaded = await loadScenarioFile(join(DIR, file));
      if (!loaded.ok) throw new Error(loaded.message);
      const s = loaded.scenario;
      expect(s.description.length).toBeGreaterThan(20);
      const report = await runScenario(s);
      const summary = `${s.name}: ${report.outcome} ${report.message ?? ''} at ${report.time_s.toFixed(1)} s`;
      expect(report.collisions, summary).toBe(0);
      expect(report.success, summary).toBe(true);
      if (s.expect.replan) expect(report.replans, summary).toBeGreaterThan(0);
    });
  }
});
