import { describe, it } from 'vitest';
import { expectGazeLead, expectSafeArrival } from './people-helpers';

describe('people scenario: a group standing in a doorway (default predictor)', () => {
  it('reaches the goal with no collision and nobody within 0.3 m of the footprint', async () => {
    await expectSafeArrival('people-doorway-group');
  }, 60_000);
  it('the screen leads every turn larger than 45° by at least 0.5 s', async () => {
    await expectGazeLead('people-doorway-group');
  }, 60_000);
});
