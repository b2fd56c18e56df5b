import { describe, expect, it } from 'vitest';
import { decimatePolyline, decodeCandidates, decodeF32, decodePeople, encodeCandidates, encodeF32, encodePeople } from '../../../src/main/recorder/blob';

describe('blob encodings', () => {
  it('float32 arrays round-trip (any alignment)', () => {
    const values = [1.5, -2.25, 0, 7.125];
    const bytes = encodeF32(values);
    const unaligned = new Uint8Array(bytes.byteLength + 1);
    unaligned.set(bytes, 1);
    expect(Array.from(decodeF32(unaligned.subarray(1)))).toEqual(values);
  });

  it('candidate polylines are stored as mm offsets (±0.5 mm), or float32 beyond ±32 m', () => {
    const near = { cost: 1.5, terms: [0.25, -1], points: [10.1234, -3.5, 10.5, -3.2, 12.0004, -1.0] };
    const far = { cost: 2, terms: [0, 0], points: [0, 0, 40, 0] };
    const bytes = encodeCandidates(2, [near, far]);
    expect(bytes.byteLength).toBe(5 + (4 + 8 + 3 + 8 + 2 * 4) + (4 + 8 + 3 + 2 * 8));
    const [a, b] = decodeCandidates(bytes);
    expect(a!.cost).toBe(1.5);
    expect(a!.terms).toEqual([0.25, -1]);
    a!.points.forEach((v, i) => expect(Math.abs(v - near.points[i]!)).toBeLessThanOrEqual(0.0005 + 1e-6));
    expect(b!.points).toEqual([0, 0, 40, 0]);
  });

  it('people with futures round-trip', () => {
    const people = [{ id: 3, x: 1, y: 2, vx: 0.5, vy: -0.25, risk: 0.5, futures: [{ probability: 0.75, points: [1.5, 2, 2, 2] }, { probability: 0.25, points: [] }] }];
    const [p] = decodePeople(encodePeople(people));
    expect(p).toMatchObject({ id: 3, x: 1, y: 2, vx: 0.5, vy: -0.25, risk: 0.5 });
    expect(p!.futures[0]!.points).toEqual([1.5, 2, 2, 2]);
    expect(p!.futures[1]!.points).toEqual([]);
  });

  it('decimates polylines keeping both ends', () => {
    const pts = Array.from({ length: 60 }, (_, i) => i);
    const d = decimatePolyline(pts, 4);
    expect(d).toHaveLength(8);
    expect(d.slice(0, 2)).toEqual([0, 1]);
    expect(d.slice(-2)).toEqual([58, 59]);
  });
});
