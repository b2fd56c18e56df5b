/**
 * Geometry primitives shared by every layer. SI units: metres, seconds, radians.
 * Frames follow REP 103/105: `map` (fixed), `odom` (continuous), `base_link` (robot,
 * x forward, y left, z up). Angles are normalized to (−π, π].
 */

/** A point or vector in a plane, metres. The frame is stated where it is used. */
export interface Vec2 {
  x: number;
  y: number;
}

/** A planar pose: position in metres and heading `theta` in radians, (−π, π]. */
export interface Pose2D {
  x: number;
  y: number;
  theta: number;
}

/** A planar velocity in base_link: `v` forward speed m/s, `w` yaw rate rad/s (CCW +). */
export interface Twist2D {
  v: number;
  w: number;
}

/** Normalizes an angle in radians to (−π, π]. */
export function normalizeAngle(angle: number): number {
  const twoPi = 2 * Math.PI;
  let a = angle % twoPi;
  if (a <= -Math.PI) a += twoPi;
  else if (a > Math.PI) a -= twoPi;
  return a;
}

/** Smallest signed difference a − b between two angles, radians, in (−π, π]. */
export function angleDiff(a: number, b: number): number {
  return normalizeAngle(a - b);
}

/** Transforms a point given in the frame of `pose` into the frame `pose` is expressed in. */
export function transformPoint(pose: Pose2D, local: Vec2): Vec2 {
  const c = Math.cos(pose.theta);
  const s = Math.sin(pose.theta);
  return { x: pose.x + c * local.x - s * local.y, y: pose.y + s * local.x + c * local.y };
}

/** a ∘ b in SE(2): the pose b, given in a's frame, expressed in the frame a is given in. */
export function composePose(a: Pose2D, b: Pose2D): Pose2D {
  const c = Math.cos(a.theta);
  const s = Math.sin(a.theta);
  return { x: a.x + c * b.x - s * b.y, y: a.y + s * b.x + c * b.y, theta: normalizeAngle(a.theta + b.theta) };
}

/** a⁻¹ in SE(2): the frame a is given in, expressed in a's frame. */
export function invertPose(a: Pose2D): Pose2D {
  const c = Math.cos(a.theta);
  const s = Math.sin(a.theta);
  return { x: -(c * a.x + s * a.y), y: s * a.x - c * a.y, theta: normalizeAngle(-a.theta) };
}

/** a⁻¹ ∘ b: pose b expressed in a's frame (both given in the same frame). */
export function relativePose(a: Pose2D, b: Pose2D): Pose2D {
  const c = Math.cos(a.theta);
  const s = Math.sin(a.theta);
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  return { x: c * dx + s * dy, y: -s * dx + c * dy, theta: normalizeAngle(b.theta - a.theta) };
}

/** Euclidean distance between two points, metres. */
export function distance(a: Vec2, b: Vec2): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

/**
 * A rectangular robot footprint centred on base_link's x axis, metres.
 * `length` along x, `width` along y; `centerOffsetX` is the rectangle centre's x in base_link
 * (0 when base_link is the rectangle centre).
 */
export interface RectFootprint {
  length: number;
  width: number;
  centerOffsetX: number;
}

/** Radius of the smallest circle about base_link that contains the footprint, metres. */
export function circumscribedRadius(fp: RectFootprint): number {
  const front = fp.centerOffsetX + fp.length / 2;
  const back = fp.centerOffsetX - fp.length / 2;
  const far = Math.max(Math.abs(front), Math.abs(back));
  return Math.hypot(far, fp.width / 2);
}

/** Radius of the largest circle about base_link inside the footprint, metres. */
export function inscribedRadius(fp: RectFootprint): number {
  const front = fp.centerOffsetX + fp.length / 2;
  const back = fp.centerOffsetX - fp.length / 2;
  return Math.max(0, Math.min(front, -back, fp.width / 2));
}
