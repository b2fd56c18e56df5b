import { describe, expect, it } from 'vitest';
import { scaleBar, Viewport } from '../../../src/renderer/scene/viewport';
import { chamferDistance, decodeBase64, decodeMap, gridToRgba, DEFAULT_PALETTE } from '../../../src/renderer/scene/map-image';
import { costColor, futureAlpha, normalizeCosts } from '../../../src/renderer/scene/colors';
import type { MapPayload } from '../../../src/shared/api';

describe('viewport transforms', () => {
  it('flips y: map y up is screen y down', () => {
    const v = new Viewport({ scale: 100, offsetX: 50, offsetY: 400 });
    expect(v.worldToScreen({ x: 0, y: 0 })).toEqual({ x: 50, y: 400 });
    expect(v.worldToScreen({ x: 1, y: 2 })).toEqual({ x: 150, y: 200 });
    expect(v.screenToWorld({ x: 150, y: 200 })).toEqual({ x: 1, y: 2 });
  });

  it('round-trips world ↔ screen', () => {
    const v = new Viewport({ scale: 37.3, offsetX: -12.5, offsetY: 311 });
    for (const p of [{ x: 0, y: 0 }, { x: -3.2, y: 7.7 }, { x: 100, y: -50 }]) {
      const back = v.screenToWorld(v.worldToScreen(p));
      expect(back.x).toBeCloseTo(p.x, 9);
      expect(back.y).toBeCloseTo(p.y, 9);
    }
  });

  it('zooms about the cursor: the world point under it stays put', () => {
    const v = new Viewport({ scale: 50, offsetX: 10, offsetY: 20 });
    const at = { x: 321, y: 123 };
    const before = v.screenToWorld(at);
    v.zoomAt(1.7, at);
    expect(v.scale).toBeCloseTo(85);
    const after = v.screenToWorld(at);
    expect(after.x).toBeCloseTo(before.x, 9);
    expect(after.y).toBeCloseTo(before.y, 9);
  });

  it('clamps zoom and maps wheel direction (wheel up zooms in)', () => {
    const v = new Viewport({ scale: 50 });
    v.zoomAt(1e9, { x: 0, y: 0 });
    expect(v.scale).toBe(2000);
    expect(Viewport.wheelFactor(-100)).toBeGreaterThan(1);
    expect(Viewport.wheelFactor(100)).toBeLessThan(1);
    expect(Viewport.wheelFactor(3, 1)).toBeCloseTo(Viewport.wheelFactor(48, 0));
  });

  it('picks a round scale-bar length', () => {
    expect(scaleBar(50)).toMatchObject({ metres: 2, px: 100, label: '2 m' });
    expect(scaleBar(1000).label).toBe('10 cm');
    expect(scaleBar(3).label).toBe('20 m');
  });

  it('fits a map into the screen, centred, with margins', () => {
    const v = new Viewport();
    v.fit({ minX: -1, minY: -1, maxX: 15, maxY: 9 }, 820, 520, 10);
    expect(v.scale).toBeCloseTo(50); // min(800/16, 500/10)
    const c = v.worldToScreen({ x: 7, y: 4 });
    expect(c.x).toBeCloseTo(410);
    expect(c.y).toBeCloseTo(260);
    const tl = v.worldToScreen({ x: -1, y: 9 });
    expect(tl.x).toBeCloseTo(10);
    expect(tl.y).toBeCloseTo(10);
  });
});

describe('map decoding', () => {
  const b64 = (bytes: number[]) => Buffer.from(bytes).toString('base64');

  it('decodes base64 without Buffer', () => {
    expect([...decodeBase64(b64([0, 100, 255, 7]))]).toEqual([0, 100, 255, 7]);
    expect(decodeBase64('')).toHaveLength(0);
  });

  it('flips rows: grid row 0 (smallest y) becomes the bottom image row', () => {
    // 2 × 3 grid: row 0 free, row 1 occupied, row 2 unknown.
    const cells = new Uint8Array([0, 0, 100, 100, 255, 255]);
    const rgba = gridToRgba(cells, 2, 3);
    const px = (row: number, col: number) => [...rgba.slice((row * 2 + col) * 4, (row * 2 + col) * 4 + 4)];
    expect(px(0, 0)).toEqual([...DEFAULT_PALETTE.unknown]); // top = largest y = grid row 2
    expect(px(1, 1)).toEqual([...DEFAULT_PALETTE.occupied, 255]);
    expect(px(2, 0)).toEqual([...DEFAULT_PALETTE.free, 255]); // bottom = grid row 0
  });

  it('blends intermediate occupancy and treats >100 as unknown', () => {
    const rgba = gridToRgba(new Uint8Array([50, 101]), 2, 1);
    const { free, occupied, unknown } = DEFAULT_PALETTE;
    expect(rgba[0]).toBe(Math.round((free[0] + occupied[0]) / 2));
    expect([...rgba.slice(4, 8)]).toEqual([...unknown]);
  });

  it('decodes a payload with bounds from origin and resolution', () => {
    const payload: MapPayload = { name: 'm', width: 4, height: 2, resolution: 0.5, origin: { x: -1, y: 2 }, dataBase64: b64([0, 0, 0, 0, 100, 100, 100, 100]) };
    const m = decodeMap(payload);
    expect(m.bounds).toEqual({ minX: -1, minY: 2, maxX: 1, maxY: 3 });
    expect(m.rgba).toHaveLength(4 * 2 * 4);
    // Top image row is the occupied grid row 1.
    expect(m.rgba[0]).toBe(DEFAULT_PALETTE.occupied[0]);
  });

  it('rejects a payload shorter than width × height', () => {
    expect(() => gridToRgba(new Uint8Array(3), 2, 2)).toThrow(/expected 2×2/);
  });

  it('computes distances to obstacles in cells', () => {
    const w = 5;
    const cells = new Uint8Array(25);
    cells[12] = 100; // centre
    const d = chamferDistance(cells, w, 5);
    expect(d[12]).toBe(0);
    expect(d[13]).toBe(1);
    expect(d[14]).toBe(2);
    expect(d[18]).toBeCloseTo(Math.SQRT2);
    expect(d[0]).toBeCloseTo(2 * Math.SQRT2);
  });
});

describe('colours', () => {
  it('normalizes costs with infeasible ones as worst', () => {
    expect(normalizeCosts([2, 4, 3, Infinity])).toEqual([0, 1, 0.5, 1]);
    expect(normalizeCosts([5, 5])).toEqual([0, 0]);
    expect(costColor(0)).not.toBe(costColor(1));
  });

  it('makes likely futures more opaque than unlikely ones, never invisible', () => {
    expect(futureAlpha(0.9)).toBeGreaterThan(futureAlpha(0.1));
    expect(futureAlpha(0)).toBeGreaterThan(0);
    expect(futureAlpha(5)).toBeLessThanOrEqual(1);
  });
});
