/**
 * Robot and lidar profiles: what a robot model is (body, limits, which driver speaks to it,
 * what it does when commands stop, which lidar it carries and where) as a file a user can
 * copy and edit. The built-in ones live in resources/robots/ (bases) and
 * resources/robots/lidars/ (lidars); a user's own go in their profiles folder.
 *
 * Units: SI; mount poses in base_link (x forward, y left, yaw CCW), metres and radians.
 */

import type { RobotSpec } from './protocol';

/** The protocols the console speaks to a robot base. */
export const BASE_DRIVERS = ['foresight', 'turtlebot3', 'mavlink', 'create2', 'kobuki'] as const;
export type BaseDriverKind = (typeof BASE_DRIVERS)[number];

/** The protocols the console speaks to a lidar on its own port. */
export const LIDAR_DRIVERS = ['rplidar', 'lds-01', 'lds-02'] as const;
export type LidarDriverKind = (typeof LIDAR_DRIVERS)[number];

/** A USB device that identifies a robot or lidar (hex, lower case, 4 digits). */
export interface UsbId {
  vendorId: string;
  productId: string;
  /** What that chip or board is, e.g. "OpenCR (STM32 virtual COM port)". */
  what: string;
}

/** Footprint rectangle (length along x, width along y, centre ahead of base_link) and wheel base, m. */
export type RobotBody = Pick<RobotSpec, 'footprintLength' | 'footprintWidth' | 'footprintCenterOffsetX' | 'wheelBase'>;

/** Velocity, acceleration and jerk limits, SI (as the reference robot's Hello carries them). */
export type RobotLimits = Pick<
  RobotSpec,
  'maxLinearVelocity' | 'maxAngularVelocity' | 'maxLinearAccel' | 'maxAngularAccel' | 'maxLinearJerk' | 'maxAngularJerk'
>;

export interface LidarMountPose {
  x: number;
  y: number;
  yaw: number;
}

/**
 * What a robot's odometry gets wrong, as the simulator reproduces it when a run asks for
 * drift (never otherwise). The errors act on the increments the firmware reports, not on the
 * motion: per simulator step, a true motion of ds metres along base_link x and dθ radians is
 * reported as ds' and dθ' (systematic terms, slip and random noise below), and the reported
 * odometry integrates those in the `odom` frame. Every term 0 is a perfect encoder.
 *
 * The values in the built-in profiles are plausible magnitudes for the robot's build (wheel
 * size, castor, gyro, skid steer), not measurements of a particular unit: calibrate a real
 * robot (e.g. Borenstein's UMBmark square) and put its figures in your own profile.
 */
export interface OdometryErrorParams {
  /** Errors that repeat every run: a calibration the firmware has wrong. */
  systematic: {
    /**
     * Reported distance = (1 + distanceScale) × distance travelled, dimensionless. A nominal
     * wheel radius 1.5 % larger than the real (worn or compressed) tyre: +0.015.
     */
    distanceScale: number;
    /**
     * Reported rotation = (1 + rotationScale) × rotation turned, dimensionless. A nominal wheel
     * base 2 % wider than the effective one (where the tyres really touch): −0.02.
     */
    rotationScale: number;
    /**
     * Heading the odometry gains per metre driven straight, rad/m (CCW positive; it flips sign
     * reversing): unequal wheel diameters, ≈ −(E_d − 1) / wheelBase for Borenstein's diameter
     * ratio E_d = D_right / D_left.
     */
    curvature: number;
  };
  /**
   * Random errors, white per step and proportional to the motion, so that their variance grows
   * linearly with the distance and rotation travelled (a random walk: the same spread whatever
   * the step). 1-σ after one metre or one radian.
   */
  random: {
    /** Distance error from distance, m/√m. */
    distancePerSqrtM: number;
    /** Distance error from rotation (cross term), m/√rad. */
    distancePerSqrtRad: number;
    /** Heading error from rotation, rad/√rad. */
    headingPerSqrtRad: number;
    /** Heading error from distance (cross term: floor bumps, tyre contact), rad/√m. */
    headingPerSqrtM: number;
  };
  /**
   * Wheel slip: the wheels turn without the body following, so the encoders count motion that
   * did not happen (speeding up, turning in place) or miss motion that did (skidding while
   * braking). Each slip episode's size varies by a random factor drawn when it starts.
   */
  slip: {
    /** Body acceleration above which the tyres slip, m/s² (magnitude). */
    accelThreshold: number;
    /**
     * Slip ratio per m/s² of acceleration above the threshold, 1/(m/s²): the encoders report
     * (1 + ratio) × the distance while speeding up, (1 − ratio) × while braking (capped at 0.5).
     */
    ratioPerAccel: number;
    /**
     * Fraction of a turn in place that the encoders report on top of the real rotation
     * (scrubbing tyres, a dragging castor), dimensionless; scaled down to 0 as the inner wheel
     * stops counter-rotating.
     */
    turnInPlace: number;
    /** 1-σ of the random factor on each slip episode's size, dimensionless (0: every episode alike). */
    variation: number;
  };
}

export interface RobotProfile {
  /** File name without .json; what `--robot NAME` takes. */
  name: string;
  /** For people: "TurtleBot3 Burger". */
  title: string;
  driver: BaseDriverKind;
  /** Serial line rate, bits/s (the robot's fixed rate; ignored over TCP and ptys). */
  baudRate: number;
  body: RobotBody;
  limits: RobotLimits;
  drive: 'differential' | 'skid-steer' | 'ackermann';
  reverses: boolean;
  /**
   * What the robot itself does when commands stop arriving (its firmware dead-man): the
   * timeout and plain words; null when it keeps driving. Autonomy on a robot without one
   * needs the operator's explicit opt-in.
   */
  watchdog: { timeoutS: number; action: string } | null;
  /** The robot's own safe stop the console uses on e-stop and on close, in plain words. */
  safeStop: string;
  /** The lidar it usually carries and where; null when it has none by default. */
  lidar: { model: string; mount: LidarMountPose } | null;
  /** USB ids by which its port is recognised (may be empty). */
  usb: UsbId[];
  /** Driver settings, e.g. mavlink: { autopilot: 'ardupilot' | 'px4' }. */
  options: Record<string, string | number | boolean>;
  /**
   * What its odometry gets wrong, for a simulated run with drift on (optional: the simulator's
   * generic figures when absent). Never applied to a real robot.
   */
  odometryError?: OdometryErrorParams;
  /** Where the file came from ('built-in' or its path). */
  source: string;
}

export interface LidarProfile {
  name: string;
  title: string;
  driver: LidarDriverKind;
  baudRate: number;
  /** Beams of the fixed grid the driver bins a revolution into, over (−π, π]. */
  beams: number;
  rangeMin: number; // m
  rangeMax: number; // m
  /** Nominal revolutions per second (the driver measures the real rate). */
  rateHz: number;
  usb: UsbId[];
  options: Record<string, string | number | boolean>;
  source: string;
}

/**
 * The lidar a robot runs with on a port of its own unless told otherwise: its profile's usual
 * one; null for the Foresight reference robot (a lidar it has comes over its own link) and for
 * a robot whose profile names none.
 */
export function usualSeparateLidar(robot: RobotProfile): string | null {
  return robot.driver === 'foresight' ? null : (robot.lidar?.model ?? null);
}

/** What the connection panel lists. */
export interface ProfileCatalog {
  robots: RobotProfile[];
  lidars: LidarProfile[];
  /** Files that could not be read, with why (the rest still load). */
  problems: string[];
}
