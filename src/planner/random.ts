/**
 * Seeded pseudo-random numbers for the planner. The planner never calls `Math.random()`:
 * a generator is passed in (or created from a seed) so every run is reproducible.
 *
 * The generator is mulberry32 (32-bit state, period 2^32): tiny, fast and good enough for
 * sampling and perturbation; it is not cryptographic.
 */

/** Anything that yields uniform numbers in [0, 1). */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
}

/** A seeded mulberry32 generator with a few convenience draws. */
export class Prng implements Rng {
  private state: number;
  /** Second normal from the last Box–Muller pair, or NaN when none is cached. */
  private spareNormal = Number.NaN;

  /** `seed` is any finite number; it is reduced to 32 bits. */
  constructor(seed: number) {
    this.state = seedToUint32(seed);
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

  /** Standard normal (mean 0, σ 1), Box–Muller. */
  normal(): number {
    if (!Number.isNaN(this.spareNormal)) {
      const z = this.spareNormal;
      this.spareNormal = Number.NaN;
      return z;
    }
    // 1 − next() lies in (0, 1], so the log is finite.
    const u = 1 - this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** A new independent generator derived from this one (for sub-tasks that must not shift this stream). */
  fork(): Prng {
    return new Prng(Math.floor(this.next() * 4294967296));
  }

  /** The internal state, to snapshot and later restore with `setState`. */
  getState(): number {
    return this.state;
  }

  setState(state: number): void {
    this.state = state | 0;
    this.spareNormal = Number.NaN;
  }
}

/** Creates a seeded generator. */
export function createPrng(seed: number): Prng {
  return new Prng(seed);
}

/** Reduces any finite number to a 32-bit seed, mixing the fraction so 1.5 ≠ 1. */
function seedToUint32(seed: number): number {
  if (!Number.isFinite(seed)) return 0x9e3779b9 | 0;
  const whole = Math.floor(seed);
  const frac = Math.floor((seed - whole) * 4294967296);
  let h = (whole ^ 0x9e3779b9) | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = (h ^ frac) | 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}
