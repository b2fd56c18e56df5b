/**
 * Review handlers over a real temp SQLite file with a run recorded through the Recorder.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { RunStore } from '../../../src/main/recorder/run-store';
import { createReviewHandlers, type ReviewHandlers } from '../../../src/main/review/handlers';
import { ZoneStore, ZoneStoreError, zonesPathFor } from '../../../src/main/review/zones';
import { basicIncidents } from '../../../src/main/incidents';
import { validateRequest } from '../../../src/main/api/validate';
import type { Zone } from '../../../src/shared/api';
import { incidentBlame, incidentEvidence, incidentLabel } from '../../../src/shared/incidents';
import { tempDir } from '../recorder/fixtures';
import { GOAL, MARKS, RUN_DURATION_S, RUN_T0, START, recordReviewRun, robotX } from './recorded-run';

let tmp: ReturnType<typeof tempDir>;
let store: RunStore;
let zones: ZoneStore;
let h: ReviewHandlers;
let runId: number;
let secondRun: number;
const changed: Zone[][] = [];

beforeAll(async () => {
  tmp = tempDir();
  const db = join(tmp.dir, 'runs.sqlite');
  runId = (await recordReviewRun(db)).runId;
  secondRun = (await recordReviewRun(db, { t0: RUN_T0 + 3600, durationS: 25 })).runId;
  store = RunStore.open(db, { quickCheck: false });
  zones = ZoneStore.open(zonesPathFor(db), () => RUN_T0);
  h = createReviewHandlers({ store, zones, onZonesChanged: (z) => changed.push(z) });
}, 60_000);

afterAll(() => {
  store?.close();
  zones?.close();
  tmp?.cleanup();
});

describe('runs', () => {
  it('lists, searches, renames, tags and deletes', async () => {
    const all = await h.listRuns(null);
    expect(all.map((r) => r.incidents)).toEqual([expect.any(Number), 4]);
    expect(all.map((r) => r.id)).toEqual([secondRun, runId]);
    expect(all[1]!.durationS).toBeCloseTo(RUN_DURATION_S, 3);
    expect(all[1]!.distanceM).toBeGreaterThan(5);
    expect(await h.renameRun({ runId, name: '  hallway yield  ' })).toEqual({ ok: true });
    expect(await h.tagRun({ runId, tags: ['people', 'hallway', 'people'] })).toEqual({ ok: true });
    expect((await h.getRun({ runId })).name).toBe('hallway yield');
    expect((await h.listRuns({ search: 'hallway' })).map((r) => r.id)).toEqual([runId]);
    expect((await h.listRuns({ search: 'YIELD sim-bot' })).map((r) => r.id)).toEqual([runId]);
    expect((await h.listRuns({ tag: 'people' })).map((r) => r.id)).toEqual([runId]);
    expect(await h.listRuns({ tag: 'nope' })).toEqual([]);
    expect(await h.renameRun({ runId: 999, name: 'x' })).toEqual({ ok: false, error: 'no run with id 999' });
    await expect(h.getRun({ runId: 999 })).rejects.toThrow(/no run with id 999/);
  });

  it('explains incidents and places markers', async () => {
    const incidents = await h.getIncidents({ runId });
    const kinds = incidents.map((i) => i.intervention ?? i.kind);
    expect(kinds).toEqual(['safety-stop', 'link-loss', 'emergency-stop', 'teleop']);
    expect(incidents.map((i) => i.id)).toEqual([1, 2, 3, 4]);
    expect(incidents.map(incidentLabel)).toEqual(['Safety stop', 'Link lost', 'Emergency stop', 'Teleop during autonomy']);
    const stop = incidents[0]!;
    expect(stop.start).toBeCloseTo(RUN_T0 + MARKS.safetyStop, 6);
    expect(stop.summary).toContain('person 0.6 m ahead in the stop zone');
    // The decision trace runs from the link to the stage blamed.
    expect(stop.trace[0]?.stage).toBe('link');
    expect(stop.trace.find((c) => c.verdict === 'failed')?.stage).toBe(incidentBlame(stop));
    expect(stop.pose!.x).toBeCloseTo(robotX(MARKS.safetyStop), 1);
    expect(stop.pose!.y).toBeCloseTo(START.y, 6);
    expect(incidentBlame(incidents[1]!)).toBe('link');
    expect(incidents[1]!.summary).toContain('1.4 s');
    expect(incidents[2]!.summary).toMatch(/emergency stop/);
    expect(incidentBlame(incidents[3]!)).toBe('operator');

    const tl = await h.getRunTimeline({ runId });
    expect(tl.startT).toBe(RUN_T0);
    expect(tl.durationS).toBeCloseTo(RUN_DURATION_S, 6);
    // Each raw stop/loss is carried by its incident marker, not repeated.
    expect(tl.markers.map((m) => m.kind)).toEqual(['incident', 'incident', 'incident', 'incident']);
    expect(tl.markers.map((m) => m.incidentId)).toEqual(incidents.map((i) => i.id));
    expect(tl.markers[2]!.label).toBe('Emergency stop');
  });

  it('the basic finder (fallback) finds the same events', async () => {
    const basic = createReviewHandlers({ store, zones: null, explain: basicIncidents });
    const incidents = await basic.getIncidents({ runId });
    expect(incidents.map((i) => i.intervention ?? i.kind)).toEqual(['safety-stop', 'link-loss', 'emergency-stop', 'teleop']);
    expect(incidents.map((i) => i.id)).toEqual([1, 2, 3, 4]);
    expect(incidentEvidence(incidents[0]!).join('\n')).toMatch(/stopped for 1\.5 s/);
    expect((await basic.getRunTimeline({ runId })).markers).toHaveLength(4);
    const hm = await basic.getHeatmap(null);
    expect(hm.events).toBeGreaterThanOrEqual(3);
  });

  it('builds a ConsoleSnapshot-shaped frame at any instant', async () => {
    const t = RUN_T0 + 10.03;
    const f = await h.getRunFrame({ runId, t });
    const s = f.snapshot;
    expect(f.t).toBe(t);
    expect(s.t).toBe(t);
    expect(s.robot?.name).toBe('sim-bot');
    expect(s.pose!.x).toBeCloseTo(robotX(10.02), 3);
    expect(s.pose!.y).toBeCloseTo(START.y, 6);
    expect(s.scan.length).toBeGreaterThan(300);
    // Scan points lie on the hallway walls or the person.
    for (let i = 1; i < s.scan.length; i += 2) expect(s.scan[i]! >= 3.85 && s.scan[i]! <= 5.35).toBe(true);
    expect(s.chosen!.points.length).toBe(24);
    expect(s.candidates.length).toBe(24);
    expect(s.globalPath).toEqual([START.x, START.y, 6, 4.6, GOAL.x, GOAL.y].map((v) => Math.fround(v)));
    expect(s.people).toHaveLength(1);
    expect(s.people[0]!.futures).toHaveLength(2);
    expect(s.goal).toEqual(GOAL);
    expect(s.motion).toBe('autonomy');
    expect(s.link.state).toBe('connected');
    expect(s.emergencyStop).toBe(false);

    const stopped = (await h.getRunFrame({ runId, t: RUN_T0 + MARKS.safetyStop + 0.5 })).snapshot;
    expect(stopped.safety?.action).toBe('stop');
    expect((await h.getRunFrame({ runId, t: RUN_T0 + 35.5 })).snapshot.link.state).toBe('lost');
    expect((await h.getRunFrame({ runId, t: RUN_T0 + 46 })).snapshot.emergencyStop).toBe(true);
    expect((await h.getRunFrame({ runId, t: RUN_T0 + 48.5 })).snapshot.emergencyStop).toBe(false);
    // Out of range: clamped to the run.
    expect((await h.getRunFrame({ runId, t: RUN_T0 - 100 })).t).toBe(RUN_T0);
    expect((await h.getRunFrame({ runId, t: RUN_T0 + 1e6 })).t).toBeCloseTo(RUN_T0 + RUN_DURATION_S, 6);
  });

  it('seeks quickly (indexed lookups)', async () => {
    const times: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t = RUN_T0 + ((i * 7.3) % RUN_DURATION_S);
      const a = performance.now();
      await h.getRunFrame({ runId, t });
      times.push(performance.now() - a);
    }
    times.sort((a, b) => a - b);
    expect(times[Math.floor(times.length * 0.95)]!).toBeLessThan(50);
  });

  it('reduces records to plot series that keep the extremes', async () => {
    const s = await h.getRunSeries({ runId, points: 200 });
    expect(s.t).toHaveLength(200);
    for (const k of ['speed', 'clearance', 'cycleMs', 'risk'] as const) expect(s[k]).toHaveLength(200);
    const at = (sec: number) => Math.floor((sec / RUN_DURATION_S) * 200);
    expect(s.speed[at(10)]!).toBeCloseTo(0.16, 2);
    expect(s.speed[at(20.5)]!).toBeCloseTo(0, 6);
    // The slow cycle near the stop (40 ms) survives decimation.
    expect(Math.max(...s.cycleMs.filter((v): v is number => v !== null))).toBeGreaterThan(35);
    // Link lost: no odometry, so no speed sample.
    expect(s.speed[at(35.5)]).toBeNull();
    const clear = s.clearance.filter((v): v is number => v !== null);
    expect(Math.min(...clear)).toBeLessThan(0.8);
    expect(Math.max(...s.risk.filter((v): v is number => v !== null))).toBeGreaterThan(0.5);
    // Where the run went, on the map: odometry (recorded in odom, from 0) lifted by the
    // placement, from the start along the hallway to where it stopped, and the goal.
    expect(s.extent).not.toBeNull();
    expect(s.extent!.minX).toBeCloseTo(START.x, 2);
    expect(s.extent!.maxX).toBeCloseTo(Math.max(robotX(RUN_DURATION_S), GOAL.x), 2);
    expect(s.extent!.minY).toBeCloseTo(Math.min(START.y, GOAL.y), 2);
    expect(s.extent!.maxY).toBeCloseTo(Math.max(START.y, GOAL.y), 2);
  });

  it('draws a heatmap from incidents over all runs', async () => {
    const hm = await h.getHeatmap(null);
    expect(hm.cellSize).toBe(0.5);
    expect(hm.runs).toBe(2);
    expect(hm.events).toBeGreaterThanOrEqual(4); // link losses are not counted
    expect(hm.counts.reduce((a, b) => a + b, 0)).toBe(hm.events);
    const stopX = robotX(MARKS.safetyStop);
    const i = Math.floor((stopX - hm.origin.x) / hm.cellSize);
    const j = Math.floor((START.y - hm.origin.y) / hm.cellSize);
    expect(hm.counts[j * hm.width + i]!).toBeGreaterThanOrEqual(1);
  });

  it('deletes a finished run', async () => {
    expect(await h.deleteRun({ runId: secondRun })).toEqual({ ok: true });
    expect((await h.listRuns(null)).map((r) => r.id)).toEqual([runId]);
    expect((await h.deleteRun({ runId: secondRun })).ok).toBe(false);
  });
});

describe('zones', () => {
  it('saves, lists, replaces and deletes zones and tells the planners', async () => {
    const square = [5, 4, 6, 4, 6, 5, 5, 5];
    const saved = await h.saveZone({ name: 'Kitchen door', kind: 'slow', slowSpeed: 0.2, polygon: square });
    expect(saved.ok).toBe(true);
    if (!saved.ok) return;
    expect(saved.zone).toMatchObject({ name: 'Kitchen door', kind: 'slow', slowSpeed: 0.2, polygon: square, createdAt: RUN_T0 });
    // Clockwise input is stored counter-clockwise.
    const cw = await h.saveZone({ name: 'Rug', kind: 'keep-out', polygon: [1, 1, 1, 2, 2, 2, 2, 1, 1, 1] });
    expect(cw.ok && cw.zone.polygon).toEqual([2, 1, 2, 2, 1, 2, 1, 1]);
    expect(cw.ok && cw.zone.slowSpeed).toBeNull();
    expect((await h.listZones(null)).map((z) => z.name)).toEqual(['Kitchen door', 'Rug']);
    const replaced = await h.saveZone({ id: saved.zone.id, name: 'Kitchen door', kind: 'keep-out', polygon: square });
    expect(replaced.ok && replaced.zone.kind).toBe('keep-out');
    expect(await h.deleteZone({ id: saved.zone.id })).toEqual({ ok: true });
    expect(await h.deleteZone({ id: saved.zone.id })).toEqual({ ok: false, error: `no zone with id ${saved.zone.id}` });
    expect(changed.map((z) => z.length)).toEqual([1, 2, 2, 1]);
  });

  it('refuses bad polygons with a plain message', async () => {
    expect(await h.saveZone({ name: 'bow tie', kind: 'keep-out', polygon: [0, 0, 1, 1, 1, 0, 0, 1] })).toEqual({ ok: false, error: "the zone's edges cross each other" });
    expect(await h.saveZone({ name: 'line', kind: 'keep-out', polygon: [0, 0, 1, 1, 2, 2] })).toEqual({ ok: false, error: 'the zone has no area' });
    expect(await h.saveZone({ name: 'slow', kind: 'slow', polygon: [0, 0, 1, 0, 1, 1] })).toEqual({ ok: false, error: 'a slow zone needs a speed limit above 0 m/s' });
    expect(validateRequest('saveZone', { name: 'x', kind: 'slow', polygon: [0, 0, 1] }).ok).toBe(false);
    expect(validateRequest('saveZone', { name: 'x', kind: 'nope', polygon: [0, 0, 1, 0, 1, 1] }).ok).toBe(false);
    expect(validateRequest('getRunFrame', { runId: 1, t: Number.NaN }).ok).toBe(false);
    expect(validateRequest('listRuns', undefined)).toEqual({ ok: true, method: 'listRuns', req: null });
  });

  it('refuses a zones file that is not ours and leaves it untouched', () => {
    const foreign = join(tmp.dir, 'foreign.sqlite');
    writeFileSync(foreign, 'not a database at all, just text that is long enough to not be empty..........................................');
    expect(() => ZoneStore.open(foreign)).toThrow(ZoneStoreError);
    expect(zonesPathFor('/data/runs.sqlite')).toBe('/data/runs.zones.sqlite');
  });
});

describe('without a run database', () => {
  it('lists nothing and explains why', async () => {
    const none = createReviewHandlers({ store: null, zones: null });
    expect(await none.listRuns(null)).toEqual([]);
    await expect(none.getRunTimeline({ runId: 1 })).rejects.toThrow(/recording is off/);
    expect(await none.listZones(null)).toEqual([]);
    expect((await none.saveZone({ name: 'a', kind: 'keep-out', polygon: [0, 0, 1, 0, 1, 1] })).ok).toBe(false);
    expect((await none.getHeatmap(null)).events).toBe(0);
  });
});
