/** The map inflated by the robot's footprint: lethal (inscribed) and cost (circumscribed + margin) bands. */
import { Container, Sprite, type Texture } from 'pixi.js';
import { circumscribedRadius, inscribedRadius } from '../../../shared/geometry';
import { inflationRgba } from '../map-image';
import { placeGridSprite, rgbaTexture } from './grid-sprite';
import { DEFAULT_FOOTPRINT } from './robot';
import type { MapLayer, SceneFrame } from './types';

export class InflationLayer implements MapLayer {
  readonly id = 'inflation' as const;
  readonly container = new Container();
  private readonly sprite = new Sprite();
  private texture: Texture | null = null;
  private key = '';
  private map: SceneFrame['map'] = null;

  constructor() {
    this.sprite.visible = false;
    this.container.addChild(this.sprite);
  }

  update({ map, snapshot }: SceneFrame): void {
    if (map !== this.map) {
      // A new map: rebuild even when its name and size are the same.
      this.map = map;
      this.key = '';
    }
    if (!map) {
      this.sprite.visible = false;
      return;
    }
    const fp = snapshot?.robot?.footprint ?? DEFAULT_FOOTPRINT;
    const inscribed = inscribedRadius(fp);
    const radius = circumscribedRadius(fp) + 0.25;
    const key = `${map.payload.name}|${map.payload.width}|${map.payload.height}|${inscribed.toFixed(3)}|${radius.toFixed(3)}`;
    if (key !== this.key) {
      this.texture?.destroy(true);
      const { width, height, resolution, origin } = map.payload;
      this.texture = rgbaTexture(inflationRgba(map.cells, width, height, resolution, inscribed, radius), width, height);
      this.sprite.texture = this.texture;
      placeGridSprite(this.sprite, origin, width, height, resolution);
      this.key = key;
    }
    this.sprite.visible = true;
  }

  destroy(): void {
    this.texture?.destroy(true);
    this.container.destroy({ children: true });
  }
}
