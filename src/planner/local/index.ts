/** Local trajectory planner: public surface. */
export * from './types';
export { LocalPlanner, DEFAULT_LOCAL_PLANNER_CONFIG } from './planner';
export type { LocalPlannerConfig } from './planner';
export * from './costs';
export { keepRightOf, PathCostToGo } from './cost-to-go';
export { predictConstantVelocity, predictAllConstantVelocity } from './cv-predictor';
export type { ConstantVelocityOptions } from './cv-predictor';
export { buildProfile, sampleProfile, profileDuration, PROFILE_STRIDE } from './profile';
export {
  CandidateBuffer,
  generateTrajectory,
  footprintCircles,
  toTrajectory,
  unpackParams,
  PARAM_DIM,
} from './trajectory';
export type { FootprintCircles } from './trajectory';
