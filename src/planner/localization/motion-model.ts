/**
 * Odometry motion model, sampled (Thrun et al., Probabilistic Robotics, Table 5.6,
 * sample_motion_model_odometry): the odometry change between two filter updates is read as
 * rotate δrot1 → translate δtrans → rotate δrot2, each perturbed by zero-mean noise whose
 * variance grows with the motion:
 *   var(δrot1) = α1·δrot1² + α2·δtrans²      var(δtrans) = α3·δtrans² + α4·(δrot1² + δrot2²)
 *   var(δrot2) = α1·δrot2² + α2·δtrans²
 * α1 (rad²/rad²) and α3 (m²/m²) are unitless; α2 is rad²/m², α4 m²/rad².
 *
 * Two practical changes, as in ROS amcl: a backward move is read as a translation of
 * negative length (so δrot1 stays small instead of ±π and the noise stays sane), and below
 * 1 cm of translation δrot1 carries no rotation noise (its direction is meaningless there).
 */
import type { Pose2D } from '../../shared/geometry';
import { angleDiff, normalizeAngle } from '../../shared/geometry';
import type { Rng } from '../random';

/** Noise coefficients of the odometry model (see the file header for units). */
export interface OdometryNoise {
  /** Rotation noise from rotation. */
  alpha1: number;
  /** Rotation noise from translation, rad²/m². */
  alpha2: number;
  /** Translation noise from translation. */
  alpha3: number;
  /** Translation noise from rotation, m²/rad². */
  alpha4: number;
}

/** Standard normal draws from a uniform generator (Box–Muller, the spare kept). */
export class NormalSampler {
  private spare = Number.NaN;
  constructor(private readonly rng: Rng) {}

  next(): number {
    if (this.spare === this.spare) {
      const z = this.spare;
      this.spare = Number.NaN;
      return z;
    }
    const u = 1 - this.rng.next(); // (0, 1]: the log is finite
    const v = this.rng.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
}

/** Below this translation, metres, δrot1 is not a direction worth perturbing. */
const TINY_TRANSLATION = 0.01;

/**
 * Moves particles (x, y, θ in `map`, arrays of length ≥ n) by the odometry change
 * `from` → `to` (both base_link in `odom`), each with its own sampled noise. In place.
 */
export function sampleOdometryMotion(
  px: Float64Array,
  py: Float64Array,
  pt: Float64Array,
  n: number,
  from: Pose2D,
  to: Pose2D,
  noise: OdometryNoise,
  normal: NormalSampler,
): void {
  const dx = to.x - from.x;
  const dy = to.y - from.y;
  let trans = Math.hypot(dx, dy);
  let rot1 = trans < 1e-9 ? 0 : angleDiff(Math.atan2(dy, dx), from.theta);
  if (Math.abs(rot1) > Math.PI / 2) {
    // Driving backwards: a negative translation along the heading.
    rot1 = angleDiff(rot1, Math.PI);
    trans = -trans;
  }
  const rot2 = angleDiff(angleDiff(to.theta, from.theta), rot1);
  const t2 = trans * trans;
  const rot1ForNoise = Math.abs(trans) < TINY_TRANSLATION ? 0 : rot1;
  const sdRot1 = Math.sqrt(noise.alpha1 * rot1ForNoise * rot1ForNoise + noise.alpha2 * t2);
  const sdTrans = Math.sqrt(noise.alpha3 * t2 + noise.alpha4 * (rot1ForNoise * rot1ForNoise + rot2 * rot2));
  const sdRot2 = Math.sqrt(noise.alpha1 * rot2 * rot2 + noise.alpha2 * t2);
  for (let i = 0; i < n; i++) {
    const r1 = rot1 + sdRot1 * normal.next();
    const tr = trans + sdTrans * normal.next();
    const r2 = rot2 + sdRot2 * normal.next();
    const heading = pt[i]! + r1;
    px[i] = px[i]! + tr * Math.cos(heading);
    py[i] = py[i]! + tr * Math.sin(heading);
    pt[i] = normalizeAngle(heading + r2);
  }
}
