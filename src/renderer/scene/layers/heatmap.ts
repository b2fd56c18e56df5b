/** The intervention heatmap over all runs: yellow (one event) → red (the most), translucent. */
import type { HeatmapView } from '../../../shared/api';
import { HEATMAP_COLORS } from '../colors';
import { GridSpriteLayer } from './grid-sprite';
import type { SceneFrame } from './types';

/** The heatmap as an image (row 0 is the largest y, as the map sprite) and its count of non-empty cells. */
export function heatmapRgba(h: HeatmapView): { rgba: Uint8ClampedArray; cells: number } {
  const rgba = new Uint8ClampedArray(h.width * h.height * 4);
  let cells = 0;
  for (let j = 0; j < h.height; j++) {
    for (let i = 0; i < h.width; i++) {
      const c = h.counts[j * h.width + i] ?? 0;
      if (c <= 0) continue;
      cells++;
      // Translucent so the map and robot show through.
      const f = h.max > 1 ? Math.sqrt((c - 1) / (h.max - 1)) : 1;
      const o = ((h.height - 1 - j) * h.width + i) * 4;
      const { few, most } = HEATMAP_COLORS;
      rgba[o] = Math.round(few[0] * (1 - f) + most[0] * f);
      rgba[o + 1] = Math.round(few[1] * (1 - f) + most[1] * f);
      rgba[o + 2] = Math.round(few[2] * (1 - f) + most[2] * f);
      rgba[o + 3] = Math.round(70 + 80 * f);
    }
  }
  return { rgba, cells };
}

export function drawableHeatmap(h: HeatmapView | null): h is HeatmapView {
  return !!h && h.width > 0 && h.height > 0 && h.max > 0;
}

export class HeatmapLayer extends GridSpriteLayer {
  readonly id = 'heatmap' as const;
  private drawn: HeatmapView | null = null;
  /** Cells with a count in the heatmap drawn. */
  cells = 0;

  update({ heatmap }: SceneFrame): void {
    if (heatmap === this.drawn) return;
    this.drawn = heatmap;
    this.cells = 0;
    if (!drawableHeatmap(heatmap)) {
      this.clearGrid();
      return;
    }
    const { rgba, cells } = heatmapRgba(heatmap);
    this.cells = cells;
    this.showGrid(rgba, heatmap.width, heatmap.height, heatmap.origin, heatmap.cellSize);
  }
}
