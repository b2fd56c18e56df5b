/**
 * The map view's layers: small objects the scene composes, each drawing one thing from the
 * scene's input (a live snapshot or a review frame, the map, zones, the heatmap).
 *
 * A layer owns a `container` drawn in the `map` frame (metres, y up; the scene scales it so
 * children draw in world units) and, for text, an optional screen-space `overlay` (labels
 * are never mirrored). The scene shows and hides both with the Layers panel's toggles and
 * calls `update` only on visible layers, once per redraw, just before rendering.
 */
import type { Container } from 'pixi.js';
import type { ConsoleSnapshot, HeatmapView, Zone } from '../../../shared/api';
import type { Vec2 } from '../../../shared/geometry';
import type { DecodedMap } from '../map-image';

export type LayerName =
  | 'map'
  | 'inflation'
  | 'windows'
  | 'path'
  | 'candidates'
  | 'chosen'
  | 'people'
  | 'scan'
  | 'gaze'
  | 'goal'
  | 'robot'
  | 'zones'
  | 'heatmap';

export const LAYER_LABELS: Record<LayerName, string> = {
  map: 'Static map',
  inflation: 'Inflation (footprint)',
  windows: 'Local / reactive windows',
  path: 'Global path',
  candidates: 'Candidate trajectories',
  chosen: 'Chosen trajectory',
  people: 'People & predictions',
  scan: 'Laser scan',
  gaze: 'Screen gaze',
  goal: 'Goal',
  robot: 'Robot',
  zones: 'Keep-out & slow zones',
  heatmap: 'Intervention heatmap (all runs)',
};

export type LayerVisibility = Record<LayerName, boolean>;

export const DEFAULT_LAYERS: LayerVisibility = {
  map: true,
  inflation: false,
  windows: false,
  path: true,
  candidates: true,
  chosen: true,
  people: true,
  scan: true,
  gaze: true,
  goal: true,
  robot: true,
  zones: true,
  heatmap: false,
};

/** What every layer draws from: the scene's current input and view. */
export interface SceneFrame {
  /** The snapshot on screen (live, or a recorded run's frame); null before the first. */
  snapshot: ConsoleSnapshot | null;
  /** The static map, decoded; null when none is loaded. */
  map: DecodedMap | null;
  /** Operator zones (map frame). */
  zones: readonly Zone[];
  /** The intervention heatmap, or null. */
  heatmap: HeatmapView | null;
  /** One screen pixel in metres: stroke widths are `n * px` so lines stay crisp at any zoom. */
  px: number;
  /** Map frame → canvas pixels, to place overlay labels. */
  toScreen(p: Vec2): Vec2;
}

export interface MapLayer {
  readonly id: LayerName;
  /** Drawn in the map frame (the scene adds it to its world container). */
  readonly container: Container;
  /** Screen-space children (labels), shown and hidden with the layer. */
  readonly overlay?: Container;
  /** Redraws from `frame`. Called once per scene redraw while the layer is visible. */
  update(frame: SceneFrame): void;
  /** Frees textures and display objects. */
  destroy(): void;
}
