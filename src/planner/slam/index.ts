/**
 * 2D laser SLAM: the public surface of `src/planner/slam`.
 *
 * - `createMapper(options?)` / `GraphMapper.fromPoseGraph(data, options?, restore?)`: the
 *   `Mapper` the console and `foresight slam-eval` both use.
 * - `occupancyGridToRosMap(grid, imageName)`: map_server PGM bytes + YAML text.
 * - The building blocks (probability grid, matchers, pose-graph optimiser) for tests and benches.
 */
export * from './types';
export { createMapper, GraphMapper, diagInfo, translationalConditioning, type LoopClosureRecord, type MapperDiagnostics, type RestoreOptions } from './graph-mapper';
export { DEFAULT_MAPPER_OPTIONS, type MapperOptions } from './options';
export { occupancyFromNodes, DEFAULT_OCCUPANCY_OPTIONS, type OccupancyOptions, type PlacedScan } from './occupancy';
export { occupancyGridToPgm, occupancyGridToYaml, occupancyGridToRosMap, ROS_OCCUPIED_THRESH, ROS_FREE_THRESH } from './ros-map-writer';
export { ProbabilityGrid, P_MIN, P_MAX } from './probability-grid';
export { correlativeSearch, refinePose, agreement, scoreAt, MatchScratch, type MatchPoints, type CorrelativeOptions, type RefineOptions } from './scan-matcher';
export { branchAndBound, PrecomputedGrids, BranchAndBoundScratch, type BranchAndBoundOptions } from './branch-and-bound';
export { PoseGraphOptimizer, robustCost, robustWeight, type OptimizerEdge, type RobustKernel } from './pose-graph-optimizer';
export { scanToPoints, type ScanPoints, type ScanPointOptions } from './scan-points';
export { compose, inverse, between, interpolatePose } from './se2';
