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

/** Installs dependencies when node_modules is missing or older than package.json. */
export function ensureDependencies() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(join(root, 'package.json')).mtimeMs) return;
  console.log('foresight: installing dependencies (first run)…');
  // `install`, not `ci`: it never deletes a working node_modules out from under a running console.
  if (run('npm', ['install', '--no-audit', '--no-fund']) !== 0) {
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

/** Runs a long-lived child, forwarding Ctrl-C and SIGTERM to it; exits with its code. */
export function runForeground(cmd, args) {
  const child = spawn(cmd, args, { stdio: 'inherit', cwd: root });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
