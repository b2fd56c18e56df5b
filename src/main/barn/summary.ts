/** Output lines of `foresight barn` (the JSON contract scripts depend on) and the summary over worlds. */
import type { BarnRunResult } from './run-world';

/** `{"world","success","collided","time_s","score"}` */
export interface BarnWorldLine {
  world: number;
  success: boolean;
  collided: boolean;
  time_s: number;
  score: number;
}

/** `{"worlds","success_rate","collision_rate","mean_score"}` */
export interface BarnSummaryLine {
  worlds: number;
  success_rate: number;
  collision_rate: number;
  mean_score: number;
}

function round(v: number, digits: number): number {
  const k = 10 ** digits;
  return Math.round(v * k) / k;
}

export function worldLine(r: BarnRunResult): BarnWorldLine {
  return { world: r.world, success: r.success, collided: r.collided, time_s: round(r.time_s, 2), score: round(r.score, 4) };
}

/** Rates and mean over the worlds run (unrounded inputs, rounded outputs). */
export function summarize(results: readonly Pick<BarnRunResult, 'success' | 'collided' | 'score'>[]): BarnSummaryLine {
  const n = results.length;
  if (n === 0) return { worlds: 0, success_rate: 0, collision_rate: 0, mean_score: 0 };
  const successes = results.filter((r) => r.success).length;
  const collisions = results.filter((r) => r.collided).length;
  const scoreSum = results.reduce((s, r) => s + r.score, 0);
  return { worlds: n, success_rate: round(successes / n, 4), collision_rate: round(collisions / n, 4), mean_score: round(scoreSum / n, 4) };
}

/** One human-readable line for a world. */
export function describe(r: BarnRunResult): string {
  const status = r.success ? 'success' : r.collided ? 'COLLIDED' : `FAILED (${r.outcome}${r.message ? `: ${r.message}` : ''})`;
  return `world ${r.world}: ${status}, time ${round(r.time_s, 2)} s (OT ${round(r.optimal_time_s, 2)} s), score ${round(r.score, 4)}, collided ${r.collided}`;
}
