/** Costmaps and map formats: the public surface of `src/planner/grid`. */
export * from './parse-result';
export * from './pgm';
export * from './ros-map';
export * from './movingai';
export * from './distance-field';
export * from './obstacle-layer';
export * from './costmap';
