import { describe, it } from 'vitest';
import { expectGazeLead, expectSafeArrival } from './people-helpers';

// Known failing (1af44b5): min person clearance 0.20 m < 0.3 m (was 0.11-0.19 m); while swerving the rear
// corner swings toward the person, which the orientation-free people-risk circle cannot see. The robot keeps
// 1 m/s and moves right only after the person is alongside (y 4.57 -> 4.34 between 3.0 s and 5.5 s of the
// encounter); the chosen trajectory carries peopleRisk 0.35-0.5 meanwhile. Planner work, see the report.
describe('people scenario: someone overtaking the robot in the hallway (default predictor)', () => {
  // Known failing (see above): `it.fails` turns red as soon as the run keeps 0.3 m.
  it.fails('reaches the goal with no collision and nobody within 0.3 m of the footprint (known failing: passes closer than 0.3 m)', async () => {
    await expectSafeArrival('people-overtaking');
  }, 60_000);
  it('the screen leads every turn larger than 45° by at least 0.5 s', async () => {
    await expectGazeLead('people-overtaking');
  }, 60_000);
});
