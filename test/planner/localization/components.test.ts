/**
 * The parts of the localizer on their own: KLD bound and bins, the odometry motion model,
 * the map model (signed surface distance, unknown cells, where particles may stand), the
 * endpoint likelihood table and the scan matcher.
 */
import { describe, expect, it } from 'vitest';
import { normalizeAngle, type Pose2D } from '../../../src/shared/geometry';
import { CELL_FREE, CELL_OCCUPIED, CELL_UNKNOWN, type OccupancyGrid } from '../../../src/shared/grid';
import { Prng } from '../../../src/planner/random';
import {
  BinSet,
  endpointLogLikelihoodTable,
  kldBound,
  MapModel,
  NormalSampler,
  normalUpperQuantile,
  sampleOdometryMotion,
  ScanMatcher,
  type FieldSample,
  type ScanMatchResult,
} from '../../../src/planner/localization';

const DEG = Math.PI / 180;

/** A w × h m room at 5 cm with 0.1 m walls, a 0.6 × 0.4 m box, and optionally an unknown strip. */
function room(w = 6, h = 4, unknownStrip = false): OccupancyGrid {
  const res = 0.05;
  const width = Math.round(w / res);
  const height = Math.round(h / res);
  const data = new Uint8Array(width * height).fill(CELL_FREE);
  const fill = (x0: number, y0: number, x1: number, y1: number, v: number) => {
    for (let r = Math.round(y0 / res); r < Math.round(y1 / res); r++) for (let c = Math.round(x0 / res); c < Math.round(x1 / res); c++) data[r * width + c] = v;
  };
  fill(0, 0, w, 0.1, CELL_OCCUPIED);
  fill(0, h - 0.1, w, h, CELL_OCCUPIED);
  fill(0, 0, 0.1, h, CELL_OCCUPIED);
  fill(w - 0.1, 0, w, h, CELL_OCCUPIED);
  fill(4.0, 1.0, 4.6, 1.4, CELL_OCCUPIED);
  if (unknownStrip) fill(0.1, 3.0, 1.0, 3.9, CELL_UNKNOWN);
  return { width, height, resolution: res, origin: { x: 0, y: 0 }, data };
}

const MAP_OPTIONS = { occupiedThreshold: 65, freeThreshold: 19, maxDistance: 2, minClearance: 0.1 };

describe('KLD-sampling bound', () => {
  it('matches Fox (2003) eq. 13 and grows with the number of occupied bins', () => {
    const z = normalUpperQuantile(0.01);
    expect(z).toBeCloseTo(2.326, 2);
    expect(normalUpperQuantile(0.05)).toBeCloseTo(1.645, 2);
    expect(kldBound(1, 0.05, z)).toBe(0);
    // (k − 1)/(2ε) · (1 − 2/(9(k−1)) + √(2/(9(k−1)))·z)³ at k = 10, ε = 0.05.
    const a = 2 / 81;
    expect(kldBound(10, 0.05, z)).toBe(Math.ceil(90 * (1 - a + Math.sqrt(a) * z) ** 3));
    let last = 0;
    for (const k of [2, 5, 20, 100, 1000]) {
      const n = kldBound(k, 0.05, z);
      expect(n).toBeGreaterThan(last);
      last = n;
    }
    // A tighter ε needs more particles for the same histogram.
    expect(kldBound(50, 0.01, z)).toBeGreaterThan(kldBound(50, 0.05, z));
  });

  it('counts distinct bins, gives dense slots, clears in O(1) and respects its capacity', () => {
    const bins = new BinSet(4);
    expect(bins.insert(1, 2, 3)).toBe(-1); // new, slot 0
    expect(bins.insert(-1, 2, 3)).toBe(-2); // new, slot 1
    expect(bins.insert(1, 2, 3)).toBe(0); // present
    expect(bins.insert(1, 2, 4)).toBe(-3);
    expect(bins.size).toBe(3);
    bins.clear();
    expect(bins.size).toBe(0);
    expect(bins.insert(1, 2, 3)).toBe(-1);
    for (let i = 0; i < 3; i++) bins.insert(10 + i, 0, 0);
    expect(bins.size).toBe(4);
    expect(bins.insert(99, 99, 9)).toBe(-5); // full: not added
    expect(bins.size).toBe(4);
  });
});

describe('odometry motion model', () => {
  const exact = (p: Pose2D, from: Pose2D, to: Pose2D): Pose2D => {
    // p ∘ (from⁻¹ ∘ to)
    const c = Math.cos(from.theta);
    const s = Math.sin(from.theta);
    const dx = c * (to.x - from.x) + s * (to.y - from.y);
    const dy = -s * (to.x - from.x) + c * (to.y - from.y);
    const dt = normalizeAngle(to.theta - from.theta);
    const cp = Math.cos(p.theta);
    const sp = Math.sin(p.theta);
    return { x: p.x + cp * dx - sp * dy, y: p.y + sp * dx + cp * dy, theta: normalizeAngle(p.theta + dt) };
  };
  const zero = { alpha1: 0, alpha2: 0, alpha3: 0, alpha4: 0 };

  it('without noise moves every particle by the odometry change in its own frame (forward, backward, turning in place)', () => {
    const particles: Pose2D[] = [
      { x: 1, y: 2, theta: 0.3 },
      { x: -4, y: 0.5, theta: -2.9 },
      { x: 0, y: 0, theta: Math.PI },
    ];
    const moves: Array<[Pose2D, Pose2D]> = [
      [{ x: 0.5, y: -0.2, theta: 1.0 }, { x: 0.58, y: -0.15, theta: 1.1 }], // forward with a turn
      [{ x: 0.5, y: -0.2, theta: 1.0 }, { x: 0.5 - 0.05 * Math.cos(1.0), y: -0.2 - 0.05 * Math.sin(1.0), theta: 1.02 }], // backward
      [{ x: 3, y: 3, theta: 3.1 }, { x: 3, y: 3, theta: -3.1 }], // in place across ±π
    ];
    const normal = new NormalSampler(new Prng(1));
    for (const [from, to] of moves) {
      const px = Float64Array.from(particles, (p) => p.x);
      const py = Float64Array.from(particles, (p) => p.y);
      const pt = Float64Array.from(particles, (p) => p.theta);
      sampleOdometryMotion(px, py, pt, particles.length, from, to, zero, normal);
      particles.forEach((p, i) => {
        const e = exact(p, from, to);
        expect(px[i]).toBeCloseTo(e.x, 9);
        expect(py[i]).toBeCloseTo(e.y, 9);
        expect(Math.abs(normalizeAngle(pt[i]! - e.theta))).toBeLessThan(1e-9);
      });
    }
  });

  it('with noise is centred on the odometry and spreads more along track when α3 grows', () => {
    const n = 20000;
    const spreadFor = (alpha3: number) => {
      const px = new Float64Array(n);
      const py = new Float64Array(n);
      const pt = new Float64Array(n);
      sampleOdometryMotion(px, py, pt, n, { x: 0, y: 0, theta: 0 }, { x: 1, y: 0, theta: 0 }, { alpha1: 0.05, alpha2: 0.01, alpha3, alpha4: 0.01 }, new NormalSampler(new Prng(7)));
      let mx = 0;
      for (let i = 0; i < n; i++) mx += px[i]!;
      mx /= n;
      let v = 0;
      for (let i = 0; i < n; i++) v += (px[i]! - mx) ** 2;
      return { mean: mx, sd: Math.sqrt(v / n) };
    };
    const low = spreadFor(0.01);
    const high = spreadFor(0.09);
    expect(low.mean).toBeCloseTo(1, 2);
    expect(high.mean).toBeCloseTo(1, 2);
    // σ_trans = √(α3·δ²) for a straight 1 m: 0.1 m and 0.3 m.
    expect(low.sd).toBeCloseTo(0.1, 2);
    expect(high.sd).toBeCloseTo(0.3, 2);
  });

  it('draws standard normals', () => {
    const normal = new NormalSampler(new Prng(3));
    let s = 0;
    let s2 = 0;
    const n = 40000;
    for (let i = 0; i < n; i++) {
      const z = normal.next();
      s += z;
      s2 += z * z;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.02);
    expect(s2 / n).toBeCloseTo(1, 1);
  });
});

describe('map model', () => {
  it('puts the zero of the signed distance on the faces of obstacle cells', () => {
    const grid = room();
    const m = new MapModel(grid, MAP_OPTIONS);
    const res = grid.resolution;
    // The south wall fills rows 0–1 (y < 0.1): the first free row's centre is half a cell from the face.
    expect(m.distanceAt(3, 0.125)).toBeCloseTo(res / 2, 6);
    expect(m.distanceAt(3, 0.075)).toBeCloseTo(-res / 2, 6);
    expect(m.distanceAt(3, 1.01)).toBeCloseTo(0.925, 6); // cell centre y = 1.025, face at 0.1
    // Interpolated: zero on the face itself, slope 1 across it.
    const f: FieldSample = { value: 0, gx: 0, gy: 0 };
    expect(m.sample(3, 0.1, f)).toBe(true);
    expect(f.value).toBeCloseTo(0, 6);
    expect(f.gy).toBeCloseTo(1, 6);
    expect(f.gx).toBeCloseTo(0, 6);
    // Inside the box, deeper than its face.
    expect(m.distanceAt(4.3, 1.2)).toBeLessThan(-0.1);
    // Off the map.
    expect(Number.isNaN(m.distanceAt(-1, 1))).toBe(true);
    expect(m.sample(-1, 1, f)).toBe(false);
  });

  it('has no opinion in unknown cells and spreads particles only where the robot centre fits', () => {
    const grid = room(6, 4, true);
    const m = new MapModel(grid, MAP_OPTIONS);
    expect(Number.isNaN(m.distanceAt(0.5, 3.5))).toBe(true);
    const f: FieldSample = { value: 0, gx: 0, gy: 0 };
    expect(m.sample(0.5, 3.5, f)).toBe(false);
    for (const cell of m.standableCells) {
      expect(grid.data[cell]).toBe(CELL_FREE);
      expect(m.sdf[cell]).toBeGreaterThanOrEqual(MAP_OPTIONS.minClearance);
    }
    // Free floor 5.8 × 3.8 m less the box and the unknown strip, shrunk by the clearance: ~15–20 m².
    const area = m.standableCells.length * grid.resolution ** 2;
    expect(area).toBeGreaterThan(14);
    expect(area).toBeLessThan(21);
  });

  it('scores endpoints with a likelihood that falls with distance to the floor of the random component', () => {
    const lut = endpointLogLikelihoodTable({ zHit: 0.9, zRand: 0.1, sigmaHit: 0.1, rangeMax: 8 }, 2);
    expect(lut.length).toBe(2001);
    for (let i = 1; i < lut.length; i++) expect(lut[i]!).toBeLessThanOrEqual(lut[i - 1]!);
    expect(lut[0]).toBeCloseTo(Math.log(0.9 / (0.1 * Math.sqrt(2 * Math.PI)) + 0.1 / 8), 9);
    expect(lut[lut.length - 1]).toBeCloseTo(Math.log(0.1 / 8), 6);
  });
});

describe('scan matcher', () => {
  /** Exact endpoints (base_link) of a 360-beam scan from `pose` in room() (walls and box as rectangles). */
  function scanFrom(pose: Pose2D): { bx: Float64Array; by: Float64Array; n: number } {
    const rects = [
      [0, 0, 6, 0.1],
      [0, 3.9, 6, 4],
      [0, 0, 0.1, 4],
      [5.9, 0, 6, 4],
      [4.0, 1.0, 4.6, 1.4],
    ];
    const bx = new Float64Array(360);
    const by = new Float64Array(360);
    for (let i = 0; i < 360; i++) {
      const a = pose.theta + (i * Math.PI) / 180;
      const dx = Math.cos(a);
      const dy = Math.sin(a);
      let best = Infinity;
      for (const [x0, y0, x1, y1] of rects) {
        // Slab test.
        let t0 = -Infinity;
        let t1 = Infinity;
        for (const [o, d, lo, hi] of [
          [pose.x, dx, x0!, x1!],
          [pose.y, dy, y0!, y1!],
        ] as const) {
          if (Math.abs(d) < 1e-12) {
            if (o < lo || o > hi) t0 = Infinity;
            continue;
          }
          const ta = (lo - o) / d;
          const tb = (hi - o) / d;
          t0 = Math.max(t0, Math.min(ta, tb));
          t1 = Math.min(t1, Math.max(ta, tb));
        }
        if (t0 <= t1 && t0 > 0) best = Math.min(best, t0);
      }
      const r = best;
      const la = (i * Math.PI) / 180;
      bx[i] = r * Math.cos(la);
      by[i] = r * Math.sin(la);
    }
    return { bx, by, n: 360 };
  }

  it('pulls an offset pose back onto the map to well under a cell', () => {
    const map = new MapModel(room(), MAP_OPTIONS);
    const matcher = new ScanMatcher(map, { iterations: 15, cutoff: 0.3, huber: 0.03 });
    const truth = { x: 2.2, y: 1.7, theta: 0.4 };
    const { bx, by, n } = scanFrom(truth);
    const out: ScanMatchResult = { x: 0, y: 0, theta: 0, costBefore: 0, costAfter: 0, inliers: 0 };
    for (const off of [
      { x: 0.08, y: -0.06, theta: 3 * DEG },
      { x: -0.1, y: 0.04, theta: -2 * DEG },
    ]) {
      matcher.refine({ x: truth.x + off.x, y: truth.y + off.y, theta: truth.theta + off.theta }, bx, by, n, out);
      expect(out.costAfter).toBeLessThan(out.costBefore);
      expect(Math.hypot(out.x - truth.x, out.y - truth.y)).toBeLessThan(0.01);
      expect(Math.abs(normalizeAngle(out.theta - truth.theta))).toBeLessThan(0.3 * DEG);
      expect(out.inliers).toBeGreaterThan(340);
    }
  });
});
