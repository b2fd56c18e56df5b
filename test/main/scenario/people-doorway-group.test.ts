import { describe, it } from 'vitest';
import { expectGazeLead, expectSafeArrival } from './people-helpers';

// The robot waits for the group at a polite distance (personal space) and, while it waits,
// the no-progress clock stands still (NavigationConfig.yieldPatienceS), so it does not turn
// round for the detour just before the group leaves.
describe('people scenario: a group standing in a doorway (default predictor)', () => {
  it('reaches the goal with no collision and nobody within 0.3 m of the footprint', async () => {
    await expectSafeArrival('people-doorway-group');
  }, 60_000);
  // Known failure since the scenarios run through the live loop (issue 10): standing behind
  // the group, a path-blocked replan at 7.9 s sends the robot round by the living room, and it
  // turns on the spot at once (131° at 8.6 s, then 199° at 17.3 s when it comes back): the
  // screen cannot lead a turn the plan starts immediately (leads −1.10, −0.58, +0.48 s). The
  // old runner's robot stopped 8 cm further back and kept waiting. A robot that looks before
  // it turns on the spot needs the gaze planner to handle in-place spins (see the report);
  // this turns red once it does.
  it.fails('the screen leads every turn larger than 45° by at least 0.5 s', async () => {
    await expectGazeLead('people-doorway-group');
  }, 60_000);
});
