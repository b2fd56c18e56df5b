/**
 * Turns candidate parameters into a sampled trajectory (velocities through jerk-limited
 * profiles, then poses by integration), into preallocated buffers.
 */
import type { RectFootprint } from '../../shared/geometry';
import { normalizeAngle } from '../../shared/geometry';
import { buildProfile, PROFILE_STRIDE, sampleProfile } from './profile';
import type { CandidateParams, RobotLimits, RobotState, Trajectory } from './types';

/** Number of parameters per candidate in packed Float64Array form: v1, w1, tSwitch, v2, w2. */
export const PARAM_DIM = 5;

/**
 * One candidate's samples, reused from candidate to candidate. Sample k holds at k·dt
 * seconds after the start; poses map frame; `cosT`/`sinT` of each heading are kept so cost
 * terms can place the footprint without more trigonometry.
 */
export class CandidateBuffer {
  readonly count: number;
  readonly xs: Float64Array;
  readonly ys: Float64Array;
  readonly thetas: Float64Array;
  readonly cosT: Float64Array;
  readonly sinT: Float64Array;
  readonly vs: Float64Array;
  readonly ws: Float64Array;
  readonly accels: Float64Array;
  readonly alphas: Float64Array;
  /** Footprint clearance to obstacles at each sample, metres (filled by the planner). */
  readonly clearance: Float64Array;
  constructor(
    /** Number of steps; there are steps + 1 samples. */
    readonly steps: number,
    /** Sample period, seconds. */
    readonly dt: number,
  ) {
    this.count = steps + 1;
    const n = this.count;
    this.xs = new Float64Array(n);
    this.ys = new Float64Array(n);
    this.thetas = new Float64Array(n);
    this.cosT = new Float64Array(n);
    this.sinT = new Float64Array(n);
    this.vs = new Float64Array(n);
    this.ws = new Float64Array(n);
    this.accels = new Float64Array(n);
    this.alphas = new Float64Array(n);
    this.clearance = new Float64Array(n);
  }
}

// Local bindings: hot loops then call these directly instead of through module bindings.
const build = buildProfile;
const sample = sampleProfile;
const STRIDE = PROFILE_STRIDE;
const scratchProfiles = new Float64Array(4 * STRIDE);
const scratchV = new Float64Array(2);
const scratchA = new Float64Array(2);

/**
 * Fills `out` with the trajectory of the candidate at `params[off … off+5)` from `start`.
 * The first sample is the start state itself.
 */
export function generateTrajectory(
  params: Float64Array,
  off: number,
  start: RobotState,
  limits: RobotLimits,
  out: CandidateBuffer,
): void {
  const v1 = params[off]!;
  const w1 = params[off + 1]!;
  const tSwitch = params[off + 2]!;
  const v2 = params[off + 3]!;
  const w2 = params[off + 4]!;
  const P = scratchProfiles;
  build(P, 0, start.v, start.a, v1, limits.aMax, limits.jerkMax);
  build(P, STRIDE, start.w, start.alpha, w1, limits.alphaMax, limits.yawJerkMax);
  const dt = out.dt;
  const n = out.count;
  const horizon = (n - 1) * dt;
  const switches = tSwitch < horizon;
  if (switches) {
    // State of both axes at the switch time starts the second pair of profiles.
    sample(P, 0, tSwitch, scratchV, scratchA, 0);
    sample(P, STRIDE, tSwitch, scratchV, scratchA, 1);
    build(P, 2 * STRIDE, scratchV[0]!, scratchA[0]!, v2, limits.aMax, limits.jerkMax);
    build(P, 3 * STRIDE, scratchV[1]!, scratchA[1]!, w2, limits.alphaMax, limits.yawJerkMax);
  }
  const { xs, ys, thetas, cosT, sinT, vs, ws, accels, alphas } = out;
  vs[0] = start.v;
  ws[0] = start.w;
  accels[0] = Math.max(-limits.aMax, Math.min(limits.aMax, start.a));
  alphas[0] = Math.max(-limits.alphaMax, Math.min(limits.alphaMax, start.alpha));
  for (let k = 1; k < n; k++) {
    const t = k * dt;
    if (!switches || t < tSwitch) {
      sample(P, 0, t, vs, accels, k);
      sample(P, STRIDE, t, ws, alphas, k);
    } else {
      sample(P, 2 * STRIDE, t - tSwitch, vs, accels, k);
      sample(P, 3 * STRIDE, t - tSwitch, ws, alphas, k);
    }
  }
  // Poses: trapezoidal heading, midpoint position. Velocities between samples are smooth
  // (piecewise quadratic), so the error is far below a centimetre over the horizon.
  let x = start.pose.x;
  let y = start.pose.y;
  let th = start.pose.theta;
  let c = Math.cos(th);
  let s = Math.sin(th);
  xs[0] = x;
  ys[0] = y;
  thetas[0] = th;
  cosT[0] = c;
  sinT[0] = s;
  for (let k = 1; k < n; k++) {
    const dth = 0.5 * (ws[k - 1]! + ws[k]!) * dt;
    const ds = 0.5 * (vs[k - 1]! + vs[k]!) * dt;
    // Rotate (cos θ, sin θ) by half the step for the midpoint heading, then by the other
    // half: small-angle series instead of four trigonometric calls per step (|dθ/2| ≤
    // wMax·dt/2, where the series is exact to ~1e-10 for the usual limits).
    const h = 0.5 * dth;
    const h2 = h * h;
    const ch = 1 - h2 * (0.5 - h2 * (1 / 24 - h2 / 720));
    const sh = h * (1 - h2 * (1 / 6 - h2 * (1 / 120 - h2 / 5040)));
    const cm = c * ch - s * sh;
    const sm = s * ch + c * sh;
    x += ds * cm;
    y += ds * sm;
    c = cm * ch - sm * sh;
    s = sm * ch + cm * sh;
    th += dth;
    xs[k] = x;
    ys[k] = y;
    // Headings are left unwrapped inside the buffer (cheaper, and continuous for costs).
    thetas[k] = th;
    cosT[k] = c;
    sinT[k] = s;
  }
}

/**
 * Copies a buffer into a standalone trajectory (headings normalized to (−π, π]). With the
 * limits it generated under, the trajectory also carries the velocity commands that make
 * a jerk-limited base follow it (see Trajectory.commandVs).
 */
export function toTrajectory(buf: CandidateBuffer, t0: number, params: CandidateParams, limits?: RobotLimits): Trajectory {
  const thetas = new Float64Array(buf.count);
  for (let k = 0; k < buf.count; k++) thetas[k] = normalizeAngle(buf.thetas[k]!);
  const commands = limits ? targetCommands(buf, params) : null;
  return {
    t0,
    dt: buf.dt,
    count: buf.count,
    xs: buf.xs.slice(),
    ys: buf.ys.slice(),
    thetas,
    vs: buf.vs.slice(),
    ws: buf.ws.slice(),
    accels: buf.accels.slice(),
    alphas: buf.alphas.slice(),
    ...(commands ? { commandVs: commands.vs, commandWs: commands.ws } : {}),
    params,
  };
}

/**
 * The velocity target in force at each sample: (v1, w1) before the switch, (v2, w2) from
 * it on. A base that tracks commands with jerk-limited, minimum-time ramps (the model every
 * candidate is built on, and fast-forwarding assumes) then drives exactly this trajectory;
 * and the reactive layer, which judges the arc of the command, sees where the robot is
 * heading rather than where it is (a turn already under way, a stop already begun).
 */
function targetCommands(buf: CandidateBuffer, params: CandidateParams): { vs: Float64Array; ws: Float64Array } {
  const n = buf.count;
  const vs = new Float64Array(n);
  const ws = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const before = k * buf.dt < params.tSwitch - 1e-9;
    vs[k] = before ? params.v1 : params.v2;
    ws[k] = before ? params.w1 : params.w2;
  }
  return { vs, ws };
}

/** Reads packed parameters into an object. */
export function unpackParams(params: Float64Array, off: number): CandidateParams {
  return {
    v1: params[off]!,
    w1: params[off + 1]!,
    tSwitch: params[off + 2]!,
    v2: params[off + 3]!,
    w2: params[off + 4]!,
  };
}

/**
 * Circles whose union covers a rectangular footprint, centres on base_link's x axis
 * (metres, base_link). More circles than the aspect ratio demands keep the bulge beyond
 * the rectangle's long sides small (under 2 cm for a 0.5 × 0.4 m base).
 */
export interface FootprintCircles {
  /** Centre x of each circle in base_link, metres. */
  offsets: Float64Array;
  /** Common radius, metres. */
  radius: number;
}

export function footprintCircles(fp: RectFootprint): FootprintCircles {
  const count = Math.max(2, Math.ceil((1.5 * fp.length) / Math.max(1e-3, fp.width)));
  const seg = fp.length / count;
  const offsets = new Float64Array(count);
  for (let i = 0; i < count; i++) offsets[i] = fp.centerOffsetX - fp.length / 2 + seg * (i + 0.5);
  return { offsets, radius: Math.hypot(seg / 2, fp.width / 2) };
}
