/**
 * Scripted drives for the simulator's tests: a square, closed on the ground truth (as if a
 * perfect localizer steered), in separate phases (straight with w = 0, stop, turn in place
 * with v = 0, stop) so that each phase's true motion is a pure translation or rotation.
 */
import { angleDiff, type Pose2D } from '../../src/shared/geometry';
import type { SimCore } from '../../src/sim/sim-core';

const DT = 0.01;

export interface DriveTrace {
  /** Ground truth and odometry after every step. */
  truth: Pose2D[];
  odom: Pose2D[];
  /** map←odom truth after every step. */
  mapFromOdom: Pose2D[];
  /** Total true distance (m), signed distance along the heading (m) and signed rotation (rad, CCW). */
  distance: number;
  along: number;
  rotation: number;
}

function record(core: SimCore, trace: DriveTrace): void {
  const gt = core.groundTruth();
  const o = core.odometry();
  const prev = trace.truth[trace.truth.length - 1];
  if (prev) {
    const dx = gt.robotPose.x - prev.x;
    const dy = gt.robotPose.y - prev.y;
    const dTheta = angleDiff(gt.robotPose.theta, prev.theta);
    const mid = prev.theta + dTheta / 2;
    trace.distance += Math.hypot(dx, dy);
    trace.along += dx * Math.cos(mid) + dy * Math.sin(mid);
    trace.rotation += dTheta;
  }
  trace.truth.push({ ...gt.robotPose });
  trace.odom.push({ x: o.x, y: o.y, theta: o.theta });
  trace.mapFromOdom.push(gt.trueMapFromOdom);
}

/** A speed toward a remaining distance or angle: braking at a (m/s² or rad/s²), never beyond `max`. */
function approach(remaining: number, max: number, decel: number): number {
  return Math.sign(remaining) * Math.min(max, Math.sqrt(2 * decel * Math.abs(remaining)));
}

/** A trace holding only the current state. */
export function startTrace(core: SimCore): DriveTrace {
  const trace: DriveTrace = { truth: [], odom: [], mapFromOdom: [], distance: 0, along: 0, rotation: 0 };
  record(core, trace);
  return trace;
}

/** Steps at 10 ms with a command each step until `done` or `limit` s pass. */
export function phase(core: SimCore, trace: DriveTrace, command: () => [number, number], done: () => boolean, limit = 30): void {
  const end = core.time + limit;
  while (!done() && core.time < end) {
    const [v, w] = command();
    core.setCommand(v, w);
    core.step(DT);
    record(core, trace);
  }
}

/**
 * Drives a square of `side` metres counter-clockwise (four left turns: 2π in all) from where
 * the robot stands, at up to `speed` m/s and `turnRate` rad/s, ending at rest.
 */
export function driveSquare(core: SimCore, side = 2.5, speed = 0.5, turnRate = 1.0): DriveTrace {
  const trace = startTrace(core);
  const truth = () => core.groundTruth().robotPose;
  const velocity = () => core.groundTruth().robotVelocity;
  const settle = () => phase(core, trace, () => [0, 0], () => Math.abs(velocity().v) < 1e-4 && Math.abs(velocity().w) < 1e-4);
  let heading = truth().theta;
  for (let k = 0; k < 4; k++) {
    const from = truth();
    const remaining = () => side - ((truth().x - from.x) * Math.cos(heading) + (truth().y - from.y) * Math.sin(heading));
    // Aim 0.1 s ahead (the wheels lag the command), brake gently, then let it come to rest.
    phase(core, trace, () => [approach(remaining() - 0.1 * velocity().v, speed, 0.5), 0], () => Math.abs(remaining()) < 5e-3 && Math.abs(velocity().v) < 0.02);
    settle();
    heading += Math.PI / 2;
    const turnLeft = () => angleDiff(heading, truth().theta);
    phase(core, trace, () => [0, approach(turnLeft() - 0.1 * velocity().w, turnRate, 1.0)], () => Math.abs(turnLeft()) < 5e-3 && Math.abs(velocity().w) < 0.02);
    settle();
  }
  return trace;
}
