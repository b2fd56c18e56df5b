import { describe, expect, it } from 'vitest';
import { parseMapYaml, parseRosMap } from '../../../src/planner/grid/ros-map';
import { CELL_FREE, CELL_OCCUPIED, CELL_UNKNOWN } from '../../../src/shared/grid';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const YAML = `image: room.pgm
resolution: 0.05   # metres per pixel
origin: [-1.5, 2.0, 0.0]
negate: 0
occupied_thresh: 0.65
free_thresh: 0.196
`;

describe('parseMapYaml', () => {
  it('reads the map_server fields and applies defaults', () => {
    const r = parseMapYaml('image: "a map.pgm"\nresolution: 0.1\norigin:\n  - 1\n  - 2\n  - 0.5\n');
    expect(r).toEqual({
      ok: true,
      value: { image: 'a map.pgm', resolution: 0.1, origin: { x: 1, y: 2, yaw: 0.5 }, negate: false, occupiedThresh: 0.65, freeThresh: 0.196, mode: 'trinary' },
    });
  });

  it('names the missing or malformed field', () => {
    const noRes = parseMapYaml('image: m.pgm\norigin: [0, 0, 0]\n');
    expect(noRes).toMatchObject({ ok: false, reason: 'missing-field' });
    expect(noRes.ok === false && noRes.message).toContain("'resolution'");
    const badOrigin = parseMapYaml('image: m.pgm\nresolution: 0.05\norigin: [0, 0]\n');
    expect(badOrigin.ok === false && badOrigin.message).toContain('origin must be [x, y, yaw]');
    const badMode = parseMapYaml('image: m.pgm\nresolution: 0.05\norigin: [0,0,0]\nmode: fancy\n');
    expect(badMode).toMatchObject({ ok: false, reason: 'unsupported' });
    const badThresh = parseMapYaml('image: m.pgm\nresolution: 0.05\norigin: [0,0,0]\nfree_thresh: 0.9\n');
    expect(badThresh).toMatchObject({ ok: false, reason: 'bad-value' });
    expect(parseMapYaml('   \n')).toMatchObject({ ok: false, reason: 'empty' });
    expect(parseMapYaml('this is not yaml')).toMatchObject({ ok: false, reason: 'bad-value' });
  });
});

describe('parseRosMap', () => {
  // 2 × 3 image, top row first: black (occupied), white (free), grey 205 (unknown).
  const image = (() => {
    const h = enc('P5\n2 3\n255\n');
    const out = new Uint8Array(h.length + 6);
    out.set(h);
    out.set([0, 0, 254, 254, 205, 205], h.length);
    return out;
  })();

  it('puts the image top row at the grid last row (largest y)', () => {
    const r = parseRosMap(YAML, image);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const g = r.value.grid;
    expect({ w: g.width, h: g.height, res: g.resolution, origin: g.origin }).toEqual({ w: 2, h: 3, res: 0.05, origin: { x: -1.5, y: 2 } });
    // grid row 2 (top of image) is occupied, row 1 free, row 0 (bottom of image) unknown.
    expect(Array.from(g.data)).toEqual([CELL_UNKNOWN, CELL_UNKNOWN, CELL_FREE, CELL_FREE, CELL_OCCUPIED, CELL_OCCUPIED]);
  });

  it('inverts with negate and grades with scale mode', () => {
    const neg = parseRosMap(YAML.replace('negate: 0', 'negate: 1'), image);
    expect(neg.ok && Array.from(neg.value.grid.data.subarray(2))).toEqual([CELL_OCCUPIED, CELL_OCCUPIED, CELL_FREE, CELL_FREE]);
    const scale = parseRosMap(`${YAML}mode: scale\n`, image);
    // p = (255 − 205) / 255 ≈ 0.196 sits at the free threshold: scaled to the low end, not unknown.
    expect(scale.ok && scale.value.grid.data[0]).toBeGreaterThanOrEqual(1);
    expect(scale.ok && scale.value.grid.data[0]).toBeLessThan(CELL_OCCUPIED);
  });

  it('passes image errors through as typed failures', () => {
    const r = parseRosMap(YAML, enc('GIF89a'));
    expect(r).toMatchObject({ ok: false, reason: 'bad-header' });
  });
});
