/**
 * KLD-sampling (Fox 2003, "Adapting the sample size in particle filters through KLD-sampling"):
 * draw particles until their number reaches the bound that keeps, with probability 1 − δ,
 * the Kullback–Leibler distance between the sampled and the true posterior below ε, where the
 * posterior is approximated by a histogram whose occupied bins (k) are counted as we draw.
 * Plus the small open-addressing set of (x, y, θ) bins the count needs, allocation-free.
 */

/**
 * Number of particles for k occupied bins (Fox 2003, eq. 13, Wilson–Hilferty):
 * n = (k − 1)/(2ε) · (1 − 2/(9(k − 1)) + √(2/(9(k − 1)))·z)³, z the upper 1 − δ normal quantile.
 * 0 for k ≤ 1 (a single bin needs no particles beyond the caller's minimum).
 */
export function kldBound(k: number, epsilon: number, z: number): number {
  if (k <= 1) return 0;
  const a = 2 / (9 * (k - 1));
  const b = 1 - a + Math.sqrt(a) * z;
  return Math.ceil(((k - 1) / (2 * epsilon)) * b * b * b);
}

/**
 * Upper quantile z with P(Z > z) = p of the standard normal, 0 < p ≤ 0.5 (Abramowitz & Stegun
 * 26.2.23, |error| < 4.5e-4 — ample for a sample-size bound).
 */
export function normalUpperQuantile(p: number): number {
  const q = Math.min(0.5, Math.max(1e-12, p));
  const t = Math.sqrt(-2 * Math.log(q));
  return t - (2.515517 + 0.802853 * t + 0.010328 * t * t) / (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t);
}

/**
 * A set of integer (ix, iy, iθ) bins with O(1) insert and O(1) clear (a generation stamp),
 * sized once for at most `capacity` distinct bins. Each bin gets a dense slot index 0..size−1
 * so callers can accumulate per-bin sums in their own arrays.
 */
export class BinSet {
  private readonly mask: number;
  private readonly kx: Int32Array;
  private readonly ky: Int32Array;
  private readonly kt: Int32Array;
  private readonly slotOf: Int32Array;
  private readonly stamp: Uint32Array;
  private generation = 1;
  /** Distinct bins since the last clear. */
  size = 0;
  private readonly limit: number;

  constructor(capacity: number) {
    let cap = 16;
    while (cap < 2 * capacity) cap *= 2;
    this.mask = cap - 1;
    this.limit = capacity;
    this.kx = new Int32Array(cap);
    this.ky = new Int32Array(cap);
    this.kt = new Int32Array(cap);
    this.slotOf = new Int32Array(cap);
    this.stamp = new Uint32Array(cap);
  }

  clear(): void {
    this.size = 0;
    this.generation = (this.generation + 1) >>> 0;
    if (this.generation === 0) {
      this.stamp.fill(0);
      this.generation = 1;
    }
  }

  /**
   * Slot of bin (ix, iy, it): ≥ 0 for a bin already present, or −(slot + 1) when it was just
   * added. When the set is full a new bin is not added and −(capacity + 1) is returned.
   */
  insert(ix: number, iy: number, it: number): number {
    let h = Math.imul(ix, 73856093) ^ Math.imul(iy, 19349663) ^ Math.imul(it, 83492791);
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
    h ^= h >>> 12;
    let i = h & this.mask;
    for (;;) {
      if (this.stamp[i] !== this.generation) {
        if (this.size >= this.limit) return -(this.limit + 1);
        this.stamp[i] = this.generation;
        this.kx[i] = ix;
        this.ky[i] = iy;
        this.kt[i] = it;
        const slot = this.size++;
        this.slotOf[i] = slot;
        return -(slot + 1);
      }
      if (this.kx[i] === ix && this.ky[i] === iy && this.kt[i] === it) return this.slotOf[i]!;
      i = (i + 1) & this.mask;
    }
  }
}
