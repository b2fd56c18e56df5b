/** The look-ahead point on plans that turn on the spot. */
import { describe, expect, it } from 'vitest';
import { lookaheadPoint, trajectorySampler } from '../../../src/planner/gaze';

/** A plan that spins on the spot at `w` rad/s for its whole 3 s horizon, from heading 0 at t = 0. */
function spin(w: number) {
  const n = 61;
  const dt = 0.05;
  return { t0: 0, dt, count: n, xs: new Float64Array(n), ys: new Float64Array(n), thetas: Float64Array.from({ length: n }, (_, i) => w * i * dt) };
}

describe('lookaheadPoint', () => {
  it('on a plan that spins on the spot, looks where the robot will face a second from now, not where the spin ends', () => {
    const sampler = trajectorySampler(spin(-2), 0, { x: 0, y: 0, theta: 0 });
    const { point } = lookaheadPoint(sampler, 0);
    // −2 rad after 1 s; the spin's end (−6 rad, almost a full turn) would say 0.28 rad.
    expect(Math.atan2(point.y, point.x)).toBeCloseTo(-2, 6);
    expect(Math.hypot(point.x, point.y)).toBeCloseTo(2, 6);
  });

  it('on a plan that stops short after driving, still looks along its final heading', () => {
    const n = 61;
    const dt = 0.05;
    // 0.9 m along +x in the first 0.9 s, turning to face +y, then standing.
    const tr = {
      t0: 0, dt, count: n,
      xs: Float64Array.from({ length: n }, (_, i) => Math.min(0.9, i * dt)),
      ys: new Float64Array(n),
      thetas: Float64Array.from({ length: n }, (_, i) => Math.min(Math.PI / 2, i * dt * 1.2)),
    };
    const { point } = lookaheadPoint(trajectorySampler(tr, 0, { x: 0, y: 0, theta: 0 }), 0);
    expect(point.x).toBeCloseTo(0.9, 6);
    expect(point.y).toBeGreaterThan(1.5);
  });
});
