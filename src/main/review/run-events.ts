/**
 * The sparse events of one recorded run, read once and kept in memory: link events,
 * operator actions and safety transitions. Review needs them at every seek (link state,
 * emergency stop, goal, motion source) and for the timeline; they are a few hundred rows
 * even for a long run, so a binary search over them beats a query per frame.
 *
 * Times are host-clock seconds as recorded.
 */
import type { Pose2D } from '../../shared/geometry';
import type {
  RecordedLinkEvent, RecordedOperatorAction, RecordedSafetyAction, RunSummary,
} from '../../shared/recording';
import type { RunStore } from '../recorder/run-store';
import { newestAtOrBefore } from '../incidents/geometry';

/** A safety episode: from the first `stop` decision until the next non-stop decision. */
export interface SafetyStopEpisode {
  t: number;
  /** When it cleared; null if the run ended stopped. */
  endT: number | null;
  first: RecordedSafetyAction;
}

export interface RunEvents {
  run: RunSummary;
  startT: number;
  endT: number;
  link: RecordedLinkEvent[];
  operator: RecordedOperatorAction[];
  /** Every recorded safety decision that was not `pass` (scale and stop), plus the pass that ended each. */
  safety: RecordedSafetyAction[];
  safetyStops: SafetyStopEpisode[];
}

/** Reads a run's sparse events. */
export function readRunEvents(store: RunStore, runId: number): RunEvents {
  const run = store.getRun(runId);
  const startT = run.startedAt;
  const endT = run.startedAt + run.durationS;
  const link = [...store.iterateKind(runId, 'link')] as RecordedLinkEvent[];
  const operator = [...store.iterateKind(runId, 'operator')] as RecordedOperatorAction[];
  const safety: RecordedSafetyAction[] = [];
  const safetyStops: SafetyStopEpisode[] = [];
  let open: SafetyStopEpisode | null = null;
  for (const rec of store.iterateKind(runId, 'safety')) {
    const s = rec as RecordedSafetyAction;
    safety.push(s);
    if (s.action === 'stop') {
      if (!open) {
        open = { t: s.t, endT: null, first: s };
        safetyStops.push(open);
      }
    } else if (open) {
      open.endT = s.t;
      open = null;
    }
  }
  return { run, startT, endT, link, operator, safety, safetyStops };
}


/** Link state at `t` from the link events: lost after `lost` until `reconnected`/`connected`. */
export function linkStateAt(ev: RunEvents, t: number): { state: 'connected' | 'lost' | 'disconnected' | 'incompatible'; message: string } {
  // Bad frames do not change the state: look back to the last state-changing event.
  for (let i = newestAtOrBefore(ev.link, t); i >= 0; i--) {
    const e = ev.link[i]!;
    switch (e.event) {
      case 'lost':
        return { state: 'lost', message: e.message || 'Link lost' };
      case 'disconnected':
        return { state: 'disconnected', message: e.message || 'Disconnected' };
      case 'incompatible':
        return { state: 'incompatible', message: e.message || 'Incompatible robot' };
      case 'connected':
      case 'reconnected':
        return { state: 'connected', message: e.message || 'Connected' };
      default:
        continue;
    }
  }
  return { state: 'connected', message: 'Connected' };
}

/** Emergency stop latched at `t` (last emergency-stop not followed by a release). */
export function estopAt(ev: RunEvents, t: number): boolean {
  for (let i = newestAtOrBefore(ev.operator, t); i >= 0; i--) {
    const a = ev.operator[i]!.action;
    if (a === 'emergency-stop') return true;
    if (a === 'release-emergency-stop') return false;
  }
  return false;
}

/** The operator's goal at `t`: the last set-goal not cancelled since; null otherwise. */
export function operatorGoalAt(ev: RunEvents, t: number): { goal: Pose2D; t: number } | null {
  for (let i = newestAtOrBefore(ev.operator, t); i >= 0; i--) {
    const a = ev.operator[i]!;
    if (a.action === 'set-goal') return a.goal ? { goal: a.goal, t: a.t } : null;
    if (a.action === 'cancel-goal' || a.action === 'disconnect') return null;
  }
  return null;
}

/** The operator's speed limit in force at `t`, a fraction of the robot's limits (1 before any change). */
export function speedLimitAt(ev: RunEvents, t: number): number {
  for (let i = newestAtOrBefore(ev.operator, t); i >= 0; i--) {
    const a = ev.operator[i]!;
    if (a.action !== 'set-speed-limit') continue;
    const percent = Number.parseFloat(a.detail ?? '');
    return Number.isFinite(percent) ? percent / 100 : 1;
  }
  return 1;
}

/** True when the operator sent a non-zero teleop input within `windowS` before `t`. */
export function teleopActiveAt(ev: RunEvents, t: number, windowS = 0.5): boolean {
  for (let i = newestAtOrBefore(ev.operator, t); i >= 0; i--) {
    const a = ev.operator[i]!;
    if (t - a.t > windowS) return false;
    if (a.action === 'teleop') return !!a.teleop && (a.teleop.linear !== 0 || a.teleop.angular !== 0);
  }
  return false;
}
