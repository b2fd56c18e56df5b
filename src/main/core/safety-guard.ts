/**
 * The last check before a command leaves: the reactive safety layer. The core calls it at
 * ≥ 50 Hz with the newest scan only, independent of planner, recorder and UI.
 */
import type { Twist2D } from '../../shared/geometry';
import type { SafetyState } from '../../shared/api';
import type { ScanPoints } from './state';

export interface SafetyDecision {
  command: Twist2D;
  state: SafetyState;
  /** Offending points in base_link, flat [x0, y0, …], for the explanation. */
  points: number[];
}

export interface SafetyGuard {
  check(command: Twist2D, scan: ScanPoints | null, now: number): SafetyDecision;
}

/** Scan age beyond which the robot must not move, s (DESIGN: stale sensor data means stop). */
export const MAX_SCAN_AGE_S = 0.2;
