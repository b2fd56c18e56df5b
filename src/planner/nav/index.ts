/** The navigation stack: the public surface of `src/planner/nav`. */
export * from './navigation-stack';
export * from './scan';
