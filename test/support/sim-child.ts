/**
 * The simulated robot as a real child process (`foresight sim --pty --link PATH`), as
 * `foresight serve --sim` runs it: tests can stop it (SIGSTOP/SIGCONT: a simulator
 * descheduled on a loaded machine), end it and start another at the same path.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const CLI = join(__dirname, '..', '..', 'bin', 'foresight.mjs');

export interface SimChild {
  child: ChildProcess;
  /** Ends it (SIGTERM: it closes its pty, so the console sees the device vanish) and waits. */
  stop(): Promise<void>;
}

/** Starts `foresight sim --pty --link linkPath` and resolves once its pty is up. */
export async function startSimChild(linkPath: string, args: string[] = ['--seed', '1', '--people', '0'], timeoutMs = 30_000): Promise<SimChild> {
  const child = spawn(process.execPath, [CLI, 'sim', '--pty', '--link', linkPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => { err = (err + d.toString()).slice(-2000); });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`simulator not up within ${timeoutMs} ms: ${err}`)), timeoutMs);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (/\/dev\/pts\/\d+/.test(out)) { clearTimeout(timer); resolve(); }
    });
    child.once('exit', (code, signal) => { clearTimeout(timer); reject(new Error(`simulator exited (${code ?? signal}) before it was up: ${err}`)); });
  });
  return {
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(kill);
    },
  };
}
