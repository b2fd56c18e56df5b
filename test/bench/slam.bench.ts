/**
 * 2D laser SLAM on the Freiburg relation benchmark (Kümmerle et al. 2009), in one run.
 *
 *   node --import tsx test/bench/slam.bench.ts [--data DIR] [--only NAME]
 *   (or `npm run bench -- slam`)
 *
 * For every dataset present under DIR/slam/NAME/{NAME.clf, NAME.relations} (intel, fr079;
 * any other folder laid out the same way is run too): the mapper — same code and
 * parameters as the console and `foresight slam-eval` — runs over the whole log as fast as
 * it can in this process, then the final optimised robot trajectory is scored at the
 * relation timestamps. Reported: translational error (m) and rotational error (deg), mean ±
 * std (the paper's figures) and medians; per-scan update time median and p99 (ms, loop
 * closure and optimisation included where they happen); real-time factor = log duration /
 * wall time. Targets: the published graph-mapping figures (intel 0.031 m, fr079 0.056 m)
 * and Cartographer's (0.023 / 0.045 m); real time ≥ 10×.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCarmenLog } from '../../src/main/eval/slam/carmen-log';
import { parseRelations } from '../../src/main/eval/slam/relations';
import { runMapperOnLog, scoreRun } from '../../src/main/eval/slam/run-log';
import { argValue, dataDir } from './args';

const only = argValue('--only');
const slamDir = join(dataDir, 'slam');

/** Published results (m): graph mapping in Kümmerle et al. 2009, Cartographer in Hess et al. 2016. */
const TARGETS: Record<string, { graph: number; cartographer: number }> = {
  intel: { graph: 0.031, cartographer: 0.023 },
  fr079: { graph: 0.056, cartographer: 0.045 },
};

const names = existsSync(slamDir)
  ? readdirSync(slamDir)
      .filter((n) => existsSync(join(slamDir, n, `${n}.clf`)) && existsSync(join(slamDir, n, `${n}.relations`)))
      .filter((n) => !only || n === only)
      .sort((a, b) => (a in TARGETS ? 0 : 1) - (b in TARGETS ? 0 : 1) || a.localeCompare(b))
  : [];
if (names.length === 0) {
  console.error(`slam bench: no dataset under ${slamDir}`);
  console.error('  expected slam/NAME/NAME.clf + slam/NAME/NAME.relations (e.g. intel, fr079)');
  console.error('  pass --data DIR (a folder laid out like ../shared/data) to point elsewhere');
  process.exit(2);
}

const median = (xs: Float64Array): number => {
  const s = Float64Array.from(xs).sort();
  return s.length === 0 ? Number.NaN : s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const quantile = (xs: Float64Array, q: number): number => {
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
};

console.log(`data: ${slamDir}`);
console.log('dataset  scans  nodes  loops(rej)  trans mean ± std (median) m     rot mean ± std (median) deg   scan ms med / p99   real time');
const verdicts: string[] = [];
for (const name of names) {
  const log = parseCarmenLog(readFileSync(join(slamDir, name, `${name}.clf`), 'utf8'));
  const relations = parseRelations(readFileSync(join(slamDir, name, `${name}.relations`), 'utf8'));
  const run = runMapperOnLog(log);
  const e = scoreRun(run, relations);
  const rtf = run.logSeconds / run.wallSeconds;
  console.log(
    `${name.padEnd(8)}${String(run.scans).padStart(6)}${String(run.stats.nodes).padStart(7)}${`${run.stats.loopClosures}(${run.stats.rejectedLoopClosures})`.padStart(12)}` +
      `   ${e.translational.mean.toFixed(4)} ± ${e.translational.std.toFixed(4)} (${e.translational.median.toFixed(4)})` +
      `       ${e.rotational.mean.toFixed(3)} ± ${e.rotational.std.toFixed(3)} (${median(e.perRelation.rotDeg).toFixed(3)})` +
      `     ${median(run.perScanMs).toFixed(2).padStart(6)} / ${quantile(run.perScanMs, 0.99).toFixed(1).padStart(5)}   ${rtf.toFixed(1).padStart(6)}×`,
  );
  const t = TARGETS[name];
  if (t) {
    verdicts.push(
      `${name}: ${e.translational.mean.toFixed(4)} m vs graph mapping ${t.graph} → ${e.translational.mean <= t.graph ? 'MET' : 'NOT MET'}, ` +
        `vs Cartographer ${t.cartographer} → ${e.translational.mean <= t.cartographer ? 'MET' : 'not met'}; real time ${rtf.toFixed(1)}× vs 10× → ${rtf >= 10 ? 'MET' : 'NOT MET'}`,
    );
  }
}
if (verdicts.length > 0) console.log(`\n${verdicts.join('\n')}`);
