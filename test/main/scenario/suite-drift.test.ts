/**
 * The scenario suite on a robot whose odometry drifts (the reference robot's own wheel-scale
 * error, slip and noise, odometry starting at zero) and whose lidar drops beams: with the
 * console's localization on, every scenario is reached again, without collisions, with the
 * console's pose within 5 cm and 2° RMS of the truth and localization never lost.
 * (Without localization the same drift fails the suite: suite-drift-off.test.ts.)
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../../src/main/scenario/run-scenario';
import { loadScenarioFile } from '../../../src/main/scenario/scenario-file';

const DIR = join(__dirname, '../../../resources/scenarios');
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();

describe('scenario suite with drift, localizing', () => {
  for (const file of FILES) {
    it(file, { timeout: 120_000 }, async () => {
      const loaded = await loadScenarioFile(join(DIR, file));
      if (!loaded.ok) throw new Error(loaded.message);
      const s = loaded.scenario;
      const r = await runScenario(s, { drift: 'typical', localization: true });
      const summary = `${s.name}: ${r.outcome} ${r.message ?? ''} at ${r.time_s.toFixed(1)} s, pose error RMS ${(r.pose_error_rms_m * 100).toFixed(1)} cm ${r.heading_error_rms_deg.toFixed(2)}°`;
      expect(r.collisions, summary).toBe(0);
      expect(r.success, summary).toBe(true);
      expect(r.pose_error_rms_m, summary).toBeLessThanOrEqual(0.05);
      expect(r.heading_error_rms_deg, summary).toBeLessThanOrEqual(2);
      expect(r.localization_lost, summary).toBe(0);
      if (s.expect.minPersonClearanceM !== undefined) expect(r.min_person_clearance_m, summary).toBeGreaterThanOrEqual(s.expect.minPersonClearanceM);
    });
  }
});
