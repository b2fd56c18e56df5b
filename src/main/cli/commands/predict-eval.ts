/**
 * `foresight predict-eval FILE... [--model NAME] [--json]`: the people predictor on
 * ETH/UCY files under the standard protocol (observe 8 × 0.4 s, predict 12).
 */
import { performance } from 'node:perf_hooks';
import { UsageError, type CliCommand } from '../command';
import { expandDataPaths, loadWindows } from '../../eval/eth-ucy-files';
import { evaluatePredictor, type PredictionScore } from '../../eval/prediction-metrics';
import { ETH_UCY_STEP_SECONDS, STANDARD_PROTOCOL } from '../../eval/eth-ucy';
import { createPredictor, DEFAULT_PREDICTOR_MODEL, isPredictorModel, PREDICTOR_MODELS } from '../../../planner/predict/index';

const BEST_OF = 20;

const usage = `Usage: foresight predict-eval FILE|DIR... [--model NAME] [--json]

Runs a people predictor on ETH/UCY trajectory files (lines 'frame ped_id x y', metres;
folders are searched for *.txt) under the standard protocol: windows of 20 consecutive
annotated frames at every start frame, 8 observed (3.2 s) and 12 predicted (4.8 s) at
0.4 s; a pedestrian counts only if present in all 20 frames, a window only if at least
2 count.

Prints deterministic ADE/FDE (most likely future), best-of-${BEST_OF} minADE/minFDE, window
and agent counts, and the predictor's steady-state time per agent (median of 3 timed passes over all
windows after the scored pass).

Options:
  --model NAME   ${PREDICTOR_MODELS.join(' | ')} (default ${DEFAULT_PREDICTOR_MODEL}; cv = repeat the last displacement)
  --json         print exactly one JSON line:
                 {"files","windows","agents","ade","fde","min_ade_20","min_fde_20","ms_per_agent"}

Example: foresight predict-eval ../shared/data/eth_ucy/eth/ --model cv`;

interface Args {
  files: string[];
  model: string;
  json: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { files: [], model: DEFAULT_PREDICTOR_MODEL, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') args.json = true;
    else if (a === '--model') {
      const v = argv[++i];
      if (v === undefined) throw new UsageError('--model needs a name');
      args.model = v;
    } else if (a.startsWith('--model=')) args.model = a.slice('--model='.length);
    else if (a.startsWith('-')) throw new UsageError(`unknown option '${a}'`);
    else args.files.push(a);
  }
  if (args.files.length === 0) throw new UsageError('give at least one ETH/UCY file or folder');
  if (!isPredictorModel(args.model)) throw new UsageError(`unknown model '${args.model}' (known: ${PREDICTOR_MODELS.join(', ')})`);
  return args;
}

const round = (v: number, digits = 4) => Number(v.toFixed(digits));

const command: CliCommand = {
  name: 'predict-eval',
  summary: 'ETH/UCY prediction metrics',
  usage,
  async run(argv) {
    const args = parseArgs(argv);
    const files = expandDataPaths(args.files);
    if (!isPredictorModel(args.model)) throw new UsageError(`unknown model '${args.model}'`);
    // The protocol's step and horizon; ask for as many futures as the best-of-N count so
    // multi-future models are scored on their own futures.
    const predictor = createPredictor({
      model: args.model,
      dt: ETH_UCY_STEP_SECONDS,
      horizon: STANDARD_PROTOCOL.predict * ETH_UCY_STEP_SECONDS,
      futureCount: BEST_OF,
    });
    const perFile: { file: string; score: PredictionScore }[] = [];
    for (const file of files) {
      const windows = loadWindows(file);
      perFile.push({ file, score: evaluatePredictor(windows, predictor, { samples: BEST_OF, clock: () => performance.now() }) });
    }
    const total = combine(perFile.map((p) => p.score));
    if (args.json) {
      process.stdout.write(
        `${JSON.stringify({
          files,
          windows: total.windows,
          agents: total.agents,
          ade: round(total.ade),
          fde: round(total.fde),
          min_ade_20: round(total.minAde),
          min_fde_20: round(total.minFde),
          ms_per_agent: round(total.agents > 0 ? total.predictMs / total.agents : 0, 6),
        })}\n`,
      );
      return 0;
    }
    const lines = [
      `predict-eval: model '${predictor.name}', observe ${STANDARD_PROTOCOL.observe} / predict ${STANDARD_PROTOCOL.predict} steps of ${ETH_UCY_STEP_SECONDS} s`,
      bestOfNote(predictor.futureCount, predictor.name),
      '',
      `${'file'.padEnd(40)} ${'windows'.padStart(7)} ${'agents'.padStart(6)}    ADE    FDE  minADE minFDE  ms/agent`,
      ...perFile.map((p) => row(p.file, p.score)),
    ];
    if (perFile.length > 1) lines.push(row('all', total));
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  },
};

function bestOfNote(futureCount: number, name: string): string {
  return futureCount >= BEST_OF
    ? `best-of-${BEST_OF}: minimum over the ${BEST_OF} most probable of the model's own futures per person (model '${name}' gives ${futureCount})`
    : `best-of-${BEST_OF}: model '${name}' gives ${futureCount} future(s) per person, so ${BEST_OF} samples are drawn from its mixture (future picked by probability, then shifted by z·σ(t) with one 2-D standard normal z per sample; seeded, deterministic)`;
}

function row(label: string, s: PredictionScore): string {
  const f = (v: number) => v.toFixed(3).padStart(6);
  const ms = s.agents > 0 ? s.predictMs / s.agents : 0;
  const name = label.length > 40 ? `…${label.slice(-39)}` : label;
  return `${name.padEnd(40)} ${String(s.windows).padStart(7)} ${String(s.agents).padStart(6)} ${f(s.ade)} ${f(s.fde)} ${f(s.minAde)} ${f(s.minFde)}  ${ms.toFixed(4)}`;
}

/** Pools per-file scores: errors averaged over all (pedestrian, window) pairs. */
function combine(scores: PredictionScore[]): PredictionScore {
  const agents = scores.reduce((s, x) => s + x.agents, 0);
  const mean = (key: 'ade' | 'fde' | 'minAde' | 'minFde') => (agents > 0 ? scores.reduce((s, x) => s + x[key] * x.agents, 0) / agents : 0);
  return {
    windows: scores.reduce((s, x) => s + x.windows, 0),
    agents,
    ade: mean('ade'),
    fde: mean('fde'),
    minAde: mean('minAde'),
    minFde: mean('minFde'),
    samples: BEST_OF,
    bestOfMethod: scores[0]?.bestOfMethod ?? 'sampled',
    predictMs: scores.reduce((s, x) => s + x.predictMs, 0),
  };
}

export default command;
