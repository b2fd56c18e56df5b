/**
 * The map layers as plain objects: each draws one thing from the scene's input. Drawn
 * geometry is read back from the Graphics' recorded instructions and bounds (no renderer).
 */
import './pixi-env';
import { describe, expect, it, vi } from 'vitest';
import type { Container, Graphics, Text } from 'pixi.js';
import { ODOMETRY_ONLY, type ConsoleSnapshot, type HeatmapView, type MapPayload, type Zone } from '../../../src/shared/api';
import {
  CandidatesLayer,
  createLayers,
  DEFAULT_LAYERS,
  GoalLayer,
  HeatmapLayer,
  LAYER_LABELS,
  MAX_CANDIDATES_DRAWN,
  PeopleLayer,
  RobotLayer,
  ScanLayer,
  StaticMapLayer,
  ZonesLayer,
  type SceneFrame,
} from '../../../src/renderer/scene/layers';
import { heatmapRgba } from '../../../src/renderer/scene/layers/heatmap';
import { decodeMap } from '../../../src/renderer/scene/map-image';
import { sceneStats } from '../../../src/renderer/scene/stats';

function snapshot(patch: Partial<ConsoleSnapshot> = {}): ConsoleSnapshot {
  return {
    t: 12.5,
    link: { state: 'connected', message: 'ok', endpoint: null, rttMs: 1, clockOffsetMs: 0, frameRateHz: 50, crcErrors: 0, badFrames: 0, reconnects: 0 },
    robot: null, pose: { x: 1, y: 2, theta: 0.5 }, velocity: { v: 0, w: 0 }, command: { v: 0, w: 0 }, motion: 'idle', emergencyStop: false, battery: null,
    faults: [], screenPan: 0.2, scan: [], scanAgeMs: 10, safety: null, goal: null, globalPath: [], candidates: [], chosen: null,
    people: [], gazeTarget: null, notice: null, localization: ODOMETRY_ONLY,
    speedLimit: 1, recording: { state: 'ready', runId: null, reason: null },
    ...patch,
  };
}

function frame(patch: Partial<SceneFrame> = {}): SceneFrame {
  return { snapshot: snapshot(), map: null, zones: [], heatmap: null, px: 0.01, toScreen: (p) => ({ x: 100 * p.x, y: 500 - 100 * p.y }), ...patch };
}

/** The layer's first Graphics (its drawing). */
function graphics(c: Container): Graphics {
  const g = c.children.find((x) => 'context' in x) ?? (c.children[0] as Container).children[0];
  return g as Graphics;
}

function instructions(g: Graphics): { action: string; data: { style: { color: number; alpha: number } } }[] {
  return g.context.instructions as never;
}

const b64 = (bytes: number[]) => Buffer.from(bytes).toString('base64');

describe('map layers', () => {
  it('are thirteen, one per Layers-panel toggle, in draw order', () => {
    const layers = createLayers();
    expect(layers.map((l) => l.id)).toEqual(['map', 'heatmap', 'inflation', 'zones', 'windows', 'path', 'candidates', 'people', 'chosen', 'scan', 'gaze', 'goal', 'robot']);
    expect(new Set(layers.map((l) => l.id))).toEqual(new Set(Object.keys(LAYER_LABELS)));
    expect(Object.keys(DEFAULT_LAYERS).sort()).toEqual(Object.keys(LAYER_LABELS).sort());
    // Every layer draws a full frame without throwing, and again with nothing to draw.
    const full = frame({
      snapshot: snapshot({
        scan: [1, 1, 2, 2], globalPath: [0, 0, 1, 1], goal: { x: 3, y: 3, theta: 0 }, gazeTarget: { x: 2, y: 2 },
        candidates: [{ points: [0, 0, 1, 0], cost: 1 }], chosen: { points: [0, 0, 1, 1], cost: 0 },
        safety: { action: 'scale', reason: 'person', ttc: 1, scale: 0.5 },
        people: [{ id: 4, x: 2, y: 1, vx: 0.5, vy: 0, risk: 0.3, futures: [{ probability: 0.7, points: [2.5, 1, 3, 1] }] }],
      }),
      map: decodeMap({ name: 'm', width: 2, height: 2, resolution: 0.5, origin: { x: 0, y: 0 }, dataBase64: b64([0, 100, 0, 0]) }),
    });
    for (const l of layers) {
      l.update(full);
      l.update(frame({ snapshot: null }));
      l.destroy();
    }
  });

  it('scan: one square per point, green, grey when stale', () => {
    const layer = new ScanLayer();
    layer.update(frame({ snapshot: snapshot({ scan: [1, 1, 3, -2] }) }));
    const g = graphics(layer.container);
    const b = g.bounds;
    expect(b.minX).toBeCloseTo(1 - 0.013);
    expect(b.maxX).toBeCloseTo(3 + 0.013);
    expect(b.minY).toBeCloseTo(-2 - 0.013);
    expect(instructions(g).at(-1)!.data.style.color).toBe(0x3ee08f);
    layer.update(frame({ snapshot: snapshot({ scan: [1, 1, 3, -2], scanAgeMs: 900 }) }));
    expect(instructions(g).at(-1)!.data.style.color).toBe(0x8b949e);
    layer.update(frame({ snapshot: snapshot({ scan: [] }) }));
    expect(instructions(g)).toHaveLength(0);
  });

  it('candidates: at most 400 drawn, best on top', () => {
    const layer = new CandidatesLayer();
    const candidates = Array.from({ length: 500 }, (_, i) => ({ points: [0, 0, 1, i / 500], cost: i }));
    layer.update(frame({ snapshot: snapshot({ candidates }) }));
    const strokes = instructions(graphics(layer.container)).filter((i) => i.action === 'stroke');
    expect(strokes).toHaveLength(MAX_CANDIDATES_DRAWN);
    // The lowest cost is drawn last (on top), in the "best" colour.
    const best = strokes.at(-1)!.data.style.color;
    const worst = strokes[0].data.style.color;
    expect(best).not.toBe(worst);
    expect((best >> 8) & 0xff).toBeGreaterThan((worst >> 8) & 0xff); // greener
  });

  it('people: a label per person with id, speed and risk; labels hidden when nobody is tracked', () => {
    const layer = new PeopleLayer();
    const people = [
      { id: 7, x: 2, y: 1, vx: 1, vy: 0, risk: 0.42, futures: [] },
      { id: 9, x: 0, y: 0, vx: 0, vy: 0, risk: 0, futures: [] },
    ];
    layer.update(frame({ snapshot: snapshot({ people }) }));
    const labels = () => (layer.overlay.children as Text[]).filter((t) => t.visible).map((t) => t.text);
    expect(labels()).toEqual(['#7  1.0 m/s  risk 40%', '#9  0.0 m/s']);
    layer.update(frame({ snapshot: snapshot({ people: [] }) }));
    expect(labels()).toEqual([]);
  });

  it('zones: a filled polygon and a label per zone', () => {
    const layer = new ZonesLayer();
    const zone = (id: number, kind: Zone['kind'], name: string): Zone => ({ id, name, kind, slowSpeed: kind === 'slow' ? 0.3 : null, polygon: [0, 0, 2, 0, 2, 2], createdAt: 0, updatedAt: 0 });
    layer.update(frame({ zones: [zone(1, 'keep-out', 'Rug'), zone(2, 'slow', 'Hall')] }));
    expect((layer.overlay.children as Text[]).map((t) => t.text)).toEqual(['Rug · keep out', 'Hall · ≤ 0.30 m/s']);
    const fills = instructions(graphics(layer.container)).filter((i) => i.action === 'fill');
    expect(fills.map((f) => f.data.style.color)).toEqual([0xf85149, 0xd29922]);
  });

  it('robot: placed at the pose, shape redrawn only when it changes', () => {
    const layer = new RobotLayer();
    // Children: the localization's uncertainty ellipse under the robot's body.
    const body = layer.container.children[1] as Container;
    const f = frame({ snapshot: snapshot({ pose: { x: 4, y: -1, theta: 1.2 } }) });
    layer.update(f);
    expect(body.visible).toBe(true);
    expect([body.position.x, body.position.y, body.rotation]).toEqual([4, -1, 1.2]);
    const g = body.children[0] as Graphics;
    expect(instructions(g).length).toBeGreaterThan(0);
    const clear = vi.spyOn(g, 'clear');
    layer.update(frame({ snapshot: snapshot({ pose: { x: 5, y: -1, theta: 0 } }) }));
    expect(clear).not.toHaveBeenCalled();
    layer.update(frame({ snapshot: snapshot({ pose: { x: 5, y: -1, theta: 0 }, emergencyStop: true }) }));
    expect(clear).toHaveBeenCalledOnce();
    expect(instructions(g).find((i) => i.action === 'fill')!.data.style.color).toBe(0xf85149);
    layer.update(frame({ snapshot: snapshot({ pose: null }) }));
    expect(body.visible).toBe(false);
  });

  it('robot: the localization ellipse at 2 σ along its axes, coloured by the verdict, none without an estimate', () => {
    const layer = new RobotLayer();
    const ellipse = layer.container.children[0] as Graphics;
    layer.update(frame({ snapshot: snapshot({ pose: { x: 4, y: -1, theta: 1.2 } }) }));
    expect(ellipse.visible).toBe(false);
    const loc = { ...ODOMETRY_ONLY, mode: 'localize' as const, quality: 'uncertain' as const, ellipse: { major: 0.2, minor: 0.05, angle: 0.5 } };
    layer.update(frame({ snapshot: snapshot({ pose: { x: 4, y: -1, theta: 1.2 }, localization: loc }) }));
    expect(ellipse.visible).toBe(true);
    expect([ellipse.position.x, ellipse.position.y, ellipse.rotation]).toEqual([4, -1, 0.5]);
    const b = ellipse.getLocalBounds();
    expect(b.width).toBeCloseTo(0.8, 1); // 2 × 2σ along the major axis
    expect(b.height).toBeCloseTo(0.2, 1);
    expect(instructions(ellipse).find((i) => i.action === 'fill')!.data.style.color).toBe(0xd29922);
    layer.update(frame({ snapshot: snapshot({ pose: { x: 4, y: -1, theta: 1.2 }, localization: { ...loc, quality: 'localized' } }) }));
    expect(instructions(ellipse).find((i) => i.action === 'fill')!.data.style.color).toBe(0x3fb950);
  });

  it('goal: drawn only when the snapshot has one', () => {
    const layer = new GoalLayer();
    layer.update(frame());
    expect(instructions(graphics(layer.container))).toHaveLength(0);
    layer.update(frame({ snapshot: snapshot({ goal: { x: 1, y: 1, theta: 0 } }) }));
    expect(instructions(graphics(layer.container)).length).toBeGreaterThan(0);
  });

  it('static map: a sprite covering the map bounds, hidden without a map', () => {
    const layer = new StaticMapLayer();
    const payload: MapPayload = { name: 'm', width: 4, height: 2, resolution: 0.5, origin: { x: -1, y: 2 }, dataBase64: b64([0, 0, 0, 0, 100, 100, 100, 100]) };
    layer.update(frame({ map: decodeMap(payload) }));
    const sprite = layer.container.children[0];
    expect(sprite.visible).toBe(true);
    expect([sprite.position.x, sprite.position.y, sprite.scale.x, sprite.scale.y]).toEqual([-1, 3, 0.5, -0.5]);
    layer.update(frame({ map: null }));
    expect(sprite.visible).toBe(false);
  });

  it('heatmap: yellow for one event → red for the most, counted cells', () => {
    const h: HeatmapView = { cellSize: 1, origin: { x: 0, y: 0 }, width: 3, height: 2, counts: [0, 1, 4, 0, 0, 0], max: 4, events: 5, runs: 2 };
    const { rgba, cells } = heatmapRgba(h);
    expect(cells).toBe(2);
    // Grid row 0 is the bottom image row (row 1).
    const px = (row: number, col: number) => [...rgba.slice((row * 3 + col) * 4, (row * 3 + col) * 4 + 4)];
    expect(px(1, 1)).toEqual([255, 210, 40, 70]);
    expect(px(1, 2)).toEqual([255, 40, 40, 150]);
    expect(px(0, 0)[3]).toBe(0);
    const layer = new HeatmapLayer();
    layer.update(frame({ heatmap: h }));
    expect(layer.cells).toBe(2);
    layer.update(frame({ heatmap: { ...h, max: 0, counts: [0, 0, 0, 0, 0, 0] } }));
    expect(layer.cells).toBe(0);
  });
});

describe('scene stats', () => {
  it('count what is drawn: 0 for a hidden layer', () => {
    const s = snapshot({ scan: [1, 1, 2, 2, 3, 3], candidates: [{ points: [0, 0, 1, 1], cost: 1 }], people: [{ id: 1, x: 0, y: 0, vx: 0, vy: 0, risk: 0, futures: [{ probability: 1, points: [] }, { probability: 0, points: [] }] }], goal: { x: 1, y: 1, theta: 0 } });
    const map = decodeMap({ name: 'my map!', width: 2, height: 1, resolution: 1, origin: { x: 0, y: 0 }, dataBase64: b64([0, 0]) });
    const base = { frame: { snapshot: s, map, zones: [] }, heatmapCells: 3, draws: 1, drawHz: 1, drawMs: 1, view: { scale: 10, offsetX: 100, offsetY: 200 }, viewKey: 'review', follow: false, goalsDrawn: 1, canvas: { width: 640, height: 480 } };
    const shown = sceneStats({ ...base, visibility: { ...DEFAULT_LAYERS, heatmap: true } });
    expect(shown).toMatchObject({ map: 'my_map_ 2x1', scan: 3, candidates: 1, people: 1, futures: 2, goal: { x: 1, y: 1, theta: 0 }, goalsDrawn: 1, heatmapCells: 3, frameT: 12.5, viewKey: 'review', canvas: { width: 640, height: 480 } });
    // The robot on the canvas: sx = offsetX + scale·x, sy = offsetY − scale·y.
    expect(shown.robotScreen).toEqual({ x: 100 + 10 * s.pose!.x, y: 200 - 10 * s.pose!.y });
    const hidden = sceneStats({ ...base, visibility: { ...DEFAULT_LAYERS, map: false, scan: false, people: false, goal: false, robot: false } });
    expect(hidden).toMatchObject({ map: null, scan: 0, people: 0, futures: 0, goal: null, goalsDrawn: 0, robotScreen: null, heatmapCells: 0 });
  });
});
