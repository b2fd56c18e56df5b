/** Predictive planning: fast-forward to when a plan takes effect. */
export { fastForward } from './fast-forward';
export type { FastForwardInput, FastForwardResult, Latencies, SentCommand, TrackingLimits } from './fast-forward';
