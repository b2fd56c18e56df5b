/**
 * The map legend (Help overlay), the map colour schemes and follow's pan: the legend is built
 * from the colours the layers draw with, names every layer, and the ROS scheme is RViz's.
 */
import { describe, expect, it } from 'vitest';
import { mapLegend } from '../../../src/renderer/scene/legend';
import { LAYER_LABELS, type LayerName } from '../../../src/renderer/scene/layers/types';
import { DEFAULT_PALETTE, gridToRgba, MAP_SCHEMES, ROS_PALETTE } from '../../../src/renderer/scene/map-image';
import { cssHex, GOAL_COLOR, PATH_COLOR, ROBOT_COLORS, SCAN_COLORS, ZONE_COLORS, costColor } from '../../../src/renderer/scene/colors';
import { followPan, FOLLOW_BOX_MAX_PX } from '../../../src/renderer/scene/viewport';

const entries = (scheme: 'foresight' | 'ros') => mapLegend(scheme).flatMap((g) => g.entries);
const byId = (scheme: 'foresight' | 'ros', id: string) => entries(scheme).find((e) => e.id === id)!;

describe('map legend', () => {
  it('has an entry for every layer, with unique ids', () => {
    const list = entries('foresight');
    for (const layer of Object.keys(LAYER_LABELS) as LayerName[]) expect(list.some((e) => e.layer === layer), layer).toBe(true);
    expect(new Set(list.map((e) => e.id)).size).toBe(list.length);
  });

  it('uses the colours the layers draw with', () => {
    expect(byId('foresight', 'robot').colors).toEqual([cssHex(ROBOT_COLORS.fill), cssHex(ROBOT_COLORS.line)]);
    expect(byId('foresight', 'robot-estop').colors[0]).toBe(cssHex(ROBOT_COLORS.estop));
    expect(byId('foresight', 'scan').colors).toEqual([cssHex(SCAN_COLORS.fresh)]);
    expect(byId('foresight', 'path').colors).toEqual([cssHex(PATH_COLOR)]);
    expect(byId('foresight', 'goal').colors).toEqual([cssHex(GOAL_COLOR)]);
    expect(byId('foresight', 'zone-keep-out').colors).toEqual([cssHex(ZONE_COLORS['keep-out'])]);
    expect(byId('foresight', 'candidates').colors[0]).toBe(cssHex(costColor(0)));
  });

  it('shows the map cells in the chosen scheme', () => {
    expect(byId('foresight', 'map-free').colors).toEqual(['#2e3642']);
    expect(byId('ros', 'map-free').colors).toEqual(['#ffffff']);
    expect(byId('ros', 'map-occupied').colors).toEqual(['#000000']);
    expect(byId('ros', 'map-unknown').colors).toEqual(['#708986']);
  });
});

describe('map colour schemes', () => {
  const cell = (palette: typeof DEFAULT_PALETTE, v: number) => [...gridToRgba(new Uint8Array([v]), 1, 1, palette)];
  const dist = (a: number[], b: number[]) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);

  it('tells unknown from free at a glance in every scheme', () => {
    for (const { palette } of Object.values(MAP_SCHEMES)) expect(dist(cell(palette, 0), cell(palette, 255))).toBeGreaterThan(60);
  });

  it("ROS is RViz's map palette: grey 255 − ⌊255·v/100⌋, unknown 0x70 0x89 0x86", () => {
    expect(cell(ROS_PALETTE, 0)).toEqual([255, 255, 255, 255]);
    expect(cell(ROS_PALETTE, 100)).toEqual([0, 0, 0, 255]);
    expect(cell(ROS_PALETTE, 33)).toEqual([171, 171, 171, 255]); // 255 − ⌊84.15⌋
    expect(cell(ROS_PALETTE, 255)).toEqual([0x70, 0x89, 0x86, 255]);
    expect(cell(ROS_PALETTE, 101)).toEqual([0x70, 0x89, 0x86, 255]); // above 100 is unknown, as everywhere in Foresight
  });
});

describe('follow keeps the robot in view', () => {
  const W = 1000;
  const H = 600;
  const m = Math.min(0.22 * H, FOLLOW_BOX_MAX_PX);

  it('leaves the view alone while the robot is inside the inner box', () => {
    expect(followPan({ x: 500, y: 300 }, W, H)).toEqual({ x: 0, y: 0 });
    expect(followPan({ x: m + 1, y: H - m - 1 }, W, H)).toEqual({ x: 0, y: 0 });
  });

  it('glides with a robot past the box edge, back to the edge', () => {
    const d = followPan({ x: W - m + 12, y: 300 }, W, H);
    expect(d).toEqual({ x: -12, y: 0 });
    const up = followPan({ x: 500, y: m - 5 }, W, H);
    expect(up).toEqual({ x: 0, y: 5 });
  });

  it("keeps a robot larger than the box's margin wholly in view, within reason", () => {
    // Zoomed in close: the robot is 370 px across, so the margin grows to its half and some.
    expect(followPan({ x: W - 180, y: 300 }, W, H, 200)).toEqual({ x: -20, y: 0 });
    // Never so far that the box vanishes.
    expect(followPan({ x: 500, y: 300 }, W, H, 10_000)).toEqual({ x: 0, y: 0 });
    expect(followPan({ x: 500, y: 0.45 * H - 1 }, W, H, 10_000)).toEqual({ x: 0, y: 1 });
  });

  it('re-centres on a robot off the canvas (a seek, a jump)', () => {
    expect(followPan({ x: W + 1, y: 300 }, W, H)).toBe('centre');
    expect(followPan({ x: 500, y: -40 }, W, H)).toBe('centre');
    expect(followPan({ x: NaN, y: 0 }, W, H)).toBe('centre');
  });
});
