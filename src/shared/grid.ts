/**
 * Occupancy grid as used across the stack (same conventions as ROS nav_msgs/OccupancyGrid).
 *
 * Cell (col, row) covers map-frame x ∈ [origin.x + col·res, origin.x + (col+1)·res) and
 * y ∈ [origin.y + row·res, origin.y + (row+1)·res). Row 0 is the row of smallest y
 * (the bottom of an image), so a PGM's first (top) image row is the grid's last row.
 * `data[row * width + col]`: 0 free, 100 occupied, 255 unknown; values in between are
 * occupancy probabilities in percent.
 */
export interface OccupancyGrid {
  /** Cells along x. */
  width: number;
  /** Cells along y. */
  height: number;
  /** Cell edge length, metres. */
  resolution: number;
  /** Map-frame position of the corner of cell (0, 0), metres. */
  origin: { x: number; y: number };
  data: Uint8Array;
}

export const CELL_FREE = 0;
export const CELL_OCCUPIED = 100;
export const CELL_UNKNOWN = 255;

/** Map-frame point → cell (col, row); may be outside the grid. */
export function worldToCell(grid: OccupancyGrid, x: number, y: number): { col: number; row: number } {
  return {
    col: Math.floor((x - grid.origin.x) / grid.resolution),
    row: Math.floor((y - grid.origin.y) / grid.resolution),
  };
}

/** Centre of cell (col, row) in the map frame, metres. */
export function cellToWorld(grid: OccupancyGrid, col: number, row: number): { x: number; y: number } {
  return {
    x: grid.origin.x + (col + 0.5) * grid.resolution,
    y: grid.origin.y + (row + 0.5) * grid.resolution,
  };
}

export function inGrid(grid: OccupancyGrid, col: number, row: number): boolean {
  return col >= 0 && row >= 0 && col < grid.width && row < grid.height;
}
