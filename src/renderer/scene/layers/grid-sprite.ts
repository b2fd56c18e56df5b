/** Grids (map, inflation, heatmap) as nearest-neighbour sprites in the map frame. */
import { BufferImageSource, Texture, type Sprite } from 'pixi.js';

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
