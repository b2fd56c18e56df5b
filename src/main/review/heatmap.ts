/**
 * Where interventions and stops happen, over all runs: incident positions (map frame)
 * counted on a grid. Pure binning here; the caller supplies the positions.
 */
import type { HeatmapView } from '../../shared/api';
import type { Vec2 } from '../../shared/geometry';

export const DEFAULT_HEATMAP_CELL = 0.5;

/** Bins points into square cells of `cellSize` m; the grid covers the points' bounds plus one cell. */
export function binHeatmap(points: readonly Vec2[], cellSize: number, runs: number): HeatmapView {
  if (points.length === 0) return { cellSize, origin: { x: 0, y: 0 }, width: 0, height: 0, counts: [], max: 0, events: 0, runs };
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const p of points) {
    minX = Math.min(minX, p.x); minY = Math.min(minY, p.y);
    maxX = Math.max(maxX, p.x); maxY = Math.max(maxY, p.y);
  }
  const ox = Math.floor(minX / cellSize) * cellSize - cellSize;
  const oy = Math.floor(minY / cellSize) * cellSize - cellSize;
  const width = Math.min(2000, Math.floor((maxX - ox) / cellSize) + 2);
  const height = Math.min(2000, Math.floor((maxY - oy) / cellSize) + 2);
  const counts = new Array<number>(width * height).fill(0);
  let max = 0;
  for (const p of points) {
    const i = Math.floor((p.x - ox) / cellSize);
    const j = Math.floor((p.y - oy) / cellSize);
    if (i < 0 || j < 0 || i >= width || j >= height) continue;
    const k = j * width + i;
    counts[k]!++;
    if (counts[k]! > max) max = counts[k]!;
  }
  return { cellSize, origin: { x: ox, y: oy }, width, height, counts, max, events: points.length, runs };
}
