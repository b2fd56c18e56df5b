import { describe, it } from 'vitest';
import { expectGazeLead, expectSafeArrival } from './people-helpers';

// The person passes on a line that leaves 0.3 m only if the robot is already in the
// right-hand lane of the hallway (LocalPlannerConfig.keepRightM); it has about 1.2 s
// between seeing them and being passed, too little to swerve there safely.
describe('people scenario: someone overtaking the robot in the hallway (default predictor)', () => {
  it('reaches the goal with no collision and nobody within 0.3 m of the footprint', async () => {
    await expectSafeArrival('people-overtaking');
  }, 60_000);
  it('the screen leads every turn larger than 45° by at least 0.5 s', async () => {
    await expectGazeLead('people-overtaking');
  }, 60_000);
});
