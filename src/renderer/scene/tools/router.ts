/**
 * Routes the map view's pointer gestures: to the active tool when it takes a press, else to
 * panning the view. React-free and pixi-free (the scene feeds it canvas coordinates), so
 * the gesture rules are unit-tested on their own.
 */
import type { Vec2 } from '../../../shared/geometry';
import type { MapPointer, MapTool } from './types';

/** A 'click' press that moves this far (screen px) becomes a pan. */
export const CLICK_SLOP_PX = 4;

/** A pointer event in canvas coordinates (CSS px). */
export interface CanvasPointer {
  x: number;
  y: number;
  button: number;
  shiftKey: boolean;
  pointerId: number;
}

/** The view's transform (a Viewport). */
export interface RouterView {
  /** Canvas px → map frame. */
  screenToWorld(p: Vec2): Vec2;
  /** Pixels per metre. */
  readonly scale: number;
}

export interface ToolRouterHost {
  /** Pan the view by a screen-space delta. */
  pan(dx: number, dy: number): void;
  /** Something to redraw (a preview, the view). */
  changed(): void;
}

type Gesture =
  | { kind: 'pan'; id: number; last: Vec2; down: Vec2 | null; moved: boolean }
  | { kind: 'tool'; id: number };

export class ToolRouter {
  private active: MapTool | null = null;
  private gesture: Gesture | null = null;

  constructor(
    private readonly view: RouterView,
    private readonly host: ToolRouterHost,
  ) {}

  get tool(): MapTool | null {
    return this.active;
  }

  /** Activates `tool` (null: the view only pans). A gesture of the previous tool is dropped. */
  setTool(tool: MapTool | null): void {
    if (tool !== this.active) {
      const g = this.gesture;
      if (g && (g.kind === 'tool' || g.down)) {
        if (g.kind === 'tool') this.active?.cancel?.();
        this.gesture = null;
      }
      this.active = tool;
    }
    this.host.changed();
  }

  /** The canvas cursor: grabbing during a plain pan, else the tool's. */
  get cursor(): string {
    const g = this.gesture;
    if (g?.kind === 'pan' && !g.down) return 'grabbing';
    return this.active?.cursor ?? 'grab';
  }

  /** A gesture is under way. */
  get busy(): boolean {
    return this.gesture !== null;
  }

  /** Returns true when the press starts a gesture (the caller captures the pointer). */
  down(p: CanvasPointer): boolean {
    if (this.gesture) return false;
    if (p.button !== 0 && p.button !== 2) return false;
    const claim = this.active?.press(this.toMap(p)) ?? null;
    const at = { x: p.x, y: p.y };
    if (claim === 'drag') this.gesture = { kind: 'tool', id: p.pointerId };
    else this.gesture = { kind: 'pan', id: p.pointerId, last: at, down: claim === 'click' ? at : null, moved: false };
    this.host.changed();
    return true;
  }

  move(p: CanvasPointer): void {
    const e = this.toMap(p);
    let dirty = this.active?.hover?.(e) ?? false;
    const g = this.gesture;
    if (g && g.id === p.pointerId) {
      if (g.kind === 'tool') {
        this.active?.drag?.(e);
        dirty = true;
      } else if (this.panTo(g, p)) dirty = true;
    }
    if (dirty) this.host.changed();
  }

  up(p: CanvasPointer): void {
    const g = this.gesture;
    if (!g || g.id !== p.pointerId) return;
    this.gesture = null;
    if (g.kind === 'tool') this.active?.release?.(this.toMap(p));
    else if (g.down && !g.moved) this.active?.click?.(this.toMap(p));
    this.host.changed();
  }

  /** The pointer was lost (pointercancel): drop the gesture without finishing it. */
  cancel(): void {
    if (this.gesture?.kind === 'tool') this.active?.cancel?.();
    this.gesture = null;
    this.host.changed();
  }

  /** Returns true if the tool took the double click. */
  doubleClick(p: CanvasPointer): boolean {
    const taken = this.active?.doubleClick?.(this.toMap(p)) ?? false;
    if (taken) this.host.changed();
    return taken;
  }

  /** Returns true if the tool took the key. */
  key(key: string): boolean {
    const taken = this.active?.key?.(key) ?? false;
    if (taken) this.host.changed();
    return taken;
  }

  private panTo(g: Extract<Gesture, { kind: 'pan' }>, p: CanvasPointer): boolean {
    if (g.down && !g.moved) {
      if (Math.hypot(p.x - g.down.x, p.y - g.down.y) < CLICK_SLOP_PX) return false;
      g.moved = true;
    }
    const dx = p.x - g.last.x;
    const dy = p.y - g.last.y;
    if (dx === 0 && dy === 0) return false;
    g.last = { x: p.x, y: p.y };
    this.host.pan(dx, dy);
    return true;
  }

  private toMap(p: CanvasPointer): MapPointer {
    const screen = { x: p.x, y: p.y };
    return { world: this.view.screenToWorld(screen), screen, px: 1 / this.view.scale, button: p.button, shiftKey: p.shiftKey, pointerId: p.pointerId };
  }
}
