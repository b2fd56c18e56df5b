import { describe, expect, it } from 'vitest';
import { parsePgm } from '../../../src/planner/grid/pgm';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const p5 = (header: string, pixels: number[]): Uint8Array => {
  const h = enc(header);
  const out = new Uint8Array(h.length + pixels.length);
  out.set(h);
  out.set(pixels, h.length);
  return out;
};

describe('parsePgm', () => {
  it('decodes a P5 image with a comment in the header, rows in image order', () => {
    const r = parsePgm(p5('P5\n# CREATOR: map_saver\n3 2\n255\n', [0, 128, 254, 205, 10, 255]));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatchObject({ width: 3, height: 2, maxValue: 255 });
    expect(Array.from(r.value.pixels)).toEqual([0, 128, 254, 205, 10, 255]);
  });

  it('decodes a P2 (ASCII) image', () => {
    const r = parsePgm(enc('P2 2 2 15\n0 15\n7 3\n'));
    expect(r.ok && Array.from(r.value.pixels)).toEqual([0, 15, 7, 3]);
  });

  it('decodes 16-bit P5 big-endian samples', () => {
    const r = parsePgm(p5('P5 2 1 1000\n', [0x03, 0xe8, 0x00, 0x01]));
    expect(r.ok && Array.from(r.value.pixels)).toEqual([1000, 1]);
  });

  it('rejects a wrong magic number with a clear message', () => {
    const r = parsePgm(enc('P6 1 1 255\n\0\0\0'));
    expect(r).toEqual({ ok: false, reason: 'bad-header', message: 'PGM: expected P5 or P2, got "P6"' });
  });

  it('reports a truncated raster, a bad size and an empty file', () => {
    const short = parsePgm(p5('P5 4 4 255\n', [1, 2, 3]));
    expect(short.ok === false && short.reason).toBe('truncated');
    expect(short.ok === false && short.message).toContain('needs 16');
    const size = parsePgm(enc('P5 -3 4 255\n'));
    expect(size.ok === false && size.reason).toBe('bad-size');
    expect(parsePgm(new Uint8Array()).ok === false).toBe(true);
    const p2 = parsePgm(enc('P2 2 1 255\n3 x\n'));
    expect(p2.ok === false && p2.reason).toBe('bad-value');
  });

  it('rejects pixels above maxval', () => {
    const r = parsePgm(enc('P2 1 1 10\n11\n'));
    expect(r.ok === false && r.reason).toBe('bad-value');
  });
});
