/**
 * Physical description of a simulated robot: footprint, drive limits, actuator lag,
 * screen (pan head) limits and lidar. The firmware endpoint advertises these in Hello.
 * SI units; footprint and lidar mount in base_link (x forward, y left).
 */
import type { LidarLayout, RobotSpec } from '../shared/protocol';
import type { OdometryErrorParams } from '../shared/robots';

/** Which part of a person the lidar plane cuts. */
export type PersonScanModel = 'legs' | 'body';

/** The simulated lidar: its layout (closer than rangeMin reads +Infinity: invalid), mount and noise. */
export interface LidarParams extends LidarLayout {
  /** Mount pose in base_link: metres, metres, radians. */
  mountX: number;
  mountY: number;
  mountYaw: number;
  /** 1-σ Gaussian range noise, metres. */
  rangeNoiseSigma: number;
  /** Legs (a lidar at shin height, the usual home robot) or a torso ellipse. */
  personModel: PersonScanModel;
}

export interface RobotParams extends RobotSpec {
  /**
   * Time constant of the wheel-speed loop, seconds: the measured velocity follows the
   * motor controller's (accel- and jerk-limited) setpoint as a first-order lag.
   */
  actuatorTimeConstant: number;
  /** Motors stop by themselves this long after the last valid VelocityCommand, seconds. */
  commandTimeout: number;
  /**
   * Linear deceleration when the firmware brakes (the Foresight protocol's Stop: no ramp,
   * no jerk limit), m/s²; turning brakes in the same proportion to maxAngularAccel. Absent:
   * maxLinearAccel (a robot whose firmware only ramps).
   */
  brakeDecel?: number;
  lidar: LidarParams;
  /**
   * What this robot's odometry gets wrong when a run switches drift on (SimConfig.drift
   * 'typical'); unused otherwise. Absent: the reference robot's figures.
   */
  odometryError?: OdometryErrorParams;
}

const FULL_TURN_BEAMS = 360;
const FULL_TURN_INCREMENT = (2 * Math.PI) / FULL_TURN_BEAMS;

/** A 360° 2D lidar at shin height: 360 beams, 10 Hz, 8 m, 1 cm noise; beams span (−π, π]. */
export const HOME_LIDAR: LidarParams = {
  beams: FULL_TURN_BEAMS,
  angleMin: -Math.PI + FULL_TURN_INCREMENT,
  angleIncrement: FULL_TURN_INCREMENT,
  rangeMin: 0.05,
  rangeMax: 8,
  rateHz: 10,
  mountX: 0.1,
  mountY: 0,
  mountYaw: 0,
  rangeNoiseSigma: 0.01,
  personModel: 'legs',
};

/** The default simulated robot: a small home robot with a panning screen. */
export const HOME_ROBOT: RobotParams = {
  name: 'foresight-sim',
  footprintLength: 0.45,
  footprintWidth: 0.38,
  footprintCenterOffsetX: 0,
  wheelBase: 0.33,
  maxLinearVelocity: 1.0,
  maxAngularVelocity: 2.0,
  maxLinearAccel: 1.0,
  maxAngularAccel: 3.0,
  maxLinearJerk: 5.0,
  maxAngularJerk: 15.0,
  actuatorTimeConstant: 0.06,
  commandTimeout: 0.25,
  // Shorted-motor braking on rubber wheels: 0.25 g, well inside the grip of a hard floor
  // (μ ≈ 0.6) and low enough that the screen mast does not tip the robot.
  brakeDecel: 2.5,
  panMin: -2.6,
  panMax: 2.6,
  panMaxRate: 3.0,
  panMaxAccel: 8.0,
  lidar: HOME_LIDAR,
  // A home robot with ~70 mm rubber wheels and a castor, uncalibrated: 1 % distance and −1.5 %
  // rotation scale, wheel diameters 0.1 % apart on its 0.33 m base; modest slip on hard floor.
  // Equal to resources/robots/foresight.json (a test holds them together).
  odometryError: {
    systematic: { distanceScale: 0.01, rotationScale: -0.015, curvature: 0.003 },
    random: { distancePerSqrtM: 0.01, distancePerSqrtRad: 0.002, headingPerSqrtRad: 0.01, headingPerSqrtM: 0.005 },
    slip: { accelThreshold: 0.6, ratioPerAccel: 0.04, turnInPlace: 0.02, variation: 0.3 },
  },
};

/**
 * A Clearpath Jackal as used by BARN: 0.508 × 0.430 m, 2.0 m/s. The lidar is kept as the
 * 360° home lidar (BARN's runner may swap in a 270° Hokuyo through `SimConfig.robot.lidar`).
 */
export const JACKAL_ROBOT: RobotParams = {
  ...HOME_ROBOT,
  name: 'jackal-sim',
  footprintLength: 0.508,
  footprintWidth: 0.43,
  wheelBase: 0.37,
  maxLinearVelocity: 2.0,
  maxAngularVelocity: 4.0,
  maxLinearAccel: 3.0,
  maxAngularAccel: 6.0,
  maxLinearJerk: 20.0,
  maxAngularJerk: 60.0,
  actuatorTimeConstant: 0.05,
  lidar: { ...HOME_LIDAR, mountX: 0.12 },
};

/** Overrides merged onto defaults; `lidar` may itself be partial. */
export type RobotParamsOverrides = Partial<Omit<RobotParams, 'lidar'>> & { lidar?: Partial<LidarParams> };

export function resolveRobotParams(base: RobotParams, overrides?: RobotParamsOverrides): RobotParams {
  if (!overrides) return { ...base, lidar: { ...base.lidar } };
  const { lidar, ...rest } = overrides;
  return { ...base, ...rest, lidar: { ...base.lidar, ...lidar } };
}
