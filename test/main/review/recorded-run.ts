/**
 * A realistic recorded run for review tests, written through the real Recorder into a real
 * SQLite file: the robot drives east along the apartment hallway (y = 4.6 m) toward a goal
 * while a person walks west toward it.
 *
 * Timeline (s after start): goal set at 0.5; safety scale from 17; safety STOP at 20.0 for
 * 1.5 s (person 0.6 m ahead); link lost at 35.0, back at 36.4; emergency stop at 45.0,
 * released at 48.0; teleop during autonomy at 50.0 (a second goal set at 49.0); ends at 60.
 */
import { Recorder } from '../../../src/main/recorder/recorder';
import type { PersonView } from '../../../src/shared/api';
import { HELLO, frame } from '../recorder/fixtures';

export const RUN_T0 = 1_700_000_000;
export const RUN_DURATION_S = 60;
export const MARKS = { goal: 0.5, safetyStop: 20, safetyStopEnd: 21.5, linkLost: 35, linkBack: 36.4, estop: 45, estopRelease: 48, goal2: 49, teleop: 50 } as const;
export const START = { x: 1.2, y: 4.6 };
export const GOAL = { x: 10.2, y: 4.6, theta: 0 };

/** Hallway walls (y = 3.9 and 5.3), west wall x = 0.15, east wall x = 11.85: range of a ray from (x, y) at angle a. */
function hallRange(x: number, y: number, a: number, max: number): number {
  const c = Math.cos(a);
  const s = Math.sin(a);
  let best = max + 1;
  if (s > 1e-9) best = Math.min(best, (5.3 - y) / s);
  if (s < -1e-9) best = Math.min(best, (3.9 - y) / s);
  if (c > 1e-9) best = Math.min(best, (11.85 - x) / c);
  if (c < -1e-9) best = Math.min(best, (0.15 - x) / c);
  return best;
}

/** Robot x along the hallway at time s (m): drives at 0.25 m/s, stands still while stopped. */
export function robotX(s: number): number {
  const stop = (a: number, b: number) => Math.max(0, Math.min(s, b) - a);
  const moving = Math.max(0, s - MARKS.goal) - stop(MARKS.safetyStop, MARKS.safetyStopEnd + 1) - stop(MARKS.estop, MARKS.goal2);
  return Math.min(START.x + 0.16 * moving, 10.4);
}

export function personAt(s: number): { x: number; y: number } {
  return { x: Math.max(2, 9.5 - 0.3 * s), y: 4.85 };
}

export interface RecordedRunInfo {
  runId: number;
  t0: number;
  durationS: number;
}

/** Records the run into the database at `path` (created if missing) and closes the recorder. */
export async function recordReviewRun(path: string, opts: { t0?: number; durationS?: number } = {}): Promise<RecordedRunInfo> {
  const t0 = opts.t0 ?? RUN_T0;
  const dur = opts.durationS ?? RUN_DURATION_S;
  const rec = Recorder.open(path, { clock: () => t0, open: { quickCheck: false } });
  const runId = rec.startRun({ robotName: 'sim-bot', source: 'sim', startedAt: t0 });
  if (runId === null) throw new Error('run not started');
  rec.recordRobotFrame(frame(HELLO, 0, t0), t0);
  rec.recordOperatorAction({ action: 'connect', detail: 'sim' }, t0);
  rec.recordLinkEvent({ event: 'connected', message: 'Connected to sim-bot' }, t0);
  rec.recordMapToOdom({ x: START.x, y: START.y, theta: 0 }, t0);
  let seq = 1;
  let safetyState: 'pass' | 'scale' | 'stop' = 'pass';
  const steps = Math.round(dur * 50);
  for (let k = 0; k <= steps; k++) {
    const s = k / 50;
    const t = t0 + s;
    const mark = (m: number) => Math.abs(s - m) < 1e-6;
    if (mark(MARKS.goal)) rec.recordOperatorAction({ action: 'set-goal', goal: GOAL }, t);
    if (mark(MARKS.goal2)) rec.recordOperatorAction({ action: 'set-goal', goal: GOAL }, t);
    if (mark(MARKS.linkLost)) rec.recordLinkEvent({ event: 'lost', message: 'Link lost: no data for 500 ms' }, t);
    if (mark(MARKS.linkBack)) rec.recordLinkEvent({ event: 'reconnected', message: 'Reconnected' }, t);
    if (mark(MARKS.estop)) rec.recordOperatorAction({ action: 'emergency-stop' }, t);
    if (mark(MARKS.estopRelease)) rec.recordOperatorAction({ action: 'release-emergency-stop' }, t);
    if (mark(MARKS.teleop)) rec.recordOperatorAction({ action: 'teleop', teleop: { linear: 0.5, angular: 0.2 } }, t);
    const lost = s >= MARKS.linkLost && s < MARKS.linkBack;

    const x = robotX(s);
    const v = (robotX(s + 0.02) - x) / 0.02;
    const odoX = x - START.x;
    if (!lost) rec.recordRobotFrame(frame({ type: 'odometry', x: odoX, y: 0, theta: 0, v, w: 0, lastCommandSeq: k }, seq++, t), t);
    if (k % 2 === 0 && !lost) {
      rec.recordCommandSent({ version: 1, seq: seq++ & 0xffff, timestampUs: Math.round(t * 1e6), msg: { type: 'velocity-command', v, w: 0 } }, t);
    }
    if (k % 5 === 0 && !lost) {
      const p = personAt(s);
      const beams = 360;
      const ranges = new Float32Array(beams);
      for (let i = 0; i < beams; i++) {
        const a = -Math.PI + (i * 2 * Math.PI) / beams;
        const lx = x + HELLO.lidarMountX;
        let r = hallRange(lx, START.y, a, 8);
        // The person: a 0.2 m circle.
        const dx = p.x - lx;
        const dy = p.y - START.y;
        const along = dx * Math.cos(a) + dy * Math.sin(a);
        const off = Math.abs(-dx * Math.sin(a) + dy * Math.cos(a));
        if (along > 0 && off < 0.2) r = Math.min(r, along - Math.sqrt(0.04 - off * off));
        ranges[i] = r > 8 ? Infinity : r;
      }
      rec.recordRobotFrame(frame({ type: 'laser-scan', angleMin: -Math.PI, angleIncrement: (2 * Math.PI) / beams, timeIncrement: 1e-4, rangeMin: 0.1, rangeMax: 8, ranges }, seq++, t), t);

      const chosen = { points: Array.from({ length: 24 }, (_, i) => (i % 2 === 0 ? x + (i / 2) * v * 0.25 : START.y)), cost: 1.2 };
      const candidates = Array.from({ length: 24 }, (_, j) => {
        const curv = (j - 12) * 0.06;
        const pts: number[] = [];
        for (let i = 0; i < 12; i++) {
          const d = i * 0.12;
          pts.push(x + d, START.y + curv * d * d);
        }
        return { cost: 1.2 + Math.abs(j - 12) * 0.2, terms: { progress: -1, collision: Math.abs(curv), smoothness: 0.1 }, points: pts };
      });
      rec.recordPlannerCycle({
        cycleTimeS: 0.01 + 0.004 * Math.sin(s) + (Math.abs(s - 20) < 0.3 ? 0.03 : 0),
        chosen, candidates, candidateCount: 3000,
        guidancePath: [START.x, START.y, 6, 4.6, GOAL.x, GOAL.y],
        start: { x, y: START.y, theta: 0 }, goal: GOAL, extra: {},
      }, t);
      const d = Math.hypot(p.x - x, p.y - START.y);
      const risk = Math.max(0, Math.min(1, 1.6 - d / 2.5));
      const person: PersonView = {
        id: 7, x: p.x, y: p.y, vx: -0.3, vy: 0, risk,
        futures: [
          { probability: 0.7, points: [p.x - 0.3, p.y, p.x - 0.6, p.y, p.x - 0.9, p.y] },
          { probability: 0.3, points: [p.x - 0.3, p.y + 0.1, p.x - 0.5, p.y + 0.25, p.x - 0.7, p.y + 0.4] },
        ],
      };
      rec.recordPredictions(p.x > 2 ? [person] : [], t);
      rec.recordRobotFrame(frame({ type: 'screen-state', panAngle: 0.05, panVelocity: 0 }, seq++, t), t);
    }
    // Safety decisions on change.
    let want: 'pass' | 'scale' | 'stop' = 'pass';
    if (s >= 17 && s < MARKS.safetyStop) want = 'scale';
    if (s >= MARKS.safetyStop && s < MARKS.safetyStopEnd) want = 'stop';
    if (want !== safetyState) {
      safetyState = want;
      if (want === 'stop') rec.recordSafetyAction({ action: 'stop', reason: 'person 0.6 m ahead in the stop zone', ttc: 0.4, scale: 0, requested: { v: 0.25, w: 0 }, commanded: { v: 0, w: 0 }, zone: 'stop', points: [0.6, 0.1, 0.62, 0.12] }, t);
      else if (want === 'scale') rec.recordSafetyAction({ action: 'scale', reason: 'person 1.4 m ahead', ttc: 2.1, scale: 0.6, requested: { v: 0.25, w: 0 }, commanded: { v: 0.15, w: 0 }, zone: 'slow', points: [] }, t);
      else rec.recordSafetyAction({ action: 'pass', reason: 'clear', ttc: null, scale: 1 }, t);
    }
    if (k % 50 === 25) {
      rec.recordRobotFrame(frame({ type: 'status', batteryVoltage: 12.1, batteryPercent: 80, faults: 0, estopPressed: false, motorsEnabled: true }, seq++, t), t);
    }
  }
  rec.endRun('goal-reached', t0 + dur);
  await rec.close();
  return { runId, t0, durationS: dur };
}
