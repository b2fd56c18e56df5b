/**
 * The fixed angular grid every lidar driver bins a revolution onto (RPLIDAR, LDS-01/02, and
 * the simulator's lidar layouts): beams over (−π, π] in the lidar frame, REP 103, so a scan's
 * layout does not change from one revolution to the next however the device's samples fall.
 */
import type { LaserScanMsg } from '../protocol';

/** A fixed angular grid over (−π, π]: beam i at −π + (i + 1)·2π/beams, the last at π. */
export function gridLayout(beams: number): { angleMin: number; angleIncrement: number } {
  const angleIncrement = (2 * Math.PI) / beams;
  return { angleMin: -Math.PI + angleIncrement, angleIncrement };
}

/** Beam index of an angle in (−π, π] on the grid (nearest beam, wrapping at ±π). */
export function beamIndex(angleRad: number, beams: number): number {
  const { angleMin, angleIncrement } = gridLayout(beams);
  const i = Math.round((angleRad - angleMin) / angleIncrement);
  return ((i % beams) + beams) % beams;
}

/**
 * One revolution's samples (angle in rad REP 103, range in m) as a LaserScanMsg on the grid:
 * per beam the nearest valid return, +Infinity where there is none (no sample in the beam, a
 * range of 0, or one outside [rangeMin, rangeMax]). `durationS`: how long the revolution took.
 */
export function binToGrid<S>(
  samples: readonly S[],
  sample: (s: S) => { angleRad: number; rangeM: number },
  opts: { beams: number; rangeMin: number; rangeMax: number; durationS: number },
): LaserScanMsg {
  const { angleMin, angleIncrement } = gridLayout(opts.beams);
  const ranges = new Float32Array(opts.beams).fill(Infinity);
  for (const s of samples) {
    const { angleRad, rangeM: r } = sample(s);
    if (!(r > 0) || r < opts.rangeMin || r > opts.rangeMax) continue;
    const i = beamIndex(angleRad, opts.beams);
    if (r < ranges[i]!) ranges[i] = r;
  }
  return {
    type: 'laser-scan', angleMin, angleIncrement,
    timeIncrement: opts.beams > 0 ? opts.durationS / opts.beams : 0,
    rangeMin: opts.rangeMin, rangeMax: opts.rangeMax, ranges,
  };
}
