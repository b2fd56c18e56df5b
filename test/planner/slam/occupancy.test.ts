import { describe, expect, it } from 'vitest';
import { CELL_FREE, CELL_OCCUPIED, CELL_UNKNOWN, type OccupancyGrid } from '../../../src/shared/grid';
import { parseRosMap } from '../../../src/planner/grid/ros-map';
import { Prng } from '../../../src/planner/random';
import { occupancyFromNodes } from '../../../src/planner/slam/occupancy';
import { occupancyGridToPgm, occupancyGridToRosMap, occupancyGridToYaml } from '../../../src/planner/slam/ros-map-writer';
import { scanToPoints } from '../../../src/planner/slam/scan-points';
import { flat, HOME_LIDAR, scanAt } from './synthetic';

const POINTS = { maxRange: 25, noReturnFreeRange: 0, matchPointSpacing: 0.05, maxMatchPoints: 250 };

function cell(grid: OccupancyGrid, x: number, y: number): number {
  const col = Math.floor((x - grid.origin.x) / grid.resolution);
  const row = Math.floor((y - grid.origin.y) / grid.resolution);
  return grid.data[row * grid.width + col]!;
}

describe('occupancy from placed scans', () => {
  const rng = new Prng(2);
  const poses = [
    { x: 2, y: 2, theta: 0 },
    { x: 3, y: 4, theta: 1.2 },
    { x: 4.5, y: 2.5, theta: -2 },
  ];
  const grid = occupancyFromNodes(
    poses.map((pose) => ({ pose, points: scanToPoints(scanAt(flat(), pose, 0, HOME_LIDAR, rng), { x: 0, y: 0, theta: 0 }, POINTS) })),
    0.05,
  );

  it('marks walls occupied and the space the beams crossed free', () => {
    // Walls lie on cell boundaries (x = 0, x = 6): the noisy endpoints land on either side.
    const wall = (x: number, y: number): boolean => cell(grid, x - 0.025, y) === CELL_OCCUPIED || cell(grid, x + 0.025, y) === CELL_OCCUPIED;
    expect(wall(0, 2.5)).toBe(true);
    expect(wall(6, 1.5)).toBe(true);
    expect(wall(12, 3.6)).toBe(true); // through the door
    expect(cell(grid, 3, 3)).toBe(CELL_FREE);
    expect(cell(grid, 1.5, 4.5)).toBe(CELL_FREE);
  });

  it('keeps unknown what no beam reached: behind walls and inside furniture', () => {
    // The right room (x > 6) behind the inner wall, away from the door's line of sight.
    expect(cell(grid, 9, 7.5)).toBe(CELL_UNKNOWN);
    // Inside the closed box at (1..2.5, 5.5..7).
    expect(cell(grid, 1.75, 6.25)).toBe(CELL_UNKNOWN);
    // Only the three values, and most of the grid never observed is still unknown.
    const values = new Set(grid.data);
    expect([...values].every((v) => v === CELL_FREE || v === CELL_OCCUPIED || v === CELL_UNKNOWN)).toBe(true);
    expect(grid.data.filter((v) => v === CELL_UNKNOWN).length).toBeGreaterThan(grid.data.length * 0.2);
  });

  it('beams with no return are free up to rangeMax for occupancy (the RangeScan contract), capped by the option', () => {
    // Nothing within 10 m in any direction, seen twice from the same place.
    const open = { time: 0, ranges: new Float32Array(360).fill(Number.POSITIVE_INFINITY), angleMin: -Math.PI, angleIncrement: Math.PI / 180, rangeMin: 0.05, rangeMax: 10 };
    const placed = (noReturnFreeRange: number) => {
      const points = scanToPoints(open, { x: 0, y: 0, theta: 0 }, { ...POINTS, noReturnFreeRange });
      return occupancyFromNodes(
        [0, 1].map(() => ({ pose: { x: 0, y: 0, theta: 0 }, points })),
        0.05,
      );
    };
    const free = placed(Number.POSITIVE_INFINITY);
    expect(cell(free, 9.5, 0.01)).toBe(CELL_FREE);
    expect(cell(free, -6, -6)).toBe(CELL_FREE);
    expect(free.data.includes(CELL_OCCUPIED)).toBe(false);
    const capped = placed(3);
    expect(cell(capped, 2.5, 0.01)).toBe(CELL_FREE);
    // Nothing was claimed beyond 3 m: the grid does not even reach there.
    expect(capped.width * capped.resolution).toBeLessThan(6.5);
    // The submap side ignores them: nothing to insert but the origin.
    expect(scanToPoints(open, { x: 0, y: 0, theta: 0 }, { ...POINTS, noReturnFreeRange: Number.POSITIVE_INFINITY }).farCount).toBe(0);
  });

  it('an empty graph gives an empty grid', () => {
    const g = occupancyFromNodes([], 0.05);
    expect([g.width, g.height, g.data.length]).toEqual([0, 0, 0]);
  });
});

describe('ROS map_server output', () => {
  it('round-trips through parseRosMap: same cells, resolution and origin', () => {
    const rng = new Prng(9);
    const width = 37;
    const height = 23;
    const data = Uint8Array.from({ length: width * height }, () => [CELL_FREE, CELL_OCCUPIED, CELL_UNKNOWN][rng.int(3)]!);
    const grid: OccupancyGrid = { width, height, resolution: 0.05, origin: { x: -3.45, y: 12.2 }, data };
    const { pgm, yaml } = occupancyGridToRosMap(grid, 'home.pgm');
    const back = parseRosMap(yaml, pgm);
    expect(back.ok).toBe(true);
    if (!back.ok) return;
    expect(back.value.grid.width).toBe(width);
    expect(back.value.grid.height).toBe(height);
    expect(back.value.grid.resolution).toBe(0.05);
    expect(back.value.grid.origin).toEqual({ x: -3.45, y: 12.2 });
    expect(Array.from(back.value.grid.data)).toEqual(Array.from(data));
    expect(back.value.metadata).toMatchObject({ image: 'home.pgm', mode: 'trinary', negate: false, occupiedThresh: 0.65, freeThresh: 0.196 });
  });

  it('writes map_saver values with the top image row as the largest y', () => {
    const grid: OccupancyGrid = { width: 2, height: 2, resolution: 0.1, origin: { x: 0, y: 0 }, data: Uint8Array.from([CELL_OCCUPIED, CELL_FREE, CELL_UNKNOWN, 80]) };
    const pgm = occupancyGridToPgm(grid);
    const header = 'P5\n';
    expect(String.fromCharCode(...pgm.subarray(0, 3))).toBe(header);
    const raster = pgm.subarray(pgm.length - 4);
    // Image row 0 = grid row 1 (unknown, 80 % → occupied); image row 1 = grid row 0.
    expect(Array.from(raster)).toEqual([205, 0, 0, 254]);
    expect(occupancyGridToYaml(grid, 'm.pgm')).toContain('origin: [0.0, 0.0, 0.0]');
    expect(() => occupancyGridToYaml(grid, 'a\nb.pgm')).toThrow(/plain file name/);
  });
});
