/** Host monotonic clock in seconds. The one place the main side reads time for the core. */
import { performance } from 'node:perf_hooks';

export type Clock = () => number;

export const monotonicSeconds: Clock = () => performance.now() / 1000;
