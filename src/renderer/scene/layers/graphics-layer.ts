/** The common shape of a layer that draws into one Graphics in the map frame. */
import { Container, Graphics } from 'pixi.js';
import type { LayerName, MapLayer, SceneFrame } from './types';

export abstract class GraphicsLayer implements MapLayer {
  abstract readonly id: LayerName;
  readonly container = new Container();
  /** Cleared and redrawn by `update`; map frame, metres. */
  protected readonly g = new Graphics();

  constructor() {
    this.container.addChild(this.g);
  }

  abstract update(frame: SceneFrame): void;

  destroy(): void {
    this.container.destroy({ children: true });
  }
}
