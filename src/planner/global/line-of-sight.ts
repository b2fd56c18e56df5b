/**
 * Any-angle smoothing of an 8-connected cell path by line-of-sight string pulling: keep a
 * vertex only where the straight segment from the previous kept vertex would cross a cell
 * that is blocked or costlier than every cell of the stretch of path it replaces. So the
 * smoothed path never enters a blocked cell and never trades clearance for length.
 */

/**
 * True when the segment between the centres of (c0, r0) and (c1, r1) touches no cell
 * that is blocked or has cost > `maxCost`. Cells are tested with an integer supercover
 * walk: every cell the segment passes through, and both side cells where it passes
 * exactly through a cell corner (so a segment cannot squeeze between two diagonal
 * obstacles, matching the no-corner-cutting rule).
 */
export function lineOfSight(
  width: number,
  height: number,
  blocked: Uint8Array,
  cost: Uint8Array | undefined,
  maxCost: number,
  c0: number,
  r0: number,
  c1: number,
  r1: number,
): boolean {
  const bad = (c: number, r: number): boolean => {
    if (c < 0 || r < 0 || c >= width || r >= height) return true;
    const i = r * width + c;
    return blocked[i] !== 0 || (cost !== undefined && cost[i]! > maxCost);
  };
  let dx = c1 - c0;
  let dy = r1 - r0;
  const sx = dx < 0 ? -1 : 1;
  const sy = dy < 0 ? -1 : 1;
  dx = Math.abs(dx);
  dy = Math.abs(dy);
  let c = c0;
  let r = r0;
  if (bad(c, r)) return false;
  // Dedu's supercover Bresenham: error terms in units of half cells.
  const ddx = 2 * dx;
  const ddy = 2 * dy;
  if (ddx >= ddy) {
    let err = dx;
    let prev = dx;
    for (let i = 0; i < dx; i++) {
      c += sx;
      err += ddy;
      if (err > ddx) {
        r += sy;
        err -= ddx;
        if (err + prev < ddx) {
          if (bad(c, r - sy)) return false;
        } else if (err + prev > ddx) {
          if (bad(c - sx, r)) return false;
        } else if (bad(c, r - sy) || bad(c - sx, r)) return false;
      }
      if (bad(c, r)) return false;
      prev = err;
    }
  } else {
    let err = dy;
    let prev = dy;
    for (let i = 0; i < dy; i++) {
      r += sy;
      err += ddx;
      if (err > ddy) {
        c += sx;
        err -= ddy;
        if (err + prev < ddy) {
          if (bad(c - sx, r)) return false;
        } else if (err + prev > ddy) {
          if (bad(c, r - sy)) return false;
        } else if (bad(c - sx, r) || bad(c, r - sy)) return false;
      }
      if (bad(c, r)) return false;
      prev = err;
    }
  }
  return true;
}

/**
 * String-pulls `cells` (row * width + col, 8-adjacent, start → goal) and returns the kept
 * cells, start and goal included.
 */
export function smoothCellPath(width: number, height: number, blocked: Uint8Array, cost: Uint8Array | undefined, cells: Int32Array): Int32Array {
  const n = cells.length;
  if (n <= 2) return cells.slice();
  const kept: number[] = [cells[0]!];
  let anchor = cells[0]!;
  const costOf = (i: number): number => (cost ? cost[i]! : 0);
  let stretchMax = Math.max(costOf(anchor), costOf(cells[1]!));
  for (let i = 2; i < n; i++) {
    const target = cells[i]!;
    const limit = Math.max(stretchMax, costOf(target));
    const ok = lineOfSight(width, height, blocked, cost, limit, anchor % width, (anchor / width) | 0, target % width, (target / width) | 0);
    if (ok) {
      stretchMax = limit;
    } else {
      anchor = cells[i - 1]!;
      kept.push(anchor);
      stretchMax = Math.max(costOf(anchor), costOf(target));
    }
  }
  kept.push(cells[n - 1]!);
  return Int32Array.from(kept);
}
