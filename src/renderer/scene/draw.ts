/** Vector drawing helpers shared by the layers and the tools' previews (map frame, metres). */
import type { Graphics } from 'pixi.js';
import type { Pose2D } from '../../shared/geometry';

/** A circle as a polygon: pixi tessellates by radius in local units, too coarse in metres. */
export function disc(g: Graphics, x: number, y: number, r: number, px: number): Graphics {
  const n = Math.max(10, Math.min(48, Math.round((2 * Math.PI * r) / px / 5)));
  const pts: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = (2 * Math.PI * i) / n;
    pts.push(x + r * Math.cos(a), y + r * Math.sin(a));
  }
  return g.poly(pts, true);
}

/** A path through flat [x0, y0, x1, y1, …] (at least one point). */
export function polyline(g: Graphics, pts: readonly number[]): void {
  g.moveTo(pts[0], pts[1]);
  for (let i = 2; i + 1 < pts.length; i += 2) g.lineTo(pts[i], pts[i + 1]);
}

export function arrow(g: Graphics, x0: number, y0: number, x1: number, y1: number, px: number): void {
  const a = Math.atan2(y1 - y0, x1 - x0);
  const head = Math.min(10 * px, Math.hypot(x1 - x0, y1 - y0) * 0.5);
  g.moveTo(x0, y0).lineTo(x1, y1);
  g.moveTo(x1 - head * Math.cos(a - 0.45), y1 - head * Math.sin(a - 0.45))
    .lineTo(x1, y1)
    .lineTo(x1 - head * Math.cos(a + 0.45), y1 - head * Math.sin(a + 0.45));
}

/** A goal: a ring at the position and an arrow along the heading. */
export function drawGoalMarker(g: Graphics, goal: Pose2D, px: number, color: number, alpha: number): void {
  const r = Math.max(0.15, 7 * px);
  disc(g, goal.x, goal.y, r, px).fill({ color, alpha: 0.18 * alpha }).stroke({ width: 2 * px, color, alpha });
  disc(g, goal.x, goal.y, 2 * px, px).fill({ color, alpha });
  const len = Math.max(0.5, 28 * px);
  arrow(g, goal.x, goal.y, goal.x + len * Math.cos(goal.theta), goal.y + len * Math.sin(goal.theta), px);
  g.stroke({ width: 2.5 * px, color, alpha, cap: 'round', join: 'round' });
}
