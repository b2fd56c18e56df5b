import { Prng } from '../planner/random';

/**
 * The simulator's seeded pseudo-random generator: the planner's (mulberry32 + Box–Muller)
 * with the simulator's own seed mixing and named streams. The simulator never calls
 * `Math.random()`: every random draw comes from a stream derived from `SimConfig.seed`, so
 * a run is reproducible bit for bit. Separate streams (people, lidar noise, on-demand
 * scans) keep one consumer from shifting another's draws.
 */
export class SimRandom extends Prng {
  constructor(seed: number) {
    // The planner's generator, seeded through this module's own mixing (kept so every
    // recorded simulation replays bit for bit).
    super(0);
    this.setState(mixSeed(seed));
  }

  /** Normal with mean 0 and standard deviation `sigma`. */
  override normal(sigma = 1): number {
    return super.normal() * sigma;
  }

  /** An independent stream derived from `seed` and a stream label. */
  static stream(seed: number, label: string): SimRandom {
    let h = 0x811c9dc5;
    for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
    return new SimRandom((mixSeed(seed) ^ h) >>> 0);
  }
}

/** Reduces any finite number to 32 well-mixed bits (murmur3 finalizer). */
function mixSeed(seed: number): number {
  const whole = Number.isFinite(seed) ? Math.floor(seed) : 0;
  const frac = Number.isFinite(seed) ? Math.floor((seed - whole) * 4294967296) : 0;
  let h = (whole ^ 0x9e3779b9 ^ Math.floor(whole / 4294967296)) | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = (h ^ frac) | 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}
