// Shared by `npm start` and `npm test`: make a fresh clone runnable without manual steps.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const root = new URL('..', import.meta.url).pathname;

export function run(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (res.error) throw res.error;
  return res.status ?? 1;
}

function newest(dir) {
  let t = 0;
  if (!existsSync(dir)) return t;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/**
 * Installs dependencies when node_modules is missing or older than package.json (in `dir`,
 * the project root by default).
 *
 * Electron is optional: where its postinstall cannot download the desktop binary (no
 * internet, a proxy), npm drops the whole package, and with it the types the Electron host is
 * typechecked against. Then the package is installed again without its binary: the console
 * runs through its web host, and `npm test` still typechecks the Electron code.
 */
export function ensureDependencies(dir = root) {
  const marker = join(dir, 'node_modules', '.package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(join(dir, 'package.json')).mtimeMs) return;
  console.log('foresight: installing dependencies (first run)…');
  // `install`, not `ci`: it never deletes a working node_modules out from under a running console.
  if (run('npm', ['install', '--no-audit', '--no-fund'], { cwd: dir }) !== 0) {
    console.error('foresight: npm install failed (see above).');
    process.exit(1);
  }
  if (existsSync(join(dir, 'node_modules', 'electron', 'package.json'))) return;
  console.log('foresight: Electron\'s desktop binary could not be downloaded; installing its package without it (the console runs in the browser).');
  if (run('npm', ['install', '--no-audit', '--no-fund'], { cwd: dir, env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' } }) !== 0) {
    console.error('foresight: npm install failed (see above).');
    process.exit(1);
  }
}

/** Builds the renderer for the web host when its sources are newer than the bundle. */
export function ensureRendererBuilt() {
  const out = join(root, 'out', 'renderer', 'index.html');
  const srcTime = Math.max(newest(join(root, 'src', 'renderer')), newest(join(root, 'src', 'shared')));
  if (existsSync(out) && statSync(out).mtimeMs >= srcTime) return;
  console.log('foresight: building the console UI…');
  if (run(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'vite.renderer.config.ts', '--logLevel', 'warn']) !== 0) {
    console.error('foresight: the UI build failed (see above).');
    process.exit(1);
  }
}

/**
 * Runs a long-lived child, forwarding Ctrl-C and SIGTERM to it; exits with its code. With
 * `lifeline` (a `foresight` command) the child also gets the pipe of src/main/core/lifeline.ts
 * on fd 3: it winds down when this process dies by any means, even SIGKILL, instead of
 * running on, orphaned, with its simulator.
 */
export function runForeground(cmd, args, { lifeline = false } = {}) {
  const child = lifeline
    ? spawn(cmd, args, { stdio: ['inherit', 'inherit', 'inherit', 'pipe'], cwd: root, env: { ...process.env, FORESIGHT_PARENT_FD: '3' } })
    : spawn(cmd, args, { stdio: 'inherit', cwd: root });
  child.stdio[3]?.unref();
  for (const sig of ['SIGINT', 'SIGHUP', 'SIGTERM']) process.on(sig, () => child.kill(sig === 'SIGHUP' ? 'SIGTERM' : sig));
  // npm does not pass a SIGTERM of its own on to the script it runs: the script is then
  // reparented, and must end the console itself rather than keep it running unseen.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) child.kill('SIGTERM');
  }, 1000).unref();
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
