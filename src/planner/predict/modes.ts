/**
 * A small deterministic set of futures ("modes") over heading and speed: a quantization
 * of a 2-D Gaussian over (heading offset / σθ, ln speed scale / σs) into a centre point
 * and rings, each point carrying the Gaussian mass of its cell as probability.
 *
 * Why not random samples: a fixed set is deterministic, covers the tails evenly (good for
 * best-of-N) and its centre — the nominal future — is always the most probable.
 */

export interface ModeSpread {
  /** 1-σ heading spread, radians. */
  headingSigma: number;
  /** 1-σ spread of the log speed scale (0.2 ≈ ±20 % speed). */
  logSpeedSigma: number;
  /** Ring radii in σ units, innermost first (for instance [1, 2.2]). */
  ringRadii: readonly number[];
}

export interface Mode {
  /** Heading offset from the nominal future, radians (CCW +). */
  headingOffset: number;
  /** Multiplier of the nominal future's displacement. */
  speedScale: number;
  probability: number;
}

/** Points per ring: 6, 12, 18, … (the last ring takes whatever is left). */
function ringCounts(count: number, rings: number): number[] {
  const counts: number[] = [];
  let left = count - 1;
  for (let j = 0; j < rings && left > 0; j++) {
    const n = j === rings - 1 ? left : Math.min(left, 6 * (j + 1));
    counts.push(n);
    left -= n;
  }
  return counts;
}

/** `count` modes (≥ 1) whose probabilities sum to 1; mode 0 is the nominal (most probable). */
export function quantizeModes(count: number, spread: ModeSpread): Mode[] {
  const modes: Mode[] = [];
  const counts = ringCounts(Math.max(1, Math.floor(count)), spread.ringRadii.length);
  const radii = spread.ringRadii.slice(0, counts.length);
  // Cell boundaries: half-way between consecutive radii; the last ring extends to infinity.
  // The mass of a 2-D standard normal outside radius b is exp(−b²/2).
  const outside = (b: number) => Math.exp(-0.5 * b * b);
  const bounds = [0, ...radii.map((r, j) => (j === 0 ? r / 2 : (radii[j - 1] + r) / 2))];
  // The centre must stay the most probable mode: with n₁ points on the first ring its cell
  // needs mass ≥ 1/(n₁ + 1), i.e. a radius ≥ √(2 ln((n₁ + 1)/n₁)) (bounded by the next one).
  if (radii.length > 0) {
    const minimum = 1.001 * Math.sqrt(2 * Math.log((counts[0] + 1) / counts[0]));
    bounds[1] = Math.max(bounds[1], radii.length > 1 ? Math.min(minimum, bounds[2]) : minimum);
  }
  modes.push({ headingOffset: 0, speedScale: 1, probability: radii.length === 0 ? 1 : 1 - outside(bounds[1]) });
  for (let j = 0; j < radii.length; j++) {
    const inner = outside(bounds[j + 1]);
    const outer = j + 1 < radii.length ? outside(bounds[j + 2]) : 0;
    const each = (inner - outer) / counts[j];
    const phase = j % 2 === 0 ? 0 : Math.PI / counts[j];
    for (let i = 0; i < counts[j]; i++) {
      const angle = phase + (2 * Math.PI * i) / counts[j];
      modes.push({
        headingOffset: radii[j] * Math.cos(angle) * spread.headingSigma,
        speedScale: Math.exp(radii[j] * Math.sin(angle) * spread.logSpeedSigma),
        probability: each,
      });
    }
  }
  return modes;
}
