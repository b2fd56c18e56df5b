/** The global path: guidance from the global planner, over the whole map. */
import { PATH_COLOR } from '../colors';
import { polyline } from '../draw';
import type { SceneFrame } from './types';
import { GraphicsLayer } from './graphics-layer';

const COLOR = PATH_COLOR;

export class GlobalPathLayer extends GraphicsLayer {
  readonly id = 'path' as const;

  update({ snapshot: s, px }: SceneFrame): void {
    const g = this.g.clear();
    if (!s || s.globalPath.length < 4) return;
    polyline(g, s.globalPath);
    g.stroke({ width: 2.5 * px, color: COLOR, alpha: 0.85, join: 'round', cap: 'round' });
  }
}
