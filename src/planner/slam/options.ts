/**
 * The mapper's parameters: one set, used live (360° lidar, 10 Hz, 8–12 m, homes) and on the
 * benchmark logs alike. Units SI (m, rad, s). Nothing here is per dataset.
 */

const DEG = Math.PI / 180;

export interface MapperOptions {
  /** Submap and matching grid cell, m. */
  resolution: number;
  /** Probability a hit / a miss asserts (odds update), as in Cartographer's submaps. */
  hitProbability: number;
  missProbability: number;
  /** Returns farther than this are used only as free space, m. */
  maxRange: number;
  /**
   * A beam with no return at all is free up to rangeMax for the occupancy grid (the
   * RangeScan contract), capped by maxRange and this, m (0: not at all). Submaps ignore it.
   */
  noReturnFreeRange: number;
  /** Thinning of matching points: spacing along the scan, m, and a cap on their number. */
  matchPointSpacing: number;
  maxMatchPoints: number;
  /** A scan with fewer returns than this is not matched (dead-reckoned) nor kept as a node. */
  minPoints: number;

  /** A scan becomes a graph node after this much motion or time since the last node. */
  nodeMinTranslation: number;
  nodeMinRotation: number;
  nodeMaxInterval: number;
  /** Nodes inserted into a submap before the next one starts; a submap is finished at twice this. */
  nodesPerSubmap: number;

  /** Local (scan-to-submap) correlative window around the odometry prediction. */
  localLinearWindow: number;
  localAngularWindow: number;
  /** Range setting the local search's angular step (one cell at this range), m. */
  localStepRange: number;
  /** Correlative penalty weights (1/m, 1/rad). */
  localTranslationPenalty: number;
  localRotationPenalty: number;
  /**
   * Continuous refinement (Levenberg–Marquardt on the bicubic grid): residual per point
   * (refineOccupiedWeight/√n)·(1 − p), plus pulls toward the odometry prediction of
   * refineTranslationWeight·|Δt| (1/m; used only without adaptiveOdometryTrust) and
   * refineRotationWeight·|Δθ| (1/rad). So a 1 cm disagreement at weight 1 costs as much as
   * the scan leaving 1 % of its probability mass.
   */
  refineOccupiedWeight: number;
  refineTranslationWeight: number;
  refineRotationWeight: number;
  refineIterations: number;
  /**
   * Derive the translation pull from odometry's measured per-scan error σ (m: running median
   * of |prediction − map-only match|, less the match's own jitter `matchNoise`, at least
   * `minOdometryNoise`): weight = adaptiveTranslationTrust / σ (dimensionless trust; 0.02 gives
   * weight 4 at σ = 5 mm, 1.35 at 15 mm). Otherwise refineTranslationWeight.
   */
  adaptiveOdometryTrust: boolean;
  adaptiveTranslationTrust: number;
  matchNoise: number;
  minOdometryNoise: number;
  /** Pulls toward the branch-and-bound result when refining a loop closure (weak: that result is quantised). */
  loopRefineTranslationWeight: number;
  loopRefineRotationWeight: number;
  /** Below this score the local match is distrusted and the prediction kept. */
  localMinScore: number;

  /** Finished submaps whose centre lies within this of a node are loop-closure candidates, m. */
  loopSearchRadius: number;
  /** Submaps sharing nodes with the current one within this many submaps are not candidates. */
  loopMinSubmapGap: number;
  /**
   * Branch-and-bound window for loop closure (m, rad): min + growth × distance driven since
   * the last accepted closure, capped at loopLinearWindow / loopAngularWindow.
   */
  loopMinLinearWindow: number;
  loopWindowGrowth: number;
  loopLinearWindow: number;
  loopMinAngularWindow: number;
  loopAngularWindowGrowth: number;
  loopAngularWindow: number;
  /** Range setting the loop search's angular step, m. */
  loopStepRange: number;
  /** Pyramid depth of the branch-and-bound (block of 2^(depth−1) cells at the top). */
  loopDepth: number;
  /**
   * Minimum branch-and-bound and refined score (mean probability) to accept a closure:
   * loopMinScore, lowered to loopRelativeScore × the node's own local match score when that
   * is low (cluttered places, sparse scans), never below loopMinScoreFloor.
   */
  loopMinScore: number;
  loopRelativeScore: number;
  loopMinScoreFloor: number;
  /** Search every n-th node for loop closures (search cost control; deterministic). */
  loopEveryNodes: number;
  /** At most this many submaps searched per node (nearest first)… */
  loopMaxCandidates: number;
  /**
   * …and fewer when the window is wide: searches × (window² × angle) stays within this many
   * minimum-window searches (at least one search), so a node's search time is bounded.
   */
  loopSearchBudget: number;
  /** Reject matches whose weakest translational direction is pinned less than this fraction of the strongest (corridors). */
  loopMinConditioning: number;
  /** A match moving the node less than this (m, rad) from its estimate is accepted at once. */
  loopTrustedJump: number;
  loopTrustedJumpTheta: number;
  /** Larger corrections need matches of this many different nodes implying the same correction… */
  loopConfirmations: number;
  /** …within this (m, rad) of each other, found within this many nodes. */
  loopConsistencyLinear: number;
  loopConsistencyAngular: number;
  loopPendingNodes: number;
  /** Cache for branch-and-bound pyramids, bytes. */
  precomputationCacheBytes: number;

  /** Standard deviations of the sequential (node → next node) constraint: m, rad. */
  sequentialSigmaXY: number;
  sequentialSigmaTheta: number;
  /** Standard deviations of node-in-submap constraints from local matching: m, rad. */
  submapSigmaXY: number;
  submapSigmaTheta: number;
  /** Standard deviations of loop-closure constraints: m, rad. */
  loopSigmaXY: number;
  loopSigmaTheta: number;
  /** Robust kernel on loop closures and its scale (√χ²). */
  loopKernel: 'none' | 'huber' | 'cauchy' | 'dcs';
  loopKernelScale: number;

  /** Optimise after this many new nodes when new loop closures are pending. */
  optimizeEveryNodes: number;
  optimizeIterations: number;
}

export const DEFAULT_MAPPER_OPTIONS: Readonly<MapperOptions> = Object.freeze({
  resolution: 0.05,
  hitProbability: 0.55,
  missProbability: 0.49,
  maxRange: 25,
  noReturnFreeRange: Number.POSITIVE_INFINITY,
  matchPointSpacing: 0.05,
  maxMatchPoints: 250,
  minPoints: 20,

  nodeMinTranslation: 0.2,
  nodeMinRotation: 10 * DEG,
  nodeMaxInterval: 5,
  nodesPerSubmap: 40,

  localLinearWindow: 0.15,
  localAngularWindow: 20 * DEG,
  localStepRange: 10,
  localTranslationPenalty: 1,
  localRotationPenalty: 1,
  refineOccupiedWeight: 1,
  refineTranslationWeight: 1.5,
  refineRotationWeight: 2,
  refineIterations: 20,
  adaptiveOdometryTrust: true,
  adaptiveTranslationTrust: 0.02,
  matchNoise: 0.006,
  minOdometryNoise: 0.002,
  loopRefineTranslationWeight: 0.5,
  loopRefineRotationWeight: 1,
  localMinScore: 0.25,

  loopSearchRadius: 8,
  loopMinSubmapGap: 1,
  loopMinLinearWindow: 1,
  loopWindowGrowth: 0.1,
  loopLinearWindow: 6,
  loopMinAngularWindow: 10 * DEG,
  loopAngularWindowGrowth: 1 * DEG,
  loopAngularWindow: 40 * DEG,
  loopStepRange: 10,
  loopDepth: 7,
  loopMinScore: 0.6,
  loopRelativeScore: 0.9,
  loopMinScoreFloor: 0.45,
  loopEveryNodes: 3,
  loopMaxCandidates: 3,
  loopSearchBudget: 40,
  loopMinConditioning: 0.05,
  loopTrustedJump: 0.3,
  loopTrustedJumpTheta: 3 * DEG,
  loopConfirmations: 2,
  loopConsistencyLinear: 0.2,
  loopConsistencyAngular: 2 * DEG,
  loopPendingNodes: 40,
  precomputationCacheBytes: 96 * 1024 * 1024,

  sequentialSigmaXY: 0.005,
  sequentialSigmaTheta: 0.2 * DEG,
  submapSigmaXY: 0.1,
  submapSigmaTheta: 3 * DEG,
  loopSigmaXY: 0.03,
  loopSigmaTheta: 0.5 * DEG,
  loopKernel: 'dcs',
  loopKernelScale: 2,

  optimizeEveryNodes: 30,
  optimizeIterations: 10,
});
