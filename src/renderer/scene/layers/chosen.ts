/** The chosen local trajectory: white over a dark halo, with a dot at its end. */
import { CHOSEN_COLOR } from '../colors';
import { disc, polyline } from '../draw';
import type { SceneFrame } from './types';
import { GraphicsLayer } from './graphics-layer';

const COLOR = CHOSEN_COLOR;

export class ChosenTrajectoryLayer extends GraphicsLayer {
  readonly id = 'chosen' as const;

  update({ snapshot, px }: SceneFrame): void {
    const g = this.g.clear();
    const c = snapshot?.chosen;
    if (!c || c.points.length < 4) return;
    polyline(g, c.points);
    g.stroke({ width: 5 * px, color: 0x000000, alpha: 0.5, join: 'round', cap: 'round' });
    polyline(g, c.points);
    g.stroke({ width: 3 * px, color: COLOR, alpha: 0.95, join: 'round', cap: 'round' });
    const n = c.points.length;
    disc(g, c.points[n - 2], c.points[n - 1], 3 * px, px).fill({ color: COLOR });
  }
}
