/**
 * The default people predictor ("social"): a noise-adaptive constant-velocity estimate,
 * a speed model, collision-avoiding heading adjustments between the predicted people,
 * optional wall sliding, and a small set of futures over heading and speed.
 *
 * All positions in the map frame, metres; velocities m/s; times seconds.
 *
 * Per prediction:
 *  1. Velocity: exponentially weighted mean of the observed displacements. The weight
 *     decay is `smoothDecay` (usually 0: last displacement) when the observed tracks are
 *     smooth, `noisyDecay` when their noise index (velocity.ts) exceeds `noiseThreshold`.
 *  2. Nominal rollout, all people together, step `dt`: speed relaxes down toward
 *     `preferredSpeed` (people seen faster than that rarely keep it up) and decays mildly;
 *     each walking person turns away from anyone whose predicted closest approach within
 *     `interactionLookAhead` is nearer than `interactionRadius` (speed kept, heading bent);
 *     with an obstacle field, motion into walls closer than `wallClearance` is removed.
 *  3. Futures: the nominal path rotated and scaled about the current position by the
 *     modes of modes.ts (probabilities sum to 1, the nominal is the most probable);
 *     σ grows with time from the track's position σ.
 *
 * Cost: O(N² · steps) for the interactions plus O(N · futures · steps); about a
 * microsecond per person at N ≈ 10.
 */
import type { PersonPrediction, PredictedFuture } from '../../shared/people';
import { stepCount } from './constant-velocity';
import { quantizeModes, type ModeSpread } from './modes';
import type { PredictionInput, PredictionTiming, Predictor } from './types';
import { trackNoiseIndex, weightedVelocity } from './velocity';

export interface SocialPredictorConfig extends PredictionTiming {
  /** Futures per person (1 = nominal only). */
  futureCount: number;
  /** Displacement weight decay for smooth tracks (0 = last displacement only). */
  smoothDecay: number;
  /** Displacement weight decay for noisy tracks. */
  noisyDecay: number;
  /** Noise index above which tracks count as noisy (see trackNoiseIndex). */
  noiseThreshold: number;
  /** Speed people slow toward when seen faster, m/s. */
  preferredSpeed: number;
  /** Time constant of that slowing, seconds. */
  speedRelaxationTime: number;
  /** Mild exponential speed decay, 1/s (people rarely keep a speed for long). */
  speedDecayRate: number;
  /** Closest-approach distance below which predicted people steer apart, metres. */
  interactionRadius: number;
  /** Maximum turn rate of that steering, rad/s. */
  interactionTurnRate: number;
  /** How far ahead closest approaches are considered, seconds. */
  interactionLookAhead: number;
  /** Speed below which a person counts as standing (does not steer), m/s. */
  standingSpeed: number;
  /** Distance to walls below which motion into the wall is removed, metres. */
  wallClearance: number;
  /** Growth of each future's 1-σ position uncertainty, m/s. */
  sigmaGrowth: number;
  /** Spread of the futures over heading and speed. */
  spread: ModeSpread;
}

/**
 * Default parameters. Velocity and speed terms were fitted by coordinate descent on the
 * ETH split's train+val files of ../shared/data/eth_ucy/SPLITS.json (never the test
 * files) with src/main/eval/fit-social.ts; the HOTEL split's train+val files give nearly
 * the same values. That fit sets the interaction turn rate to 0 (on ETH/UCY it does not
 * change ADE); it is kept at a small value on purpose, because the planner needs people
 * who are about to collide predicted apart rather than through each other (cost on
 * ETH/HOTEL: ≤ 0.003 m FDE). The futures' spread (heading/speed σ, ring radii) and
 * σ growth were set by hand, not fitted. Horizon 4.8 s at 0.4 s.
 */
export const DEFAULT_SOCIAL_CONFIG: SocialPredictorConfig = {
  dt: 0.4,
  horizon: 4.8,
  futureCount: 7,
  smoothDecay: 0,
  noisyDecay: 0.8,
  noiseThreshold: 0.05,
  preferredSpeed: 1.8,
  speedRelaxationTime: 4,
  speedDecayRate: 0.0125,
  interactionRadius: 0.6,
  interactionTurnRate: 0.25,
  interactionLookAhead: 3,
  standingSpeed: 0.2,
  wallClearance: 0.3,
  sigmaGrowth: 0.15,
  spread: { headingSigma: 0.06, logSpeedSigma: 0.25, ringRadii: [1.6, 2.6] },
};

/** Largest horizon the predictor accepts, seconds. */
export const MAX_HORIZON = 8;

export function createSocialPredictor(config: Partial<SocialPredictorConfig> = {}): Predictor {
  const cfg: SocialPredictorConfig = { ...DEFAULT_SOCIAL_CONFIG, ...config };
  if (!(cfg.dt > 0) || !(cfg.horizon > 0) || cfg.horizon > MAX_HORIZON + 1e-9) {
    throw new Error(`social predictor: need dt > 0 and 0 < horizon ≤ ${MAX_HORIZON} s (got dt ${cfg.dt}, horizon ${cfg.horizon})`);
  }
  const steps = stepCount(cfg);
  const modes = quantizeModes(cfg.futureCount, cfg.spread);
  const modeCos = modes.map((m) => Math.cos(m.headingOffset) * m.speedScale);
  const modeSin = modes.map((m) => Math.sin(m.headingOffset) * m.speedScale);
  return {
    name: 'social',
    futureCount: modes.length,
    predict(input: PredictionInput): PersonPrediction[] {
      const agents = input.agents;
      const n = agents.length;
      const noisy = trackNoiseIndex(agents) > cfg.noiseThreshold;
      const decay = noisy ? cfg.noisyDecay : cfg.smoothDecay;
      // Current state of every person, then the nominal rollout (row-major: agent × step).
      const px = new Float64Array(n);
      const py = new Float64Array(n);
      const vx = new Float64Array(n);
      const vy = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const a = agents[i];
        const last = a.xs.length - 1;
        px[i] = a.xs[last];
        py[i] = a.ys[last];
        const v = weightedVelocity(a.xs, a.ys, input.historyDt, decay);
        vx[i] = v ? v.vx : (a.vx ?? 0);
        vy[i] = v ? v.vy : (a.vy ?? 0);
      }
      const x0 = px.slice();
      const y0 = py.slice();
      const nomX = new Float64Array(n * steps);
      const nomY = new Float64Array(n * steps);
      const turn = new Float64Array(n);
      const decayFactor = Math.exp(-cfg.speedDecayRate * cfg.dt);
      const relax = Math.min(1, cfg.dt / cfg.speedRelaxationTime);
      for (let k = 0; k < steps; k++) {
        // Speed model.
        for (let i = 0; i < n; i++) {
          const speed = Math.sqrt(vx[i] * vx[i] + vy[i] * vy[i]);
          if (speed < 1e-9) continue;
          let next = speed > cfg.preferredSpeed ? speed + relax * (cfg.preferredSpeed - speed) : speed;
          next *= decayFactor;
          vx[i] *= next / speed;
          vy[i] *= next / speed;
        }
        // Interactions: every turn computed from the same state, then applied together.
        if (cfg.interactionTurnRate > 0) {
          for (let i = 0; i < n; i++) turn[i] = interactionTurn(i, n, px, py, vx, vy, cfg);
          for (let i = 0; i < n; i++) {
            if (turn[i] === 0) continue;
            const angle = turn[i] * cfg.dt;
            const c = Math.cos(angle);
            const s = Math.sin(angle);
            const nx = c * vx[i] - s * vy[i];
            vy[i] = s * vx[i] + c * vy[i];
            vx[i] = nx;
          }
        }
        // Walls: drop the velocity component that heads into a near wall.
        if (input.obstacles) {
          for (let i = 0; i < n; i++) slideAlongWall(i, px, py, vx, vy, input.obstacles, cfg);
        }
        for (let i = 0; i < n; i++) {
          px[i] += vx[i] * cfg.dt;
          py[i] += vy[i] * cfg.dt;
          nomX[i * steps + k] = px[i];
          nomY[i * steps + k] = py[i];
        }
      }
      // Futures: the nominal path rotated and scaled about the current position.
      const predictions: PersonPrediction[] = [];
      for (let i = 0; i < n; i++) {
        const sigma0 = agents[i].positionSigma ?? 0;
        // One σ array shared by the person's futures (they differ in heading and speed, not
        // in within-mode uncertainty) and one buffer for all their points: few allocations.
        const sigmas = new Float64Array(steps);
        for (let k = 0; k < steps; k++) {
          const grown = cfg.sigmaGrowth * (k + 1) * cfg.dt;
          sigmas[k] = Math.sqrt(sigma0 * sigma0 + grown * grown);
        }
        const buffer = new Float64Array(2 * steps * modes.length);
        const futures: PredictedFuture[] = [];
        for (let m = 0; m < modes.length; m++) {
          const xs = buffer.subarray(2 * m * steps, (2 * m + 1) * steps);
          const ys = buffer.subarray((2 * m + 1) * steps, (2 * m + 2) * steps);
          const c = modeCos[m];
          const s = modeSin[m];
          let qx = x0[i];
          let qy = y0[i];
          let prevX = x0[i];
          let prevY = y0[i];
          for (let k = 0; k < steps; k++) {
            const nx = nomX[i * steps + k];
            const ny = nomY[i * steps + k];
            // Step of the nominal, rotated and scaled; with an obstacle field the part of it
            // that heads into a near wall is removed, so a future slides along the wall
            // instead of passing through it (the nominal itself already does).
            const sx = nx - prevX;
            const sy = ny - prevY;
            prevX = nx;
            prevY = ny;
            let stepX = c * sx - s * sy;
            let stepY = s * sx + c * sy;
            if (input.obstacles && m > 0) {
              const slid = slideStep(qx, qy, stepX, stepY, input.obstacles, cfg.wallClearance);
              stepX = slid.x;
              stepY = slid.y;
            }
            qx += stepX;
            qy += stepY;
            xs[k] = qx;
            ys[k] = qy;
          }
          futures.push({ probability: modes[m].probability, xs, ys, sigmas });
        }
        predictions.push({ trackId: agents[i].id, t0: input.t0, dt: cfg.dt, futures });
      }
      return predictions;
    },
  };
}

/**
 * Turn rate of person `i` away from predicted close approaches, rad/s (CCW +). Each
 * other person j whose closest approach (constant relative velocity, within the
 * look-ahead) is nearer than the radius adds a turn that grows as the miss distance
 * shrinks and as the approach gets closer in time; the sign turns i's heading away from
 * where j will be at that moment.
 */
function interactionTurn(
  i: number,
  n: number,
  px: Float64Array,
  py: Float64Array,
  vx: Float64Array,
  vy: Float64Array,
  cfg: SocialPredictorConfig,
): number {
  const speed = Math.sqrt(vx[i] * vx[i] + vy[i] * vy[i]);
  if (speed < cfg.standingSpeed) return 0;
  let total = 0;
  for (let j = 0; j < n; j++) {
    if (j === i) continue;
    const dx = px[j] - px[i];
    const dy = py[j] - py[i];
    const dvx = vx[j] - vx[i];
    const dvy = vy[j] - vy[i];
    const dv2 = dvx * dvx + dvy * dvy;
    let tClosest = dv2 > 1e-9 ? -(dx * dvx + dy * dvy) / dv2 : 0;
    if (tClosest < 0) tClosest = 0;
    if (tClosest > cfg.interactionLookAhead) continue;
    const cx = dx + dvx * tClosest;
    const cy = dy + dvy * tClosest;
    const miss = Math.sqrt(cx * cx + cy * cy);
    if (miss >= cfg.interactionRadius) continue;
    // Which side j passes on: cross(v_i, closest offset) > 0 means j is to i's left.
    let side = vx[i] * cy - vy[i] * cx;
    if (Math.abs(side) < 1e-9 * speed) side = i < j ? 1 : -1; // head-on: keep right for the lower index, deterministic
    const strength = (1 - miss / cfg.interactionRadius) * (1 - tClosest / cfg.interactionLookAhead);
    total += (side > 0 ? -1 : 1) * strength;
  }
  return Math.max(-1, Math.min(1, total)) * cfg.interactionTurnRate;
}

function slideAlongWall(
  i: number,
  px: Float64Array,
  py: Float64Array,
  vx: Float64Array,
  vy: Float64Array,
  obstacles: { distanceAt(x: number, y: number): number },
  cfg: SocialPredictorConfig,
): void {
  const nx = px[i] + vx[i] * cfg.dt;
  const ny = py[i] + vy[i] * cfg.dt;
  if (obstacles.distanceAt(nx, ny) >= cfg.wallClearance) return;
  const h = 0.05;
  const gx = (obstacles.distanceAt(nx + h, ny) - obstacles.distanceAt(nx - h, ny)) / (2 * h);
  const gy = (obstacles.distanceAt(nx, ny + h) - obstacles.distanceAt(nx, ny - h)) / (2 * h);
  const g2 = gx * gx + gy * gy;
  // No usable gradient: flat, or at the edge of a field with no obstacle in it (∞ − 0), where
  // the step would turn NaN (a map still being built has no walls yet).
  if (!(g2 >= 1e-12 && g2 < Number.POSITIVE_INFINITY)) return;
  const into = (vx[i] * gx + vy[i] * gy) / g2; // < 0: moving down the distance gradient, toward the wall
  if (into >= 0) return;
  vx[i] -= into * gx;
  vy[i] -= into * gy;
}

/** A step (dx, dy) from (x, y) without its component into a wall nearer than `clearance` at the step's end. */
function slideStep(
  x: number,
  y: number,
  dx: number,
  dy: number,
  obstacles: { distanceAt(x: number, y: number): number },
  clearance: number,
): { x: number; y: number } {
  const nx = x + dx;
  const ny = y + dy;
  if (obstacles.distanceAt(nx, ny) >= clearance) return { x: dx, y: dy };
  const h = 0.05;
  const gx = (obstacles.distanceAt(nx + h, ny) - obstacles.distanceAt(nx - h, ny)) / (2 * h);
  const gy = (obstacles.distanceAt(nx, ny + h) - obstacles.distanceAt(nx, ny - h)) / (2 * h);
  const g2 = gx * gx + gy * gy;
  if (!(g2 >= 1e-12 && g2 < Number.POSITIVE_INFINITY)) return { x: dx, y: dy };
  const into = (dx * gx + dy * gy) / g2;
  if (into >= 0) return { x: dx, y: dy };
  return { x: dx - into * gx, y: dy - into * gy };
}
