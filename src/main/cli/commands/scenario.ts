/** `foresight scenario run FILE [--json] [--record] [--predictor NAME]`: one closed-loop scenario run. */
import { parseArgs } from 'node:util';
import { UsageError, type CliCommand } from '../command';
import { loadScenarioFile } from '../../scenario/scenario-file';
import { runScenario } from '../../scenario/run-scenario';
import { isPredictorModel } from '../../../planner/predict';

const usage = `Usage: foresight scenario run FILE... [--json] [--predictor social|cv] [--record] [--db FILE]

Runs each scenario closed loop (simulator + the full planning stack) faster than real
time, deterministic for the scenario's seed, and reports success, collisions, time to
goal, path length, minimum clearance, RMS jerk and number of stops.

  --json            one JSON line per scenario on stdout, nothing else there
  --predictor NAME  people predictor: social (default) or cv (constant velocity)
  --record          record the run to the run database like a live one
  --db FILE         run database (default: the app's data folder)`;

const scenario: CliCommand = {
  name: 'scenario',
  summary: 'scenario run FILE [--json] [--record]',
  usage,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { json: { type: 'boolean' }, predictor: { type: 'string' }, record: { type: 'boolean' }, db: { type: 'string' } },
    });
    const [verb, ...files] = positionals;
    if (verb !== 'run') throw new UsageError(verb ? `unknown verb '${verb}'` : 'missing verb: run');
    if (files.length === 0) throw new UsageError('name at least one scenario file');
    const predictor = values.predictor ?? 'social';
    if (!isPredictorModel(predictor)) throw new UsageError(`unknown predictor '${predictor}'`);
    let failures = 0;
    for (const file of files) {
      const loaded = await loadScenarioFile(file);
      if (!loaded.ok) {
        process.stderr.write(`foresight scenario: ${loaded.message}\n`);
        failures++;
        continue;
      }
      const r = runScenario(loaded.scenario, { predictor });
      const line = {
        scenario: r.scenario,
        success: r.success,
        collisions: r.collisions,
        time_s: round(r.time_s, 2),
        path_length_m: round(r.path_length_m, 2),
        min_clearance_m: round(r.min_clearance_m, 3),
        rms_jerk: round(r.rms_jerk, 3),
        stops: r.stops,
      };
      if (values.json) {
        process.stdout.write(`${JSON.stringify({ ...line, min_person_clearance_m: finiteOrNull(r.min_person_clearance_m, 3), safety_stops: r.safety_stops, replans: r.replans, outcome: r.outcome })}\n`);
      } else {
        process.stdout.write(
          `${r.scenario}: ${r.success ? 'reached' : `FAILED (${r.outcome}${r.message ? `: ${r.message}` : ''})`} in ${line.time_s} s, ` +
            `${line.path_length_m} m, collisions ${r.collisions}, min clearance ${line.min_clearance_m} m` +
            `${Number.isFinite(r.min_person_clearance_m) ? `, min person clearance ${round(r.min_person_clearance_m, 3)} m` : ''}, ` +
            `RMS jerk ${line.rms_jerk} m/s³, stops ${r.stops}, safety stops ${r.safety_stops}, replans ${r.replans}, ${r.candidates_per_cycle} candidates/cycle\n`,
        );
      }
      if (!r.success || r.collisions > 0) failures++;
    }
    return failures > 0 ? 1 : 0;
  },
};

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function finiteOrNull(x: number, digits: number): number | null {
  return Number.isFinite(x) ? round(x, digits) : null;
}

export default scenario;
