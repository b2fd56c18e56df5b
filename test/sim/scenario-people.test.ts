import { describe, expect, it } from 'vitest';
import { APARTMENT_DOORS, buildApartmentGrid } from '../../src/sim/apartment';
import { relativePoint, scenarioPeople } from '../../src/sim/scenario-people';
import { SimCore } from '../../src/sim/sim-core';

const map = buildApartmentGrid();

describe('scenario people', () => {
  it('a person crossing in front shows up in the scan and then leaves', () => {
    const start = { x: 4.0, y: 4.6, theta: 0 };
    const core = new SimCore({ map, seed: 2, startPose: start, people: scenarioPeople(start, [{ kind: 'crossing', ahead: 2, halfWidth: 0.6, speed: 1.0, startTime: 0.5 }]) });
    let sawAhead = false;
    for (let k = 0; k < 250; k++) {
      for (const scan of core.step(0.01).scans) {
        const forward = scan.ranges[Math.round((0 - scan.angleMin) / scan.angleIncrement)]!;
        if (forward < 2.2 && forward > 1.5) sawAhead = true;
      }
    }
    expect(sawAhead).toBe(true);
    expect(core.groundTruth().people).toHaveLength(0); // vanished at the far side
  });

  it('an oncoming person in the corridor steps around a standing robot', () => {
    const start = { x: 4.0, y: 4.85, theta: 0 };
    const core = new SimCore({ map, seed: 2, startPose: start, people: scenarioPeople(start, [{ kind: 'oncoming', ahead: 5, left: 0, length: 8, speed: 1.1 }]) });
    let maxSpeed = 0;
    for (let k = 0; k < 1200 && core.groundTruth().people.length > 0; k++) {
      core.step(0.01);
      for (const p of core.groundTruth().people) maxSpeed = Math.max(maxSpeed, Math.hypot(p.vx, p.vy));
    }
    const gt = core.groundTruth();
    expect(gt.people).toHaveLength(0); // walked past and off the script's end
    expect(gt.collisionCount).toBe(0);
    expect(gt.minPersonCentreDistance).toBeGreaterThan(0.3);
    expect(maxSpeed).toBeLessThan(1.6);
  });

  it('builds overtaking, doorway-group and stepping-out encounters in the map frame', () => {
    const start = { x: 2.0, y: 4.6, theta: 0 };
    const people = scenarioPeople(start, [
      { kind: 'overtaking', behind: 1.0, left: 0.45, speed: 1.4 },
      { kind: 'doorway-group', center: APARTMENT_DOORS.office!, across: 0, count: 3 },
      { kind: 'stepping-out', inside: { x: 3.9, y: 6.3 }, door: APARTMENT_DOORS.bedroom!, outside: { x: 3.9, y: 4.6 }, startTime: 2 },
    ]);
    expect(people).toHaveLength(5);
    expect(people[0]!.waypoints[0]).toEqual(relativePoint(start, -1.0, 0.45));
    const core = new SimCore({ map, seed: 2, startPose: start, people });
    expect(core.groundTruth().people).toHaveLength(4); // the one stepping out appears at t = 2 s
    for (let k = 0; k < 400; k++) core.step(0.01);
    const gt = core.groundTruth();
    expect(gt.people).toHaveLength(5);
    const overtaker = gt.people.find((p) => p.id === 1)!;
    expect(overtaker.x).toBeGreaterThan(start.x + 1); // passed the standing robot
    const group = gt.people.filter((p) => p.id >= 2 && p.id <= 4);
    for (const p of group) expect(Math.hypot(p.vx, p.vy)).toBe(0);
    const stepper = gt.people.find((p) => p.id === 5)!;
    expect(stepper.y).toBeLessThan(6.3 - 1.5); // two seconds out of the bedroom at 1 m/s
  });
});
