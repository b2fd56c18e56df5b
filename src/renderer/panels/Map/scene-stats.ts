/** The scene stats element (data-testid="scene-stats"): a text line and data attributes end-to-end tests read. */
import type { SceneStats } from '../../scene/stats';

/** What the active tools add to the scene's stats. */
export interface ToolStats {
  goalMode: boolean;
  /** Corners of the zone polygon being drawn. */
  draftVertices: number;
}

/** Text for the stats element end-to-end tests read. */
export function statsText(s: SceneStats): string {
  const pose = s.pose ? `${s.pose.x.toFixed(2)} ${s.pose.y.toFixed(2)} ${s.pose.theta.toFixed(2)}` : 'none';
  const goal = s.goal ? `${s.goal.x.toFixed(2)} ${s.goal.y.toFixed(2)} ${s.goal.theta.toFixed(2)}` : 'none';
  return `map=${s.map ?? 'none'} pose=${pose} scan=${s.scan} path=${s.path} candidates=${s.candidates} chosen=${s.chosen} people=${s.people} futures=${s.futures} goal=${goal} draw=${s.drawHz}Hz ${s.drawMs.toFixed(1)}ms`;
}

export function writeStats(el: HTMLElement, s: SceneStats, tools: ToolStats): void {
  el.textContent = statsText(s);
  const d = el.dataset;
  d.map = s.map ?? '';
  d.poseX = s.pose ? s.pose.x.toFixed(3) : '';
  d.poseY = s.pose ? s.pose.y.toFixed(3) : '';
  d.poseTheta = s.pose ? s.pose.theta.toFixed(3) : '';
  d.scan = String(s.scan);
  d.path = String(s.path);
  d.candidates = String(s.candidates);
  d.chosen = String(s.chosen);
  d.people = String(s.people);
  d.futures = String(s.futures);
  d.goal = s.goal ? `${s.goal.x.toFixed(3)},${s.goal.y.toFixed(3)},${s.goal.theta.toFixed(3)}` : '';
  d.goalCount = String(s.goalsDrawn);
  // The robot on the canvas (CSS px from its top left; may be outside [0, canvasW] × [0, canvasH]).
  d.robotSx = s.robotScreen ? s.robotScreen.x.toFixed(1) : '';
  d.robotSy = s.robotScreen ? s.robotScreen.y.toFixed(1) : '';
  d.canvasW = String(s.canvas.width);
  d.canvasH = String(s.canvas.height);
  d.draws = String(s.draws);
  d.drawMs = s.drawMs.toFixed(2);
  // World → canvas px: sx = offsetX + scale·x, sy = offsetY − scale·y.
  d.view = JSON.stringify({ scale: +s.view.scale.toFixed(4), offsetX: +s.view.offsetX.toFixed(2), offsetY: +s.view.offsetY.toFixed(2) });
  d.viewKey = s.viewKey;
  d.follow = String(s.follow);
  d.goalMode = String(tools.goalMode);
  d.frameT = s.frameT === null ? '' : s.frameT.toFixed(3);
  d.zones = String(s.zones);
  d.heatmapCells = String(s.heatmapCells);
  d.draftVertices = String(tools.draftVertices);
}
