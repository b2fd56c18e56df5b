/**
 * Where the run database lives by default: the app's data folder.
 *   FORESIGHT_DB, when set, wins;
 *   macOS:   ~/Library/Application Support/Foresight/runs.sqlite
 *   Windows: %APPDATA%\Foresight\runs.sqlite
 *   others:  $XDG_DATA_HOME/foresight/runs.sqlite, else ~/.local/share/foresight/runs.sqlite
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export const RUNS_DB_FILE = 'runs.sqlite';

export interface DbPathEnvironment {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  home?: string;
}

/** The default run database path (FORESIGHT_DB, else the platform's data folder). */
export function defaultRunsDbPath(where: DbPathEnvironment = {}): string {
  const env = where.env ?? process.env;
  const platform = where.platform ?? process.platform;
  const home = where.home ?? homedir();
  if (env.FORESIGHT_DB) return resolve(env.FORESIGHT_DB);
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Foresight', RUNS_DB_FILE);
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Foresight', RUNS_DB_FILE);
  // XDG says a relative XDG_DATA_HOME is invalid and must be ignored.
  const xdg = env.XDG_DATA_HOME && env.XDG_DATA_HOME.startsWith('/') ? env.XDG_DATA_HOME : join(home, '.local', 'share');
  return join(xdg, 'foresight', RUNS_DB_FILE);
}

/** The database a command uses: `--db FILE` if given, else the default. */
export function resolveRunsDbPath(dbFlag: string | undefined, where: DbPathEnvironment = {}): string {
  return dbFlag ? resolve(dbFlag) : defaultRunsDbPath(where);
}
