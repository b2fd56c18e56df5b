import { describe, it } from 'vitest';
import { expectGazeLead, expectSafeArrival } from './people-helpers';

describe('people scenario: someone stepping out of a room (default predictor)', () => {
  it('reaches the goal with no collision and nobody within 0.3 m of the footprint', async () => {
    await expectSafeArrival('people-stepping-out');
  }, 60_000);
  it('the screen leads every turn larger than 45° by at least 0.5 s', async () => {
    await expectGazeLead('people-stepping-out');
  }, 60_000);
});
