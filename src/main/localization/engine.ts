/**
 * The estimator: MCL on a saved map or SLAM building a new one, behind one message interface
 * so the same object runs in the worker thread (live) and in process (virtual time). It keeps
 * no clock: scans carry their own times.
 */
import type { Pose2D } from '../../shared/geometry';
import type { OccupancyGrid } from '../../shared/grid';
import type { Localizer, Mapper, PoseGraphData } from '../../planner/slam/types';
import type { FromEstimator, ToEstimator } from './protocol';

/** How the estimator's parts are made (the defaults are in ./factories.ts). */
export interface EstimatorFactories {
  /** A new mapper, or one continuing `graph` with the robot believed at `pose` (map frame). */
  mapper(graph: PoseGraphData | null, pose: Pose2D | null): Mapper;
  localizer(map: OccupancyGrid, seed: number): Localizer;
}

/** A grown map is sent to the console (display and planning) every this many new nodes. */
export const MAP_REFRESH_NODES = 10;

export class EstimatorEngine {
  private localizer: Localizer | null = null;
  private mapper: Mapper | null = null;
  private nodesAtLastMap = 0;

  constructor(
    private readonly factories: EstimatorFactories,
    /** Monotonic wall clock, s (computation time only; never enters an estimate). */
    private readonly wallClock: () => number,
  ) {}

  /** Handles one message; returns the answers to send, in order. */
  handle(msg: ToEstimator): FromEstimator[] {
    switch (msg.type) {
      case 'localize': {
        this.mapper = null;
        this.localizer = this.factories.localizer(msg.map, msg.seed);
        if (msg.pose) this.localizer.setPose(msg.pose);
        else this.localizer.globalLocalize();
        return [];
      }
      case 'mapping':
        this.localizer = null;
        this.mapper = this.factories.mapper(msg.graph, msg.pose);
        this.nodesAtLastMap = 0;
        return [];
      case 'off':
        this.localizer = null;
        this.mapper = null;
        return [];
      case 'set-pose':
        this.localizer?.setPose(msg.pose, msg.sigma);
        return [];
      case 'global':
        this.localizer?.globalLocalize();
        return [];
      case 'scan': {
        const started = this.wallClock();
        if (this.localizer) {
          const estimate = this.localizer.update(msg.input);
          return [{ type: 'estimate', id: msg.id, estimate, computeS: this.wallClock() - started }];
        }
        if (this.mapper) {
          const update = this.mapper.addScan(msg.input);
          const stats = this.mapper.stats();
          const out: FromEstimator[] = [{ type: 'mapped', id: msg.id, update, stats, computeS: this.wallClock() - started }];
          if (stats.nodes - this.nodesAtLastMap >= MAP_REFRESH_NODES || (this.nodesAtLastMap === 0 && stats.nodes > 0)) {
            this.nodesAtLastMap = stats.nodes;
            out.push({ type: 'map', grid: this.mapper.occupancyGrid() });
          }
          return out;
        }
        return [{ type: 'estimate', id: msg.id, estimate: null, computeS: 0 }];
      }
      case 'get-map': {
        if (!this.mapper) return [{ type: 'map-result', id: msg.id, grid: null, graph: null, error: 'Not mapping: start a new map (or extend one) first' }];
        if (this.mapper.stats().nodes === 0) return [{ type: 'map-result', id: msg.id, grid: null, graph: null, error: 'The map is still empty: drive a little first' }];
        return [{ type: 'map-result', id: msg.id, grid: this.mapper.occupancyGrid(), graph: this.mapper.poseGraph() }];
      }
    }
  }
}
