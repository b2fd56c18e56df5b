/**
 * The simulated robot's public surface that runs anywhere (Node, a worker, the scenario
 * runner): no Node APIs behind these exports. Node-only pieces live in `./start`
 * (startSimulator: transports and the real-time process) and `./map-file` (loading maps
 * from disk).
 */
export { SimCore, integrateArc } from './sim-core';
export { DRIFT_KEYWORDS, resolveDrift } from './drift';
export type { DriftSetting, DriftSpec, ResolvedDrift } from './drift';
export { OdometryErrorModel, ZERO_ODOMETRY_ERROR, odometryErrorFrom } from './odometry-error';
export type { OdometryErrorParams, OdometryErrorSpec } from './odometry-error';
export { NO_LIDAR_FAULTS, TYPICAL_LIDAR_FAULTS } from './lidar-faults';
export type { LidarFaultParams } from './lidar-faults';
export type { BoxSpec, CollisionEvent, ContactKind, GroundTruth, SimConfig, SimOdometry, SimScan, SimStatus, StepResult } from './sim-core';
export { SimRobot } from './sim-robot';
export type { ByteSink, SimRobotOptions, SimRobotStats } from './sim-robot';
export { RealTimeDriver } from './realtime';
export type { RealTimeDriverOptions } from './realtime';
export { HOME_LIDAR, HOME_ROBOT, JACKAL_ROBOT, resolveRobotParams } from './robot-params';
export type { LidarParams, PersonScanModel, RobotParams, RobotParamsOverrides } from './robot-params';
export { LEG_RADIUS, PERSON_RADIUS } from './people';
export type { CrowdConfig, PersonTruth, ScriptedPersonSpec } from './people';
export { relativePoint, scenarioPeople } from './scenario-people';
export type { ScenarioPersonDescription } from './scenario-people';
export {
  APARTMENT_DOORS,
  APARTMENT_PLACES,
  APARTMENT_START_POSE,
  buildApartmentGrid,
  encodeMapPgm,
  mapYaml,
} from './apartment';
export { World } from './world';
export type { WorldBox } from './world';
export type { CircleShape, OrientedBox } from './shapes';
export { SimRandom } from './random';
