/**
 * Main-side handlers of the review and zone API methods (ReviewApiMethods in
 * src/shared/api.ts). The console core routes each method name to the function of the same
 * name here; requests arrive already validated (src/main/api/validate.ts).
 *
 * Finished runs never change, so their events, incidents, timeline and series are cached
 * (a small LRU); a run still being recorded is read fresh each time.
 */
import type {
  CommandResult, ReviewApiMethodName, ReviewApiMethods, Zone,
} from '../../shared/api';
import type { Incident } from '../../shared/incidents';
import type { RunSummary } from '../../shared/recording';
import type { Vec2 } from '../../shared/geometry';
import type { RunStore } from '../recorder/run-store';
import {
  basicIncidents, binHeatmap, DEFAULT_HEATMAP_CELL, explainRun, heatmapView, interventionHeatmap,
} from '../incidents';
import { frameSnapshot } from './frame';
import { readRunEvents, type RunEvents } from './run-events';
import { DEFAULT_SERIES_POINTS, runSeries } from './series';
import { buildTimeline } from './timeline';
import type { ZoneStore } from './zones';

export interface ReviewDeps {
  /** The run database's read API (Recorder.store); null when recording is off. */
  store: RunStore | null;
  /** Operator zones; null when there is no zones file. */
  zones: ZoneStore | null;
  /**
   * Explains a run's incidents. Default: the full explainer (src/main/incidents explainRun,
   * which also stores the run's incident count), falling back to the basic finder
   * (basicIncidents) if it fails on a run.
   */
  explain?: (store: RunStore, runId: number) => Incident[];
  /** Called after saveZone/deleteZone with every zone (the planners obey them). */
  onZonesChanged?: (zones: Zone[]) => void;
}

export type ReviewHandlers = {
  [M in ReviewApiMethodName]: (req: ReviewApiMethods[M]['req']) => Promise<ReviewApiMethods[M]['res']>;
};

const CACHE_RUNS = 8;

interface RunCache {
  events: RunEvents;
  incidents?: Incident[];
  series?: Map<number, ReviewApiMethods['getRunSeries']['res']>;
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Free-text and tag filter of the run list. */
export function filterRuns(runs: readonly RunSummary[], search?: string, tag?: string): RunSummary[] {
  const words = (search ?? '').toLowerCase().split(/\s+/).filter((w) => w.length > 0);
  const wantTag = tag?.trim().toLowerCase();
  return runs.filter((r) => {
    if (wantTag && !r.tags.some((t) => t.toLowerCase() === wantTag)) return false;
    if (words.length === 0) return true;
    const hay = [`#${r.id}`, String(r.id), r.name, r.robotName, r.source, r.outcome ?? 'recording', ...r.tags,
      new Date(r.startedAt * 1000).toISOString().slice(0, 16).replace('T', ' ')].join(' ').toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

export function createReviewHandlers(deps: ReviewDeps): ReviewHandlers {
  const cache = new Map<number, RunCache>();
  const explain = deps.explain ?? ((store: RunStore, runId: number) => {
    try {
      return explainRun(store, runId);
    } catch (err) {
      if (err instanceof Error && err.name === 'NoSuchRunError') throw err;
      return basicIncidents(store, runId);
    }
  });

  const needStore = (): RunStore => {
    if (!deps.store) throw new Error('No run database is open (recording is off), so there are no runs to review');
    return deps.store;
  };
  const needZones = (): ZoneStore => {
    if (!deps.zones) throw new Error('Zones are not available (no zones file is open)');
    return deps.zones;
  };

  /** Per-run cache entry; rebuilt for a run still being recorded. */
  const runCache = (runId: number): RunCache => {
    const store = needStore();
    const hit = cache.get(runId);
    if (hit && hit.events.run.endedAt !== null) {
      cache.delete(runId);
      cache.set(runId, hit); // LRU: most recent last
      return hit;
    }
    const entry: RunCache = { events: readRunEvents(store, runId) };
    cache.set(runId, entry);
    while (cache.size > CACHE_RUNS) cache.delete(cache.keys().next().value!);
    return entry;
  };
  const incidentsOf = (runId: number): Incident[] => {
    const c = runCache(runId);
    c.incidents ??= explain(needStore(), runId);
    return c.incidents;
  };
  const command = (fn: () => void): CommandResult => {
    try {
      fn();
      return { ok: true };
    } catch (err) {
      return { ok: false, error: errorText(err) };
    }
  };
  const zonesChanged = () => {
    if (deps.onZonesChanged && deps.zones) deps.onZonesChanged(deps.zones.list());
  };
  const incidentCounts = new Map<number, number>();
  let heatmapCache: { key: string; value: ReviewApiMethods['getHeatmap']['res'] } | null = null;

  return {
    listRuns: async (q) => {
      if (!deps.store) return [];
      const runs = filterRuns(deps.store.listRuns(), q?.search, q?.tag);
      // The recorder leaves the incident count at 0: fill it from detection (kept for finished runs).
      return runs.map((r) => {
        if (r.incidents > 0) return r;
        let n = incidentCounts.get(r.id);
        if (n === undefined) {
          try {
            n = incidentsOf(r.id).length;
          } catch {
            n = 0;
          }
          if (r.endedAt !== null) incidentCounts.set(r.id, n);
        }
        return { ...r, incidents: n };
      });
    },
    getRun: async ({ runId }) => needStore().getRun(runId),
    renameRun: async ({ runId, name }) => command(() => needStore().renameRun(runId, name)),
    tagRun: async ({ runId, tags }) => command(() => needStore().setTags(runId, tags)),
    deleteRun: async ({ runId }) =>
      command(() => {
        needStore().deleteRun(runId);
        cache.delete(runId);
        incidentCounts.delete(runId);
        heatmapCache = null;
      }),
    getRunTimeline: async ({ runId }) => buildTimeline(runCache(runId).events, incidentsOf(runId)),
    getRunFrame: async ({ runId, t }) => {
      const c = runCache(runId);
      const clamped = Math.min(Math.max(t, c.events.startT), c.events.endT);
      const state = needStore().stateAt(runId, clamped);
      return { runId, t: clamped, snapshot: frameSnapshot(state, c.events) };
    },
    getRunSeries: async ({ runId, points }) => {
      const c = runCache(runId);
      const n = points ?? DEFAULT_SERIES_POINTS;
      c.series ??= new Map();
      let s = c.series.get(n);
      if (!s) {
        s = runSeries(needStore(), runId, n);
        c.series.set(n, s);
      }
      return s;
    },
    getIncidents: async ({ runId }) => incidentsOf(runId),
    listZones: async () => (deps.zones ? deps.zones.list() : []),
    saveZone: async (input) => {
      let res: ReviewApiMethods['saveZone']['res'];
      try {
        res = needZones().save(input);
      } catch (err) {
        return { ok: false, error: errorText(err) };
      }
      if (res.ok) zonesChanged();
      return res;
    },
    deleteZone: async ({ id }) => {
      let found: boolean;
      try {
        found = needZones().delete(id);
      } catch (err) {
        return { ok: false, error: errorText(err) };
      }
      if (!found) return { ok: false, error: `no zone with id ${id}` };
      zonesChanged();
      return { ok: true };
    },
    getHeatmap: async (q) => {
      const cell = q?.cellSize ?? DEFAULT_HEATMAP_CELL;
      if (!deps.store) return binHeatmap([], cell, 0);
      const runs = deps.store.listRuns();
      const key = `${cell}|${runs.map((r) => `${r.id}:${r.endedAt ?? 'open'}`).join(',')}`;
      if (heatmapCache?.key === key && runs.every((r) => r.endedAt !== null)) return heatmapCache.value;
      let value: ReviewApiMethods['getHeatmap']['res'];
      if (deps.explain) {
        // A custom explainer: bin its incidents (interventions and stops, not link losses).
        const points: Vec2[] = [];
        for (const r of runs) {
          for (const i of incidentsOf(r.id)) if (i.pose && i.kind !== 'link-loss') points.push({ x: i.pose.x, y: i.pose.y });
        }
        value = binHeatmap(points, cell, runs.length);
      } else {
        value = heatmapView(interventionHeatmap(deps.store, { resolution: cell }));
      }
      heatmapCache = { key, value };
      return value;
    },
  };
}
