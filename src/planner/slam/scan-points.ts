/**
 * A lidar scan turned into points in base_link, once per scan, in typed arrays.
 *
 * Two sets are kept: every return (for map insertion: each endpoint marks its cell hit and
 * the ray to it free) and a thinned subset (for scan matching: near walls a 360-beam lidar
 * puts several points per 5 cm cell, which only costs time and over-weights near walls).
 * Beams without a return within the usable range are kept as free-space rays.
 * Readings: NaN, ≤ 0 or below rangeMin are dropped; ≥ rangeMax or +∞ mean no return.
 */
import type { RangeScan } from './types';
import type { Pose2D } from '../../shared/geometry';

export interface ScanPoints {
  /** Laser origin in base_link, metres. */
  originX: number;
  originY: number;
  /** Endpoints of returns in base_link, metres. */
  hitX: Float32Array;
  hitY: Float32Array;
  hitCount: number;
  /**
   * Beams that saw nothing within the usable range: where their free-space ray ends in
   * base_link. The first `farCount` are returns beyond the usable range (free up to it: real
   * evidence, used by submaps and the occupancy grid alike); the rest are beams with no
   * return at all, free up to min(rangeMax, maxRange, noReturnFreeRange) — the RangeScan
   * contract — used by the occupancy grid only, since glass, black surfaces and dropouts
   * also return nothing and a matcher's submap should not be cleared by them.
   */
  freeX: Float32Array;
  freeY: Float32Array;
  freeCount: number;
  farCount: number;
  /** Thinned returns for matching, base_link, metres. */
  matchX: Float32Array;
  matchY: Float32Array;
  matchCount: number;
  /** Largest range among the matching points, metres (sets the correlative angular step). */
  maxMatchRange: number;
}

export interface ScanPointOptions {
  /** Returns beyond this are treated as "no return within range" (m). Long returns are sparse and their angle error grows. */
  maxRange: number;
  /** Cap on how far a beam with no return at all (≥ rangeMax, ∞) is taken to be free, m (∞: up to rangeMax). */
  noReturnFreeRange: number;
  /** Thinning for matching: consecutive kept points at least this far apart, m. */
  matchPointSpacing: number;
  /** At most this many matching points; the spacing grows until it holds. */
  maxMatchPoints: number;
}

/**
 * Converts one scan. Beam i of the scan is at `angleMin + i·angleIncrement` in the laser frame;
 * the laser sits at `mount` in base_link. NaN, negative and below-rangeMin readings are dropped;
 * readings ≥ rangeMax or +∞ are "no return".
 */
export function scanToPoints(scan: RangeScan, mount: Pose2D, opts: ScanPointOptions): ScanPoints {
  const n = scan.ranges.length;
  const hitX = new Float32Array(n);
  const hitY = new Float32Array(n);
  const freeX = new Float32Array(n);
  const freeY = new Float32Array(n);
  const noneX = new Float32Array(n);
  const noneY = new Float32Array(n);
  const mc = Math.cos(mount.theta);
  const ms = Math.sin(mount.theta);
  let hits = 0;
  let far = 0;
  let none = 0;
  const rangeMax = scan.rangeMax > 0 ? scan.rangeMax : Number.POSITIVE_INFINITY;
  const rangeMin = Math.max(0, scan.rangeMin);
  const noReturnFree = Math.min(opts.noReturnFreeRange, opts.maxRange, rangeMax);
  for (let i = 0; i < n; i++) {
    const r = scan.ranges[i]!;
    if (Number.isNaN(r) || r < rangeMin || r <= 0) continue;
    const a = scan.angleMin + i * scan.angleIncrement;
    const lx = Math.cos(a);
    const ly = Math.sin(a);
    // Direction in base_link.
    const bx = mc * lx - ms * ly;
    const by = ms * lx + mc * ly;
    if (r < rangeMax && r <= opts.maxRange) {
      hitX[hits] = mount.x + r * bx;
      hitY[hits] = mount.y + r * by;
      hits++;
    } else if (r < rangeMax && Number.isFinite(r)) {
      freeX[far] = mount.x + opts.maxRange * bx;
      freeY[far] = mount.y + opts.maxRange * by;
      far++;
    } else if (noReturnFree > 0) {
      noneX[none] = mount.x + noReturnFree * bx;
      noneY[none] = mount.y + noReturnFree * by;
      none++;
    }
  }
  freeX.set(noneX.subarray(0, none), far);
  freeY.set(noneY.subarray(0, none), far);
  const frees = far + none;
  const thinned = thin(hitX, hitY, hits, mount.x, mount.y, opts.matchPointSpacing, opts.maxMatchPoints);
  return {
    originX: mount.x,
    originY: mount.y,
    hitX,
    hitY,
    hitCount: hits,
    freeX,
    freeY,
    freeCount: frees,
    farCount: far,
    matchX: thinned.x,
    matchY: thinned.y,
    matchCount: thinned.count,
    maxMatchRange: thinned.maxRange,
  };
}

/**
 * Keeps a point when it is at least `spacing` from the last kept one (points come in beam
 * order, so this is a voxel filter along the scan); doubles the spacing until at most
 * `maxPoints` remain.
 */
function thin(xs: Float32Array, ys: Float32Array, n: number, ox: number, oy: number, spacing: number, maxPoints: number): { x: Float32Array; y: Float32Array; count: number; maxRange: number } {
  const outX = new Float32Array(n);
  const outY = new Float32Array(n);
  let s = spacing;
  let count = 0;
  for (let attempt = 0; attempt < 12; attempt++) {
    count = 0;
    const s2 = s * s;
    let lx = Number.POSITIVE_INFINITY;
    let ly = Number.POSITIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      const x = xs[i]!;
      const y = ys[i]!;
      const dx = x - lx;
      const dy = y - ly;
      if (dx * dx + dy * dy >= s2) {
        outX[count] = x;
        outY[count] = y;
        count++;
        lx = x;
        ly = y;
      }
    }
    if (count <= maxPoints) break;
    s *= 1.5;
  }
  let maxRange = 0;
  for (let i = 0; i < count; i++) maxRange = Math.max(maxRange, Math.hypot(outX[i]! - ox, outY[i]! - oy));
  return { x: outX.subarray(0, count), y: outY.subarray(0, count), count, maxRange };
}
