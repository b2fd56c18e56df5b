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
