/** The goal the robot is driving to (from the snapshot). */
import { drawGoalMarker } from '../draw';
import type { SceneFrame } from './types';
import { GraphicsLayer } from './graphics-layer';

const COLOR = 0xd2a8ff;

export class GoalLayer extends GraphicsLayer {
  readonly id = 'goal' as const;

  update({ snapshot, px }: SceneFrame): void {
    const g = this.g.clear();
    const goal = snapshot?.goal;
    if (goal) drawGoalMarker(g, goal, px, COLOR, 1);
  }
}
