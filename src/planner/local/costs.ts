/**
 * The local planner's cost, as a set of terms chosen by configuration.
 *
 * The cost of a candidate is ONE continuous formula:
 *
 *   cost = − w_progress · mean_k(S_k · (c_0 − c_k)) / (vMax · horizon / 2)
 *          + w_collision · Σ_k (S_{k−1} − S_k) · (base + |v_k| / vMax)
 *          + w_smooth · smoothness + w_clear · clearance penalty (+ any other 'cost' terms)
 *
 * where S_k, the probability of still being collision-free at sample k, is the product of
 * what every 'risk' term leaves (obstacles, people), and c_0 − c_k is the decrease of the
 * cost-to-go along the guidance path by instant k: expected progress, counted only as far
 * as the robot is expected to survive to make it, averaged over the horizon's instants. Nothing switches between modes: as
 * risk grows the expected progress of fast candidates shrinks and their collision term
 * grows, so the optimum slides continuously toward slower, yielding candidates.
 */
import { angleDiff } from '../../shared/geometry';
import type { PersonPrediction } from '../../shared/people';
import type { PathCostToGo } from './cost-to-go';
import type { CandidateBuffer, FootprintCircles } from './trajectory';
import type { LocalPlannerInput } from './types';

/** What a term may look at once per cycle, before candidates are evaluated. */
export interface CostContext {
  input: LocalPlannerInput;
  /** Steps in the horizon (samples = steps + 1). */
  steps: number;
  /** Sample period, seconds. */
  dt: number;
  /** Horizon, seconds. */
  horizon: number;
  /** Cost-to-go along the guidance path, metres. */
  costToGo: PathCostToGo;
  /** Circles covering the footprint (used for obstacle clearance). */
  circles: FootprintCircles;
  /** Farthest any candidate can get from the start within the horizon, metres. */
  reach: number;
}

/**
 * One term of the cost. 'risk' terms run first, in order: each multiplies its per-sample
 * probability of staying collision-free into `survival` and returns its own probability of
 * a collision within the horizon (reported, not added). 'cost' terms run next, may read
 * `survival`, and return a value the planner multiplies by `weight` and adds up.
 */
export interface CostTerm {
  readonly name: string;
  readonly kind: 'risk' | 'cost';
  readonly weight: number;
  prepare(ctx: CostContext): void;
  evaluate(candidate: CandidateBuffer, survival: Float64Array): number;
}

/** Logistic approximation of the standard normal CDF (max error ≈ 0.01): Φ(x) ≈ 1/(1+e^(−1.702x)). */
function normalCdfApprox(x: number): number {
  return 1 / (1 + Math.exp(-1.702 * x));
}

export interface ObstacleRiskOptions {
  /** Position uncertainty of the robot relative to the map at the start, metres (1 σ). */
  sigma0?: number;
  /** Growth of that uncertainty per second of horizon, m/s. */
  sigmaGrowth?: number;
}

/**
 * Obstacles: at sample k the collision probability is Φ(−clearance_k / σ_k), where the
 * clearance (metres, from the footprint circles) carries a position uncertainty σ_k growing
 * with time. Successive samples see the same obstacles, so the probability of having hit
 * one by k is the running maximum, not a product. A last check places the footprint at the
 * end of the braking distance from the final state, so a candidate that ends fast in front
 * of a wall is not safe.
 */
export class ObstacleRiskTerm implements CostTerm {
  readonly name = 'obstacleRisk';
  readonly kind = 'risk' as const;
  readonly weight = 0;
  private sigma0: number;
  private sigmaGrowth: number;
  private ctx!: CostContext;
  constructor(opts: ObstacleRiskOptions = {}) {
    this.sigma0 = opts.sigma0 ?? 0.02;
    this.sigmaGrowth = opts.sigmaGrowth ?? 0.02;
  }
  prepare(ctx: CostContext): void {
    this.ctx = ctx;
  }
  evaluate(c: CandidateBuffer, survival: Float64Array): number {
    const n = c.count;
    const clr = c.clearance;
    const dt = c.dt;
    // Braking check beyond the horizon (jerk-limited stop from the final speed and accel):
    // it concerns what happens after the last sample, so only that sample learns about it.
    let pBrake = 0;
    const { limits, obstacles } = this.ctx.input;
    const vEnd = c.vs[n - 1]!;
    if (vEnd !== 0) {
      const tRamp = limits.aMax / limits.jerkMax;
      const brake = (vEnd * vEnd) / (2 * limits.aMax) + Math.abs(vEnd) * tRamp * 0.5;
      const dir = vEnd > 0 ? 1 : -1;
      const ce = c.cosT[n - 1]!;
      const se = c.sinT[n - 1]!;
      const ex = c.xs[n - 1]! + dir * brake * ce;
      const ey = c.ys[n - 1]! + dir * brake * se;
      const circles = this.ctx.circles;
      let minClr = Infinity;
      for (let i = 0; i < circles.offsets.length; i++) {
        const o = circles.offsets[i]!;
        const d = obstacles.distanceAt(ex + o * ce, ey + o * se) - circles.radius;
        if (d < minClr) minClr = d;
      }
      const sigma = this.sigma0 + this.sigmaGrowth * (this.ctx.horizon + brake / Math.max(0.1, Math.abs(vEnd)));
      const z = minClr / sigma;
      if (z < 8) pBrake = normalCdfApprox(-z);
    }
    let runMax = 0;
    for (let k = 0; k < n; k++) {
      const sigma = this.sigma0 + this.sigmaGrowth * k * dt;
      const z = clr[k]! / sigma;
      if (z < 8) {
        const p = normalCdfApprox(-z);
        if (p > runMax) runMax = p;
      }
      if (k === n - 1 && pBrake > runMax) runMax = pBrake;
      survival[k] = survival[k]! * (1 - runMax);
    }
    return runMax;
  }
}

export interface PeopleRiskOptions {
  /** Radius of a person's body, metres. */
  personRadius?: number;
  /** Uncertainty added to each predicted σ, metres (tracking noise). */
  extraSigma?: number;
}

/**
 * People: at sample k the footprint (as its circumscribed circle, radius R_robot) overlaps
 * a person (radius r) whose position in future f is N(μ_fk, σ_fk² I). The probability that
 * the person's centre lies within R = R_robot + r of the footprint centre is approximated by
 * the Gaussian overlap (R² / (R² + 2σ²)) · exp(−d² / (R² + 2σ²)): exact in the far field
 * (πR² times the density), equal to 1 at d = 0 for σ → 0, and smooth everywhere. Per
 * future, the probability of a conflict by k is the running maximum of that; per person,
 * futures are mixed by their probability; people are independent. The start is known to
 * be conflict-free (the robot is where it is, beside whoever it is beside), so the overlap
 * a future already has at the start is conditioned away: a future counts
 * (m_k − m_0)/(1 − m_0) for running maximum m_k, and a robot standing next to a person
 * (or a box tracked as one) is not told that every candidate, standing still included,
 * conflicts; moving away costs nothing, moving closer costs as before.
 */
export class PeopleRiskTerm implements CostTerm {
  readonly name = 'peopleRisk';
  readonly kind = 'risk' as const;
  readonly weight = 0;
  private personRadius: number;
  private extraSigma: number;
  // Per relevant future f, per sample k (index f·samples + k): mean, 1/(R²+2σ²), R²/(R²+2σ²).
  private mx = new Float64Array(0);
  private my = new Float64Array(0);
  private invQ = new Float64Array(0);
  private amp = new Float64Array(0);
  private prob = new Float64Array(0);
  private runMax = new Float64Array(0);
  /** Per relevant future: bounding box (minX, maxX, minY, maxY) of where it can matter. */
  private boxes = new Float64Array(0);
  private touches = new Uint8Array(0);
  private cxs = new Float64Array(0);
  private cys = new Float64Array(0);
  /** futureStart[i] … futureStart[i+1] are person i's relevant futures. */
  private futureStart = new Int32Array(1);
  private personCount = 0;
  private samples = 0;
  private centerOffset = 0;
  constructor(opts: PeopleRiskOptions = {}) {
    this.personRadius = opts.personRadius ?? 0.25;
    this.extraSigma = opts.extraSigma ?? 0.05;
  }
  prepare(ctx: CostContext): void {
    const { input, steps, dt } = ctx;
    const fp = input.limits.footprint;
    this.centerOffset = fp.centerOffsetX;
    const rRobot = Math.hypot(fp.length / 2, fp.width / 2);
    const R = rRobot + this.personRadius;
    const R2 = R * R;
    const samples = steps + 1;
    this.samples = samples;
    let futureTotal = 0;
    for (const p of input.people) futureTotal += p.futures.length;
    const size = futureTotal * samples;
    if (this.mx.length < size) {
      this.mx = new Float64Array(size);
      this.my = new Float64Array(size);
      this.invQ = new Float64Array(size);
      this.amp = new Float64Array(size);
    }
    if (this.runMax.length < size) this.runMax = new Float64Array(size);
    if (this.prob.length < futureTotal) {
      this.prob = new Float64Array(futureTotal);
      this.boxes = new Float64Array(4 * futureTotal);
      this.touches = new Uint8Array(futureTotal);
    }
    if (this.cxs.length < samples) {
      this.cxs = new Float64Array(samples);
      this.cys = new Float64Array(samples);
    }
    if (this.futureStart.length < input.people.length + 1) this.futureStart = new Int32Array(input.people.length + 1);
    const sx = input.start.pose.x;
    const sy = input.start.pose.y;
    // The robot's centre stays within reach + |offset| of the start.
    const reach = ctx.reach + Math.abs(fp.centerOffsetX);
    let f = 0;
    let person = 0;
    for (const pred of input.people) {
      this.futureStart[person] = f;
      let kept = 0;
      for (const fut of pred.futures) {
        if (!(fut.probability > 0) || fut.xs.length === 0) continue;
        const base = f * samples;
        let nearest = Infinity;
        let bx0 = Infinity;
        let bx1 = -Infinity;
        let by0 = Infinity;
        let by1 = -Infinity;
        for (let k = 0; k < samples; k++) {
          const t = input.now + k * dt;
          resampleFuture(pred, fut.xs, fut.ys, fut.sigmas, t, this.mx, this.my, this.invQ, base + k);
          const sigma = this.invQ[base + k]! + this.extraSigma; // resample leaves σ in invQ
          const q = R2 + 2 * sigma * sigma;
          this.invQ[base + k] = 1 / q;
          this.amp[base + k] = R2 / q;
          // Beyond 3 "σ" of the overlap kernel the contribution is < 1e-4 of the peak.
          const gap = Math.hypot(this.mx[base + k]! - sx, this.my[base + k]! - sy) - reach - 3 * Math.sqrt(q / 2);
          if (gap < nearest) nearest = gap;
          // Beyond √(CUTOFF·q) the overlap is below the cutoff.
          const r = Math.sqrt(CUTOFF * q);
          const fxk = this.mx[base + k]!;
          const fyk = this.my[base + k]!;
          if (fxk - r < bx0) bx0 = fxk - r;
          if (fxk + r > bx1) bx1 = fxk + r;
          if (fyk - r < by0) by0 = fyk - r;
          if (fyk + r > by1) by1 = fyk + r;
        }
        this.boxes[4 * f] = bx0;
        this.boxes[4 * f + 1] = bx1;
        this.boxes[4 * f + 2] = by0;
        this.boxes[4 * f + 3] = by1;
        if (nearest > 0) continue; // cannot come near any candidate: skip it entirely
        this.prob[f] = fut.probability;
        f++;
        kept++;
      }
      if (kept > 0) person++;
    }
    this.futureStart[person] = f;
    this.personCount = person;
  }
  evaluate(c: CandidateBuffer, survival: Float64Array): number {
    const people = this.personCount;
    if (people === 0) return 0;
    const fs = this.futureStart;
    const futures = fs[people]!;
    const samples = this.samples;
    const off = this.centerOffset;
    const { mx, my, invQ, amp, prob, runMax, boxes, cxs, cys } = this;
    // Footprint centre at each sample, and its bounding box.
    let x0 = Infinity;
    let x1 = -Infinity;
    let y0 = Infinity;
    let y1 = -Infinity;
    for (let k = 0; k < samples; k++) {
      const cx = c.xs[k]! + off * c.cosT[k]!;
      const cy = c.ys[k]! + off * c.sinT[k]!;
      cxs[k] = cx;
      cys[k] = cy;
      if (cx < x0) x0 = cx;
      if (cx > x1) x1 = cx;
      if (cy < y0) y0 = cy;
      if (cy > y1) y1 = cy;
    }
    // Pass 1, per future: running maximum of the overlap over the samples (contiguous
    // memory; futures whose reach box misses the candidate's box are skipped outright).
    let anyTouch = false;
    for (let f = 0; f < futures; f++) {
      const b = 4 * f;
      if (boxes[b]! > x1 || boxes[b + 1]! < x0 || boxes[b + 2]! > y1 || boxes[b + 3]! < y0) {
        this.touches[f] = 0;
        continue;
      }
      const base = f * samples;
      let m = 0;
      let m0 = 0;
      let scale = 1;
      for (let k = 0; k < samples; k++) {
        const j = base + k;
        const dx = cxs[k]! - mx[j]!;
        const dy = cys[k]! - my[j]!;
        const e = (dx * dx + dy * dy) * invQ[j]!;
        if (e < CUTOFF) {
          // exp(−e) from a table (linear interpolation, relative error < 1e-5): Math.exp
          // here would dominate the planner's cycle time.
          const u = e * EXP_TABLE_SCALE;
          const i0 = u | 0;
          const p = amp[j]! * (EXP_TABLE[i0]! + (EXP_TABLE[i0 + 1]! - EXP_TABLE[i0]!) * (u - i0));
          if (p > m) m = p;
        }
        if (k === 0) {
          // The start is known to be collision-free: what overlaps it already is the
          // tracking and prediction uncertainty around a person the robot is beside, not a
          // conflict any candidate could avoid. Count only the conflict beyond it.
          m0 = m < 0.99 ? m : 0.99;
          scale = 1 / (1 - m0);
        }
        runMax[j] = (m - m0) * scale;
      }
      m = (m - m0) * scale;
      this.touches[f] = m > 0 ? 1 : 0;
      if (m > 0) anyTouch = true;
    }
    if (!anyTouch) return 0;
    // Pass 2, per sample: mix each person's futures, people independent.
    let factor = 1;
    for (let k = 0; k < samples; k++) {
      factor = 1;
      for (let i = 0; i < people; i++) {
        let conflict = 0;
        for (let f = fs[i]!; f < fs[i + 1]!; f++) {
          if (this.touches[f] === 1) conflict += prob[f]! * runMax[f * samples + k]!;
        }
        if (conflict > 0) factor *= conflict >= 1 ? 0 : 1 - conflict;
      }
      survival[k] = survival[k]! * factor;
    }
    return 1 - factor;
  }
}

/** Overlaps below amp·e^−CUTOFF (< 0.3 %) are treated as zero. */
const CUTOFF = 6;
const EXP_TABLE_SIZE = 2048;
const EXP_TABLE_SCALE = EXP_TABLE_SIZE / CUTOFF;
/** exp(−i / EXP_TABLE_SCALE) for i = 0 … EXP_TABLE_SIZE + 1. */
const EXP_TABLE = new Float64Array(EXP_TABLE_SIZE + 2);
for (let i = 0; i < EXP_TABLE.length; i++) EXP_TABLE[i] = Math.exp(-i / EXP_TABLE_SCALE);

/**
 * Position of a predicted future at planner time t, written to xs[i], ys[i]; its σ goes to
 * sig[i] (when given). Point j of a prediction holds at t0 + (j+1)·dt; before the first point and after
 * the last the motion is extrapolated linearly and σ keeps growing at its last rate.
 */
function resampleFuture(
  pred: PersonPrediction,
  fx: Float64Array,
  fy: Float64Array,
  fs: Float64Array,
  t: number,
  xs: Float64Array,
  ys: Float64Array,
  sig: Float64Array | null,
  i: number,
): void {
  const n = fx.length;
  if (n === 1) {
    xs[i] = fx[0]!;
    ys[i] = fy[0]!;
    if (sig) sig[i] = fs[0]!;
    return;
  }
  const u = (t - pred.t0) / pred.dt - 1;
  let j = Math.floor(u);
  if (j < 0) j = 0;
  else if (j > n - 2) j = n - 2;
  const r = u - j;
  xs[i] = fx[j]! + (fx[j + 1]! - fx[j]!) * r;
  ys[i] = fy[j]! + (fy[j + 1]! - fy[j]!) * r;
  if (!sig) return;
  const s = fs[j]! + (fs[j + 1]! - fs[j]!) * r;
  sig[i] = s > 0 ? s : 0;
}

export interface PersonalSpaceOptions {
  /** Radius of a person's body, metres. */
  personRadius?: number;
  /** Room kept between the footprint and a person's body at standstill, metres. */
  spaceAtRest?: number;
  /** Room added per m/s of the robot's speed, seconds (passing fast needs more room). */
  spacePerSpeed?: number;
}

/**
 * Personal space: people expect a robot to keep its distance, more so the faster it goes,
 * whether or not a collision is likely. At each sample k and for each predicted future f
 * of each person, with g the distance from the future's mean position to the footprint
 * rectangle (at that sample's pose) minus the body radius, and D_k = spaceAtRest +
 * spacePerSpeed·|v_k|, the term adds p_f · ((D_k − g)/D_k)² where g < D_k; the sum is
 * averaged over the horizon's samples. Dimensionless: 1 per person means touching them
 * for the whole horizon.
 *
 * It complements PeopleRiskTerm rather than repeating it. The risk is a probability of
 * contact, conditioned on the start (a robot already beside someone is not told that all
 * its candidates collide), so it says nothing about how fast the robot passes or how close
 * it stays once beside a person. This term does, continuously: it grows as the predicted
 * gap shrinks and faster the faster the robot goes, so a robot waiting for someone does
 * not creep up on them (with the risk alone it crept from 0.5 m to 0.18 m of a person
 * standing in a doorway) and where it must pass close it passes slowly, with no mode
 * switch. The rectangle, unlike the risk's circumscribed circle, lets the robot pass
 * side-on as close as its real width allows.
 */
export class PersonalSpaceTerm implements CostTerm {
  readonly name = 'personalSpace';
  readonly kind = 'cost' as const;
  private readonly personRadius: number;
  private readonly spaceAtRest: number;
  private readonly spacePerSpeed: number;
  // Per relevant future f, per sample k (index f·samples + k): mean position, map frame.
  private mx = new Float64Array(0);
  private my = new Float64Array(0);
  private prob = new Float64Array(0);
  /** Per relevant future: bounding box (minX, maxX, minY, maxY) of its means, grown by the reach of the space. */
  private boxes = new Float64Array(0);
  private futures = 0;
  private samples = 0;
  private halfLength = 0;
  private halfWidth = 0;
  private centerOffset = 0;
  constructor(
    readonly weight = 1,
    opts: PersonalSpaceOptions = {},
  ) {
    this.personRadius = opts.personRadius ?? 0.22;
    this.spaceAtRest = opts.spaceAtRest ?? 0.4;
    this.spacePerSpeed = opts.spacePerSpeed ?? 0.3;
  }
  prepare(ctx: CostContext): void {
    const { input, steps, dt } = ctx;
    const fp = input.limits.footprint;
    this.halfLength = fp.length / 2;
    this.halfWidth = fp.width / 2;
    this.centerOffset = fp.centerOffsetX;
    const samples = steps + 1;
    this.samples = samples;
    let total = 0;
    for (const p of input.people) total += p.futures.length;
    if (this.prob.length < total) {
      this.prob = new Float64Array(total);
      this.boxes = new Float64Array(4 * total);
    }
    if (this.mx.length < total * samples) {
      this.mx = new Float64Array(total * samples);
      this.my = new Float64Array(total * samples);
    }
    // A future matters where its body comes within the largest space of the footprint.
    const grow = this.personRadius + this.spaceAtRest + this.spacePerSpeed * Math.max(input.limits.vMax, -input.limits.vMin);
    const sx = input.start.pose.x;
    const sy = input.start.pose.y;
    const reach = ctx.reach + Math.hypot(Math.abs(fp.centerOffsetX) + this.halfLength, this.halfWidth);
    let f = 0;
    for (const pred of input.people) {
      for (const fut of pred.futures) {
        if (!(fut.probability > 0) || fut.xs.length === 0) continue;
        const base = f * samples;
        let bx0 = Infinity;
        let bx1 = -Infinity;
        let by0 = Infinity;
        let by1 = -Infinity;
        for (let k = 0; k < samples; k++) {
          resampleFuture(pred, fut.xs, fut.ys, fut.sigmas, input.now + k * dt, this.mx, this.my, null, base + k);
          const x = this.mx[base + k]!;
          const y = this.my[base + k]!;
          if (x < bx0) bx0 = x;
          if (x > bx1) bx1 = x;
          if (y < by0) by0 = y;
          if (y > by1) by1 = y;
        }
        bx0 -= grow;
        bx1 += grow;
        by0 -= grow;
        by1 += grow;
        // Out of reach of every candidate: skip the future entirely.
        if (bx0 > sx + reach || bx1 < sx - reach || by0 > sy + reach || by1 < sy - reach) continue;
        this.boxes[4 * f] = bx0;
        this.boxes[4 * f + 1] = bx1;
        this.boxes[4 * f + 2] = by0;
        this.boxes[4 * f + 3] = by1;
        this.prob[f] = fut.probability;
        f++;
      }
    }
    this.futures = f;
  }
  evaluate(c: CandidateBuffer): number {
    const futures = this.futures;
    if (futures === 0) return 0;
    const samples = this.samples;
    const { mx, my, prob, boxes } = this;
    const hl = this.halfLength;
    const hw = this.halfWidth;
    const off = this.centerOffset;
    const rBody = this.personRadius;
    const base0 = this.spaceAtRest;
    const perSpeed = this.spacePerSpeed;
    // The candidate's bounding box (footprint centre ± its circumscribed radius).
    const rFoot = Math.hypot(hl, hw);
    let x0 = Infinity;
    let x1 = -Infinity;
    let y0 = Infinity;
    let y1 = -Infinity;
    for (let k = 1; k < samples; k++) {
      const x = c.xs[k]! + off * c.cosT[k]!;
      const y = c.ys[k]! + off * c.sinT[k]!;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
    x0 -= rFoot;
    x1 += rFoot;
    y0 -= rFoot;
    y1 += rFoot;
    let sum = 0;
    for (let f = 0; f < futures; f++) {
      const b = 4 * f;
      if (boxes[b]! > x1 || boxes[b + 1]! < x0 || boxes[b + 2]! > y1 || boxes[b + 3]! < y0) continue;
      const base = f * samples;
      let pen = 0;
      for (let k = 1; k < samples; k++) {
        const space = base0 + perSpeed * Math.abs(c.vs[k]!);
        // The person's mean in the footprint's frame (x forward from its centre), metres.
        const cs = c.cosT[k]!;
        const sn = c.sinT[k]!;
        const dx = mx[base + k]! - c.xs[k]!;
        const dy = my[base + k]! - c.ys[k]!;
        const lx = Math.abs(dx * cs + dy * sn - off) - hl;
        const ly = Math.abs(dy * cs - dx * sn) - hw;
        if (lx > space + rBody || ly > space + rBody) continue;
        const gap = (lx > 0 ? (ly > 0 ? Math.sqrt(lx * lx + ly * ly) : lx) : ly > 0 ? ly : 0) - rBody;
        if (gap < space) {
          const u = (space - gap) / space;
          pen += u * u;
        }
      }
      sum += prob[f]! * pen;
    }
    return sum / (samples - 1);
  }
}

export interface ProgressOptions {
  /**
   * Price of heading error near the goal, metres of cost-to-go per radian (time to turn, as
   * distance). Default 0.3: the final turn on the spot must outweigh the clearance term
   * where the goal pose faces a wall (at 0.15 a robot stood 6 cm from its kitchen goal,
   * 32° off, for good); 0.3·π < 1 m per metre of goalHeadingRadius keeps the bound below.
   */
  goalHeadingWeight?: number;
  /** Distance from the goal within which heading starts to matter, metres. */
  goalHeadingRadius?: number;
  /** Distance from the goal inside which the arrival direction stops mattering, metres. */
  goalBearingRadius?: number;
  /**
   * Deceleration the final approach plans to stop with, as a fraction of aMax (< 1 leaves
   * a margin for latency and tracking error).
   */
  goalBrakingFraction?: number;
}

/**
 * Expected progress along the guidance path, averaged over the horizon's instants (so
 * getting somewhere sooner is worth more, and stopping at the goal beats creeping up on
 * it), normalized by the average progress of full speed from the start (vMax·H/2), and
 * negated so lower cost is better. Progress at instant k is c_0 − c_k, the decrease of the
 * cost-to-go, counted with the probability S_k of being collision-free by then.
 *
 * Goal heading. A goal is a pose: the robot must end within the position tolerance AND
 * facing the goal heading, turning in place at the end if it arrives facing elsewhere.
 * Near the goal the cost-to-go therefore adds the turning still to do, priced at
 * `goalHeadingWeight` metres per radian: far from the goal position (d ≥ bearing radius)
 * that is the turn onto the bearing toward the goal plus the turn from the bearing onto the
 * goal heading (a robot that cannot reverse turns, drives, turns); at the goal position it
 * is the turn onto the goal heading; a smoothstep blends the two so the field stays
 * continuous, and the whole heading part fades in linearly from `goalHeadingRadius` so
 * that its growth (≤ weight·π per radius) never outweighs the distance still to cover —
 * no place near the goal where standing still beats arriving. (Pricing only the heading
 * error would trap a robot that passed the goal facing the right way: turning back to
 * reach the goal would look like regress.)
 *
 * Stopping at the goal. A pose from which the robot cannot stop before the goal, braking
 * at `goalBrakingFraction`·aMax, will overshoot: the distance it cannot avoid running past
 * is added twice (out and back). The plan then starts its final deceleration with margin
 * instead of at the last instant, where a cycle of latency means overshooting.
 */
export class ProgressTerm implements CostTerm {
  readonly name = 'progress';
  readonly kind = 'cost' as const;
  private ctx!: CostContext;
  private headingWeight: number;
  private headingRadius: number;
  private bearingRadius: number;
  private brakingFraction: number;
  private brakeDecel = 1;
  private brakeRamp = 0;
  private norm = 1;
  constructor(
    readonly weight = 1,
    opts: ProgressOptions = {},
  ) {
    this.headingWeight = opts.goalHeadingWeight ?? 0.3;
    this.headingRadius = opts.goalHeadingRadius ?? 1.0;
    this.bearingRadius = opts.goalBearingRadius ?? 0.25;
    this.brakingFraction = opts.goalBrakingFraction ?? 0.6;
  }
  prepare(ctx: CostContext): void {
    this.ctx = ctx;
    const l = ctx.input.limits;
    this.brakeDecel = Math.max(1e-6, this.brakingFraction * l.aMax);
    // Extra distance of the jerk-limited ramp into the deceleration: ≈ v·a/(2·jerk).
    this.brakeRamp = this.brakeDecel / (2 * l.jerkMax);
    // Progress at full speed from the start, averaged over the horizon: vMax·H/2.
    this.norm = Math.max(1e-6, 0.5 * ctx.input.limits.vMax * ctx.horizon);
  }
  /**
   * Cost-to-go of a state, metres: the path part, the turning still to do near the goal,
   * and the overshoot that speed `v` (m/s) makes unavoidable.
   */
  costToGoAt(x: number, y: number, theta: number, v = 0): number {
    const goal = this.ctx.input.goal;
    let c = this.ctx.costToGo.at(x, y);
    const dx = goal.x - x;
    const dy = goal.y - y;
    const d = Math.hypot(dx, dy);
    const speed = Math.abs(v);
    if (speed > 0) {
      const overshoot = (speed * speed) / (2 * this.brakeDecel) + speed * this.brakeRamp - d;
      if (overshoot > 0) c += 2 * this.ctx.costToGo.lateralWeight * overshoot;
    }
    if (d < this.headingRadius) {
      const fade = 1 - d / this.headingRadius;
      const atGoal = Math.abs(angleDiff(theta, goal.theta));
      let turns = atGoal;
      if (d > 1e-9) {
        const u = d >= this.bearingRadius ? 1 : d / this.bearingRadius;
        const s = u * u * (3 - 2 * u);
        if (s > 0) {
          const bearing = Math.atan2(dy, dx);
          const viaBearing = Math.abs(angleDiff(bearing, theta)) + Math.abs(angleDiff(goal.theta, bearing));
          turns = s * viaBearing + (1 - s) * atGoal;
        }
      }
      c += this.headingWeight * turns * fade;
    }
    return c;
  }
  evaluate(c: CandidateBuffer, survival: Float64Array): number {
    const c0 = this.costToGoAt(c.xs[0]!, c.ys[0]!, c.thetas[0]!, c.vs[0]!);
    let expected = 0;
    for (let k = 1; k < c.count; k++) {
      expected += survival[k]! * (c0 - this.costToGoAt(c.xs[k]!, c.ys[k]!, c.thetas[k]!, c.vs[k]!));
    }
    return -expected / ((c.count - 1) * this.norm);
  }
}

/**
 * Expected severity of a collision within the horizon (obstacles and people together):
 * Σ_k (S_{k−1} − S_k) · (base + |v_k| / vMax), the probability of the first collision at
 * each instant times a severity that grows with the speed at that instant. Because of the
 * speed factor, a risky passage is cheaper taken slowly, so the robot slows continuously
 * as risk rises instead of choosing between "go" and "stop".
 */
export class CollisionTerm implements CostTerm {
  readonly name = 'collision';
  readonly kind = 'cost' as const;
  private invV = 1;
  constructor(
    readonly weight = 2,
    /** Severity of a collision at standstill, relative to one at vMax (which adds 1). */
    readonly baseSeverity = 0.5,
  ) {}
  prepare(ctx: CostContext): void {
    this.invV = 1 / ctx.input.limits.vMax;
  }
  evaluate(c: CandidateBuffer, survival: Float64Array): number {
    let prev = 1;
    let sum = 0;
    for (let k = 0; k < c.count; k++) {
      const s = survival[k]!;
      const dp = prev - s;
      if (dp > 0) sum += dp * (this.baseSeverity + Math.abs(c.vs[k]!) * this.invV);
      prev = s;
    }
    return sum;
  }
}

/**
 * Smoothness: mean squared jerk over the horizon, relative to the jerk limits, plus half the
 * mean squared acceleration relative to the acceleration limits. Dimensionless, 0 … 3.
 */
export class SmoothnessTerm implements CostTerm {
  readonly name = 'smoothness';
  readonly kind = 'cost' as const;
  private invJ = 1;
  private invJy = 1;
  private invA = 1;
  private invAlpha = 1;
  constructor(readonly weight = 0.05) {}
  prepare(ctx: CostContext): void {
    const l = ctx.input.limits;
    this.invJ = 1 / (l.jerkMax * ctx.dt);
    this.invJy = 1 / (l.yawJerkMax * ctx.dt);
    this.invA = 1 / l.aMax;
    this.invAlpha = 1 / l.alphaMax;
  }
  evaluate(c: CandidateBuffer): number {
    let jerk = 0;
    let acc = 0;
    for (let k = 1; k < c.count; k++) {
      const j1 = (c.accels[k]! - c.accels[k - 1]!) * this.invJ;
      const j2 = (c.alphas[k]! - c.alphas[k - 1]!) * this.invJy;
      const a1 = c.accels[k]! * this.invA;
      const a2 = c.alphas[k]! * this.invAlpha;
      jerk += j1 * j1 + j2 * j2;
      acc += a1 * a1 + a2 * a2;
    }
    return (jerk + 0.5 * acc) / (c.count - 1);
  }
}

/**
 * Clearance: mean over the horizon of ((preferred − clearance)/preferred)² where the
 * footprint is closer to obstacles than `preferred` metres. Keeps the robot off walls
 * without forbidding narrow passages (the obstacle risk term does that).
 */
export class ClearanceTerm implements CostTerm {
  readonly name = 'clearance';
  readonly kind = 'cost' as const;
  constructor(
    readonly weight = 0.3,
    /** Clearance below which the term grows, metres. */
    readonly preferred = 0.3,
  ) {}
  prepare(): void {}
  evaluate(c: CandidateBuffer): number {
    let sum = 0;
    const inv = 1 / this.preferred;
    for (let k = 1; k < c.count; k++) {
      const gap = this.preferred - c.clearance[k]!;
      if (gap > 0) {
        const g = gap * inv;
        sum += g * g;
      }
    }
    return sum / (c.count - 1);
  }
}

/** Names of the built-in terms, for configuration by name. */
export type CostTermName = 'obstacleRisk' | 'peopleRisk' | 'progress' | 'collision' | 'smoothness' | 'clearance' | 'personalSpace';

/** A built-in term chosen by name, with its weight (ignored for risk terms) and options. */
export interface CostTermSpec {
  name: CostTermName;
  weight?: number;
  options?: ObstacleRiskOptions & PeopleRiskOptions & PersonalSpaceOptions & ProgressOptions & { preferred?: number };
}

/** The default configuration: both risks, progress, collision, smoothness, clearance, personal space. */
export const DEFAULT_COST_TERMS: readonly CostTermSpec[] = [
  { name: 'obstacleRisk' },
  { name: 'peopleRisk' },
  { name: 'progress', weight: 1 },
  { name: 'collision', weight: 1.2 },
  { name: 'smoothness', weight: 0.05 },
  { name: 'clearance', weight: 0.3 },
  { name: 'personalSpace', weight: 0.5 },
];

/** Builds terms from specs; risk terms are ordered before cost terms. */
export function createCostTerms(specs: readonly CostTermSpec[] = DEFAULT_COST_TERMS): CostTerm[] {
  const terms = specs.map((s): CostTerm => {
    const o = s.options ?? {};
    switch (s.name) {
      case 'obstacleRisk':
        return new ObstacleRiskTerm(o);
      case 'peopleRisk':
        return new PeopleRiskTerm(o);
      case 'progress':
        return new ProgressTerm(s.weight ?? 1, o);
      case 'collision':
        return new CollisionTerm(s.weight ?? 2);
      case 'smoothness':
        return new SmoothnessTerm(s.weight ?? 0.05);
      case 'clearance':
        return new ClearanceTerm(s.weight ?? 0.3, o.preferred ?? 0.3);
      case 'personalSpace':
        return new PersonalSpaceTerm(s.weight ?? 1, o);
    }
  });
  return orderTerms(terms);
}

/** Risk terms first (they fill the survival curve the cost terms read). */
export function orderTerms(terms: readonly CostTerm[]): CostTerm[] {
  return [...terms.filter((t) => t.kind === 'risk'), ...terms.filter((t) => t.kind === 'cost')];
}
