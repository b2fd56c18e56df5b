/**
 * `foresight` command-line dispatcher. Each command lives in `commands/NAME.ts` and
 * default-exports a CliCommand; modules load lazily so `--help` stays instant.
 */
import { UsageError, type CliCommand } from './command';
import { watchParentLifeline } from '../core/lifeline';

interface CommandEntry {
  name: string;
  summary: string;
}

/** Loads `commands/NAME.ts`, whose default export is the command. */
async function loadCommand(name: string): Promise<CliCommand> {
  const mod = (await import(`./commands/${name}.ts`)) as { default: CliCommand };
  return mod.default;
}

const COMMANDS: CommandEntry[] = [
  { name: 'serve', summary: 'run the console (web host) against a robot: [--robot NAME] --port PATH | --tcp HOST:PORT | --sim | --auto [--lidar NAME:PATH]' },
  { name: 'sim', summary: 'run a simulated robot: --pty (prints its device path) or --tcp PORT [--robot NAME] [--lidar NAME]' },
  { name: 'robots', summary: 'robots [--json]: robot and lidar profiles (--robot NAME, --lidar NAME:PATH)' },
  { name: 'scenario', summary: 'scenario run FILE... [--json] [--record] | scenario compare FILE...: closed-loop runs of the full stack' },
  { name: 'barn', summary: 'barn --world N | --all [--data DIR] [--json]: BARN benchmark worlds' },
  { name: 'grid-bench', summary: 'grid-bench --map FILE --scen FILE [--json]: MovingAI scenarios through the global planner' },
  { name: 'predict-eval', summary: 'predict-eval FILE... [--model NAME] [--json]: ETH/UCY prediction metrics' },
  { name: 'slam-eval', summary: 'slam-eval --clf FILE --relations FILE [--json]: laser SLAM on a CARMEN log, scored against benchmark relations' },
  { name: 'people-eval', summary: 'people-eval [--seconds S] [--seed N] [--crowd N] [--motion stand|patrol] [--json]: people detection and tracking scored in the simulator' },
  { name: 'runs', summary: 'runs list [--json] | runs incidents ID | runs export ID --mcap FILE [--db FILE]: recorded runs' },
];

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Foresight — operator console for mobile robots',
    '',
    'Usage: foresight COMMAND [options]   (foresight COMMAND --help for details)',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
  ].join('\n');
}

/** How long a command may take to wind down after its parent died, ms. */
const ORPHAN_GRACE_MS = 5000;

export async function main(argv: string[]): Promise<number> {
  // Started by a parent that must not be outlived (the console starting its simulator, `npm
  // start` starting serve): when it dies, wind down as if told to stop (each command's own
  // SIGTERM handling: ptys and links removed, the run closed), and exit regardless soon after.
  watchParentLifeline(() => {
    setTimeout(() => process.exit(1), ORPHAN_GRACE_MS).unref();
    process.kill(process.pid, 'SIGTERM');
  });
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help());
    return name === undefined ? 2 : 0;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    process.stderr.write(`foresight: unknown command '${name}'\n\n${help()}`);
    return 2;
  }
  let command: CliCommand;
  try {
    command = await loadCommand(entry.name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') {
      process.stderr.write(`foresight: '${name}' is not available in this build\n`);
      return 2;
    }
    throw err;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`foresight ${name}: ${err.message}\n\n${command.usage}\n`);
      return 2;
    }
    process.stderr.write(`foresight ${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
