/**
 * Where interventions and safety stops happen, over all recorded runs: a count grid in the
 * map frame for the renderer's map layer ("learning from the operator").
 *
 * Each incident is counted once, in the cell of the robot's map-frame pose at its start.
 * Runs are assumed to share one map (the map frame of one home); pass `runIds` to pick the
 * runs of one map when a database holds several. The review API's `getHeatmap` answers
 * with one layer of it (interventions + stops) as a HeatmapView.
 */
import type { HeatmapView } from '../../shared/api';
import type { Vec2 } from '../../shared/geometry';
import type { Incident, IncidentHeatmap } from '../../shared/incidents';
import type { RunStore } from '../recorder/run-store';
import { detectIncidentsIn } from './explain-run';
import { runDataFromStore } from './run-data';

/** Cell size of the review API's heatmap when the request names none, m. */
export const DEFAULT_HEATMAP_CELL = 0.5;

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

/** The map layer's view of a heatmap: interventions and safety stops together. */
export function heatmapView(h: IncidentHeatmap): HeatmapView {
  return {
    cellSize: h.resolution,
    origin: h.origin,
    width: h.width,
    height: h.height,
    counts: h.total,
    max: h.max.total,
    events: h.events.intervention + h.events.safetyStop,
    runs: h.runs,
  };
}

/**
 * Bins points into square cells of `cellSize` m; the grid covers the points' bounds plus one
 * cell (at most 2000 × 2000). Used for the incidents of a custom explainer (ReviewDeps.explain).
 */
export function binHeatmap(points: readonly Vec2[], cellSize: number, runs: number): HeatmapView {
  if (points.length === 0) return { cellSize, origin: { x: 0, y: 0 }, width: 0, height: 0, counts: [], max: 0, events: 0, runs };
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const p of points) {
    minX = Math.min(minX, p.x); minY = Math.min(minY, p.y);
    maxX = Math.max(maxX, p.x); maxY = Math.max(maxY, p.y);
  }
  const ox = Math.floor(minX / cellSize) * cellSize - cellSize;
  const oy = Math.floor(minY / cellSize) * cellSize - cellSize;
  const width = Math.min(2000, Math.floor((maxX - ox) / cellSize) + 2);
  const height = Math.min(2000, Math.floor((maxY - oy) / cellSize) + 2);
  const counts = new Array<number>(width * height).fill(0);
  let max = 0;
  for (const p of points) {
    const i = Math.floor((p.x - ox) / cellSize);
    const j = Math.floor((p.y - oy) / cellSize);
    if (i < 0 || j < 0 || i >= width || j >= height) continue;
    const k = j * width + i;
    counts[k]!++;
    if (counts[k]! > max) max = counts[k]!;
  }
  return { cellSize, origin: { x: ox, y: oy }, width, height, counts, max, events: points.length, runs };
}
