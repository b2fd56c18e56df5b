import { describe, it } from 'vitest';
import { expectGazeLead, expectSafeArrival } from './people-helpers';

// The robot waits for the group at a polite distance (personal space) and, while it waits,
// the no-progress clock stands still (NavigationConfig.yieldPatienceS), so it does not turn
// round for the detour just before the group leaves.
describe('people scenario: a group standing in a doorway (default predictor)', () => {
  it('reaches the goal with no collision and nobody within 0.3 m of the footprint', async () => {
    await expectSafeArrival('people-doorway-group');
  }, 60_000);
  it('the screen leads every turn larger than 45° by at least 0.5 s', async () => {
    await expectGazeLead('people-doorway-group');
  }, 60_000);
});
