/**
 * Predictor contract. Input: every person's recent observed positions (map frame,
 * metres) sampled at a fixed step; output: several possible futures per person, each
 * with a probability, as `PersonPrediction` (src/shared/people.ts).
 */
import type { PersonPrediction } from '../../shared/people';

/** Anything that can say how far a map-frame point is from the nearest static obstacle. */
export interface ObstacleDistance {
  /** Distance from (x, y) (map frame, metres) to the nearest static obstacle, metres. */
  distanceAt(x: number, y: number): number;
}

/** One person as the predictor sees them. */
export interface PredictionAgent {
  /** Track id; copied to `PersonPrediction.trackId`. */
  id: number;
  /**
   * Observed positions, map frame, metres, oldest first, spaced `historyDt` apart; the
   * last one is the position at `t0`. At least one point.
   */
  xs: ArrayLike<number>;
  ys: ArrayLike<number>;
  /**
   * Velocity estimate, map frame, m/s, used when the history has a single point (for
   * instance a fresh track from the tracker). Ignored when the history has ≥ 2 points.
   */
  vx?: number;
  vy?: number;
  /** 1-σ uncertainty of the current position, metres (0 when unknown). */
  positionSigma?: number;
}

export interface PredictionInput {
  /** Time of the last observation, seconds (planner clock); becomes `PersonPrediction.t0`. */
  t0: number;
  /** Spacing of the observed positions, seconds. */
  historyDt: number;
  agents: readonly PredictionAgent[];
  /** Optional static map distance, so predicted paths keep off walls. */
  obstacles?: ObstacleDistance;
}

/** Horizon and sampling of the predicted futures. */
export interface PredictionTiming {
  /** Prediction step, seconds. */
  dt: number;
  /** Prediction horizon, seconds (4.8 s by default, up to 8 s). */
  horizon: number;
}

/** A people predictor. Deterministic: the same input gives the same output. */
export interface Predictor {
  /** Model name as chosen in configuration (`cv`, `social`, …). */
  readonly name: string;
  /** Number of futures returned per person. */
  readonly futureCount: number;
  predict(input: PredictionInput): PersonPrediction[];
}
