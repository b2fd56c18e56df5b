/**
 * The simulator's own seeded pseudo-random generator (mulberry32 + Box–Muller). The
 * simulator never calls `Math.random()`: every random draw comes from a stream derived
 * from `SimConfig.seed`, so a run is reproducible bit for bit. Separate streams (people,
 * lidar noise, on-demand scans) keep one consumer from shifting another's draws.
 */
export class SimRandom {
  private state: number;
  /** Second normal of the last Box–Muller pair, NaN when none is cached. */
  private spare = Number.NaN;

  constructor(seed: number) {
    this.state = mixSeed(seed);
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Normal with mean 0 and standard deviation `sigma`. */
  normal(sigma = 1): number {
    if (!Number.isNaN(this.spare)) {
      const z = this.spare;
      this.spare = Number.NaN;
      return z * sigma;
    }
    const u = 1 - this.next(); // (0, 1]: the log stays finite
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v) * sigma;
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
