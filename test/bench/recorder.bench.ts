/**
 * Recorder benchmark: a one-hour simulated run generated faster than real time at the live
 * rates (odometry 50 Hz, scans 10 Hz × 360 beams, velocity commands 25 Hz, planner cycles
 * 10 Hz with 50 candidate samples, predictions 10 Hz with 3 people × 3 futures, screen
 * state 10 Hz, status / safety / localization 1 Hz), one batch per 100 ms of run time.
 *
 * Prints, per batch: main-thread time to enqueue the batch's records (encoding included)
 * and to hand the batch to the writer thread, and the writer thread's commit time; then the
 * database size per hour, the time to open it (with quick_check), and the time of a
 * "state at t" seek to random instants (the DB part of seek-to-render, target ≤ 100 ms).
 *
 *   npm run bench -- recorder            (one hour)
 *   node --import tsx test/bench/recorder.bench.ts --minutes 5 [--mcap]   (--mcap: also time an MCAP export)
 */
import { mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Recorder } from '../../src/main/recorder/recorder';
import { RunStore } from '../../src/main/recorder/run-store';
import { exportRunToMcap } from '../../src/main/recorder/mcap-export';
import type { PersonView } from '../../src/shared/api';
import type { HelloMsg } from '../../src/shared/protocol';

const argMinutes = process.argv.indexOf('--minutes');
const minutes = argMinutes > 0 ? Number(process.argv[argMinutes + 1]) : 60;
const seconds = minutes * 60;

function quantile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
}
const ms = (v: number): string => `${v.toFixed(3)} ms`;
function line(label: string, values: number[]): void {
  console.log(`  ${label.padEnd(44)} median ${ms(quantile(values, 0.5)).padStart(10)}   p99 ${ms(quantile(values, 0.99)).padStart(10)}   max ${ms(Math.max(...values)).padStart(10)}`);
}

const hello: HelloMsg = {
  type: 'hello', protocolVersion: 1, name: 'bench-bot', footprintLength: 0.5, footprintWidth: 0.4, footprintCenterOffsetX: 0,
  wheelBase: 0.3, maxLinearVelocity: 1, maxAngularVelocity: 2, maxLinearAccel: 1, maxAngularAccel: 3, maxLinearJerk: 5,
  maxAngularJerk: 10, panMin: -2, panMax: 2, panMaxRate: 3, panMaxAccel: 6, lidarBeams: 360, lidarAngleMin: -Math.PI,
  lidarAngleIncrement: (2 * Math.PI) / 360, lidarRangeMin: 0.1, lidarRangeMax: 8, lidarRateHz: 10, lidarMountX: 0.1, lidarMountY: 0, lidarMountYaw: 0,
};

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'foresight-bench-'));
  const path = join(dir, 'runs.sqlite');
  try {
    // The recorder's own timer would also flush; the bench drives one flush per simulated
    // 100 ms instead, so each batch is exactly one live batch.
    const rec = Recorder.open(path, { collectTimings: true, flushIntervalMs: 60_000, batchRecords: 1_000_000 });
    const t0 = 1_700_000_000;
    rec.startRun({ robotName: 'bench-bot', source: 'sim', startedAt: t0 });
    const ranges = new Float32Array(360);
    const candidates = Array.from({ length: 50 }, (_, j) => ({
      cost: 2 + j * 0.1,
      terms: { progress: -1, collision: 0.01 * j, smoothness: 0.2, clearance: 0.3 },
      points: new Array<number>(60).fill(0),
    }));
    const chosen = { points: new Array<number>(60).fill(0), cost: 1.5 };
    const people: PersonView[] = Array.from({ length: 3 }, (_, i) => ({
      id: i, x: 0, y: 0, vx: 0.5, vy: 0, risk: 0.1,
      futures: Array.from({ length: 3 }, () => ({ probability: 1 / 3, points: new Array<number>(60).fill(0) })),
    }));
    let seq = 0;
    let records = 0;
    const enqueueMs: number[] = [];
    const totalMainMs: number[] = [];
    let batchEnqueueMs = 0;
    const wallStart = performance.now();
    rec.recordRobotFrame({ version: 1, seq: seq++, timestampUs: 0, msg: hello }, t0);

    const ticks = seconds * 50; // 50 Hz base tick
    for (let k = 0; k < ticks; k++) {
      const t = t0 + k / 50;
      const x = Math.cos(t / 60) * 5;
      const y = Math.sin(t / 60) * 5;
      const e0 = performance.now();
      rec.recordRobotFrame({ version: 1, seq: seq++ & 0xffff, timestampUs: k * 20_000, msg: { type: 'odometry', x, y, theta: t / 60, v: 0.5, w: 0.01, lastCommandSeq: k } }, t);
      records++;
      if (k % 2 === 0) {
        rec.recordCommandSent({ version: 1, seq: seq++ & 0xffff, timestampUs: Math.round(t * 1e6), msg: { type: 'velocity-command', v: 0.5, w: 0.01 } }, t);
        records++;
      }
      if (k % 5 === 0) {
        for (let i = 0; i < ranges.length; i++) ranges[i] = 2 + Math.sin(i / 9 + k / 50);
        rec.recordRobotFrame({ version: 1, seq: seq++ & 0xffff, timestampUs: k * 20_000, msg: { type: 'laser-scan', angleMin: -Math.PI, angleIncrement: (2 * Math.PI) / 360, timeIncrement: 1e-4, rangeMin: 0.1, rangeMax: 8, ranges } }, t);
        for (let i = 0; i < 60; i += 2) {
          chosen.points[i] = x + i * 0.05;
          chosen.points[i + 1] = y;
        }
        for (const c of candidates) for (let i = 0; i < 60; i++) c.points[i] = chosen.points[i]! + (i % 2) * c.cost * 0.01;
        rec.recordPlannerCycle({
          cycleTimeS: 0.015, chosen, candidates, candidateCount: 3000, start: { x, y, theta: 0 }, goal: { x: 10, y: 10, theta: 0 },
          guidancePath: k % 500 === 0 ? [x, y, 5, 5, 10, 10] : undefined, extra: { coarse_s: 0.005, refine_s: 0.008 },
        }, t);
        for (const p of people) {
          p.x = x + 2;
          for (const f of p.futures) for (let i = 0; i < 60; i++) f.points[i] = p.x + i * 0.02;
        }
        rec.recordPredictions(people, t);
        rec.recordRobotFrame({ version: 1, seq: seq++ & 0xffff, timestampUs: k * 20_000, msg: { type: 'screen-state', panAngle: 0.1, panVelocity: 0 } }, t);
        records += 5; // scan, cycle, candidates, predictions, screen
      }
      if (k % 50 === 0) {
        rec.recordRobotFrame({ version: 1, seq: seq++ & 0xffff, timestampUs: k * 20_000, msg: { type: 'status', batteryVoltage: 12, batteryPercent: 80, faults: 0, estopPressed: false, motorsEnabled: true } }, t);
        rec.recordSafetyAction({ action: 'scale', reason: 'person 1.4 m ahead, slowing', ttc: 2.8, scale: 0.7, requested: { v: 0.5, w: 0 }, commanded: { v: 0.35, w: 0 }, zone: 'slow', points: [1.4, 0.1] }, t);
        rec.recordMapToOdom({ x: 0.01, y: 0, theta: 0 }, t);
        records += 3;
      }
      batchEnqueueMs += performance.now() - e0;
      if (k % 5 === 4) {
        enqueueMs.push(batchEnqueueMs);
        batchEnqueueMs = 0;
        // End of a 100 ms slice: hand the batch over (timed inside the recorder) and wait for
        // its commit before generating the next one, so batches stay live-sized.
        const before = rec.timings.flushMainMs.length;
        const ok = await rec.flush();
        if (!ok) throw new Error(`flush did not complete: ${rec.status().message}`);
        const handOff = rec.timings.flushMainMs[before] ?? 0;
        totalMainMs.push(enqueueMs[enqueueMs.length - 1]! + handOff);
      }
    }
    rec.endRun('completed', t0 + seconds);
    await rec.close();
    const wallS = (performance.now() - wallStart) / 1000;

    const sizeOf = (p: string) => (existsSync(p) ? statSync(p).size : 0);
    const bytes = sizeOf(path) + sizeOf(`${path}-wal`);
    console.log(`recorder: ${minutes} min simulated run, ${records} records in ${rec.timings.flushMainMs.length} batches, generated in ${wallS.toFixed(1)} s (${(seconds / wallS).toFixed(0)}× real time)`);
    console.log('per 100 ms batch (main thread = enqueue + hand-off):');
    line('main thread: enqueue (encode + queue)', enqueueMs);
    line('main thread: flush hand-off to writer', rec.timings.flushMainMs);
    line('main thread: total per batch', totalMainMs);
    line('writer thread: commit (off the main thread)', rec.timings.writeMs);
    console.log(`database size: ${(bytes / 1e6).toFixed(1)} MB for ${minutes} min → ${((bytes / 1e6) * (60 / minutes)).toFixed(0)} MB per hour`);

    const o0 = performance.now();
    const store = RunStore.open(path);
    const openMs = performance.now() - o0;
    console.log(`open (header checks + quick_check + interrupted scan): ${ms(openMs)}`);
    const l0 = performance.now();
    store.listRuns();
    console.log(`list runs: ${ms(performance.now() - l0)}`);

    let seed = 42;
    const random = (): number => {
      // mulberry32: a fixed sequence of instants, so runs compare.
      seed = (seed + 0x6d2b79f5) | 0;
      let r = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
      return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
    };
    const seekMs: number[] = [];
    let checksum = 0;
    for (let i = 0; i < 300; i++) {
      const t = t0 + random() * seconds;
      const s0 = performance.now();
      const state = store.stateAt(1, t);
      seekMs.push(performance.now() - s0);
      checksum += state.scan?.ranges.length ?? 0;
    }
    if (checksum !== 300 * 360) throw new Error('seek returned incomplete states');
    line('seek: state at random t (first 10, cold)', seekMs.slice(0, 10));
    line('seek: state at random t (300 instants)', seekMs);
    const r0 = performance.now();
    const window = store.records(1, { from: t0 + seconds / 2, to: t0 + seconds / 2 + 10, kinds: ['odometry', 'safety', 'command'] });
    console.log(`records of 3 kinds over a 10 s window: ${window.length} in ${ms(performance.now() - r0)}`);
    if (process.argv.includes('--mcap')) {
      const out = join(dir, 'run.mcap');
      const x0 = performance.now();
      const res = await exportRunToMcap(store, 1, out);
      const mb = statSync(out).size / 1e6;
      console.log(`MCAP export: ${res.messageCount} messages, ${mb.toFixed(1)} MB (uncompressed JSON; ${(mb * (60 / minutes)).toFixed(0)} MB per hour) in ${((performance.now() - x0) / 1000).toFixed(1)} s`);
      const y0 = performance.now();
      const lean = await exportRunToMcap(store, 1, out, { candidates: false });
      const leanMb = statSync(out).size / 1e6;
      console.log(`MCAP export without candidates: ${lean.messageCount} messages, ${leanMb.toFixed(1)} MB (${(leanMb * (60 / minutes)).toFixed(0)} MB per hour) in ${((performance.now() - y0) / 1000).toFixed(1)} s`);
    }
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
