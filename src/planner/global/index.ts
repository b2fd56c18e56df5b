/** The global planner: the public surface of `src/planner/global`. */
export * from './grid-search';
export * from './heap';
export * from './line-of-sight';
export * from './planner';
