/**
 * Map decoding for display. The grid arrives with row 0 at the smallest y (ROS
 * OccupancyGrid order); images have row 0 at the top (largest y), so rows are flipped.
 */
import type { MapPayload } from '../../shared/api';
import { INFLATION_COLORS } from './colors';

/** Decodes base64 to bytes without Node's Buffer (works in the browser and in Node ≥ 16). */
export function decodeBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export interface MapPalette {
  free: readonly [number, number, number];
  occupied: readonly [number, number, number];
  unknown: readonly [number, number, number, number];
  /** Occupancy 0…100 → RGB. Default: a linear blend from `free` to `occupied`. */
  occupancy?: (v: number) => readonly [number, number, number];
}

/**
 * Foresight's own map colours, for a dark console: free space a clear slate, walls light,
 * unknown (never observed) close to the canvas background, so free and unknown are told
 * apart at a glance (they used to differ by a few levels of grey).
 */
export const DEFAULT_PALETTE: MapPalette = {
  free: [46, 54, 66],
  occupied: [196, 205, 214],
  unknown: [11, 13, 17, 255],
};

/**
 * RViz's "map" colour scheme (rviz/default_plugin/map_display.cpp, makeMapPalette): occupancy
 * v in 0…100 is grey 255 − ⌊255·v/100⌋ (free white, occupied black), unknown (−1, our 255) is
 * 0x70 0x89 0x86. RViz paints the illegal values 101…254 green and red/yellow; here every
 * value above 100 is unknown, as everywhere else in Foresight.
 */
export const ROS_PALETTE: MapPalette = {
  free: [255, 255, 255],
  occupied: [0, 0, 0],
  unknown: [0x70, 0x89, 0x86, 255],
  occupancy: (v) => {
    const g = 255 - Math.trunc((255 * v) / 100);
    return [g, g, g];
  },
};

export type MapColorScheme = 'foresight' | 'ros';

/** The map colour schemes the Layers panel offers, in its order. */
export const MAP_SCHEMES: Record<MapColorScheme, { label: string; palette: MapPalette }> = {
  foresight: { label: 'Foresight', palette: DEFAULT_PALETTE },
  ros: { label: 'ROS (RViz)', palette: ROS_PALETTE },
};

export function isMapColorScheme(v: unknown): v is MapColorScheme {
  return typeof v === 'string' && Object.prototype.hasOwnProperty.call(MAP_SCHEMES, v);
}

/**
 * Grid values (0 free … 100 occupied, 255 or any value > 100 unknown) → RGBA, top row first.
 * Intermediate occupancy values blend free → occupied (or follow the palette's `occupancy`).
 */
export function gridToRgba(
  cells: Uint8Array,
  width: number,
  height: number,
  palette: MapPalette = DEFAULT_PALETTE,
): Uint8ClampedArray {
  if (cells.length < width * height) {
    throw new Error(`map data has ${cells.length} cells, expected ${width}×${height} = ${width * height}`);
  }
  const out = new Uint8ClampedArray(width * height * 4);
  const { free, occupied, unknown } = palette;
  // Lookup table per cell value.
  const lut = new Uint8ClampedArray(256 * 4);
  for (let v = 0; v < 256; v++) {
    const o = v * 4;
    if (v > 100) {
      lut[o] = unknown[0];
      lut[o + 1] = unknown[1];
      lut[o + 2] = unknown[2];
      lut[o + 3] = unknown[3];
    } else if (palette.occupancy) {
      const c = palette.occupancy(v);
      lut[o] = c[0];
      lut[o + 1] = c[1];
      lut[o + 2] = c[2];
      lut[o + 3] = 255;
    } else {
      const t = v / 100;
      lut[o] = free[0] + (occupied[0] - free[0]) * t;
      lut[o + 1] = free[1] + (occupied[1] - free[1]) * t;
      lut[o + 2] = free[2] + (occupied[2] - free[2]) * t;
      lut[o + 3] = 255;
    }
  }
  for (let row = 0; row < height; row++) {
    const src = row * width;
    const dst = (height - 1 - row) * width * 4;
    for (let col = 0; col < width; col++) {
      const o = lut.subarray(cells[src + col] * 4, cells[src + col] * 4 + 4);
      out.set(o, dst + col * 4);
    }
  }
  return out;
}

export interface DecodedMap {
  payload: MapPayload;
  cells: Uint8Array;
  rgba: Uint8ClampedArray;
  bounds: { minX: number; minY: number; maxX: number; maxY: number };
}

export function decodeMap(payload: MapPayload, palette?: MapPalette): DecodedMap {
  const cells = decodeBase64(payload.dataBase64);
  const rgba = gridToRgba(cells, payload.width, payload.height, palette);
  return {
    payload,
    cells,
    rgba,
    bounds: {
      minX: payload.origin.x,
      minY: payload.origin.y,
      maxX: payload.origin.x + payload.width * payload.resolution,
      maxY: payload.origin.y + payload.height * payload.resolution,
    },
  };
}

/**
 * Display-only inflation around occupied cells (value ≥ `occupiedThreshold`), as RGBA with
 * the same flip as `gridToRgba`. Cells closer than `inscribed` metres are lethal (opaque
 * red); cost then decays exponentially out to `radius` metres. Uses a two-pass chamfer
 * distance transform (3-4 weights), O(cells).
 *
 * This approximates the planner's inflated costmap from the static map and the footprint;
 * it is not the planner's live costmap (the API does not carry one).
 */
export function inflationRgba(
  cells: Uint8Array,
  width: number,
  height: number,
  resolution: number,
  inscribed: number,
  radius: number,
  occupiedThreshold = 65,
): Uint8ClampedArray {
  const dist = chamferDistance(cells, width, height, occupiedThreshold); // in cells
  const out = new Uint8ClampedArray(width * height * 4);
  const decay = Math.max(radius - inscribed, 1e-3) / 3;
  const { lethal, cost } = INFLATION_COLORS;
  for (let row = 0; row < height; row++) {
    const dstRow = height - 1 - row;
    for (let col = 0; col < width; col++) {
      const i = row * width + col;
      const d = dist[i] * resolution;
      const o = (dstRow * width + col) * 4;
      if (dist[i] === 0 || d > radius) continue; // obstacle itself or far: transparent
      if (d <= inscribed) {
        out[o] = lethal[0];
        out[o + 1] = lethal[1];
        out[o + 2] = lethal[2];
        out[o + 3] = lethal[3];
      } else {
        const c = Math.exp(-(d - inscribed) / decay);
        out[o] = cost[0];
        out[o + 1] = cost[1];
        out[o + 2] = cost[2];
        out[o + 3] = Math.round(20 + 100 * c);
      }
    }
  }
  return out;
}

/** Approximate Euclidean distance to the nearest obstacle cell, in cells (3-4 chamfer). */
export function chamferDistance(cells: Uint8Array, width: number, height: number, threshold = 65): Float32Array {
  const INF = 1e9;
  const d = new Float32Array(width * height);
  for (let i = 0; i < d.length; i++) {
    const v = cells[i];
    d[i] = v >= threshold && v <= 100 ? 0 : INF;
  }
  const a = 1;
  const b = Math.SQRT2;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      let v = d[i];
      if (v === 0) continue;
      if (x > 0) v = Math.min(v, d[i - 1] + a);
      if (y > 0) {
        v = Math.min(v, d[i - width] + a);
        if (x > 0) v = Math.min(v, d[i - width - 1] + b);
        if (x < width - 1) v = Math.min(v, d[i - width + 1] + b);
      }
      d[i] = v;
    }
  }
  for (let y = height - 1; y >= 0; y--) {
    for (let x = width - 1; x >= 0; x--) {
      const i = y * width + x;
      let v = d[i];
      if (v === 0) continue;
      if (x < width - 1) v = Math.min(v, d[i + 1] + a);
      if (y < height - 1) {
        v = Math.min(v, d[i + width] + a);
        if (x < width - 1) v = Math.min(v, d[i + width + 1] + b);
        if (x > 0) v = Math.min(v, d[i + width - 1] + b);
      }
      d[i] = v;
    }
  }
  return d;
}
