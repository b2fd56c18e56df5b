/** Maps on disk: saved as map_server files any ROS tool reads, listed, loaded back, damage named. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MapLibrary } from '../../../src/main/localization/maps';
import { parseRosMap } from '../../../src/planner/grid';
import type { OccupancyGrid } from '../../../src/shared/grid';
import type { PoseGraphData } from '../../../src/planner/slam/types';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'foresight-maps-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A 4 × 3 grid: free, occupied and unknown cells in known places (row 0 = smallest y). */
function smallGrid(): OccupancyGrid {
  return { width: 4, height: 3, resolution: 0.05, origin: { x: -1.5, y: 2.25 }, data: Uint8Array.from([0, 100, 255, 0, 0, 0, 100, 255, 255, 255, 0, 100]) };
}

const graph: PoseGraphData = {
  format: 'foresight-pose-graph',
  version: 1,
  nodes: [{ id: 0, time: 1.5, pose: { x: 1, y: 2, theta: 0.3 }, odom: { x: 0, y: 0, theta: 0 }, mount: { x: 0.1, y: 0, theta: 0 }, scan: { time: 1.5, ranges: Float32Array.from([1, Infinity, 2.5]), angleMin: -1, angleIncrement: 1, rangeMin: 0.1, rangeMax: 8 } }],
  edges: [],
};

describe('MapLibrary', () => {
  it('saves a map that map_server reads back cell for cell, with its pose graph', async () => {
    const user = tempDir();
    const lib = new MapLibrary(join(process.cwd(), 'resources', 'maps'), user);
    const path = await lib.save('home', smallGrid(), graph);
    expect(path).toBe(join(user, 'home.yaml'));
    const parsed = parseRosMap(readFileSync(path, 'utf8'), readFileSync(join(user, 'home.pgm')));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(Array.from(parsed.value.grid.data)).toEqual(Array.from(smallGrid().data));
    expect(parsed.value.grid.origin).toEqual({ x: -1.5, y: 2.25 });
    const listed = lib.list();
    expect(listed.find((m) => m.name === 'home')).toMatchObject({ source: 'user', extendable: true });
    expect(listed.find((m) => m.name === 'apartment')).toMatchObject({ source: 'built-in', extendable: false });
    const loaded = await lib.load('home');
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    // No return (+Infinity) survives JSON as null and comes back as +Infinity.
    expect(Array.from(loaded.graph!.nodes[0]!.scan.ranges)).toEqual([1, Infinity, 2.5]);
    expect(loaded.graph!.nodes[0]!.pose).toEqual({ x: 1, y: 2, theta: 0.3 });
  });

  it('loads a map whose pose graph is damaged (it can still localize) and says the graph was ignored', async () => {
    const user = tempDir();
    const lib = new MapLibrary(join(process.cwd(), 'resources', 'maps'), user);
    await lib.save('office', smallGrid(), graph);
    writeFileSync(join(user, 'office.posegraph.json'), '{"format":"foresight-pose-graph","version":1,"nodes":[{"id":"x"}]');
    const loaded = await lib.load('office');
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.graph).toBeNull();
    expect(loaded.path).toMatch(/pose graph ignored: not JSON/);
  });

  it('names what is missing: an unknown map, a broken image', async () => {
    const user = tempDir();
    const lib = new MapLibrary(join(process.cwd(), 'resources', 'maps'), user);
    const missing = await lib.load('nowhere');
    expect(missing).toMatchObject({ ok: false, message: expect.stringMatching(/No map named 'nowhere'.*apartment/) });
    await lib.save('broken', smallGrid(), graph);
    writeFileSync(join(user, 'broken.pgm'), 'P5\n4 3\n255\n');
    const broken = await lib.load('broken');
    expect(broken.ok).toBe(false);
    if (!broken.ok) expect(broken.message).toMatch(/broken\.yaml/);
  });
});
