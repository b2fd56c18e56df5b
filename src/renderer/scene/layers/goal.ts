/** The goal the robot is driving to (from the snapshot). */
import { GOAL_COLOR } from '../colors';
import { drawGoalMarker } from '../draw';
import type { SceneFrame } from './types';
import { GraphicsLayer } from './graphics-layer';

export class GoalLayer extends GraphicsLayer {
  readonly id = 'goal' as const;
  /** Goals drawn in the last update (0 or 1), for the stats end-to-end tests read. */
  drawn = 0;

  update({ snapshot, px }: SceneFrame): void {
    const g = this.g.clear();
    const goal = snapshot?.goal;
    this.drawn = goal ? 1 : 0;
    if (goal) drawGoalMarker(g, goal, px, GOAL_COLOR, 1);
  }
}
