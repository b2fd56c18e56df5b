/**
 * Reactive safety benchmark: scan-to-command latency (median, p99) of the reactive loop in
 * process, for 360-beam scans of a cluttered scene, with a mix of planner and teleop
 * commands. The timed span covers the conversion of ranges to base_link points and the
 * decision. Run: `npm run bench -- reactive` (or `node --import tsx FILE`).
 */
import { performance } from 'node:perf_hooks';
import { loadavg } from 'node:os';
import { ReactiveSafety, scanToPoints } from '../../src/planner/reactive';
import { Prng } from '../../src/planner/random';

const ITERATIONS = 5000;
const WARMUP = 500;
const BEAMS = 360;

const footprint = { length: 0.5, width: 0.4, centerOffsetX: 0 };
const limits = { aMax: 1.0, alphaMax: 3.0 };
const rng = new Prng(11);

// Obstacles around the robot as discs (x, y, r) in base_link, re-drawn every 50 scans so
// the window sees walls close by, legs and boxes at 0.3 … 1.5 m.
type Disc = { x: number; y: number; r: number };
function scene(): Disc[] {
  const out: Disc[] = [];
  for (let i = 0; i < 12; i++) {
    const a = rng.uniform(-Math.PI, Math.PI);
    const r = rng.uniform(0.05, 0.3);
    const d = rng.uniform(0.4 + r, 1.6);
    out.push({ x: d * Math.cos(a), y: d * Math.sin(a), r });
  }
  return out;
}

/** Ray-casts a 360-beam scan against discs plus a room 2 × 3 m; ranges in metres. */
function cast(discs: Disc[], ranges: Float64Array): void {
  for (let i = 0; i < BEAMS; i++) {
    const a = -Math.PI + (2 * Math.PI * i) / BEAMS;
    const dx = Math.cos(a);
    const dy = Math.sin(a);
    // Room walls at x = ±1.5, y = ±1.0.
    let best = Math.min(dx !== 0 ? 1.5 / Math.abs(dx) : Infinity, dy !== 0 ? 1.0 / Math.abs(dy) : Infinity);
    for (const c of discs) {
      const b = dx * c.x + dy * c.y;
      const disc = b * b - (c.x * c.x + c.y * c.y - c.r * c.r);
      if (disc >= 0) {
        const t = b - Math.sqrt(disc);
        if (t > 0 && t < best) best = t;
      }
    }
    ranges[i] = best;
  }
}

const safety = new ReactiveSafety();
const ranges = new Float64Array(BEAMS);
const buffers = { xs: new Float64Array(BEAMS), ys: new Float64Array(BEAMS) };
const times: number[] = [];
/** Process CPU time per iteration (less sensitive to other load on a shared machine). */
const cpuTimes: number[] = [];
const actions = { pass: 0, scale: 0, stop: 0 };
let discs = scene();
for (let i = 0; i < ITERATIONS + WARMUP; i++) {
  if (i % 50 === 0) {
    discs = scene();
    cast(discs, ranges);
  }
  const now = i * 0.02;
  const command = { v: rng.uniform(-0.1, 1.0), w: rng.uniform(-1.5, 1.5) };
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const scan = scanToPoints(ranges, -Math.PI, (2 * Math.PI) / BEAMS, now - 0.01, undefined, undefined, buffers);
  const d = safety.check({ scan, now, command, footprint, limits, source: i % 3 === 0 ? 'teleop' : 'planner' });
  const dt = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  if (i >= WARMUP) {
    times.push(dt);
    cpuTimes.push((cpu.user + cpu.system) / 1000);
    actions[d.action]++;
  }
}
times.sort((a, b) => a - b);
cpuTimes.sort((a, b) => a - b);
const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!;
const report = {
  bench: 'reactive',
  iterations: times.length,
  beams: BEAMS,
  median_ms: +q(0.5).toFixed(4),
  p99_ms: +q(0.99).toFixed(4),
  max_ms: +times[times.length - 1]!.toFixed(4),
  cpu_p99_ms: +cpuTimes[Math.min(cpuTimes.length - 1, Math.floor(0.99 * cpuTimes.length))]!.toFixed(3),
  actions,
  load_avg_1m: +loadavg()[0]!.toFixed(2),
};
console.log(`reactive loop: ${report.iterations} scans of ${BEAMS} beams (pass ${actions.pass}, scale ${actions.scale}, stop ${actions.stop})`);
console.log(`  scan-to-command median ${report.median_ms} ms, p99 ${report.p99_ms} ms, max ${report.max_ms} ms; target p99 ≤ 5 ms; machine load ${report.load_avg_1m}`);
console.log(`  process CPU per scan p99 ${report.cpu_p99_ms} ms (µs resolution)`);
console.log(JSON.stringify(report));
if (report.p99_ms > 5) console.log('  target NOT met');
