/**
 * MovingAI grid benchmark formats (Sturtevant): `.map` and `.map.scen`.
 * `.map`: `type octile`, `height H`, `width W`, `map`, then H rows of W characters;
 * passable `.` `G` `S`, blocked `@` `O` `T` `W`. `.map.scen`: `version 1` (or `1.0`), then
 * `bucket map width height start_x start_y goal_x goal_y optimal_length` per line.
 * x is the column, y the row; row 0 is the first map row. CRLF and a missing final
 * newline are accepted; fields may be separated by tabs or spaces.
 */
import type { OccupancyGrid } from '../../shared/grid';
import { CELL_FREE, CELL_OCCUPIED } from '../../shared/grid';
import { parseFail, parseOk, strictNumber, type ParseResult } from './parse-result';

export interface MovingAiMap {
  width: number;
  height: number;
  /** 1 passable, 0 blocked; `passable[y * width + x]`, y = 0 is the first map row. */
  passable: Uint8Array;
}

export interface MovingAiScenario {
  bucket: number;
  /** Map path as written in the scenario file. */
  map: string;
  mapWidth: number;
  mapHeight: number;
  startX: number;
  startY: number;
  goalX: number;
  goalY: number;
  /** Optimal 8-connected cost without corner cutting (straight 1, diagonal √2), rounded. */
  optimalLength: number;
}

const PASSABLE = new Set(['.', 'G', 'S']);
const BLOCKED = new Set(['@', 'O', 'T', 'W']);

function lines(text: string): string[] {
  const all = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  // A trailing newline yields one empty last element; dropping it makes both endings equal.
  if (all.length > 0 && all[all.length - 1] === '') all.pop();
  return all;
}

/** Parses a MovingAI `.map`. Never throws on bad data. */
export function parseMovingAiMap(text: string): ParseResult<MovingAiMap> {
  if (text.trim() === '') return parseFail('empty', 'MovingAI map: file is empty');
  const ls = lines(text);
  const header = new Map<string, string>();
  let n = 0;
  for (; n < ls.length; n++) {
    const t = ls[n]!.trim();
    if (t === 'map') break;
    const m = /^(\w+)\s+(\S+)$/.exec(t);
    if (!m) return parseFail('bad-header', `MovingAI map line ${n + 1}: expected 'type', 'height', 'width' or 'map', got '${t.slice(0, 40)}'`);
    header.set(m[1]!, m[2]!);
  }
  if (n >= ls.length) return parseFail('bad-header', "MovingAI map: no 'map' line after the header");
  const type = header.get('type');
  if (type !== 'octile') return parseFail('bad-header', `MovingAI map: expected 'type octile', got ${type === undefined ? 'no type' : `'type ${type}'`}`);
  const dims: number[] = [];
  for (const key of ['height', 'width']) {
    const raw = header.get(key);
    if (raw === undefined) return parseFail('bad-size', `MovingAI map: missing '${key}'`);
    if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 1 << 15) return parseFail('bad-size', `MovingAI map: ${key} must be a positive integer, got '${raw}'`);
    dims.push(Number(raw));
  }
  const [height, width] = dims as [number, number];
  const rows = ls.slice(n + 1);
  if (rows.length < height) return parseFail('truncated', `MovingAI map: header says ${height} rows, file has ${rows.length}`);
  for (let r = height; r < rows.length; r++) {
    if (rows[r]!.trim() !== '') return parseFail('bad-size', `MovingAI map: more than ${height} rows (row ${r} is not empty)`);
  }
  const passable = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = rows[y]!.replace(/\s+$/, '');
    if (row.length !== width) return parseFail('bad-size', `MovingAI map: row ${y} has ${row.length} cells, width is ${width}`);
    for (let x = 0; x < width; x++) {
      const c = row[x]!;
      if (PASSABLE.has(c)) passable[y * width + x] = 1;
      else if (!BLOCKED.has(c)) return parseFail('bad-value', `MovingAI map: unknown terrain '${c}' at x=${x}, y=${y}`);
    }
  }
  return parseOk({ width, height, passable });
}

/** Parses a MovingAI `.map.scen`. Never throws on bad data. */
export function parseMovingAiScenarios(text: string): ParseResult<MovingAiScenario[]> {
  if (text.trim() === '') return parseFail('empty', 'MovingAI scenarios: file is empty');
  const ls = lines(text);
  const version = ls[0]!.trim();
  if (!/^version\s+1(\.0)?$/.test(version)) {
    return parseFail('bad-header', `MovingAI scenarios: expected 'version 1' on the first line, got '${version.slice(0, 40)}'`);
  }
  const out: MovingAiScenario[] = [];
  for (let n = 1; n < ls.length; n++) {
    const line = ls[n]!.trim();
    if (line === '') continue;
    const f = line.split(/[\t ]+/);
    if (f.length !== 9) return parseFail('bad-value', `MovingAI scenarios line ${n + 1}: expected 9 fields, got ${f.length}`);
    const nums = [0, 2, 3, 4, 5, 6, 7, 8].map((i) => strictNumber(f[i]!));
    const ints = nums.slice(0, 7);
    if (ints.some((v) => !Number.isInteger(v) || v < 0)) {
      return parseFail('bad-value', `MovingAI scenarios line ${n + 1}: bucket, sizes and coordinates must be non-negative integers`);
    }
    const [bucket, mapWidth, mapHeight, startX, startY, goalX, goalY, optimalLength] = nums as [number, number, number, number, number, number, number, number];
    if (!(optimalLength >= 0)) return parseFail('bad-value', `MovingAI scenarios line ${n + 1}: optimal length '${f[8]}' is not a non-negative number`);
    if (startX >= mapWidth || goalX >= mapWidth || startY >= mapHeight || goalY >= mapHeight) {
      return parseFail('bad-value', `MovingAI scenarios line ${n + 1}: start or goal outside the ${mapWidth} × ${mapHeight} map`);
    }
    out.push({ bucket, map: f[1]!, mapWidth, mapHeight, startX, startY, goalX, goalY, optimalLength });
  }
  return parseOk(out);
}

/**
 * MovingAI map → OccupancyGrid. Map row y becomes grid row y (no flip): the benchmark's
 * y axis is the row index, and the shared BARN grids define line j as y ∈ [j·res, (j+1)·res).
 * Cell (x, y) is then centred at origin + ((x + 0.5)·res, (y + 0.5)·res) metres.
 */
export function movingAiToOccupancyGrid(map: MovingAiMap, resolution = 1, origin = { x: 0, y: 0 }): OccupancyGrid {
  const data = new Uint8Array(map.width * map.height);
  for (let i = 0; i < data.length; i++) data[i] = map.passable[i] ? CELL_FREE : CELL_OCCUPIED;
  return { width: map.width, height: map.height, resolution, origin: { ...origin }, data };
}
