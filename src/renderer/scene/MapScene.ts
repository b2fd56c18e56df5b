/**
 * The map view: a React-free pixi.js v8 scene that composes the layers (scene/layers, one
 * per concern) and routes pointer input to the active tool (scene/tools).
 *
 * The `world` container holds everything drawn in the `map` frame (metres, y up): it is
 * scaled by (s, −s) so children draw in world units. Stroke widths are given in screen
 * pixels divided by the scale, so lines stay crisp at any zoom. Labels live in a
 * screen-space overlay so text is never mirrored. The active tool's preview is drawn above
 * every layer.
 *
 * Rendering is on demand: a snapshot, a view change, a layer toggle or a tool marks the
 * scene dirty, and the next animation frame updates the visible layers and renders once.
 *
 * The live view and the review keep separate view transforms (`showView`): fitting, panning
 * or zooming a replay leaves the live view where the operator left it, and back. Each view
 * may have its own extent to fit (`setFitBounds`: a run's path and goals) instead of the map.
 * Follow keeps the robot inside the view: when the robot reaches the edge of an inner box the
 * view moves with it (it never leaves the box) and glides on until the robot is centred
 * again, so what lies ahead comes into view; a robot off screen altogether (a seek, a
 * relocalization) is centred at once. A pan drag turns it off.
 */
import 'pixi.js/unsafe-eval'; // no eval/new Function: the console runs under a strict CSP
import { Application, Container, Graphics } from 'pixi.js';
import type { ConsoleSnapshot, HeatmapView, MapPayload, Zone } from '../../shared/api';
import { circumscribedRadius, type Pose2D, type Vec2 } from '../../shared/geometry';
import { describeRenderer, probeWebGl, type GpuInfo } from './gpu';
import { createLayers, DEFAULT_FOOTPRINT, DEFAULT_LAYERS, GoalLayer, HeatmapLayer, type LayerVisibility, type MapLayer, type SceneFrame } from './layers';
import { decodeMap, MAP_SCHEMES, type MapColorScheme } from './map-image';
import { sceneStats, type SceneStats } from './stats';
import { ToolRouter, type CanvasPointer, type MapTool } from './tools';
import { followPan, Viewport } from './viewport';

export type { SceneStats } from './stats';

/** A world rectangle (map frame, m). */
export interface Bounds {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

/**
 * One view's saved transform and what its Fit fits (null: the map). The transform is kept as
 * the world point at the canvas centre and the scale, as a resize keeps it: the review's dock
 * changes the canvas's height as the views switch, in whichever order the two land.
 */
interface ViewSlot {
  state: { scale: number; centre: Vec2 } | null;
  fitBounds: Bounds | null;
  /**
   * The view is as Fit left it (nobody panned, zoomed or followed since): a resize fits again,
   * so a run fitted while the review's dock was still opening stays fitted.
   */
  fitted: boolean;
}

/** Fit margin, px: clears the toolbar overlay at the top left. */
const FIT_MARGIN_PX = 44;
/** Follow's glide back to centring the robot: time constant, s. */
const GLIDE_TAU_S = 0.35;

export interface MapSceneCallbacks {
  /** Follow mode changed inside the scene (a pan drag turns it off). */
  onFollowChange?: (follow: boolean) => void;
  /** Stats after each draw (throttled by the caller if needed). */
  onStats?: (stats: SceneStats) => void;
  /** Pointer moved over the map: world position under the cursor, or null on leave. */
  onCursor?: (p: Vec2 | null) => void;
}

export interface MapSceneOptions {
  /**
   * Redraw rate cap, Hz. Default: 60 on a GPU, 10 on a software WebGL renderer
   * (SwiftShader/llvmpipe), where each frame costs tens of ms of main-thread time.
   */
  maxFps?: number;
  /** MSAA. Default: on, except on a software WebGL renderer. */
  antialias?: boolean;
}

export class MapScene {
  readonly viewport = new Viewport();
  readonly canvas: HTMLCanvasElement;
  /** Which renderer pixi got, and whether it is a software one. */
  gpu: GpuInfo = { name: 'unknown', software: false };

  private readonly world = new Container();
  private readonly overlay = new Container();
  private readonly layers: MapLayer[] = createLayers();
  private readonly heatmap = this.layers.find((l): l is HeatmapLayer => l instanceof HeatmapLayer);
  private readonly goalLayer = this.layers.find((l): l is GoalLayer => l instanceof GoalLayer);
  private readonly toolPreview = new Graphics();
  private readonly router: ToolRouter;
  private readonly frame: SceneFrame = {
    snapshot: null,
    map: null,
    zones: [],
    heatmap: null,
    px: 1 / 50,
    toScreen: (p) => this.viewport.worldToScreen(p),
  };
  private visibility: LayerVisibility = { ...DEFAULT_LAYERS };
  private follow = false;
  /** Follow is gliding the view toward the robot at the centre. */
  private glide = false;
  private mapPayload: MapPayload | null = null;
  private mapScheme: MapColorScheme = 'foresight';
  private viewKey = 'live';
  private readonly views = new Map<string, ViewSlot>([['live', { state: null, fitBounds: null, fitted: false }]]);

  private dirty = true;
  private urgent = false;
  private raf = 0;
  private destroyed = false;
  private draws = 0;
  private lastDrawAt = -Infinity;
  private minFrameMs = 1000 / 60;
  private lastDrawMs = 0;
  private lastGlideAt = 0;
  private drawTimes: number[] = [];
  private stats: SceneStats;
  private resizeObserver: ResizeObserver | null = null;
  private width = 1;
  private height = 1;
  private readonly detach: (() => void)[] = [];

  private constructor(
    private readonly app: Application,
    private readonly host: HTMLElement,
    private readonly cb: MapSceneCallbacks,
  ) {
    this.canvas = app.canvas;
    for (const layer of this.layers) {
      layer.container.label = `layer:${layer.id}`;
      this.world.addChild(layer.container);
      if (layer.overlay) this.overlay.addChild(layer.overlay);
    }
    this.world.addChild(this.toolPreview);
    this.app.stage.addChild(this.world, this.overlay);
    this.router = new ToolRouter(this.viewport, { pan: (dx, dy) => this.pan(dx, dy), changed: () => this.markDirty() });
    this.stats = this.computeStats();
    this.applyVisibility();
  }

  /** Creates the pixi application and mounts its canvas in `host` (sized to it). */
  static async create(host: HTMLElement, cb: MapSceneCallbacks = {}, opts: MapSceneOptions = {}): Promise<MapScene> {
    const probe = probeWebGl();
    const app = new Application();
    await app.init({
      background: '#0b0e12',
      // MSAA on a software rasterizer multiplies the per-frame cost; crispness matters less there.
      antialias: opts.antialias ?? !probe.software,
      autoDensity: true,
      resolution: Math.min(window.devicePixelRatio || 1, 2),
      width: Math.max(host.clientWidth, 1),
      height: Math.max(host.clientHeight, 1),
      autoStart: false,
      sharedTicker: false,
      preference: 'webgl',
    });
    app.ticker?.stop();
    const scene = new MapScene(app, host, cb);
    scene.gpu = describeRenderer(app);
    scene.minFrameMs = 1000 / (opts.maxFps ?? (scene.gpu.software ? 10 : 60));
    scene.mount();
    return scene;
  }

  // ---------------------------------------------------------------- input for the layers

  setMap(payload: MapPayload | null): void {
    if (this.destroyed) return;
    const prev = this.frame.map?.payload ?? null;
    this.mapPayload = payload;
    this.decode();
    const m = this.frame.map?.payload;
    // The same map again (a mode switch re-sends it) keeps every view where it is. A different
    // one is fitted, unless it only grew under a following view (mapping as the robot drives);
    // the views not on screen fit it when next shown.
    if (m && !sameMap(prev, m) && (!this.follow || prev?.name !== m.name)) {
      for (const [key, slot] of this.views) if (key !== this.viewKey && !slot.fitBounds) slot.state = null;
      this.fit();
    }
    this.markDirty();
  }

  /** Map colours: Foresight's or RViz's (the map is re-coloured at once). */
  setMapScheme(scheme: MapColorScheme): void {
    if (scheme === this.mapScheme) return;
    this.mapScheme = scheme;
    this.decode();
    this.markDirty();
  }

  private decode(): void {
    this.frame.map = null;
    const payload = this.mapPayload;
    if (!payload) return;
    try {
      this.frame.map = decodeMap(payload, MAP_SCHEMES[this.mapScheme].palette);
    } catch (err) {
      console.error('map could not be decoded', err);
    }
  }

  /** `urgent`: draw on the next animation frame even above the redraw cap (a review seek). */
  setSnapshot(s: ConsoleSnapshot, urgent = false): void {
    if (this.destroyed) return;
    this.frame.snapshot = s;
    if (urgent) this.urgent = true;
    if (this.follow && s.pose) this.keepInView(s.pose);
    this.markDirty();
  }

  /** Operator zones to draw (map frame). */
  setZones(zones: readonly Zone[]): void {
    this.frame.zones = [...zones];
    this.markDirty();
  }

  /** The intervention heatmap (counts on a grid), or null. */
  setHeatmap(h: HeatmapView | null): void {
    this.frame.heatmap = h;
    this.markDirty();
  }

  /** The robot's pose in the snapshot on screen. */
  get robotPose(): Pose2D | null {
    return this.frame.snapshot?.pose ?? null;
  }

  // ---------------------------------------------------------------- layers, view, tools

  setLayers(v: LayerVisibility): void {
    this.visibility = { ...v };
    this.applyVisibility();
    this.markDirty();
  }

  setFollow(on: boolean): void {
    this.follow = on;
    if (on && this.frame.snapshot?.pose) this.keepInView(this.frame.snapshot.pose);
    this.markDirty();
  }

  /**
   * Puts view `key` ('live', 'review') on screen: the current transform is kept for when its
   * view comes back, and `key`'s own is restored (fitted the first time, and whenever it was
   * left as Fit made it: the canvas may have changed size meanwhile).
   */
  showView(key: string): void {
    if (key === this.viewKey) return;
    this.slot().state = { scale: this.viewport.scale, centre: this.viewport.screenToWorld(this.centre()) };
    this.viewKey = key;
    const next = this.slot().state;
    if (next && !this.slot().fitted) {
      this.viewport.scale = next.scale;
      this.viewport.centerOn(next.centre, this.centre());
    } else {
      this.fit();
    }
    this.markDirty();
  }

  /**
   * What Fit fits in the view on screen: `bounds` (a run's extent) instead of the map; null
   * gives the map back. New bounds are fitted at once (a run just opened); the same bounds
   * again (the view re-attached) leave the view as it is.
   */
  setFitBounds(bounds: Bounds | null): void {
    const slot = this.slot();
    if (sameBounds(slot.fitBounds, bounds)) return;
    slot.fitBounds = bounds ? { ...bounds } : null;
    if (bounds) this.fit();
    this.markDirty();
  }

  /** The view on screen: 'live' or 'review'. */
  get view(): string {
    return this.viewKey;
  }

  /** Makes `tool` the one pointer presses go to (null: presses only pan). Call again after changing the tool's state. */
  setTool(tool: MapTool | null): void {
    this.router.setTool(tool);
    this.canvas.style.cursor = this.router.cursor;
  }

  /** A key for the active tool (Enter, Backspace, Escape…); returns true if it took it. */
  toolKey(key: string): boolean {
    return this.router.key(key);
  }

  /** Fits the view's extent (a run under review), else the map, else centres the robot. */
  fit(): void {
    const slot = this.slot();
    const b = slot.fitBounds ?? this.frame.map?.bounds;
    slot.fitted = b !== undefined && b !== null;
    if (b) this.viewport.fit(b, this.width, this.height, FIT_MARGIN_PX);
    else if (this.frame.snapshot?.pose) this.viewport.centerOn(this.frame.snapshot.pose, this.centre());
    this.markDirty();
  }

  zoomBy(factor: number): void {
    this.slot().fitted = false;
    const pose = this.frame.snapshot?.pose;
    this.viewport.zoomAt(factor, this.follow && pose ? this.viewport.worldToScreen(pose) : this.centre());
    this.markDirty();
  }

  get lastStats(): SceneStats {
    return this.stats;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    cancelAnimationFrame(this.raf);
    for (const d of this.detach) d();
    this.resizeObserver?.disconnect();
    for (const layer of this.layers) layer.destroy();
    this.app.destroy({ removeView: true }, { children: true });
  }

  // ---------------------------------------------------------------- mounting & input

  private mount(): void {
    const canvas = this.canvas;
    canvas.dataset.testid = 'map-canvas';
    canvas.style.display = 'block';
    canvas.style.cursor = this.router.cursor;
    canvas.style.touchAction = 'none';
    canvas.tabIndex = -1;
    this.host.appendChild(canvas);
    this.width = Math.max(this.host.clientWidth, 1);
    this.height = Math.max(this.host.clientHeight, 1);
    this.viewport.centerOn({ x: 0, y: 0 }, this.centre());

    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(this.host);

    const on = <K extends keyof HTMLElementEventMap>(type: K, fn: (ev: HTMLElementEventMap[K]) => void, opts?: AddEventListenerOptions) => {
      canvas.addEventListener(type, fn as EventListener, opts);
      this.detach.push(() => canvas.removeEventListener(type, fn as EventListener, opts));
    };
    on('pointerdown', (e) => {
      if (this.router.down(this.pointer(e))) canvas.setPointerCapture?.(e.pointerId);
      canvas.style.cursor = this.router.cursor;
    });
    on('pointermove', (e) => {
      const p = this.pointer(e);
      this.cb.onCursor?.(this.viewport.screenToWorld(p));
      this.router.move(p);
    });
    on('pointerup', (e) => {
      const wasBusy = this.router.busy;
      this.router.up(this.pointer(e));
      if (wasBusy && !this.router.busy) canvas.releasePointerCapture?.(e.pointerId);
      canvas.style.cursor = this.router.cursor;
    });
    on('pointercancel', () => {
      this.router.cancel();
      canvas.style.cursor = this.router.cursor;
    });
    on('pointerleave', () => this.cb.onCursor?.(null));
    on('wheel', (e) => this.onWheel(e), { passive: false });
    on('contextmenu', (e) => e.preventDefault());
    on('dblclick', (e) => {
      if (!this.router.doubleClick(this.pointer(e))) this.fit();
    });

    const loop = () => {
      if (this.destroyed) return;
      this.raf = requestAnimationFrame(loop);
      const now = performance.now();
      // Small slack so a 60 Hz cap is not missed by rAF jitter.
      if (this.dirty && (this.urgent || now - this.lastDrawAt >= this.minFrameMs - 4)) {
        this.dirty = false;
        this.urgent = false;
        this.lastDrawAt = now;
        this.draw();
      }
    };
    this.raf = requestAnimationFrame(loop);
  }

  private resize(): void {
    const w = Math.max(this.host.clientWidth, 1);
    const h = Math.max(this.host.clientHeight, 1);
    if (w === this.width && h === this.height) return;
    // A fitted view is fitted again; any other keeps the world point at its centre.
    const centre = this.viewport.screenToWorld(this.centre());
    this.width = w;
    this.height = h;
    this.app.renderer.resize(w, h);
    if (this.slot().fitted) this.fit();
    else this.viewport.centerOn(centre, this.centre());
    this.markDirty();
  }

  private centre(): Vec2 {
    return { x: this.width / 2, y: this.height / 2 };
  }

  private slot(): ViewSlot {
    let s = this.views.get(this.viewKey);
    if (!s) {
      s = { state: null, fitBounds: null, fitted: false };
      this.views.set(this.viewKey, s);
    }
    return s;
  }

  /** Follow: keeps `p` inside the inner box (and starts a glide to centre it); centres it when it is off screen. */
  private keepInView(p: Vec2): void {
    const sp = this.viewport.worldToScreen(p);
    const fp = this.frame.snapshot?.robot?.footprint ?? DEFAULT_FOOTPRINT;
    const d = followPan(sp, this.width, this.height, circumscribedRadius(fp) * this.viewport.scale + 16);
    if (d !== 'centre' && d.x === 0 && d.y === 0) return;
    this.slot().fitted = false;
    if (d === 'centre') {
      this.viewport.centerOn(p, this.centre());
      this.glide = false;
    } else if (d.x !== 0 || d.y !== 0) {
      this.viewport.panBy(d.x, d.y);
      this.glide = true;
    }
  }

  /** One step of follow's glide toward the robot at the centre, `dt` s after the last. */
  private glideStep(dt: number): void {
    const pose = this.frame.snapshot?.pose;
    if (!this.glide || !this.follow || !pose) {
      this.glide = false;
      return;
    }
    const v = this.viewport;
    const tx = this.width / 2 - v.scale * pose.x;
    const ty = this.height / 2 + v.scale * pose.y;
    const k = 1 - Math.exp(-Math.min(Math.max(dt, 0), 0.2) / GLIDE_TAU_S);
    v.panBy((tx - v.offsetX) * k, (ty - v.offsetY) * k);
    if (Math.abs(tx - v.offsetX) < 0.5 && Math.abs(ty - v.offsetY) < 0.5) this.glide = false;
    else this.markDirty(); // the next frame glides on
  }

  private local(e: MouseEvent): Vec2 {
    const r = this.canvas.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  }

  private pointer(e: MouseEvent): CanvasPointer {
    const p = this.local(e);
    return { x: p.x, y: p.y, button: e.button, shiftKey: e.shiftKey, pointerId: (e as PointerEvent).pointerId ?? 1 };
  }

  private pan(dx: number, dy: number): void {
    this.slot().fitted = false;
    this.viewport.panBy(dx, dy);
    this.glide = false;
    if (this.follow) {
      this.follow = false;
      this.cb.onFollowChange?.(false);
    }
  }

  private onWheel(e: WheelEvent): void {
    e.preventDefault();
    this.slot().fitted = false;
    const pose = this.frame.snapshot?.pose;
    this.viewport.zoomAt(Viewport.wheelFactor(e.deltaY, e.deltaMode), this.follow && pose ? this.viewport.worldToScreen(pose) : this.local(e));
    this.markDirty();
  }

  // ---------------------------------------------------------------- drawing

  private markDirty(): void {
    this.dirty = true;
  }

  private applyVisibility(): void {
    for (const layer of this.layers) {
      const on = this.visibility[layer.id];
      layer.container.visible = on;
      if (layer.overlay) layer.overlay.visible = on;
    }
  }

  private draw(): void {
    const t0 = performance.now();
    this.glideStep((t0 - this.lastGlideAt) / 1000);
    this.lastGlideAt = t0;
    const v = this.viewport;
    this.world.position.set(v.offsetX, v.offsetY);
    this.world.scale.set(v.scale, -v.scale);
    const px = 1 / v.scale; // one screen pixel in metres
    this.frame.px = px;
    for (const layer of this.layers) if (this.visibility[layer.id]) layer.update(this.frame);
    const preview = this.toolPreview.clear();
    this.router.tool?.draw?.(preview, px);

    this.app.render();

    const now = performance.now();
    this.lastDrawMs = now - t0;
    this.draws++;
    this.drawTimes.push(now);
    while (this.drawTimes.length > 0 && now - this.drawTimes[0] > 1000) this.drawTimes.shift();
    this.stats = this.computeStats();
    this.cb.onStats?.(this.stats);
  }

  private computeStats(): SceneStats {
    return sceneStats({
      frame: this.frame,
      visibility: this.visibility,
      heatmapCells: this.heatmap?.cells ?? 0,
      draws: this.draws,
      drawHz: this.drawTimes.length,
      drawMs: this.lastDrawMs,
      view: this.viewport.state,
      viewKey: this.viewKey,
      follow: this.follow,
      goalsDrawn: this.goalLayer?.drawn ?? 0,
      canvas: { width: this.width, height: this.height },
    });
  }
}

function sameMap(a: MapPayload | null, b: MapPayload): boolean {
  return !!a && a.name === b.name && a.width === b.width && a.height === b.height && a.resolution === b.resolution && a.origin.x === b.origin.x && a.origin.y === b.origin.y;
}

function sameBounds(a: Bounds | null, b: Bounds | null): boolean {
  if (!a || !b) return a === b;
  return a.minX === b.minX && a.minY === b.minY && a.maxX === b.maxX && a.maxY === b.maxY;
}
