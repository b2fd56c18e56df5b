import type { OccupancyGrid } from '../../src/shared/grid';

/** An empty grid of w × h metres at `res`, origin (0, 0), with a wall border one cell thick. */
export function roomGrid(widthM: number, heightM: number, res = 0.05, border = true): OccupancyGrid {
  const width = Math.round(widthM / res);
  const height = Math.round(heightM / res);
  const data = new Uint8Array(width * height);
  if (border) {
    for (let col = 0; col < width; col++) {
      data[col] = 100;
      data[(height - 1) * width + col] = 100;
    }
    for (let row = 0; row < height; row++) {
      data[row * width] = 100;
      data[row * width + width - 1] = 100;
    }
  }
  return { width, height, resolution: res, origin: { x: 0, y: 0 }, data };
}

/** Fills the cells whose centres lie in [x0, x1] × [y0, y1] (metres). */
export function fillRect(grid: OccupancyGrid, x0: number, x1: number, y0: number, y1: number): void {
  for (let row = 0; row < grid.height; row++) {
    const y = grid.origin.y + (row + 0.5) * grid.resolution;
    if (y < y0 || y > y1) continue;
    for (let col = 0; col < grid.width; col++) {
      const x = grid.origin.x + (col + 0.5) * grid.resolution;
      if (x >= x0 && x <= x1) grid.data[row * grid.width + col] = 100;
    }
  }
}
