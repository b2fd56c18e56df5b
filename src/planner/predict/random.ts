/**
 * Seeded pseudo-random numbers for prediction (the planner may not call Math.random), as
 * plain functions: the planner's mulberry32 generator behind a `() => number`.
 */
import { Prng } from '../random';

export type Rng = () => number;

/** Uniform [0, 1) generator from a 32-bit seed; the same seed gives the same sequence. */
export function createRng(seed: number): Rng {
  // The seed's 32 bits are the state itself, unmixed (as the published evaluation ran).
  const prng = new Prng(0);
  prng.setState(seed >>> 0);
  return () => prng.next();
}

/** A standard normal deviate (Box–Muller) from a uniform generator. */
export function standardNormal(rng: Rng): number {
  let u = rng();
  while (u <= 1e-12) u = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}
