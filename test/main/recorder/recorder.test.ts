import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Recorder } from '../../../src/main/recorder/recorder';
import { RunStore } from '../../../src/main/recorder/run-store';
import { NoSuchRunError, RunInProgressError } from '../../../src/main/recorder/errors';
import { HELLO, simulateSession, tempDir } from './fixtures';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => { tmp = tempDir(); });
afterEach(() => tmp.cleanup());

const T0 = 1_700_000_000;

describe('Recorder', () => {
  it('records a run through the writer thread and reads it back', async () => {
    const path = join(tmp.dir, 'runs.sqlite');
    const rec = Recorder.open(path);
    const id = rec.startRun({ robotName: 'sim-bot', source: 'sim', startedAt: T0 });
    expect(id).toBe(1);
    expect(rec.status().message).toBe('recording: ok (run 1)');
    const counts = simulateSession(rec, T0, 4);
    rec.endRun('completed', T0 + 4);
    expect(await rec.flush()).toBe(true);

    const store = rec.store;
    const [run] = store.listRuns();
    expect(run).toMatchObject({ id: 1, robotName: 'sim-bot', source: 'sim', outcome: 'completed', incidents: 0, tags: [], name: '' });
    expect(run!.durationS).toBeCloseTo(4, 6);
    // 0.5 m/s for 4 s, minus the last 20 ms step that never happened.
    expect(run!.distanceM).toBeCloseTo(0.5 * (199 / 50), 6);

    const n = store.countRecords(1);
    expect(n).toEqual({
      'odometry': counts.odometry, 'laser-scan': counts.scans, 'robot-message': counts.hello + counts.status + counts.screen,
      'command': counts.velocity, 'planner-cycle': counts.cycles, 'candidates': counts.candidates, 'guidance-path': counts.guidance,
      'predictions': counts.predictions, 'safety': counts.safety, 'operator': counts.operator, 'link': counts.link,
      'map-to-odom': counts.mapToOdom, 'generic': counts.generic,
    });
    expect(rec.status().writtenRecords).toBe(Object.values(n).reduce((a, b) => a + b, 0) + 1 /* run end */);

    // State at an instant: newest of each kind at or before t, decoded.
    const s = store.stateAt(1, T0 + 2.01);
    expect(s.robot).toEqual(HELLO);
    expect(s.odometry!.t).toBeCloseTo(T0 + 2.0, 6);
    expect(s.odometry!.x).toBeCloseTo(1.0, 6);
    expect(s.scan!.t).toBeCloseTo(T0 + 2.0, 6);
    expect(s.scan!.ranges).toHaveLength(360);
    expect(s.scan!.ranges[10]).toBeCloseTo(2 + Math.sin(1 + 1), 5);
    expect(s.plannerCycle!.chosen).toHaveLength(30);
    expect(s.plannerCycle!.goal).toEqual({ x: 20, y: 0, theta: 0 });
    expect(s.candidates!.termNames).toEqual(['progress', 'collision', 'smoothness', 'clearance']);
    expect(s.candidates!.candidates).toHaveLength(50);
    expect(s.candidates!.candidates[0]!.points).toHaveLength(32); // decimated to 16 points
    expect(s.guidancePath!.points).toHaveLength(6);
    expect(s.predictions!.people[0]).toMatchObject({ id: 7, futures: [{ points: expect.any(Array) }, { points: expect.any(Array) }] });
    expect(s.safety).toMatchObject({ action: 'scale', reason: 'person 1.2 m ahead', zone: 'slow', commanded: { v: 0.3, w: 0 } });
    expect(s.status?.batteryPercent).toBe(80);
    expect(s.command).toMatchObject({ type: 'velocity', v: 0.5 });
    expect(s.mapToOdom).toMatchObject({ x: 1, y: 2 });
    // Before the run: nothing but the robot description.
    expect(store.stateAt(1, T0 - 1).odometry).toBeNull();

    // Records by time range and kind, time-ordered.
    const slice = store.records(1, { from: T0 + 1, to: T0 + 1.5, kinds: ['odometry', 'link', 'safety'] });
    expect(slice.filter((r) => r.kind === 'odometry')).toHaveLength(26);
    expect(slice.every((r, i) => i === 0 || r.t >= slice[i - 1]!.t)).toBe(true);
    expect(slice.find((r) => r.kind === 'safety')).toBeTruthy();
    const link = store.records(1, { kinds: ['link', 'generic', 'operator'] });
    expect(link[0]).toMatchObject({ kind: 'operator', action: 'connect', detail: 'sim' });
    expect(link).toContainEqual({ kind: 'link', t: T0 + 2, event: 'bad-frame', message: 'CRC mismatch', reason: 'crc' });
    expect(link).toContainEqual({ kind: 'generic', t: T0 + 2, type: 'gaze', data: { x: 1, y: 2 } });

    await rec.close();
    expect(rec.status().state).toBe('closed');
  });

  it('ignores records outside a run, never throws on bad input, and ends an open run on close', async () => {
    const path = join(tmp.dir, 'runs.sqlite');
    const rec = Recorder.open(path);
    const events: string[] = [];
    rec.onEvent((e) => events.push(e.message));
    rec.record('before-run', { a: 1 });
    rec.startRun({ robotName: 'r', source: 'sim', startedAt: T0 });
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(() => rec.record('bad', circular, T0 + 1)).not.toThrow();
    expect(events.some((m) => m.includes('could not be encoded'))).toBe(true);
    rec.record('good', [1, 2], T0 + 1);
    await rec.close();
    const store = RunStore.open(path);
    expect(store.listRuns()[0]).toMatchObject({ outcome: 'aborted' });
    expect(store.countRecords(1).generic).toBe(1);
    store.close();
  });

  it('renames, tags and deletes runs; refuses to delete a run being recorded', async () => {
    const path = join(tmp.dir, 'runs.sqlite');
    const rec = Recorder.open(path);
    rec.startRun({ robotName: 'r', source: 'sim', startedAt: T0 });
    simulateSession(rec, T0, 1, { candidates: 5 });
    rec.endRun('goal-reached', T0 + 1);
    rec.startRun({ robotName: 'r', source: 'sim', startedAt: T0 + 10 });
    simulateSession(rec, T0 + 10, 1, { candidates: 5 });
    await rec.flush();
    const store = rec.store;
    expect(store.listRuns().map((r) => r.id)).toEqual([2, 1]);
    store.renameRun(1, '  hallway test ');
    store.setTags(1, ['hallway', 'people', 'hallway', ' ']);
    expect(store.getRun(1)).toMatchObject({ name: 'hallway test', tags: ['hallway', 'people'] });
    expect(() => store.renameRun(99, 'x')).toThrow(NoSuchRunError);
    expect(() => store.deleteRun(2)).toThrow(RunInProgressError);

    store.deleteRun(1);
    expect(() => store.getRun(1)).toThrow(NoSuchRunError);
    const db = new Database(path, { readonly: true });
    for (const table of ['odometry', 'scans', 'candidate_samples', 'events', 'run_tags']) {
      expect((db.prepare(`SELECT count(*) AS n FROM ${table} WHERE run_id = 1`).get() as { n: number }).n).toBe(0);
    }
    expect((db.prepare('SELECT count(*) AS n FROM odometry WHERE run_id = 2').get() as { n: number }).n).toBeGreaterThan(0);
    db.close();
    await rec.close();
  });
});
