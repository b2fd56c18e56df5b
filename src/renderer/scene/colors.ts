/** Colour helpers for the map view (0xRRGGBB numbers). */

/** Cost rank 0 (best) … 1 (worst) → green → yellow → red. */
export function costColor(t: number): number {
  const u = Number.isFinite(t) ? Math.max(0, Math.min(1, t)) : 1;
  let r: number;
  let g: number;
  if (u < 0.5) {
    r = Math.round(60 + (230 - 60) * (u / 0.5));
    g = 210;
  } else {
    r = 230;
    g = Math.round(210 - (210 - 60) * ((u - 0.5) / 0.5));
  }
  const b = 70;
  return (r << 16) | (g << 8) | b;
}

/**
 * Normalizes costs to 0…1 by rank-free min/max; non-finite costs (infeasible) map to 1.
 * Returns a new array.
 */
export function normalizeCosts(costs: readonly number[]): number[] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const c of costs) {
    if (!Number.isFinite(c)) continue;
    if (c < lo) lo = c;
    if (c > hi) hi = c;
  }
  const span = hi - lo;
  return costs.map((c) => (!Number.isFinite(c) ? 1 : span > 0 ? (c - lo) / span : 0));
}

/** Person risk 0…1 → cyan (safe) … magenta-red (risky). */
export function riskColor(risk: number): number {
  const u = Number.isFinite(risk) ? Math.max(0, Math.min(1, risk)) : 0;
  const r = Math.round(80 + 175 * u);
  const g = Math.round(200 - 150 * u);
  const b = Math.round(230 - 130 * u);
  return (r << 16) | (g << 8) | b;
}

/** Opacity of a predicted future from its probability (0…1): faint when unlikely, never invisible. */
export function futureAlpha(probability: number): number {
  const u = Number.isFinite(probability) ? Math.max(0, Math.min(1, probability)) : 0;
  return 0.1 + 0.85 * u;
}

/** Operator zones: keep-out red, slow amber (the zones layer and the zone tool's preview). */
export const ZONE_COLORS = { 'keep-out': 0xf85149, slow: 0xd29922 } as const;
