/** The map inflated by the robot's footprint: lethal (inscribed) and cost (circumscribed + margin) bands. */
import { circumscribedRadius, inscribedRadius } from '../../../shared/geometry';
import { inflationRgba } from '../map-image';
import { GridSpriteLayer } from './grid-sprite';
import { DEFAULT_FOOTPRINT } from './robot';
import type { SceneFrame } from './types';

export class InflationLayer extends GridSpriteLayer {
  readonly id = 'inflation' as const;
  private key = '';
  private map: SceneFrame['map'] = null;

  update({ map, snapshot }: SceneFrame): void {
    if (map !== this.map) {
      // A new map: rebuild even when its name and size are the same.
      this.map = map;
      this.key = '';
    }
    if (!map) {
      this.setGridVisible(false);
      return;
    }
    const fp = snapshot?.robot?.footprint ?? DEFAULT_FOOTPRINT;
    const inscribed = inscribedRadius(fp);
    const radius = circumscribedRadius(fp) + 0.25;
    const key = `${map.payload.name}|${map.payload.width}|${map.payload.height}|${inscribed.toFixed(3)}|${radius.toFixed(3)}`;
    if (key !== this.key) {
      const { width, height, resolution, origin } = map.payload;
      this.showGrid(inflationRgba(map.cells, width, height, resolution, inscribed, radius), width, height, origin, resolution);
      this.key = key;
    }
    this.setGridVisible(true);
  }
}
