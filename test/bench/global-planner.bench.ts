/**
 * Global planner vs the `pathfinding` npm package on the shared MovingAI maps, in one run.
 *
 *   node --import tsx test/bench/global-planner.bench.ts [--data DIR] [--sample N]
 *   (or `npm run bench -- global`)
 *
 * For every map: ours (the configured GlobalPlanner, JPS, map prepared once, no
 * smoothing) runs all scenarios and is checked against the optimal lengths (within 0.01).
 * On a sample of N scenarios per map (default 200, spread evenly over the file, so every
 * difficulty bucket is represented) the three searches each run the sample as a block,
 * one after the other in the same process: ours, pathfinding's AStarFinder and JumpPointFinder,
 * both with DiagonalMovement.OnlyWhenNoObstacles and the octile heuristic. pathfinding
 * mutates its grid, so each of its queries gets `grid.clone()`; the clone is made before
 * the clock starts and is NOT counted in its time (that favours pathfinding).
 * Reported: median per-query ms of each, and ratio = min(A*, JPS) / ours, per map set
 * (dao, mazes, random) and for all 512 × 512 maps pooled.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import PF from 'pathfinding';
import { movingAiToOccupancyGrid, parseMovingAiMap, parseMovingAiScenarios, type MovingAiScenario } from '../../src/planner/grid/movingai';
import { createGlobalPlanner, planningGridFromOccupancy } from '../../src/planner/global/planner';
import { argValue, dataDir } from './args';

const sampleSize = Number(argValue('--sample') ?? 200);
const MAPS = ['dao/arena', 'dao/den312d', 'dao/lak303d', 'mazes/maze512-8-0', 'random/random512-10-0'];
const TOLERANCE = 0.01;

const movingAiDir = join(dataDir, 'movingai');
const present = MAPS.filter((m) => existsSync(join(movingAiDir, `${m}.map`)) && existsSync(join(movingAiDir, `${m}.map.scen`)));
const missing = MAPS.filter((m) => !present.includes(m));
if (present.length === 0) {
  console.error(`global-planner bench: no MovingAI data under ${movingAiDir}`);
  console.error(`  expected ${MAPS.map((m) => `${m}.map + ${m}.map.scen`).join(', ')}`);
  console.error('  pass --data DIR (a folder laid out like ../shared/data) to point elsewhere');
  process.exit(2);
}
if (missing.length > 0) console.log(`missing (skipped): ${missing.map((m) => join(movingAiDir, `${m}.map(.scen)`)).join(', ')}`);

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const pathLength = (p: number[][]): number => {
  let len = 0;
  for (let i = 1; i < p.length; i++) len += Math.hypot(p[i]![0]! - p[i - 1]![0]!, p[i]![1]! - p[i - 1]![1]!);
  return len;
};

interface Samples {
  ours: number[];
  astar: number[];
  jps: number[];
}
const pools = new Map<string, Samples>();
const pool = (key: string): Samples => {
  let s = pools.get(key);
  if (!s) pools.set(key, (s = { ours: [], astar: [], jps: [] }));
  return s;
};

let allOptimal = true;
console.log(`data: ${movingAiDir}; pathfinding timed on up to ${sampleSize} scenarios per map (grid clone excluded from its time)`);
console.log('map                     size      scen  optimal(ours)   ours med ms   pf A* med ms   pf JPS med ms   ratio   pf A*/JPS optimal');
for (const name of present) {
  const map = parseMovingAiMap(readFileSync(join(movingAiDir, `${name}.map`), 'utf8'));
  const scen = parseMovingAiScenarios(readFileSync(join(movingAiDir, `${name}.map.scen`), 'utf8'));
  if (!map.ok || !scen.ok) {
    console.error(`${name}: ${!map.ok ? map.message : ''} ${!scen.ok ? scen.message : ''}`);
    process.exit(1);
  }
  const { width, height, passable } = map.value;
  const planner = createGlobalPlanner(planningGridFromOccupancy(movingAiToOccupancyGrid(map.value)), { anyAngle: false });
  const matrix: number[][] = [];
  for (let y = 0; y < height; y++) matrix.push(Array.from(passable.subarray(y * width, (y + 1) * width), (v) => (v ? 0 : 1)));
  const pfGrid = new PF.Grid(matrix);
  const pfOpts = { diagonalMovement: PF.DiagonalMovement.OnlyWhenNoObstacles, heuristic: PF.Heuristic.octile };
  const pfAStar = new PF.AStarFinder(pfOpts);
  const pfJps = PF.JumpPointFinder(pfOpts);

  // Ours on every scenario: optimality (and a warm-up for the JIT).
  const scenarios = scen.value;
  let optimal = 0;
  for (const s of scenarios) {
    const r = planner.planCells(s.startX, s.startY, s.goalX, s.goalY);
    if (r.ok && Math.abs(r.cost - s.optimalLength) <= TOLERANCE) optimal++;
  }
  if (optimal !== scenarios.length) allOptimal = false;

  const stride = Math.max(1, Math.floor(scenarios.length / sampleSize));
  const sample: MovingAiScenario[] = scenarios.filter((_, i) => i % stride === 0).slice(0, sampleSize);
  // Warm pathfinding's code paths too before timing.
  for (const s of sample.slice(0, 5)) {
    pfAStar.findPath(s.startX, s.startY, s.goalX, s.goalY, pfGrid.clone());
    pfJps.findPath(s.startX, s.startY, s.goalX, s.goalY, pfGrid.clone());
  }
  const local: Samples = { ours: [], astar: [], jps: [] };
  let pfAOk = 0;
  let pfJOk = 0;
  // Each finder runs the whole sample as one block: interleaving per query would let
  // pathfinding's garbage (node objects, grid clones) be collected inside our timings.
  for (const s of sample) {
    const t = performance.now();
    planner.planCells(s.startX, s.startY, s.goalX, s.goalY);
    local.ours.push(performance.now() - t);
  }
  for (const s of sample) {
    const g = pfGrid.clone();
    const t = performance.now();
    const pa = pfAStar.findPath(s.startX, s.startY, s.goalX, s.goalY, g);
    local.astar.push(performance.now() - t);
    if (Math.abs(pathLength(pa) - s.optimalLength) <= TOLERANCE) pfAOk++;
  }
  for (const s of sample) {
    const g = pfGrid.clone();
    const t = performance.now();
    const pj = pfJps.findPath(s.startX, s.startY, s.goalX, s.goalY, g);
    local.jps.push(performance.now() - t);
    if (Math.abs(pathLength(pj) - s.optimalLength) <= TOLERANCE) pfJOk++;
  }
  const set = name.split('/')[0]!;
  for (const key of [set, ...(width === 512 && height === 512 ? ['512 × 512'] : [])]) {
    const p = pool(key);
    p.ours.push(...local.ours);
    p.astar.push(...local.astar);
    p.jps.push(...local.jps);
  }
  const [mo, ma, mj] = [median(local.ours), median(local.astar), median(local.jps)];
  console.log(
    `${name.padEnd(24)}${`${width}×${height}`.padEnd(10)}${String(scenarios.length).padStart(5)}  ${`${optimal}/${scenarios.length}`.padStart(13)}` +
      `${mo.toFixed(4).padStart(14)}${ma.toFixed(4).padStart(15)}${mj.toFixed(4).padStart(16)}${(Math.min(ma, mj) / mo).toFixed(1).padStart(8)}×   ${pfAOk}/${pfJOk} of ${sample.length}`,
  );
}

console.log('\npooled medians (sampled queries)     ours ms    pf A* ms   pf JPS ms   ratio = min(pf) / ours');
for (const [key, p] of pools) {
  const [mo, ma, mj] = [median(p.ours), median(p.astar), median(p.jps)];
  console.log(`${key.padEnd(36)}${mo.toFixed(4).padStart(8)}${ma.toFixed(4).padStart(12)}${mj.toFixed(4).padStart(12)}${(Math.min(ma, mj) / mo).toFixed(1).padStart(10)}×`);
}
const big = pools.get('512 × 512');
if (big) {
  const ratio = Math.min(median(big.astar), median(big.jps)) / median(big.ours);
  console.log(`\n512 × 512 target: ratio ≥ 10× → ${ratio.toFixed(1)}× ${ratio >= 10 ? 'MET' : 'NOT MET'}`);
}
console.log(`optimality target: 100 % of scenarios within ${TOLERANCE} → ${allOptimal ? 'MET' : 'NOT MET'}`);
process.exit(allOptimal ? 0 : 1);
