/** The planners' windows around the robot: the 6 × 6 m local map and the 2 × 2 m reactive one, coloured by the safety action. */
import { WINDOW_COLORS } from '../colors';
import type { SceneFrame } from './types';
import { GraphicsLayer } from './graphics-layer';

const LOCAL_WINDOW = 6; // m, DESIGN.md
const REACTIVE_WINDOW = 2; // m
const LOCAL = WINDOW_COLORS.local;
const ACTION = WINDOW_COLORS;

export class WindowsLayer extends GraphicsLayer {
  readonly id = 'windows' as const;

  update({ snapshot: s, px }: SceneFrame): void {
    const g = this.g.clear();
    if (!s?.pose) return;
    const { x, y } = s.pose;
    const hl = LOCAL_WINDOW / 2;
    g.rect(x - hl, y - hl, LOCAL_WINDOW, LOCAL_WINDOW).stroke({ width: px, color: LOCAL, alpha: 0.6 });
    const hr = REACTIVE_WINDOW / 2;
    const action = s.safety?.action ?? 'pass';
    const col = action === 'stop' ? ACTION.stop : action === 'scale' ? ACTION.scale : ACTION.pass;
    g.rect(x - hr, y - hr, REACTIVE_WINDOW, REACTIVE_WINDOW)
      .fill({ color: col, alpha: action === 'pass' ? 0.04 : 0.12 })
      .stroke({ width: 1.5 * px, color: col, alpha: 0.8 });
  }
}
