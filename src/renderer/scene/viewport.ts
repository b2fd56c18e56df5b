/**
 * The map view's world↔screen transform. World is the `map` frame (metres, x right, y up);
 * screen is CSS pixels relative to the canvas (x right, y down):
 *
 *   sx = offsetX + scale · x
 *   sy = offsetY − scale · y
 *
 * `scale` is pixels per metre.
 */
import type { Vec2 } from '../../shared/geometry';

export interface ViewState {
  scale: number;
  offsetX: number;
  offsetY: number;
}

export const MIN_SCALE = 2; // px/m: a 500 m building fits a screen
export const MAX_SCALE = 2000; // px/m: 1 px = 0.5 mm

export class Viewport implements ViewState {
  scale = 50;
  offsetX = 0;
  offsetY = 0;

  constructor(init?: Partial<ViewState>) {
    if (init) Object.assign(this, init);
  }

  worldToScreen(p: Vec2): Vec2 {
    return { x: this.offsetX + this.scale * p.x, y: this.offsetY - this.scale * p.y };
  }

  screenToWorld(p: Vec2): Vec2 {
    return { x: (p.x - this.offsetX) / this.scale, y: (this.offsetY - p.y) / this.scale };
  }

  panBy(dx: number, dy: number): void {
    this.offsetX += dx;
    this.offsetY += dy;
  }

  /** Multiplies the scale by `factor`, keeping the world point under screen point `at` fixed. */
  zoomAt(factor: number, at: Vec2): void {
    const world = this.screenToWorld(at);
    this.scale = clamp(this.scale * factor, MIN_SCALE, MAX_SCALE);
    this.offsetX = at.x - this.scale * world.x;
    this.offsetY = at.y + this.scale * world.y;
  }

  /** Puts world point `p` at screen point `at` without changing the scale. */
  centerOn(p: Vec2, at: Vec2): void {
    this.offsetX = at.x - this.scale * p.x;
    this.offsetY = at.y + this.scale * p.y;
  }

  /**
   * Fits the world rectangle [minX, maxX] × [minY, maxY] into a screen of `width` × `height`
   * px with `margin` px on each side, centred.
   */
  fit(bounds: { minX: number; minY: number; maxX: number; maxY: number }, width: number, height: number, margin = 16): void {
    const w = Math.max(bounds.maxX - bounds.minX, 1e-6);
    const h = Math.max(bounds.maxY - bounds.minY, 1e-6);
    const availW = Math.max(width - 2 * margin, 1);
    const availH = Math.max(height - 2 * margin, 1);
    this.scale = clamp(Math.min(availW / w, availH / h), MIN_SCALE, MAX_SCALE);
    this.centerOn({ x: (bounds.minX + bounds.maxX) / 2, y: (bounds.minY + bounds.maxY) / 2 }, { x: width / 2, y: height / 2 });
  }

  /** Wheel delta (pixels, positive = away from the user) → zoom factor. */
  static wheelFactor(deltaY: number, deltaMode = 0): number {
    const px = deltaMode === 1 ? deltaY * 16 : deltaMode === 2 ? deltaY * 400 : deltaY;
    return Math.exp(-clamp(px, -400, 400) * 0.0015);
  }

  get state(): ViewState {
    return { scale: this.scale, offsetX: this.offsetX, offsetY: this.offsetY };
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/** A round scale-bar length (1, 2 or 5 × 10ⁿ m) close to `targetPx` at `scale` px/m. */
export function scaleBar(scale: number, targetPx = 100): { metres: number; px: number; label: string } {
  const raw = targetPx / scale;
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  const m = [1, 2, 5, 10].map((k) => k * p).reduce((best, v) => (Math.abs(v - raw) < Math.abs(best - raw) ? v : best));
  const label = m >= 1 ? `${+m.toFixed(0)} m` : m >= 0.01 ? `${+(m * 100).toFixed(0)} cm` : `${+(m * 1000).toFixed(0)} mm`;
  return { metres: m, px: m * scale, label };
}

/** Margins of the box follow keeps the robot in: this fraction of the canvas's smaller side, at most FOLLOW_BOX_MAX_PX. */
export const FOLLOW_BOX_FRACTION = 0.22;
export const FOLLOW_BOX_MAX_PX = 160;

/**
 * Follow's pan for a robot at screen point `sp` on a `width` × `height` canvas: the shift
 * (px) that brings it back to the inner box's edge, zero inside the box, or 'centre' when
 * it is off the canvas (a jump: gliding there would take many frames of nothing). The box's
 * margin is at least `minMarginPx` (the robot's own size on screen, zoomed in close), but
 * never more than 45 % of the canvas's smaller side.
 */
export function followPan(sp: Vec2, width: number, height: number, minMarginPx = 0): Vec2 | 'centre' {
  if (!(sp.x >= 0 && sp.x <= width && sp.y >= 0 && sp.y <= height)) return 'centre';
  const small = Math.min(width, height);
  const m = Math.min(Math.max(Math.min(FOLLOW_BOX_FRACTION * small, FOLLOW_BOX_MAX_PX), minMarginPx), 0.45 * small);
  const shift = (v: number, size: number) => (v < m ? m - v : v > size - m ? size - m - v : 0);
  return { x: shift(sp.x, width), y: shift(sp.y, height) };
}
