/**
 * Which occupancy grids a run was driven on, for the MCAP export's /map topic.
 *
 * The console keeps the map in the run (map-record.ts): at the run's start, at each load or
 * save, and every 30 s while one is being built. Those grids, as they were, are the answer.
 * Runs recorded before that hold only the operator's map actions, as events with the map's
 * name (`load-map`, detail = map library name) or file (`save-map`, detail = the saved YAML
 * path), and not the map the session started with, which the caller names (`initial`, e.g.
 * the CLI's --map); their grids are read through `source` (the map library and map files on
 * disk as they are now: a map saved again under the same name since shows its newer version).
 */
import type { OccupancyGrid } from '../../shared/grid';
import type { RecordedGeneric, RecordedOperatorAction } from '../../shared/recording';
import { MAP_RECORD_TYPE, decodeMapRecord } from './map-record';
import type { ExportMap } from './mcap-export';
import type { RunStore } from './run-store';

/** A map action recorded in a run. */
export interface RunMapEvent {
  /** s, host clock. */
  t: number;
  action: 'load-map' | 'save-map' | 'start-mapping';
  /** load-map: the map's name; save-map: the saved YAML path; start-mapping: 'new' | 'extend'. */
  detail: string;
}

/** Reads grids by map library name or by map_server YAML path; a string result is the reason it failed. */
export interface MapSource {
  byName(name: string): Promise<OccupancyGrid | string>;
  byFile(path: string): Promise<OccupancyGrid | string>;
}

const MAP_ACTIONS = new Set<string>(['load-map', 'save-map', 'start-mapping']);

/** The run's map actions, in time order. */
export function runMapEvents(store: RunStore, runId: number): RunMapEvent[] {
  const out: RunMapEvent[] = [];
  for (const r of store.iterateKind(runId, 'operator')) {
    const op = r as RecordedOperatorAction;
    if (MAP_ACTIONS.has(op.action)) out.push({ t: op.t, action: op.action as RunMapEvent['action'], detail: op.detail ?? '' });
  }
  return out;
}

/** True when `ref` names a file (a path or a .yaml name) rather than a map library entry. */
export function isMapFile(ref: string): boolean {
  return /[\\/]/.test(ref) || /\.ya?ml$/i.test(ref);
}

/**
 * The grids to publish for run `runId`: `initial` (a map name or YAML path) from the run's
 * start, then each map loaded or saved during the run from when it was. `initialProblem`
 * says why `initial` could not be read (the caller asked for it: usually an error);
 * `problems` lists the run's map events whose map cannot be read now (left out).
 */
export async function resolveRunMaps(
  store: RunStore, runId: number, source: MapSource, initial?: string,
): Promise<{ maps: ExportMap[]; initialProblem: string | null; problems: string[] }> {
  store.getRun(runId); // NoSuchRunError before any map is read
  const maps: ExportMap[] = [];
  const problems: string[] = [];
  let initialProblem: string | null = null;
  if (initial !== undefined) {
    const grid = isMapFile(initial) ? await source.byFile(initial) : await source.byName(initial);
    if (typeof grid === 'string') initialProblem = grid;
    else maps.push({ t: null, name: initial, grid });
  }
  // Runs recorded since the console keeps the map in the run: those grids, as they were.
  const recorded = recordedRunMaps(store, runId);
  problems.push(...recorded.problems);
  if (recorded.maps.length > 0) {
    // A map the caller named replaces the one the run started with, not later ones.
    const later = initial !== undefined && initialProblem === null ? recorded.maps.slice(1) : recorded.maps;
    return { maps: [...maps, ...later], initialProblem, problems };
  }
  for (const e of runMapEvents(store, runId)) {
    if (e.action === 'start-mapping' || e.detail === '') continue;
    const grid = e.action === 'load-map' ? await source.byName(e.detail) : await source.byFile(e.detail);
    if (typeof grid === 'string') problems.push(`map ${e.action === 'load-map' ? 'loaded' : 'saved'} at t=${e.t.toFixed(3)} s (${e.detail}) left out: ${grid}`);
    else maps.push({ t: e.t, name: e.detail, grid });
  }
  return { maps, initialProblem, problems };
}

/** The maps the run log itself holds (src/main/recorder/map-record.ts), in time order. */
export function recordedRunMaps(store: RunStore, runId: number): { maps: ExportMap[]; problems: string[] } {
  const maps: ExportMap[] = [];
  const problems: string[] = [];
  for (const r of store.iterateKind(runId, 'generic')) {
    const g = r as RecordedGeneric;
    if (g.type !== MAP_RECORD_TYPE) continue;
    const m = decodeMapRecord(g.data);
    if (typeof m === 'string') problems.push(`map recorded at t=${g.t.toFixed(3)} s left out: ${m}`);
    else maps.push({ t: g.t, name: m.name, grid: m.grid });
  }
  return { maps, problems };
}
