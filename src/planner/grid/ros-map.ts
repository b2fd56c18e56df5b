/**
 * ROS map_server maps: a flat YAML file (metadata) plus a PGM image → OccupancyGrid.
 * Follows map_server's rules: occupancy p = (maxval − v) / maxval (or v / maxval when
 * `negate`), then `trinary` (default): p > occupied_thresh → 100, p < free_thresh → 0,
 * else unknown (255); `scale`: between the thresholds linearly 1..99; `raw`: the pixel
 * value itself. The PGM's top row is the map's largest y, so it becomes the grid's last row.
 * No file I/O: the caller reads the YAML, resolves `image` relative to it, and passes bytes.
 */
import type { OccupancyGrid } from '../../shared/grid';
import { CELL_FREE, CELL_OCCUPIED, CELL_UNKNOWN } from '../../shared/grid';
import { parseFail, parseOk, strictNumber, type ParseResult } from './parse-result';
import { parsePgm } from './pgm';

export type MapMode = 'trinary' | 'scale' | 'raw';

/** Contents of a map_server YAML file. */
export interface MapMetadata {
  /** Image path exactly as written (relative paths are relative to the YAML file). */
  image: string;
  /** Cell edge, metres. */
  resolution: number;
  /** Map-frame pose of the lower-left pixel's corner: x, y in metres, yaw in radians. */
  origin: { x: number; y: number; yaw: number };
  negate: boolean;
  /** Occupancy probability above which a cell is occupied (0..1). */
  occupiedThresh: number;
  /** Occupancy probability below which a cell is free (0..1). */
  freeThresh: number;
  mode: MapMode;
}

export interface RosMap {
  grid: OccupancyGrid;
  metadata: MapMetadata;
}

type YamlValue = string | number | YamlValue[];

function unquote(s: string): string {
  const t = s.trim();
  if (t.length >= 2 && ((t[0] === '"' && t.endsWith('"')) || (t[0] === "'" && t.endsWith("'")))) return t.slice(1, -1);
  return t;
}

function stripComment(line: string): string {
  // A '#' starts a comment unless inside quotes.
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(0, i);
  }
  return line;
}

function scalar(raw: string): string | number {
  const t = raw.trim();
  const n = strictNumber(t);
  return Number.isNaN(n) ? unquote(t) : n;
}

/**
 * The flat YAML subset map_server files use: `key: value` lines, `#` comments, scalars,
 * flow sequences `[a, b, c]` and block sequences (`key:` followed by `- item` lines).
 */
export function parseFlatYaml(text: string): ParseResult<Map<string, YamlValue>> {
  const out = new Map<string, YamlValue>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  let pendingList: { key: string; items: YamlValue[] } | undefined;
  for (let n = 0; n < lines.length; n++) {
    const line = stripComment(lines[n]!);
    if (line.trim() === '' || line.trim() === '---') continue;
    const item = /^\s*-\s+(.*)$/.exec(line);
    if (item) {
      if (!pendingList) return parseFail('bad-value', `map YAML line ${n + 1}: list item without a key`);
      pendingList.items.push(scalar(item[1]!));
      continue;
    }
    pendingList = undefined;
    const kv = /^([A-Za-z_][\w-]*)\s*:(.*)$/.exec(line.trim());
    if (!kv) return parseFail('bad-value', `map YAML line ${n + 1}: expected 'key: value', got '${line.trim().slice(0, 40)}'`);
    const key = kv[1]!;
    const value = kv[2]!.trim();
    if (value === '') {
      const items: YamlValue[] = [];
      out.set(key, items);
      pendingList = { key, items };
    } else if (value.startsWith('[')) {
      if (!value.endsWith(']')) return parseFail('bad-value', `map YAML line ${n + 1}: unterminated list for '${key}'`);
      const inner = value.slice(1, -1).trim();
      out.set(key, inner === '' ? [] : inner.split(',').map(scalar));
    } else {
      out.set(key, scalar(value));
    }
  }
  return parseOk(out);
}

function num(map: Map<string, YamlValue>, key: string, fallback?: number): number | string {
  const v = map.get(key);
  if (v === undefined) return fallback ?? `map YAML: missing '${key}'`;
  if (typeof v !== 'number') return `map YAML: '${key}' must be a number, got ${JSON.stringify(v)}`;
  return v;
}

/** Parses and validates map_server YAML metadata. Never throws on bad data. */
export function parseMapYaml(text: string): ParseResult<MapMetadata> {
  if (text.trim() === '') return parseFail('empty', 'map YAML: file is empty');
  const parsed = parseFlatYaml(text);
  if (!parsed.ok) return parsed;
  const y = parsed.value;

  const image = y.get('image');
  if (image === undefined) return parseFail('missing-field', "map YAML: missing 'image'");
  if (typeof image !== 'string' || image === '') return parseFail('bad-value', "map YAML: 'image' must be a file name");

  const resolution = num(y, 'resolution');
  if (typeof resolution === 'string') return parseFail(y.has('resolution') ? 'bad-value' : 'missing-field', resolution);
  if (!(resolution > 0) || !Number.isFinite(resolution)) return parseFail('bad-value', `map YAML: resolution must be > 0 m, got ${resolution}`);

  const origin = y.get('origin');
  if (origin === undefined) return parseFail('missing-field', "map YAML: missing 'origin'");
  if (!Array.isArray(origin) || origin.length !== 3 || origin.some((v) => typeof v !== 'number')) {
    return parseFail('bad-value', `map YAML: origin must be [x, y, yaw] numbers, got ${JSON.stringify(origin)}`);
  }
  const [ox, oy, oyaw] = origin as number[];

  const negateRaw = y.get('negate') ?? 0;
  if (negateRaw !== 0 && negateRaw !== 1 && negateRaw !== 'true' && negateRaw !== 'false') {
    return parseFail('bad-value', `map YAML: negate must be 0 or 1, got ${JSON.stringify(negateRaw)}`);
  }
  const occupiedThresh = num(y, 'occupied_thresh', 0.65);
  if (typeof occupiedThresh === 'string') return parseFail('bad-value', occupiedThresh);
  const freeThresh = num(y, 'free_thresh', 0.196);
  if (typeof freeThresh === 'string') return parseFail('bad-value', freeThresh);
  if (!(occupiedThresh >= 0 && occupiedThresh <= 1 && freeThresh >= 0 && freeThresh <= 1 && freeThresh <= occupiedThresh)) {
    return parseFail('bad-value', `map YAML: need 0 ≤ free_thresh (${freeThresh}) ≤ occupied_thresh (${occupiedThresh}) ≤ 1`);
  }
  const mode = y.get('mode') ?? 'trinary';
  if (mode !== 'trinary' && mode !== 'scale' && mode !== 'raw') {
    return parseFail('unsupported', `map YAML: mode must be trinary, scale or raw, got ${JSON.stringify(mode)}`);
  }
  return parseOk({
    image,
    resolution,
    origin: { x: ox!, y: oy!, yaw: oyaw! },
    negate: negateRaw === 1 || negateRaw === 'true',
    occupiedThresh,
    freeThresh,
    mode,
  });
}

/** Converts decoded PGM pixels to an OccupancyGrid with map_server's thresholding. */
export function occupancyFromPgm(metadata: MapMetadata, image: { width: number; height: number; maxValue: number; pixels: Uint16Array }): ParseResult<OccupancyGrid> {
  const { width, height, maxValue, pixels } = image;
  if (metadata.mode === 'raw' && maxValue > 255) return parseFail('unsupported', 'map: raw mode needs an 8-bit image');
  const data = new Uint8Array(width * height);
  const { occupiedThresh: occ, freeThresh: free, negate, mode } = metadata;
  for (let imgRow = 0; imgRow < height; imgRow++) {
    // Image row 0 is the top (largest y); grid row 0 is the smallest y.
    const gridRow = height - 1 - imgRow;
    for (let col = 0; col < width; col++) {
      const v = pixels[imgRow * width + col]!;
      let cell: number;
      if (mode === 'raw') {
        cell = v;
      } else {
        const p = negate ? v / maxValue : (maxValue - v) / maxValue;
        if (p > occ) cell = CELL_OCCUPIED;
        else if (p < free) cell = CELL_FREE;
        else if (mode === 'trinary') cell = CELL_UNKNOWN;
        else cell = occ === free ? CELL_OCCUPIED : Math.min(99, Math.max(1, Math.round((99 * (p - free)) / (occ - free))));
      }
      data[gridRow * width + col] = cell;
    }
  }
  return parseOk({ width, height, resolution: metadata.resolution, origin: { x: metadata.origin.x, y: metadata.origin.y }, data });
}

/**
 * map_server YAML text + the bytes of the PGM it names → OccupancyGrid.
 * The grid has no yaw; `metadata.origin.yaw` is kept for callers that care (map_server
 * consumers conventionally ignore it).
 */
export function parseRosMap(yamlText: string, imageBytes: Uint8Array): ParseResult<RosMap> {
  const meta = parseMapYaml(yamlText);
  if (!meta.ok) return meta;
  const img = parsePgm(imageBytes);
  if (!img.ok) return img;
  const grid = occupancyFromPgm(meta.value, img.value);
  if (!grid.ok) return grid;
  return parseOk({ grid: grid.value, metadata: meta.value });
}

