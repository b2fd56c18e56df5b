/**
 * Lidar faults with drift on, against the same run without them (same seed: the range noise
 * is drawn from its own stream, so the two runs differ only by the faults): beams drop at the
 * configured rate, more far away and at grazing incidence; spurious short readings appear at
 * theirs; whole revolutions go missing at theirs; and none of it happens with drift off.
 */
import { describe, expect, it } from 'vitest';
import type { Pose2D } from '../../src/shared/geometry';
import type { DriftSetting } from '../../src/sim/drift';
import { SimCore, type SimScan } from '../../src/sim/sim-core';
import { roomGrid } from './helpers';

const DT = 0.01;

/** The scans of `seconds` of a robot standing still. */
function scans(drift: DriftSetting | undefined, seconds: number, map = roomGrid(10, 10), startPose: Pose2D = { x: 5, y: 5, theta: 0 }, seed = 2): SimScan[] {
  const core = new SimCore({ map, seed, startPose, drift });
  const out: SimScan[] = [];
  for (let k = 0; k < Math.round(seconds / DT); k++) out.push(...core.step(DT).scans);
  return out;
}

/** 4σ of a binomial count's rate over n trials at probability p. */
const fourSigma = (p: number, n: number) => 4 * Math.sqrt((p * (1 - p)) / n);

describe('lidar faults', () => {
  it('drift off (and drift with no lidar faults) leaves the scans exactly as they were', () => {
    const plain = scans(undefined, 1);
    expect(scans('off', 1)).toEqual(plain);
    expect(scans({ odometry: 'typical' }, 1)).toEqual(plain);
  });

  it('drops beams at the configured rate, and only beams that had a return', () => {
    const p = 0.02;
    const clean = scans(undefined, 5);
    const faulty = scans({ lidar: { dropout: p } }, 5);
    expect(faulty).toHaveLength(clean.length);
    let returns = 0;
    let dropped = 0;
    for (let s = 0; s < clean.length; s++) {
      const a = clean[s]!.ranges;
      const b = faulty[s]!.ranges;
      for (let i = 0; i < a.length; i++) {
        if (!Number.isFinite(a[i]!)) continue;
        returns++;
        if (b[i] === Infinity) dropped++;
        else expect(b[i]).toBe(a[i]); // what is not dropped is untouched
      }
    }
    expect(returns).toBeGreaterThan(15000);
    expect(Math.abs(dropped / returns - p)).toBeLessThan(fourSigma(p, returns));
  });

  it('drops more of the far returns', () => {
    // Near one wall of a 10 m room: returns from 0.3 m to 9 m (beyond 8 m: none).
    const start = { x: 1, y: 5, theta: 0 };
    const clean = scans(undefined, 5, roomGrid(10, 10), start);
    const faulty = scans({ lidar: { dropoutFar: 0.2 } }, 5, roomGrid(10, 10), start);
    const rate = (lo: number, hi: number) => {
      let n = 0;
      let d = 0;
      let expected = 0;
      for (let s = 0; s < clean.length; s++) {
        for (let i = 0; i < clean[s]!.ranges.length; i++) {
          const r = clean[s]!.ranges[i]!;
          if (!(r >= lo && r < hi)) continue;
          n++;
          expected += 0.2 * (r / 8) ** 2;
          if (faulty[s]!.ranges[i] === Infinity) d++;
        }
      }
      return { rate: d / n, expected: expected / n, n };
    };
    const near = rate(0, 2);
    const far = rate(6, 8);
    expect(near.n).toBeGreaterThan(1000);
    expect(far.n).toBeGreaterThan(1000);
    expect(Math.abs(near.rate - near.expected)).toBeLessThan(fourSigma(near.expected, near.n));
    expect(Math.abs(far.rate - far.expected)).toBeLessThan(fourSigma(far.expected, far.n));
    expect(far.rate).toBeGreaterThan(5 * near.rate);
  });

  it('drops more of the beams that graze a wall', () => {
    // A 2 m wide corridor: a beam at bearing α meets a side wall at incidence φ with cos φ = |sin α|.
    const corridor = roomGrid(20, 2);
    const start = { x: 10, y: 1, theta: 0 };
    const clean = scans(undefined, 5, corridor, start);
    const faulty = scans({ lidar: { dropoutGrazing: 0.3 } }, 5, corridor, start);
    const byIncidence = (lo: number, hi: number) => {
      let n = 0;
      let d = 0;
      for (let s = 0; s < clean.length; s++) {
        const scan = clean[s]!;
        for (let i = 0; i < scan.ranges.length; i++) {
          if (!Number.isFinite(scan.ranges[i]!)) continue;
          const phi = Math.acos(Math.abs(Math.sin(scan.lidarPose.theta + scan.angleMin + i * scan.angleIncrement)));
          if (phi < lo || phi >= hi) continue;
          n++;
          if (faulty[s]!.ranges[i] === Infinity) d++;
        }
      }
      return { rate: d / n, n };
    };
    const deg = Math.PI / 180;
    const headOn = byIncidence(0, 30 * deg); // p ≤ 0.3·(1 − cos 30°)² = 0.005
    const grazing = byIncidence(78 * deg, 90 * deg); // p ≥ 0.3·(1 − cos 78°)² = 0.19
    expect(headOn.n).toBeGreaterThan(1000);
    expect(grazing.n).toBeGreaterThan(300);
    expect(headOn.rate).toBeLessThan(0.005 + fourSigma(0.005, headOn.n));
    expect(grazing.rate).toBeGreaterThan(0.19 - fourSigma(0.19, grazing.n));
  });

  it('reads spurious short ranges at the configured rate', () => {
    const p = 0.01;
    const clean = scans(undefined, 5);
    const faulty = scans({ lidar: { spurious: p } }, 5);
    let n = 0;
    let short = 0;
    for (let s = 0; s < clean.length; s++) {
      for (let i = 0; i < clean[s]!.ranges.length; i++) {
        const a = clean[s]!.ranges[i]!;
        const b = faulty[s]!.ranges[i]!;
        n++;
        if (b !== a) {
          // Below the true range (the clean reading is that plus 1 cm noise).
          expect(b).toBeLessThan(a + 0.05);
          expect(b).toBeGreaterThanOrEqual(clean[s]!.rangeMin);
          short++;
        }
      }
    }
    // Uniform below a true range of ≥ 5 m: almost every spurious reading differs from it.
    expect(Math.abs(short / n - p)).toBeLessThan(fourSigma(p, n));
  });

  it('loses whole revolutions at the configured rate, the rest on their 10 Hz beat and unchanged', () => {
    const p = 0.1;
    const clean = scans(undefined, 40);
    const faulty = scans({ lidar: { revolutionDrop: p } }, 40);
    expect(clean).toHaveLength(400);
    const lost = clean.length - faulty.length;
    expect(Math.abs(lost / clean.length - p)).toBeLessThan(fourSigma(p, clean.length));
    const byTime = new Map(clean.map((s) => [s.time, s]));
    for (const s of faulty) expect(s).toEqual(byTime.get(s.time));
  });

  it('typical faults are deterministic from the seed', () => {
    const a = scans('typical', 2);
    expect(scans('typical', 2)).toEqual(a);
    expect(scans('typical', 2, undefined, undefined, 3)).not.toEqual(a);
  });
});
