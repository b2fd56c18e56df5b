/**
 * `foresight serve --sim` and its simulator child (`foresight sim --pty`), as real processes:
 * however serve ends — SIGKILL, a reader that stops reading (`serve --sim | head -4`), a
 * signal — the simulator ends with it, removing its pty link, and nothing is left running
 * under init. A signal stops serve cleanly, with the run closed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../../support/poll';

const BIN = fileURLToPath(new URL('../../../bin/foresight.mjs', import.meta.url));
const SETUP = fileURLToPath(new URL('../../../scripts/setup.mjs', import.meta.url));

/** Whether a path exists as itself: a link to a pty that is gone still counts. */
function present(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** What /proc says about a process, or null when there is no such process. */
interface ProcInfo {
  pid: number;
  /** R, S, D, Z (zombie: dead, waiting to be reaped), … */
  state: string;
  /** Start time in clock ticks since boot: with the pid, tells a process from a later one reusing its pid. */
  startTime: string;
  argv: string[];
}

function procInfo(pid: number): ProcInfo | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name in parentheses may hold spaces: fields count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a) => a !== '');
    return { pid, state: fields[0]!, startTime: fields[19]!, argv };
  } catch {
    return null;
  }
}

/** Alive: the same process (pid and start time) still exists and is not a zombie. */
function alive(p: ProcInfo): boolean {
  const now = procInfo(p.pid);
  return now !== null && now.startTime === p.startTime && now.state !== 'Z';
}

function childrenOf(pid: number): ProcInfo[] {
  const out: ProcInfo[] = [];
  let tasks: string[] = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const task of tasks) {
    let text = '';
    try {
      text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8');
    } catch {
      continue;
    }
    for (const c of text.split(' ').filter((s) => s !== '')) {
      const info = procInfo(Number(c));
      if (info) out.push(info);
    }
  }
  return out;
}

/** The `foresight sim --pty` processes started with this seed, whoever their parent is now. */
function simsWithSeed(seed: number): ProcInfo[] {
  const found: ProcInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const info = procInfo(Number(name));
    if (!info || info.state === 'Z') continue;
    const a = info.argv;
    const at = a.indexOf('--seed');
    if (a.includes('sim') && a.includes('--pty') && at >= 0 && a[at + 1] === String(seed)) found.push(info);
  }
  return found;
}

interface Serve {
  child: ChildProcess;
  dir: string;
  db: string;
  seed: number;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

let seedCounter = 0;
const started: Serve[] = [];
/** The simulator and pty-holder processes seen, to be sure none survives a failed test. */
const seen: ProcInfo[] = [];

/**
 * `foresight serve --sim` with its own seed, config folder and run database; with
 * `viaLauncher`, started the way `npm start` starts it (scripts/setup.mjs runForeground).
 */
function startServe(viaLauncher = false, underNpmLike = false): Serve {
  const dir = mkdtempSync(join(tmpdir(), 'foresight-serve-life-'));
  // A seed of this test process's own marks its simulators among any others on the machine.
  const seed = 100_000_000 + (process.pid % 100_000) * 100 + seedCounter++;
  const db = join(dir, 'runs.sqlite');
  const serveArgs = [BIN, 'serve', '--sim', '--seed', String(seed), '--http-port', '0', '--db', db];
  let args = serveArgs;
  if (viaLauncher) {
    const launcher = join(dir, 'launcher.mjs');
    writeFileSync(launcher, `import { runForeground } from ${JSON.stringify(SETUP)};\nrunForeground(process.execPath, ${JSON.stringify(serveArgs)}, { lifeline: true });\n`);
    args = [launcher];
    if (underNpmLike) {
      // As npm runs a script: its child, and on SIGTERM npm exits without passing it on.
      const npm = join(dir, 'npm-like.mjs');
      writeFileSync(npm, `import { spawn } from 'node:child_process';\nspawn(process.execPath, [${JSON.stringify(launcher)}], { stdio: 'inherit' });\nprocess.on('SIGTERM', () => process.exit(0));\n`);
      args = [npm];
    }
  }
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, XDG_CONFIG_HOME: join(dir, 'config'), XDG_DATA_HOME: join(dir, 'data') },
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  // A destroyed stdout (the broken-pipe test) must not fail the test process.
  child.stdout!.on('error', () => undefined);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const serve = { child, dir, db, seed, output: () => out, exited };
  started.push(serve);
  return serve;
}

/** The simulator serve started (its child) and the processes holding its ptys open. */
async function simOf(serve: Serve, parentPid = serve.child.pid!): Promise<{ sim: ProcInfo; ptyHolders: ProcInfo[]; link: string }> {
  const sim = await until(() => childrenOf(parentPid).find((c) => c.argv.includes('sim') && c.argv.includes('--pty')), 60_000, () => `serve's simulator child; output:\n${serve.output()}`);
  const ptyHolders = childrenOf(sim.pid);
  seen.push(sim, ...ptyHolders);
  return { sim, ptyHolders, link: sim.argv[sim.argv.indexOf('--link') + 1]! };
}

async function waitConnected(serve: Serve): Promise<void> {
  await until(() => {
    if (serve.child.exitCode !== null || serve.child.signalCode !== null) throw new Error(`serve exited (${serve.child.exitCode ?? serve.child.signalCode}) before connecting; output:\n${serve.output()}`);
    return /Connected to foresight-sim/.test(serve.output());
  }, 90_000, () => `the console to connect to the simulator; output:\n${serve.output()}`);
}

async function expectGone(procs: ProcInfo[], what: string): Promise<void> {
  // Generous for a loaded machine: the simulator winds down within a second or two.
  await until(() => procs.every((p) => !alive(p)), 15_000, () => `${what} to end: ${procs.filter(alive).map((p) => `${p.pid} ${p.argv.join(' ')}`).join('; ')}`);
}

function exitWithin(serve: Serve, ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return Promise.race([
    serve.exited,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`serve did not exit within ${ms} ms; output:\n${serve.output()}`)), ms)),
  ]);
}

afterEach(() => {
  // Nothing of a failed test may outlive it: serve, its simulator (found by the test's seeds
  // even once orphaned), the simulator's pty holders.
  for (const s of started.splice(0)) {
    if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
    for (const p of simsWithSeed(s.seed)) seen.push(p, ...childrenOf(p.pid));
    rmSync(s.dir, { recursive: true, force: true });
  }
  for (const p of seen.splice(0)) {
    if (alive(p)) process.kill(p.pid, 'SIGKILL');
  }
});

describe('foresight serve --sim: the simulator never outlives serve', () => {
  it('SIGKILL of serve ends the simulator, its pty holders and its link', async () => {
    const serve = startServe();
    await waitConnected(serve);
    const { sim, ptyHolders, link } = await simOf(serve);
    expect(present(link)).toBe(true);
    serve.child.kill('SIGKILL');
    await exitWithin(serve, 10_000);
    await expectGone([sim], 'the orphaned simulator');
    await expectGone(ptyHolders, 'the processes holding its ptys');
    expect(present(link), 'the simulator removes its pty link on the way out').toBe(false);
    expect(simsWithSeed(serve.seed)).toEqual([]);
  }, 120_000);

  it('a reader that goes away (serve --sim | head -4): serve stops cleanly at its next line and the simulator ends', async () => {
    const serve = startServe();
    // Like head -4 exiting: once the simulator runs, nobody reads serve's stdout any more.
    // serve goes on printing (the link coming up) and meets EPIPE.
    const { sim, ptyHolders } = await simOf(serve);
    serve.child.stdout!.destroy();
    const result = await exitWithin(serve, 60_000);
    expect(result, `serve ends by itself, cleanly; its stderr (and stdout until the pipe closed):\n${serve.output()}`).toEqual({ code: 0, signal: null });
    await expectGone([sim, ...ptyHolders], 'the simulator');
    expect(simsWithSeed(serve.seed)).toEqual([]);
  }, 150_000);

  it.each(['SIGTERM', 'SIGHUP', 'SIGINT'] as const)('%s: serve stops the simulator, closes the run and exits 0', async (signal) => {
    const serve = startServe();
    await waitConnected(serve);
    const { sim, ptyHolders, link } = await simOf(serve);
    serve.child.kill(signal);
    const result = await exitWithin(serve, 30_000);
    expect(result, serve.output()).toEqual({ code: 0, signal: null });
    expect(serve.output()).toContain('Stopping: sending Stop to the robot');
    await expectGone([sim, ...ptyHolders], 'the simulator');
    expect(present(link)).toBe(false);
    const db = new Database(serve.db, { readonly: true });
    try {
      const runs = db.prepare('SELECT ended_at, outcome FROM runs').all() as { ended_at: number | null; outcome: string | null }[];
      expect(runs.length).toBeGreaterThan(0);
      for (const run of runs) {
        expect(run.ended_at).not.toBeNull();
        expect(run.outcome).toBe('completed');
      }
    } finally {
      db.close();
    }
  }, 120_000);

  it('npm start killed (npm does not pass its SIGTERM on): the orphaned launcher stops serve, and with it the simulator', async () => {
    const npm = startServe(true, true);
    await waitConnected(npm);
    const launcher = await until(() => childrenOf(npm.child.pid!).find((c) => c.argv.some((a) => a.endsWith('launcher.mjs'))), 30_000, () => 'the launcher under npm');
    const serve = await until(() => childrenOf(launcher.pid).find((c) => c.argv.includes('serve')), 30_000, () => 'serve under the launcher');
    seen.push(launcher, serve);
    const { sim, ptyHolders } = await simOf(npm, serve.pid);
    npm.child.kill('SIGTERM');
    await expectGone([launcher, serve], 'the launcher and serve');
    await expectGone([sim, ...ptyHolders], 'the simulator');
  }, 120_000);

  it("SIGKILL of npm start's launcher (runForeground) stops serve gracefully, and with it the simulator", async () => {
    const launcher = startServe(true);
    await waitConnected(launcher);
    const serve = await until(() => childrenOf(launcher.child.pid!).find((c) => c.argv.includes('serve')), 30_000, () => 'serve under the launcher');
    seen.push(serve);
    const { sim, ptyHolders } = await simOf(launcher, serve.pid);
    launcher.child.kill('SIGKILL');
    await expectGone([serve], 'serve, orphaned');
    await expectGone([sim, ...ptyHolders], 'the simulator');
    // It stopped as if told to (the run closed), not cut off mid-run.
    const db = new Database(launcher.db, { readonly: true });
    try {
      const runs = db.prepare('SELECT outcome FROM runs').all() as { outcome: string | null }[];
      expect(runs.map((r) => r.outcome)).toEqual(['completed']);
    } finally {
      db.close();
    }
  }, 120_000);
});
