/**
 * The map a run was driven on, as the run log keeps it: a generic record of type 'map' whose
 * data is the grid's geometry and its cells deflated and base64-encoded (maps are mostly
 * runs of free or unknown cells: a 40 × 40 m open floor at 5 cm, 640 000 cells, is ~1 KB).
 * Written by the console at a run's start and whenever its map changes; read by the MCAP
 * export (and anything else that wants the run's own map rather than today's file).
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { OccupancyGrid } from '../../shared/grid';

/** The record's `type` in the run log. */
export const MAP_RECORD_TYPE = 'map';

export interface MapRecordData {
  /** The map's name (map library name, file, 'map being built'). */
  name: string;
  width: number;
  height: number;
  /** m per cell. */
  resolution: number;
  /** Map-frame position of cell (0, 0)'s corner, m. */
  origin: { x: number; y: number };
  /** Cells (row 0 = smallest y; 0 free, 100 occupied, 255 unknown), raw-deflated, base64. */
  cellsDeflateBase64: string;
}

export function encodeMapRecord(name: string, grid: OccupancyGrid): MapRecordData {
  return {
    name, width: grid.width, height: grid.height, resolution: grid.resolution, origin: { x: grid.origin.x, y: grid.origin.y },
    cellsDeflateBase64: deflateRawSync(grid.data).toString('base64'),
  };
}

/** The recorded map back, or a reason it cannot be read (a damaged or foreign record). */
export function decodeMapRecord(data: unknown): { name: string; grid: OccupancyGrid } | string {
  const d = data as Partial<MapRecordData> | null;
  if (!d || typeof d !== 'object') return 'not a map record';
  const { name, width, height, resolution, origin, cellsDeflateBase64 } = d;
  if (typeof name !== 'string' || !Number.isInteger(width) || !Number.isInteger(height) || width! <= 0 || height! <= 0) return 'map record without a valid size';
  if (typeof resolution !== 'number' || !(resolution > 0) || !origin || !Number.isFinite(origin.x) || !Number.isFinite(origin.y)) return 'map record without a valid resolution or origin';
  if (typeof cellsDeflateBase64 !== 'string') return 'map record without cells';
  let cells: Buffer;
  try {
    cells = inflateRawSync(Buffer.from(cellsDeflateBase64, 'base64'));
  } catch (err) {
    return `map record cells do not inflate: ${(err as Error).message}`;
  }
  if (cells.length !== width! * height!) return `map record has ${cells.length} cells for ${width} × ${height}`;
  return { name, grid: { width: width!, height: height!, resolution, origin: { x: origin.x, y: origin.y }, data: new Uint8Array(cells) } };
}
