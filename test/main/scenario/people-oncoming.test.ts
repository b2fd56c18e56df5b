import { describe, it } from 'vitest';
import { expectGazeLead, expectSafeArrival } from './people-helpers';

describe('people scenario: someone oncoming in the hallway (default predictor)', () => {
  it('reaches the goal with no collision and nobody within 0.3 m of the footprint', async () => {
    await expectSafeArrival('people-oncoming');
  }, 60_000);
  it('the screen leads every turn larger than 45° by at least 0.5 s', async () => {
    await expectGazeLead('people-oncoming');
  }, 60_000);
});
