/**
 * `foresight barn --world N | --all [--data DIR] [--json] [--jobs N]`: BARN benchmark worlds
 * closed loop (simulator with the exact cylinders, the full stack mapping them from its
 * lidar), scored with the official metric.
 */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { forEachArg, UsageError, type CliCommand } from '../command';
import { BarnDataError, loadBarnWorlds, loadReference, type BarnReference, type BarnWorld } from '../../barn/data';
import { runBarnWorld, type BarnRunResult } from '../../barn/run-world';
import { describe, summarize, worldLine, type BarnWorldLine } from '../../barn/summary';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const BIN = resolve(ROOT, 'bin/foresight.mjs');
/** Default data folder: `../shared/data/barn` next to the project root. */
export const DEFAULT_BARN_DATA = resolve(ROOT, '../shared/data/barn');

const USAGE = `Usage: foresight barn (--world N[,N…] | --all) [--data DIR] [--json] [--jobs N]

Runs BARN worlds closed loop: the simulator holds the world's exact cylinders, the
planner starts from an empty map and builds it from its lidar. A run succeeds when the
robot gets within 1 m of the goal without a collision in under 100 s; its official
score is success × OT / clip(AT, 2·OT, 8·OT) with OT from the reference path at 2 m/s.

  --world N     run world N (a comma-separated list runs several)
  --all         run every world in DIR/cylinders.csv and print a summary
  --data DIR    folder laid out like shared/data/barn (default ${DEFAULT_BARN_DATA})
  --json        JSON lines only on stdout: {"world","success","collided","time_s","score"}
                per world; with --all a last line {"worlds","success_rate","collision_rate","mean_score"}
  --jobs N      worlds run in N child processes at once (default: the CPU count, at most 2)`;

interface Args {
  worlds: number[] | 'all';
  data: string;
  json: boolean;
  jobs: number;
}

function parseArgs(argv: string[]): Args {
  let worlds: number[] | 'all' | undefined;
  let data = DEFAULT_BARN_DATA;
  let json = false;
  let jobs = Math.max(1, Math.min(2, availableParallelism()));
  forEachArg(argv, (a, value) => {
    if (a === '--world') {
      if (worlds === 'all') throw new UsageError('give --world or --all, not both');
      const text = value();
      const list = text.split(',').map((s) => Number(s.trim()));
      if (list.some((n) => !Number.isInteger(n) || n < 0)) throw new UsageError(`--world takes world numbers, got '${text}'`);
      worlds = [...(worlds ?? []), ...list];
    } else if (a === '--all') {
      if (Array.isArray(worlds)) throw new UsageError('give --world or --all, not both');
      worlds = 'all';
    } else if (a === '--data') data = resolve(value());
    else if (a === '--json') json = true;
    else if (a === '--jobs') {
      const text = value();
      const n = Number(text);
      if (!Number.isInteger(n) || n < 1) throw new UsageError(`--jobs takes a positive whole number, got '${text}'`);
      jobs = n;
    } else throw new UsageError(`unknown argument '${a}'`);
  });
  if (worlds === undefined) throw new UsageError('name a world with --world N, or --all');
  return { worlds, data, json, jobs };
}

interface Job {
  world: BarnWorld;
  reference: BarnReference;
}

/** Loads everything the runs need up front, so broken data fails before any run. */
function prepare(args: Args): Job[] {
  const all = loadBarnWorlds(args.data);
  const byIndex = new Map(all.map((w) => [w.index, w]));
  const chosen =
    args.worlds === 'all'
      ? all
      : args.worlds.map((n) => {
          const w = byIndex.get(n);
          if (!w) throw new BarnDataError(resolve(args.data, 'cylinders.csv'), `has no world ${n} (worlds ${all[0]!.index}…${all[all.length - 1]!.index}, ${all.length} in all)`);
          return w;
        });
  return chosen.map((world) => ({ world, reference: loadReference(args.data, world.index) }));
}

/**
 * Runs the worlds in `jobs` child processes (each a `foresight barn --world a,b,… --json
 * --jobs 1`), worlds dealt round-robin; calls `onLine` with each world's line as it arrives.
 */
function runInChildren(jobsList: Job[], args: Args, onLine: (line: BarnWorldLine) => void): Promise<void> {
  const shards: number[][] = Array.from({ length: args.jobs }, () => []);
  jobsList.forEach((j, i) => shards[i % args.jobs]!.push(j.world.index));
  return Promise.all(
    shards
      .filter((s) => s.length > 0)
      .map(
        (shard) =>
          new Promise<void>((resolveShard, rejectShard) => {
            const child = spawn(process.execPath, [BIN, 'barn', '--world', shard.join(','), '--data', args.data, '--json', '--jobs', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
            let pending = '';
            let errText = '';
            child.stdout.setEncoding('utf8');
            child.stdout.on('data', (chunk: string) => {
              pending += chunk;
              let nl: number;
              while ((nl = pending.indexOf('\n')) >= 0) {
                const text = pending.slice(0, nl).trim();
                pending = pending.slice(nl + 1);
                if (text !== '') onLine(JSON.parse(text) as BarnWorldLine);
              }
            });
            child.stderr.setEncoding('utf8');
            child.stderr.on('data', (chunk: string) => (errText += chunk));
            child.on('error', rejectShard);
            child.on('close', (code) => {
              if (code === 0) resolveShard();
              else rejectShard(new Error(`a worker running worlds ${shard.join(',')} exited with code ${code}${errText ? `: ${errText.trim()}` : ''}`));
            });
          }),
      ),
  ).then(() => undefined);
}

const command: CliCommand = {
  name: 'barn',
  summary: 'BARN benchmark worlds',
  usage: USAGE,
  async run(argv: string[]): Promise<number> {
    const args = parseArgs(argv);
    let jobsList: Job[];
    try {
      jobsList = prepare(args);
    } catch (err) {
      if (err instanceof BarnDataError) {
        process.stderr.write(`foresight barn: ${err.message}\n`);
        return 1;
      }
      throw err;
    }
    const lines: BarnWorldLine[] = [];
    const print = (line: BarnWorldLine, full?: BarnRunResult): void => {
      lines.push(line);
      if (args.json) process.stdout.write(`${JSON.stringify(line)}\n`);
      else process.stdout.write(`${full ? describe(full) : `world ${line.world}: ${line.success ? 'success' : line.collided ? 'COLLIDED' : 'FAILED'}, time ${line.time_s} s, score ${line.score}, collided ${line.collided}`}\n`);
    };
    const started = performance.now();
    if (args.jobs > 1 && jobsList.length > 1) {
      await runInChildren(jobsList, args, (line) => print(line));
    } else {
      for (const job of jobsList) {
        const r = await runBarnWorld(job.world, job.reference);
        print(worldLine(r), r);
      }
    }
    if (args.worlds === 'all' || jobsList.length > 1) {
      const summary = summarize(lines);
      if (args.json) {
        if (args.worlds === 'all') process.stdout.write(`${JSON.stringify(summary)}\n`);
      } else {
        const wall = (performance.now() - started) / 1000;
        process.stdout.write(
          `${summary.worlds} worlds: success ${(100 * summary.success_rate).toFixed(1)} %, collisions ${(100 * summary.collision_rate).toFixed(1)} %, mean score ${summary.mean_score.toFixed(4)} (${wall.toFixed(0)} s)\n`,
        );
      }
    }
    return 0;
  },
};

export default command;
