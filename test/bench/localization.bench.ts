/**
 * Monte Carlo localization benchmark: time per scan of `MonteCarloLocalizer.update` (median,
 * p99) and particles used (median, max) on the simulated apartment with 360-beam scans and
 * drifting odometry, in two phases:
 *   - tracking: a 120 s loop from a rough initial pose, two people about;
 *   - global localization: from globalLocalize until the first 'localized', from 12 places.
 * Every scan is timed (most only follow odometry; "filter" rows time only the scans that ran
 * the particle filter). Only `update` is inside the timed span, not the simulator.
 * Run: `npm run bench -- localization` (or `node --import tsx FILE`).
 */
import { performance } from 'node:perf_hooks';
import { loadavg } from 'node:os';
import { MonteCarloLocalizer } from '../../src/planner/localization';
import { Prng } from '../../src/planner/random';
import { APARTMENT_START_POSE } from '../../src/sim/apartment';
import { APARTMENT_LOOP, apartmentGrid, poseError, SimRun } from '../planner/localization/harness';

const TRACK_SECONDS = 120;
const GLOBAL_RUNS = 12;
const GLOBAL_LIMIT_S = 15;

interface Samples {
  /** Wall time per scan, ms. */
  all: number[];
  /** Wall time of the scans that ran the filter, ms. */
  filter: number[];
  /** Process CPU time per scan, ms (µs resolution; less sensitive to other load on a shared machine). */
  cpu: number[];
  particles: number[];
}

const empty = (): Samples => ({ all: [], filter: [], cpu: [], particles: [] });

function quantile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}

function summary(s: Samples) {
  const all = [...s.all].sort((a, b) => a - b);
  const filter = [...s.filter].sort((a, b) => a - b);
  const particles = [...s.particles].sort((a, b) => a - b);
  const cpu = [...s.cpu].sort((a, b) => a - b);
  return {
    scans: all.length,
    median_ms: +quantile(all, 0.5).toFixed(3),
    p99_ms: +quantile(all, 0.99).toFixed(3),
    filter_updates: filter.length,
    filter_median_ms: +quantile(filter, 0.5).toFixed(3),
    filter_p99_ms: +quantile(filter, 0.99).toFixed(3),
    max_ms: +(all.at(-1) ?? Number.NaN).toFixed(3),
    cpu_median_ms: +quantile(cpu, 0.5).toFixed(3),
    cpu_p99_ms: +quantile(cpu, 0.99).toFixed(3),
    particles_median: quantile(particles, 0.5),
    particles_max: particles.at(-1) ?? 0,
  };
}

/** Times one update; records it (into `s` unless null) under `all` and, when the filter ran, under `filter`. */
function timed(loc: MonteCarloLocalizer, run: SimRun, s: Samples | null) {
  const sample = run.nextScan();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const e = loc.update(sample.input)!;
  const dt = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  if (s) {
    s.all.push(dt);
    s.cpu.push((cpu.user + cpu.system) / 1000);
    if (loc.diagnostics().lastWasFilterUpdate) s.filter.push(dt);
    s.particles.push(e.particles);
  }
  return { e, sample };
}

// Warm-up (JIT): a short global run and a short track, not recorded.
{
  const run = new SimRun({ seed: 99 });
  const loc = new MonteCarloLocalizer(apartmentGrid(), {}, 99);
  loc.globalLocalize();
  while (run.time < 8) timed(loc, run, null);
}

// Tracking: steady state, from 2 s after setPose (before that the 5000 particles of the
// operator's rough pose are converging, which the first row of the report shows).
const tracking = empty();
const settling = empty();
let trackSq = 0;
let trackN = 0;
{
  const run = new SimRun({ seed: 1, crowd: 2 });
  const loc = new MonteCarloLocalizer(apartmentGrid(), {}, 1);
  const s = APARTMENT_START_POSE;
  loc.setPose({ x: s.x + 0.15, y: s.y - 0.1, theta: s.theta + 0.15 });
  while (run.time < TRACK_SECONDS) {
    const into = run.time + 0.1 > 2 ? tracking : settling;
    const { e, sample } = timed(loc, run, into);
    if (sample.time > 2) {
      trackSq += poseError(e.pose, sample.truth).position ** 2;
      trackN++;
    }
  }
}

// Global localization, from places along the loop with random headings.
const global = empty();
const convergence: number[] = [];
{
  const rng = new Prng(2024);
  for (let r = 0; r < GLOBAL_RUNS; r++) {
    const seg = rng.int(APARTMENT_LOOP.length);
    const a = APARTMENT_LOOP[seg]!;
    const b = APARTMENT_LOOP[(seg + 1) % APARTMENT_LOOP.length]!;
    const f = rng.uniform(0.1, 0.9);
    const start = { x: a.x + f * (b.x - a.x), y: a.y + f * (b.y - a.y), theta: Math.atan2(b.y - a.y, b.x - a.x) + rng.uniform(-0.5, 0.5) };
    const run = new SimRun({ seed: 200 + r, start, firstWaypoint: (seg + 1) % APARTMENT_LOOP.length });
    const loc = new MonteCarloLocalizer(apartmentGrid(), {}, 200 + r);
    loc.globalLocalize();
    for (;;) {
      const { e, sample } = timed(loc, run, global);
      if (e.quality === 'localized' && poseError(e.pose, sample.truth).position < 0.2) {
        convergence.push(sample.time);
        break;
      }
      if (run.time > GLOBAL_LIMIT_S) {
        convergence.push(Number.POSITIVE_INFINITY);
        break;
      }
    }
  }
}

convergence.sort((a, b) => a - b);
const report = {
  bench: 'localization',
  beams: 360,
  tracking: { ...summary(tracking), rms_position_cm: +(100 * Math.sqrt(trackSq / trackN)).toFixed(2) },
  settling_after_set_pose: summary(settling),
  global: { ...summary(global), runs: GLOBAL_RUNS, convergence_median_s: +quantile(convergence, 0.5).toFixed(1), convergence_max_s: +(convergence.at(-1) ?? NaN).toFixed(1) },
  load_avg_1m: +loadavg()[0]!.toFixed(2),
};
const t = report.tracking;
const g = report.global;
console.log(`localization (MCL, apartment, 360-beam scans at 10 Hz; machine load ${report.load_avg_1m})`);
const st = report.settling_after_set_pose;
console.log(`  tracking ${TRACK_SECONDS} s (from 2 s after setPose): per scan median ${t.median_ms} ms, p99 ${t.p99_ms} ms (CPU median ${t.cpu_median_ms}, p99 ${t.cpu_p99_ms} ms)`);
console.log(`    filter updates (${t.filter_updates}) median ${t.filter_median_ms} ms, p99 ${t.filter_p99_ms} ms; particles median ${t.particles_median}, max ${t.particles_max}; RMS position error ${t.rms_position_cm} cm`);
console.log(`  first 2 s after setPose (${st.scans} scans): median ${st.median_ms} ms, max ${st.max_ms} ms; particles median ${st.particles_median}, max ${st.particles_max}`);
console.log(`  global localization, ${GLOBAL_RUNS} starts: per scan median ${g.median_ms} ms, p99 ${g.p99_ms} ms (CPU median ${g.cpu_median_ms}, p99 ${g.cpu_p99_ms} ms); filter updates median ${g.filter_median_ms} ms, p99 ${g.filter_p99_ms} ms`);
console.log(`    particles median ${g.particles_median}, max ${g.particles_max}; converged (< 0.2 m, 'localized') after median ${g.convergence_median_s} s, max ${g.convergence_max_s} s of driving`);
console.log(JSON.stringify(report));
