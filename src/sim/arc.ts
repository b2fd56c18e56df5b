import { normalizeAngle, type Pose2D } from '../shared/geometry';

/**
 * Exact unicycle integration over dt (s) with constant v (m/s) and w (rad/s): the pose after
 * following that arc from `pose`, in the frame `pose` is given in.
 */
export function integrateArc(pose: Pose2D, v: number, w: number, dt: number): Pose2D {
  const dtheta = w * dt;
  if (Math.abs(dtheta) < 1e-9) {
    const mid = pose.theta + dtheta / 2;
    return { x: pose.x + v * dt * Math.cos(mid), y: pose.y + v * dt * Math.sin(mid), theta: normalizeAngle(pose.theta + dtheta) };
  }
  const r = v / w;
  const theta1 = pose.theta + dtheta;
  return {
    x: pose.x + r * (Math.sin(theta1) - Math.sin(pose.theta)),
    y: pose.y - r * (Math.cos(theta1) - Math.cos(pose.theta)),
    theta: normalizeAngle(theta1),
  };
}
