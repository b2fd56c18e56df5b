/**
 * A run keeps the map it was driven on: the console records the grid at the run's start (and
 * at each load or save), and `runs export` publishes it on /map without being told which map
 * it was. The operator's and the faults' log lines in the export are plain words.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsoleCore, SAFETY_PERIOD_S } from '../../../src/main/core/console';
import { mapPayload } from '../../../src/main/core/map-file';
import { RunRecording } from '../../../src/main/core/run-recording';
import { Recorder } from '../../../src/main/recorder';
import { exportRunToMcap } from '../../../src/main/recorder/mcap-export';
import { decodeMapRecord, encodeMapRecord } from '../../../src/main/recorder/map-record';
import { recordedRunMaps, resolveRunMaps, type MapSource } from '../../../src/main/recorder/run-maps';
import { InProcessSimDriver } from '../../../src/main/robot/sim-driver';
import { createSimCore } from '../../../src/sim/start';
import { readMcap } from './mcap-read';

const NO_FILES: MapSource = { byName: async () => 'no map library here', byFile: async () => 'no map files here' };

describe('the map in the run log', () => {
  it('round-trips a grid, small for a mostly uniform map, and names what is wrong with a damaged record', () => {
    const grid = { width: 800, height: 800, resolution: 0.05, origin: { x: -20, y: -20 }, data: new Uint8Array(640_000).fill(255) };
    const rec = encodeMapRecord('open floor', grid);
    expect(rec.cellsDeflateBase64.length).toBeLessThan(4000);
    const back = decodeMapRecord(JSON.parse(JSON.stringify(rec)));
    expect(typeof back).not.toBe('string');
    const g = (back as { grid: typeof grid }).grid;
    expect({ ...g, data: null }).toEqual({ ...grid, data: null });
    expect(Buffer.compare(Buffer.from(g.data), Buffer.from(grid.data))).toBe(0);
    expect(decodeMapRecord({ ...rec, width: 799 })).toMatch(/cells for 799/);
    expect(decodeMapRecord({ ...rec, cellsDeflateBase64: 'not deflate' })).toMatch(/inflate/);
    expect(decodeMapRecord(null)).toBe('not a map record');
  });

  it('is recorded by the console and exported on /map without --map; log lines are plain words', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fs-map-rec-'));
    const db = join(dir, 'runs.sqlite');
    const sim = createSimCore({ seed: 1, people: 0, config: { startPose: { x: 1.2, y: 4.6, theta: 0 } } });
    const driver = new InProcessSimDriver(sim, { commandTransitS: 0.01 });
    const recording = new RunRecording(Recorder.open(db), 1_796_000_000, false);
    const core = new ConsoleCore({ clock: () => sim.time, driverFactory: async () => driver, timers: false, map: mapPayload('apartment', sim.world.grid), recording });
    await core.connect({ kind: 'sim', initialPose: { x: 1.2, y: 4.6, theta: 0 } });
    for (let i = 0; i < 100; i++) {
      if (i % Math.round(SAFETY_PERIOD_S / 0.01) === 0) core.tick();
      driver.step(0.01);
    }
    core.emergencyStop();
    await core.setGoal({ x: 2, y: 4.6, theta: 0 }); // refused: the e-stop is engaged
    await core.shutdown();

    const store = Recorder.open(db);
    try {
      const runId = store.store.listRuns()[0]!.id;
      const recorded = recordedRunMaps(store.store, runId);
      expect(recorded.problems).toEqual([]);
      expect(recorded.maps).toHaveLength(1);
      expect(recorded.maps[0]!.name).toBe('apartment');
      expect(Buffer.compare(Buffer.from(recorded.maps[0]!.grid.data), Buffer.from(sim.world.grid.data))).toBe(0);

      // No map library or file is needed: the run has its map.
      const resolved = await resolveRunMaps(store.store, runId, NO_FILES);
      const out = join(dir, 'run.mcap');
      await exportRunToMcap(store.store, runId, out, { maps: resolved.maps });
      const { messages, reader, close } = await readMcap(out);
      try {
        const topicOf = new Map([...reader.channelsById.values()].map((c) => [c.id, c.topic]));
        const on = (topic: string) => messages.filter((m) => topicOf.get(m.channelId) === topic).map((m) => JSON.parse(new TextDecoder().decode(m.data)) as Record<string, unknown>);
        const grids = on('/map');
        expect(grids).toHaveLength(1);
        expect(grids[0]!.column_count).toBe(sim.world.grid.width);
        expect(grids[0]!.cell_size).toEqual({ x: sim.world.grid.resolution, y: sim.world.grid.resolution });
        const logs = on('/events').map((l) => String(l.message));
        expect(logs.some((m) => m.startsWith('operator emergency-stop'))).toBe(true);
        expect(logs.filter((m) => /[{}"]/.test(m))).toEqual([]);
      } finally {
        await close();
      }
    } finally {
      await store.close();
    }
  });
});
