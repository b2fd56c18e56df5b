// `npm start`: set up on first run, then start the console. The Electron desktop app
// when its binary is installed and a display exists; otherwise the web host, printing the
// loopback URL to open. Either way it connects to the first USB robot it finds, or starts
// the built-in simulated robot when none is attached. Extra arguments go to
// `foresight serve` (e.g. `npm start -- --port /dev/ttyACM0`).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDependencies, ensureRendererBuilt, root, run, runForeground } from './setup.mjs';

ensureDependencies();

function electronBinary() {
  try {
    const pathFile = join(root, 'node_modules', 'electron', 'path.txt');
    if (!existsSync(pathFile)) return null;
    const bin = join(root, 'node_modules', 'electron', 'dist', readFileSync(pathFile, 'utf8').trim());
    return existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

const hasDisplay = process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
const electron = electronBinary();
const args = process.argv.slice(2);

if (electron && hasDisplay && args.length === 0 && !process.env.FORESIGHT_WEB) {
  if (run(process.execPath, [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build']) !== 0) process.exit(1);
  runForeground(electron, ['.']);
} else {
  ensureRendererBuilt();
  if (!electron) console.log('foresight: Electron is not installed here; starting the web host instead.');
  runForeground(process.execPath, [join(root, 'bin', 'foresight.mjs'), 'serve', ...(args.length > 0 ? args : ['--auto'])], { lifeline: true });
}
