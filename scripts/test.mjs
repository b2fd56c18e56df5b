// `npm test`: the whole suite. Sets up what a fresh machine lacks (dependencies, the
// UI bundle; Chromium from the system package manager when running as root), then runs
// typecheck, lint and every test (unit, real-pty integration, end-to-end in Chromium).
import { existsSync } from 'node:fs';
import { ensureDependencies, ensureRendererBuilt, run } from './setup.mjs';

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function ensureChromium() {
  if (existsSync(chromium)) return;
  if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
    console.log('foresight: installing Chromium for the end-to-end tests (apt-get)…');
    if (run('apt-get', ['update', '-qq']) === 0 && run('apt-get', ['install', '-y', '-qq', 'chromium']) === 0) return;
  }
  console.error(`foresight: the end-to-end tests need Chromium at ${chromium}. Install it (Debian/Ubuntu: apt-get install chromium) or set CHROMIUM_PATH.`);
  process.exit(1);
}

ensureDependencies();
ensureChromium();
ensureRendererBuilt();

const steps = [
  ['typecheck', ['npm', ['run', '--silent', 'typecheck']]],
  ['lint', ['npm', ['run', '--silent', 'lint']]],
  ['tests', ['npx', ['vitest', 'run', ...process.argv.slice(2)]]],
];
let failed = 0;
for (const [name, [cmd, args]] of steps) {
  console.log(`\n== ${name}`);
  if (run(cmd, args) !== 0) {
    console.error(`== ${name} FAILED`);
    failed++;
  }
}
process.exit(failed > 0 ? 1 : 0);
