/** One `foresight` sub-command. `run` returns the process exit code. */
export interface CliCommand {
  name: string;
  /** One line for `foresight --help`. */
  summary: string;
  /** Full usage text for `foresight NAME --help`. */
  usage: string;
  run(argv: string[]): Promise<number>;
}

/** A usage error: printed with the command's usage, exit code 2. */
export class UsageError extends Error {}

/**
 * Walks a command's arguments in order: `visit(arg, value)` gets each one, and `value()`
 * takes the next argument as that one's value (a usage error when it is missing or is
 * itself a flag).
 */
export function forEachArg(argv: readonly string[], visit: (arg: string, value: () => string) => void): void {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    visit(a, () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${a} needs a value`);
      return v;
    });
  }
}
