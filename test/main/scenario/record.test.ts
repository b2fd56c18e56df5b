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
import { exportRunToMcap } from '../../../src/main/recorder/mcap-export';
import { readMcap } from '../recorder/mcap-read';
import { mapPose } from '../../../src/main/review/frame';
import type { RecordedMapToOdom, RecordedOdometry } from '../../../src/shared/recording';

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

  it('records raw odometry and map → odom, so review and MCAP put a drifting, localized robot where it truly was', { timeout: 60_000 }, async () => {
    const loaded = await loadScenarioFile(join(__dirname, '../../../resources/scenarios/kitchen-to-living.json'));
    if (!loaded.ok) throw new Error(loaded.message);
    const tmp = tempDir();
    try {
      const rec = Recorder.open(join(tmp.dir, 'runs.sqlite'));
      const r = await runScenario(loaded.scenario, {
        drift: 'typical', localization: true, recording: new RunRecording(rec, 1_796_000_000),
      });
      expect(r.success).toBe(true);
      expect(await rec.flush()).toBe(true);
      const [run] = rec.store.listRuns();
      const odometry = [...rec.store.iterateKind(run!.id, 'odometry')] as RecordedOdometry[];
      const m2o = [...rec.store.iterateKind(run!.id, 'map-to-odom')] as RecordedMapToOdom[];
      // The encoders' account, from zero where the robot stood, not the map pose.
      expect(Math.hypot(odometry[0]!.x, odometry[0]!.y)).toBeLessThan(0.01);
      // The placement first, then the filter's corrections as the odometry drifted.
      expect(m2o.length).toBeGreaterThan(5);
      expect(Math.hypot(m2o[0]!.x - loaded.scenario.start.x, m2o[0]!.y - loaded.scenario.start.y)).toBeLessThan(0.01);
      // Review's pose at the end (odometry lifted with the newest map → odom) is where the goal is.
      const end = rec.store.stateAt(run!.id, run!.endedAt!);
      const pose = mapPose(end)!;
      expect(Math.hypot(pose.x - loaded.scenario.goal.x, pose.y - loaded.scenario.goal.y)).toBeLessThan(loaded.scenario.goalToleranceM + 0.1);
      // MCAP carries map → odom as a transform.
      const out = join(tmp.dir, 'run.mcap');
      await exportRunToMcap(rec.store, run!.id, out);
      const tf = await tfParents(out);
      expect(tf.get('map')).toBe(m2o.length);
      expect(tf.get('odom')).toBe(odometry.length);
      await rec.close();
    } finally {
      tmp.cleanup();
    }
  });
});

/** Counts /tf messages by parent frame in an MCAP file. */
async function tfParents(path: string): Promise<Map<string, number>> {
  const { reader, messages, close } = await readMcap(path);
  try {
    const tfChannels = new Set([...reader.channelsById.values()].filter((c) => c.topic === '/tf').map((c) => c.id));
    const counts = new Map<string, number>();
    for (const m of messages) {
      if (!tfChannels.has(m.channelId)) continue;
      const parent = (JSON.parse(new TextDecoder().decode(m.data)) as { parent_frame_id: string }).parent_frame_id;
      counts.set(parent, (counts.get(parent) ?? 0) + 1);
    }
    return counts;
  } finally {
    await close();
  }
}
