/** The static map (occupancy grid) as one nearest-neighbour sprite. */
import type { DecodedMap } from '../map-image';
import { GridSpriteLayer } from './grid-sprite';
import type { SceneFrame } from './types';

export class StaticMapLayer extends GridSpriteLayer {
  readonly id = 'map' as const;
  private drawn: DecodedMap | null = null;

  update({ map }: SceneFrame): void {
    if (map === this.drawn) return;
    this.drawn = map;
    if (!map) {
      this.clearGrid();
      return;
    }
    const { width, height, resolution, origin } = map.payload;
    this.showGrid(map.rgba, width, height, origin, resolution);
  }
}
