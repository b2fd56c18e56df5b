/**
 * `foresight slam-eval --clf FILE --relations FILE [--json]`: runs the mapper (the same code
 * and parameters the console maps with) over a CARMEN log as fast as it goes, then scores the
 * final optimised trajectory with the relation metric of Kümmerle et al. (2009).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { forEachArg, UsageError, type CliCommand } from '../command';
import { CarmenLogError, parseCarmenLog, type CarmenLog } from '../../eval/slam/carmen-log';
import { parseRelations, RelationsError, type Relation, type RelationErrors } from '../../eval/slam/relations';
import { relationsWithin, runMapperOnLog, scoreRun, type SlamRun } from '../../eval/slam/run-log';
import { occupancyGridToRosMap } from '../../../planner/slam/ros-map-writer';

const USAGE = `Usage: foresight slam-eval --clf FILE --relations FILE [--scans N] [--save-map PREFIX] [--json]

Runs the 2D laser SLAM mapper over a CARMEN log (FLASER scans, 180° field of view, first
beam at −90°, spacing 180°/n; the odometry pose of each FLASER line; the laser mount from
PARAM robot_frontlaser_offset) as fast as it can, then evaluates the final optimised robot
(base_link) trajectory at the relation timestamps, which the relations name by exact
ipc_timestamp: for every relation, e = δ⁻¹ ⊕ (x̂ᵢ⁻¹ ⊕ x̂ⱼ).
Prints mean ± standard deviation of the translational (m) and rotational (deg) errors and
the real-time factor (log duration / wall time of mapping, final optimisation included).

  --clf FILE         the CARMEN log
  --relations FILE   the reference relations ('t1 t2 x y z roll pitch yaw' per line)
  --scans N          only the first N scans (and the relations inside them)
  --save-map PREFIX  also write the final occupancy grid as PREFIX.pgm + PREFIX.yaml (map_server)
  --json             one JSON line: {"translational_m","translational_std_m","rotational_deg",
                     "rotational_std_deg","realtime_factor","scans","nodes","loop_closures",
                     "rejected_loop_closures","relations","translational_median_m",
                     "translational_sq_m2","rotational_sq_deg2","log_s","wall_s",
                     "median_scan_ms","p99_scan_ms"}`;

interface Args {
  clf: string;
  relations: string;
  json: boolean;
  scans: number;
  saveMap: string | undefined;
}

function parseArgs(argv: string[]): Args {
  let clf: string | undefined;
  let relations: string | undefined;
  let json = false;
  let scans = Number.POSITIVE_INFINITY;
  let saveMap: string | undefined;
  forEachArg(argv, (a, value) => {
    if (a === '--clf') clf = value();
    else if (a === '--relations') relations = value();
    else if (a === '--json') json = true;
    else if (a === '--save-map') saveMap = value();
    else if (a === '--scans') {
      const text = value();
      const n = Number(text);
      if (!Number.isInteger(n) || n < 2) throw new UsageError(`--scans takes a whole number ≥ 2, got '${text}'`);
      scans = n;
    } else throw new UsageError(`unknown argument '${a}'`);
  });
  if (!clf) throw new UsageError('--clf FILE is required');
  if (!relations) throw new UsageError('--relations FILE is required');
  return { clf, relations, json, scans, saveMap };
}

function readText(path: string, what: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    process.stderr.write(`slam-eval: cannot read ${what} '${path}': ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (err as Error).message}\n`);
    return undefined;
  }
}

/** Value at quantile q of ascending `sorted` (nearest rank). */
function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

const round = (v: number, digits: number): number => Number(v.toFixed(digits));

/** The JSON line's fields (also what the bench reports). */
export function slamEvalLine(run: SlamRun, relations: number, e: RelationErrors): Record<string, number> {
  const sorted = Float64Array.from(run.perScanMs).sort();
  return {
    translational_m: round(e.translational.mean, 5),
    translational_std_m: round(e.translational.std, 5),
    rotational_deg: round(e.rotational.mean, 4),
    rotational_std_deg: round(e.rotational.std, 4),
    realtime_factor: round(run.logSeconds / run.wallSeconds, 2),
    scans: run.scans,
    nodes: run.stats.nodes,
    loop_closures: run.stats.loopClosures,
    rejected_loop_closures: run.stats.rejectedLoopClosures,
    relations,
    translational_median_m: round(e.translational.median, 5),
    translational_sq_m2: round(e.translationalSq.mean, 6),
    rotational_sq_deg2: round(e.rotationalSq.mean, 4),
    log_s: round(run.logSeconds, 2),
    wall_s: round(run.wallSeconds, 2),
    median_scan_ms: round(quantile(sorted, 0.5), 3),
    p99_scan_ms: round(quantile(sorted, 0.99), 3),
  };
}

const command: CliCommand = {
  name: 'slam-eval',
  summary: 'laser SLAM on a CARMEN log, scored against benchmark relations',
  usage: USAGE,
  async run(argv: string[]): Promise<number> {
    const args = parseArgs(argv);
    const clfText = readText(args.clf, 'log');
    if (clfText === undefined) return 1;
    const relText = readText(args.relations, 'relations file');
    if (relText === undefined) return 1;
    let log: CarmenLog;
    let allRelations: Relation[];
    try {
      log = parseCarmenLog(clfText);
    } catch (err) {
      if (err instanceof CarmenLogError) {
        process.stderr.write(`slam-eval: ${args.clf}: ${err.message}\n`);
        return 1;
      }
      throw err;
    }
    if (log.scans.length < 2) {
      process.stderr.write(`slam-eval: ${args.clf}: ${log.scans.length === 0 ? 'no FLASER scans in the log' : 'only one FLASER scan in the log'}\n`);
      return 1;
    }
    try {
      allRelations = parseRelations(relText);
    } catch (err) {
      if (err instanceof RelationsError) {
        process.stderr.write(`slam-eval: ${args.relations}: ${err.message}\n`);
        return 1;
      }
      throw err;
    }
    const count = Math.min(args.scans, log.scans.length);
    // Every relation must name scans of the log (the metric needs a pose at each); with
    // --scans only those inside the window are scored.
    const known = new Set(log.scans.map((s) => s.timeText));
    const unknown = allRelations.find((r) => !known.has(r.t1) || !known.has(r.t2));
    if (unknown) {
      process.stderr.write(`slam-eval: ${args.relations}: line ${unknown.line} names timestamp ${known.has(unknown.t1) ? unknown.t2 : unknown.t1}, which no FLASER line of ${basename(args.clf)} has\n`);
      return 1;
    }
    const relations = count < log.scans.length ? relationsWithin(allRelations, log, count) : allRelations;
    if (relations.length === 0) {
      process.stderr.write(`slam-eval: no relation lies within the first ${count} scans\n`);
      return 1;
    }

    const run = runMapperOnLog(log, {}, count);
    const errors = scoreRun(run, relations);
    const line = slamEvalLine(run, relations.length, errors);
    if (args.saveMap) {
      const { pgm, yaml } = occupancyGridToRosMap(run.mapper.occupancyGrid(), `${basename(args.saveMap)}.pgm`);
      writeFileSync(`${args.saveMap}.pgm`, pgm);
      writeFileSync(`${args.saveMap}.yaml`, yaml);
    }
    if (args.json) {
      process.stdout.write(`${JSON.stringify(line)}\n`);
      return 0;
    }
    const skipped = [...log.skipped].map(([k, n]) => `${n} ${k}`).join(', ');
    process.stdout.write(
      [
        `log            ${basename(args.clf)}: ${run.scans} scans over ${run.logSeconds.toFixed(1)} s${skipped ? ` (skipped: ${skipped})` : ''}, laser mount x ${log.mount.x} m`,
        `graph          ${line.nodes} nodes, ${line.loop_closures} loop closures (${line.rejected_loop_closures} rejected)`,
        `relations      ${relations.length} from ${basename(args.relations)}`,
        `translational  ${errors.translational.mean.toFixed(4)} ± ${errors.translational.std.toFixed(4)} m (median ${errors.translational.median.toFixed(4)} m; squared ${errors.translationalSq.mean.toFixed(5)} ± ${errors.translationalSq.std.toFixed(5)} m²)`,
        `rotational     ${errors.rotational.mean.toFixed(3)} ± ${errors.rotational.std.toFixed(3)} deg (squared ${errors.rotationalSq.mean.toFixed(3)} ± ${errors.rotationalSq.std.toFixed(3)} deg²)`,
        `real time      ${line.realtime_factor}× (wall ${run.wallSeconds.toFixed(1)} s; per scan median ${line.median_scan_ms} ms, p99 ${line.p99_scan_ms} ms)`,
        ...(args.saveMap ? [`map            ${args.saveMap}.pgm + ${args.saveMap}.yaml`] : []),
        '',
      ].join('\n'),
    );
    return 0;
  },
};

export default command;
