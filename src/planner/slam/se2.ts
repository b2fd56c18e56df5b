/**
 * SE(2) algebra for planar poses (x, y metres; θ radians in (−π, π]).
 *
 * `compose(a, b)` is a ⊕ b: the pose b, given in a's frame, expressed in the frame a is
 * given in. `between(a, b)` is a⁻¹ ⊕ b: b seen from a. These are the only two operations
 * the mapper needs; they allocate one small object and are used per scan, never per beam.
 */
import { normalizeAngle, type Pose2D } from '../../shared/geometry';

export const IDENTITY: Pose2D = Object.freeze({ x: 0, y: 0, theta: 0 });

// a ⊕ b, a⁻¹ and a⁻¹ ⊕ b are the shared ones (src/shared/geometry.ts), under the names the mapper uses.
export { composePose as compose, invertPose as inverse, relativePose as between } from '../../shared/geometry';

/** A copy with θ normalized (poses from outside may carry any angle). */
export function clonePose(p: Pose2D): Pose2D {
  return { x: p.x, y: p.y, theta: normalizeAngle(p.theta) };
}

/** Translation length of a relative pose, metres. */
export function translationNorm(p: Pose2D): number {
  return Math.hypot(p.x, p.y);
}

/**
 * Interpolates between poses a and b (f = 0 → a, 1 → b), along the straight chord and the
 * short way round in θ. Used to place a scan between two graph nodes; accurate when the
 * two are close, which they are (consecutive nodes).
 */
export function interpolatePose(a: Pose2D, b: Pose2D, f: number): Pose2D {
  const dth = normalizeAngle(b.theta - a.theta);
  return { x: a.x + f * (b.x - a.x), y: a.y + f * (b.y - a.y), theta: normalizeAngle(a.theta + f * dth) };
}
