/**
 * Constant-velocity baseline: repeat the last observed displacement. With the ETH/UCY
 * protocol this is the reference "CV" model (ADE/FDE 0.995/2.234 on ETH).
 */
import type { PersonPrediction } from '../../shared/people';
import type { PredictionInput, PredictionTiming, Predictor } from './types';

export interface ConstantVelocityConfig extends PredictionTiming {
  /** Growth of the 1-σ position uncertainty with prediction time, metres per second. */
  sigmaGrowth: number;
}

export const DEFAULT_CV_CONFIG: ConstantVelocityConfig = { dt: 0.4, horizon: 4.8, sigmaGrowth: 0.25 };

/** Number of prediction steps for a horizon and step (rounded, at least 1). */
export function stepCount(timing: PredictionTiming): number {
  return Math.max(1, Math.round(timing.horizon / timing.dt));
}

/** Last-displacement velocity of an agent, m/s (falls back to the given vx/vy, else 0). */
export function lastDisplacementVelocity(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  historyDt: number,
  fallback: { vx?: number; vy?: number },
): { vx: number; vy: number } {
  const n = xs.length;
  if (n >= 2) return { vx: (xs[n - 1] - xs[n - 2]) / historyDt, vy: (ys[n - 1] - ys[n - 2]) / historyDt };
  return { vx: fallback.vx ?? 0, vy: fallback.vy ?? 0 };
}

export function createConstantVelocityPredictor(config: Partial<ConstantVelocityConfig> = {}): Predictor {
  const cfg = { ...DEFAULT_CV_CONFIG, ...config };
  const steps = stepCount(cfg);
  return {
    name: 'cv',
    futureCount: 1,
    predict(input: PredictionInput): PersonPrediction[] {
      return input.agents.map((agent) => {
        const n = agent.xs.length;
        const x0 = agent.xs[n - 1];
        const y0 = agent.ys[n - 1];
        const { vx, vy } = lastDisplacementVelocity(agent.xs, agent.ys, input.historyDt, agent);
        const sigma0 = agent.positionSigma ?? 0;
        const xs = new Float64Array(steps);
        const ys = new Float64Array(steps);
        const sigmas = new Float64Array(steps);
        for (let k = 0; k < steps; k++) {
          const t = (k + 1) * cfg.dt;
          xs[k] = x0 + vx * t;
          ys[k] = y0 + vy * t;
          sigmas[k] = Math.hypot(sigma0, cfg.sigmaGrowth * t);
        }
        return { trackId: agent.id, t0: input.t0, dt: cfg.dt, futures: [{ probability: 1, xs, ys, sigmas }] };
      });
    },
  };
}
