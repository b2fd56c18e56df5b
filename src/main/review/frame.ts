/**
 * A recorded run at instant `t` as a ConsoleSnapshot, so the review draws it with the very
 * same map scene and layers as the live view. Built from RunStore.stateAt (a handful of
 * indexed lookups) plus the run's sparse events (link state, emergency stop, goal).
 *
 * Frames: odometry is in `odom`; the recorded map→odom transform puts it in `map`. Scan
 * ranges are in the lidar frame (mounted per the robot's hello) and are placed with the pose
 * at `t`, as the live console places the newest scan. Planner, guidance and predictions are
 * recorded in `map` already.
 */
import { ODOMETRY_ONLY, type ConsoleSnapshot, type LinkStatus, type PersonView, type SafetyState, type TrajectoryView } from '../../shared/api';
import { normalizeAngle, type Pose2D } from '../../shared/geometry';
import type { RunStateAt } from '../../shared/recording';
import { robotInfoFromHello } from '../../shared/robot-info';
import { estopAt, linkStateAt, operatorGoalAt, speedLimitAt, teleopActiveAt, type RunEvents } from './run-events';

/** Predictions and safety decisions older than this at `t` are not shown, s. */
export const PREDICTION_MAX_AGE_S = 1;
export const SAFETY_MAX_AGE_S = 1;
/** A planner cycle this recent means autonomy was driving, s. */
const PLANNER_ACTIVE_S = 0.5;
/** Candidates sent per frame (the recorder keeps at most 64 per cycle). */
const MAX_FRAME_CANDIDATES = 64;

/** Pose of base_link in `map` from odometry (odom frame) and the map→odom transform. */
export function mapPose(state: RunStateAt): Pose2D | null {
  const o = state.odometry;
  if (!o) return null;
  const m = state.mapToOdom ?? { x: 0, y: 0, theta: 0 };
  const c = Math.cos(m.theta);
  const s = Math.sin(m.theta);
  return { x: m.x + c * o.x - s * o.y, y: m.y + s * o.x + c * o.y, theta: normalizeAngle(m.theta + o.theta) };
}

/** Scan endpoints in `map`, flat [x0, y0, …]; invalid beams dropped. */
export function scanPointsInMap(state: RunStateAt, pose: Pose2D | null): number[] {
  const scan = state.scan;
  if (!scan || !pose) return [];
  const h = state.robot;
  const mx = h?.lidarMountX ?? 0;
  const my = h?.lidarMountY ?? 0;
  const myaw = h?.lidarMountYaw ?? 0;
  const c = Math.cos(pose.theta);
  const s = Math.sin(pose.theta);
  const lx = pose.x + c * mx - s * my;
  const ly = pose.y + s * mx + c * my;
  const base = pose.theta + myaw;
  const min = Math.max(scan.rangeMin, 1e-3);
  const out: number[] = [];
  const r = scan.ranges;
  for (let i = 0; i < r.length; i++) {
    const d = r[i]!;
    if (!(d >= min && d <= scan.rangeMax)) continue;
    const a = base + scan.angleMin + i * scan.angleIncrement;
    // mm precision is plenty for display and halves the JSON.
    out.push(Math.round((lx + d * Math.cos(a)) * 1000) / 1000, Math.round((ly + d * Math.sin(a)) * 1000) / 1000);
  }
  return out;
}

/** Nearest valid return of the scan, m; null when none. */
export function nearestReturn(ranges: ArrayLike<number>, rangeMin: number, rangeMax: number): number | null {
  let best = Infinity;
  const min = Math.max(rangeMin, 1e-3);
  for (let i = 0; i < ranges.length; i++) {
    const d = ranges[i]!;
    if (d >= min && d <= rangeMax && d < best) best = d;
  }
  return Number.isFinite(best) ? best : null;
}

/** Builds the snapshot the map view draws for instant `t`. */
export function frameSnapshot(state: RunStateAt, ev: RunEvents): ConsoleSnapshot {
  const t = state.t;
  const pose = mapPose(state);
  const linkNow = linkStateAt(ev, t);
  const robot = robotInfoFromHello(state.robot);
  const link: LinkStatus = {
    state: linkNow.state,
    message: linkNow.message,
    endpoint: ev.run.source,
    rttMs: null,
    clockOffsetMs: null,
    frameRateHz: 0,
    crcErrors: 0,
    badFrames: 0,
    reconnects: 0,
  };
  const cycle = state.plannerCycle;
  const cand = state.candidates;
  const candidates: TrajectoryView[] = cand
    ? cand.candidates.slice(0, MAX_FRAME_CANDIDATES).map((c) => ({ points: c.points, cost: c.cost }))
    : [];
  const chosen: TrajectoryView | null = cycle && cycle.chosen.length >= 4 ? { points: cycle.chosen, cost: cycle.chosenCost ?? 0 } : null;
  const pred = state.predictions;
  const people: PersonView[] = pred && t - pred.t <= PREDICTION_MAX_AGE_S ? pred.people : [];
  const sa = state.safety;
  const safety: SafetyState | null = sa && t - sa.t <= SAFETY_MAX_AGE_S ? { action: sa.action, reason: sa.reason, ttc: sa.ttc, scale: sa.scale } : null;
  const estop = estopAt(ev, t);
  const plannerActive = !!cycle && t - cycle.t <= PLANNER_ACTIVE_S;
  const teleop = teleopActiveAt(ev, t);
  const goal = goalAt(ev, t, cycle, plannerActive);
  const odo = state.odometry;
  const cmd = state.command;
  const st = state.status;
  const faults: string[] = [];
  if (st && st.faults !== 0) faults.push(`faults 0x${st.faults.toString(16)}`);
  return {
    t,
    link,
    robot,
    pose,
    velocity: odo ? { v: odo.v, w: odo.w } : { v: 0, w: 0 },
    command: cmd && cmd.v !== null && cmd.w !== null ? { v: cmd.v, w: cmd.w } : { v: 0, w: 0 },
    motion: teleop ? 'teleop' : plannerActive ? 'autonomy' : 'idle',
    emergencyStop: estop,
    battery: st ? { voltage: st.batteryVoltage, percent: st.batteryPercent === 255 ? null : st.batteryPercent } : null,
    faults,
    screenPan: state.screen ? state.screen.panAngle : null,
    scan: scanPointsInMap(state, pose),
    scanAgeMs: state.scan ? Math.max(0, (t - state.scan.t) * 1000) : null,
    safety,
    goal,
    globalPath: state.guidancePath?.points ?? [],
    candidates,
    chosen,
    people,
    gazeTarget: null,
    notice: null,
    // What the estimator thought is in the run's events (faults, recoveries); a frame shows the pose it produced.
    localization: ODOMETRY_ONLY,
    speedLimit: speedLimitAt(ev, t),
    // The run on screen was recorded; whether this console records now is the live snapshot's.
    recording: { state: 'recording', runId: ev.run.id, reason: null },
  };
}

/**
 * The goal being driven to at `t`: the planner's while it plans for one; the operator's from
 * when it was set until the planner's first cycle for it. Once the planner has answered for a
 * goal and stopped (reached, abandoned) or plans for none, no goal is drawn.
 */
function goalAt(ev: RunEvents, t: number, cycle: RunStateAt['plannerCycle'], plannerActive: boolean): Pose2D | null {
  const set = operatorGoalAt(ev, t);
  if (!set) return null;
  if (!cycle || cycle.t < set.t) return set.goal;
  return plannerActive ? cycle.goal : null;
}
