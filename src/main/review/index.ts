/** Review of recorded runs and operator zones: the handlers the console core routes to. */
export { createReviewHandlers, filterRuns, type ReviewDeps, type ReviewHandlers } from './handlers';
export { ZoneStore, ZoneStoreError, zonesPathFor, cleanPolygon, pointInPolygon } from './zones';
export { frameSnapshot } from './frame';
