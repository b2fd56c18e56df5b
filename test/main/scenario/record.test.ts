/**
 * A recorded scenario run is the same run: recording goes through the console's own
 * RunRecording (dated from a real start time), while the loop stays on sim time from 0.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Recorder } from '../../../src/main/recorder';
import { RunRecording } from '../../../src/main/core/run-recording';
import { loadScenarioFile } from '../../../src/main/scenario/scenario-file';
import { runScenario } from '../../../src/main/scenario/run-scenario';
import { tempDir } from '../recorder/fixtures';

describe('scenario run --record', () => {
  it('records the run as a live session without changing it', { timeout: 60_000 }, async () => {
    const loaded = await loadScenarioFile(join(__dirname, '../../../resources/scenarios/kitchen-to-living.json'));
    if (!loaded.ok) throw new Error(loaded.message);
    const plain = await runScenario(loaded.scenario);
    const tmp = tempDir();
    try {
      const rec = Recorder.open(join(tmp.dir, 'runs.sqlite'));
      const startedAt = 1_796_000_000;
      const recorded = await runScenario(loaded.scenario, { recording: new RunRecording(rec, startedAt) });
      expect(recorded).toEqual(plain);
      expect(await rec.flush()).toBe(true);
      const [run] = rec.store.listRuns();
      expect(run).toMatchObject({ robotName: 'foresight-sim', source: 'scenario:kitchen-to-living', outcome: 'goal-reached' });
      expect(run!.startedAt).toBeGreaterThanOrEqual(startedAt);
      expect(run!.endedAt! - startedAt).toBeCloseTo(plain.time_s, 1);
      await rec.close();
    } finally {
      tmp.cleanup();
    }
  });
});
