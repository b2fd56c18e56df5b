/**
 * Time series for the review plots: speed, clearance, planner cycle time and risk, on one
 * common time base so uPlot can draw them with a shared cursor.
 *
 * Decimation is by buckets: the run is cut into `n` equal time buckets and each series keeps
 * one aggregate per bucket, chosen so that what matters survives: the mean speed, the
 * *smallest* clearance, the *longest* planner cycle, the *highest* risk. A one-hour run at
 * 50 Hz becomes a 1,500-point plot that still shows every near miss and every slow cycle.
 */
import type { RunSeries } from '../../shared/api';
import type { RecordedMapToOdom, RecordedOdometry, RecordedOperatorAction, RecordedPlannerCycle, RecordedPredictions, RecordedScan } from '../../shared/recording';
import { composePose } from '../../shared/geometry';
import type { RunStore } from '../recorder/run-store';
import { nearestReturn } from './frame';

export type Aggregate = 'mean' | 'min' | 'max';

export const DEFAULT_SERIES_POINTS = 1500;

/** Accumulates samples into `n` equal buckets over [t0, t1]. */
export class Buckets {
  private readonly sum: Float64Array;
  private readonly count: Uint32Array;
  private readonly width: number;

  constructor(readonly t0: number, readonly t1: number, readonly n: number, readonly agg: Aggregate) {
    this.sum = new Float64Array(n).fill(agg === 'min' ? Infinity : agg === 'max' ? -Infinity : 0);
    this.count = new Uint32Array(n);
    this.width = n > 0 && t1 > t0 ? (t1 - t0) / n : 1;
  }

  /** Bucket of time `t`, or −1 outside [t0, t1]. */
  index(t: number): number {
    if (!(t >= this.t0 && t <= this.t1) || this.n === 0) return -1;
    return Math.min(this.n - 1, Math.floor((t - this.t0) / this.width));
  }

  add(t: number, v: number): void {
    if (!Number.isFinite(v)) return;
    const i = this.index(t);
    if (i < 0) return;
    this.count[i]!++;
    if (this.agg === 'min') this.sum[i] = Math.min(this.sum[i]!, v);
    else if (this.agg === 'max') this.sum[i] = Math.max(this.sum[i]!, v);
    else this.sum[i]! += v;
  }

  values(): (number | null)[] {
    const out: (number | null)[] = new Array(this.n);
    for (let i = 0; i < this.n; i++) {
      const c = this.count[i]!;
      out[i] = c === 0 ? null : this.agg === 'mean' ? this.sum[i]! / c : this.sum[i]!;
    }
    return out;
  }

  /** Bucket centres. */
  times(): number[] {
    return Array.from({ length: this.n }, (_, i) => this.t0 + (i + 0.5) * this.width);
  }
}

/** Buckets `(times[i], values[i])` into `n` buckets over [t0, t1] with `agg` (pure; for tests and callers with arrays). */
export function bucketize(times: ArrayLike<number>, values: ArrayLike<number>, t0: number, t1: number, n: number, agg: Aggregate): (number | null)[] {
  const b = new Buckets(t0, t1, n, agg);
  for (let i = 0; i < times.length; i++) b.add(times[i]!, values[i]!);
  return b.values();
}

/**
 * Number of buckets for a run: at most `points`, and no finer than 0.25 s — comfortably
 * longer than the period of the scans, planner cycles and predictions (10 Hz), so those
 * series have a sample in every bucket and a gap means data really is missing (a link loss).
 */
export const MIN_BUCKET_S = 0.25;
export function bucketCount(durationS: number, points: number): number {
  return Math.max(1, Math.min(points, Math.ceil(durationS / MIN_BUCKET_S - 1e-9)));
}

/** Reads a run's records and reduces them to plot series. */
export function runSeries(store: RunStore, runId: number, points = DEFAULT_SERIES_POINTS): RunSeries {
  const run = store.getRun(runId);
  const t0 = run.startedAt;
  const t1 = run.startedAt + Math.max(run.durationS, 1e-3);
  const n = bucketCount(t1 - t0, points);
  const speed = new Buckets(t0, t1, n, 'mean');
  const clearance = new Buckets(t0, t1, n, 'min');
  const cycle = new Buckets(t0, t1, n, 'max');
  const risk = new Buckets(t0, t1, n, 'max');
  // Odometry is recorded in `odom`; map → odom (placement, localization) lifts it into `map`.
  const mapToOdom = [...store.iterateKind(runId, 'map-to-odom')] as RecordedMapToOdom[];
  const box = new BoxBuilder();
  let m = 0;
  for (const r of store.iterateKind(runId, 'odometry')) {
    const o = r as RecordedOdometry;
    speed.add(o.t, Math.abs(o.v));
    while (m < mapToOdom.length && mapToOdom[m]!.t <= o.t) m++;
    const p = m > 0 ? composePose(mapToOdom[m - 1]!, o) : o;
    box.add(p.x, p.y);
  }
  for (const r of store.iterateKind(runId, 'operator')) {
    const a = r as RecordedOperatorAction;
    if (a.action === 'set-goal' && a.goal) box.add(a.goal.x, a.goal.y);
  }
  for (const r of store.iterateKind(runId, 'laser-scan')) {
    const s = r as RecordedScan;
    const d = nearestReturn(s.ranges, s.rangeMin, s.rangeMax);
    if (d !== null) clearance.add(s.t, d);
  }
  for (const r of store.iterateKind(runId, 'planner-cycle')) {
    const c = r as RecordedPlannerCycle;
    cycle.add(c.t, c.cycleTimeS * 1000);
  }
  for (const r of store.iterateKind(runId, 'predictions')) {
    const p = r as RecordedPredictions;
    let m = 0;
    for (const person of p.people) m = Math.max(m, person.risk);
    risk.add(p.t, m);
  }
  return {
    runId,
    t: speed.times(),
    speed: speed.values(),
    clearance: clearance.values(),
    cycleMs: cycle.values(),
    risk: risk.values(),
    extent: box.extent(),
  };
}

/** The bounding box of the finite points added; null before any. */
class BoxBuilder {
  private minX = Infinity;
  private minY = Infinity;
  private maxX = -Infinity;
  private maxY = -Infinity;

  add(x: number, y: number): void {
    if (!Number.isFinite(x) || !Number.isFinite(y)) return;
    this.minX = Math.min(this.minX, x);
    this.minY = Math.min(this.minY, y);
    this.maxX = Math.max(this.maxX, x);
    this.maxY = Math.max(this.maxY, y);
  }

  extent(): RunSeries['extent'] {
    return Number.isFinite(this.minX) ? { minX: this.minX, minY: this.minY, maxX: this.maxX, maxY: this.maxY } : null;
  }
}
