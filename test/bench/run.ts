/**
 * `npm run bench`: runs every `test/bench/*.bench.ts` as its own process (so one bench's
 * heap and JIT state do not colour the next), in name order, and prints their reports.
 * `npm run bench -- NAME...` runs only the benches whose file name contains NAME.
 * Extra `--data DIR` is passed through (default: ../shared/data).
 */
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const passThrough: string[] = [];
const filters: string[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--data') passThrough.push('--data', args[++i] ?? '');
  else filters.push(args[i]!);
}
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((n) => f.includes(n)))
  .sort();
if (files.length === 0) {
  console.error(`bench: no benchmark matches ${filters.join(' ')}`);
  process.exit(2);
}
let failures = 0;
for (const file of files) {
  console.log(`\n=== ${file}`);
  const res = spawnSync(process.execPath, ['--import', 'tsx', join(here, file), ...passThrough], { stdio: 'inherit' });
  if (res.status !== 0) {
    failures++;
    console.log(`=== ${file} FAILED (exit ${res.status})`);
  }
}
process.exit(failures > 0 ? 1 : 0);
