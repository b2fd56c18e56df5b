/**
 * The map's legend: every colour and glyph the layers draw, built from the very constants
 * the layers draw with (scene/colors.ts, the map colour scheme), so the Help overlay cannot
 * say one thing while the map shows another.
 */
import {
  CHOSEN_COLOR, GAZE_COLOR, GOAL_COLOR, HEATMAP_COLORS, INFLATION_COLORS, PATH_COLOR, ROBOT_COLORS, ROBOT_LOST_ALPHA,
  SCAN_COLORS, SCAN_STALE_MS, TOOL_PREVIEW_COLOR, UNCERTAINTY_COLORS, WINDOW_COLORS, ZONE_COLORS,
  costColor, cssHex, futureAlpha, rgbNumber, riskColor,
} from './colors';
import { LAYER_LABELS, type LayerName } from './layers/types';
import { MAP_SCHEMES, type MapColorScheme, type MapPalette } from './map-image';

/** How an entry is drawn in the legend: the same shape the map uses for it. */
export type LegendGlyph =
  | 'cell' // a filled grid cell
  | 'gradient' // a colour ramp (first colour = low end)
  | 'points' // scan points
  | 'line' // a polyline
  | 'halo-line' // a light line over a dark halo (chosen trajectory)
  | 'robot' // footprint rectangle with the heading triangle
  | 'ellipse' // uncertainty ellipse
  | 'person' // ring with a velocity arrow
  | 'fan' // fading prediction lines
  | 'cone' // gaze cone
  | 'crosshair' // gaze target
  | 'goal' // ring with a heading arrow
  | 'outline' // a rectangle outline
  | 'zone'; // a filled polygon with its outline

export interface LegendEntry {
  /** Stable id (also the end-to-end tests' handle). */
  id: string;
  /** The Layers panel's layer that draws it (null: tools). */
  layer: LayerName | null;
  label: string;
  glyph: LegendGlyph;
  /** CSS colours: one, or a ramp's stops low → high. */
  colors: string[];
  /** Opacity of the glyph, when the map draws it faded. */
  alpha?: number;
}

export interface LegendGroup {
  title: string;
  entries: LegendEntry[];
}

const rgbCss = (rgb: readonly number[]) => cssHex(rgbNumber(rgb));

/** The legend for the map drawn with colour scheme `scheme`, grouped by layer, in the Layers panel's words. */
export function mapLegend(scheme: MapColorScheme): LegendGroup[] {
  const palette: MapPalette = MAP_SCHEMES[scheme].palette;
  const occ = (v: number) => rgbCss(palette.occupancy ? palette.occupancy(v) : palette.free.map((f, i) => f + (palette.occupied[i] - f) * (v / 100)));
  const entry = (layer: LayerName | null, id: string, label: string, glyph: LegendGlyph, colors: (number | string)[], alpha?: number): LegendEntry => ({
    id, layer, label, glyph, colors: colors.map((c) => (typeof c === 'number' ? cssHex(c) : c)), ...(alpha !== undefined ? { alpha } : {}),
  });
  const groups: LegendGroup[] = [
    {
      title: `${LAYER_LABELS.map} (${MAP_SCHEMES[scheme].label} colours)`,
      entries: [
        entry('map', 'map-free', 'Free space', 'cell', [occ(0)]),
        entry('map', 'map-occupied', 'Occupied (wall, obstacle)', 'cell', [occ(100)]),
        entry('map', 'map-partial', 'Partly occupied (0 … 100 %)', 'gradient', [occ(0), occ(50), occ(100)]),
        entry('map', 'map-unknown', 'Unknown (never observed)', 'cell', [rgbCss(palette.unknown)]),
      ],
    },
    {
      title: LAYER_LABELS.robot,
      entries: [
        entry('robot', 'robot', 'Robot footprint, heading triangle at the front', 'robot', [ROBOT_COLORS.fill, ROBOT_COLORS.line]),
        entry('robot', 'robot-estop', 'Robot under an emergency stop', 'robot', [ROBOT_COLORS.estop, ROBOT_COLORS.estop]),
        entry('robot', 'robot-link-lost', 'Robot while the link is down (last known pose)', 'robot', [ROBOT_COLORS.fill, ROBOT_COLORS.line], ROBOT_LOST_ALPHA),
        entry('robot', 'uncertainty-localized', 'Position uncertainty (2σ): localized', 'ellipse', [UNCERTAINTY_COLORS.localized]),
        entry('robot', 'uncertainty-uncertain', 'Position uncertainty: uncertain / not initialized', 'ellipse', [UNCERTAINTY_COLORS.uncertain]),
        entry('robot', 'uncertainty-lost', 'Position uncertainty: lost', 'ellipse', [UNCERTAINTY_COLORS.lost]),
        entry('robot', 'uncertainty-odometry', 'Position uncertainty: odometry only', 'ellipse', [UNCERTAINTY_COLORS.odometry]),
      ],
    },
    {
      title: LAYER_LABELS.scan,
      entries: [
        entry('scan', 'scan', 'Laser returns', 'points', [SCAN_COLORS.fresh]),
        entry('scan', 'scan-stale', `Laser returns older than ${SCAN_STALE_MS} ms`, 'points', [SCAN_COLORS.stale], 0.5),
      ],
    },
    { title: LAYER_LABELS.path, entries: [entry('path', 'path', 'Global path (guidance to the goal)', 'line', [PATH_COLOR])] },
    {
      title: LAYER_LABELS.candidates,
      entries: [entry('candidates', 'candidates', 'Candidate trajectories by cost: best … worst', 'gradient', [costColor(0), costColor(0.5), costColor(1)])],
    },
    { title: LAYER_LABELS.chosen, entries: [entry('chosen', 'chosen', 'Chosen trajectory (dot at its end)', 'halo-line', [CHOSEN_COLOR])] },
    {
      title: LAYER_LABELS.people,
      entries: [
        entry('people', 'person', 'Tracked person, arrow = velocity 1 s ahead', 'person', [riskColor(0)]),
        entry('people', 'person-risk', 'Person colour by risk: none … high', 'gradient', [riskColor(0), riskColor(0.5), riskColor(1)]),
        entry('people', 'futures', 'Predicted futures: opacity = probability', 'fan', [riskColor(0)], futureAlpha(0.5)),
      ],
    },
    {
      title: LAYER_LABELS.gaze,
      entries: [
        entry('gaze', 'gaze-cone', 'Where the screen points', 'cone', [GAZE_COLOR]),
        entry('gaze', 'gaze-target', 'What the screen looks at', 'crosshair', [GAZE_COLOR]),
      ],
    },
    {
      title: LAYER_LABELS.goal,
      entries: [
        entry('goal', 'goal', 'Goal being driven to, arrow = heading', 'goal', [GOAL_COLOR]),
        entry(null, 'goal-preview', 'Goal or robot pose being placed (while dragging)', 'goal', [TOOL_PREVIEW_COLOR]),
      ],
    },
    {
      title: LAYER_LABELS.windows,
      entries: [
        entry('windows', 'window-local', 'Local planner window (6 × 6 m)', 'outline', [WINDOW_COLORS.local]),
        entry('windows', 'window-pass', 'Reactive window (2 × 2 m): clear', 'outline', [WINDOW_COLORS.pass]),
        entry('windows', 'window-scale', 'Reactive window: slowing down', 'outline', [WINDOW_COLORS.scale]),
        entry('windows', 'window-stop', 'Reactive window: stopping', 'outline', [WINDOW_COLORS.stop]),
      ],
    },
    {
      title: LAYER_LABELS.zones,
      entries: [
        entry('zones', 'zone-keep-out', 'Keep-out zone', 'zone', [ZONE_COLORS['keep-out']]),
        entry('zones', 'zone-slow', 'Slow zone', 'zone', [ZONE_COLORS.slow]),
        entry(null, 'zone-draft', 'Zone being drawn', 'outline', [TOOL_PREVIEW_COLOR]),
      ],
    },
    {
      title: LAYER_LABELS.inflation,
      entries: [
        entry('inflation', 'inflation-lethal', 'Robot would touch an obstacle', 'cell', [rgbCss(INFLATION_COLORS.lethal)], INFLATION_COLORS.lethal[3] / 255),
        entry('inflation', 'inflation-cost', 'Close to an obstacle (cost fades with distance)', 'cell', [rgbCss(INFLATION_COLORS.cost)], 0.45),
      ],
    },
    {
      title: LAYER_LABELS.heatmap,
      entries: [entry('heatmap', 'heatmap', 'Interventions per cell: one … the most', 'gradient', [rgbCss(HEATMAP_COLORS.few), rgbCss(HEATMAP_COLORS.most)])],
    },
  ];
  return groups;
}
