/**
 * The built-in simulated robot as a child process (`foresight sim --pty`), so the console
 * talks to it exactly as to a USB robot: over a real pseudo-terminal, through serialport.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { releaseLifelineEnd, withLifeline } from './lifeline';

export interface SimProcess {
  /** Stable path to the simulator's pty (a symlink), for the serial transport. */
  devicePath: string;
  /** Stable path to the separate lidar's pty, when the simulator runs one. */
  lidarPath?: string;
  /** Where the simulated robot starts on the map (map frame), as the simulator said. */
  startPose: { x: number; y: number; theta: number };
  child: ChildProcess;
  stop(): Promise<void>;
}

export interface SimProcessOptions {
  /** The project's bin/foresight.mjs. */
  cliPath: string;
  seed?: number;
  people?: number;
  mapYaml?: string;
  /** Robot profile name or file (default the reference robot). */
  robot?: string;
  /** Lidar profile name or file on its own pty; 'none' for no separate lidar. */
  lidar?: string;
  /** Odometry drift and lidar faults in the simulator (default off). */
  drift?: 'off' | 'typical';
  /** How long to wait for the simulator to report its device, ms. */
  startTimeoutMs?: number;
}

export async function startSimProcess(opts: SimProcessOptions): Promise<SimProcess> {
  // The links sit directly in the temp folder under an unguessable name, not in a folder of
  // their own: the simulator removes them itself when it ends, even when this process died
  // first and could not clean up.
  const name = join(tmpdir(), `foresight-sim-${randomUUID()}`);
  const link = `${name}.tty`;
  const args = [opts.cliPath, 'sim', '--pty', '--link', link, '--seed', String(opts.seed ?? 1)];
  if (opts.people !== undefined) args.push('--people', String(opts.people));
  if (opts.mapYaml) args.push('--map', opts.mapYaml);
  if (opts.robot) args.push('--robot', opts.robot);
  if (opts.drift) args.push('--drift', opts.drift);
  const lidarLink = `${name}-lidar.tty`;
  args.push('--lidar', opts.lidar ?? 'none');
  if (opts.lidar && opts.lidar !== 'none') args.push('--lidar-link', lidarLink);
  const lines = opts.lidar && opts.lidar !== 'none' ? 2 : 1;
  // Under Electron, execPath is the Electron binary: ask it to behave as plain Node.
  const env = process.versions.electron ? { ...process.env, ELECTRON_RUN_AS_NODE: '1' } : process.env;
  // The lifeline ends the simulator with this process however it ends (a crash, SIGKILL, a
  // broken stdout): an orphaned simulator would run on at full speed, holding its ptys.
  const child = spawn(process.execPath, args, withLifeline(['ignore', 'pipe', 'pipe'], env));
  releaseLifelineEnd(child);
  let stderr = '';
  let startPose: SimProcess['startPose'] | null = null;
  let checkReady = (): void => {};
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-2000);
    const m = /start pose (-?[\d.]+) (-?[\d.]+) (-?[\d.]+)/.exec(stderr);
    if (m && !startPose) {
      startPose = { x: Number(m[1]), y: Number(m[2]), theta: Number(m[3]) };
      checkReady();
    }
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the simulator did not start within ${opts.startTimeoutMs ?? 20_000} ms: ${stderr.trim()}`));
    }, opts.startTimeoutMs ?? 20_000);
    let out = '';
    // Ready once the device paths (stdout) and the start pose (stderr) are both known.
    checkReady = () => {
      if (out.split('\n').length > lines && startPose) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      checkReady();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the simulator exited (${code}) before it was ready: ${stderr.trim()}`));
    });
  });
  return {
    devicePath: link,
    lidarPath: lines === 2 ? lidarLink : undefined,
    startPose: startPose!,
    child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killTimer = setTimeout(() => child.kill('SIGKILL'), 2000);
        await exited;
        clearTimeout(killTimer);
      }
      // Removed by the simulator as it closes; a simulator that had to be killed could not.
      rmSync(link, { force: true });
      rmSync(lidarLink, { force: true });
    },
  };
}
