/** SE(2) pose algebra in src/shared/geometry.ts: the identities the frames code relies on. */
import { describe, expect, it } from 'vitest';
import { composePose, invertPose, normalizeAngle, relativePose, type Pose2D } from '../../src/shared/geometry';

const close = (a: Pose2D, b: Pose2D): void => {
  expect(a.x).toBeCloseTo(b.x, 12);
  expect(a.y).toBeCloseTo(b.y, 12);
  expect(normalizeAngle(a.theta - b.theta)).toBeCloseTo(0, 12);
};

describe('SE(2) poses', () => {
  const a: Pose2D = { x: 1.5, y: -2, theta: 2.9 };
  const b: Pose2D = { x: -0.3, y: 0.7, theta: -2.8 };

  it('composes: a point 1 m ahead of a robot facing +y at (5, 2) is at (5, 3)', () => {
    close(composePose({ x: 5, y: 2, theta: Math.PI / 2 }, { x: 1, y: 0, theta: 0 }), { x: 5, y: 3, theta: Math.PI / 2 });
    // Angles stay in (−π, π].
    expect(composePose(a, b).theta).toBeCloseTo(normalizeAngle(2.9 - 2.8), 12);
    expect(composePose({ x: 0, y: 0, theta: 3 }, { x: 0, y: 0, theta: 3 }).theta).toBeCloseTo(6 - 2 * Math.PI, 12);
  });

  it('inverts, and relative pose is a⁻¹ ∘ b, so a ∘ (a⁻¹ ∘ b) = b', () => {
    close(composePose(a, invertPose(a)), { x: 0, y: 0, theta: 0 });
    close(relativePose(a, b), composePose(invertPose(a), b));
    close(composePose(a, relativePose(a, b)), b);
  });
});
