/**
 * Monte Carlo localization in the simulated apartment, in virtual time, with odometry that
 * drifts (+2 % distance, +1.5 % rotation, random walk; harness.ts) in an `odom` frame that
 * starts where the robot stands. The four things a robotics engineer checks:
 *   1. tracking from a rough initial pose (0.2 m, 10° off) around a loop for a minute;
 *   2. global localization converging within 10 s of driving, from several rooms;
 *   3. a kidnap of 3 m: 'lost' within seconds, then the pose found again;
 *   4. no false 'lost' while people walk around and stand next to the robot.
 * Figures (RMS errors, times) are asserted with margin; the bench prints timings.
 */
import { describe, expect, it } from 'vitest';
import type { Pose2D } from '../../../src/shared/geometry';
import { MonteCarloLocalizer } from '../../../src/planner/localization';
import type { LocalizationQuality } from '../../../src/planner/slam/types';
import { APARTMENT_START_POSE } from '../../../src/sim/apartment';
import type { ScriptedPersonSpec } from '../../../src/sim/people';
import { apartmentGrid, DEG, drive, SimRun, type Step } from './harness';

function localizer(seed: number): MonteCarloLocalizer {
  return new MonteCarloLocalizer(apartmentGrid(), {}, seed);
}

function rms(values: number[]): number {
  return Math.sqrt(values.reduce((s, v) => s + v * v, 0) / values.length);
}

function count(steps: Step[], quality: LocalizationQuality): number {
  return steps.filter((s) => s.estimate.quality === quality).length;
}

describe('tracking around the apartment with drifting odometry', () => {
  it.each([1, 2, 3])('seed %i: RMS error ≤ 5 cm and ≤ 2° over a 65 s loop from a pose 0.2 m and 10° off', (seed) => {
    const run = new SimRun({ seed });
    const loc = localizer(seed);
    const s = APARTMENT_START_POSE;
    const dir = seed * 2.1;
    loc.setPose({ x: s.x + 0.2 * Math.cos(dir), y: s.y + 0.2 * Math.sin(dir), theta: s.theta + (seed % 2 ? 10 : -10) * DEG });
    const steps: Step[] = [];
    drive(run, (i) => loc.update(i), 65, (st) => {
      if (st.time > 2) steps.push(st);
    });
    // The loop was driven: the robot went from the hallway through the kitchen and back.
    expect(Math.min(...steps.map((st) => st.truth.y))).toBeLessThan(2);
    expect(run.core.groundTruth().collisionCount).toBe(0);
    expect(rms(steps.map((st) => st.position))).toBeLessThan(0.05);
    expect(rms(steps.map((st) => st.heading))).toBeLessThan(2 * DEG);
    expect(Math.max(...steps.map((st) => st.position))).toBeLessThan(0.1);
    expect(count(steps, 'lost')).toBe(0);
    expect(count(steps, 'localized') / steps.length).toBeGreaterThan(0.98);
    // Converged, KLD keeps the cloud small.
    expect(Math.max(...steps.slice(-100).map((st) => st.estimate.particles))).toBeLessThan(1000);
  });
});

describe('global localization', () => {
  const starts: Array<{ name: string; pose: Pose2D; waypoint: number }> = [
    { name: 'hallway, west end', pose: APARTMENT_START_POSE, waypoint: 0 },
    { name: 'hallway, middle (mirror-symmetric)', pose: { x: 5.0, y: 4.55, theta: 0 }, waypoint: 1 },
    { name: 'kitchen', pose: { x: 8.5, y: 3.3, theta: -Math.PI / 2 }, waypoint: 3 },
    { name: 'living room', pose: { x: 4.3, y: 2.3, theta: Math.PI }, waypoint: 6 },
  ];
  it.each(starts.map((s, i) => [s.name, s, i + 1] as const))('from the %s: converges within 10 s of driving and never claims a wrong pose', (_name, start, seed) => {
    const run = new SimRun({ seed, start: start.pose, firstWaypoint: start.waypoint });
    const loc = localizer(seed);
    loc.globalLocalize();
    expect(loc.particles().count).toBe(loc.config.maxParticles);
    let lastNotOk = 0;
    let falseClaims = 0;
    drive(run, (i) => loc.update(i), 14, (st) => {
      const ok = st.position < 0.2 && st.heading < 5 * DEG && st.estimate.quality === 'localized';
      if (!ok) lastNotOk = st.time;
      if (st.estimate.quality === 'localized' && st.position > 0.5) falseClaims++;
      if (st.time < 0.5) expect(st.estimate.quality).toBe('uncertain');
    });
    // Converged (error < 0.2 m, < 5°, 'localized') and stayed so from 10 s on.
    expect(lastNotOk).toBeLessThan(10);
    expect(falseClaims).toBe(0);
    expect(run.core.groundTruth().collisionCount).toBe(0);
  });

  it('with three people walking about: still converges within 10 s', () => {
    const run = new SimRun({ seed: 11, crowd: 3, start: { x: 7.6, y: 2.9, theta: -1.8 }, firstWaypoint: 3 });
    const loc = localizer(11);
    loc.globalLocalize();
    let lastNotOk = 0;
    let falseClaims = 0;
    drive(run, (i) => loc.update(i), 14, (st) => {
      if (!(st.position < 0.2 && st.heading < 5 * DEG && st.estimate.quality === 'localized')) lastNotOk = st.time;
      if (st.estimate.quality === 'localized' && st.position > 0.5) falseClaims++;
    });
    expect(lastNotOk).toBeLessThan(10);
    expect(falseClaims).toBe(0);
    expect(run.core.groundTruth().collisions.filter((c) => c.kind !== 'person')).toHaveLength(0);
  });
});

describe('kidnapping', () => {
  /** Tracks from the start, carries the robot 3 m when `when` says so, and times the aftermath. */
  function kidnap(seed: number, when: (truth: Pose2D) => boolean, to: (truth: Pose2D) => Pose2D, nextWaypoint: number) {
    const run = new SimRun({ seed });
    const loc = localizer(seed);
    loc.setPose(APARTMENT_START_POSE);
    let at = Number.NaN;
    let lostAt = Number.NaN;
    let recoveredAt = Number.NaN;
    let lastFalseLocalized = Number.NaN;
    let final: Step | null = null;
    let carried = 0;
    const before: Step[] = [];
    drive(
      run,
      (input) => {
        const truth = run.core.groundTruth().robotPose;
        if (Number.isNaN(at) && when(truth)) {
          // The robot is carried between two scans: the scan about to be fed was taken before.
          const target = to(truth);
          carried = Math.hypot(target.x - truth.x, target.y - truth.y);
          run.kidnap(target, nextWaypoint);
          at = run.time;
        }
        return loc.update(input);
      },
      60,
      (st) => {
        if (Number.isNaN(at)) {
          before.push(st);
          return;
        }
        if (st.time < at || st.time > at + 20) return;
        final = st;
        if (st.estimate.quality === 'lost' && Number.isNaN(lostAt)) lostAt = st.time;
        if (st.position >= 0.2) recoveredAt = Number.NaN;
        else if (Number.isNaN(recoveredAt)) recoveredAt = st.time;
        if (st.estimate.quality === 'localized' && st.position > 0.5) lastFalseLocalized = st.time;
      },
    );
    return { at, carried, lostAfter: lostAt - at, recoveredAfter: recoveredAt - at, lastFalseLocalized, final: final as Step | null, before };
  }

  it.each([1, 2])('seed %i: carried 3 m from the hallway into the living room: lost within 3 s, found again within 10 s', (seed) => {
    const r = kidnap(
      seed,
      (t) => t.x >= 6.0 && t.y > 4,
      (t) => ({ x: t.x, y: t.y - 3.0, theta: t.theta }),
      3,
    );
    expect(r.carried).toBeCloseTo(3, 1);
    // It was localized before the kidnap.
    expect(r.before.at(-1)!.estimate.quality).toBe('localized');
    expect(r.lostAfter).toBeLessThanOrEqual(3);
    expect(r.recoveredAfter).toBeLessThanOrEqual(10);
    expect(r.final!.estimate.quality).toBe('localized');
    expect(r.final!.position).toBeLessThan(0.05);
  });

  it('carried 3 m along the hallway (a look-alike place): lost through the walls it sees through, found again', () => {
    const r = kidnap(
      1,
      (t) => t.x >= 4.0 && t.y > 4,
      (t) => ({ x: t.x + 3.0, y: t.y, theta: t.theta }),
      1,
    );
    expect(r.carried).toBeCloseTo(3, 1);
    expect(r.lostAfter).toBeLessThanOrEqual(3);
    expect(r.recoveredAfter).toBeLessThanOrEqual(10);
    expect(r.final!.estimate.quality).toBe('localized');
  });
});

describe('people around the robot', () => {
  /** One walks the hallway back and forth, one stands by the hallway wall, one crosses the living/kitchen door. */
  const people: ScriptedPersonSpec[] = [
    { waypoints: [{ x: 9.5, y: 4.7 }, { x: 1.0, y: 4.5 }], speed: 0.9, atEnd: 'reverse', reactive: true, startTime: 2 },
    { waypoints: [{ x: 6.0, y: 4.95 }], speed: 0 },
    { waypoints: [{ x: 4.0, y: 2.0 }, { x: 6.0, y: 1.7 }, { x: 7.6, y: 2.0 }, { x: 6.0, y: 1.7 }], speed: 0.8, atEnd: 'loop', reactive: true },
  ];

  it.each([
    ['a couple of people (legs at shin height), seed 1', 1, 2, 'legs'],
    ['a couple of people (legs at shin height), seed 2', 2, 2, 'legs'],
    ['seven people seen as torsos (more of the scan blocked)', 3, 4, 'body'],
  ] as const)('%s: never lost over a 60 s loop, still accurate', (_name, seed, crowd, personModel) => {
    const run = new SimRun({ seed, crowd, people, personModel });
    const loc = localizer(seed);
    loc.setPose(APARTMENT_START_POSE);
    const steps: Step[] = [];
    drive(run, (i) => loc.update(i), 60, (st) => {
      if (st.time > 2) steps.push(st);
    });
    const unexplained = steps.map((st) => 1 - st.estimate.agreement);
    // People were in view: at times a good part of the scan was not on the map.
    expect(Math.max(...unexplained)).toBeGreaterThan(personModel === 'body' ? 0.25 : 0.1);
    expect(count(steps, 'lost')).toBe(0);
    expect(count(steps, 'localized') / steps.length).toBeGreaterThan(0.97);
    expect(rms(steps.map((st) => st.position))).toBeLessThan(0.05);
    expect(rms(steps.map((st) => st.heading))).toBeLessThan(2 * DEG);
  });
});
