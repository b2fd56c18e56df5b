/**
 * What the review's map shows of a recorded run beyond the frame on screen: the run's extent
 * (where the robot went and the goals it was given), which the review fits when the run
 * opens. Main computes the raw box over every odometry record (`RunSeries.extent`); this
 * pads it for the eye.
 */

/** A world rectangle, map frame, m. */
export interface Extent {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
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
 * The box the review fits for a run: its raw extent (every recorded position and goal, map
 * frame), at least `minSizeM` on each side and with a margin. Null when the run has none.
 */
export function padExtent(raw: Extent | null, opts: ExtentOptions = {}): Extent | null {
  if (!raw || ![raw.minX, raw.minY, raw.maxX, raw.maxY].every(Number.isFinite)) return null;
  let { minX, minY, maxX, maxY } = raw;
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
