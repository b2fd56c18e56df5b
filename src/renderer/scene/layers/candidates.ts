/** The local planner's candidate trajectories, coloured by cost rank (best green, on top). */
import { costColor, normalizeCosts } from '../colors';
import { polyline } from '../draw';
import type { SceneFrame } from './types';
import { GraphicsLayer } from './graphics-layer';

/** At most this many candidates are drawn (the first ones sent). */
export const MAX_CANDIDATES_DRAWN = 400;

export class CandidatesLayer extends GraphicsLayer {
  readonly id = 'candidates' as const;

  update({ snapshot: s, px }: SceneFrame): void {
    const g = this.g.clear();
    if (!s || s.candidates.length === 0) return;
    const list = s.candidates.length > MAX_CANDIDATES_DRAWN ? s.candidates.slice(0, MAX_CANDIDATES_DRAWN) : s.candidates;
    const norm = normalizeCosts(list.map((c) => c.cost));
    // Worst first so the best end up on top.
    const order = list.map((_, i) => i).sort((a, b) => norm[b] - norm[a]);
    for (const i of order) {
      if (list[i].points.length < 4) continue;
      polyline(g, list[i].points);
      g.stroke({ width: px, color: costColor(norm[i]), alpha: 0.45 });
    }
  }
}
