/**
 * Maps on disk: the built-in ones (resources/maps) and the operator's own
 * (~/.config/foresight/maps, or $XDG_CONFIG_HOME/foresight/maps). A map is a ROS map_server
 * pair (NAME.yaml + NAME.pgm) that any ROS tool reads, plus NAME.posegraph.json when it was
 * built here, so it can be extended later. Saving writes temporary files and renames them, so
 * a crash mid-save never leaves a half-written map under the name.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { MapFileInfo } from '../../shared/api';
import type { OccupancyGrid } from '../../shared/grid';
import { occupancyGridToRosMap } from '../../planner/slam/ros-map-writer';
import type { PoseGraphData } from '../../planner/slam/types';
import { loadRosMapFile } from '../core/map-file';

export function userMapsDir(): string {
  const base = process.env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'foresight', 'maps');
}

export type LoadedMap = { ok: true; grid: OccupancyGrid; graph: PoseGraphData | null; path: string } | { ok: false; message: string };

const finite = z.number().finite();
const pose = z.object({ x: finite, y: finite, theta: finite });
/** Shape check of a saved pose graph: a damaged file is named and the map loads without it. */
const poseGraphSchema = z.object({
  format: z.literal('foresight-pose-graph'),
  version: z.literal(1),
  nodes: z.array(z.object({
    id: z.number().int(), time: finite, pose, odom: pose, mount: pose,
    scan: z.object({ time: finite, ranges: z.array(z.number().or(z.null())), angleMin: finite, angleIncrement: finite, rangeMin: finite, rangeMax: finite }),
  })),
  edges: z.array(z.object({ from: z.number().int(), to: z.number().int(), relative: pose, information: z.array(finite).length(9), kind: z.enum(['odometry', 'match', 'loop']) })),
});

export class MapLibrary {
  constructor(
    private readonly builtinDir: string,
    private readonly userDir: string = userMapsDir(),
  ) {}

  list(): MapFileInfo[] {
    const out: MapFileInfo[] = [];
    const seen = new Set<string>();
    // The user's maps first: one of theirs replaces a built-in of the same name.
    for (const [dir, source] of [[this.userDir, 'user'], [this.builtinDir, 'built-in']] as const) {
      let files: string[] = [];
      try {
        files = readdirSync(dir);
      } catch {
        continue;
      }
      for (const f of files.sort()) {
        const m = /^(.+)\.ya?ml$/i.exec(f);
        if (!m || seen.has(m[1]!)) continue;
        seen.add(m[1]!);
        out.push({ name: m[1]!, path: join(dir, f), source, extendable: existsSync(join(dir, `${m[1]}.posegraph.json`)) });
      }
    }
    return out;
  }

  async load(name: string): Promise<LoadedMap> {
    const info = this.list().find((m) => m.name === name);
    if (!info) return { ok: false, message: `No map named '${name}' (maps: ${this.list().map((m) => m.name).join(', ') || 'none'})` };
    const loaded = await loadRosMapFile(info.path);
    if (!loaded.ok) return { ok: false, message: loaded.message };
    let graph: PoseGraphData | null = null;
    const graphPath = info.path.replace(/\.ya?ml$/i, '.posegraph.json');
    if (info.extendable) {
      try {
        graph = parsePoseGraph(readFileSync(graphPath, 'utf8'));
      } catch (err) {
        // The map still loads for localization; only extending it is lost.
        return { ok: true, grid: loaded.map.grid, graph: null, path: `${info.path} (pose graph ignored: ${(err as Error).message})` };
      }
    }
    return { ok: true, grid: loaded.map.grid, graph, path: info.path };
  }

  /** Writes NAME.pgm, NAME.yaml and NAME.posegraph.json in the user's maps folder; returns the YAML path. */
  async save(name: string, grid: OccupancyGrid, graph: PoseGraphData): Promise<string> {
    mkdirSync(this.userDir, { recursive: true });
    const { pgm, yaml } = occupancyGridToRosMap(grid, `${name}.pgm`);
    const files: [string, string | Uint8Array][] = [
      [join(this.userDir, `${name}.pgm`), pgm],
      [join(this.userDir, `${name}.posegraph.json`), JSON.stringify(graph, (_k, v: unknown) => (v instanceof Float32Array || v instanceof Float64Array ? Array.from(v, (x) => (Number.isFinite(x) ? x : null)) : v))],
      // The YAML last: a map is listed once its YAML exists, and by then its image does too.
      [join(this.userDir, `${name}.yaml`), yaml],
    ];
    for (const [path, data] of files) {
      writeFileSync(`${path}.tmp`, data);
      renameSync(`${path}.tmp`, path);
    }
    return files[2]![0];
  }
}

/** A saved pose graph, checked; ranges written as null (no return) come back as +Infinity. */
export function parsePoseGraph(text: string): PoseGraphData {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`not JSON (${(err as Error).message})`);
  }
  const parsed = poseGraphSchema.safeParse(json);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).slice(0, 3).join('; '));
  const g = parsed.data;
  return {
    format: g.format,
    version: g.version,
    edges: g.edges.map((e) => ({ ...e, information: e.information as unknown as PoseGraphData['edges'][number]['information'] })),
    nodes: g.nodes.map((n) => ({ ...n, scan: { ...n.scan, ranges: Float32Array.from(n.scan.ranges, (r) => (r === null ? Number.POSITIVE_INFINITY : r)) } })),
  };
}
