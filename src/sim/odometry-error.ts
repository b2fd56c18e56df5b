/**
 * The simulated robot's encoders: what its firmware reports as odometry when drift is on.
 *
 * The physics (SimCore) moves the robot exactly as commanded; this model turns each step's true
 * motion into the increment the encoders report, with the robot's systematic errors, wheel
 * slip and random noise (OdometryErrorParams in src/shared/robots.ts), and integrates those
 * increments into the reported pose in the `odom` frame. That frame starts where the robot
 * stands at power-on (the reported pose starts at (0, 0, 0)); it drifts away from the truth
 * from there, which is what a localizer must correct through map←odom.
 *
 * Units SI; increments in base_link (ds along x, dθ CCW), poses in `odom`. Pure: randomness
 * only from the stream it is given.
 */
import type { Pose2D } from '../shared/geometry';
import type { OdometryErrorParams } from '../shared/robots';
import type { SimRandom } from './random';
import { integrateArc } from './arc';

export type { OdometryErrorParams } from '../shared/robots';

/** Every term zero: perfect encoders (the odometry still lives in its own `odom` frame). */
export const ZERO_ODOMETRY_ERROR: OdometryErrorParams = Object.freeze({
  systematic: Object.freeze({ distanceScale: 0, rotationScale: 0, curvature: 0 }),
  random: Object.freeze({ distancePerSqrtM: 0, distancePerSqrtRad: 0, headingPerSqrtRad: 0, headingPerSqrtM: 0 }),
  slip: Object.freeze({ accelThreshold: 0, ratioPerAccel: 0, turnInPlace: 0, variation: 0 }),
}) as OdometryErrorParams;

/** Some terms of an odometry error; a term left out is 0. */
export interface OdometryErrorSpec {
  systematic?: Partial<OdometryErrorParams['systematic']>;
  random?: Partial<OdometryErrorParams['random']>;
  slip?: Partial<OdometryErrorParams['slip']>;
}

/** A complete odometry error from some of its terms (the rest 0). */
export function odometryErrorFrom(spec: OdometryErrorSpec): OdometryErrorParams {
  return {
    systematic: { ...ZERO_ODOMETRY_ERROR.systematic, ...spec.systematic },
    random: { ...ZERO_ODOMETRY_ERROR.random, ...spec.random },
    slip: { ...ZERO_ODOMETRY_ERROR.slip, ...spec.slip },
  };
}

/** Largest slip ratio while speeding up or braking: beyond it the wheel spins or locks outright. */
const MAX_SLIP_RATIO = 0.5;

/** The motion of one physics step, as SimCore knows it. */
export interface TrueStep {
  /** Distance travelled along base_link x during the step, m (0 when blocked). */
  ds: number;
  /** Rotation during the step, rad (0 when blocked). */
  dTheta: number;
  /** Body velocity at the end of the step, m/s and rad/s (base_link). */
  v: number;
  w: number;
  /** Body linear acceleration over the step, m/s². */
  accel: number;
  /** Step length, s. */
  h: number;
}

export class OdometryErrorModel {
  /** The reported pose of base_link in `odom`: starts at the origin. */
  pose: Pose2D = { x: 0, y: 0, theta: 0 };
  /** Reported velocities, m/s and rad/s (base_link): systematic error and slip, not the random walk. */
  v = 0;
  w = 0;
  /** Random factor on the current slip episode's size, or null outside an episode. */
  private linearSlipFactor: number | null = null;
  private turnSlipFactor: number | null = null;

  /**
   * @param params what the encoders get wrong
   * @param wheelBase distance between the wheels, m: tells a turn in place (wheels counter-rotating) from a curve
   * @param rng the odometry's own random stream
   */
  constructor(
    readonly params: OdometryErrorParams,
    private readonly wheelBase: number,
    private readonly rng: SimRandom,
  ) {}

  /** Takes in one physics step: the encoders count it, with their errors. */
  advance(step: TrueStep): void {
    const { systematic: sys, random: rnd, slip } = this.params;
    const { ds, dTheta, v, w, accel, h } = step;

    // Slip while speeding up (wheels spin: more counted) or braking (wheels skid: less counted).
    let linearSlip = 0;
    const excess = Math.abs(accel) - slip.accelThreshold;
    if (slip.ratioPerAccel > 0 && excess > 0 && v !== 0) {
      this.linearSlipFactor ??= this.episodeFactor();
      const ratio = Math.min(MAX_SLIP_RATIO, slip.ratioPerAccel * excess * this.linearSlipFactor);
      linearSlip = Math.sign(accel * v) * ratio;
    } else {
      this.linearSlipFactor = null;
    }
    // Turning in place: 1 when the wheels counter-rotate at equal speed, 0 once the inner wheel stops.
    let turnSlip = 0;
    const pivot = w !== 0 && this.wheelBase > 0 ? Math.max(0, 1 - Math.abs(v) / (Math.abs(w) * this.wheelBase / 2)) : 0;
    if (slip.turnInPlace > 0 && pivot > 0) {
      this.turnSlipFactor ??= this.episodeFactor();
      turnSlip = slip.turnInPlace * pivot * this.turnSlipFactor;
    } else {
      this.turnSlipFactor = null;
    }

    const linearGain = (1 + sys.distanceScale) * (1 + linearSlip);
    const angularGain = 1 + sys.rotationScale + turnSlip;
    let dsOut = ds * linearGain;
    let dThetaOut = dTheta * angularGain + sys.curvature * ds;
    // Random walk: variance proportional to the motion, so independent of the step length.
    const absDs = Math.abs(ds);
    const absDTheta = Math.abs(dTheta);
    if (absDs > 0 || absDTheta > 0) {
      const varDs = rnd.distancePerSqrtM ** 2 * absDs + rnd.distancePerSqrtRad ** 2 * absDTheta;
      const varDTheta = rnd.headingPerSqrtRad ** 2 * absDTheta + rnd.headingPerSqrtM ** 2 * absDs;
      if (varDs > 0) dsOut += this.rng.normal(Math.sqrt(varDs));
      if (varDTheta > 0) dThetaOut += this.rng.normal(Math.sqrt(varDTheta));
    }
    this.pose = h > 0 ? integrateArc(this.pose, dsOut / h, dThetaOut / h, h) : this.pose;
    this.v = v * linearGain;
    this.w = w * angularGain + sys.curvature * this.v;
  }

  /** The robot was carried (a scenario reset or kidnap): the encoders saw nothing, the wheels stopped. */
  carried(): void {
    this.v = this.w = 0;
    this.linearSlipFactor = this.turnSlipFactor = null;
  }

  private episodeFactor(): number {
    const variation = this.params.slip.variation;
    return variation > 0 ? Math.max(0, 1 + this.rng.normal(variation)) : 1;
  }
}
