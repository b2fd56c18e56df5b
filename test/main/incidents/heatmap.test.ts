import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Incident } from '../../../src/shared/incidents';
import { binHeatmap, heatmapFromIncidents, interventionHeatmap } from '../../../src/main/incidents/heatmap';
import { explainRun } from '../../../src/main/incidents';
import { Recorder } from '../../../src/main/recorder/recorder';
import { HELLO, frame, tempDir } from '../recorder/fixtures';

const T0 = 1_700_000_000;

function incident(kind: Incident['kind'], x: number | null, y = 0): Incident {
  return {
    id: 1, runId: 1, kind, start: T0, end: T0, pose: x === null ? null : { x, y, theta: 0 }, severity: 'low', summary: '', subject: null,
    attribution: { stage: null, evidence: { text: '', numbers: {} } }, trace: [], relatedIncidentId: null,
  };
}

describe('heatmapFromIncidents', () => {
  it('counts interventions and safety stops per cell, row 0 at the smallest y', () => {
    const map = heatmapFromIncidents([
      incident('intervention', 0.1, 0.1),
      incident('safety-stop', 0.12, 0.2),
      incident('intervention', 1.0, 0.5),
      incident('intervention', 1.1, 0.6),
      incident('near-miss', 0.5, 0.5), // not counted: only interventions and stops
      incident('safety-stop', null), // no pose: nowhere to put it
    ], { resolution: 0.25 });
    expect(map).toMatchObject({ frame: 'map', resolution: 0.25, origin: { x: 0, y: 0 }, width: 5, height: 3 });
    const at = (ix: number, iy: number) => iy * map.width + ix;
    expect(map.counts.intervention[at(0, 0)]).toBe(1);
    expect(map.counts.safetyStop[at(0, 0)]).toBe(1);
    expect(map.total[at(0, 0)]).toBe(2);
    expect(map.counts.intervention[at(4, 2)]).toBe(2);
    expect(map.counts.intervention.reduce((a, b) => a + b, 0)).toBe(3);
    expect(map.max).toEqual({ intervention: 2, safetyStop: 1, total: 2 });
    expect(map.events).toEqual({ intervention: 3, safetyStop: 1, outside: 0 });
  });

  it('uses the bounds given, snapped to whole cells, and counts what falls outside', () => {
    const map = heatmapFromIncidents([incident('intervention', -0.9, 0.3), incident('safety-stop', 5, 5)], {
      resolution: 0.5, bounds: { minX: -1.2, minY: -0.2, maxX: 1, maxY: 1 },
    });
    expect(map.origin).toEqual({ x: -1.5, y: -0.5 });
    expect(map.width).toBe(6);
    expect(map.height).toBe(4);
    expect(map.counts.intervention[1 * map.width + 1]).toBe(1);
    expect(map.events).toEqual({ intervention: 1, safetyStop: 0, outside: 1 });
  });

  it('is empty without incidents, and refuses a nonsense resolution', () => {
    const map = heatmapFromIncidents([]);
    expect(map).toMatchObject({ width: 0, height: 0, total: [], max: { total: 0 } });
    expect(() => heatmapFromIncidents([], { resolution: 0 })).toThrow(RangeError);
  });
});

describe('interventionHeatmap', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => { tmp = tempDir(); });
  afterEach(() => tmp.cleanup());

  it('counts by place over every run in the database', async () => {
    const rec = Recorder.open(join(tmp.dir, 'runs.sqlite'));
    // Two runs through the same doorway at x = 2; the robot drives along y = 1 at 0.5 m/s.
    const record = (t0: number, estopAt: number, stopAt: number): number => {
      const id = rec.startRun({ robotName: 'sim-bot', source: 'sim', startedAt: t0 })!;
      rec.recordRobotFrame(frame(HELLO, 0, t0), t0);
      rec.recordMapToOdom({ x: 0, y: 1, theta: 0 }, t0); // odom starts at map (0, 1)
      rec.recordOperatorAction({ action: 'set-goal', goal: { x: 6, y: 1, theta: 0 } }, t0);
      for (let k = 0; k <= 500; k++) {
        const t = t0 + k / 50;
        rec.recordRobotFrame(frame({ type: 'odometry', x: 0.5 * (k / 50), y: 0, theta: 0, v: 0.5, w: 0, lastCommandSeq: 0 }, k + 1, t), t);
      }
      for (let t = stopAt; t <= stopAt + 0.1; t += 0.02) {
        rec.recordSafetyAction({ action: 'stop', reason: 'ttc', ttc: 0.2, scale: 0, requested: { v: 0.5, w: 0 }, commanded: { v: 0, w: 0 }, zone: 'stop', points: [0.3, 0] }, t0 + t);
      }
      rec.recordOperatorAction({ action: 'emergency-stop' }, t0 + estopAt);
      rec.recordOperatorAction({ action: 'release-emergency-stop' }, t0 + estopAt + 1);
      rec.endRun('completed', t0 + 10);
      return id;
    };
    const a = record(T0, 4.1, 2.0); // e-stop at x = 2.05, stop at x = 1.0
    const b = record(T0 + 100, 4.2, 8.0); // e-stop at x = 2.1, stop at x = 4.0
    expect(await rec.flush()).toBe(true);

    const map = interventionHeatmap(rec.store, { resolution: 0.25, bounds: { minX: 0, minY: 0, maxX: 6, maxY: 2 } });
    expect(map.runs).toBe(2);
    expect(map.events).toEqual({ intervention: 2, safetyStop: 2, outside: 0 });
    const cell = (x: number, y: number) => Math.floor(y / 0.25) * map.width + Math.floor(x / 0.25);
    expect(map.counts.intervention[cell(2.05, 1)]).toBe(2); // both e-stops in the doorway cell
    expect(map.counts.safetyStop[cell(1.0, 1)]).toBe(1);
    expect(map.counts.safetyStop[cell(4.0, 1)]).toBe(1);
    expect(map.max.intervention).toBe(2);

    expect(interventionHeatmap(rec.store, { runIds: [b] }).events).toEqual({ intervention: 1, safetyStop: 1, outside: 0 });

    // explainRun stores each run's count in its summary; the heatmap leaves counts alone.
    expect(rec.store.getRun(a).incidents).toBe(0);
    const incidents = explainRun(rec.store, a);
    expect(incidents.map((i) => i.kind)).toEqual(['safety-stop', 'intervention']);
    expect(rec.store.getRun(a).incidents).toBe(2);
    expect(rec.store.listRuns().find((r) => r.id === a)!.incidents).toBe(2);
    await rec.close();
  });
});

describe('heatmap binning', () => {
  it('counts points per cell with a one-cell border', () => {
    const hm = binHeatmap([{ x: 1.1, y: 1.1 }, { x: 1.2, y: 1.3 }, { x: 3.0, y: 1.1 }], 0.5, 1);
    expect(hm.origin).toEqual({ x: 0.5, y: 0.5 });
    expect(hm.max).toBe(2);
    const cell = (x: number, y: number) => hm.counts[Math.floor((y - hm.origin.y) / 0.5) * hm.width + Math.floor((x - hm.origin.x) / 0.5)];
    expect(cell(1.1, 1.1)).toBe(2);
    expect(cell(3.0, 1.1)).toBe(1);
    expect(binHeatmap([], 0.5, 0).width).toBe(0);
  });
});
