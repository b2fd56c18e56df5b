/**
 * A child process that must not outlive its parent (the simulator under `serve`, `serve`
 * under `npm start`). Linux's PR_SET_PDEATHSIG is out of Node's reach, so the parent hands
 * the child one end of a pipe that it never writes to: the kernel closes the parent's end
 * when the parent dies by any means — exit, crash, SIGKILL, OOM killer — and the child then
 * reads end-of-file. A change of the child's parent pid (reparented to init or a subreaper)
 * backs that up.
 */
import { Socket } from 'node:net';
import type { SpawnOptions, StdioPipe } from 'node:child_process';

/** Names the child's file descriptor holding the lifeline. */
export const PARENT_FD_ENV = 'FORESIGHT_PARENT_FD';

/** The descriptor number the lifeline gets in the child (the first after stdio). */
const LIFELINE_FD = 3;

/**
 * Spawn options that give the child a lifeline: `stdio` gains the pipe as fd 3 and `env`
 * names it. The caller passes the first three stdio entries and its env.
 */
export function withLifeline(stdio: [StdioPipe | 'ignore' | 'inherit', StdioPipe | 'ignore' | 'inherit', StdioPipe | 'ignore' | 'inherit'], env: NodeJS.ProcessEnv): Pick<SpawnOptions, 'stdio' | 'env'> {
  return { stdio: [...stdio, 'pipe'], env: { ...env, [PARENT_FD_ENV]: String(LIFELINE_FD) } };
}

/**
 * The parent's end of a child's lifeline must not keep the parent's event loop alive, and
 * nothing is ever sent on it.
 */
export function releaseLifelineEnd(child: { stdio: ReadonlyArray<unknown> }): void {
  const end = child.stdio[LIFELINE_FD] as Socket | null | undefined;
  if (!end) return;
  // The child may close its end first (it exits): that is no error of ours.
  end.on('error', () => undefined);
  end.unref();
}

/**
 * In the child: calls `onParentGone` once when the parent that spawned it with a lifeline
 * dies. Without a lifeline in the environment (run by hand from a shell) nothing is watched:
 * a shell's own hangup handling applies.
 */
export function watchParentLifeline(onParentGone: () => void): void {
  const fdText = process.env[PARENT_FD_ENV];
  if (fdText === undefined) return;
  // This process's own children must not mistake whatever they get as fd 3 for a lifeline.
  delete process.env[PARENT_FD_ENV];
  const fd = Number(fdText);
  if (!Number.isInteger(fd) || fd < 3) return;
  const parentPid = process.ppid;
  let fired = false;
  const fire = (): void => {
    if (fired) return;
    fired = true;
    clearInterval(poll);
    onParentGone();
  };
  // The parent never writes: end-of-file or an error means its end is gone. The pipe and
  // the poll are unref'd so they never keep a finished process alive.
  let pipe: Socket;
  try {
    pipe = new Socket({ fd, readable: true, writable: false });
  } catch {
    return;
  }
  pipe.on('data', () => undefined);
  pipe.on('end', fire);
  pipe.on('close', fire);
  pipe.on('error', fire);
  pipe.unref();
  const poll = setInterval(() => {
    if (process.ppid !== parentPid) fire();
  }, 1000);
  poll.unref();
}
