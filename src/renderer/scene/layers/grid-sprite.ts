/** Grids (map, inflation, heatmap) as nearest-neighbour sprites in the map frame. */
import { BufferImageSource, Container, Sprite, Texture } from 'pixi.js';
import type { LayerName, MapLayer, SceneFrame } from './types';

export function rgbaTexture(rgba: Uint8ClampedArray, width: number, height: number): Texture {
  const source = new BufferImageSource({
    resource: new Uint8Array(rgba.buffer, rgba.byteOffset, rgba.byteLength),
    width,
    height,
    format: 'rgba8unorm',
    scaleMode: 'nearest',
  });
  return new Texture({ source });
}

/** Image row 0 is the largest y: place the sprite at the top-left corner, flipped back. */
export function placeGridSprite(sprite: Sprite, origin: { x: number; y: number }, width: number, height: number, res: number): void {
  sprite.position.set(origin.x, origin.y + height * res);
  sprite.scale.set(res, -res);
}

/**
 * A layer that shows one grid image (map, inflation, heatmap): the sprite, its texture's
 * lifetime and its placement in the map frame, for subclasses that decide when to rebuild.
 */
export abstract class GridSpriteLayer implements MapLayer {
  abstract readonly id: LayerName;
  readonly container = new Container();
  private readonly sprite = new Sprite();
  private texture: Texture | null = null;

  constructor() {
    this.sprite.visible = false;
    this.container.addChild(this.sprite);
  }

  abstract update(frame: SceneFrame): void;

  /** Replaces the image (row 0 the largest y) and shows it; cell `res` m, lower-left corner at `origin`. */
  protected showGrid(rgba: Uint8ClampedArray, width: number, height: number, origin: { x: number; y: number }, res: number): void {
    this.texture?.destroy(true);
    this.texture = rgbaTexture(rgba, width, height);
    this.sprite.texture = this.texture;
    placeGridSprite(this.sprite, origin, width, height, res);
    this.sprite.visible = true;
  }

  /** Shows or hides the image shown last. */
  protected setGridVisible(visible: boolean): void {
    this.sprite.visible = visible;
  }

  /** Frees the image and hides the layer. */
  protected clearGrid(): void {
    this.texture?.destroy(true);
    this.texture = null;
    this.sprite.visible = false;
  }

  destroy(): void {
    this.texture?.destroy(true);
    this.container.destroy({ children: true });
  }
}
