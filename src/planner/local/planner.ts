/**
 * The local trajectory planner: one call per 10 Hz cycle, 3 s horizon.
 *
 * Candidates are points of a 5-dimensional continuous box (see CandidateParams); every
 * point is a trajectory that respects the velocity, acceleration and jerk limits (see
 * profile.ts), and the box contains quick stops (target 0) and hard turns (target ±wMax).
 * Each cycle searches the box in stages:
 *   1. special candidates (stop, hold, spin, straight, pursue the path) and a coarse
 *      low-discrepancy sample (Halton, randomly shifted per cycle from the seed);
 *   2. a warm start: the previous cycle's choice shifted by the time elapsed, and seeded
 *      perturbations of it;
 *   3. refinement rounds: Gaussian perturbations around the best candidates so far, with
 *      shrinking spread (a small cross-entropy search).
 * All candidates are scored by the same continuous cost (costs.ts).
 */
import type { Twist2D } from '../../shared/geometry';
import { angleDiff, circumscribedRadius, inscribedRadius } from '../../shared/geometry';
import { Prng } from '../random';
import type { Rng } from '../random';
import { keepRightOf, PathCostToGo } from './cost-to-go';
import type { CostContext, CostTerm, CostTermSpec } from './costs';
import { createCostTerms, DEFAULT_COST_TERMS, orderTerms } from './costs';
import {
  CandidateBuffer,
  footprintCircles,
  generateTrajectory,
  PARAM_DIM,
  toTrajectory,
  unpackParams,
} from './trajectory';
import type { FootprintCircles } from './trajectory';
import type {
  CandidateParams,
  CandidateSample,
  CandidateStage,
  ChosenTrajectory,
  LocalPlannerInput,
  LocalPlanResult,
  RobotLimits,
  RobotState,
  Trajectory,
} from './types';

export interface LocalPlannerConfig {
  /** Horizon, seconds. */
  horizon: number;
  /** Sample period of every candidate, seconds. */
  dt: number;
  /** Nominal planning period, seconds (warm-start shift when the previous time is unknown). */
  cyclePeriod: number;
  /** Coarse low-discrepancy candidates per cycle. */
  coarseCount: number;
  /** Warm-start candidates per cycle (the shifted previous choice and perturbations of it). */
  warmCount: number;
  /** Refinement rounds and candidates per round. */
  refineRounds: number;
  refineCount: number;
  /** Best candidates kept as refinement centres. */
  eliteCount: number;
  /** Refinement spread per round, as a fraction of each parameter's range. */
  refineSpread: readonly number[];
  /** Shortest time before the second targets may take over, seconds. */
  minSwitchTime: number;
  /** Goal reached when the start is this close to the goal, metres… */
  goalTolerance: number;
  /** …and its heading this close to the goal heading, radians. */
  goalHeadingTolerance: number;
  /** Below these speeds (m/s, rad/s) a robot at the goal is commanded exactly zero. */
  stoppedSpeed: number;
  stoppedYawRate: number;
  /** Candidates kept in the result for display. */
  sampleSize: number;
  /** Price per metre of heading for the path off it, relative to along it (> 1; see cost-to-go.ts). */
  lateralWeight: number;
  /**
   * Cost-to-go measured around obstacles (shortest distance through where the robot fits)
   * rather than straight to the path; see cost-to-go.ts. Off: the straight-line field.
   */
  costToGoAroundObstacles: boolean;
  /**
   * The start pose is known to be collision-free: where the footprint model (covering
   * circles on a grid distance field) puts it closer than this to an obstacle, every
   * clearance of the cycle is raised by the shortfall, metres. Without it a robot that
   * drove close to a jamb sees every candidate, even standing still, as colliding.
   */
  startClearanceFloor: number;
  /**
   * Clearance the robot's centre keeps from obstacles where the input asks it to keep to
   * the right (LocalPlannerInput.keepRightM, see keepRightOf), metres.
   */
  keepRightClearance: number;
  /** Cost terms, as built-in specs or ready-made terms. */
  costTerms: readonly CostTermSpec[] | readonly CostTerm[];
}

export const DEFAULT_LOCAL_PLANNER_CONFIG: LocalPlannerConfig = {
  horizon: 3,
  dt: 0.1,
  cyclePeriod: 0.1,
  // ≈ 4,000 candidates per cycle: keeps the p99 cycle under 50 ms with four people on a
  // shared two-core machine (see test/bench/local-planner.bench.ts); raise on a faster host.
  coarseCount: 2000,
  warmCount: 250,
  refineRounds: 3,
  refineCount: 600,
  eliteCount: 8,
  refineSpread: [0.12, 0.05, 0.02],
  minSwitchTime: 0.2,
  goalTolerance: 0.1,
  goalHeadingTolerance: 0.25,
  stoppedSpeed: 0.05,
  stoppedYawRate: 0.1,
  sampleSize: 120,
  lateralWeight: 1.15,
  costToGoAroundObstacles: true,
  startClearanceFloor: 0.04,
  keepRightClearance: 0.33,
  costTerms: DEFAULT_COST_TERMS,
};

const HALTON_BASES = [2, 3, 5, 7, 11];
const STAGE_CODES: CandidateStage[] = ['special', 'coarse', 'warm', 'refine'];

export class LocalPlanner {
  readonly config: LocalPlannerConfig;
  private readonly terms: CostTerm[];
  private readonly buf: CandidateBuffer;
  private readonly survival: Float64Array;
  private readonly termValues: Float64Array;
  private readonly costToGo = new PathCostToGo();
  private readonly capacity: number;
  private readonly params: Float64Array;
  private readonly costs: Float64Array;
  private readonly stages: Uint8Array;
  private readonly elites: Int32Array;
  private eliteFill = 0;
  /** Added to every clearance this cycle (see startClearanceFloor), metres. */
  private clearanceOffset = 0;
  private count = 0;
  private previous: { params: CandidateParams; t0: number } | null = null;
  // Per-cycle state.
  private input!: LocalPlannerInput;
  private circles!: FootprintCircles;
  private readonly lo = new Float64Array(PARAM_DIM);
  private readonly hi = new Float64Array(PARAM_DIM);

  constructor(config: Partial<LocalPlannerConfig> = {}) {
    this.config = { ...DEFAULT_LOCAL_PLANNER_CONFIG, ...config };
    const c = this.config;
    const specs = c.costTerms;
    this.terms =
      specs.length > 0 && typeof (specs[0] as CostTerm).evaluate === 'function'
        ? orderTerms(specs as readonly CostTerm[])
        : createCostTerms(specs as readonly CostTermSpec[]);
    const steps = Math.max(1, Math.round(c.horizon / c.dt));
    this.buf = new CandidateBuffer(steps, c.dt);
    this.survival = new Float64Array(steps + 1);
    this.termValues = new Float64Array(this.terms.length);
    this.capacity = 16 + c.coarseCount + c.warmCount + c.refineRounds * c.refineCount;
    this.params = new Float64Array(this.capacity * PARAM_DIM);
    this.costs = new Float64Array(this.capacity);
    this.stages = new Uint8Array(this.capacity);
    this.elites = new Int32Array(Math.max(1, c.eliteCount));
  }

  /** Forgets the previous choice (e.g. after a new goal or a teleop interlude). */
  reset(): void {
    this.previous = null;
  }

  /** The choice of the last successful cycle, for warm starts elsewhere (e.g. another worker). */
  lastChoice(): { params: CandidateParams; t0: number } | null {
    return this.previous;
  }

  /** Plans one cycle. Pure apart from the warm-start memory of this instance. */
  plan(input: LocalPlannerInput): LocalPlanResult {
    const invalid = validate(input);
    if (invalid) return { ok: false, reason: 'invalid-input', message: invalid };
    const c = this.config;
    const { start, limits } = input;
    this.input = input;
    this.circles = footprintCircles(limits.footprint);
    const horizon = this.buf.steps * c.dt;

    this.setBounds(limits, horizon);
    const quickStop = this.quickStopTrajectory(input);

    if (startOccupied(input)) {
      this.previous = null;
      return {
        ok: false,
        reason: 'start-occupied',
        message: `The footprint at (${start.pose.x.toFixed(2)}, ${start.pose.y.toFixed(2)}) overlaps an obstacle.`,
        fallback: quickStop,
      };
    }

    this.prepareCost(input, horizon);

    const dGoal = Math.hypot(start.pose.x - input.goal.x, start.pose.y - input.goal.y);
    const goalReached =
      dGoal <= c.goalTolerance && Math.abs(angleDiff(start.pose.theta, input.goal.theta)) <= c.goalHeadingTolerance;
    this.count = 0;
    if (goalReached) {
      // At the goal: the quick stop is the only sensible plan; no search.
      this.previous = null;
      const idx = this.push(0, 0, horizon, 0, 0, 0);
      this.evaluate(idx);
      const chosen = this.chosen(idx, input.now);
      const stopped = Math.abs(start.v) <= c.stoppedSpeed && Math.abs(start.w) <= c.stoppedYawRate;
      const command: Twist2D = stopped ? { v: 0, w: 0 } : { v: chosen.vs[1]!, w: chosen.ws[1]! };
      return { ok: true, chosen, command, goalReached: true, candidatesEvaluated: 1, sample: [] };
    }

    const rng: Rng = input.rng ?? new Prng(input.seed ?? 1);
    this.addSpecials(input, horizon);
    this.addCoarse(rng);
    this.addWarmStart(input, horizon, rng);
    this.updateElites();
    for (let r = 0; r < c.refineRounds; r++) {
      const spread = c.refineSpread[Math.min(r, c.refineSpread.length - 1)] ?? 0.05;
      this.addRefinement(rng, spread);
      this.updateElites();
    }

    const best = this.elites[0]!;
    const chosen = this.chosen(best, input.now);
    const obstacleRisk = chosen.terms['obstacleRisk'];
    if (obstacleRisk !== undefined && obstacleRisk >= 0.5) {
      this.previous = null;
      return {
        ok: false,
        reason: 'no-safe-candidate',
        message: `Every candidate meets an obstacle (best obstacle-collision probability ${obstacleRisk.toFixed(2)}).`,
        fallback: quickStop,
      };
    }
    this.previous = { params: chosen.params, t0: input.now };
    return {
      ok: true,
      chosen,
      command: { v: chosen.vs[1]!, w: chosen.ws[1]! },
      goalReached: false,
      candidatesEvaluated: this.count,
      sample: this.collectSample(),
    };
  }

  /**
   * Scores given candidate parameters from `input` as a cycle would (same cost, same
   * preparation), without searching: for tests and diagnosis. Forgets the warm start.
   */
  evaluateCandidate(input: LocalPlannerInput, params: CandidateParams): ChosenTrajectory | null {
    if (validate(input)) return null;
    this.input = input;
    this.circles = footprintCircles(input.limits.footprint);
    const horizon = this.buf.steps * this.config.dt;
    this.setBounds(input.limits, horizon);
    this.prepareCost(input, horizon);
    this.previous = null;
    this.count = 0;
    const i = this.push(params.v1, params.w1, params.tSwitch, params.v2, params.w2, 0);
    return this.chosen(i, input.now);
  }

  /** Per-cycle preparation of the cost: cost-to-go field, clearance calibration, terms. */
  private prepareCost(input: LocalPlannerInput, horizon: number): void {
    const c = this.config;
    const { start, limits } = input;
    const reach = Math.max(limits.vMax, -limits.vMin) * horizon;
    const fpRadius = circumscribedRadius(limits.footprint);
    const lane = input.keepRightM ?? 0;
    const path = lane > 0 ? keepRightOf(input.guidancePath, input.obstacles, lane, c.keepRightClearance) : input.guidancePath;
    this.costToGo.build(
      path,
      input.goal,
      start.pose.x,
      start.pose.y,
      reach + fpRadius + 0.3,
      c.lateralWeight,
      c.costToGoAroundObstacles
        ? { field: input.obstacles, minClearance: input.guidanceClearance ?? inscribedRadius(limits.footprint) }
        : undefined,
    );
    this.clearanceOffset = 0;
    this.clearanceOffset = Math.max(0, c.startClearanceFloor - this.startClearance(input));
    const ctx: CostContext = {
      input,
      steps: this.buf.steps,
      dt: c.dt,
      horizon,
      costToGo: this.costToGo,
      circles: this.circles,
      reach,
    };
    for (const t of this.terms) t.prepare(ctx);
  }

  // ---- candidate sets ----------------------------------------------------------------

  private setBounds(limits: RobotLimits, horizon: number): void {
    const lo = this.lo;
    const hi = this.hi;
    lo[0] = limits.vMin;
    hi[0] = limits.vMax;
    lo[1] = -limits.wMax;
    hi[1] = limits.wMax;
    lo[2] = Math.min(this.config.minSwitchTime, horizon);
    hi[2] = horizon;
    lo[3] = limits.vMin;
    hi[3] = limits.vMax;
    lo[4] = -limits.wMax;
    hi[4] = limits.wMax;
  }

  /** Appends one candidate (clamped to the box) and returns its index. */
  private push(v1: number, w1: number, ts: number, v2: number, w2: number, stage: number): number {
    const i = this.count++;
    const o = i * PARAM_DIM;
    const p = this.params;
    const lo = this.lo;
    const hi = this.hi;
    p[o] = clamp(v1, lo[0]!, hi[0]!);
    p[o + 1] = clamp(w1, lo[1]!, hi[1]!);
    p[o + 2] = clamp(ts, lo[2]!, hi[2]!);
    p[o + 3] = clamp(v2, lo[3]!, hi[3]!);
    p[o + 4] = clamp(w2, lo[4]!, hi[4]!);
    this.stages[i] = stage;
    return i;
  }

  private addSpecials(input: LocalPlannerInput, H: number): void {
    const { start, limits } = input;
    const W = limits.wMax;
    const V = limits.vMax;
    const add = (v1: number, w1: number, ts: number, v2: number, w2: number) => {
      this.evaluate(this.push(v1, w1, ts, v2, w2, 0));
    };
    add(0, 0, H, 0, 0); // quick stop
    add(start.v, start.w, H, start.v, start.w); // hold
    add(V, 0, H, V, 0); // straight at full speed
    add(0, W, H, 0, W); // spin left
    add(0, -W, H, 0, -W); // spin right
    add(start.v, W, 1, start.v, 0); // hard left while driving
    add(start.v, -W, 1, start.v, 0); // hard right while driving
    // Pursue a point 1 m ahead on the guidance path.
    const target = lookahead(input, 1.0);
    const err = angleDiff(Math.atan2(target.y - start.pose.y, target.x - start.pose.x), start.pose.theta);
    const wP = clamp(2 * err, -W, W);
    const vP = V * Math.max(0, Math.cos(err));
    add(vP, wP, 1, vP, 0);
    add(0.5 * vP, wP, 1, 0.5 * vP, 0);
    add(0, wP, 1, vP, 0);
  }

  private addCoarse(rng: Rng): void {
    const c = this.config;
    // Cranley–Patterson rotation: one random shift per dimension keeps the low discrepancy
    // while making each cycle's set different (and seed-reproducible).
    const shift = new Float64Array(PARAM_DIM);
    for (let d = 0; d < PARAM_DIM; d++) shift[d] = rng.next();
    const lo = this.lo;
    const hi = this.hi;
    for (let i = 1; i <= c.coarseCount; i++) {
      const u0 = frac(radicalInverse(i, HALTON_BASES[0]!) + shift[0]!);
      const u1 = frac(radicalInverse(i, HALTON_BASES[1]!) + shift[1]!);
      const u2 = frac(radicalInverse(i, HALTON_BASES[2]!) + shift[2]!);
      const u3 = frac(radicalInverse(i, HALTON_BASES[3]!) + shift[3]!);
      const u4 = frac(radicalInverse(i, HALTON_BASES[4]!) + shift[4]!);
      const idx = this.push(
        lo[0]! + u0 * (hi[0]! - lo[0]!),
        lo[1]! + u1 * (hi[1]! - lo[1]!),
        lo[2]! + u2 * (hi[2]! - lo[2]!),
        lo[3]! + u3 * (hi[3]! - lo[3]!),
        lo[4]! + u4 * (hi[4]! - lo[4]!),
        1,
      );
      this.evaluate(idx);
    }
  }

  private addWarmStart(input: LocalPlannerInput, H: number, rng: Rng): void {
    const prev = input.warmStart === undefined ? this.previous : input.warmStart;
    if (!prev || this.config.warmCount <= 0) return;
    let shift = input.now - prev.t0;
    if (!(shift > 0 && shift < 1)) shift = this.config.cyclePeriod;
    const p = prev.params;
    // Targets are absolute velocities, so the same parameters from the new state continue
    // the old plan; only the switch time moves one cycle closer.
    let ts = p.tSwitch >= H ? H : p.tSwitch - shift;
    let v1 = p.v1;
    let w1 = p.w1;
    if (ts < this.lo[2]!) {
      v1 = p.v2;
      w1 = p.w2;
      ts = H;
    }
    const centre = this.push(v1, w1, ts, p.v2, p.w2, 2);
    this.evaluate(centre);
    this.perturbAround(centre, this.config.warmCount - 1, 0.03, rng, 2);
  }

  private addRefinement(rng: Rng, spread: number): void {
    const n = this.config.refineCount;
    const k = this.eliteFill;
    if (k === 0) return;
    for (let j = 0; j < n; j++) {
      // Squared uniform favours the best elites.
      const u = rng.next();
      const e = this.elites[Math.min(k - 1, Math.floor(u * u * k))]!;
      this.perturbAround(e, 1, spread, rng, 3);
    }
  }

  private perturbAround(centre: number, n: number, spread: number, rng: Rng, stage: number): void {
    const lo = this.lo;
    const hi = this.hi;
    for (let j = 0; j < n; j++) {
      const o = centre * PARAM_DIM;
      const p = this.params;
      const r0 = (hi[0]! - lo[0]!) * spread;
      const r1 = (hi[1]! - lo[1]!) * spread;
      const r2 = (hi[2]! - lo[2]!) * spread;
      const idx = this.push(
        p[o]! + gauss(rng) * r0,
        p[o + 1]! + gauss(rng) * r1,
        p[o + 2]! + gauss(rng) * r2,
        p[o + 3]! + gauss(rng) * r0,
        p[o + 4]! + gauss(rng) * r1,
        stage,
      );
      this.evaluate(idx);
    }
  }

  /** Keeps the indices of the eliteCount cheapest candidates, best first. */
  private updateElites(): void {
    const k = this.elites.length;
    let fill = 0;
    const costs = this.costs;
    for (let i = 0; i < this.count; i++) {
      const ci = costs[i]!;
      if (fill === k && ci >= costs[this.elites[k - 1]!]!) continue;
      let j = fill < k ? fill++ : k - 1;
      while (j > 0 && costs[this.elites[j - 1]!]! > ci) {
        this.elites[j] = this.elites[j - 1]!;
        j--;
      }
      this.elites[j] = i;
    }
    this.eliteFill = fill;
  }

  // ---- evaluation ---------------------------------------------------------------------

  /** Generates candidate i, scores it, stores and returns the total cost. */
  private evaluate(i: number): number {
    const buf = this.buf;
    const input = this.input;
    generateTrajectory(this.params, i * PARAM_DIM, input.start, input.limits, buf);
    this.computeClearance();
    const survival = this.survival;
    survival.fill(1);
    let total = 0;
    const terms = this.terms;
    for (let t = 0; t < terms.length; t++) {
      const term = terms[t]!;
      const v = term.evaluate(buf, survival);
      this.termValues[t] = v;
      if (term.kind === 'cost') total += term.weight * v;
    }
    this.costs[i] = total;
    return total;
  }

  /** Footprint clearance at each sample: min over covering circles of (distance − radius). */
  private computeClearance(): void {
    const buf = this.buf;
    const field = this.input.obstacles;
    const offs = this.circles.offsets;
    const r = this.circles.radius;
    const nc = offs.length;
    for (let k = 0; k < buf.count; k++) {
      const x = buf.xs[k]!;
      const y = buf.ys[k]!;
      const c = buf.cosT[k]!;
      const s = buf.sinT[k]!;
      let m = Infinity;
      for (let j = 0; j < nc; j++) {
        const o = offs[j]!;
        const d = field.distanceAt(x + o * c, y + o * s);
        if (d < m) m = d;
      }
      buf.clearance[k] = m - r + this.clearanceOffset;
    }
  }

  /** Footprint clearance at the start pose by the covering circles, metres. */
  private startClearance(input: LocalPlannerInput): number {
    const { pose } = input.start;
    const c = Math.cos(pose.theta);
    const s = Math.sin(pose.theta);
    let m = Infinity;
    for (const o of this.circles.offsets) m = Math.min(m, input.obstacles.distanceAt(pose.x + o * c, pose.y + o * s));
    return m - this.circles.radius;
  }

  private termRecord(): Record<string, number> {
    const rec: Record<string, number> = {};
    for (let t = 0; t < this.terms.length; t++) rec[this.terms[t]!.name] = this.termValues[t]!;
    return rec;
  }

  private chosen(i: number, t0: number): ChosenTrajectory {
    const cost = this.evaluate(i);
    const params = unpackParams(this.params, i * PARAM_DIM);
    return {
      ...toTrajectory(this.buf, t0, params, this.input.limits),
      cost,
      terms: this.termRecord(),
      collisionProbability: 1 - this.survival[this.buf.count - 1]!,
      stage: STAGE_CODES[this.stages[i]!]!,
    };
  }

  private collectSample(): CandidateSample[] {
    const n = Math.min(this.config.sampleSize, this.count);
    const out: CandidateSample[] = [];
    for (let j = 0; j < n; j++) {
      const i = Math.floor((j * this.count) / n);
      const cost = this.evaluate(i);
      const buf = this.buf;
      out.push({
        params: unpackParams(this.params, i * PARAM_DIM),
        cost,
        terms: this.termRecord(),
        collisionProbability: 1 - this.survival[buf.count - 1]!,
        stage: STAGE_CODES[this.stages[i]!]!,
        xs: Float32Array.from(buf.xs),
        ys: Float32Array.from(buf.ys),
      });
    }
    return out;
  }

  private quickStopTrajectory(input: LocalPlannerInput): Trajectory {
    const p = new Float64Array([0, 0, this.buf.steps * this.config.dt, 0, 0]);
    const buf = new CandidateBuffer(this.buf.steps, this.config.dt);
    generateTrajectory(p, 0, input.start, input.limits, buf);
    return toTrajectory(buf, input.now, unpackParams(p, 0), input.limits);
  }
}

// ---- helpers ------------------------------------------------------------------------------

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

function frac(x: number): number {
  return x - Math.floor(x);
}

/** Van der Corput radical inverse of i in the given base, in [0, 1). */
function radicalInverse(i: number, base: number): number {
  const inv = 1 / base;
  let f = inv;
  let r = 0;
  while (i > 0) {
    r += (i % base) * f;
    i = Math.floor(i / base);
    f *= inv;
  }
  return r;
}

function gauss(rng: Rng): number {
  if (rng instanceof Prng) return rng.normal();
  const u = 1 - rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/** Point `dist` metres ahead along the guidance path from the point nearest the start. */
function lookahead(input: LocalPlannerInput, dist: number): { x: number; y: number } {
  const pts = input.guidancePath.length >= 2 ? input.guidancePath : [input.start.pose, input.goal];
  const sx = input.start.pose.x;
  const sy = input.start.pose.y;
  let bestSeg = 0;
  let bestU = 0;
  let bestD = Infinity;
  for (let i = 0; i < pts.length - 1; i++) {
    const a = pts[i]!;
    const b = pts[i + 1]!;
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const len2 = dx * dx + dy * dy;
    const u = len2 > 0 ? clamp(((sx - a.x) * dx + (sy - a.y) * dy) / len2, 0, 1) : 0;
    const d = Math.hypot(sx - a.x - u * dx, sy - a.y - u * dy);
    if (d < bestD) {
      bestD = d;
      bestSeg = i;
      bestU = u;
    }
  }
  let left = dist;
  for (let i = bestSeg; i < pts.length - 1; i++) {
    const a = pts[i]!;
    const b = pts[i + 1]!;
    const len = Math.hypot(b.x - a.x, b.y - a.y);
    const from = i === bestSeg ? bestU * len : 0;
    if (len - from >= left) {
      const u = (from + left) / Math.max(len, 1e-9);
      return { x: a.x + u * (b.x - a.x), y: a.y + u * (b.y - a.y) };
    }
    left -= len - from;
  }
  return { x: input.goal.x, y: input.goal.y };
}

/** Checks a 5 × 5 lattice over the footprint rectangle at the start pose against the field. */
function startOccupied(input: LocalPlannerInput): boolean {
  const { pose } = input.start;
  const fp = input.limits.footprint;
  const c = Math.cos(pose.theta);
  const s = Math.sin(pose.theta);
  for (let i = 0; i < 5; i++) {
    const lx = fp.centerOffsetX - fp.length / 2 + (fp.length * i) / 4;
    for (let j = 0; j < 5; j++) {
      const ly = -fp.width / 2 + (fp.width * j) / 4;
      if (input.obstacles.distanceAt(pose.x + c * lx - s * ly, pose.y + s * lx + c * ly) <= 0) return true;
    }
  }
  return false;
}

function validate(input: LocalPlannerInput): string | null {
  const s: RobotState = input.start;
  const nums = [s.pose.x, s.pose.y, s.pose.theta, s.v, s.w, s.a, s.alpha, input.now, input.goal.x, input.goal.y, input.goal.theta];
  if (!nums.every(Number.isFinite)) return 'Start state, goal and time must be finite numbers.';
  const l = input.limits;
  const positive = [l.vMax, l.wMax, l.aMax, l.alphaMax, l.jerkMax, l.yawJerkMax, l.footprint.length, l.footprint.width];
  if (!positive.every((x) => Number.isFinite(x) && x > 0)) return 'Limits and footprint sizes must be positive numbers.';
  if (!(l.vMin <= 0)) return 'vMin must be ≤ 0 (0 forbids reversing).';
  if (input.keepRightM !== undefined && !(Number.isFinite(input.keepRightM) && input.keepRightM >= 0)) return 'keepRightM must be a finite number ≥ 0.';
  if (input.guidanceClearance !== undefined && !(Number.isFinite(input.guidanceClearance) && input.guidanceClearance >= 0)) {
    return 'guidanceClearance must be a finite number ≥ 0.';
  }
  for (const p of input.guidancePath) {
    if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) return 'Guidance path points must be finite.';
  }
  return null;
}
