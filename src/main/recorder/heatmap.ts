/**
 * Where interventions and safety stops happen, over all recorded runs: a count grid in the
 * map frame for the renderer's map layer ("learning from the operator").
 *
 * Each incident is counted once, in the cell of the robot's map-frame pose at its start.
 * Runs are assumed to share one map (the map frame of one home); pass `runIds` to pick the
 * runs of one map when a database holds several.
 */
import type { Incident, IncidentHeatmap } from '../../shared/incidents';
import { detectIncidentsIn, runDataFromStore } from './incidents';
import type { RunStore } from './run-store';

/** Map-frame rectangle, metres. */
export interface HeatmapBounds {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

export interface HeatmapOptions {
  /** Cell size, m. Default 0.25. */
  resolution?: number;
  /** Grid extent; default: the incidents' extent, snapped to whole cells. Incidents outside are counted in `events.outside`. */
  bounds?: HeatmapBounds;
  /** Only these runs. Default: every run in the store. */
  runIds?: readonly number[];
}

/** Cells above this are refused: a bounds mistake (km instead of m), not a home. */
const MAX_CELLS = 16_000_000;

/** Counts `incidents` (interventions and safety stops; other kinds are ignored) by place. */
export function heatmapFromIncidents(incidents: readonly Incident[], options: HeatmapOptions & { runs?: number } = {}): IncidentHeatmap {
  const resolution = options.resolution ?? 0.25;
  if (!(resolution > 0) || !Number.isFinite(resolution)) throw new RangeError(`heatmap resolution must be a positive number of metres (got ${resolution})`);
  const placed = incidents.filter((i) => i.pose !== null && (i.kind === 'intervention' || i.kind === 'safety-stop'));
  let b = options.bounds;
  if (!b) {
    if (placed.length === 0) b = { minX: 0, minY: 0, maxX: 0, maxY: 0 };
    else {
      const xs = placed.map((i) => i.pose!.x);
      const ys = placed.map((i) => i.pose!.y);
      b = { minX: Math.min(...xs), minY: Math.min(...ys), maxX: Math.max(...xs), maxY: Math.max(...ys) };
    }
  }
  if (!(b.maxX >= b.minX && b.maxY >= b.minY)) throw new RangeError('heatmap bounds must have max ≥ min');
  // Snap the origin to the resolution grid so maps made with different bounds line up.
  const origin = { x: Math.floor(b.minX / resolution) * resolution, y: Math.floor(b.minY / resolution) * resolution };
  const width = placed.length === 0 && !options.bounds ? 0 : Math.max(1, Math.floor((b.maxX - origin.x) / resolution) + 1);
  const height = placed.length === 0 && !options.bounds ? 0 : Math.max(1, Math.floor((b.maxY - origin.y) / resolution) + 1);
  if (width * height > MAX_CELLS) throw new RangeError(`heatmap of ${width} x ${height} cells is too large; use a coarser resolution or smaller bounds`);
  const intervention = new Array<number>(width * height).fill(0);
  const safetyStop = new Array<number>(width * height).fill(0);
  const events = { intervention: 0, safetyStop: 0, outside: 0 };
  for (const inc of placed) {
    const ix = Math.floor((inc.pose!.x - origin.x) / resolution);
    const iy = Math.floor((inc.pose!.y - origin.y) / resolution);
    if (ix < 0 || iy < 0 || ix >= width || iy >= height) {
      events.outside++;
      continue;
    }
    const cell = iy * width + ix;
    if (inc.kind === 'intervention') {
      intervention[cell]!++;
      events.intervention++;
    } else {
      safetyStop[cell]!++;
      events.safetyStop++;
    }
  }
  const total = intervention.map((n, k) => n + safetyStop[k]!);
  const maxOf = (a: number[]): number => a.reduce((m, n) => (n > m ? n : m), 0);
  return {
    frame: 'map', resolution, origin, width, height,
    counts: { intervention, safetyStop }, total,
    max: { intervention: maxOf(intervention), safetyStop: maxOf(safetyStop), total: maxOf(total) },
    events, runs: options.runs ?? 0,
  };
}

/**
 * The intervention and safety-stop heatmap over the store's runs. Only detection runs (no
 * scans read, no attribution), so it stays cheap over many runs.
 */
export function interventionHeatmap(store: RunStore, options: HeatmapOptions = {}): IncidentHeatmap {
  const ids = options.runIds ?? store.listRuns().map((r) => r.id);
  const incidents: Incident[] = [];
  for (const id of ids) {
    const data = runDataFromStore(store, id, { scanSummaries: false });
    incidents.push(...detectIncidentsIn(data, { kinds: ['intervention', 'safety-stop'], attribute: false }));
  }
  return heatmapFromIncidents(incidents, { ...options, runs: ids.length });
}
