/**
 * The Foresight firmware's Stop: the operator's (e-stop) brakes without the controller's ramp
 * and keeps braking through zero commands; a command asking for motion ends it.
 */
import { describe, expect, it } from 'vitest';
import { SimCore } from '../../src/sim/sim-core';
import { HOME_ROBOT } from '../../src/sim/robot-params';
import { roomGrid } from './helpers';

function cruising(): SimCore {
  const core = new SimCore({ map: roomGrid(30, 30), seed: 1, startPose: { x: 5, y: 15, theta: 0 } });
  for (let i = 0; i < 200; i++) {
    core.setCommand(0.6, 0);
    core.step(0.01);
  }
  expect(core.groundTruth().robotVelocity.v).toBeCloseTo(0.6, 2);
  return core;
}

/** Metres travelled until stopped, with zero commands every 20 ms (as the console sends). */
function coast(core: SimCore): number {
  const x0 = core.groundTruth().robotPose.x;
  for (let i = 0; i < 300; i++) {
    if (i % 2 === 0) core.setCommand(0, 0);
    core.step(0.01);
  }
  expect(core.groundTruth().robotVelocity.v).toBeCloseTo(0, 6);
  return core.groundTruth().robotPose.x - x0;
}

describe('SimCore braking', () => {
  it('brakes at brakeDecel through the zero commands that follow, far shorter than the ramp', () => {
    const braked = cruising();
    braked.brake();
    const brakeDist = coast(braked);
    const ramped = cruising();
    ramped.stop();
    const rampDist = coast(ramped);
    // v²/2a plus the wheels' first-order lag (τ · v).
    expect(brakeDist).toBeLessThan(0.36 / (2 * HOME_ROBOT.brakeDecel!) + 0.6 * HOME_ROBOT.actuatorTimeConstant + 0.01);
    expect(rampDist).toBeGreaterThan(brakeDist * 1.8);
  });

  it('ends the brake when a command asks for motion', () => {
    const core = cruising();
    core.brake();
    for (let i = 0; i < 50; i++) core.step(0.01);
    for (let i = 0; i < 200; i++) {
      core.setCommand(0.3, 0);
      core.step(0.01);
    }
    expect(core.groundTruth().robotVelocity.v).toBeCloseTo(0.3, 2);
  });
});
