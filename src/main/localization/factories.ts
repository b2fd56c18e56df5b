/**
 * The estimator's parts as the console runs them: the graph mapper (src/planner/slam) and the
 * Monte Carlo localizer (src/planner/localization), each with its defaults: the same
 * parameters live, on virtual time and in `slam-eval`.
 */
import { createMonteCarloLocalizer } from '../../planner/localization';
import { GraphMapper, createMapper } from '../../planner/slam/graph-mapper';
import type { EstimatorFactories } from './engine';

export const defaultEstimatorFactories: EstimatorFactories = {
  mapper: (graph, pose) => (graph ? GraphMapper.fromPoseGraph(graph, {}, pose ? { initialPose: pose } : {}) : createMapper()),
  localizer: (map, seed) => createMonteCarloLocalizer(map, seed),
};
