/**
 * BARN's official metric (the-barn-challenge run.py). Frame: BARN's world frame, the
 * `map` frame of the run (metres); times in seconds.
 */
import type { Vec2 } from '../../shared/geometry';
import { BARN_GOAL, BARN_START } from './world';

/** Nominal speed the optimal time is computed at, m/s (the Jackal's top speed). */
export const BARN_REFERENCE_SPEED = 2;

/** Edge of one cylinder cell, metres (the cylinders' lattice, twice their 0.075 m radius). */
const CELL_M = 0.15;

/**
 * Centre of reference-path cell (px, py) of the 30 × 30 field in the world frame, metres,
 * as the official metric converts it: x = 0.15 px − 4.575, y = 0.15 py + 5.075.
 */
export function referenceCellToWorld(px: number, py: number): Vec2 {
  return { x: CELL_M * px - 4.575, y: CELL_M * py + 5.075 };
}

/**
 * Length of the reference path, metres: the start, the cells in order, then the goal, as
 * the official run.py measures it (it inserts the start and goal around the file's cells,
 * so the corridor before and the free stretch after the field count).
 * @param cells reference cells, each [px, py]
 */
export function referencePathLength(cells: readonly (readonly [number, number])[]): number {
  const points: Vec2[] = [BARN_START, ...cells.map(([px, py]) => referenceCellToWorld(px, py)), BARN_GOAL];
  let length = 0;
  for (let i = 1; i < points.length; i++) length += Math.hypot(points[i]!.x - points[i - 1]!.x, points[i]!.y - points[i - 1]!.y);
  return length;
}

/** Optimal traversal time OT, seconds: the reference path at 2 m/s. */
export function optimalTime(referenceLengthM: number): number {
  return referenceLengthM / BARN_REFERENCE_SPEED;
}

/**
 * Official score: success × OT / clip(AT, 2·OT, 8·OT), so 0.5 at best (AT ≤ 2·OT), 0.125
 * for a slow success (AT ≥ 8·OT) and 0 for a failure.
 * @param actualTimeS AT, seconds from when the robot starts moving to when it reaches the goal
 * @param optimalTimeS OT, seconds
 */
export function officialScore(success: boolean, actualTimeS: number, optimalTimeS: number): number {
  if (!success || !(optimalTimeS > 0) || !Number.isFinite(actualTimeS)) return 0;
  const clipped = Math.min(8 * optimalTimeS, Math.max(2 * optimalTimeS, actualTimeS));
  return optimalTimeS / clipped;
}
