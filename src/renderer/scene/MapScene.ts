/**
 * The map view: a React-free pixi.js v8 scene with one layer (Container) per concern.
 *
 * The `world` container holds everything drawn in the `map` frame (metres, y up): it is
 * scaled by (s, −s) so children draw in world units. Stroke widths are given in screen
 * pixels divided by the scale, so lines stay crisp at any zoom. Labels live in a
 * screen-space overlay so text is never mirrored.
 *
 * Rendering is on demand: a snapshot, a view change or a layer toggle marks the scene
 * dirty, and the next animation frame redraws dynamic layers and renders once. Graphics
 * objects and textures are reused; the map texture is rebuilt only when the map changes.
 */
import 'pixi.js/unsafe-eval'; // no eval/new Function: the console runs under a strict CSP
import { Application, BufferImageSource, Container, Graphics, Sprite, Text, Texture } from 'pixi.js';
import type { ConsoleSnapshot, HeatmapView, MapPayload, RobotInfo, Zone } from '../../shared/api';
import { circumscribedRadius, inscribedRadius, type Pose2D, type Vec2 } from '../../shared/geometry';
import { costColor, futureAlpha, normalizeCosts, riskColor } from './colors';
import { goalFromDrag } from './goal';
import { decodeMap, inflationRgba, type DecodedMap } from './map-image';
import { Viewport, type ViewState } from './viewport';

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

/** What was drawn last, for the stats element end-to-end tests read. Counts are of what is drawn: 0 for a hidden layer. */
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
  draws: number;
  drawHz: number;
  /** CPU time of the last redraw (geometry + render submit), ms. */
  drawMs: number;
  view: ViewState;
  follow: boolean;
  goalMode: boolean;
  /** Time of the snapshot drawn (host clock, s); null before the first. */
  frameT: number | null;
  /** Zones drawn, heatmap cells with a count, vertices of the zone being drawn. */
  zones: number;
  heatmapCells: number;
  draftVertices: number;
}

/** Zone drawing: the kind being drawn, or null when the tool is off. */
export type ZoneDrawKind = Zone['kind'] | null;

export interface MapSceneCallbacks {
  /** The operator finished a goal drag (position and heading, map frame). */
  onGoal?: (goal: Pose2D) => void;
  /** Follow mode changed inside the scene (a pan drag turns it off). */
  onFollowChange?: (follow: boolean) => void;
  /** Goal mode ended inside the scene (after a goal was set). */
  onGoalModeChange?: (on: boolean) => void;
  /** Stats after each draw (throttled by the caller if needed). */
  onStats?: (stats: SceneStats) => void;
  /** Pointer moved over the map: world position under the cursor, or null on leave. */
  onCursor?: (p: Vec2 | null) => void;
  /** The zone being drawn changed (vertices, flat [x0, y0, …], map frame). */
  onZoneDraft?: (points: number[]) => void;
  /** The zone polygon was closed (first corner clicked, double-click or Enter). */
  onZoneComplete?: (points: number[]) => void;
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

const DEFAULT_FOOTPRINT = { length: 0.45, width: 0.38, centerOffsetX: 0 };
const MAX_CANDIDATES_DRAWN = 400;
const LOCAL_WINDOW = 6; // m, DESIGN.md
const REACTIVE_WINDOW = 2; // m
const GOAL_DRAG_MIN_PX = 6;

const C = {
  scan: 0x3ee08f,
  robotFill: 0x2f81f7,
  robotLine: 0xcfe3ff,
  robotEstop: 0xf85149,
  path: 0x58a6ff,
  chosen: 0xf0f6fc,
  goal: 0xd2a8ff,
  gaze: 0xf2cc60,
  windowLocal: 0x8b949e,
  pass: 0x3fb950,
  scale: 0xd29922,
  stop: 0xf85149,
  keepOut: 0xf85149,
  slow: 0xd29922,
  draft: 0xffffff,
};
const ZONE_CLOSE_PX = 10;
const CLICK_SLOP_PX = 4;

export class MapScene {
  readonly viewport = new Viewport();
  readonly canvas: HTMLCanvasElement;

  private readonly app: Application;
  private readonly host: HTMLElement;
  private readonly world = new Container();
  private readonly overlay = new Container();
  private readonly layers: Record<LayerName, Container>;

  private readonly mapSprite = new Sprite();
  private readonly inflationSprite = new Sprite();
  private readonly gWindows = new Graphics();
  private readonly gPath = new Graphics();
  private readonly gCandidates = new Graphics();
  private readonly gChosen = new Graphics();
  private readonly gPeople = new Graphics();
  private readonly gScan = new Graphics();
  private readonly gGaze = new Graphics();
  private readonly gGoal = new Graphics();
  private readonly robotBody = new Container();
  private readonly gRobot = new Graphics();
  private readonly gInteraction = new Graphics();
  private readonly gZones = new Graphics();
  private readonly heatmapSprite = new Sprite();
  private heatmapTexture: Texture | null = null;
  private readonly zoneLabels: Text[] = [];
  private zones: Zone[] = [];
  private heatmap: HeatmapView | null = null;
  private heatmapCells = 0;
  private zoneDraw: ZoneDrawKind = null;
  private draft: number[] = [];
  private draftHover: Vec2 | null = null;
  private urgent = false;
  private readonly labelPool: Text[] = [];
  private readonly labelFill = new WeakMap<Text, number>();

  private map: DecodedMap | null = null;
  private mapTexture: Texture | null = null;
  private inflationTexture: Texture | null = null;
  private inflationKey = '';
  private snapshot: ConsoleSnapshot | null = null;
  private visibility: LayerVisibility = { ...DEFAULT_LAYERS };
  private follow = false;
  private goalMode = false;
  private robotKey = '';

  private dirty = true;
  private raf = 0;
  private destroyed = false;
  private draws = 0;
  private lastDrawAt = -Infinity;
  private minFrameMs = 1000 / 60;
  /** Which renderer pixi got, and whether it is a software one. */
  gpu: { name: string; software: boolean } = { name: 'unknown', software: false };
  private lastDrawMs = 0;
  private drawTimes: number[] = [];
  private stats: SceneStats;
  private resizeObserver: ResizeObserver | null = null;
  private width = 1;
  private height = 1;

  private drag:
    | { kind: 'pan'; id: number; last: Vec2; down?: Vec2; moved?: boolean }
    | { kind: 'goal'; id: number; startScreen: Vec2; start: Vec2; end: Vec2 }
    | null = null;
  private readonly detach: (() => void)[] = [];

  private constructor(app: Application, host: HTMLElement, private readonly cb: MapSceneCallbacks) {
    this.app = app;
    this.host = host;
    this.canvas = app.canvas;
    this.layers = {
      map: new Container(),
      inflation: new Container(),
      windows: new Container(),
      path: new Container(),
      candidates: new Container(),
      chosen: new Container(),
      people: new Container(),
      scan: new Container(),
      gaze: new Container(),
      goal: new Container(),
      robot: new Container(),
      zones: new Container(),
      heatmap: new Container(),
    };
    // Draw order: bottom first.
    const order: LayerName[] = ['map', 'heatmap', 'inflation', 'zones', 'windows', 'path', 'candidates', 'people', 'chosen', 'scan', 'gaze', 'goal', 'robot'];
    for (const name of order) {
      this.layers[name].label = `layer:${name}`;
      this.world.addChild(this.layers[name]);
    }
    this.layers.map.addChild(this.mapSprite);
    this.layers.inflation.addChild(this.inflationSprite);
    this.layers.heatmap.addChild(this.heatmapSprite);
    this.layers.zones.addChild(this.gZones);
    this.heatmapSprite.visible = false;
    this.layers.windows.addChild(this.gWindows);
    this.layers.path.addChild(this.gPath);
    this.layers.candidates.addChild(this.gCandidates);
    this.layers.chosen.addChild(this.gChosen);
    this.layers.people.addChild(this.gPeople);
    this.layers.scan.addChild(this.gScan);
    this.layers.gaze.addChild(this.gGaze);
    this.layers.goal.addChild(this.gGoal);
    this.robotBody.addChild(this.gRobot);
    this.layers.robot.addChild(this.robotBody);
    this.world.addChild(this.gInteraction);
    this.app.stage.addChild(this.world, this.overlay);
    this.mapSprite.visible = false;
    this.inflationSprite.visible = false;
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

  // ---------------------------------------------------------------- public API

  setMap(payload: MapPayload | null): void {
    if (this.destroyed) return;
    const prevName = this.map?.payload.name ?? null;
    this.mapTexture?.destroy(true);
    this.mapTexture = null;
    this.inflationTexture?.destroy(true);
    this.inflationTexture = null;
    this.inflationKey = '';
    this.map = null;
    if (payload) {
      try {
        this.map = decodeMap(payload);
      } catch (err) {
        console.error('map could not be decoded', err);
      }
    }
    const m = this.map;
    if (m) {
      const { width, height, resolution, origin } = m.payload;
      this.mapTexture = rgbaTexture(m.rgba, width, height);
      this.mapSprite.texture = this.mapTexture;
      placeGridSprite(this.mapSprite, origin, width, height, resolution);
      this.mapSprite.visible = true;
      if (!this.follow || prevName !== m.payload.name) this.fitToMap();
    } else {
      this.mapSprite.visible = false;
      this.inflationSprite.visible = false;
    }
    this.updateInflation();
    this.markDirty();
  }

  /** `urgent`: draw on the next animation frame even above the redraw cap (a review seek). */
  setSnapshot(s: ConsoleSnapshot, urgent = false): void {
    if (this.destroyed) return;
    this.snapshot = s;
    if (urgent) this.urgent = true;
    if (this.follow && s.pose) this.viewport.centerOn(s.pose, { x: this.width / 2, y: this.height / 2 });
    this.markDirty();
  }

  setLayers(v: LayerVisibility): void {
    this.visibility = { ...v };
    this.applyVisibility();
    this.updateInflation();
    this.markDirty();
  }

  setFollow(on: boolean): void {
    this.follow = on;
    if (on && this.snapshot?.pose) this.viewport.centerOn(this.snapshot.pose, { x: this.width / 2, y: this.height / 2 });
    this.markDirty();
  }

  setGoalMode(on: boolean): void {
    this.goalMode = on;
    this.canvas.style.cursor = on ? 'crosshair' : 'grab';
    if (!on && this.drag?.kind === 'goal') this.drag = null;
    this.markDirty();
  }

  /** Operator zones to draw (map frame). */
  setZones(zones: readonly Zone[]): void {
    this.zones = [...zones];
    this.markDirty();
  }

  /** The intervention heatmap (counts on a grid), or null. */
  setHeatmap(h: HeatmapView | null): void {
    this.heatmap = h;
    this.heatmapTexture?.destroy(true);
    this.heatmapTexture = null;
    this.heatmapCells = 0;
    if (h && h.width > 0 && h.height > 0 && h.max > 0) {
      const rgba = new Uint8ClampedArray(h.width * h.height * 4);
      // Image row 0 is the largest y (as the map sprite).
      for (let j = 0; j < h.height; j++) {
        for (let i = 0; i < h.width; i++) {
          const c = h.counts[j * h.width + i] ?? 0;
          if (c <= 0) continue;
          this.heatmapCells++;
          // Yellow (one event) → red (the most), translucent so the map and robot show through.
          const f = h.max > 1 ? Math.sqrt((c - 1) / (h.max - 1)) : 1;
          const o = ((h.height - 1 - j) * h.width + i) * 4;
          rgba[o] = 255;
          rgba[o + 1] = Math.round(210 * (1 - f) + 40 * f);
          rgba[o + 2] = 40;
          rgba[o + 3] = Math.round(70 + 80 * f);
        }
      }
      this.heatmapTexture = rgbaTexture(rgba, h.width, h.height);
      this.heatmapSprite.texture = this.heatmapTexture;
      placeGridSprite(this.heatmapSprite, h.origin, h.width, h.height, h.cellSize);
      this.heatmapSprite.visible = true;
    } else {
      this.heatmapSprite.visible = false;
    }
    this.markDirty();
  }

  /** Starts (a kind) or ends (null) the zone polygon tool; ending drops an unfinished draft. */
  setZoneDraw(kind: ZoneDrawKind): void {
    this.zoneDraw = kind;
    this.draft = [];
    this.draftHover = null;
    this.canvas.style.cursor = kind ? 'crosshair' : this.goalMode ? 'crosshair' : 'grab';
    this.cb.onZoneDraft?.([]);
    this.markDirty();
  }

  /** Keyboard for the zone tool: Enter closes, Backspace removes the last corner. */
  zoneKey(key: 'Enter' | 'Backspace'): void {
    if (!this.zoneDraw) return;
    if (key === 'Enter') this.closeDraft();
    else {
      this.draft.length = Math.max(0, this.draft.length - 2);
      this.cb.onZoneDraft?.([...this.draft]);
    }
    this.markDirty();
  }

  private closeDraft(): void {
    if (this.draft.length < 6) return;
    const pts = [...this.draft];
    this.draft = [];
    this.draftHover = null;
    this.cb.onZoneDraft?.([]);
    this.cb.onZoneComplete?.(pts);
    this.markDirty();
  }

  fitToMap(): void {
    const m = this.map;
    // Margin clears the toolbar overlay at the top left.
    if (m) this.viewport.fit(m.bounds, this.width, this.height, 44);
    else if (this.snapshot?.pose) this.viewport.centerOn(this.snapshot.pose, { x: this.width / 2, y: this.height / 2 });
    this.markDirty();
  }

  zoomBy(factor: number): void {
    const at = this.follow && this.snapshot?.pose ? this.viewport.worldToScreen(this.snapshot.pose) : { x: this.width / 2, y: this.height / 2 };
    this.viewport.zoomAt(factor, at);
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
    this.mapTexture?.destroy(true);
    this.inflationTexture?.destroy(true);
    this.heatmapTexture?.destroy(true);
    this.app.destroy({ removeView: true }, { children: true });
  }

  // ---------------------------------------------------------------- mounting & input

  private mount(): void {
    const canvas = this.canvas;
    canvas.dataset.testid = 'map-canvas';
    canvas.style.display = 'block';
    canvas.style.cursor = 'grab';
    canvas.style.touchAction = 'none';
    canvas.tabIndex = -1;
    this.host.appendChild(canvas);
    this.width = Math.max(this.host.clientWidth, 1);
    this.height = Math.max(this.host.clientHeight, 1);
    this.viewport.centerOn({ x: 0, y: 0 }, { x: this.width / 2, y: this.height / 2 });

    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(this.host);

    const on = <K extends keyof HTMLElementEventMap>(
      type: K,
      fn: (ev: HTMLElementEventMap[K]) => void,
      opts?: AddEventListenerOptions,
    ) => {
      canvas.addEventListener(type, fn as EventListener, opts);
      this.detach.push(() => canvas.removeEventListener(type, fn as EventListener, opts));
    };
    on('pointerdown', (e) => this.onPointerDown(e));
    on('pointermove', (e) => this.onPointerMove(e));
    on('pointerup', (e) => this.onPointerUp(e));
    on('pointercancel', () => {
      this.drag = null;
      this.markDirty();
    });
    on('pointerleave', () => this.cb.onCursor?.(null));
    on('wheel', (e) => this.onWheel(e), { passive: false });
    on('contextmenu', (e) => e.preventDefault());
    on('dblclick', () => {
      if (this.zoneDraw) this.closeDraft();
      else this.fitToMap();
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
    // Keep the world point at the centre fixed.
    const centre = this.viewport.screenToWorld({ x: this.width / 2, y: this.height / 2 });
    this.width = w;
    this.height = h;
    this.app.renderer.resize(w, h);
    this.viewport.centerOn(centre, { x: w / 2, y: h / 2 });
    this.markDirty();
  }

  private local(e: PointerEvent | WheelEvent): Vec2 {
    const r = this.canvas.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  }

  private onPointerDown(e: PointerEvent): void {
    if (this.drag) return;
    const p = this.local(e);
    const wantsGoal = !this.zoneDraw && (this.goalMode || e.shiftKey || e.button === 2);
    if (e.button !== 0 && e.button !== 2) return;
    this.canvas.setPointerCapture?.(e.pointerId);
    if (this.zoneDraw && e.button === 0) {
      // A click adds a corner; a drag still pans.
      this.drag = { kind: 'pan', id: e.pointerId, last: p, down: p, moved: false };
    } else if (wantsGoal) {
      const w = this.viewport.screenToWorld(p);
      this.drag = { kind: 'goal', id: e.pointerId, startScreen: p, start: w, end: w };
    } else {
      this.drag = { kind: 'pan', id: e.pointerId, last: p };
      this.canvas.style.cursor = 'grabbing';
    }
    this.markDirty();
  }

  private onPointerMove(e: PointerEvent): void {
    const p = this.local(e);
    this.cb.onCursor?.(this.viewport.screenToWorld(p));
    if (this.zoneDraw) {
      this.draftHover = this.viewport.screenToWorld(p);
      if (this.draft.length > 0) this.markDirty();
    }
    const d = this.drag;
    if (!d || d.id !== e.pointerId) return;
    if (d.kind === 'pan') {
      if (d.down && !d.moved) {
        if (Math.hypot(p.x - d.down.x, p.y - d.down.y) < CLICK_SLOP_PX) return;
        d.moved = true;
      }
      const dx = p.x - d.last.x;
      const dy = p.y - d.last.y;
      if (dx === 0 && dy === 0) return;
      d.last = p;
      this.viewport.panBy(dx, dy);
      if (this.follow) {
        this.follow = false;
        this.cb.onFollowChange?.(false);
      }
    } else {
      d.end = this.viewport.screenToWorld(p);
    }
    this.markDirty();
  }

  private onPointerUp(e: PointerEvent): void {
    const d = this.drag;
    if (!d || d.id !== e.pointerId) return;
    this.drag = null;
    this.canvas.releasePointerCapture?.(e.pointerId);
    this.canvas.style.cursor = this.goalMode || this.zoneDraw ? 'crosshair' : 'grab';
    if (d.kind === 'pan' && this.zoneDraw && d.down && !d.moved) {
      const w = this.viewport.screenToWorld(this.local(e));
      const n = this.draft.length;
      if (n >= 6) {
        const first = this.viewport.worldToScreen({ x: this.draft[0], y: this.draft[1] });
        const here = this.local(e);
        if (Math.hypot(first.x - here.x, first.y - here.y) <= ZONE_CLOSE_PX) {
          this.closeDraft();
          return;
        }
      }
      this.draft.push(w.x, w.y);
      this.cb.onZoneDraft?.([...this.draft]);
    }
    if (d.kind === 'goal') {
      const p = this.local(e);
      d.end = this.viewport.screenToWorld(p);
      const dragged = Math.hypot(p.x - d.startScreen.x, p.y - d.startScreen.y) >= GOAL_DRAG_MIN_PX;
      const goal = goalFromDrag(d.start, d.end, dragged, this.snapshot?.pose ?? null);
      this.cb.onGoal?.(goal);
      if (this.goalMode) {
        this.goalMode = false;
        this.canvas.style.cursor = 'grab';
        this.cb.onGoalModeChange?.(false);
      }
    }
    this.markDirty();
  }

  private onWheel(e: WheelEvent): void {
    e.preventDefault();
    const factor = Viewport.wheelFactor(e.deltaY, e.deltaMode);
    const at = this.follow && this.snapshot?.pose ? this.viewport.worldToScreen(this.snapshot.pose) : this.local(e);
    this.viewport.zoomAt(factor, at);
    this.markDirty();
  }

  // ---------------------------------------------------------------- drawing

  private markDirty(): void {
    this.dirty = true;
  }

  private applyVisibility(): void {
    for (const name of Object.keys(this.layers) as LayerName[]) this.layers[name].visible = this.visibility[name];
  }

  private updateInflation(): void {
    const m = this.map;
    if (!m || !this.visibility.inflation) {
      this.inflationSprite.visible = false;
      return;
    }
    const fp = this.snapshot?.robot?.footprint ?? DEFAULT_FOOTPRINT;
    const inscribed = inscribedRadius(fp);
    const radius = circumscribedRadius(fp) + 0.25;
    const key = `${m.payload.name}|${m.payload.width}|${m.payload.height}|${inscribed.toFixed(3)}|${radius.toFixed(3)}`;
    if (key !== this.inflationKey) {
      this.inflationTexture?.destroy(true);
      const { width, height, resolution } = m.payload;
      const rgba = inflationRgba(m.cells, width, height, resolution, inscribed, radius);
      this.inflationTexture = rgbaTexture(rgba, width, height);
      this.inflationSprite.texture = this.inflationTexture;
      placeGridSprite(this.inflationSprite, m.payload.origin, width, height, resolution);
      this.inflationKey = key;
    }
    this.inflationSprite.visible = true;
  }

  private draw(): void {
    const t0 = performance.now();
    const v = this.viewport;
    this.world.position.set(v.offsetX, v.offsetY);
    this.world.scale.set(v.scale, -v.scale);
    const px = 1 / v.scale; // one screen pixel in metres
    const s = this.snapshot;

    if (this.visibility.inflation && s?.robot) this.updateInflation();

    this.drawZones(px);
    this.drawWindows(s, px);
    this.drawPath(s, px);
    this.drawCandidates(s, px);
    this.drawChosen(s, px);
    this.drawPeople(s, px);
    this.drawScan(s, px);
    this.drawGaze(s, px);
    this.drawGoal(s, px);
    this.drawRobot(s, px);
    this.drawInteraction(px);

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
    const s = this.snapshot;
    const vis = this.visibility;
    const shown = (layer: LayerName, n: number) => (vis[layer] ? n : 0);
    return {
      // Name reduced to word characters so `map=(\w+) (\d+)x(\d+)` parses it.
      map: this.map && vis.map ? `${this.map.payload.name.replace(/\W+/g, '_') || 'map'} ${this.map.payload.width}x${this.map.payload.height}` : null,
      pose: s?.pose ?? null,
      scan: s ? shown('scan', Math.floor(s.scan.length / 2)) : 0,
      candidates: s ? shown('candidates', Math.min(s.candidates.length, MAX_CANDIDATES_DRAWN)) : 0,
      chosen: s?.chosen ? shown('chosen', Math.floor(s.chosen.points.length / 2)) : 0,
      path: s ? shown('path', Math.floor(s.globalPath.length / 2)) : 0,
      people: s ? shown('people', s.people.length) : 0,
      futures: s ? shown('people', s.people.reduce((n, p) => n + p.futures.length, 0)) : 0,
      goal: vis.goal ? (s?.goal ?? null) : null,
      draws: this.draws,
      drawHz: this.drawTimes.length,
      drawMs: this.lastDrawMs,
      view: this.viewport.state,
      follow: this.follow,
      goalMode: this.goalMode,
      frameT: s?.t ?? null,
      zones: vis.zones ? this.zones.length : 0,
      heatmapCells: vis.heatmap ? this.heatmapCells : 0,
      draftVertices: this.draft.length / 2,
    };
  }

  private drawZones(px: number): void {
    const g = this.gZones.clear();
    let used = 0;
    if (this.visibility.zones) {
      for (const z of this.zones) {
        if (z.polygon.length < 6) continue;
        const col = z.kind === 'keep-out' ? C.keepOut : C.slow;
        g.poly(z.polygon, true).fill({ color: col, alpha: z.kind === 'keep-out' ? 0.22 : 0.14 });
        g.poly(z.polygon, true).stroke({ width: 2 * px, color: col, alpha: 0.9 });
        let cx = 0;
        let cy = 0;
        const n = z.polygon.length / 2;
        for (let i = 0; i < n; i++) {
          cx += z.polygon[2 * i] / n;
          cy += z.polygon[2 * i + 1] / n;
        }
        let t = this.zoneLabels[used];
        if (!t) {
          t = new Text({ text: '', style: { fontFamily: 'system-ui, sans-serif', fontSize: 11, fill: 0xffffff, stroke: { color: 0x000000, width: 3 } }, resolution: Math.min(window.devicePixelRatio || 1, 2) });
          t.anchor.set(0.5);
          this.zoneLabels.push(t);
          this.overlay.addChild(t);
        }
        used++;
        const text = z.kind === 'slow' ? `${z.name} · ≤ ${(z.slowSpeed ?? 0).toFixed(2)} m/s` : `${z.name} · keep out`;
        if (t.text !== text) t.text = text;
        const sp = this.viewport.worldToScreen({ x: cx, y: cy });
        t.position.set(Math.round(sp.x), Math.round(sp.y));
        t.visible = true;
      }
    }
    for (let i = used; i < this.zoneLabels.length; i++) this.zoneLabels[i].visible = false;
    // The polygon being drawn (always visible while the tool is on).
    const d = this.draft;
    if (this.zoneDraw && d.length >= 2) {
      const col = this.zoneDraw === 'keep-out' ? C.keepOut : C.slow;
      g.moveTo(d[0], d[1]);
      for (let i = 2; i + 1 < d.length; i += 2) g.lineTo(d[i], d[i + 1]);
      if (this.draftHover) g.lineTo(this.draftHover.x, this.draftHover.y);
      g.stroke({ width: 2 * px, color: C.draft, alpha: 0.9 });
      if (d.length >= 6) g.poly(d, true).fill({ color: col, alpha: 0.15 });
      for (let i = 0; i + 1 < d.length; i += 2) disc(g, d[i], d[i + 1], (i === 0 ? 5 : 3.5) * px, px).fill({ color: i === 0 ? col : C.draft });
    }
  }

  private drawWindows(s: ConsoleSnapshot | null, px: number): void {
    const g = this.gWindows.clear();
    if (!this.visibility.windows || !s?.pose) return;
    const { x, y } = s.pose;
    const hl = LOCAL_WINDOW / 2;
    g.rect(x - hl, y - hl, LOCAL_WINDOW, LOCAL_WINDOW).stroke({ width: px, color: C.windowLocal, alpha: 0.6 });
    const hr = REACTIVE_WINDOW / 2;
    const action = s.safety?.action ?? 'pass';
    const col = action === 'stop' ? C.stop : action === 'scale' ? C.scale : C.pass;
    g.rect(x - hr, y - hr, REACTIVE_WINDOW, REACTIVE_WINDOW)
      .fill({ color: col, alpha: action === 'pass' ? 0.04 : 0.12 })
      .stroke({ width: 1.5 * px, color: col, alpha: 0.8 });
  }

  private drawPath(s: ConsoleSnapshot | null, px: number): void {
    const g = this.gPath.clear();
    if (!s || !this.visibility.path || s.globalPath.length < 4) return;
    polyline(g, s.globalPath);
    g.stroke({ width: 2.5 * px, color: C.path, alpha: 0.85, join: 'round', cap: 'round' });
  }

  private drawCandidates(s: ConsoleSnapshot | null, px: number): void {
    const g = this.gCandidates.clear();
    if (!s || !this.visibility.candidates || s.candidates.length === 0) return;
    const list = s.candidates.length > MAX_CANDIDATES_DRAWN ? s.candidates.slice(0, MAX_CANDIDATES_DRAWN) : s.candidates;
    const norm = normalizeCosts(list.map((c) => c.cost));
    // Worst first so the best end up on top.
    const order = list.map((_, i) => i).sort((a, b) => norm[b] - norm[a]);
    for (const i of order) {
      if (list[i].points.length < 4) continue;
      polyline(g, list[i].points);
      g.stroke({ width: px, color: costColor(norm[i]), alpha: 0.45 });
    }
  }

  private drawChosen(s: ConsoleSnapshot | null, px: number): void {
    const g = this.gChosen.clear();
    const c = s?.chosen;
    if (!c || !this.visibility.chosen || c.points.length < 4) return;
    polyline(g, c.points);
    g.stroke({ width: 5 * px, color: 0x000000, alpha: 0.5, join: 'round', cap: 'round' });
    polyline(g, c.points);
    g.stroke({ width: 3 * px, color: C.chosen, alpha: 0.95, join: 'round', cap: 'round' });
    const n = c.points.length;
    disc(g, c.points[n - 2], c.points[n - 1], 3 * px, px).fill({ color: C.chosen });
  }

  private drawPeople(s: ConsoleSnapshot | null, px: number): void {
    const g = this.gPeople.clear();
    let used = 0;
    if (s && this.visibility.people) {
      for (const p of s.people) {
        const col = riskColor(p.risk);
        // Prediction fan: each future as a line from the person, opacity from probability,
        // with dots whose size grows along the horizon (uncertainty grows with time).
        for (const f of p.futures) {
          if (f.points.length < 2) continue;
          const a = futureAlpha(f.probability);
          g.moveTo(p.x, p.y);
          for (let i = 0; i + 1 < f.points.length; i += 2) g.lineTo(f.points[i], f.points[i + 1]);
          g.stroke({ width: 2 * px, color: col, alpha: a, join: 'round', cap: 'round' });
          const steps = f.points.length / 2;
          for (let i = 0, k = 1; i + 1 < f.points.length; i += 2, k++) {
            if (k % 3 !== 0 && k !== steps) continue;
            disc(g, f.points[i], f.points[i + 1], Math.max(2 * px, 0.04 + 0.03 * k * 0.4), px).fill({ color: col, alpha: a * 0.35 });
          }
        }
        // Body.
        disc(g, p.x, p.y, 0.25, px).fill({ color: col, alpha: 0.25 }).stroke({ width: 2 * px, color: col, alpha: 0.95 });
        // Velocity arrow: 1 s ahead.
        const speed = Math.hypot(p.vx, p.vy);
        if (speed > 0.05) {
          arrow(g, p.x, p.y, p.x + p.vx, p.y + p.vy, px);
          g.stroke({ width: 2 * px, color: col, alpha: 1, cap: 'round', join: 'round' });
        }
        const label = this.label(used++);
        // Text re-rasterizes when its string or style changes: only touch them on change.
        const text = `#${p.id}  ${speed.toFixed(1)} m/s${p.risk >= 0.05 ? `  risk ${Math.round(p.risk * 10) * 10}%` : ''}`;
        if (label.text !== text) label.text = text;
        const fill = riskColor(Math.round(p.risk * 10) / 10);
        if (this.labelFill.get(label) !== fill) {
          label.style.fill = fill;
          this.labelFill.set(label, fill);
        }
        const sp = this.viewport.worldToScreen({ x: p.x, y: p.y });
        label.position.set(Math.round(sp.x + 0.25 / px + 4), Math.round(sp.y - 0.25 / px - 14));
        label.visible = true;
      }
    }
    for (let i = used; i < this.labelPool.length; i++) this.labelPool[i].visible = false;
  }

  private label(i: number): Text {
    let t = this.labelPool[i];
    if (!t) {
      t = new Text({
        text: '',
        style: { fontFamily: 'system-ui, sans-serif', fontSize: 11, fill: 0xffffff, stroke: { color: 0x000000, width: 3 } },
        resolution: Math.min(window.devicePixelRatio || 1, 2),
      });
      this.labelPool.push(t);
      this.overlay.addChild(t);
    }
    return t;
  }

  private drawScan(s: ConsoleSnapshot | null, px: number): void {
    const g = this.gScan.clear();
    if (!s || !this.visibility.scan || s.scan.length < 2) return;
    const r = Math.max(1.3 * px, 0.012);
    const d = 2 * r;
    const stale = s.scanAgeMs !== null && s.scanAgeMs > 500;
    for (let i = 0; i + 1 < s.scan.length; i += 2) g.rect(s.scan[i] - r, s.scan[i + 1] - r, d, d);
    g.fill({ color: stale ? 0x8b949e : C.scan, alpha: stale ? 0.5 : 0.95 });
  }

  private drawGaze(s: ConsoleSnapshot | null, px: number): void {
    const g = this.gGaze.clear();
    if (!s?.pose || !this.visibility.gaze) return;
    const { x, y, theta } = s.pose;
    if (s.screenPan !== null) {
      const dir = theta + s.screenPan;
      const len = 1.4;
      const half = 0.3;
      const cone = [x, y];
      for (let i = 0; i <= 16; i++) {
        const a = dir - half + (2 * half * i) / 16;
        cone.push(x + len * Math.cos(a), y + len * Math.sin(a));
      }
      g.poly(cone, true).fill({ color: C.gaze, alpha: 0.14 });
      g.moveTo(x, y).lineTo(x + len * Math.cos(dir), y + len * Math.sin(dir)).stroke({ width: 1.5 * px, color: C.gaze, alpha: 0.8 });
    }
    if (s.gazeTarget) {
      const t = s.gazeTarget;
      g.moveTo(x, y).lineTo(t.x, t.y).stroke({ width: px, color: C.gaze, alpha: 0.35 });
      disc(g, t.x, t.y, 5 * px, px).stroke({ width: 1.5 * px, color: C.gaze, alpha: 0.9 });
      g.moveTo(t.x - 8 * px, t.y).lineTo(t.x + 8 * px, t.y).moveTo(t.x, t.y - 8 * px).lineTo(t.x, t.y + 8 * px);
      g.stroke({ width: px, color: C.gaze, alpha: 0.9 });
    }
  }

  private drawGoal(s: ConsoleSnapshot | null, px: number): void {
    const g = this.gGoal.clear();
    const goal = s?.goal;
    if (!goal || !this.visibility.goal) return;
    drawGoalMarker(g, goal, px, C.goal, 1);
  }

  private drawRobot(s: ConsoleSnapshot | null, px: number): void {
    const pose = s?.pose;
    this.robotBody.visible = !!pose;
    if (!s || !pose) return;
    this.robotBody.position.set(pose.x, pose.y);
    this.robotBody.rotation = pose.theta;
    const fp = s.robot?.footprint ?? DEFAULT_FOOTPRINT;
    const lost = s.link.state !== 'connected';
    const key = `${fp.length}|${fp.width}|${fp.centerOffsetX}|${px.toPrecision(4)}|${s.emergencyStop}|${lost}`;
    if (key === this.robotKey) return;
    this.robotKey = key;
    drawRobotShape(this.gRobot.clear(), s.robot, fp, px, s.emergencyStop, lost);
  }

  private drawInteraction(px: number): void {
    const g = this.gInteraction.clear();
    const d = this.drag;
    if (!d || d.kind !== 'goal') return;
    const dragged = Math.hypot(d.end.x - d.start.x, d.end.y - d.start.y) / px >= GOAL_DRAG_MIN_PX;
    const goal = goalFromDrag(d.start, d.end, dragged, this.snapshot?.pose ?? null);
    drawGoalMarker(g, goal, px, 0xffffff, 0.9);
    if (dragged) g.moveTo(d.start.x, d.start.y).lineTo(d.end.x, d.end.y).stroke({ width: px, color: 0xffffff, alpha: 0.4 });
  }
}

// -------------------------------------------------------------------- helpers

/** Asks a throwaway WebGL context which renderer this machine has, before pixi starts. */
function probeWebGl(): { name: string; software: boolean } {
  try {
    const c = document.createElement('canvas');
    const gl = (c.getContext('webgl2') ?? c.getContext('webgl')) as WebGLRenderingContext | null;
    if (!gl) return { name: 'none', software: false };
    const r = rendererName(gl);
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return r;
  } catch {
    return { name: 'unknown', software: false };
  }
}

function rendererName(gl: WebGLRenderingContext): { name: string; software: boolean } {
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  const name = String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? 'unknown');
  return { name, software: /swiftshader|llvmpipe|softpipe|software|basic render/i.test(name) };
}

function describeRenderer(app: Application): { name: string; software: boolean } {
  try {
    const gl = (app.renderer as unknown as { gl?: WebGLRenderingContext }).gl;
    if (!gl) return { name: String(app.renderer.name ?? 'unknown'), software: false };
    return rendererName(gl);
  } catch {
    return { name: 'unknown', software: false };
  }
}

function rgbaTexture(rgba: Uint8ClampedArray, width: number, height: number): Texture {
  const source = new BufferImageSource({
    resource: new Uint8Array(rgba.buffer, rgba.byteOffset, rgba.byteLength),
    width,
    height,
    format: 'rgba8unorm',
    scaleMode: 'nearest',
  });
  return new Texture({ source });
}

/** Image row 0 is the largest y: place the sprite at the top-left corner, flipped back. */
function placeGridSprite(sprite: Sprite, origin: { x: number; y: number }, width: number, height: number, res: number): void {
  sprite.position.set(origin.x, origin.y + height * res);
  sprite.scale.set(res, -res);
}

/** A circle as a polygon: pixi tessellates by radius in local units, too coarse in metres. */
function disc(g: Graphics, x: number, y: number, r: number, px: number): Graphics {
  const n = Math.max(10, Math.min(48, Math.round((2 * Math.PI * r) / px / 5)));
  const pts: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = (2 * Math.PI * i) / n;
    pts.push(x + r * Math.cos(a), y + r * Math.sin(a));
  }
  return g.poly(pts, true);
}

function polyline(g: Graphics, pts: readonly number[]): void {
  g.moveTo(pts[0], pts[1]);
  for (let i = 2; i + 1 < pts.length; i += 2) g.lineTo(pts[i], pts[i + 1]);
}

function arrow(g: Graphics, x0: number, y0: number, x1: number, y1: number, px: number): void {
  const a = Math.atan2(y1 - y0, x1 - x0);
  const head = Math.min(10 * px, Math.hypot(x1 - x0, y1 - y0) * 0.5);
  g.moveTo(x0, y0).lineTo(x1, y1);
  g.moveTo(x1 - head * Math.cos(a - 0.45), y1 - head * Math.sin(a - 0.45))
    .lineTo(x1, y1)
    .lineTo(x1 - head * Math.cos(a + 0.45), y1 - head * Math.sin(a + 0.45));
}

function drawGoalMarker(g: Graphics, goal: Pose2D, px: number, color: number, alpha: number): void {
  const r = Math.max(0.15, 7 * px);
  disc(g, goal.x, goal.y, r, px).fill({ color, alpha: 0.18 * alpha }).stroke({ width: 2 * px, color, alpha });
  disc(g, goal.x, goal.y, 2 * px, px).fill({ color, alpha });
  const len = Math.max(0.5, 28 * px);
  arrow(g, goal.x, goal.y, goal.x + len * Math.cos(goal.theta), goal.y + len * Math.sin(goal.theta), px);
  g.stroke({ width: 2.5 * px, color, alpha, cap: 'round', join: 'round' });
}

function drawRobotShape(
  g: Graphics,
  robot: RobotInfo | null,
  fp: { length: number; width: number; centerOffsetX: number },
  px: number,
  estop: boolean,
  lost: boolean,
): void {
  const fill = estop ? C.robotEstop : C.robotFill;
  const alpha = lost ? 0.45 : 1;
  const x0 = fp.centerOffsetX - fp.length / 2;
  g.rect(x0, -fp.width / 2, fp.length, fp.width)
    .fill({ color: fill, alpha: 0.35 * alpha })
    .stroke({ width: 2 * px, color: estop ? C.robotEstop : C.robotLine, alpha });
  // Heading: a triangle at the front.
  const front = fp.centerOffsetX + fp.length / 2;
  const hw = fp.width * 0.28;
  g.moveTo(front - Math.min(fp.length * 0.45, hw * 1.6), hw).lineTo(front, 0).lineTo(front - Math.min(fp.length * 0.45, hw * 1.6), -hw).closePath();
  g.fill({ color: C.robotLine, alpha: 0.9 * alpha });
  // base_link origin.
  disc(g, 0, 0, 2.5 * px, px).fill({ color: 0xffffff, alpha });
  // Wheels, when the wheel base is known.
  if (robot && robot.wheelBase > 0) {
    const wl = Math.min(fp.length * 0.35, 0.12);
    for (const side of [1, -1]) g.rect(-wl / 2, side * robot.wheelBase / 2 - 0.015, wl, 0.03);
    g.fill({ color: 0x000000, alpha: 0.6 * alpha });
  }
}
