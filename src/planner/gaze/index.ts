/** The gaze planner: where the robot's screen looks, and how far it leads the body into turns. */
export { GazePlanner, DEFAULT_GAZE_CONFIG } from './planner';
export type { GazePlannerConfig } from './planner';
export { AttentionSelector, attentionScore, personPositionAt, DEFAULT_ATTENTION_CONFIG } from './attention';
export type { AttentionConfig } from './attention';
export { PanProfile, planPanProfile } from './pan-profile';
export { lookaheadPoint, trajectorySampler, DEFAULT_LOOKAHEAD } from './trajectory';
export type { LookaheadConfig, PoseSampler } from './trajectory';
export { gazeLeadTimes, summarizeLeadTimes, DEFAULT_LEAD_TIME_OPTIONS } from './lead-time';
export type { GazeSample, LeadTimeOptions, LeadTimeSummary, TurnLead } from './lead-time';
export type { GazeInput, GazeOutput, GazePerson, GazeReason, GazeTrajectory, PanCommand, PanLimits } from './types';
export { gazeInputFromCycle, gazePeople, panLimitsOf } from './from-cycle';
export type { GazeCycleSource } from './from-cycle';
