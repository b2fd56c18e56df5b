/**
 * `foresight runs`: recorded runs on the command line.
 *
 *   runs list [--json] [--db FILE]
 *   runs export ID --mcap FILE [--map NAME|FILE] [--no-candidates] [--db FILE]
 *   runs incidents ID [--json] [--db FILE]
 *
 * Output contract (scripts depend on it): `list --json` prints one JSON object per line,
 * `{"id","started_at","duration_s","outcome","incidents","name"}` (started_at in seconds since the
 * Unix epoch, host clock; outcome "recording" for a run still being recorded), and nothing
 * else on stdout. `incidents --json` prints one Incident (src/shared/incidents.ts) per line,
 * in time order. Errors go to stderr with a non-zero exit code.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { forEachArg, UsageError, type CliCommand } from '../command';
import { PROJECT_ROOT } from '../profiles';
import { RunStore } from '../../recorder/run-store';
import { exportRunToMcap } from '../../recorder/mcap-export';
import { resolveRunMaps, type MapSource } from '../../recorder/run-maps';
import { loadRosMapFile } from '../../core/map-file';
import { MapLibrary } from '../../localization/maps';
import { explainRun, formatIncident } from '../../incidents';
import { resolveRunsDbPath } from '../../recorder/paths';
import { NoSuchRunError, RunDatabaseError } from '../../recorder/errors';
import type { RunSummary } from '../../../shared/recording';

const USAGE = `Usage:
  foresight runs list [--json] [--db FILE]
  foresight runs export ID --mcap FILE [--map NAME|FILE] [--no-candidates] [--db FILE]
  foresight runs incidents ID [--json] [--db FILE]

  list      recorded runs, newest first. --json: one line per run,
            {"id","started_at","duration_s","outcome","incidents","name"} (started_at: s since the Unix epoch)
  export    write run ID as an MCAP file (Foxglove schemas, zstd-compressed chunks; opens in
            Foxglove or Lichtblick). --map NAME|FILE: the map the run was driven on (a saved or
            built-in map's name, or a map_server YAML), published on /map from the run's start;
            the run log does not hold it. Maps loaded or saved during the run follow at their
            times. --no-candidates leaves out the planner's candidate samples
  incidents the run's incidents (interventions, safety stops, near misses, no progress, link
            losses), each with the earliest stage that failed and its evidence; stores their
            count in the run list. --json: one line per incident

  --db FILE the run database (default: $FORESIGHT_DB, else the app's data folder,
            e.g. ~/.local/share/foresight/runs.sqlite)`;

interface Parsed {
  positional: string[];
  json: boolean;
  db: string | undefined;
  mcap: string | undefined;
  map: string | undefined;
  candidates: boolean;
}

function parse(argv: string[]): Parsed {
  const out: Parsed = { positional: [], json: false, db: undefined, mcap: undefined, map: undefined, candidates: true };
  forEachArg(argv, (a, value) => {
    if (a === '--json') out.json = true;
    else if (a === '--db') out.db = value();
    else if (a.startsWith('--db=')) out.db = a.slice(5);
    else if (a === '--no-candidates') out.candidates = false;
    else if (a === '--mcap') out.mcap = value();
    else if (a.startsWith('--mcap=')) out.mcap = a.slice(7);
    else if (a === '--map') out.map = value();
    else if (a.startsWith('--map=')) out.map = a.slice(6);
    else if (a.startsWith('--')) throw new UsageError(`unknown option ${a}`);
    else out.positional.push(a);
  });
  return out;
}

function formatDuration(s: number): string {
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = Math.floor(s % 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(sec).padStart(2, '0')}s`;
}

function table(runs: RunSummary[]): string {
  const rows = runs.map((r) => [
    String(r.id),
    new Date(r.startedAt * 1000).toISOString().replace('T', ' ').slice(0, 19),
    formatDuration(r.durationS),
    r.robotName,
    `${r.distanceM.toFixed(1)} m`,
    r.outcome ?? 'recording',
    String(r.incidents),
    [r.name, r.tags.length > 0 ? `[${r.tags.join(', ')}]` : ''].filter(Boolean).join(' '),
  ]);
  const header = ['ID', 'STARTED (UTC)', 'DURATION', 'ROBOT', 'DISTANCE', 'OUTCOME', 'INCIDENTS', 'NAME'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

/** Prints a plain error and returns the exit code for it. */
function fail(message: string): number {
  process.stderr.write(`foresight runs: ${message}\n`);
  return 1;
}

/** The one run ID a verb takes, checked. */
function runIdArg(verb: string, rest: string[]): number {
  if (rest.length !== 1) throw new UsageError(`${verb} needs exactly one run ID`);
  if (!/^\d+$/.test(rest[0]!)) throw new UsageError(`run ID must be a positive integer (got ${rest[0]})`);
  return Number(rest[0]);
}

/** Maps by name (the user's saved maps, then the built-in ones) or by map_server YAML path. */
function mapSource(): MapSource {
  const library = new MapLibrary(join(PROJECT_ROOT, 'resources', 'maps'));
  return {
    byName: async (name) => {
      const loaded = await library.load(name);
      return loaded.ok ? loaded.grid : loaded.message;
    },
    byFile: async (path) => {
      const loaded = await loadRosMapFile(path);
      return loaded.ok ? loaded.map.grid : loaded.message;
    },
  };
}

/** Opens an existing run database read-write; a damaged or foreign one is a clear failure (exit code). */
function openExisting(path: string): RunStore | number {
  try {
    return RunStore.open(path, { create: false });
  } catch (err) {
    if (err instanceof RunDatabaseError) return fail(err.message);
    throw err;
  }
}

async function run(argv: string[]): Promise<number> {
  const args = parse(argv);
  const [sub, ...rest] = args.positional;
  const path = resolveRunsDbPath(args.db);
  if (sub === 'list') {
    if (rest.length > 0) throw new UsageError(`list takes no arguments (got ${rest.join(' ')})`);
    // No database yet at the default place just means nothing was recorded; an explicit
    // --db that does not exist is a mistake worth saying.
    if (!args.db && !existsSync(path)) {
      if (!args.json) process.stdout.write(`no runs recorded yet (${path})\n`);
      return 0;
    }
    const store = openExisting(path);
    if (typeof store === 'number') return store;
    try {
      const runs = store.listRuns();
      if (args.json) {
        for (const r of runs) {
          process.stdout.write(`${JSON.stringify({ id: r.id, started_at: r.startedAt, duration_s: Math.round(r.durationS * 1000) / 1000, outcome: r.outcome ?? 'recording', incidents: r.incidents, name: r.name })}\n`);
        }
      } else {
        process.stdout.write(runs.length > 0 ? `${table(runs)}\n` : `no runs recorded yet (${path})\n`);
      }
      return 0;
    } finally {
      store.close();
    }
  }
  if (sub === 'export') {
    const id = runIdArg('export', rest);
    if (!args.mcap) throw new UsageError('export needs --mcap FILE');
    const store = openExisting(path);
    if (typeof store === 'number') return store;
    try {
      const resolved = await resolveRunMaps(store, id, mapSource(), args.map);
      if (resolved.initialProblem !== null) return fail(`--map ${args.map}: ${resolved.initialProblem}`);
      for (const p of resolved.problems) process.stderr.write(`foresight runs: ${p}\n`);
      const res = await exportRunToMcap(store, id, args.mcap, { candidates: args.candidates, maps: resolved.maps });
      const topics = Object.values(res.messageCounts).filter((n) => n > 0).length;
      process.stdout.write(`wrote ${res.path}: run ${id}, ${res.messageCount} messages on ${topics} topics\n`);
      return 0;
    } catch (err) {
      if (err instanceof NoSuchRunError) return fail(`${err.message} in ${path}`);
      const e = err as NodeJS.ErrnoException;
      if (e.code && e.path !== undefined) return fail(`cannot write ${args.mcap}: ${e.message}`);
      throw err;
    } finally {
      store.close();
    }
  }
  if (sub === 'incidents') {
    const id = runIdArg('incidents', rest);
    const store = openExisting(path);
    if (typeof store === 'number') return store;
    try {
      const run = store.getRun(id);
      const incidents = explainRun(store, id);
      if (args.json) {
        for (const inc of incidents) process.stdout.write(`${JSON.stringify(inc)}\n`);
      } else {
        const where = run.name ? ` (${run.name})` : '';
        process.stdout.write(`run ${id}${where}: ${incidents.length} incident${incidents.length === 1 ? '' : 's'}${run.outcome === null ? ' so far (still recording)' : ''}\n`);
        for (const inc of incidents) process.stdout.write(`${formatIncident(inc, run.startedAt)}\n`);
      }
      return 0;
    } catch (err) {
      if (err instanceof NoSuchRunError) return fail(`${err.message} in ${path}`);
      throw err;
    } finally {
      store.close();
    }
  }
  throw new UsageError(sub === undefined ? 'missing sub-command (list, export or incidents)' : `unknown sub-command '${sub}'`);
}

const runs: CliCommand = {
  name: 'runs',
  summary: 'runs list [--json] | runs export ID --mcap FILE [--map NAME|FILE] | runs incidents ID [--json] [--db FILE]: recorded runs',
  usage: USAGE,
  run,
};
export default runs;
