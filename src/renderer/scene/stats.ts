/** What the scene drew last, for the stats element end-to-end tests read. */
import type { Pose2D, Vec2 } from '../../shared/geometry';
import { MAX_CANDIDATES_DRAWN } from './layers/candidates';
import type { LayerName, LayerVisibility, SceneFrame } from './layers/types';
import type { ViewState } from './viewport';

/** Counts are of what is drawn: 0 for a hidden layer. */
export interface SceneStats {
  map: string | null;
  pose: Pose2D | null;
  scan: number;
  candidates: number;
  chosen: number;
  path: number;
  people: number;
  futures: number;
  goal: Pose2D | null;
  /** Goal markers drawn (0 or 1): a review frame draws only the goal active at its instant. */
  goalsDrawn: number;
  /** The robot's position on the canvas (CSS px from its top left), when drawn; may lie outside the canvas. */
  robotScreen: Vec2 | null;
  /** Canvas size, CSS px (to tell whether `robotScreen` is in view). */
  canvas: { width: number; height: number };
  draws: number;
  drawHz: number;
  /** CPU time of the last redraw (geometry + render submit), ms. */
  drawMs: number;
  view: ViewState;
  /** Which view transform is on screen ('live', 'review'): each keeps its own. */
  viewKey: string;
  follow: boolean;
  /** Time of the snapshot drawn (host clock, s); null before the first. */
  frameT: number | null;
  /** Zones drawn, heatmap cells with a count. */
  zones: number;
  heatmapCells: number;
}

export interface StatsInput {
  frame: Pick<SceneFrame, 'snapshot' | 'map' | 'zones'>;
  visibility: LayerVisibility;
  heatmapCells: number;
  draws: number;
  drawHz: number;
  drawMs: number;
  view: ViewState;
  viewKey: string;
  follow: boolean;
  goalsDrawn: number;
  canvas: { width: number; height: number };
}

export function sceneStats({ frame, visibility: vis, heatmapCells, draws, drawHz, drawMs, view, viewKey, follow, goalsDrawn, canvas }: StatsInput): SceneStats {
  const { snapshot: s, map } = frame;
  const pose = s?.pose ?? null;
  const shown = (layer: LayerName, n: number) => (vis[layer] ? n : 0);
  return {
    // Name reduced to word characters so `map=(\w+) (\d+)x(\d+)` parses it.
    map: map && vis.map ? `${map.payload.name.replace(/\W+/g, '_') || 'map'} ${map.payload.width}x${map.payload.height}` : null,
    pose: s?.pose ?? null,
    scan: s ? shown('scan', Math.floor(s.scan.length / 2)) : 0,
    candidates: s ? shown('candidates', Math.min(s.candidates.length, MAX_CANDIDATES_DRAWN)) : 0,
    chosen: s?.chosen ? shown('chosen', Math.floor(s.chosen.points.length / 2)) : 0,
    path: s ? shown('path', Math.floor(s.globalPath.length / 2)) : 0,
    people: s ? shown('people', s.people.length) : 0,
    futures: s ? shown('people', s.people.reduce((n, p) => n + p.futures.length, 0)) : 0,
    goal: vis.goal ? (s?.goal ?? null) : null,
    goalsDrawn: vis.goal ? goalsDrawn : 0,
    // sx = offsetX + scale·x, sy = offsetY − scale·y (scene/viewport.ts).
    robotScreen: pose && vis.robot ? { x: view.offsetX + view.scale * pose.x, y: view.offsetY - view.scale * pose.y } : null,
    canvas,
    draws,
    drawHz,
    drawMs,
    view,
    viewKey,
    follow,
    frameT: s?.t ?? null,
    zones: vis.zones ? frame.zones.length : 0,
    heatmapCells: vis.heatmap ? heatmapCells : 0,
  };
}
