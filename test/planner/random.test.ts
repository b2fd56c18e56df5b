import { describe, expect, it } from 'vitest';
import { createPrng, Prng } from '../../src/planner/random';

describe('Prng', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = createPrng(42);
    const b = createPrng(42);
    const c = createPrng(43);
    const sa = Array.from({ length: 20 }, () => a.next());
    const sb = Array.from({ length: 20 }, () => b.next());
    const sc = Array.from({ length: 20 }, () => c.next());
    expect(sa).toEqual(sb);
    expect(sa).not.toEqual(sc);
  });

  it('draws uniform numbers in [0, 1) with the right mean', () => {
    const r = new Prng(7);
    let sum = 0;
    for (let i = 0; i < 20000; i++) {
      const x = r.next();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      sum += x;
    }
    expect(sum / 20000).toBeCloseTo(0.5, 1);
  });

  it('draws normals with mean 0 and σ 1', () => {
    const r = new Prng(1);
    let s = 0;
    let s2 = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      s += z;
      s2 += z * z;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.05);
    expect(Math.sqrt(s2 / n)).toBeGreaterThan(0.95);
    expect(Math.sqrt(s2 / n)).toBeLessThan(1.05);
  });

  it('restores a snapshot of its state', () => {
    const r = new Prng(99);
    r.next();
    const st = r.getState();
    const x = r.next();
    r.setState(st);
    expect(r.next()).toBe(x);
  });

  it('keeps integers in range', () => {
    const r = new Prng(3);
    for (let i = 0; i < 1000; i++) {
      const k = r.int(5);
      expect(Number.isInteger(k) && k >= 0 && k < 5).toBe(true);
    }
  });
});
