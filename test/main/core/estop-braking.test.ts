/**
 * An emergency stop brakes at the robot's braking deceleration; letting go of the drive key
 * only ramps down at the controller's. Measured on the simulated reference robot through the
 * console's own core (virtual time), from the same speed, against the simulator's truth.
 */
import { describe, expect, it } from 'vitest';
import { ConsoleCore, SAFETY_PERIOD_S } from '../../../src/main/core/console';
import { mapPayload } from '../../../src/main/core/map-file';
import { InProcessSimDriver } from '../../../src/main/robot/sim-driver';
import { createSimCore } from '../../../src/sim/start';
import { HOME_ROBOT } from '../../../src/sim/robot-params';

const DT = 0.01;

/** Distance (m) the robot travels after `stopHow`, from a steady 0.6 m/s in a straight line. */
async function stoppingDistance(stopHow: 'estop' | 'release'): Promise<{ distance: number; speed: number }> {
  const sim = createSimCore({ seed: 1, people: 0, config: { startPose: { x: 1.2, y: 4.6, theta: 0 } } });
  const driver = new InProcessSimDriver(sim, { commandTransitS: 0.01 });
  const core = new ConsoleCore({ clock: () => sim.time, driverFactory: async () => driver, timers: false, map: mapPayload('apartment', sim.world.grid) });
  await core.connect({ kind: 'sim', initialPose: { x: 1.2, y: 4.6, theta: 0 } });
  const run = (seconds: number, teleop: number | null): void => {
    const steps = Math.round(seconds / DT);
    for (let i = 0; i < steps; i++) {
      if (teleop !== null && i % 5 === 0) core.setTeleop({ linear: teleop, angular: 0 });
      if (i % Math.round(SAFETY_PERIOD_S / DT) === 0) core.tick();
      driver.step(DT);
    }
  };
  run(0.3, null);
  run(1.5, 0.6);
  const speed = sim.groundTruth().robotVelocity.v;
  const from = sim.groundTruth().robotPose;
  if (stopHow === 'estop') core.emergencyStop();
  else core.setTeleop({ linear: 0, angular: 0 });
  run(2, null);
  const to = sim.groundTruth().robotPose;
  expect(Math.abs(sim.groundTruth().robotVelocity.v)).toBeLessThan(1e-3);
  await core.shutdown();
  return { distance: Math.hypot(to.x - from.x, to.y - from.y), speed };
}

describe('emergency stop', () => {
  it('brakes at the robot braking deceleration, clearly shorter than releasing the drive key', async () => {
    const estop = await stoppingDistance('estop');
    const release = await stoppingDistance('release');
    console.log(`stopping from ${estop.speed.toFixed(2)} m/s: e-stop ${estop.distance.toFixed(3)} m, release ${release.distance.toFixed(3)} m`);
    expect(estop.speed).toBeGreaterThan(0.55);
    expect(release.speed).toBeCloseTo(estop.speed, 2);
    // Braking: the transit and a tick of reaction at speed, the wheels' lag, then v²/2a.
    const brake = HOME_ROBOT.brakeDecel!;
    const bound = estop.speed * (0.01 + SAFETY_PERIOD_S + 0.06) + (estop.speed * estop.speed) / (2 * brake);
    expect(estop.distance).toBeLessThan(bound + 0.01);
    // Releasing W ramps down at the controller's 1 m/s² with its jerk limit.
    expect(release.distance).toBeGreaterThan(estop.distance * 1.5);
  });
});
