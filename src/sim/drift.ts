/**
 * Drift: the sensing imperfections a localizer has to live with, switched on per simulated run
 * (SimConfig.drift, a scenario's `drift`, `foresight sim --drift`). Off by default, and off it
 * changes nothing: odometry is the ground truth and the `odom` frame is the `map` frame.
 *
 * On, the odometry the firmware reports comes from the robot's encoders (OdometryErrorModel):
 * it starts at (0, 0, 0) in its own `odom` frame where the robot stands, and drifts with the
 * robot's odometry error; GroundTruth.trueMapFromOdom is then the map←odom a perfect localizer
 * would find. The lidar may also lose beams and revolutions (LidarFaultParams).
 */
import { odometryErrorFrom, ZERO_ODOMETRY_ERROR, type OdometryErrorParams, type OdometryErrorSpec } from './odometry-error';
import { NO_LIDAR_FAULTS, TYPICAL_LIDAR_FAULTS, type LidarFaultParams } from './lidar-faults';
import { HOME_ROBOT, type RobotParams } from './robot-params';

/** The words `foresight sim --drift` and a scenario's `drift` take. */
export const DRIFT_KEYWORDS = ['off', 'typical'] as const;

/**
 * - `'off'` (the default): odometry = ground truth, `odom` ≡ `map`, the lidar has its Gaussian
 *   range noise only. Every run recorded before drift existed is this.
 * - `'typical'`: the robot's own odometry error (RobotParams.odometryError, from its profile;
 *   the reference robot's when it has none) and typical lidar faults.
 * - a DriftSpec: exactly what it names; what it leaves out is perfect.
 */
export type DriftSetting = (typeof DRIFT_KEYWORDS)[number] | DriftSpec;

/** Drift term by term. Any spec, even `{}`, puts the odometry in its own `odom` frame starting at zero. */
export interface DriftSpec {
  /** `'typical'`: the robot's own; or these terms (the rest 0); absent: perfect encoders. */
  odometry?: 'typical' | OdometryErrorSpec;
  /** `'typical'`: TYPICAL_LIDAR_FAULTS; or these (the rest 0); absent: no faults. */
  lidar?: 'typical' | Partial<LidarFaultParams>;
}

/** A drift setting made concrete for one robot. */
export interface ResolvedDrift {
  odometry: OdometryErrorParams;
  lidar: LidarFaultParams;
}

/** What a setting means for this robot, or null when drift is off. */
export function resolveDrift(setting: DriftSetting | undefined, robot: RobotParams): ResolvedDrift | null {
  if (setting === undefined || setting === 'off') return null;
  const own = robot.odometryError ?? HOME_ROBOT.odometryError ?? ZERO_ODOMETRY_ERROR;
  if (setting === 'typical') return { odometry: own, lidar: TYPICAL_LIDAR_FAULTS };
  const odometry = setting.odometry === undefined ? ZERO_ODOMETRY_ERROR : setting.odometry === 'typical' ? own : odometryErrorFrom(setting.odometry);
  const lidar = setting.lidar === undefined ? NO_LIDAR_FAULTS : setting.lidar === 'typical' ? TYPICAL_LIDAR_FAULTS : { ...NO_LIDAR_FAULTS, ...setting.lidar };
  return { odometry, lidar };
}
