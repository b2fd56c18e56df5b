/**
 * The simulator's robot clock keeps real time across a stall of its process (issue 14): it
 * used to skip the stall by moving its epoch, so its clock lost the stall against the host's.
 */
import { describe, expect, it } from 'vitest';
import { RealTimeDriver } from '../../src/sim/realtime';
import { createSimCore } from '../../src/sim/start';
import { SimRobot } from '../../src/sim/sim-robot';

describe('RealTimeDriver after a stall', () => {
  it('keeps the robot clock on the monotonic clock and catches the simulation up', () => {
    let now = 1000;
    const robot = new SimRobot(createSimCore({ people: 0 }));
    const driver = new RealTimeDriver(robot, { nowMs: () => now });
    driver.start();
    driver.stop(); // ticked by hand
    for (let i = 0; i < 100; i++) { now += 5; driver.tick(); }
    expect(robot.core.time).toBeCloseTo(0.5, 1);
    // The process is not scheduled for 1.5 s.
    now += 1500;
    driver.tick();
    expect(driver.robotTime()).toBeCloseTo(2.0, 6);
    expect(robot.core.time).toBeGreaterThan(2.0 - 0.011);
    now += 5;
    driver.tick();
    expect(driver.robotTime()).toBeCloseTo(2.005, 6);
  });

  it('skips a stall longer than maxLag, stepping the clock back by what was skipped', () => {
    let now = 0;
    const robot = new SimRobot(createSimCore({ people: 0 }));
    const driver = new RealTimeDriver(robot, { nowMs: () => now, maxLag: 2 });
    driver.start();
    driver.stop();
    now += 5000;
    driver.tick();
    expect(driver.robotTime()).toBeCloseTo(2, 6);
    expect(robot.core.time).toBeGreaterThan(1.98);
  });
});
