/** The static map (occupancy grid) as one nearest-neighbour sprite. */
import { Container, Sprite, type Texture } from 'pixi.js';
import type { DecodedMap } from '../map-image';
import { placeGridSprite, rgbaTexture } from './grid-sprite';
import type { MapLayer, SceneFrame } from './types';

export class StaticMapLayer implements MapLayer {
  readonly id = 'map' as const;
  readonly container = new Container();
  private readonly sprite = new Sprite();
  private texture: Texture | null = null;
  private drawn: DecodedMap | null = null;

  constructor() {
    this.sprite.visible = false;
    this.container.addChild(this.sprite);
  }

  update({ map }: SceneFrame): void {
    if (map === this.drawn) return;
    this.drawn = map;
    this.texture?.destroy(true);
    this.texture = null;
    if (!map) {
      this.sprite.visible = false;
      return;
    }
    const { width, height, resolution, origin } = map.payload;
    this.texture = rgbaTexture(map.rgba, width, height);
    this.sprite.texture = this.texture;
    placeGridSprite(this.sprite, origin, width, height, resolution);
    this.sprite.visible = true;
  }

  destroy(): void {
    this.texture?.destroy(true);
    this.container.destroy({ children: true });
  }
}
