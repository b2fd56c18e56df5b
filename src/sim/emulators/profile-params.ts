/**
 * The simulated robot for a robot profile and lidar profile: the profile's body and limits,
 * the lidar model's layout and rate at the profile's mount. A robot whose firmware has its
 * own dead-man gets it from its emulator, so the simulator's generic 250 ms watchdog is off
 * for every driver but Foresight's (Create 2 and Kobuki then keep driving, as they do). The
 * profile's odometry error rides along for runs with drift on.
 */
import type { LidarProfile, RobotProfile } from '../../shared/robots';
import { gridLayout } from '../../shared/protocols/scan-grid';
import { HOME_LIDAR, HOME_ROBOT, type RobotParams } from '../robot-params';

export function robotParamsFor(robot: RobotProfile, lidar: LidarProfile | null): RobotParams {
  const mount = robot.lidar?.mount ?? { x: 0, y: 0, yaw: 0 };
  const beams = lidar?.beams ?? HOME_LIDAR.beams;
  return {
    ...HOME_ROBOT,
    name: robot.title,
    ...robot.body,
    ...robot.limits,
    commandTimeout: robot.driver === 'foresight' ? (robot.watchdog?.timeoutS ?? HOME_ROBOT.commandTimeout) : Number.POSITIVE_INFINITY,
    // Only the Foresight reference robot has a panning screen.
    ...(robot.driver === 'foresight' ? {} : { panMin: 0, panMax: 0 }),
    lidar: {
      ...HOME_LIDAR,
      beams,
      ...gridLayout(beams),
      rangeMin: lidar?.rangeMin ?? HOME_LIDAR.rangeMin,
      rangeMax: lidar?.rangeMax ?? HOME_LIDAR.rangeMax,
      rateHz: lidar?.rateHz ?? HOME_LIDAR.rateHz,
      mountX: mount.x,
      mountY: mount.y,
      mountYaw: mount.yaw,
    },
    // Used only when a run switches drift on; a profile without its own gets the reference robot's.
    odometryError: robot.odometryError ?? HOME_ROBOT.odometryError,
  };
}
