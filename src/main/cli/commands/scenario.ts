/**
 * `foresight scenario run FILE... [--json] [--predictor NAME]`: closed-loop scenario runs;
 * `foresight scenario compare FILE... [--json]`: each scenario with the default people
 * predictor and with constant velocity, side by side.
 */
import { parseArgs } from 'node:util';
import { UsageError, type CliCommand } from '../command';
import { loadScenarioFile, type Scenario } from '../../scenario/scenario-file';
import { runScenario } from '../../scenario/run-scenario';
import { compareScenario, formatComparisonTable, type ScenarioComparison } from '../../scenario/people-compare';
import { isPredictorModel } from '../../../planner/predict';
import { RunRecording } from '../../core/run-recording';
import { Recorder, resolveRunsDbPath } from '../../recorder';
import { runScenarioThroughDriver } from '../../scenario/over-driver';
import { cliCatalog, lidarOrUsage, robotOrUsage } from '../profiles';
import { usualSeparateLidar } from '../../../shared/robots';

const usage = `Usage: foresight scenario run FILE... [--json] [--predictor social|cv] [--drift off|typical] [--localization on|off] [--record] [--db FILE]
       foresight scenario run FILE... --robot NAME [--lidar NAME|none] [--json]
       foresight scenario compare FILE... [--json]

run: runs each scenario closed loop (simulator + the full planning stack, screen gaze
included) faster than real time, deterministic for the scenario's seed, and reports
success, collisions, time to goal, path length, minimum clearance (to obstacles and to
people), RMS jerk, number of stops and the gaze lead time before turns larger than 45°.

compare: runs each scenario twice, with the planner's default people predictor (social)
and with constant-velocity prediction in its place, and reports for both: success,
collisions, time to goal, minimum distance to people (footprint to body), RMS jerk,
stops and gaze lead (min / median over turns > 45°). --json prints one line per scenario:
{"scenario", "default_predictor", "runs": {"social": {...}, "cv": {...}}}, each run with
success, outcome, collisions, time_s, min_person_distance_m, rms_jerk, stops,
safety_stops, gaze_turns, gaze_turns_missed, gaze_lead_min_s, gaze_lead_median_s.
Exit status 1 when a file cannot be loaded or a default-predictor run fails, collides or
comes closer to someone than the scenario's expect.minPersonClearanceM.

--robot NAME: runs in REAL TIME through that robot's driver: the simulator speaks the
robot's protocol (its emulator, from the public spec) on a pseudo-terminal and the lidar's
on another, and the live console drives it over serialport with the planner in its worker.
The lidar defaults to the profile's (for the reference robot: its built-in one). Time
limits scale with how much slower than 1 m/s the robot is. JSON lines add robot, lidar,
time_limit_s, final_error_m and link {frame_rate_hz, bad_frames, reconnects}.

  --json            one JSON line per scenario on stdout, nothing else there
  --predictor NAME  run: people predictor, social (default) or cv (constant velocity)
  --drift off|typical  run: odometry drift and lidar faults for every file (default: each
                    file's own "drift", off unless it says): typical is the robot's own
                    odometry error and typical lidar dropouts, odometry from (0, 0, 0)
  --localization on|off  run: the console's particle filter on the map (default off: the
                    map pose is odometry placed at the start). JSON lines add
                    pose_error_rms_m, pose_error_max_m, heading_error_rms_deg,
                    heading_error_max_deg (the console's pose against the truth) and
                    localization_lost
  --record          run: record the run to the run database like a live one
  --db FILE         run database (default: the app's data folder)`;

const scenario: CliCommand = {
  name: 'scenario',
  summary: 'scenario run|compare FILE... [--json]',
  usage,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: 'boolean' }, predictor: { type: 'string' }, record: { type: 'boolean' }, db: { type: 'string' },
        robot: { type: 'string' }, lidar: { type: 'string' }, drift: { type: 'string' }, localization: { type: 'string' },
      },
    });
    const [verb, ...files] = positionals;
    if (verb !== 'run' && verb !== 'compare') throw new UsageError(verb ? `unknown verb '${verb}'` : 'missing verb: run or compare');
    if (files.length === 0) throw new UsageError('name at least one scenario file');
    if (verb === 'compare') {
      if (values.predictor !== undefined) throw new UsageError('compare runs both predictors; --predictor is for run');
      return compare(files, values.json === true);
    }
    if (values.robot !== undefined) {
      if (values.record || values.predictor !== undefined) throw new UsageError('--robot runs in real time through the driver; --record and --predictor are for virtual-time runs');
      return throughDriver(files, values.robot, values.lidar, values.json === true);
    }
    if (values.lidar !== undefined) throw new UsageError('--lidar goes with --robot NAME');
    if (values.drift !== undefined && values.drift !== 'off' && values.drift !== 'typical') throw new UsageError(`--drift wants off or typical, got '${values.drift}'`);
    if (values.localization !== undefined && values.localization !== 'on' && values.localization !== 'off') throw new UsageError(`--localization wants on or off, got '${values.localization}'`);
    const drift = values.drift as 'off' | 'typical' | undefined;
    const localization = values.localization === 'on';
    const predictor = values.predictor ?? 'social';
    if (!isPredictorModel(predictor)) throw new UsageError(`unknown predictor '${predictor}'`);
    // --record: every run goes into the run database like a live session.
    const recorder = values.record ? Recorder.open(resolveRunsDbPath(values.db)) : null;
    let failures = 0;
    const unreadable = { count: 0 };
    for await (const scenario of loadEach(files, unreadable)) {
      // Recorded by the console's own recording, as a live session is, dated from now (the
      // loop itself runs on sim time from 0: the same run whether recorded or not).
      const recording = recorder ? new RunRecording(recorder, Date.now() / 1000) : undefined;
      // Named after the scenario and how it ran, so `runs list` and Review tell the runs apart.
      if (recording) recording.runName = scenarioRunName(scenario.name, drift, localization);
      const r = await runScenario(scenario, {
        predictor,
        recording,
        drift,
        localization,
      });
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
        process.stdout.write(
          `${JSON.stringify({
            ...line,
            min_person_clearance_m: finiteOrNull(r.min_person_clearance_m, 3),
            safety_stops: r.safety_stops,
            replans: r.replans,
            outcome: r.outcome,
            gaze_turns: r.gaze_turns,
            gaze_turns_missed: r.gaze_turns_missed,
            gaze_lead_min_s: r.gaze_lead_min_s === null ? null : round(r.gaze_lead_min_s, 2),
            gaze_lead_median_s: r.gaze_lead_median_s === null ? null : round(r.gaze_lead_median_s, 2),
            pose_error_rms_m: round(r.pose_error_rms_m, 4),
            pose_error_max_m: round(r.pose_error_max_m, 4),
            heading_error_rms_deg: round(r.heading_error_rms_deg, 3),
            heading_error_max_deg: round(r.heading_error_max_deg, 3),
            localization_lost: r.localization_lost,
          })}\n`,
        );
      } else {
        process.stdout.write(
          `${r.scenario}: ${r.success ? 'reached' : `FAILED (${r.outcome}${r.message ? `: ${r.message}` : ''})`} in ${line.time_s} s, ` +
            `${line.path_length_m} m, collisions ${r.collisions}, min clearance ${line.min_clearance_m} m` +
            `${Number.isFinite(r.min_person_clearance_m) ? `, min person clearance ${round(r.min_person_clearance_m, 3)} m` : ''}, ` +
            `RMS jerk ${line.rms_jerk} m/s³, stops ${r.stops}, safety stops ${r.safety_stops}, replans ${r.replans}, ${r.candidates_per_cycle} candidates/cycle, ` +
            `gaze lead ${r.gaze_turns === 0 ? 'n/a (no turns > 45°)' : `min ${leadText(r.gaze_lead_min_s)} / median ${leadText(r.gaze_lead_median_s)} over ${r.gaze_turns} turns${r.gaze_turns_missed > 0 ? ` (${r.gaze_turns_missed} not led)` : ''}`}\n`,
        );
      }
      if (!r.success || r.collisions > 0) failures++;
    }
    if (recorder) {
      await recorder.close();
      if (!values.json) process.stdout.write(`recorded to ${resolveRunsDbPath(values.db)}\n`);
    }
    return failures + unreadable.count > 0 ? 1 : 0;
  },
};

/** Each scenario file that loads, in turn; one that does not is said on stderr and counted. */
async function* loadEach(files: readonly string[], unreadable: { count: number }): AsyncGenerator<Scenario> {
  for (const file of files) {
    const loaded = await loadScenarioFile(file);
    if (loaded.ok) {
      yield loaded.scenario;
    } else {
      process.stderr.write(`foresight scenario: ${loaded.message}\n`);
      unreadable.count++;
    }
  }
}

/** Real-time runs through a robot's driver over pseudo-terminals. */
async function throughDriver(files: readonly string[], robotName: string, lidarName: string | undefined, json: boolean): Promise<number> {
  const catalog = cliCatalog();
  const robot = robotOrUsage(catalog, robotName);
  const lidar = lidarOrUsage(catalog, lidarName ?? usualSeparateLidar(robot) ?? 'none');
  let failures = 0;
  const unreadable = { count: 0 };
  for await (const scenario of loadEach(files, unreadable)) {
    const r = await runScenarioThroughDriver(scenario, { robot, lidar });
    if (json) {
      process.stdout.write(`${JSON.stringify({
        scenario: r.scenario, robot: r.robot, lidar: r.lidar, success: r.success, outcome: r.outcome, message: r.message,
        collisions: r.collisions, time_s: round(r.time_s, 2), time_limit_s: round(r.time_limit_s, 1), path_length_m: round(r.path_length_m, 2),
        final_error_m: round(r.final_error_m, 3), min_clearance_m: round(r.min_clearance_m, 3), min_person_clearance_m: finiteOrNull(r.min_person_clearance_m, 3),
        rms_jerk: round(r.rms_jerk, 3), stops: r.stops, link: { ...r.link, frame_rate_hz: round(r.link.frame_rate_hz, 1) },
      })}\n`);
    } else {
      process.stdout.write(
        `${r.scenario} (${robot.title}${lidar ? ` + ${lidar.title}` : ''}): ${r.success ? 'reached' : `FAILED (${r.outcome}${r.message ? `: ${r.message}` : ''})`} in ${round(r.time_s, 2)} s ` +
          `(limit ${round(r.time_limit_s, 1)} s), ${round(r.path_length_m, 2)} m, collisions ${r.collisions}, final error ${round(r.final_error_m, 3)} m, ` +
          `min clearance ${round(r.min_clearance_m, 3)} m, stops ${r.stops}, link ${round(r.link.frame_rate_hz, 1)} msg/s, ${r.link.bad_frames} bad frames\n`,
      );
    }
    if (!r.success || r.collisions > 0) failures++;
  }
  return failures + unreadable.count > 0 ? 1 : 0;
}

/** The compare verb: both predictors per scenario; a table, or one JSON line per scenario. */
async function compare(files: readonly string[], json: boolean): Promise<number> {
  let failures = 0;
  const rows: ScenarioComparison[] = [];
  const unreadable = { count: 0 };
  for await (const scenario of loadEach(files, unreadable)) {
    const c = await compareScenario(scenario);
    const main = c.runs[c.default_predictor];
    const bound = scenario.expect.minPersonClearanceM;
    const tooClose = bound !== undefined && main.min_person_distance_m !== null && main.min_person_distance_m < bound;
    if (!main.success || main.collisions > 0 || tooClose) failures++;
    if (json) process.stdout.write(`${JSON.stringify(c)}\n`);
    else rows.push(c);
  }
  if (!json && rows.length > 0) process.stdout.write(formatComparisonTable(rows));
  return failures + unreadable.count > 0 ? 1 : 0;
}

function leadText(x: number | null): string {
  return x === null ? '—' : `${round(x, 2)} s`;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function finiteOrNull(x: number, digits: number): number | null {
  return Number.isFinite(x) ? round(x, digits) : null;
}

export default scenario;

/** A recorded scenario run's name: the scenario, and its drift and localization when they are on. */
export function scenarioRunName(scenario: string, drift: 'off' | 'typical' | undefined, localization: boolean): string {
  const how = [drift === 'typical' ? 'drift typical' : null, localization ? 'localization on' : null].filter((x) => x !== null);
  return how.length > 0 ? `${scenario} (${how.join(', ')})` : scenario;
}
