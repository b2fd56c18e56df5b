/**
 * A bench's command line: `--name value` options and the benchmark data folder (`--data DIR`,
 * default ../shared/data beside the project), as test/bench/run.ts passes them through.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);

/** The value after `name` on the command line, if given. */
export function argValue(name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

export const dataDir = resolve(argValue('--data') ?? join(projectRoot, '../shared/data'));
