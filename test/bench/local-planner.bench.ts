/**
 * Local planner benchmark: cycle time (median, p99) and candidates per second, closed loop
 * in a cluttered room with four people nearby (three predicted futures each), over a few
 * hundred 10 Hz cycles. Run: `npm run bench -- local` (or `node --import tsx FILE`).
 * The first cycles are reported separately (JIT warm-up) and excluded from the figures.
 */
import { performance } from 'node:perf_hooks';
import { LocalPlanner } from '../../src/planner/local';
import type { RobotState } from '../../src/planner/local';
import type { PersonPrediction } from '../../src/shared/people';
import { AnalyticField, box, disc, GridField, LIMITS, person, state } from '../planner/local/fixtures';
import type { Shape } from '../planner/local/fixtures';

const CYCLES = 300;
const WARMUP = 20;

// A 14 × 8 m room with furniture-like clutter on both sides of a route along y ≈ 0.
const shapes: Shape[] = [
  box(-1, 3.8, 13, 4.1),
  box(-1, -4.1, 13, -3.8),
  box(-1.3, -4.1, -1, 4.1),
  box(13, -4.1, 13.3, 4.1),
];
for (let i = 0; i < 12; i++) {
  const x = 0.8 + i * 1.0;
  const side = i % 2 === 0 ? 1 : -1;
  shapes.push(i % 3 === 0 ? disc(x, side * (1.2 + 0.2 * (i % 4)), 0.25) : box(x - 0.2, side * 1.1, x + 0.3, side * 2.2));
  shapes.push(disc(x + 0.4, -side * (2.6 + 0.1 * (i % 3)), 0.3));
}
const field = new GridField(new AnalyticField(shapes), -1.5, -4.5, 15, 9, 0.05);
const path = [
  { x: 0, y: 0 },
  { x: 4, y: 0.2 },
  { x: 8, y: -0.2 },
  { x: 12, y: 0 },
];
const goal = { x: 12, y: 0, theta: 0 };

/** Four people walking near the route, each with three futures (straight, veer left, veer right). */
function people(t: number, robot: RobotState): PersonPrediction[] {
  const out: PersonPrediction[] = [];
  const base = [
    { x: robot.pose.x + 2.5, y: 0.9, vx: -0.6, vy: -0.1 },
    { x: robot.pose.x + 1.5, y: -0.8, vx: 0.3, vy: 0.2 },
    { x: robot.pose.x + 3.5, y: -0.3, vx: -0.4, vy: 0.3 },
    { x: robot.pose.x - 1.0, y: 0.5, vx: 0.8, vy: 0 },
  ];
  base.forEach((p, i) => {
    const phase = Math.sin(t * 0.7 + i);
    out.push(
      person(i + 1, t, [
        { probability: 0.6, x: p.x + 0.3 * phase, y: p.y, vx: p.vx, vy: p.vy },
        { probability: 0.2, x: p.x + 0.3 * phase, y: p.y, vx: p.vx * 0.7, vy: p.vy + 0.4 },
        { probability: 0.2, x: p.x + 0.3 * phase, y: p.y, vx: p.vx * 0.7, vy: p.vy - 0.4 },
      ]),
    );
  });
  return out;
}

const planner = new LocalPlanner();
const times: number[] = [];
/** CPU time of this process per cycle (less sensitive to other load on a shared machine). */
const cpuTimes: number[] = [];
const warm: number[] = [];
let candidates = 0;
let minCandidates = Infinity;
let failures = 0;
let resets = 0;
let s = state(0, 0, 0, 0);
for (let i = 0; i < CYCLES + WARMUP; i++) {
  const now = i * 0.1;
  const ppl = people(now, s);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = planner.plan({ start: s, now, limits: LIMITS, guidancePath: path, goal, obstacles: field, people: ppl, seed: i });
  const dt = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  if (i < WARMUP) warm.push(dt);
  else {
    times.push(dt);
    cpuTimes.push((cpu.user + cpu.system) / 1000);
    if (r.ok) {
      candidates += r.candidatesEvaluated;
      minCandidates = Math.min(minCandidates, r.candidatesEvaluated);
    }
  }
  if (!r.ok) {
    failures++;
    s = state(0, 0, 0, 0);
    planner.reset();
    continue;
  }
  const c = r.chosen;
  s = { pose: { x: c.xs[1]!, y: c.ys[1]!, theta: c.thetas[1]! }, v: c.vs[1]!, w: c.ws[1]!, a: c.accels[1]!, alpha: c.alphas[1]! };
  if (r.goalReached || s.pose.x > 11.5) {
    s = state(0, 0, 0, 0);
    planner.reset();
    resets++;
  }
}

const sorted = [...times].sort((a, b) => a - b);
const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
const cpuSorted = [...cpuTimes].sort((a, b) => a - b);
const qc = (p: number) => cpuSorted[Math.min(cpuSorted.length - 1, Math.floor(p * cpuSorted.length))]!;
let load = '';
try {
  const os = await import('node:os');
  load = os.loadavg()[0]!.toFixed(2);
} catch {
  load = '?';
}
const total = times.reduce((a, b) => a + b, 0);
const okCycles = times.length - failures;
const report = {
  bench: 'local-planner',
  cycles: times.length,
  people: 4,
  futures_per_person: 3,
  candidates_per_cycle: Math.round(candidates / Math.max(1, okCycles)),
  min_candidates_per_cycle: minCandidates,
  median_ms: +q(0.5).toFixed(2),
  p99_ms: +q(0.99).toFixed(2),
  max_ms: +sorted[sorted.length - 1]!.toFixed(2),
  cpu_median_ms: +qc(0.5).toFixed(2),
  cpu_p99_ms: +qc(0.99).toFixed(2),
  load_avg_1m: load,
  candidates_per_s: Math.round(candidates / (total / 1000)),
  warmup_first_ms: +warm[0]!.toFixed(1),
  failures,
  runs_completed: resets,
};
console.log(
  `local planner: ${report.cycles} cycles, 4 people × 3 futures, ${report.candidates_per_cycle} candidates/cycle (min ${report.min_candidates_per_cycle})`,
);
console.log(`  cycle time median ${report.median_ms} ms, p99 ${report.p99_ms} ms, max ${report.max_ms} ms (wall clock)`);
console.log(`  process CPU per cycle median ${report.cpu_median_ms} ms, p99 ${report.cpu_p99_ms} ms; machine load ${load}`);
console.log(`  ${report.candidates_per_s.toLocaleString('en-US')} candidates/s; targets: ≥ 2000 candidates/cycle, p99 ≤ 50 ms`);
console.log(JSON.stringify(report));
const pass = report.min_candidates_per_cycle >= 2000 && report.p99_ms <= 50;
if (!pass) console.log('  target NOT met');
