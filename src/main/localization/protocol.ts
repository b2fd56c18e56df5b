/**
 * Messages between the console core and where localization and mapping run (a worker thread
 * live, in process on virtual time). Structured-clone friendly: scans travel as typed arrays.
 * Frames: `odom` poses from the robot, `map` poses from the estimator (REP 105).
 */
import type { Pose2D } from '../../shared/geometry';
import type { OccupancyGrid } from '../../shared/grid';
import type { LocalizationEstimate, MappingUpdate, PoseGraphData, ScanInput } from '../../planner/slam/types';

/** What runs: nothing (odometry and the operator's placement only), MCL on a map, or SLAM. */
export type EstimatorMode = 'off' | 'localize' | 'mapping';

export type ToEstimator =
  /** Localize on `map`; from `pose` when known (the operator's or a placement), else globally. */
  | { type: 'localize'; map: OccupancyGrid; seed: number; pose: Pose2D | null }
  /** Build a map: a new one, or continue `graph` (a saved map being extended). */
  | { type: 'mapping'; graph: PoseGraphData | null; pose: Pose2D | null; seed: number }
  | { type: 'off' }
  /** The operator's initial pose (localize mode): particles around it. */
  | { type: 'set-pose'; pose: Pose2D; sigma?: { xy: number; theta: number } }
  | { type: 'global' }
  | { type: 'scan'; id: number; input: ScanInput }
  /** The map built so far and its pose graph (mapping mode), for saving. */
  | { type: 'get-map'; id: number };

export type FromEstimator =
  | { type: 'estimate'; id: number; estimate: LocalizationEstimate | null; computeS: number }
  | { type: 'mapped'; id: number; update: MappingUpdate; stats: MappingStats; computeS: number }
  /** The map as it grows (mapping mode), sent every MAP_REFRESH_NODES new nodes. */
  | { type: 'map'; grid: OccupancyGrid }
  | { type: 'map-result'; id: number; grid: OccupancyGrid | null; graph: PoseGraphData | null; error?: string }
  /** The estimator hit an error it cannot recover from. */
  | { type: 'fatal'; message: string };

export interface MappingStats {
  scans: number;
  nodes: number;
  loopClosures: number;
  rejectedLoopClosures: number;
}
