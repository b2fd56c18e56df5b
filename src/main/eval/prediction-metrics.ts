/**
 * Runs a Predictor over ETH/UCY evaluation windows and scores it: deterministic ADE/FDE of
 * the most likely future and best-of-N minADE/minFDE. When the model returns fewer than N
 * futures, N trajectories are sampled from its mixture (see `sampleTrajectories`).
 */
import type { PersonPrediction, PredictedFuture } from '../../shared/people';
import { createRng, standardNormal, type Rng } from '../../planner/predict/random';
import type { PredictionAgent, PredictionInput, Predictor } from '../../planner/predict/types';
import { ETH_UCY_STEP_SECONDS, STANDARD_PROTOCOL, type EvalWindow, type WindowProtocol } from './eth-ucy';

export interface PredictionScore {
  windows: number;
  /** (pedestrian, window) pairs scored. */
  agents: number;
  ade: number;
  fde: number;
  /** Best-of-`samples` ADE, metres. */
  minAde: number;
  minFde: number;
  samples: number;
  /** How the best-of-N set was formed, for the report. */
  bestOfMethod: 'model-futures' | 'sampled';
  /**
   * Steady-state wall time of one pass of `predict` over all windows, milliseconds: the
   * median of at least `timingPasses` passes after the scored (warm-up) pass, results discarded
   * so neither scoring nor retained results put garbage collection into the timing.
   * 0 if no clock was given.
   */
  predictMs: number;
}

export interface EvaluateOptions {
  protocol?: WindowProtocol;
  /** Best-of-N count (20). */
  samples?: number;
  /** Seed for sampling when the model has fewer than `samples` futures. */
  seed?: number;
  /** Wall clock in milliseconds, for timing `predict` (Node side passes performance.now). */
  clock?: () => number;
  /** Minimum timed passes over all windows (3); small inputs get more. The median pass is reported. */
  timingPasses?: number;
}

/** The most probable future (the first on ties). */
export function mostLikelyFuture(prediction: PersonPrediction): PredictedFuture {
  let best = prediction.futures[0];
  for (const f of prediction.futures) if (f.probability > best.probability) best = f;
  return best;
}

/**
 * `count` trajectories from a person's predicted futures: the `count` most probable
 * futures when the model gives at least that many; otherwise each sample picks a future
 * with its probability and shifts it by z·σ_k, one 2-D standard normal z per sample
 * (a fan that widens like σ), using the seeded `rng`.
 */
export function sampleTrajectories(
  prediction: PersonPrediction,
  count: number,
  rng: Rng,
): { xs: ArrayLike<number>; ys: ArrayLike<number> }[] {
  const futures = prediction.futures;
  if (futures.length >= count) {
    return [...futures].sort((a, b) => b.probability - a.probability).slice(0, count);
  }
  const out: { xs: Float64Array; ys: Float64Array }[] = [];
  for (let s = 0; s < count; s++) {
    let u = rng();
    let chosen = futures[futures.length - 1];
    for (const f of futures) {
      if (u < f.probability) {
        chosen = f;
        break;
      }
      u -= f.probability;
    }
    const zx = standardNormal(rng);
    const zy = standardNormal(rng);
    const n = chosen.xs.length;
    const xs = new Float64Array(n);
    const ys = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      xs[k] = chosen.xs[k] + zx * chosen.sigmas[k];
      ys[k] = chosen.ys[k] + zy * chosen.sigmas[k];
    }
    out.push({ xs, ys });
  }
  return out;
}

/** Mean and final L2 error of a predicted path against truth over `steps` steps. */
export function displacementErrors(
  predXs: ArrayLike<number>,
  predYs: ArrayLike<number>,
  trueXs: ArrayLike<number>,
  trueYs: ArrayLike<number>,
  steps: number,
): { ade: number; fde: number } {
  let sum = 0;
  let last = 0;
  for (let k = 0; k < steps; k++) {
    last = Math.hypot(predXs[k] - trueXs[k], predYs[k] - trueYs[k]);
    sum += last;
  }
  return { ade: sum / steps, fde: last };
}

/** Builds the predictor input of one window: the observed part of each counted pedestrian. */
export function observedAgents(window: EvalWindow, observe: number): PredictionAgent[] {
  return window.agents.map((a) => ({ id: a.id, xs: a.xs.subarray(0, observe), ys: a.ys.subarray(0, observe) }));
}

/** Scores `predictor` on `windows`. The predictor must be set to the protocol's step (0.4 s) and ≥ 12 steps. */
export function evaluatePredictor(windows: readonly EvalWindow[], predictor: Predictor, options: EvaluateOptions = {}): PredictionScore {
  const protocol = options.protocol ?? STANDARD_PROTOCOL;
  const samples = options.samples ?? 20;
  const rng = createRng(options.seed ?? 20240521);
  const clock = options.clock;
  let agents = 0;
  let ade = 0;
  let fde = 0;
  let minAde = 0;
  let minFde = 0;
  let predictMs = 0;
  const inputs = windows.map((w) => ({ t0: 0, historyDt: ETH_UCY_STEP_SECONDS, agents: observedAgents(w, protocol.observe) }));
  const allPredictions = inputs.map((input) => predictor.predict(input));
  if (clock) predictMs = timePredictions(predictor, inputs, clock, options.timingPasses ?? 3);
  for (let w = 0; w < windows.length; w++) {
    const window = windows[w];
    const predictions = allPredictions[w];
    const byId = new Map(predictions.map((p) => [p.trackId, p]));
    for (const agent of window.agents) {
      const prediction = byId.get(agent.id);
      if (!prediction) throw new Error(`predictor '${predictor.name}' returned no prediction for pedestrian ${agent.id}`);
      if (Math.abs(prediction.dt - ETH_UCY_STEP_SECONDS) > 1e-9) {
        throw new Error(`predictor '${predictor.name}' step is ${prediction.dt} s, the protocol needs ${ETH_UCY_STEP_SECONDS} s`);
      }
      const trueXs = agent.xs.subarray(protocol.observe);
      const trueYs = agent.ys.subarray(protocol.observe);
      const best = mostLikelyFuture(prediction);
      if (best.xs.length < protocol.predict) {
        throw new Error(`predictor '${predictor.name}' predicts ${best.xs.length} steps, the protocol needs ${protocol.predict}`);
      }
      const e = displacementErrors(best.xs, best.ys, trueXs, trueYs, protocol.predict);
      ade += e.ade;
      fde += e.fde;
      let bestAde = Infinity;
      let bestFde = Infinity;
      for (const t of sampleTrajectories(prediction, samples, rng)) {
        const s = displacementErrors(t.xs, t.ys, trueXs, trueYs, protocol.predict);
        if (s.ade < bestAde) bestAde = s.ade;
        if (s.fde < bestFde) bestFde = s.fde;
      }
      minAde += bestAde;
      minFde += bestFde;
      agents++;
    }
  }
  const d = Math.max(1, agents);
  return {
    windows: windows.length,
    agents,
    ade: ade / d,
    fde: fde / d,
    minAde: minAde / d,
    minFde: minFde / d,
    samples,
    bestOfMethod: predictor.futureCount >= samples ? 'model-futures' : 'sampled',
    predictMs,
  };
}

/** Median wall time of `passes` prediction passes over `inputs`, milliseconds. */
function timePredictions(predictor: Predictor, inputs: readonly PredictionInput[], clock: () => number, passes: number): number {
  const times: number[] = [];
  let checksum = 0;
  // At least `passes` passes and, for small files, enough of them (≥ 50 ms in all, at
  // most 50 passes) for the JIT to reach steady state.
  let total = 0;
  while (times.length < Math.max(1, passes) || (total < 50 && times.length < 50)) {
    const started = clock();
    for (const input of inputs) checksum += predictor.predict(input).length;
    const elapsed = clock() - started;
    times.push(elapsed);
    total += elapsed;
  }
  if (checksum < 0) throw new Error('unreachable'); // keeps the results observable
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}
