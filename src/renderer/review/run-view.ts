/**
 * What the review's map shows of a recorded run beyond the frame on screen: the run's extent
 * (where the robot went and the goals it was given), which the review fits when the run
 * opens. Pure functions over recorded frames.
 */
import type { ConsoleSnapshot } from '../../shared/api';

/** A world rectangle, map frame, m. */
export interface Extent {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

/**
 * Instants to sample a run at for its extent: evenly spread over [startT, endT], both ends
 * included, about one every `everyS` seconds but no more than `max` (a long run is sampled
 * more sparsely: the extent is a frame for the eye, not a survey).
 */
export function sampleTimes(startT: number, endT: number, everyS = 1, max = 96): number[] {
  const span = Math.max(0, endT - startT);
  const n = Math.max(2, Math.min(max, Math.ceil(span / Math.max(everyS, 1e-3)) + 1));
  if (span === 0) return [startT];
  return Array.from({ length: n }, (_, i) => startT + (span * i) / (n - 1));
}

export interface ExtentOptions {
  /** Margin on each side, as a fraction of the larger side (default 0.12)… */
  marginFraction?: number;
  /** …but at least this, m (default 1: the robot and a goal marker clear the edge). */
  minMarginM?: number;
  /** The extent is at least this wide and tall, m (default 4: a robot that barely moved is not shown at 2000 px/m). */
  minSizeM?: number;
}

/**
 * The run's extent from sampled frames: every robot pose and every goal they carry, with a
 * margin. Null when no frame has
 * a pose or a goal.
 */
export function runExtent(frames: readonly ConsoleSnapshot[], opts: ExtentOptions = {}): Extent | null {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  const add = (p: { x: number; y: number } | null | undefined) => {
    if (!p || !Number.isFinite(p.x) || !Number.isFinite(p.y)) return;
    minX = Math.min(minX, p.x);
    minY = Math.min(minY, p.y);
    maxX = Math.max(maxX, p.x);
    maxY = Math.max(maxY, p.y);
  };
  for (const f of frames) {
    add(f.pose);
    add(f.goal);
  }
  if (!Number.isFinite(minX)) return null;
  const minSize = opts.minSizeM ?? 4;
  const grow = (lo: number, hi: number): [number, number] => {
    const short = Math.max(0, minSize - (hi - lo)) / 2;
    return [lo - short, hi + short];
  };
  [minX, maxX] = grow(minX, maxX);
  [minY, maxY] = grow(minY, maxY);
  const m = Math.max(opts.minMarginM ?? 1, (opts.marginFraction ?? 0.12) * Math.max(maxX - minX, maxY - minY));
  return { minX: minX - m, minY: minY - m, maxX: maxX + m, maxY: maxY + m };
}
