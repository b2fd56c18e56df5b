/**
 * What a real 2D lidar does besides Gaussian range noise, for simulated runs with drift on:
 * beams that return nothing (more of them on far surfaces and at grazing incidence, where
 * little light comes back), occasional spurious short readings (dust, a reflection off the
 * window), and now and then a whole revolution that never arrives (a serial hiccup, the motor
 * losing sync). Off unless asked for; all probabilities dimensionless, per beam per revolution
 * unless said otherwise. Ranges in metres in the lidar frame (REP 117: +Infinity is no return).
 */
import type { SimRandom } from './random';

export interface LidarFaultParams {
  /** Probability that a beam with a surface within range returns nothing (reads +Infinity). */
  dropout: number;
  /** Added dropout probability at rangeMax, growing as (range / rangeMax)²: weak far returns. */
  dropoutFar: number;
  /**
   * Added dropout probability at grazing incidence, growing as (1 − cos φ)² with φ the angle
   * between the beam and the surface normal (estimated from the neighbouring beams' hits).
   */
  dropoutGrazing: number;
  /** Probability that a beam reads a spurious short range, uniform in [rangeMin, its true range or rangeMax). */
  spurious: number;
  /** Probability per revolution that the whole revolution is lost (no scan at all). */
  revolutionDrop: number;
}

export const NO_LIDAR_FAULTS: LidarFaultParams = Object.freeze({ dropout: 0, dropoutFar: 0, dropoutGrazing: 0, spurious: 0, revolutionDrop: 0 });

/**
 * Generic figures for a hobby-grade 360° lidar (RPLIDAR A1/A2, LDS-01) indoors: about 1 % of
 * beams lost on ordinary surfaces, a few percent more at the far end and at glancing angles,
 * one spurious beam in a thousand, one revolution in 500 missing (every 50 s at 10 Hz).
 */
export const TYPICAL_LIDAR_FAULTS: LidarFaultParams = Object.freeze({ dropout: 0.01, dropoutFar: 0.03, dropoutGrazing: 0.1, spurious: 0.001, revolutionDrop: 0.002 });

/** Whether any per-beam fault can happen (so a scan without faults draws nothing). */
export function hasBeamFaults(f: LidarFaultParams): boolean {
  return f.dropout > 0 || f.dropoutFar > 0 || f.dropoutGrazing > 0 || f.spurious > 0;
}

/** The geometry of one revolution before faults: per beam, the true range and direction. */
export interface BeamGeometry {
  /** True distance to the first surface along each beam, m (+Infinity: nothing within reach). */
  hit: Float64Array;
  /** Unit direction of each beam in the map frame. */
  dirX: Float64Array;
  dirY: Float64Array;
  rangeMin: number;
  rangeMax: number;
}

/**
 * Applies dropouts and spurious readings to `ranges` (already noisy) in place. Draws two
 * uniforms per beam whatever happens, and a third for each spurious reading, so the stream
 * advances the same way for the same scene.
 */
export function applyBeamFaults(ranges: Float32Array, g: BeamGeometry, f: LidarFaultParams, rng: SimRandom): void {
  const n = ranges.length;
  for (let i = 0; i < n; i++) {
    const uDrop = rng.next();
    const uSpurious = rng.next();
    const d = g.hit[i]!;
    if (uSpurious < f.spurious) {
      const top = Math.min(d, g.rangeMax);
      if (top > g.rangeMin) {
        ranges[i] = g.rangeMin + rng.next() * (top - g.rangeMin);
        continue;
      }
    }
    if (!(d <= g.rangeMax)) continue; // no return anyway
    let p = f.dropout;
    if (f.dropoutFar > 0) p += f.dropoutFar * (d / g.rangeMax) ** 2;
    if (f.dropoutGrazing > 0) p += f.dropoutGrazing * (1 - incidenceCos(g, i)) ** 2;
    if (uDrop < p) ranges[i] = Infinity;
  }
}

/**
 * cos of the angle between beam i and the normal of the surface it hits, from the tangent to
 * the neighbouring beam's hit on the same surface (the neighbour with the nearer range); 1
 * (head-on) when neither neighbour hit anything.
 */
function incidenceCos(g: BeamGeometry, i: number): number {
  const n = g.hit.length;
  const d = g.hit[i]!;
  let best = -1;
  let bestGap = Infinity;
  for (const j of [i - 1, i + 1]) {
    if (j < 0 || j >= n) continue;
    const dj = g.hit[j]!;
    if (!(dj <= g.rangeMax)) continue;
    const gap = Math.abs(dj - d);
    if (gap < bestGap) {
      bestGap = gap;
      best = j;
    }
  }
  if (best < 0) return 1;
  const tx = g.hit[best]! * g.dirX[best]! - d * g.dirX[i]!;
  const ty = g.hit[best]! * g.dirY[best]! - d * g.dirY[i]!;
  const len = Math.hypot(tx, ty);
  if (len === 0) return 1;
  // The normal is perpendicular to the tangent: cos φ = |beam × tangent| / |tangent|.
  return Math.abs(g.dirX[i]! * ty - g.dirY[i]! * tx) / len;
}
