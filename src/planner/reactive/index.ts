/** Reactive safety loop: public surface. */
export { ReactiveSafety, DEFAULT_REACTIVE_CONFIG, scanToPoints } from './safety';
export type {
  ReactiveConfig,
  ReactiveDecision,
  ReactiveInput,
  ReactiveLimits,
  ReactiveAction,
  ReactiveReason,
  ReactiveZone,
  ScanPoints,
} from './safety';
