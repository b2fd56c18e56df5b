import { describe, it } from 'vitest';
import { expectGazeLead, expectSafeArrival } from './people-helpers';

// The robot waits for the group at a polite distance (personal space) and, while it waits,
// the no-progress clock stands still (NavigationConfig.yieldPatienceS), so it does not turn
// round for the detour just before the group leaves.
describe('people scenario: a group standing in a doorway (default predictor)', () => {
  it('reaches the goal with no collision and nobody within 0.3 m of the footprint', async () => {
    await expectSafeArrival('people-doorway-group');
  }, 60_000);
  // Known failure from issue 10 until the safety loop measured the scan from where the robot
  // stands now and the top speed respected what it can stop for (issue 11): the robot no
  // longer takes the path-blocked detour with an immediate spin behind the group, and the
  // screen leads its turns again. The gaze planner still cannot lead an in-place spin that a
  // plan starts at once; a scenario that forces one would show it.
  it('the screen leads every turn larger than 45° by at least 0.5 s', async () => {
    await expectGazeLead('people-doorway-group');
  }, 60_000);
});
