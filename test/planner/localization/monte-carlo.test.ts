/**
 * The localizer's contract, apart from how well it localizes (apartment.test.ts): what it
 * returns before a pose is known, the frames of its answer, that it is deterministic, that
 * it stays cheap while the robot stands still, adapts its particle count, and shrugs off
 * bad input.
 */
import { describe, expect, it } from 'vitest';
import { normalizeAngle, type Pose2D } from '../../../src/shared/geometry';
import { createMonteCarloLocalizer, DEFAULT_MONTE_CARLO_CONFIG, MonteCarloLocalizer } from '../../../src/planner/localization';
import type { LocalizationEstimate, ScanInput } from '../../../src/planner/slam/types';
import { APARTMENT_START_POSE } from '../../../src/sim/apartment';
import { apartmentGrid, drive, SimRun } from './harness';

function compose(a: Pose2D, b: Pose2D): Pose2D {
  const c = Math.cos(a.theta);
  const s = Math.sin(a.theta);
  return { x: a.x + c * b.x - s * b.y, y: a.y + s * b.x + c * b.y, theta: normalizeAngle(a.theta + b.theta) };
}

/** A few scans driving from the start, for tests that need real input. */
function someScans(seconds: number, seed = 4): ScanInput[] {
  const run = new SimRun({ seed });
  const out: ScanInput[] = [];
  while (run.time < seconds) out.push(run.nextScan().input);
  return out;
}

describe('MonteCarloLocalizer contract', () => {
  it('says nothing before it has a pose (setPose or globalLocalize)', () => {
    const loc = new MonteCarloLocalizer(apartmentGrid(), {}, 1);
    const [scan] = someScans(0.15);
    expect(loc.update(scan!)).toBeNull();
    expect(loc.estimate()).toBeNull();
    loc.setPose(APARTMENT_START_POSE);
    expect(loc.estimate()).toBeNull(); // no scan yet, so no map ← odom
    expect(loc.update(scan!)).not.toBeNull();
    expect(loc.estimate()).not.toBeNull();
  });

  it('answers in the right frames: pose = mapFromOdom ∘ odom, covariance symmetric with positive variances', () => {
    const loc = createMonteCarloLocalizer(apartmentGrid(), 2);
    loc.setPose(APARTMENT_START_POSE, { xy: 0.1, theta: 0.05 });
    let last: LocalizationEstimate | null = null;
    for (const input of someScans(4)) {
      last = loc.update(input);
      const e = last!;
      const p = compose(e.mapFromOdom, input.odom);
      expect(p.x).toBeCloseTo(e.pose.x, 9);
      expect(p.y).toBeCloseTo(e.pose.y, 9);
      expect(Math.abs(normalizeAngle(p.theta - e.pose.theta))).toBeLessThan(1e-9);
      const c = e.covariance;
      expect(c[1]).toBe(c[3]);
      expect(c[2]).toBe(c[6]);
      expect(c[5]).toBe(c[7]);
      expect(c[0]).toBeGreaterThan(0);
      expect(c[4]).toBeGreaterThan(0);
      expect(c[8]).toBeGreaterThan(0);
      expect(e.agreement).toBeGreaterThanOrEqual(0);
      expect(e.agreement).toBeLessThanOrEqual(1);
      expect(e.reason.length).toBeGreaterThan(10);
    }
    expect(last!.quality).toBe('localized');
    // The odom frame starts where the robot stood, so map ← odom is about the start pose.
    expect(last!.mapFromOdom.x).toBeCloseTo(APARTMENT_START_POSE.x, 1);
    expect(last!.mapFromOdom.y).toBeCloseTo(APARTMENT_START_POSE.y, 1);
  });

  it('is deterministic for a seed and differs for another', () => {
    const scans = someScans(3);
    const trace = (seed: number) => {
      const loc = new MonteCarloLocalizer(apartmentGrid(), {}, seed);
      loc.globalLocalize();
      return scans.map((s) => {
        const e = loc.update(s)!;
        return [e.pose.x, e.pose.y, e.pose.theta, e.particles];
      });
    };
    expect(trace(5)).toEqual(trace(5));
    expect(trace(6)).not.toEqual(trace(5));
  });

  it('stays cheap while the robot stands still: no filter update, the pose follows odometry', () => {
    const loc = new MonteCarloLocalizer(apartmentGrid(), {}, 3);
    loc.setPose(APARTMENT_START_POSE);
    const scans = someScans(3);
    for (const s of scans) loc.update(s);
    const last = scans.at(-1)!;
    const updates = loc.diagnostics().filterUpdates;
    const before = loc.estimate()!;
    for (let k = 1; k <= 30; k++) {
      const e = loc.update({ ...last, scan: { ...last.scan, time: last.scan.time + 0.1 * k } })!;
      expect(loc.diagnostics().lastWasFilterUpdate).toBe(false);
      expect(e.pose).toEqual(before.pose);
      expect(e.quality).toBe('localized');
    }
    expect(loc.diagnostics().filterUpdates).toBe(updates);
    // Creeping: any motion after updateInterval (1 s) without an update runs the filter...
    const nudge = (dx: number, t: number) => ({ ...last, odom: { ...last.odom, x: last.odom.x + dx }, scan: { ...last.scan, time: t } });
    loc.update(nudge(0.01, last.scan.time + 3.1));
    expect(loc.diagnostics().lastWasFilterUpdate).toBe(true);
    // ...then it waits for 5 cm (or 3°, or another second).
    loc.update(nudge(0.02, last.scan.time + 3.2));
    expect(loc.diagnostics().lastWasFilterUpdate).toBe(false);
    loc.update(nudge(0.065, last.scan.time + 3.3));
    expect(loc.diagnostics().lastWasFilterUpdate).toBe(true);
  });

  it('adapts the particle count: all of them to search, a few hundred once converged', () => {
    const loc = new MonteCarloLocalizer(apartmentGrid(), {}, 8);
    loc.globalLocalize();
    const counts: number[] = [];
    const run = new SimRun({ seed: 8 });
    drive(run, (i) => loc.update(i), 12, (st) => counts.push(st.estimate.particles));
    expect(counts[0]).toBe(DEFAULT_MONTE_CARLO_CONFIG.maxParticles);
    const tail = counts.slice(-30);
    expect(Math.max(...tail)).toBeLessThan(1000);
    expect(Math.min(...tail)).toBeGreaterThanOrEqual(DEFAULT_MONTE_CARLO_CONFIG.minParticles);
  });

  it('ignores bad odometry, and a scan with hardly any returns is no evidence of being lost', () => {
    const loc = new MonteCarloLocalizer(apartmentGrid(), {}, 9);
    loc.setPose(APARTMENT_START_POSE);
    const scans = someScans(2);
    for (const s of scans) loc.update(s);
    const last = scans.at(-1)!;
    const good = loc.estimate()!;
    expect(loc.update({ ...last, odom: { x: Number.NaN, y: 0, theta: 0 } })).toBe(good);
    // A blinded lidar for 3 s: every beam reads "nothing within range".
    const blind = new Float32Array(last.scan.ranges.length).fill(Infinity);
    let e: LocalizationEstimate | null = null;
    for (let k = 1; k <= 30; k++) e = loc.update({ ...last, scan: { ...last.scan, ranges: blind, time: last.scan.time + 0.1 * k } });
    expect(e!.quality).toBe('uncertain');
    expect(e!.reason).toMatch(/beams returned/);
  });

  it('rejects impossible particle limits', () => {
    expect(() => new MonteCarloLocalizer(apartmentGrid(), { minParticles: 600, maxParticles: 500 })).toThrow(RangeError);
  });
});
