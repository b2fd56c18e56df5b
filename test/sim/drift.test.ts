/**
 * Odometry drift in SimCore, on a 10 m square (2.5 m sides, four left turns in place) driven
 * closed on the ground truth:
 *  - off (the default) changes nothing: odometry is the truth, map←odom the identity;
 *  - on, the odometry starts at (0, 0, 0) in its own frame, trueMapFromOdom ∘ odometry = truth
 *    at every step; with perfect encoders trueMapFromOdom stays the start pose;
 *  - the systematic terms give the end error they should (heading error = rotation scale ×
 *    total turn, position error as the distorted square predicts), the random terms their
 *    spread over seeds, slip its share; the physics and the lidar are untouched;
 *  - a robot profile's odometry error is what 'typical' uses; deterministic from the seed.
 */
import { describe, expect, it } from 'vitest';
import { builtinCatalog, findRobotProfile } from '../../src/main/robot/profiles';
import { angleDiff, composePose, type Pose2D } from '../../src/shared/geometry';
import type { DriftSetting } from '../../src/sim/drift';
import { robotParamsFor } from '../../src/sim/emulators/profile-params';
import { HOME_ROBOT, type RobotParams } from '../../src/sim/robot-params';
import { SimCore } from '../../src/sim/sim-core';
import { createSimCore } from '../../src/sim/start';
import { driveSquare, phase, startTrace, type DriveTrace } from './drive';
import { roomGrid } from './helpers';

const START: Pose2D = { x: 2, y: 2.5, theta: 0.3 };
const CATALOG = builtinCatalog('resources');

function core(drift: DriftSetting | undefined, seed = 1, baseRobot?: RobotParams): SimCore {
  return new SimCore({ map: roomGrid(8, 8), seed, startPose: START, drift, baseRobot });
}

/** Where the odometry says the robot is at the end, placed on the map by the true map←odom at start. */
function odomEndInMap(t: DriveTrace): Pose2D {
  return composePose(t.mapFromOdom[0]!, t.odom[t.odom.length - 1]!);
}

/** End error of the odometry (placed by the start's map←odom) against the truth: metres, metres, radians. */
function endError(t: DriveTrace): { dx: number; dy: number; dTheta: number } {
  const o = odomEndInMap(t);
  const g = t.truth[t.truth.length - 1]!;
  return { dx: o.x - g.x, dy: o.y - g.y, dTheta: angleDiff(o.theta, g.theta) };
}

function std(xs: number[]): number {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
}

describe('drift off (the default)', () => {
  it('odometry is the ground truth at every step and map←odom is the identity; "off" is the default', () => {
    const a = driveSquare(core(undefined));
    const b = driveSquare(core('off'));
    expect(b).toEqual(a);
    expect(a.truth.length).toBeGreaterThan(3000);
    for (let k = 0; k < a.truth.length; k++) {
      expect(a.odom[k]).toEqual(a.truth[k]);
      expect(a.mapFromOdom[k]).toEqual({ x: 0, y: 0, theta: 0 });
    }
    // The square closes on the truth (the drive steers on it).
    const end = a.truth[a.truth.length - 1]!;
    expect(Math.hypot(end.x - START.x, end.y - START.y)).toBeLessThan(0.01);
    expect(a.along).toBeCloseTo(10, 1);
    expect(a.rotation).toBeCloseTo(2 * Math.PI, 2);
  });
});

describe('drift on: the odom frame', () => {
  it('starts the odometry at zero where the robot stands; perfect encoders keep map←odom at the start pose', () => {
    const c = core({});
    expect(c.odometry()).toMatchObject({ x: 0, y: 0, theta: 0, v: 0, w: 0 });
    expect(c.groundTruth().robotPose).toEqual(START);
    expect(c.groundTruth().trueMapFromOdom).toEqual(START);
    const t = driveSquare(c);
    for (let k = 0; k < t.truth.length; k++) {
      const m = t.mapFromOdom[k]!;
      expect(Math.abs(m.x - START.x) + Math.abs(m.y - START.y) + Math.abs(angleDiff(m.theta, START.theta))).toBeLessThan(1e-9);
      const placed = composePose(m, t.odom[k]!);
      expect(Math.hypot(placed.x - t.truth[k]!.x, placed.y - t.truth[k]!.y)).toBeLessThan(1e-9);
    }
  });

  it('with errors, map←odom wanders and is exactly what places the odometry on the truth at each instant', () => {
    const t = driveSquare(core('typical'));
    for (let k = 0; k < t.truth.length; k++) {
      const placed = composePose(t.mapFromOdom[k]!, t.odom[k]!);
      expect(Math.hypot(placed.x - t.truth[k]!.x, placed.y - t.truth[k]!.y)).toBeLessThan(1e-9);
      expect(Math.abs(angleDiff(placed.theta, t.truth[k]!.theta))).toBeLessThan(1e-12);
    }
    const first = t.mapFromOdom[0]!;
    const last = t.mapFromOdom[t.mapFromOdom.length - 1]!;
    expect(Math.hypot(last.x - first.x, last.y - first.y)).toBeGreaterThan(0.05);
  });

  it('leaves the physics and the lidar as they were: only the odometry changes', () => {
    const run = (drift: DriftSetting | undefined) => {
      const c = core(drift);
      const scans: Float32Array[] = [];
      const t = startTrace(c);
      const go = () => [0.4, 0.5 * Math.sin(c.time)] as [number, number];
      for (let k = 0; k < 300; k++) {
        c.setCommand(...go());
        scans.push(...c.step(0.01).scans.map((s) => s.ranges));
      }
      phase(c, t, go, () => false, 1);
      return { truth: t.truth, scans };
    };
    expect(run({ odometry: 'typical' })).toEqual(run(undefined));
  });

  it('a kidnap moves the truth, not the odometry; map←odom jumps instead', () => {
    const c = core('typical');
    driveSquare(c, 1);
    const before = c.odometry();
    c.teleport({ x: 6, y: 6, theta: -1 });
    expect(c.odometry()).toMatchObject({ x: before.x, y: before.y, theta: before.theta, v: 0, w: 0 });
    const gt = c.groundTruth();
    const placed = composePose(gt.trueMapFromOdom, c.odometry());
    expect(placed.x).toBeCloseTo(6, 9);
    expect(placed.y).toBeCloseTo(6, 9);
    expect(placed.theta).toBeCloseTo(-1, 9);
    // With drift off the odometry goes with it.
    const off = core(undefined);
    off.teleport({ x: 6, y: 6, theta: -1 });
    expect(off.odometry()).toMatchObject({ x: 6, y: 6, theta: -1 });
  });
});

describe('drift on: the error on a 10 m square', () => {
  it('systematic scales: heading error = rotation scale × total turn; position as the distorted square predicts', () => {
    const s = 0.015;
    const r = -0.02;
    const t = driveSquare(core({ odometry: { systematic: { distanceScale: s, rotationScale: r } } }));
    const e = endError(t);
    // Exactly the scale on the truth's own turn (2π up to the drive's precision).
    expect(e.dTheta).toBeCloseTo(r * t.rotation, 9);
    expect(e.dTheta).toBeCloseTo(-0.1257, 3);
    // The odometry's square: sides (1 + s)·2.5 m, each turn (1 + r)·90°.
    let px = 0;
    let py = 0;
    for (let k = 0; k < 4; k++) {
      const phi = START.theta + (1 + r) * k * (Math.PI / 2);
      px += (1 + s) * 2.5 * Math.cos(phi);
      py += (1 + s) * 2.5 * Math.sin(phi);
    }
    const truthEnd = t.truth[t.truth.length - 1]!;
    const predicted = { dx: START.x + px - truthEnd.x, dy: START.y + py - truthEnd.y };
    expect(Math.hypot(predicted.dx, predicted.dy)).toBeGreaterThan(0.2); // 0.23 m
    expect(Math.hypot(e.dx - predicted.dx, e.dy - predicted.dy)).toBeLessThan(0.03);
  });

  it('curvature (unequal wheels) turns the heading by c × distance driven', () => {
    const c = 0.004;
    const t = driveSquare(core({ odometry: { systematic: { curvature: c } } }));
    expect(endError(t).dTheta).toBeCloseTo(c * t.along, 9); // 0.04 rad over 10 m
  });

  it('random terms: the end heading spreads over seeds as configured', () => {
    const spec = { random: { distancePerSqrtM: 0.02, headingPerSqrtM: 0.01, headingPerSqrtRad: 0.02 } };
    const seeds = [1, 2, 3, 4, 5, 6, 7, 8];
    const errors = seeds.map((seed) => endError(driveSquare(core({ odometry: spec }, seed))));
    const headings = errors.map((e) => e.dTheta);
    expect(new Set(headings).size).toBe(seeds.length);
    // σ² = 0.02²·2π + 0.01²·10: σ = 0.059 rad. 8 seeds: the sample σ lies within [0.34, 1.93]× of it at 99.9 %.
    const sigma = Math.sqrt(0.02 ** 2 * 2 * Math.PI + 0.01 ** 2 * 10);
    expect(std(headings) / sigma).toBeGreaterThan(0.34);
    expect(std(headings) / sigma).toBeLessThan(1.93);
    // No systematic part: the mean is near zero (4σ of the mean of 8).
    expect(Math.abs(headings.reduce((a, b) => a + b, 0) / seeds.length)).toBeLessThan((4 * sigma) / Math.sqrt(seeds.length));
  });

  it('slip: turns in place are over-counted by the configured fraction; hard starts add distance, gentle ones none', () => {
    const turn = driveSquare(core({ odometry: { slip: { turnInPlace: 0.05 } } }));
    expect(endError(turn).dTheta).toBeCloseTo(0.05 * turn.rotation, 3);
    // The reference robot starts at up to 1 m/s²: above a 0.5 m/s² threshold its wheels slip.
    const hard = driveSquare(core({ odometry: { slip: { accelThreshold: 0.5, ratioPerAccel: 0.2 } } }));
    const odomAlong = (t: DriveTrace) => t.odom.slice(1).reduce((sum, o, k) => sum + Math.hypot(o.x - t.odom[k]!.x, o.y - t.odom[k]!.y), 0);
    const extra = odomAlong(hard) - hard.distance;
    expect(extra).toBeGreaterThan(0.005);
    expect(extra).toBeLessThan(0.1);
    const gentle = driveSquare(core({ odometry: { slip: { accelThreshold: 1.5, ratioPerAccel: 0.2 } } }));
    expect(Math.abs(odomAlong(gentle) - gentle.distance)).toBeLessThan(1e-9);
  });

  it('is deterministic from the seed; another seed drifts differently', () => {
    const end = (seed: number) => driveSquare(core('typical', seed)).odom.at(-1);
    expect(end(4)).toEqual(end(4));
    expect(end(5)).not.toEqual(end(4));
  });
});

describe('drift from robot profiles', () => {
  it('robotParamsFor carries the profile odometry error, and "typical" uses it', () => {
    const create2 = findRobotProfile(CATALOG, 'create2');
    const kobuki = findRobotProfile(CATALOG, 'kobuki');
    expect(robotParamsFor(create2, null).odometryError).toEqual(create2.odometryError);
    expect(findRobotProfile(CATALOG, 'foresight').odometryError).toEqual(HOME_ROBOT.odometryError);
    // Create 2 (castor, encoder heading) against Kobuki (gyro heading): same square, same seeds.
    const heading = (robot: RobotParams) => [1, 2, 3].map((seed) => Math.abs(endError(driveSquare(core('typical', seed, robot))).dTheta));
    const create = heading(robotParamsFor(create2, null));
    const gyro = heading(robotParamsFor(kobuki, null));
    // Create 2: (1.5 % + 2.5 % in place) × 2π + 0.004 rad/m × 10 m ≈ 0.29 rad, give or take its random walk.
    expect(create.reduce((a, b) => a + b, 0) / create.length).toBeGreaterThan(0.15);
    expect(Math.max(...gyro)).toBeLessThan(0.05);
  });

  it('createSimCore (foresight sim) takes a drift setting: the profile robot drifts from zero', () => {
    const burger = findRobotProfile(CATALOG, 'turtlebot3-burger');
    const c = createSimCore({ robot: burger, lidar: null, drift: 'typical', people: 0, config: { startPose: START } });
    expect(c.params.odometryError).toEqual(burger.odometryError);
    expect(c.odometry()).toMatchObject({ x: 0, y: 0, theta: 0 });
    expect(c.groundTruth().trueMapFromOdom).toEqual(START);
    const plain = createSimCore({ robot: burger, lidar: null, people: 0, config: { startPose: START } });
    expect(plain.odometry()).toMatchObject({ x: START.x, y: START.y, theta: START.theta });
  });
});
