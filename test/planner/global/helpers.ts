import type { PlanningGrid } from '../../../src/planner/global/grid-search';

/** Grid from rows written top = row 0 ('#' blocked, '.' free); resolution 1 m, origin 0. */
export function gridFromRows(rows: string[]): PlanningGrid {
  const height = rows.length;
  const width = rows[0]!.length;
  const blocked = new Uint8Array(width * height);
  rows.forEach((line, r) => [...line].forEach((ch, c) => (blocked[r * width + c] = ch === '#' ? 1 : 0)));
  return { width, height, resolution: 1, origin: { x: 0, y: 0 }, blocked };
}

/** Deterministic random grid (LCG). */
export function randomGrid(width: number, height: number, density: number, seed: number): PlanningGrid {
  let s = seed >>> 0;
  const blocked = new Uint8Array(width * height);
  for (let i = 0; i < blocked.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    blocked[i] = s / 2 ** 32 < density ? 1 : 0;
  }
  return { width, height, resolution: 1, origin: { x: 0, y: 0 }, blocked };
}

/** Checks a cell path is 8-connected, free, never cuts a corner; returns its length. */
export function validPathLength(grid: PlanningGrid, cells: Int32Array): number {
  const { width, blocked } = grid;
  let len = 0;
  for (let i = 0; i < cells.length; i++) {
    if (blocked[cells[i]!]) throw new Error(`cell ${cells[i]} is blocked`);
    if (i === 0) continue;
    const a = cells[i - 1]!;
    const b = cells[i]!;
    const dc = (b % width) - (a % width);
    const dr = Math.floor(b / width) - Math.floor(a / width);
    if (Math.abs(dc) > 1 || Math.abs(dr) > 1 || (dc === 0 && dr === 0)) throw new Error(`cells ${a} → ${b} are not 8-adjacent`);
    if (dc !== 0 && dr !== 0) {
      if (blocked[a + dc] || blocked[a + dr * width]) throw new Error(`diagonal ${a} → ${b} cuts a corner`);
      len += Math.SQRT2;
    } else len += 1;
  }
  return len;
}
