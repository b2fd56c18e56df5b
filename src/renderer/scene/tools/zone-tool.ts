/**
 * The zone polygon tool: each click adds a corner (a drag still pans the view); clicking
 * the first corner, a double click or Enter closes the polygon; Backspace removes the last
 * corner; Escape drops the polygon and ends the tool.
 */
import type { Graphics } from 'pixi.js';
import type { Zone } from '../../../shared/api';
import type { Vec2 } from '../../../shared/geometry';
import { TOOL_PREVIEW_COLOR, ZONE_COLORS } from '../colors';
import { disc } from '../draw';
import type { MapPointer, MapTool, PressClaim } from './types';

/** A click this close (screen px) to the first corner closes the polygon. */
export const ZONE_CLOSE_PX = 10;
const DRAFT = TOOL_PREVIEW_COLOR;

export interface ZoneToolOptions {
  /** The corners so far changed (flat [x0, y0, …], map frame). */
  onDraft?: (points: number[]) => void;
  /** The polygon was closed (at least three corners). */
  onComplete: (points: number[]) => void;
  /** Escape: the operator gave up on this polygon. */
  onCancel?: () => void;
}

export class ZoneTool implements MapTool {
  readonly cursor = 'crosshair';
  private points: number[] = [];
  private hoverAt: Vec2 | null = null;

  constructor(
    readonly kind: Zone['kind'],
    private readonly opts: ZoneToolOptions,
  ) {}

  /** Corners placed so far. */
  get vertices(): number {
    return this.points.length / 2;
  }

  /** The corners so far, flat [x0, y0, …] (a copy). */
  get draft(): number[] {
    return [...this.points];
  }

  press(e: MapPointer): PressClaim {
    return e.button === 0 ? 'click' : null;
  }

  click(e: MapPointer): void {
    const d = this.points;
    if (d.length >= 6 && Math.hypot(d[0] - e.world.x, d[1] - e.world.y) / e.px <= ZONE_CLOSE_PX) {
      this.close();
      return;
    }
    d.push(e.world.x, e.world.y);
    this.opts.onDraft?.([...d]);
  }

  hover(e: MapPointer): boolean {
    this.hoverAt = e.world;
    return this.points.length > 0;
  }

  doubleClick(): boolean {
    this.close();
    return true;
  }

  key(key: string): boolean {
    if (key === 'Enter') this.close();
    else if (key === 'Backspace') {
      this.points.length = Math.max(0, this.points.length - 2);
      this.opts.onDraft?.([...this.points]);
    } else if (key === 'Escape') {
      this.reset();
      this.opts.onCancel?.();
    } else return false;
    return true;
  }

  /** Closes the polygon if it has at least three corners. */
  close(): void {
    if (this.points.length < 6) return;
    const pts = [...this.points];
    this.reset();
    this.opts.onComplete(pts);
  }

  private reset(): void {
    this.points = [];
    this.hoverAt = null;
    this.opts.onDraft?.([]);
  }

  draw(g: Graphics, px: number): void {
    const d = this.points;
    if (d.length < 2) return;
    const col = ZONE_COLORS[this.kind];
    g.moveTo(d[0], d[1]);
    for (let i = 2; i + 1 < d.length; i += 2) g.lineTo(d[i], d[i + 1]);
    if (this.hoverAt) g.lineTo(this.hoverAt.x, this.hoverAt.y);
    g.stroke({ width: 2 * px, color: DRAFT, alpha: 0.9 });
    if (d.length >= 6) g.poly(d, true).fill({ color: col, alpha: 0.15 });
    for (let i = 0; i + 1 < d.length; i += 2) disc(g, d[i], d[i + 1], (i === 0 ? 5 : 3.5) * px, px).fill({ color: i === 0 ? col : DRAFT });
  }
}
