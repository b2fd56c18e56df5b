/**
 * The built-in apartment world, generated deterministically from the rectangles below and
 * shipped as a ROS map_server pair (resources/maps/apartment.pgm + .yaml) by
 * scripts/make-apartment-map.ts. About 12 × 9 m at 0.05 m: living room, kitchen with
 * dining table, bedroom, bathroom, office, a hallway joining them; doors 0.8–1.6 m wide.
 * Map frame: origin at the lower-left outer corner, x east, y north, metres.
 */
import type { Pose2D, Vec2 } from '../shared/geometry';
import { CELL_FREE, CELL_OCCUPIED, type OccupancyGrid } from '../shared/grid';

export const APARTMENT_RESOLUTION = 0.05;
export const APARTMENT_WIDTH_M = 12;
export const APARTMENT_HEIGHT_M = 9;

/** A solid axis-aligned rectangle [x0, x1] × [y0, y1], metres, with what it is. */
interface SolidRect {
  name: string;
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

const OUTER = 0.15; // outer wall thickness, m
const INNER = 0.1; // interior wall thickness, m
const HALL_SOUTH = 3.8; // south face of the hallway's south wall
const HALL_NORTH = 5.3; // south face of the hallway's north wall

/** A wall segment along x at [y0, y0 + t], with door openings [from, to] cut out. */
function wallAlongX(name: string, y0: number, t: number, x0: number, x1: number, doors: Array<[number, number]>): SolidRect[] {
  const out: SolidRect[] = [];
  let x = x0;
  for (const [a, b] of [...doors].sort((p, q) => p[0] - q[0])) {
    if (a > x) out.push({ name, x0: x, x1: a, y0, y1: y0 + t });
    x = b;
  }
  if (x < x1) out.push({ name, x0: x, x1, y0, y1: y0 + t });
  return out;
}

/** A wall segment along y at [x0, x0 + t], with door openings cut out. */
function wallAlongY(name: string, x0: number, t: number, y0: number, y1: number, doors: Array<[number, number]>): SolidRect[] {
  return wallAlongX(name, x0, t, y0, y1, doors).map((r) => ({ name, x0: r.y0, x1: r.y1, y0: r.x0, y1: r.x1 }));
}

/** Every solid thing in the apartment. */
export const APARTMENT_SOLIDS: readonly SolidRect[] = [
  // Outer shell.
  { name: 'outer wall south', x0: 0, x1: 12, y0: 0, y1: OUTER },
  { name: 'outer wall north', x0: 0, x1: 12, y0: 9 - OUTER, y1: 9 },
  { name: 'outer wall west', x0: 0, x1: OUTER, y0: 0, y1: 9 },
  { name: 'outer wall east', x0: 12 - OUTER, x1: 12, y0: 0, y1: 9 },
  // Hallway walls with the room doors.
  ...wallAlongX('hallway south wall', HALL_SOUTH, INNER, 0, 12, [
    [2.0, 3.6], // living room: wide opening, 1.6 m
    [8.0, 9.0], // kitchen door, 1.0 m
  ]),
  ...wallAlongX('hallway north wall', HALL_NORTH, INNER, 0, 12, [
    [3.4, 4.3], // bedroom door, 0.9 m
    [5.2, 6.0], // bathroom door, 0.8 m
    [7.5, 8.4], // office door, 0.9 m
  ]),
  // Room dividers.
  ...wallAlongY('living/kitchen wall', 6.5, INNER, OUTER, HALL_SOUTH, [[1.2, 2.1]]), // 0.9 m door
  ...wallAlongY('bedroom/bathroom wall', 4.6, INNER, HALL_NORTH + INNER, 9 - OUTER, []),
  ...wallAlongY('bathroom/office wall', 7.0, INNER, HALL_NORTH + INNER, 9 - OUTER, []),
  // Living room.
  { name: 'sofa', x0: 1.0, x1: 3.2, y0: OUTER, y1: 1.05 },
  { name: 'coffee table', x0: 1.6, x1: 2.6, y0: 1.75, y1: 2.3 },
  { name: 'tv stand', x0: OUTER, x1: 0.55, y0: 1.2, y1: 2.7 },
  { name: 'armchair', x0: 4.6, x1: 5.4, y0: 0.5, y1: 1.3 },
  { name: 'bookshelf', x0: 6.1, x1: 6.5, y0: 2.5, y1: 3.6 },
  // Kitchen and dining.
  { name: 'kitchen counter south', x0: 8.0, x1: 12 - OUTER, y0: OUTER, y1: 0.75 },
  { name: 'kitchen counter east', x0: 11.25, x1: 12 - OUTER, y0: 0.75, y1: 3.0 },
  { name: 'fridge', x0: 6.6, x1: 7.3, y0: OUTER, y1: 0.85 },
  { name: 'dining table', x0: 8.6, x1: 10.0, y0: 1.7, y1: 2.6 },
  // Bedroom.
  { name: 'bed', x0: 1.0, x1: 2.6, y0: 6.85, y1: 9 - OUTER },
  { name: 'nightstand', x0: 2.6, x1: 3.1, y0: 8.35, y1: 9 - OUTER },
  { name: 'wardrobe', x0: OUTER, x1: 0.75, y0: 5.6, y1: 7.4 },
  // Bathroom.
  { name: 'bathtub', x0: 4.7, x1: 5.5, y0: 7.2, y1: 9 - OUTER },
  { name: 'vanity', x0: 6.45, x1: 7.0, y0: 7.5, y1: 8.5 },
  // Office.
  { name: 'desk', x0: 9.5, x1: 10.9, y0: 8.15, y1: 9 - OUTER },
  { name: 'office bookshelf', x0: 11.45, x1: 12 - OUTER, y0: 5.8, y1: 7.6 },
  { name: 'reading chair', x0: 7.4, x1: 8.2, y0: 7.8, y1: 8.6 },
  // Hallway: a shoe cabinet narrows the east end to about 1.05 m.
  { name: 'shoe cabinet', x0: 10.5, x1: 12 - OUTER, y0: HALL_SOUTH + INNER, y1: 4.25 },
];

/**
 * Named places people walk between, map frame (metres). All lie in open floor, and none
 * at the robot's start, so the crowd passes the robot rather than walking into it.
 */
export const APARTMENT_PLACES: Readonly<Record<string, Vec2>> = {
  'living room': { x: 4.3, y: 2.4 },
  'living room, by the tv': { x: 1.3, y: 3.1 },
  kitchen: { x: 10.2, y: 1.2 },
  'dining, west': { x: 7.6, y: 2.6 },
  'hallway, middle': { x: 6.0, y: 4.6 },
  'hallway, east': { x: 9.8, y: 4.7 },
  bedroom: { x: 3.6, y: 6.4 },
  'bedroom, by the wardrobe': { x: 1.6, y: 6.0 },
  bathroom: { x: 5.9, y: 6.5 },
  office: { x: 9.6, y: 6.9 },
  'office, by the door': { x: 8.3, y: 6.1 },
};

/** Centres of the door openings, map frame (metres), for scenarios (doorway groups, people stepping out). */
export const APARTMENT_DOORS: Readonly<Record<string, Vec2>> = {
  'living room': { x: 2.8, y: 3.85 },
  kitchen: { x: 8.5, y: 3.85 },
  'living room / kitchen': { x: 6.55, y: 1.65 },
  bedroom: { x: 3.85, y: 5.35 },
  bathroom: { x: 5.6, y: 5.35 },
  office: { x: 7.95, y: 5.35 },
};

/** Where the robot starts in the built-in world: the west end of the hallway, facing east. */
export const APARTMENT_START_POSE: Pose2D = { x: 1.2, y: 4.6, theta: 0 };

/** Rasterizes the apartment: a cell is occupied when its centre lies in a solid rectangle. */
export function buildApartmentGrid(): OccupancyGrid {
  const res = APARTMENT_RESOLUTION;
  const width = Math.round(APARTMENT_WIDTH_M / res);
  const height = Math.round(APARTMENT_HEIGHT_M / res);
  const data = new Uint8Array(width * height).fill(CELL_FREE);
  for (const r of APARTMENT_SOLIDS) {
    // Integer cell bounds from the (0.05-aligned) rectangle, rounding to avoid float drift.
    const c0 = Math.max(0, Math.round(r.x0 / res));
    const c1 = Math.min(width, Math.round(r.x1 / res));
    const r0 = Math.max(0, Math.round(r.y0 / res));
    const r1 = Math.min(height, Math.round(r.y1 / res));
    for (let row = r0; row < r1; row++) data.fill(CELL_OCCUPIED, row * width + c0, row * width + c1);
  }
  return { width, height, resolution: res, origin: { x: 0, y: 0 }, data };
}

/**
 * Encodes a grid as a binary PGM the way map_server's map_saver does: occupied 0, free 254,
 * unknown 205; the top image row is the grid's last row (largest y).
 */
export function encodeMapPgm(grid: OccupancyGrid, comment = 'foresight map'): Uint8Array {
  const header = new TextEncoder().encode(`P5\n# ${comment}\n${grid.width} ${grid.height}\n255\n`);
  const out = new Uint8Array(header.length + grid.width * grid.height);
  out.set(header);
  let k = header.length;
  for (let imgRow = 0; imgRow < grid.height; imgRow++) {
    const row = grid.height - 1 - imgRow;
    for (let col = 0; col < grid.width; col++) {
      const v = grid.data[row * grid.width + col]!;
      out[k++] = v === CELL_FREE ? 254 : v === CELL_OCCUPIED ? 0 : 205;
    }
  }
  return out;
}

/** map_server YAML for a grid stored in `imageFile`. */
export function mapYaml(grid: OccupancyGrid, imageFile: string): string {
  return [
    `image: ${imageFile}`,
    `resolution: ${grid.resolution}`,
    `origin: [${grid.origin.x.toFixed(3)}, ${grid.origin.y.toFixed(3)}, 0.000]`,
    'negate: 0',
    'occupied_thresh: 0.65',
    'free_thresh: 0.196',
    '',
  ].join('\n');
}
