import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRosMapFile, mapPayload } from '../../../src/main/core/map-file';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'foresight-map-'));
}

const yaml = (image: string): string => `image: ${image}\nresolution: 0.5\norigin: [-1.0, -2.0, 0.0]\nnegate: 0\noccupied_thresh: 0.65\nfree_thresh: 0.196\n`;

describe('loadRosMapFile', () => {
  it('loads a YAML + PGM pair with the image path relative to the YAML', async () => {
    const dir = tempDir();
    // 2 × 2 image: top row black (occupied), bottom row white (free).
    writeFileSync(join(dir, 'tiny.pgm'), Buffer.concat([Buffer.from('P5\n2 2\n255\n'), Buffer.from([0, 0, 255, 255])]));
    writeFileSync(join(dir, 'tiny.yaml'), yaml('tiny.pgm'));
    const res = await loadRosMapFile(join(dir, 'tiny.yaml'));
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    expect(res.name).toBe('tiny');
    // Row 0 is the bottom image row (free), row 1 the top row (occupied).
    expect(Array.from(res.map.grid.data)).toEqual([0, 0, 100, 100]);
    const payload = mapPayload(res.name, res.map.grid);
    expect(Buffer.from(payload.dataBase64, 'base64')).toEqual(Buffer.from([0, 0, 100, 100]));
    expect(payload.origin).toEqual({ x: -1, y: -2 });
  });

  it('names the missing image and the YAML that refers to it', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'm.yaml'), yaml('gone.pgm'));
    const res = await loadRosMapFile(join(dir, 'm.yaml'));
    expect(res).toMatchObject({ ok: false, message: expect.stringContaining('gone.pgm') });
    expect(res.ok ? '' : res.message).toContain('m.yaml');
  });

  it('reports a damaged image clearly', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bad.pgm'), Buffer.from('P5\n2 2\n255\n\x00'));
    writeFileSync(join(dir, 'bad.yaml'), yaml('bad.pgm'));
    const res = await loadRosMapFile(join(dir, 'bad.yaml'));
    expect(res.ok).toBe(false);
    expect(res.ok ? '' : res.message).toMatch(/bad\.yaml/);
  });
});
