/**
 * People as the planner sees them: tracks from perception and their predicted futures.
 * All positions are in the `map` frame, metres; velocities m/s; times seconds.
 */

/** A tracked person, estimated from the scan. */
export interface PersonTrack {
  /** Stable id for the life of the track. */
  id: number;
  x: number;
  y: number;
  vx: number;
  vy: number;
  /** 1-σ position uncertainty, metres. */
  positionSigma: number;
  /** Time of the last detection that updated this track, seconds (host clock). */
  lastSeen: number;
  /** Track age in updates; young tracks are less trusted. */
  hits: number;
}

/**
 * One possible future of one person. Point k (k = 0 … n−1) is the predicted position at
 * time `t0 + (k + 1) · dt` of the enclosing prediction.
 */
export interface PredictedFuture {
  /** Probability of this future; a person's futures sum to 1. */
  probability: number;
  xs: Float64Array;
  ys: Float64Array;
  /** 1-σ isotropic position uncertainty at each point, metres (grows with time). */
  sigmas: Float64Array;
}

/** The predicted futures of one person. */
export interface PersonPrediction {
  trackId: number;
  /** Time the prediction starts from, seconds (same clock as the planner's `now`). */
  t0: number;
  /** Step between predicted points, seconds. */
  dt: number;
  futures: PredictedFuture[];
}
