/**
 * The cells a segment crosses, exactly (Amanatides–Woo), in grid cell units: from the cell of
 * (sx, sy) up to the cell of (ex, ey), each visited once, 4-connected, always ending on the
 * end point's cell. The end cell is visited only when `includeEnd` (a free-space ray clears
 * it; a ray to a hit leaves it to the hit). The caller keeps the segment inside its grid.
 */
export function forEachRayCell(sx: number, sy: number, ex: number, ey: number, includeEnd: boolean, visit: (ix: number, iy: number) => void): void {
  let ix = Math.floor(sx);
  let iy = Math.floor(sy);
  const jx = Math.floor(ex);
  const jy = Math.floor(ey);
  const dx = ex - sx;
  const dy = ey - sy;
  const stepX = dx > 0 ? 1 : -1;
  const stepY = dy > 0 ? 1 : -1;
  // Parametric distance between, and to the next, vertical / horizontal cell edges.
  const tDeltaX = dx !== 0 ? Math.abs(1 / dx) : Number.POSITIVE_INFINITY;
  const tDeltaY = dy !== 0 ? Math.abs(1 / dy) : Number.POSITIVE_INFINITY;
  let tMaxX = dx !== 0 ? (dx > 0 ? ix + 1 - sx : sx - ix) * tDeltaX : Number.POSITIVE_INFINITY;
  let tMaxY = dy !== 0 ? (dy > 0 ? iy + 1 - sy : sy - iy) * tDeltaY : Number.POSITIVE_INFINITY;
  const steps = Math.abs(jx - ix) + Math.abs(jy - iy);
  for (let k = 0; k < steps; k++) {
    visit(ix, iy);
    // Once on the end's column (row), only the other axis moves: the walk ends on its cell.
    if (ix !== jx && (iy === jy || tMaxX < tMaxY)) {
      ix += stepX;
      tMaxX += tDeltaX;
    } else {
      iy += stepY;
      tMaxY += tDeltaY;
    }
  }
  if (includeEnd) visit(jx, jy);
}
