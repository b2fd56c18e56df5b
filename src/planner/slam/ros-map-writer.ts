/**
 * OccupancyGrid → ROS map_server files, as map_saver writes them: a binary 8-bit PGM
 * (occupied 0, free 254, unknown 205; the image's top row is the grid's last row, i.e. the
 * largest y) and a YAML in trinary mode with negate 0, occupied_thresh 0.65, free_thresh
 * 0.196. Read back with `parseRosMap` (src/planner/grid/ros-map.ts) this gives the same grid:
 * 254 → p = 1/255 < 0.196 → free; 0 → p = 1 > 0.65 → occupied; 205 → p = 50/255 ≈ 0.1961,
 * between the thresholds → unknown.
 *
 * Cells with intermediate values (1…99 %) are written by the same thresholds: above 65 %
 * occupied, below 19.6 % free, otherwise unknown. No file I/O: bytes and text out.
 */
import { CELL_UNKNOWN, type OccupancyGrid } from '../../shared/grid';

export const ROS_OCCUPIED_THRESH = 0.65;
export const ROS_FREE_THRESH = 0.196;
const PIXEL_OCCUPIED = 0;
const PIXEL_FREE = 254;
const PIXEL_UNKNOWN = 205;

function ascii(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out[i] = c < 128 ? c : 0x3f; // '?': the header is ASCII by construction
  }
  return out;
}

/** The grid as a binary (P5) 8-bit PGM, map_saver's trinary colours. */
export function occupancyGridToPgm(grid: OccupancyGrid): Uint8Array {
  const { width, height, data } = grid;
  const header = ascii(`P5\n# CREATOR: Foresight SLAM ${grid.resolution.toFixed(3)} m/pix\n${width} ${height}\n255\n`);
  const out = new Uint8Array(header.length + width * height);
  out.set(header, 0);
  const base = header.length;
  for (let row = 0; row < height; row++) {
    const img = (height - 1 - row) * width + base;
    for (let col = 0; col < width; col++) {
      const v = data[row * width + col]!;
      let px: number;
      if (v === CELL_UNKNOWN || v > 100) px = PIXEL_UNKNOWN;
      else if (v / 100 > ROS_OCCUPIED_THRESH) px = PIXEL_OCCUPIED;
      else if (v / 100 < ROS_FREE_THRESH) px = PIXEL_FREE;
      else px = PIXEL_UNKNOWN;
      out[img + col] = px;
    }
  }
  return out;
}

/** Shortest decimal text that reads back as exactly `v`. */
function num(v: number): string {
  return Number.isInteger(v) ? `${v}.0` : String(v);
}

/** The map_server YAML for the grid, naming the image `imageName` (relative to the YAML). */
export function occupancyGridToYaml(grid: OccupancyGrid, imageName: string): string {
  if (/[\n\r#]/.test(imageName) || imageName.trim() === '') throw new Error(`map image name must be a plain file name, got ${JSON.stringify(imageName)}`);
  return [
    `image: ${imageName}`,
    'mode: trinary',
    `resolution: ${num(grid.resolution)}`,
    `origin: [${num(grid.origin.x)}, ${num(grid.origin.y)}, 0.0]`,
    'negate: 0',
    `occupied_thresh: ${ROS_OCCUPIED_THRESH}`,
    `free_thresh: ${ROS_FREE_THRESH}`,
    '',
  ].join('\n');
}

/** Both files at once. */
export function occupancyGridToRosMap(grid: OccupancyGrid, imageName: string): { pgm: Uint8Array; yaml: string } {
  return { pgm: occupancyGridToPgm(grid), yaml: occupancyGridToYaml(grid, imageName) };
}
