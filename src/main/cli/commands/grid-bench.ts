/**
 * `foresight grid-bench --map FILE --scen FILE [--json]`: runs every MovingAI scenario
 * through the global planner's search on a map prepared once, and reports how many
 * match the optimal length (within 0.01) and the median and p95 time per query.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';
import { forEachArg, UsageError, type CliCommand } from '../command';
import { movingAiToOccupancyGrid, parseMovingAiMap, parseMovingAiScenarios } from '../../../planner/grid/movingai';
import { createGlobalPlanner, planningGridFromOccupancy, type GlobalAlgorithm } from '../../../planner/global/planner';

const USAGE = `Usage: foresight grid-bench --map FILE --scen FILE [--algorithm jps|astar] [--json]

Runs every scenario of a MovingAI .map.scen file through the global planner's
8-connected search (no corner cutting) on the .map, prepared once.
Prints how many scenarios match the optimal length (within 0.01) and the median
and p95 time per query in milliseconds.
  --json        one JSON line {"map","scenarios","optimal","median_ms","p95_ms"}
  --algorithm   search to use (default jps)`;

/** Tolerance on the path cost against the file's optimal length (lengths there are rounded). */
const OPTIMAL_TOLERANCE = 0.01;

interface Args {
  map: string;
  scen: string;
  json: boolean;
  algorithm: GlobalAlgorithm;
}

function parseArgs(argv: string[]): Args {
  let map: string | undefined;
  let scen: string | undefined;
  let json = false;
  let algorithm: GlobalAlgorithm = 'jps';
  forEachArg(argv, (a, value) => {
    if (a === '--map') map = value();
    else if (a === '--scen') scen = value();
    else if (a === '--json') json = true;
    else if (a === '--algorithm') {
      const v = value();
      if (v !== 'jps' && v !== 'astar') throw new UsageError(`--algorithm must be jps or astar, got '${v}'`);
      algorithm = v;
    } else throw new UsageError(`unknown argument '${a}'`);
  });
  if (!map) throw new UsageError('--map FILE is required');
  if (!scen) throw new UsageError('--scen FILE is required');
  return { map, scen, json, algorithm };
}

function readText(path: string, what: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    process.stderr.write(`grid-bench: cannot read ${what} '${path}': ${code === 'ENOENT' ? 'no such file' : (err as Error).message}\n`);
    return undefined;
  }
}

/** Value at quantile q (0..1) of ascending `sorted`, nearest rank. */
function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

const command: CliCommand = {
  name: 'grid-bench',
  summary: 'MovingAI scenarios through the global planner',
  usage: USAGE,
  async run(argv: string[]): Promise<number> {
    const args = parseArgs(argv);
    const mapText = readText(args.map, 'map');
    if (mapText === undefined) return 1;
    const scenText = readText(args.scen, 'scenario file');
    if (scenText === undefined) return 1;
    const map = parseMovingAiMap(mapText);
    if (!map.ok) {
      process.stderr.write(`grid-bench: ${args.map}: ${map.message}\n`);
      return 1;
    }
    const scen = parseMovingAiScenarios(scenText);
    if (!scen.ok) {
      process.stderr.write(`grid-bench: ${args.scen}: ${scen.message}\n`);
      return 1;
    }
    const { width, height } = map.value;
    const mismatch = scen.value.find((s) => s.mapWidth !== width || s.mapHeight !== height);
    if (mismatch) {
      process.stderr.write(`grid-bench: ${args.scen} is for a ${mismatch.mapWidth} × ${mismatch.mapHeight} map, ${args.map} is ${width} × ${height}\n`);
      return 1;
    }

    const planner = createGlobalPlanner(planningGridFromOccupancy(movingAiToOccupancyGrid(map.value)), { algorithm: args.algorithm, anyAngle: false });
    const times: number[] = [];
    let optimal = 0;
    const misses: string[] = [];
    for (const s of scen.value) {
      const t0 = performance.now();
      const r = planner.planCells(s.startX, s.startY, s.goalX, s.goalY);
      times.push(performance.now() - t0);
      if (r.ok && Math.abs(r.cost - s.optimalLength) <= OPTIMAL_TOLERANCE) optimal++;
      else if (misses.length < 5) misses.push(`(${s.startX},${s.startY})→(${s.goalX},${s.goalY}) expected ${s.optimalLength}, got ${r.ok ? r.cost.toFixed(5) : r.reason}`);
    }
    times.sort((a, b) => a - b);
    const medianMs = quantile(times, 0.5);
    const p95Ms = quantile(times, 0.95);
    if (args.json) {
      process.stdout.write(
        `${JSON.stringify({ map: basename(args.map), scenarios: scen.value.length, optimal, median_ms: Number(medianMs.toFixed(4)), p95_ms: Number(p95Ms.toFixed(4)) })}\n`,
      );
    } else {
      process.stdout.write(
        [
          `map        ${basename(args.map)} (${width} × ${height}), search ${planner.algorithm}`,
          `scenarios  ${scen.value.length}`,
          `optimal    ${optimal} / ${scen.value.length} within ${OPTIMAL_TOLERANCE}`,
          `median     ${medianMs.toFixed(4)} ms per query`,
          `p95        ${p95Ms.toFixed(4)} ms per query`,
          ...misses.map((m) => `not optimal: ${m}`),
          '',
        ].join('\n'),
      );
    }
    return 0;
  },
};

export default command;
