import { describe, expect, it } from 'vitest';
import { Buckets, bucketCount, bucketize } from '../../../src/main/review/series';
import { cleanPolygon, pointInPolygon } from '../../../src/main/review/zones';

describe('series decimation', () => {
  it('aggregates per bucket: mean, min, max; empty buckets are null', () => {
    const t = [0, 0.5, 1.2, 1.4, 3.9];
    const v = [1, 3, 10, -2, 7];
    expect(bucketize(t, v, 0, 4, 4, 'mean')).toEqual([2, 4, null, 7]);
    expect(bucketize(t, v, 0, 4, 4, 'min')).toEqual([1, -2, null, 7]);
    expect(bucketize(t, v, 0, 4, 4, 'max')).toEqual([3, 10, null, 7]);
  });

  it('keeps a single spike among 180,000 samples', () => {
    const n = 180_000;
    const t = Float64Array.from({ length: n }, (_, i) => i / 50);
    const v = Float64Array.from({ length: n }, (_, i) => (i === 123_457 ? 99 : 1));
    const out = bucketize(t, v, 0, n / 50, 1500, 'max');
    expect(out).toHaveLength(1500);
    expect(Math.max(...(out as number[]))).toBe(99);
    expect(out.filter((x) => x === 99)).toHaveLength(1);
  });

  it('puts the end time in the last bucket and ignores samples outside and non-finite values', () => {
    const b = new Buckets(10, 20, 5, 'mean');
    expect(b.index(10)).toBe(0);
    expect(b.index(20)).toBe(4);
    expect(b.index(9.99)).toBe(-1);
    b.add(20, 1);
    b.add(25, 1);
    b.add(11, Number.NaN);
    expect(b.values()).toEqual([null, null, null, null, 1]);
    expect(b.times()).toEqual([11, 13, 15, 17, 19]);
  });

  it('never buckets finer than 0.25 s', () => {
    expect(bucketCount(1, 1500)).toBe(4);
    expect(bucketCount(3600, 1500)).toBe(1500);
    expect(bucketCount(0, 1500)).toBe(1);
  });
});

describe('zone polygons', () => {
  it('drops a closing vertex and duplicates, orients counter-clockwise', () => {
    expect(cleanPolygon([0, 0, 0, 1, 0, 1, 1, 1, 1, 0, 0, 0])).toEqual({ ok: true, polygon: [1, 0, 1, 1, 0, 1, 0, 0] });
  });
  it('tests points inside', () => {
    const p = [0, 0, 2, 0, 2, 2, 0, 2];
    expect(pointInPolygon(1, 1, p)).toBe(true);
    expect(pointInPolygon(3, 1, p)).toBe(false);
  });
});
