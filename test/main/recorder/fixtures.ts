/**
 * Helpers for recorder tests: temp folders, a realistic robot/session stream, file hashing.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HelloMsg, LinkFrame, RobotMessage } from '../../../src/shared/protocol';
import type { Recorder } from '../../../src/main/recorder/recorder';

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'foresight-rec-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

export const HELLO: HelloMsg = {
  type: 'hello', protocolVersion: 1, name: 'sim-bot', footprintLength: 0.5, footprintWidth: 0.4, footprintCenterOffsetX: 0,
  wheelBase: 0.3, maxLinearVelocity: 1, maxAngularVelocity: 2, maxLinearAccel: 1, maxAngularAccel: 3, maxLinearJerk: 5,
  maxAngularJerk: 10, panMin: -2, panMax: 2, panMaxRate: 3, panMaxAccel: 6, lidarBeams: 360, lidarAngleMin: -Math.PI,
  lidarAngleIncrement: (2 * Math.PI) / 360, lidarRangeMin: 0.1, lidarRangeMax: 8, lidarRateHz: 10, lidarMountX: 0.1, lidarMountY: 0, lidarMountYaw: 0,
};

export function frame<M extends RobotMessage>(msg: M, seq: number, t: number): LinkFrame<M> {
  return { version: 1, seq: seq & 0xffff, timestampUs: Math.round(t * 1e6) - 1_000_000, msg };
}

/** What a simulated session wrote, per kind, to check counts against. */
export interface SimCounts {
  odometry: number; scans: number; velocity: number; stops: number; cycles: number; candidates: number;
  guidance: number; predictions: number; safety: number; operator: number; link: number; status: number; screen: number;
  mapToOdom: number; generic: number; hello: number;
}

/**
 * Drives `rec` with `seconds` of a simulated session starting at `t0`, at the real rates
 * (odometry 50 Hz, scans 10 Hz, velocity 25 Hz, planner 10 Hz), robot moving at 0.5 m/s along x.
 * `onRecord(t)` is called after each record (the crash test reports these).
 */
export function simulateSession(rec: Recorder, t0: number, seconds: number, opts: { candidates?: number; beams?: number; onRecord?: (t: number) => void } = {}): SimCounts {
  const c: SimCounts = { odometry: 0, scans: 0, velocity: 0, stops: 0, cycles: 0, candidates: 0, guidance: 0, predictions: 0, safety: 0, operator: 0, link: 0, status: 0, screen: 0, mapToOdom: 0, generic: 0, hello: 0 };
  const note = opts.onRecord ?? (() => {});
  const beams = opts.beams ?? 360;
  const nCand = opts.candidates ?? 50;
  rec.recordRobotFrame(frame(HELLO, 0, t0), t0); c.hello++; note(t0);
  rec.recordOperatorAction({ action: 'connect', detail: 'sim' }, t0); c.operator++; note(t0);
  rec.recordMapToOdom({ x: 1, y: 2, theta: 0.1 }, t0); c.mapToOdom++; note(t0);
  const steps = Math.round(seconds * 50);
  let seq = 1;
  for (let k = 0; k < steps; k++) {
    const t = t0 + k / 50;
    rec.recordRobotFrame(frame({ type: 'odometry', x: 0.5 * (k / 50), y: 0, theta: 0, v: 0.5, w: 0, lastCommandSeq: k }, seq++, t), t);
    c.odometry++; note(t);
    if (k % 2 === 0) {
      rec.recordCommandSent({ version: 1, seq: seq++ & 0xffff, timestampUs: Math.round(t * 1e6), msg: { type: 'velocity-command', v: 0.5, w: 0 } }, t);
      c.velocity++; note(t);
    }
    if (k % 5 === 0) {
      const ranges = new Float32Array(beams).map((_, i) => 2 + Math.sin(i / 10 + k / 100));
      rec.recordRobotFrame(frame({ type: 'laser-scan', angleMin: -Math.PI, angleIncrement: (2 * Math.PI) / beams, timeIncrement: 1e-4, rangeMin: 0.1, rangeMax: 8, ranges }, seq++, t), t);
      c.scans++; note(t);
      const x = 0.5 * (k / 50);
      const chosen = { points: Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? x + i * 0.05 : 0)), cost: 1.5 };
      const candidates = Array.from({ length: nCand }, (_, j) => ({
        cost: 2 + j * 0.1,
        terms: { progress: -1 + j * 0.01, collision: j * 0.001, smoothness: 0.2, clearance: 0.3 },
        points: Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? x + i * 0.05 : (j - nCand / 2) * 0.01 * i)),
      }));
      const guidance = k % 500 === 0 ? [x, 0, x + 5, 0, x + 10, 1] : undefined;
      rec.recordPlannerCycle({ cycleTimeS: 0.012, chosen, candidates: nCand > 0 ? candidates : undefined, candidateCount: 2000, guidancePath: guidance, start: { x, y: 0, theta: 0 }, goal: { x: 20, y: 0, theta: 0 }, extra: { coarse_s: 0.004 } }, t);
      c.cycles++; note(t);
      if (nCand > 0) { c.candidates++; }
      if (guidance) { c.guidance++; }
      rec.recordPredictions([{ id: 7, x: x + 3, y: 1, vx: -0.5, vy: 0, risk: 0.2, futures: [{ probability: 0.7, points: [x + 2.5, 1, x + 2, 1] }, { probability: 0.3, points: [x + 2.5, 0.8, x + 2, 0.5] }] }], t);
      c.predictions++; note(t);
      rec.recordRobotFrame(frame({ type: 'screen-state', panAngle: 0.1, panVelocity: 0 }, seq++, t), t);
      c.screen++; note(t);
    }
    if (k % 50 === 25) {
      rec.recordRobotFrame(frame({ type: 'status', batteryVoltage: 12.1, batteryPercent: 80, faults: 0, estopPressed: false, motorsEnabled: true }, seq++, t), t);
      c.status++; note(t);
      rec.recordSafetyAction({ action: 'scale', reason: 'person 1.2 m ahead', ttc: 2.4, scale: 0.6, requested: { v: 0.5, w: 0 }, commanded: { v: 0.3, w: 0 }, zone: 'slow', points: [1.2, 0, 1.25, 0.05] }, t);
      c.safety++; note(t);
    }
    if (k % 250 === 100) {
      rec.recordLinkEvent({ event: 'bad-frame', message: 'CRC mismatch', reason: 'crc' }, t);
      c.link++; note(t);
      rec.record('gaze', { x: 1, y: 2 }, t);
      c.generic++; note(t);
    }
  }
  return c;
}
