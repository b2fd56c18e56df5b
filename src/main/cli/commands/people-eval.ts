/**
 * `foresight people-eval [--seconds S] [--seed N] [--crowd N] [--motion stand|patrol]
 * [--range M] [--json]`: people detection and tracking in the simulator, scored against
 * its ground truth (see src/main/eval/perception-eval.ts).
 */
import { UsageError, type CliCommand } from '../command';
import { runPerceptionEval, type PerceptionEvalResult, type RobotMotion } from '../../eval/perception-eval';

const usage = `Usage: foresight people-eval [--seconds S] [--seed N] [--crowd N] [--motion stand|patrol] [--range M] [--json]

Runs the simulated apartment with a crowd, detects people in every 10 Hz lidar scan
(points the static map does not explain, leg pairs), tracks them, and scores the
confirmed tracks against the simulator's ground truth within --range of the robot:
recall, precision, identity switches and position error (a match is within 0.5 m).
People the lidar cannot see at all in a scan (behind a wall, fully hidden behind
someone) are not counted for that scan. The first simulated second is not scored.
Deterministic for a given seed.

Options:
  --seconds S      simulated duration (default 60)
  --seed N         simulator seed: crowd and lidar noise (default 1)
  --crowd N        people walking between the apartment's rooms (default 6)
  --motion M       stand (at the hallway's west end) or patrol (up and down the hallway at 0.5 m/s; default)
  --range M        scoring radius around the robot, metres (default 4)
  --json           print exactly one JSON line:
                   {"seconds","seed","crowd","motion","range","frames","recall","precision",
                    "id_switches","position_error_m","position_rms_m","detection_recall","detection_precision"}

Targets (issue 4): recall ≥ 0.95 and precision ≥ 0.95 within 4 m, position error ≤ 0.15 m.`;

interface Args {
  seconds: number;
  seed: number;
  crowd: number;
  motion: RobotMotion;
  range: number;
  json: boolean;
}

function numberArg(name: string, value: string | undefined, check: (v: number) => boolean): number {
  if (value === undefined) throw new UsageError(`${name} needs a value`);
  const v = Number(value);
  if (!Number.isFinite(v) || !check(v)) throw new UsageError(`bad value for ${name}: '${value}'`);
  return v;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { seconds: 60, seed: 1, crowd: 6, motion: 'patrol', range: 4, json: false };
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i]!;
    const eq = raw.indexOf('=');
    const flag = raw.startsWith('--') && eq > 0 ? raw.slice(0, eq) : raw;
    const value = () => (raw.startsWith('--') && eq > 0 ? raw.slice(eq + 1) : argv[++i]);
    switch (flag) {
      case '--json':
        args.json = true;
        break;
      case '--seconds':
        args.seconds = numberArg(flag, value(), (v) => v > 0 && v <= 3600);
        break;
      case '--seed':
        args.seed = numberArg(flag, value(), (v) => Number.isInteger(v));
        break;
      case '--crowd':
        args.crowd = numberArg(flag, value(), (v) => Number.isInteger(v) && v >= 0 && v <= 50);
        break;
      case '--range':
        args.range = numberArg(flag, value(), (v) => v > 0);
        break;
      case '--motion': {
        const m = value();
        if (m !== 'stand' && m !== 'patrol') throw new UsageError(`--motion is stand or patrol, not '${m ?? ''}'`);
        args.motion = m;
        break;
      }
      default:
        throw new UsageError(raw.startsWith('-') ? `unknown option '${raw}'` : `unexpected argument '${raw}'`);
    }
  }
  return args;
}

const round = (v: number, digits = 4) => Number(v.toFixed(digits));

/** The JSON line's object, in contract order. */
export function peopleEvalJson(r: PerceptionEvalResult): Record<string, unknown> {
  return {
    seconds: r.durationS,
    seed: r.seed,
    crowd: r.crowdCount,
    motion: r.motion,
    range: r.maxRange,
    frames: r.frames,
    recall: round(r.tracks.recall),
    precision: round(r.tracks.precision),
    id_switches: r.tracks.identitySwitches,
    position_error_m: round(r.tracks.meanPositionError),
    position_rms_m: round(r.tracks.rmsPositionError),
    detection_recall: round(r.detections.recall),
    detection_precision: round(r.detections.precision),
  };
}

const command: CliCommand = {
  name: 'people-eval',
  summary: 'people detection and tracking scored in the simulator',
  usage,
  async run(argv) {
    const args = parseArgs(argv);
    const r = runPerceptionEval({ durationS: args.seconds, seed: args.seed, crowdCount: args.crowd, motion: args.motion, maxRange: args.range });
    if (args.json) {
      process.stdout.write(`${JSON.stringify(peopleEvalJson(r))}\n`);
      return 0;
    }
    const pct = (v: number) => `${(100 * v).toFixed(1)} %`;
    const t = r.tracks;
    const d = r.detections;
    const lines = [
      `people-eval: ${r.durationS} s simulated, seed ${r.seed}, crowd ${r.crowdCount}, robot ${r.motion === 'stand' ? 'standing' : 'patrolling the hallway'}, within ${r.maxRange} m, ${r.frames} scans scored`,
      `  visible person-scans ${r.visiblePersonFrames}, hidden (not counted) ${r.hiddenPersonFrames}`,
      '',
      `  tracks:      recall ${pct(t.recall)}  precision ${pct(t.precision)}  ID switches ${t.identitySwitches}  position error ${t.meanPositionError.toFixed(3)} m (RMS ${t.rmsPositionError.toFixed(3)} m)`,
      `  detections:  recall ${pct(d.recall)}  precision ${pct(d.precision)}  position error ${d.meanPositionError.toFixed(3)} m (per scan, before tracking)`,
      `  (TP ${t.truePositives}, FP ${t.falsePositives}, misses ${t.misses})`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  },
};

export default command;
