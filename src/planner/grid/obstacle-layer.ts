/**
 * Live obstacle layer: scan hits marked, cells along each beam cleared (ray tracing, as
 * costmap_2d's ObstacleLayer). It covers the same cells as the static map and holds only
 * what the sensor saw; the static map is never cleared by it.
 */
import type { Vec2 } from '../../shared/geometry';

/** One beam end in the map frame, metres. `hit` false means "no return up to here" (clear only). */
export interface ScanEndpoint extends Vec2 {
  hit?: boolean;
}

export interface ObstacleLayerConfig {
  /** Hits farther than this from the sensor are not marked, metres. Default 2.5 m. */
  markRangeM?: number;
  /** Beams clear free space up to this far from the sensor, metres. Default 3.0 m. */
  clearRangeM?: number;
}

export class ObstacleLayer {
  /** 1 where a live obstacle is marked, `marks[row * width + col]`. */
  readonly marks: Uint8Array;
  /** Incremented on every change, so consumers can cache derived layers. */
  version = 0;
  private readonly markRange: number;
  private readonly clearRange: number;

  constructor(
    readonly width: number,
    readonly height: number,
    /** Cell edge, metres. */
    readonly resolution: number,
    /** Map-frame corner of cell (0, 0), metres. */
    readonly origin: { x: number; y: number },
    config: ObstacleLayerConfig = {},
  ) {
    this.marks = new Uint8Array(width * height);
    this.markRange = config.markRangeM ?? 2.5;
    this.clearRange = config.clearRangeM ?? 3.0;
  }

  clearAll(): void {
    this.marks.fill(0);
    this.version++;
  }

  /**
   * Integrates one scan: first every beam clears the cells it passed through (not its end
   * cell), then every hit marks its cell. Clearing before marking keeps one beam from
   * erasing another beam's fresh hit.
   * @param sensor sensor position, map frame, metres
   * @param endpoints beam ends, map frame, metres
   */
  integrateScan(sensor: Vec2, endpoints: readonly ScanEndpoint[]): void {
    const res = this.resolution;
    const sx = (sensor.x - this.origin.x) / res;
    const sy = (sensor.y - this.origin.y) / res;
    for (const e of endpoints) {
      let ex = e.x;
      let ey = e.y;
      const len = Math.hypot(ex - sensor.x, ey - sensor.y);
      if (!(len > 0) || !Number.isFinite(len)) continue;
      if (len > this.clearRange) {
        const k = this.clearRange / len;
        ex = sensor.x + (ex - sensor.x) * k;
        ey = sensor.y + (ey - sensor.y) * k;
      }
      this.clearRay(sx, sy, (ex - this.origin.x) / res, (ey - this.origin.y) / res);
    }
    for (const e of endpoints) {
      if (e.hit === false) continue;
      const len = Math.hypot(e.x - sensor.x, e.y - sensor.y);
      if (!(len <= this.markRange)) continue;
      const col = Math.floor((e.x - this.origin.x) / res);
      const row = Math.floor((e.y - this.origin.y) / res);
      if (col >= 0 && row >= 0 && col < this.width && row < this.height) this.marks[row * this.width + col] = 1;
    }
    this.version++;
  }

  /** Clears the cells a segment (in cell units) crosses, excluding the cell of its end point. */
  private clearRay(x0: number, y0: number, x1: number, y1: number): void {
    let col = Math.floor(x0);
    let row = Math.floor(y0);
    const endCol = Math.floor(x1);
    const endRow = Math.floor(y1);
    const dx = x1 - x0;
    const dy = y1 - y0;
    const stepCol = dx > 0 ? 1 : -1;
    const stepRow = dy > 0 ? 1 : -1;
    // Amanatides–Woo traversal: parametric distance to the next vertical / horizontal cell edge.
    const tDeltaX = dx !== 0 ? Math.abs(1 / dx) : Number.POSITIVE_INFINITY;
    const tDeltaY = dy !== 0 ? Math.abs(1 / dy) : Number.POSITIVE_INFINITY;
    let tMaxX = dx !== 0 ? (dx > 0 ? col + 1 - x0 : x0 - col) * tDeltaX : Number.POSITIVE_INFINITY;
    let tMaxY = dy !== 0 ? (dy > 0 ? row + 1 - y0 : y0 - row) * tDeltaY : Number.POSITIVE_INFINITY;
    const maxSteps = Math.abs(endCol - col) + Math.abs(endRow - row);
    for (let step = 0; step < maxSteps; step++) {
      if (col >= 0 && row >= 0 && col < this.width && row < this.height) this.marks[row * this.width + col] = 0;
      if (tMaxX < tMaxY) {
        tMaxX += tDeltaX;
        col += stepCol;
      } else {
        tMaxY += tDeltaY;
        row += stepRow;
      }
    }
  }
}
