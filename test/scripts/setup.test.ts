/**
 * `npm start` then `npm test` on a fresh clone where Electron's binary cannot be downloaded:
 * npm drops the optional `electron` package when its postinstall fails, and the typecheck of
 * the Electron host then fails. The setup installs the package again without its binary.
 *
 * A real `npm install` of the whole project cannot run inside the suite (minutes, and the
 * registry), so `npm` here is a stand-in on PATH that behaves as npm does on such a machine:
 * without ELECTRON_SKIP_BINARY_DOWNLOAD the download fails and the package is dropped. The
 * setup code itself runs for real, in its own process. The fresh-clone check runs real npm.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const SETUP = pathToFileURL(join(__dirname, '..', '..', 'scripts', 'setup.mjs')).href;

/** A project folder and an `npm` that can (or cannot) download Electron's binary. */
function fakeProject(downloadWorks: boolean): { dir: string; bin: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fs-setup-'));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(join(dir, 'package.json'), '{"name":"x","optionalDependencies":{"electron":"*"}}');
  const npm = join(bin, 'npm');
  writeFileSync(npm, `#!/bin/sh
echo "install skip=\${ELECTRON_SKIP_BINARY_DOWNLOAD:-}" >> "$PWD/npm-calls.log"
mkdir -p node_modules/electron
if [ "\${ELECTRON_SKIP_BINARY_DOWNLOAD:-}" = "1" ] || [ "${downloadWorks ? 'yes' : 'no'}" = "yes" ]; then
  echo '{"name":"electron"}' > node_modules/electron/package.json
else
  echo "npm warn optional SKIPPING OPTIONAL DEPENDENCY: electron postinstall failed" >&2
  rm -rf node_modules/electron
fi
echo '{}' > node_modules/.package-lock.json
`);
  chmodSync(npm, 0o755);
  return { dir, bin };
}

function ensure(dir: string, bin: string): string {
  return execFileSync(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(SETUP)}); m.ensureDependencies(${JSON.stringify(dir)});`], {
    cwd: dir, env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, ELECTRON_SKIP_BINARY_DOWNLOAD: '' }, encoding: 'utf8',
  });
}

describe('first-run setup', () => {
  it("installs Electron's package without its binary when the download fails, so the typecheck has its types", () => {
    const { dir, bin } = fakeProject(false);
    const out = ensure(dir, bin);
    expect(readFileSync(join(dir, 'npm-calls.log'), 'utf8').trim().split('\n')).toEqual(['install skip=', 'install skip=1']);
    expect(existsSync(join(dir, 'node_modules', 'electron', 'package.json'))).toBe(true);
    expect(out).toMatch(/could not be downloaded/);
    // A second start finds everything in place and installs nothing.
    ensure(dir, bin);
    expect(readFileSync(join(dir, 'npm-calls.log'), 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('installs once, with the desktop binary, where the download works', () => {
    const { dir, bin } = fakeProject(true);
    ensure(dir, bin);
    expect(readFileSync(join(dir, 'npm-calls.log'), 'utf8').trim().split('\n')).toEqual(['install skip=']);
  });
});
