import { describe, it } from 'vitest';
import { expectGazeLead, expectSafeArrival } from './people-helpers';

// Known failing (53bcbf3, local planner as of then): min person clearance 0.11-0.19 m < 0.3 m. The robot keeps
// 1 m/s and moves right only after the person is alongside (y 4.57 -> 4.34 between 3.0 s and 5.5 s of the
// encounter); the chosen trajectory carries peopleRisk 0.35-0.5 meanwhile. Planner work, see the report.
describe('people scenario: someone overtaking the robot in the hallway (default predictor)', () => {
  it('reaches the goal with no collision and nobody within 0.3 m of the footprint', async () => {
    await expectSafeArrival('people-overtaking');
  }, 60_000);
  it('the screen leads every turn larger than 45° by at least 0.5 s', async () => {
    await expectGazeLead('people-overtaking');
  }, 60_000);
});
