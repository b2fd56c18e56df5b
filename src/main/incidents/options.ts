/**
 * What incident detection looks for and the thresholds it uses. Units: seconds on the host
 * clock, metres, m/s.
 */
import type { IncidentKind, PipelineStage } from '../../shared/incidents';

/** Pipeline stages in the order information flows through them. */
export const PIPELINE_STAGES: readonly PipelineStage[] = [
  'link', 'perception', 'prediction', 'global-planning', 'local-planning', 'reactive-control',
];

export const INCIDENT_KINDS: readonly IncidentKind[] = ['intervention', 'safety-stop', 'near-miss', 'no-progress', 'link-loss', 'localization-lost'];

export interface IncidentOptions {
  /** Only these kinds (interventions are then attributed without the others). Default all. */
  kinds: readonly IncidentKind[];
  /** Run the stage checks (off: detection only, e.g. for the heatmap). Default true. */
  attribute: boolean;
  /** Safety stop ticks closer than this in time are one incident, s (the loop runs at ≥ 50 Hz; a brief flicker is the same event). */
  safetyMergeGapS: number;
  /** Teleop inputs closer than this are one intervention, s (the renderer repeats input while a key is held). */
  teleopMergeGapS: number;
  /** Teleop input magnitude (normalized) that counts as driving. */
  teleopMinInput: number;
  /** Speed above which the robot counts as moving, m/s. */
  movingSpeedMps: number;
  /** Near miss: footprint to scan point clearance below this while moving, m. */
  nearMissObstacleM: number;
  /** Near miss: footprint to a person's body below this while moving, m (people deserve more room than walls). */
  nearMissPersonM: number;
  /** Body radius of a tracked person around the track centre, m. */
  personRadiusM: number;
  /** Near-miss samples closer than this in time are one incident, s. */
  nearMissMergeGapS: number;
  /** No progress: distance to the goal not shrinking by `progressEpsilonM` for this long, s. */
  noProgressS: number;
  progressEpsilonM: number;
  /** A link loss this long before a stop (or during it) explains it, s. */
  linkWindowS: number;
  /** An obstacle or person first seen within this long before the stop: late detection, s. */
  lateDetectionS: number;
  /** Sensing-to-braking delay assumed when asking whether the robot could still have stopped, s. */
  reactionS: number;
  /** Braking deceleration when the robot's hello does not say, m/s². */
  defaultDecelMps2: number;
  /** A scan return this close to the stop's point "sees" it, m. */
  seenRadiusM: number;
  /** How far back stage checks look, s. */
  lookbackS: number;
  /** Stale scan: newest scan older than this at the stop, s (the reactive layer's own limit). */
  staleScanS: number;
  /** Prediction check: compare the tracked path with what was predicted this long before, s. */
  predictionLeadS: number;
  /** Step of the recorded futures: point k is `(k + 1)·step` after the record, s (the predictors' default). */
  predictionStepS: number;
  /** Uncertainty of a predicted position `tau` s ahead: sigma0 + growth·tau, m (the predictors' model). */
  predictionSigma0M: number;
  predictionSigmaGrowthMps: number;
  /** Inside the predicted futures: within this many sigmas of one of them. */
  predictionGate: number;
  /** A trigger point this close to a tracked person belongs to that person, m. */
  personMatchM: number;
  /** A chosen trajectory passing this close (footprint to point) "goes through" it, m. */
  contactMarginM: number;
  /** A guidance path still through an obstacle seen this long ago should have been replanned, s (replans are due every 2 s). */
  globalStaleS: number;
  /** An intervention within this long after another incident is explained by it, s. */
  precursorWindowS: number;
}

export const DEFAULT_INCIDENT_OPTIONS: IncidentOptions = {
  kinds: INCIDENT_KINDS,
  attribute: true,
  safetyMergeGapS: 0.3,
  teleopMergeGapS: 1.0,
  teleopMinInput: 0.01,
  movingSpeedMps: 0.05,
  nearMissObstacleM: 0.05,
  nearMissPersonM: 0.25,
  personRadiusM: 0.2,
  nearMissMergeGapS: 0.5,
  noProgressS: 5,
  progressEpsilonM: 0.15,
  linkWindowS: 1.0,
  lateDetectionS: 0.2,
  reactionS: 0.15,
  defaultDecelMps2: 1.0,
  seenRadiusM: 0.15,
  lookbackS: 5,
  staleScanS: 0.2,
  predictionLeadS: 1.0,
  predictionStepS: 0.4,
  predictionSigma0M: 0.15,
  predictionSigmaGrowthMps: 0.25,
  predictionGate: 2,
  personMatchM: 0.5,
  contactMarginM: 0.03,
  globalStaleS: 3,
  precursorWindowS: 5,
};
