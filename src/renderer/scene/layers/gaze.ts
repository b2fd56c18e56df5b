/** Where the screen looks: its pan as a cone from the robot, and the gaze target as a crosshair. */
import { GAZE_COLOR } from '../colors';
import { disc } from '../draw';
import type { SceneFrame } from './types';
import { GraphicsLayer } from './graphics-layer';

const COLOR = GAZE_COLOR;

export class GazeLayer extends GraphicsLayer {
  readonly id = 'gaze' as const;

  update({ snapshot: s, px }: SceneFrame): void {
    const g = this.g.clear();
    if (!s?.pose) return;
    const { x, y, theta } = s.pose;
    if (s.screenPan !== null) {
      const dir = theta + s.screenPan;
      const len = 1.4;
      const half = 0.3;
      const cone = [x, y];
      for (let i = 0; i <= 16; i++) {
        const a = dir - half + (2 * half * i) / 16;
        cone.push(x + len * Math.cos(a), y + len * Math.sin(a));
      }
      g.poly(cone, true).fill({ color: COLOR, alpha: 0.14 });
      g.moveTo(x, y).lineTo(x + len * Math.cos(dir), y + len * Math.sin(dir)).stroke({ width: 1.5 * px, color: COLOR, alpha: 0.8 });
    }
    if (s.gazeTarget) {
      const t = s.gazeTarget;
      g.moveTo(x, y).lineTo(t.x, t.y).stroke({ width: px, color: COLOR, alpha: 0.35 });
      disc(g, t.x, t.y, 5 * px, px).stroke({ width: 1.5 * px, color: COLOR, alpha: 0.9 });
      g.moveTo(t.x - 8 * px, t.y).lineTo(t.x + 8 * px, t.y).moveTo(t.x, t.y - 8 * px).lineTo(t.x, t.y + 8 * px);
      g.stroke({ width: px, color: COLOR, alpha: 0.9 });
    }
  }
}
