/**
 * Loads a BARN data folder laid out like `shared/data/barn`: `cylinders.csv`
 * (`world,x_m,y_m`, one cylinder per row; its rows decide which worlds exist) and
 * `path_files/path_N.npy` (the organisers' reference path of world N, used only for the
 * official optimal time — never for planning). Coordinates: BARN's world frame, metres.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Vec2 } from '../../shared/geometry';
import { NpyFormatError, parseNpyInt64Matrix } from './npy';
import { optimalTime, referencePathLength } from './score';

/** Missing or broken BARN data; `file` names the offending file. */
export class BarnDataError extends Error {
  override readonly name = 'BarnDataError';
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
  }
}

/** One world's geometry. */
export interface BarnWorld {
  index: number;
  /** Cylinder centres, metres (radius BARN_CYLINDER_RADIUS each). */
  cylinders: Vec2[];
}

/** A world's reference path and the official optimal time derived from it. */
export interface BarnReference {
  /** Reference cells [px, py] of the 30 × 30 field, in order. */
  cells: [number, number][];
  /** Start → cells → goal, metres. */
  lengthM: number;
  /** OT, seconds. */
  optimalTimeS: number;
}

function readBytes(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a file' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new BarnDataError(file, `cannot read (${why})`);
  }
}

/**
 * Parses `cylinders.csv` text. A header line `world,x_m,y_m` is expected; blank lines are
 * skipped; every other row must be an integer world index and two finite coordinates.
 * @returns worlds by index, ascending
 */
export function parseCylindersCsv(text: string, file = 'cylinders.csv'): BarnWorld[] {
  const lines = text.split(/\r?\n/);
  const header = lines[0]?.trim().toLowerCase().replace(/\s+/g, '');
  if (header !== 'world,x_m,y_m') throw new BarnDataError(file, `expected the header 'world,x_m,y_m', found '${lines[0]?.trim() ?? ''}'`);
  const byWorld = new Map<number, Vec2[]>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const fields = line.split(',');
    const world = Number(fields[0]);
    const x = Number(fields[1]);
    const y = Number(fields[2]);
    if (fields.length !== 3 || !Number.isInteger(world) || world < 0 || !Number.isFinite(x) || !Number.isFinite(y) || fields.some((f) => f.trim() === '')) {
      throw new BarnDataError(file, `line ${i + 1} is not 'world,x_m,y_m' (an integer world and two numbers): '${line}'`);
    }
    let list = byWorld.get(world);
    if (!list) byWorld.set(world, (list = []));
    list.push({ x, y });
  }
  if (byWorld.size === 0) throw new BarnDataError(file, 'holds no cylinders, so no worlds');
  return [...byWorld.entries()].sort((a, b) => a[0] - b[0]).map(([index, cylinders]) => ({ index, cylinders }));
}

/** Reads and parses `DIR/cylinders.csv`. */
export function loadBarnWorlds(dir: string): BarnWorld[] {
  const file = join(dir, 'cylinders.csv');
  return parseCylindersCsv(readBytes(file).toString('utf8'), file);
}

/** Path of world `index`'s reference path file. */
export function referencePathFile(dir: string, index: number): string {
  return join(dir, 'path_files', `path_${index}.npy`);
}

/** Reads world `index`'s reference path and derives the official optimal time. */
export function loadReference(dir: string, index: number): BarnReference {
  const file = referencePathFile(dir, index);
  const bytes = readBytes(file);
  let matrix;
  try {
    matrix = parseNpyInt64Matrix(bytes);
  } catch (err) {
    if (err instanceof NpyFormatError) throw new BarnDataError(file, err.message);
    throw err;
  }
  if (matrix.cols !== 2) throw new BarnDataError(file, `expected N×2 cells, found ${matrix.rows}×${matrix.cols}`);
  if (matrix.rows === 0) throw new BarnDataError(file, 'holds no cells');
  const cells: [number, number][] = [];
  for (let r = 0; r < matrix.rows; r++) cells.push([matrix.data[2 * r]!, matrix.data[2 * r + 1]!]);
  const lengthM = referencePathLength(cells);
  return { cells, lengthM, optimalTimeS: optimalTime(lengthM) };
}
