/** People perception: detection in the scan, tracking, and scoring against truth. */
export { detectPeople, DEFAULT_DETECTOR_CONFIG } from './detection';
export type { DetectorConfig, DetectionKind, MapPoints, PersonDetection, StaticDistance } from './detection';
export { PersonTracker, DEFAULT_TRACKER_CONFIG } from './tracker';
export type { TrackerConfig, TrackerDetection } from './tracker';
export { scorePeople } from './scoring';
export type { PeopleScore, ScoredPoint, ScoringFrame, ScoringOptions } from './scoring';
export { assignMinCost } from './assignment';
