/**
 * Branch-and-bound correlative matching over a wide window (loop closure, relocalisation),
 * after Hess et al., "Real-Time Loop Closure in 2D LIDAR SLAM" (ICRA 2016).
 *
 * A submap's probabilities are quantised to bytes (255·p; unobserved reads as P_MIN) and
 * max-pooled into a pyramid: level h holds, for every cell (x, y), the largest value in the
 * 2^h × 2^h block starting there. Scoring a block of 2^h × 2^h translations with level h gives
 * an upper bound of the exact score of every translation inside it, so the search descends
 * best-first and drops whole blocks that cannot beat the best exact score found so far (or
 * the acceptance threshold). The answer is the exact optimum of the exhaustive search on the
 * same discretisation (angles at the one-cell step of the farthest point, one-cell shifts).
 */
import type { Pose2D } from '../../shared/geometry';
import { normalizeAngle } from '../../shared/geometry';
import { CODE_TO_PROBABILITY, type ProbabilityGrid } from './probability-grid';
import { angularStep, type MatchPoints } from './scan-matcher';

/** 255·p of every cell code (unobserved reads as P_MIN). */
const CODE_TO_BYTE: Uint8Array = Uint8Array.from(CODE_TO_PROBABILITY, (p) => Math.round(255 * p));

/** The max-pooled pyramid of one (finished) submap grid. */
export class PrecomputedGrids {
  readonly depth: number;
  /** Cells of padding on the low side of every level: offsets down to −pad stay inside. */
  readonly pad: number;
  readonly width: number;
  readonly height: number;
  /** Padded row length and row count of every level. */
  readonly pw: number;
  readonly ph: number;
  readonly originX: number;
  readonly originY: number;
  readonly resolution: number;
  readonly levels: Uint8Array[];
  /** Byte value of an unobserved cell (and of everything outside the grid). */
  readonly unknown: number;

  constructor(grid: ProbabilityGrid, depth: number) {
    this.depth = depth;
    this.pad = (1 << (depth - 1)) - 1;
    this.width = grid.width;
    this.height = grid.height;
    this.pw = grid.width + this.pad + 1;
    this.ph = grid.height + this.pad + 1;
    this.originX = grid.originX;
    this.originY = grid.originY;
    this.resolution = grid.resolution;
    const { pw, ph, pad } = this;
    // Outside the grid reads as unobserved, like inside it: the same value as P_MIN, the
    // smallest any cell holds, so reads past the high edge (as 0) never raise a bound.
    const toByte = CODE_TO_BYTE;
    const unknown = toByte[0]!;
    this.unknown = unknown;
    const base = new Uint8Array(pw * ph).fill(unknown);
    const values = grid.values;
    for (let r = 0; r < grid.height; r++) {
      const src = r * grid.width;
      const dst = (r + pad) * pw + pad;
      for (let c = 0; c < grid.width; c++) base[dst + c] = toByte[values[src + c]!]!;
    }
    this.levels = [base];
    for (let h = 1; h < depth; h++) {
      const prev = this.levels[h - 1]!;
      const s = 1 << (h - 1);
      const next = new Uint8Array(pw * ph);
      // next(x, y) = max of prev over the four 2^(h−1) blocks at (x|x+s, y|y+s); reads past
      // the high edge count as 0. Iterating x from low to high, the block start may lie in
      // the padding, which is why the padding is on the low side.
      for (let y = 0; y < ph; y++) {
        const y2 = y + s < ph ? y + s : -1;
        for (let x = 0; x < pw; x++) {
          const x2 = x + s < pw ? x + s : -1;
          let m = prev[y * pw + x]!;
          if (x2 >= 0) {
            const v = prev[y * pw + x2]!;
            if (v > m) m = v;
          }
          if (y2 >= 0) {
            const v = prev[y2 * pw + x]!;
            if (v > m) m = v;
            if (x2 >= 0) {
              const v2 = prev[y2 * pw + x2]!;
              if (v2 > m) m = v2;
            }
          }
          next[y * pw + x] = m;
        }
      }
      // Shift so that level h at padded (x, y) covers base cells starting at x − pad… : the
      // loop above already indexes blocks by their low corner in padded coordinates.
      this.levels.push(next);
    }
  }

  /** Bytes held, for cache accounting. */
  get bytes(): number {
    return this.levels.length * this.pw * this.ph;
  }
}

export interface BranchAndBoundOptions {
  /** Half-width of the translational window, m. */
  linearWindow: number;
  /** Half-width of the angular window, rad. */
  angularWindow: number;
  /** Only results scoring above this (mean probability, 0.1…0.9) are returned. */
  minScore: number;
  /** Range (m) setting the angular step, capped below the farthest point (see CorrelativeOptions). */
  stepRange: number;
}

export interface BranchAndBoundResult {
  pose: Pose2D;
  score: number;
  /** Candidates scored (search effort, for benches). */
  evaluated: number;
}

/** Scratch buffers reused across searches. */
export class BranchAndBoundScratch {
  cx = new Int32Array(0);
  cy = new Int32Array(0);
  ensure(size: number): void {
    if (this.cx.length < size) {
      this.cx = new Int32Array(size);
      this.cy = new Int32Array(size);
    }
  }
}

/**
 * Best pose of base_link in the submap frame within the window around `center`, or null when
 * nothing scores above `minScore`.
 */
export function branchAndBound(pre: PrecomputedGrids, pts: MatchPoints, center: Pose2D, opts: BranchAndBoundOptions, scratch: BranchAndBoundScratch): BranchAndBoundResult | null {
  const n = pts.count;
  if (n === 0) return null;
  const res = pre.resolution;
  const step = angularStep(res, Math.min(pts.maxRange, opts.stepRange));
  const na = Math.max(0, Math.ceil(opts.angularWindow / step));
  const nAngles = 2 * na + 1;
  const L = Math.max(0, Math.ceil(opts.linearWindow / res));
  scratch.ensure(nAngles * n);
  const cx = scratch.cx;
  const cy = scratch.cy;
  const inv = 1 / res;
  for (let a = 0; a < nAngles; a++) {
    const th = center.theta + (a - na) * step;
    const c = Math.cos(th);
    const s = Math.sin(th);
    const o = a * n;
    for (let i = 0; i < n; i++) {
      const px = pts.x[i]!;
      const py = pts.y[i]!;
      cx[o + i] = Math.floor((center.x + c * px - s * py - pre.originX) * inv);
      cy[o + i] = Math.floor((center.y + s * px + c * py - pre.originY) * inv);
    }
  }
  const { pad, pw, width, height, unknown } = pre;
  let evaluated = 0;
  const norm = 1 / (255 * n);
  // Upper bound (exact at level 0) of the mean probability for angle a, block at (dx, dy).
  // Only whether it beats `floor` matters: the sum stops as soon as even 255 at every
  // remaining point could not lift it above (then 0 is returned), which prunes most losers
  // halfway through their points.
  const score = (level: number, a: number, dx: number, dy: number, floor: number): number => {
    evaluated++;
    const g = pre.levels[level]!;
    const o = a * n;
    const needed = floor * 255 * n;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const x = cx[o + i]! + dx;
      const y = cy[o + i]! + dy;
      sum += x >= -pad && y >= -pad && x < width && y < height ? g[(y + pad) * pw + x + pad]! : unknown;
      if ((i & 15) === 15 && sum + 255 * (n - 1 - i) <= needed) return 0;
    }
    return sum * norm;
  };

  const top = pre.depth - 1;
  const topStep = 1 << top;
  // Top-level candidates: blocks of 2^top shifts covering [−L, L]².
  const starts: number[] = [];
  for (let d = -L; d <= L; d += topStep) starts.push(d);
  const topCount = nAngles * starts.length * starts.length;
  const topA = new Int32Array(topCount);
  const topX = new Int32Array(topCount);
  const topY = new Int32Array(topCount);
  const topS = new Float64Array(topCount);
  let k = 0;
  for (let a = 0; a < nAngles; a++) {
    for (const dx of starts) {
      for (const dy of starts) {
        topA[k] = a;
        topX[k] = dx;
        topY[k] = dy;
        topS[k] = score(top, a, dx, dy, opts.minScore);
        k++;
      }
    }
  }
  const order = Array.from({ length: topCount }, (_, i) => i).sort((p, q) => topS[q]! - topS[p]!);

  let bestScore = opts.minScore;
  let bestA = -1;
  let bestX = 0;
  let bestY = 0;
  // Children buffers per level: 4 candidates each.
  const childX = new Int32Array(4 * pre.depth);
  const childY = new Int32Array(4 * pre.depth);
  const childS = new Float64Array(4 * pre.depth);
  const childOrder = new Int32Array(4 * pre.depth);

  const descend = (level: number, a: number, x0: number, y0: number): void => {
    // Expands the block at `level` (already known to bound above bestScore) into its children.
    const h = level - 1;
    const half = 1 << h;
    const base = 4 * h;
    let m = 0;
    for (let q = 0; q < 4; q++) {
      const x = x0 + (q & 1 ? half : 0);
      const y = y0 + (q & 2 ? half : 0);
      if (x > L || y > L) continue;
      childX[base + m] = x;
      childY[base + m] = y;
      childS[base + m] = score(h, a, x, y, bestScore);
      childOrder[base + m] = base + m;
      m++;
    }
    // Sort the (at most 4) children by score, descending (insertion sort).
    for (let i = 1; i < m; i++) {
      const v = childOrder[base + i]!;
      let j = i - 1;
      while (j >= 0 && childS[childOrder[base + j]!]! < childS[v]!) {
        childOrder[base + j + 1] = childOrder[base + j]!;
        j--;
      }
      childOrder[base + j + 1] = v;
    }
    for (let i = 0; i < m; i++) {
      const idx = childOrder[base + i]!;
      const s = childS[idx]!;
      if (s <= bestScore) break;
      if (h === 0) {
        bestScore = s;
        bestA = a;
        bestX = childX[idx]!;
        bestY = childY[idx]!;
      } else {
        descend(h, a, childX[idx]!, childY[idx]!);
      }
    }
  };

  for (const i of order) {
    if (topS[i]! <= bestScore) break;
    if (top === 0) {
      bestScore = topS[i]!;
      bestA = topA[i]!;
      bestX = topX[i]!;
      bestY = topY[i]!;
    } else {
      descend(top, topA[i]!, topX[i]!, topY[i]!);
    }
  }
  if (bestA < 0) return null;
  // A top block may start below −L only by construction of `starts` (it does not), and
  // children past +L were skipped, so the result lies inside the window.
  return {
    pose: { x: center.x + bestX * res, y: center.y + bestY * res, theta: normalizeAngle(center.theta + (bestA - na) * step) },
    score: bestScore,
    evaluated,
  };
}
