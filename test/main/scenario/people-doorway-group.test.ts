import { describe, it } from 'vitest';
import { expectGazeLead, expectSafeArrival } from './people-helpers';

// Known failing (53bcbf3 with the uncommitted navigation-stack.ts then in the tree): the standing group is not
// tracked (no tracks from 6.5 s to 16 s), so it is mapped as an obstacle and the robot stops 0.16 m from
// the person in the hallway, not at a polite distance; with the committed nav it waited 0.33 m away.
describe('people scenario: a group standing in a doorway (default predictor)', () => {
  it('reaches the goal with no collision and nobody within 0.3 m of the footprint', async () => {
    await expectSafeArrival('people-doorway-group');
  }, 60_000);
  it('the screen leads every turn larger than 45° by at least 0.5 s', async () => {
    await expectGazeLead('people-doorway-group');
  }, 60_000);
});
