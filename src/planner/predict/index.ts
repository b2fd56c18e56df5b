/**
 * People prediction: pick a model by name. `social` is the default (the one the planner
 * uses); `cv` is the constant-velocity baseline.
 */
import { createConstantVelocityPredictor, type ConstantVelocityConfig } from './constant-velocity';
import { createSocialPredictor, type SocialPredictorConfig } from './social';
import type { Predictor } from './types';

export type { ObstacleDistance, PredictionAgent, PredictionInput, PredictionTiming, Predictor } from './types';
export { createConstantVelocityPredictor, DEFAULT_CV_CONFIG } from './constant-velocity';
export { createSocialPredictor, DEFAULT_SOCIAL_CONFIG, MAX_HORIZON } from './social';
export type { SocialPredictorConfig } from './social';
export { quantizeModes } from './modes';
export { createRng, standardNormal } from './random';
export { agentFromTrack } from './agents';

export const PREDICTOR_MODELS = ['social', 'cv'] as const;
export type PredictorModel = (typeof PREDICTOR_MODELS)[number];
export const DEFAULT_PREDICTOR_MODEL: PredictorModel = 'social';

export interface PredictorConfig {
  /** Model name; `social` when omitted. */
  model?: PredictorModel;
  /** Step between predicted points, seconds (0.4 by default). */
  dt?: number;
  /** Horizon, seconds (4.8 by default, at most 8). */
  horizon?: number;
  /** Futures per person for models that have several (social: 7 by default). */
  futureCount?: number;
  /** Further model-specific overrides. */
  social?: Partial<SocialPredictorConfig>;
  cv?: Partial<ConstantVelocityConfig>;
}

export function isPredictorModel(name: string): name is PredictorModel {
  return (PREDICTOR_MODELS as readonly string[]).includes(name);
}

/** Builds the configured predictor. Throws on an unknown model name. */
export function createPredictor(config: PredictorConfig = {}): Predictor {
  const model = config.model ?? DEFAULT_PREDICTOR_MODEL;
  const timing = {
    ...(config.dt !== undefined ? { dt: config.dt } : {}),
    ...(config.horizon !== undefined ? { horizon: config.horizon } : {}),
  };
  switch (model) {
    case 'social':
      return createSocialPredictor({
        ...config.social,
        ...timing,
        ...(config.futureCount !== undefined ? { futureCount: config.futureCount } : {}),
      });
    case 'cv':
      return createConstantVelocityPredictor({ ...config.cv, ...timing });
    default:
      throw new Error(`unknown predictor model '${String(model)}' (known: ${PREDICTOR_MODELS.join(', ')})`);
  }
}
