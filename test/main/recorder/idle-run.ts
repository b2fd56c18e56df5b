/**
 * A mostly idle run, as a live session records it: the robot drives for `driveS` seconds,
 * then stands still for `idleS` seconds while the console keeps running. Live rates
 * throughout: odometry 50 Hz, velocity commands 25 Hz, scans 10 Hz × 360 beams, planner
 * cycles, predictions and screen state 10 Hz, status 2 Hz. While driving the planner keeps
 * 50 candidates × 30 points per cycle and one person is tracked (the robot circles the room's
 * middle at 0.5 m/s, radius 1.2 m); while idle it has no goal
 * (no trajectory, no candidates), nobody is around, the encoders do not move (the same
 * odometry again and again) and the lidar sees the same room with its range noise
 * (σ 1 cm). The room is a 6 × 4 m rectangle, map frame [0, 6] × [0, 4]; odom = map.
 *
 * Deterministic (seeded): the same run every time, so sizes compare between builds.
 */
import type { Recorder } from '../../../src/main/recorder/recorder';
import type { OccupancyGrid } from '../../../src/shared/grid';
import { HELLO, frame } from './fixtures';

const ROOM = { x0: 0, x1: 6, y0: 0, y1: 4 };
const BEAMS = 360;

/** mulberry32: a small seeded generator (uniform [0, 1)). */
function random(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let r = Math.imul(s ^ (s >>> 15), 1 | s);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

/** Range from (x, y) along `angle` (map frame, rad) to the room's walls, m. */
function wallRange(x: number, y: number, angle: number): number {
  const dx = Math.cos(angle);
  const dy = Math.sin(angle);
  let best = Infinity;
  if (dx > 1e-9) best = Math.min(best, (ROOM.x1 - x) / dx);
  if (dx < -1e-9) best = Math.min(best, (ROOM.x0 - x) / dx);
  if (dy > 1e-9) best = Math.min(best, (ROOM.y1 - y) / dy);
  if (dy < -1e-9) best = Math.min(best, (ROOM.y0 - y) / dy);
  return best;
}

/** The room as an occupancy grid at 0.05 m: walls one cell thick, unknown outside. */
export function roomGrid(): OccupancyGrid {
  const resolution = 0.05;
  const margin = 4; // cells of unknown around the walls
  const width = Math.round((ROOM.x1 - ROOM.x0) / resolution) + 2 * margin;
  const height = Math.round((ROOM.y1 - ROOM.y0) / resolution) + 2 * margin;
  const data = new Uint8Array(width * height).fill(255);
  for (let row = margin - 1; row <= height - margin; row++) {
    for (let col = margin - 1; col <= width - margin; col++) {
      const wall = row === margin - 1 || row === height - margin || col === margin - 1 || col === width - margin;
      data[row * width + col] = wall ? 100 : 0;
    }
  }
  return { width, height, resolution, origin: { x: ROOM.x0 - margin * resolution, y: ROOM.y0 - margin * resolution }, data };
}

export interface IdleRunCounts { records: number; odometry: number; scans: number; cycles: number }

/**
 * Records the run into `rec` from `t0` (s). `onSlice` is awaited after each 100 ms of run
 * time (a long run's batches stay live-sized when it flushes there).
 */
export async function recordMostlyIdleRun(
  rec: Recorder, t0: number, opts: { driveS: number; idleS: number; seed?: number; onSlice?: () => Promise<void> },
): Promise<IdleRunCounts> {
  const rnd = random(opts.seed ?? 7);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const c: IdleRunCounts = { records: 0, odometry: 0, scans: 0, cycles: 0 };
  let seq = 1;
  rec.recordRobotFrame(frame(HELLO, 0, t0), t0);
  rec.recordOperatorAction({ action: 'connect', detail: 'sim' }, t0);
  rec.recordMapToOdom({ x: 0, y: 0, theta: 0 }, t0);
  rec.recordOperatorAction({ action: 'set-goal', goal: { x: 3, y: 0.8, theta: 0 } }, t0);
  c.records += 4;
  const ticks = Math.round((opts.driveS + opts.idleS) * 50);
  const driveTicks = Math.round(opts.driveS * 50);
  const ranges = new Float32Array(BEAMS);
  const radius = 1.2;
  let x = 3;
  let y = 2 - radius;
  let theta = 0;
  for (let k = 0; k < ticks; k++) {
    const t = t0 + k / 50;
    const driving = k < driveTicks;
    const v = driving ? 0.5 : 0;
    const w = driving ? v / radius : 0;
    if (driving) {
      // Counter-clockwise around (3, 2); heading along the circle, wrapped to (−π, π].
      const phi = (0.5 * (k / 50)) / radius;
      x = 3 + radius * Math.sin(phi);
      y = 2 - radius * Math.cos(phi);
      theta = Math.atan2(Math.sin(phi), Math.cos(phi));
    }
    rec.recordRobotFrame(frame({ type: 'odometry', x, y, theta, v, w, lastCommandSeq: seq }, seq++, t), t);
    c.odometry++;
    c.records++;
    if (k % 2 === 0) {
      rec.recordCommandSent({ version: 1, seq: seq++ & 0xffff, timestampUs: Math.round(t * 1e6), msg: { type: 'velocity-command', v, w } }, t);
      c.records++;
    }
    if (k % 5 === 0) {
      const lx = x + HELLO.lidarMountX * Math.cos(theta);
      const ly = y + HELLO.lidarMountX * Math.sin(theta);
      for (let i = 0; i < BEAMS; i++) ranges[i] = wallRange(lx, ly, theta - Math.PI + (i * 2 * Math.PI) / BEAMS) + 0.01 * gauss();
      rec.recordRobotFrame(frame({ type: 'laser-scan', angleMin: -Math.PI, angleIncrement: (2 * Math.PI) / BEAMS, timeIncrement: 1e-4, rangeMin: 0.1, rangeMax: 8, ranges }, seq++, t), t);
      c.scans++;
      // Plans ahead along the heading, flat [x0, y0, …] in map.
      const ahead = (i: number, lateral: number): number => (i % 2 === 0
        ? x + (i >> 1) * 0.1 * Math.cos(theta) - lateral * Math.sin(theta)
        : y + (i >> 1) * 0.1 * Math.sin(theta) + lateral * Math.cos(theta));
      const chosen = driving ? { points: Array.from({ length: 30 }, (_, i) => ahead(i, 0)), cost: 1.5 } : null;
      const candidates = driving
        ? Array.from({ length: 50 }, (_, j) => ({
          cost: 2 + j * 0.1,
          terms: { progress: -1 + j * 0.01, collision: j * 0.001, smoothness: 0.2, clearance: 0.3 },
          points: Array.from({ length: 60 }, (_, i) => ahead(i, (j - 25) * 0.002 * (i >> 1))),
        }))
        : undefined;
      rec.recordPlannerCycle({
        cycleTimeS: 0.01 + 0.004 * rnd(), chosen, candidates, candidateCount: driving ? 2000 : 0,
        start: { x, y, theta }, goal: driving ? { x: 3, y: 0.8, theta: 0 } : undefined, extra: { coarse_s: 0.004 },
      }, t);
      c.cycles++;
      const px = 5 - 0.3 * ((k / 50) % 10);
      rec.recordPredictions(driving ? [{ id: 3, x: px, y: 3.5, vx: -0.3, vy: 0, risk: 0.1, futures: [{ probability: 1, points: [px - 0.3, 3.5, px - 0.6, 3.5] }] }] : [], t);
      rec.recordRobotFrame(frame({ type: 'screen-state', panAngle: 0, panVelocity: 0 }, seq++, t), t);
      c.records += driving ? 5 : 4;
    }
    if (k % 25 === 0) {
      rec.recordRobotFrame(frame({ type: 'status', batteryVoltage: 12.1, batteryPercent: 80, faults: 0, estopPressed: false, motorsEnabled: true }, seq++, t), t);
      c.records++;
    }
    if (k % 5 === 4 && opts.onSlice) await opts.onSlice();
  }
  return c;
}
