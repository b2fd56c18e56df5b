import type { Pose2D, Vec2 } from '../../../shared/geometry';

/** A goal from a drag: position at the press, heading along the drag (or facing away from the robot on a click). */
export function goalFromDrag(start: Vec2, end: Vec2, dragged: boolean, robot: Pose2D | null): Pose2D {
  let theta: number;
  if (dragged) theta = Math.atan2(end.y - start.y, end.x - start.x);
  else if (robot && Math.hypot(start.x - robot.x, start.y - robot.y) > 1e-3) theta = Math.atan2(start.y - robot.y, start.x - robot.x);
  else theta = robot?.theta ?? 0;
  return { x: start.x, y: start.y, theta };
}
