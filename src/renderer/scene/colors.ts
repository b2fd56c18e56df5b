/** Colour helpers for the map view (0xRRGGBB numbers). */

/** Cost rank 0 (best) … 1 (worst) → green → yellow → red. */
export function costColor(t: number): number {
  const u = Number.isFinite(t) ? Math.max(0, Math.min(1, t)) : 1;
  let r: number;
  let g: number;
  if (u < 0.5) {
    r = Math.round(60 + (230 - 60) * (u / 0.5));
    g = 210;
  } else {
    r = 230;
    g = Math.round(210 - (210 - 60) * ((u - 0.5) / 0.5));
  }
  const b = 70;
  return (r << 16) | (g << 8) | b;
}

/**
 * Normalizes costs to 0…1 by rank-free min/max; non-finite costs (infeasible) map to 1.
 * Returns a new array.
 */
export function normalizeCosts(costs: readonly number[]): number[] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const c of costs) {
    if (!Number.isFinite(c)) continue;
    if (c < lo) lo = c;
    if (c > hi) hi = c;
  }
  const span = hi - lo;
  return costs.map((c) => (!Number.isFinite(c) ? 1 : span > 0 ? (c - lo) / span : 0));
}

/** Person risk 0…1 → cyan (safe) … magenta-red (risky). */
export function riskColor(risk: number): number {
  const u = Number.isFinite(risk) ? Math.max(0, Math.min(1, risk)) : 0;
  const r = Math.round(80 + 175 * u);
  const g = Math.round(200 - 150 * u);
  const b = Math.round(230 - 130 * u);
  return (r << 16) | (g << 8) | b;
}

/** Opacity of a predicted future from its probability (0…1): faint when unlikely, never invisible. */
export function futureAlpha(probability: number): number {
  const u = Number.isFinite(probability) ? Math.max(0, Math.min(1, probability)) : 0;
  return 0.1 + 0.85 * u;
}

/** Operator zones: keep-out red, slow amber (the zones layer and the zone tool's preview). */
export const ZONE_COLORS = { 'keep-out': 0xf85149, slow: 0xd29922 } as const;

// ── What each layer draws in. The layers and the Help legend (scene/legend.ts) both read these,
// so the legend cannot drift from the map. ────────────────────────────────────────────────────

/** The robot's footprint: body fill, outline and heading; red under an emergency stop. */
export const ROBOT_COLORS = { fill: 0x2f81f7, line: 0xcfe3ff, estop: 0xf85149 } as const;
/** Opacity of the robot while the link is down (last known pose). */
export const ROBOT_LOST_ALPHA = 0.45;
/** The localization's 2-σ ellipse, by the estimator's verdict. */
export const UNCERTAINTY_COLORS = {
  localized: 0x3fb950, uncertain: 0xd29922, lost: 0xf85149, 'not-initialized': 0xd29922, odometry: 0x8b949e,
} as const;
/** Laser scan points: fresh, and stale (older than SCAN_STALE_MS). */
export const SCAN_COLORS = { fresh: 0x3ee08f, stale: 0x8b949e } as const;
export const SCAN_STALE_MS = 500;
/** Global (guidance) path. */
export const PATH_COLOR = 0x58a6ff;
/** The chosen local trajectory (over a dark halo). */
export const CHOSEN_COLOR = 0xf0f6fc;
/** Screen gaze: the pan cone and the gaze target's crosshair. */
export const GAZE_COLOR = 0xf2cc60;
/** The goal being driven to. */
export const GOAL_COLOR = 0xd2a8ff;
/** The pose being dragged with the goal or place-robot tool, and a zone being drawn. */
export const TOOL_PREVIEW_COLOR = 0xffffff;
/** Planner windows: the local map's outline, the reactive window by safety action. */
export const WINDOW_COLORS = { local: 0x8b949e, pass: 0x3fb950, scale: 0xd29922, stop: 0xf85149 } as const;
/** Display inflation (RGBA 0…255): lethal band (inside the inscribed radius), cost band (alpha fades out with distance). */
export const INFLATION_COLORS = { lethal: [200, 40, 60, 150], cost: [210, 120, 40] } as const;
/** Intervention heatmap: one event (yellow) … the most (red), RGB. */
export const HEATMAP_COLORS = { few: [255, 210, 40], most: [255, 40, 40] } as const;

/** 0xRRGGBB → "#rrggbb" (CSS). */
export function cssHex(c: number): string {
  return `#${(c & 0xffffff).toString(16).padStart(6, '0')}`;
}

/** [r, g, b] (0…255) → 0xRRGGBB. */
export function rgbNumber(rgb: readonly number[]): number {
  return ((rgb[0] & 255) << 16) | ((rgb[1] & 255) << 8) | (rgb[2] & 255);
}
