/**
 * Types shared by mapping (SLAM) and localization. Pure: no Node, no DOM, no clock.
 *
 * Frames (REP 105): `map` (the map being built or loaded), `odom` (the robot's odometry,
 * continuous, drifting), `base_link` (robot body, x forward, y left), `laser` (the lidar,
 * at `mount` in base_link). Units SI: metres, radians, seconds.
 */
import type { Pose2D } from '../../shared/geometry';
import type { OccupancyGrid } from '../../shared/grid';

/**
 * One lidar revolution in the laser frame. Beam i points at angleMin + i·angleIncrement;
 * a range outside [rangeMin, rangeMax] (or NaN/±Infinity) carries no return, but a beam
 * reading "nothing within rangeMax" (+Infinity or ≥ rangeMax) still says the space along
 * it is free up to rangeMax for occupancy.
 */
export interface RangeScan {
  /** Time the scan was taken, s (host or log clock; only differences matter). */
  time: number;
  ranges: ArrayLike<number>;
  angleMin: number;
  angleIncrement: number;
  rangeMin: number;
  rangeMax: number;
}

/** A scan with where it was taken, as mapping and localization consume it. */
export interface ScanInput {
  scan: RangeScan;
  /** Odometry pose of base_link in the odom frame at scan time. */
  odom: Pose2D;
  /** Lidar pose in base_link. */
  mount: Pose2D;
}

/** 3×3 covariance of (x, y, θ), row-major: m², m·rad, rad². */
export type Covariance3 = readonly [number, number, number, number, number, number, number, number, number];

/** A node of the pose graph: a kept scan and its optimised pose. */
export interface PoseGraphNode {
  id: number;
  time: number;
  /** base_link in map, optimised. */
  pose: Pose2D;
  /** Odometry pose at the scan (odom frame): how the graph is extended and map_to_odom found. */
  odom: Pose2D;
  mount: Pose2D;
  /** The scan, kept so the occupancy grid can be rebuilt from optimised poses. */
  scan: RangeScan;
}

/** A constraint between two nodes: `relative` is node `to` in node `from`'s frame. */
export interface PoseGraphEdge {
  from: number;
  to: number;
  relative: Pose2D;
  /** Information matrix (inverse covariance), row-major 3×3. */
  information: Covariance3;
  kind: 'odometry' | 'match' | 'loop';
  /**
   * Robust kernel the optimiser applies to this edge and its scale in √χ² units (absent:
   * plain least squares). Loop closures carry one so a wrong one costs a bounded amount.
   */
  kernel?: 'none' | 'huber' | 'cauchy' | 'dcs';
  kernelScale?: number;
}

/** What a map saves besides its image so it can be extended later (JSON-serialisable). */
export interface PoseGraphData {
  format: 'foresight-pose-graph';
  version: 1;
  nodes: PoseGraphNode[];
  edges: PoseGraphEdge[];
}

/** The result of feeding one scan to the mapper. */
export interface MappingUpdate {
  /** base_link in map after this scan. */
  pose: Pose2D;
  /** map ← odom: `pose` = mapFromOdom ∘ odom. */
  mapFromOdom: Pose2D;
  /** True when the scan became a new node of the graph. */
  addedNode: boolean;
  /** Loop closures accepted with this scan (0 mostly). */
  loopClosures: number;
  /** Scan-match score in [0, 1]: fraction of beams that agree with the map. */
  matchScore: number;
  /**
   * False while a mapper that extends a saved map has not yet found the robot in it (the
   * pose is then the given initial pose moved by odometry, and nothing is added to the map).
   * Absent otherwise.
   */
  localized?: boolean;
}

/** The mapper the console and `slam-eval` both use (one code path). */
export interface Mapper {
  addScan(input: ScanInput): MappingUpdate;
  /** Occupancy from the optimised poses: free 0, occupied 100, unknown 255; `resolution` m. */
  occupancyGrid(resolution?: number): OccupancyGrid;
  /** Pose of base_link in map at every scan fed so far, from the optimised graph. */
  trajectory(): { time: number; pose: Pose2D }[];
  poseGraph(): PoseGraphData;
  /** Counters for the status bar and benches. */
  stats(): { scans: number; nodes: number; loopClosures: number; rejectedLoopClosures: number };
}

export type LocalizationQuality = 'localized' | 'uncertain' | 'lost' | 'not-initialized';

/** What the localizer says after an update. */
export interface LocalizationEstimate {
  /** base_link in map (mean of the particles, refined). */
  pose: Pose2D;
  covariance: Covariance3;
  /** map ← odom so that pose = mapFromOdom ∘ odom at the scan's odometry. */
  mapFromOdom: Pose2D;
  quality: LocalizationQuality;
  /** Fraction of the scan's beams that agree with the map (endpoint within a few cm of an obstacle), 0..1. */
  agreement: number;
  particles: number;
  /** Why the quality is what it is, plain words (e.g. "only 18 % of the scan matches the map"). */
  reason: string;
}

export interface Localizer {
  /** The operator's initial pose (click-drag): particles around it with the given 1-σ spreads. */
  setPose(pose: Pose2D, sigma?: { xy: number; theta: number }): void;
  /** Pose unknown: particles over the whole free space. */
  globalLocalize(): void;
  /** One scan with its odometry; returns the new estimate (null before the first pose is known). */
  update(input: ScanInput): LocalizationEstimate | null;
  estimate(): LocalizationEstimate | null;
}

export type { Pose2D, OccupancyGrid };
