import { describe, expect, it } from 'vitest';
import { APARTMENT_PLACES, APARTMENT_START_POSE, buildApartmentGrid } from '../../src/sim/apartment';
import { HOME_ROBOT } from '../../src/sim/robot-params';
import { SimCore } from '../../src/sim/sim-core';
import { fillRect, roomGrid } from './helpers';

const DT = 0.01;

function run(core: SimCore, seconds: number, each?: (core: SimCore) => void): void {
  const n = Math.round(seconds / DT);
  for (let k = 0; k < n; k++) {
    core.step(DT);
    each?.(core);
  }
}

/** Index of the beam closest to a lidar-frame angle. */
function beamAt(core: SimCore, angle: number): number {
  const l = core.params.lidar;
  return Math.round((angle - l.angleMin) / l.angleIncrement);
}

describe('SimCore determinism', () => {
  const make = (seed: number) =>
    new SimCore({ map: buildApartmentGrid(), seed, startPose: APARTMENT_START_POSE, crowd: { count: 4, places: Object.values(APARTMENT_PLACES) } });

  it('two runs with the same seed are identical, a different seed differs', () => {
    const trace = (seed: number) => {
      const core = make(seed);
      const out: number[] = [];
      const n = Math.round(8 / DT);
      for (let k = 0; k < n; k++) {
        // Renewed every 50 ms, so the watchdog never trips.
        if (k % 5 === 0) core.setCommand(0.4, 0.3 * Math.sin(k * DT), k);
        const r = core.step(DT);
        const gt = core.groundTruth();
        out.push(gt.robotPose.x, gt.robotPose.y, gt.robotPose.theta);
        for (const p of gt.people) out.push(p.id, p.x, p.y);
        for (const s of r.scans) out.push(...s.ranges);
      }
      return out;
    };
    const a = trace(7);
    const b = trace(7);
    const c = trace(8);
    expect(a.length).toBeGreaterThan(1000);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });
});

describe('SimCore differential drive', () => {
  const open = () => new SimCore({ map: roomGrid(30, 30), seed: 1, startPose: { x: 5, y: 15, theta: 0 } });

  it('drives the commanded distance in a straight line at steady state', () => {
    const core = open();
    const keep = () => core.setCommand(0.5, 0);
    keep();
    run(core, 2, keep);
    const a = core.groundTruth().robotPose;
    run(core, 3, keep);
    const b = core.groundTruth().robotPose;
    expect(b.x - a.x).toBeCloseTo(1.5, 3);
    expect(Math.abs(b.y - 15)).toBeLessThan(1e-9);
    expect(core.odometry().v).toBeCloseTo(0.5, 6);
  });

  it('turns at the commanded rate', () => {
    const core = open();
    const keep = () => core.setCommand(0, 1.0);
    keep();
    run(core, 2, keep);
    const a = core.groundTruth().robotPose.theta;
    run(core, 1, keep);
    const b = core.groundTruth().robotPose.theta;
    const turned = ((b - a + 3 * Math.PI) % (2 * Math.PI)) - Math.PI;
    expect(turned).toBeCloseTo(1.0, 3);
    expect(core.groundTruth().robotPose.x).toBeCloseTo(5, 9);
  });

  it('clamps commands to the velocity limits and rejects non-finite ones', () => {
    const core = open();
    expect(core.setCommand(Number.NaN, 0)).toBe(false);
    expect(core.driveState().commandActive).toBe(false);
    core.setCommand(5, -9);
    expect(core.driveState().targetV).toBe(HOME_ROBOT.maxLinearVelocity);
    expect(core.driveState().targetW).toBe(-HOME_ROBOT.maxAngularVelocity);
  });

  it('holds the acceleration and jerk limits, and the wheels lag the setpoint', () => {
    const core = open();
    const p = core.params;
    let prevV = 0, prevW = 0, prevA = 0;
    let maxA = 0, maxAlpha = 0, maxJerk = 0;
    let lagSeen = false;
    const keep = (v: number, w: number) => () => {
      core.setCommand(v, w);
      const o = core.odometry();
      const a = (o.v - prevV) / DT;
      maxA = Math.max(maxA, Math.abs(a));
      maxAlpha = Math.max(maxAlpha, Math.abs((o.w - prevW) / DT));
      const d = core.driveState();
      maxJerk = Math.max(maxJerk, Math.abs(d.accelV - prevA) / DT);
      if (d.setpointV > 0.2 && d.setpointV < 0.8 && d.setpointV - o.v > 0.02) lagSeen = true;
      prevV = o.v;
      prevW = o.w;
      prevA = d.accelV;
    };
    core.setCommand(1, 2);
    run(core, 3, keep(1, 2));
    run(core, 3, keep(-1, -2)); // full reversal
    expect(maxA).toBeLessThanOrEqual(p.maxLinearAccel + 1e-9);
    expect(maxA).toBeGreaterThan(0.9 * p.maxLinearAccel);
    expect(maxAlpha).toBeLessThanOrEqual(p.maxAngularAccel + 1e-9);
    expect(maxJerk).toBeLessThanOrEqual(p.maxLinearJerk + 1e-6);
    expect(lagSeen).toBe(true);
    expect(core.odometry().v).toBeCloseTo(-1, 3);
  });
});

describe('SimCore command watchdog', () => {
  it('stops the motors 250 ms after the last command and raises the watchdog fault', () => {
    const core = new SimCore({ map: roomGrid(30, 30), seed: 1, startPose: { x: 5, y: 15, theta: 0 } });
    const keep = () => core.setCommand(0.6, 0);
    keep();
    run(core, 2, keep);
    expect(core.odometry().v).toBeCloseTo(0.6, 3);
    const last = core.time;
    run(core, 0.24);
    expect(core.driveState().targetV).toBe(0.6);
    expect(core.status().faults & (1 << 5)).toBe(0);
    run(core, 0.02);
    expect(core.time - last).toBeCloseTo(0.26, 9);
    expect(core.driveState().targetV).toBe(0);
    expect(core.status().faults & (1 << 5)).not.toBe(0);
    run(core, 1.5);
    expect(core.odometry().v).toBeCloseTo(0, 3);
    // A new command clears the fault.
    core.setCommand(0.1, 0);
    expect(core.status().faults & (1 << 5)).toBe(0);
  });

  it('Stop decelerates to zero without a watchdog fault', () => {
    const core = new SimCore({ map: roomGrid(30, 30), seed: 1, startPose: { x: 5, y: 15, theta: 0 } });
    const keep = () => core.setCommand(0.6, 0);
    keep();
    run(core, 1.5, keep);
    core.stop();
    run(core, 1.5);
    expect(core.odometry().v).toBeCloseTo(0, 3);
    expect(core.status().faults).toBe(0);
  });
});

describe('SimCore lidar', () => {
  it('measures a known wall within the noise', () => {
    const grid = roomGrid(10, 10);
    fillRect(grid, 5.0, 5.2, 0, 10); // wall face at x = 5.0
    const core = new SimCore({ map: grid, seed: 3, startPose: { x: 2, y: 5, theta: 0 } });
    const r = core.step(0.1);
    expect(r.scans).toHaveLength(1);
    const scan = r.scans[0]!;
    expect(scan.ranges).toHaveLength(360);
    const expected = 5.0 - (2 + core.params.lidar.mountX);
    const forward = scan.ranges[beamAt(core, 0)]!;
    expect(Math.abs(forward - expected)).toBeLessThan(4 * core.params.lidar.rangeNoiseSigma);
    // At 30° the same wall is farther by 1/cos.
    const oblique = scan.ranges[beamAt(core, Math.PI / 6)]!;
    expect(Math.abs(oblique - expected / Math.cos(Math.PI / 6))).toBeLessThan(0.05);
    // Behind: the border wall at x = 0.05 (1 cell), 2.1 m away.
    const back = scan.ranges[beamAt(core, Math.PI)]!;
    expect(Math.abs(back - (2.1 - 0.05))).toBeLessThan(0.05);
  });

  it('reads +Infinity beyond the 8 m range and produces scans at 10 Hz', () => {
    const core = new SimCore({ map: roomGrid(30, 30, 0.05), seed: 3, startPose: { x: 2, y: 15, theta: 0 } });
    let scans = 0;
    for (let k = 0; k < 100; k++) scans += core.step(DT).scans.length;
    expect(scans).toBe(10);
    expect(core.latestScan()!.ranges[beamAt(core, 0)]).toBe(Infinity);
  });

  it('sees exact cylinders on the same beams as brute-force ray casting', () => {
    const circles = Array.from({ length: 60 }, (_, k) => ({ x: 1 + (k % 10) * 0.9 + (k % 3) * 0.1, y: 1 + Math.floor(k / 10) * 1.5, radius: 0.075 }));
    const core = new SimCore({ map: roomGrid(10, 10, 0.05, false), seed: 1, startPose: { x: 4.33, y: 4.1, theta: 0.3 }, circles, robot: { lidar: { rangeNoiseSigma: 0 } } });
    const scan = core.scan();
    const l = core.params.lidar;
    let hits = 0;
    for (let i = 0; i < l.beams; i++) {
      const a = scan.lidarPose.theta + l.angleMin + i * l.angleIncrement;
      const brute = core.world.raycast(scan.lidarPose.x, scan.lidarPose.y, Math.cos(a), Math.sin(a), l.rangeMax, [], circles);
      if (Number.isFinite(brute)) hits++;
      expect(scan.ranges[i]).toBeCloseTo(Number.isFinite(brute) ? brute : Infinity, 5);
    }
    expect(hits).toBeGreaterThan(30);
  });

  it('sees a standing person as two legs (or a torso)', () => {
    const grid = roomGrid(12, 12);
    const core = new SimCore({
      map: grid,
      seed: 4,
      startPose: { x: 3, y: 6, theta: 0 },
      people: [{ waypoints: [{ x: 5, y: 6 }], speed: 0, facing: Math.PI / 2 }],
    });
    const scan = core.step(0.1).scans[0]!;
    // Facing +y, the legs stand side by side along x at y = 6: one is ~1.8 m ahead.
    const hits: number[] = [];
    for (let i = 0; i < scan.ranges.length; i++) if (scan.ranges[i]! < 3) hits.push(i);
    expect(hits.length).toBeGreaterThanOrEqual(3);
    const forward = scan.ranges[beamAt(core, 0)]!;
    expect(forward).toBeGreaterThan(5 - 0.09 - 0.06 - 3.1 - 0.05);
    expect(forward).toBeLessThan(5 - 0.09 - 0.06 - 3.1 + 0.05);
    const gt = core.groundTruth();
    expect(gt.people).toHaveLength(1);
    expect(gt.people[0]!.x).toBe(5);
    // Person model 'body' also shows up.
    const body = new SimCore({ map: grid, seed: 4, startPose: { x: 3, y: 6, theta: 0 }, robot: { lidar: { personModel: 'body' } }, people: [{ waypoints: [{ x: 5, y: 6 }], speed: 0 }] });
    const torso = body.scan().ranges[beamAt(body, 0)]!;
    expect(Math.abs(torso - (5 - 0.13 - 3.1))).toBeLessThan(0.05);
  });
});

describe('SimCore collisions', () => {
  it('stops at a wall, counts one collision and reports the bumper', () => {
    const grid = roomGrid(10, 10);
    fillRect(grid, 4.0, 4.2, 0, 10);
    const core = new SimCore({ map: grid, seed: 1, startPose: { x: 2, y: 5, theta: 0 } });
    const keep = () => core.setCommand(0.8, 0);
    keep();
    run(core, 5, keep);
    const gt = core.groundTruth();
    expect(gt.collisionCount).toBe(1);
    expect(gt.collisions[0]!.kind).toBe('grid');
    expect(gt.contacts).toContain('grid');
    expect(gt.minClearance.static).toBe(0);
    // The front edge never passes the wall face (x = 4.0).
    expect(gt.robotPose.x + core.params.footprintLength / 2).toBeLessThanOrEqual(4.0 + 1e-9);
    expect(gt.robotPose.x + core.params.footprintLength / 2).toBeGreaterThan(3.95);
    expect(core.status().faults & (1 << 4)).not.toBe(0);
    // Backing off clears the contact.
    const back = () => core.setCommand(-0.3, 0);
    back();
    run(core, 1, back);
    expect(core.groundTruth().contacts).toEqual([]);
  });

  it('collides with exact circles and with a box that appears ahead', () => {
    const core = new SimCore({ map: roomGrid(10, 10, 0.05, false), seed: 1, startPose: { x: 1, y: 5, theta: 0 }, circles: [{ x: 3, y: 5.1, radius: 0.075 }] });
    const keep = () => core.setCommand(0.5, 0);
    keep();
    run(core, 6, keep);
    expect(core.groundTruth().collisions.map((c) => c.kind)).toEqual(['circle']);
    expect(core.groundTruth().robotPose.x).toBeCloseTo(3 - 0.075 - 0.225, 1);

    const boxed = new SimCore({ map: roomGrid(10, 10, 0.05, false), seed: 1, startPose: { x: 1, y: 5, theta: 0 } });
    const id = boxed.dropBoxAhead(1.0);
    expect(boxed.groundTruth().boxes.map((b) => b.id)).toEqual([id]);
    expect(boxed.groundTruth().clearance.static).toBeCloseTo(1.0, 6);
    // The box is in the scan: 1 m past the front edge (x = 1.225), seen from the lidar at x = 1.1.
    expect(Math.abs(boxed.scan().ranges[beamAt(boxed, 0)]! - 1.125)).toBeLessThan(0.05);
    const go = () => boxed.setCommand(0.5, 0);
    go();
    run(boxed, 4, go);
    expect(boxed.groundTruth().collisions.map((c) => c.kind)).toEqual(['box']);
  });

  it('reports clearance to the nearest wall from the footprint', () => {
    const grid = roomGrid(10, 10);
    fillRect(grid, 4.0, 4.2, 0, 10);
    const core = new SimCore({ map: grid, seed: 1, startPose: { x: 3, y: 5, theta: 0 } });
    // Front edge at 3.225, wall face at 4.0.
    expect(core.groundTruth().clearance.static).toBeCloseTo(0.775, 2);
  });
});
