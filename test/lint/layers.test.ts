/**
 * The layer rule in eslint.config.js, exercised through ESLint itself with the project's
 * real configuration: shared ← planner ← main; shared ← renderer; sim beside main; inside
 * main, only the hosts and the CLI import the hosts.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ESLint } from 'eslint';

const ROOT = join(__dirname, '..', '..');
const eslint = new ESLint({ cwd: ROOT });

async function errorsFor(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, file) });
  return result!.messages.filter((m) => m.severity === 2).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('layer lint rule', () => {
  it('rejects node: built-ins and electron in src/planner', async () => {
    expect(await errorsFor('src/planner/probe.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n")).toEqual([
      expect.stringMatching(/^no-restricted-imports: .*pure TypeScript/),
    ]);
    expect(await errorsFor('src/planner/probe.ts', "import { app } from 'electron';\nexport const x = app;\n")).toEqual([
      expect.stringMatching(/^no-restricted-imports: /),
    ]);
    expect(await errorsFor('src/planner/probe.ts', "import fs from 'fs';\nexport const x = fs;\n")).toHaveLength(1);
  });

  it('rejects reading the clock or Math.random in src/planner', async () => {
    const errors = await errorsFor('src/planner/probe.ts', 'export const t = Date.now() + Math.random() + performance.now();\nexport const d = new Date();\n');
    expect(errors).toHaveLength(4);
  });

  it('rejects imports that point up the layers', async () => {
    expect(await errorsFor('src/planner/probe.ts', "import { ConsoleCore } from '../main/core/console';\nexport const x = ConsoleCore;\n")).toHaveLength(1);
    expect(await errorsFor('src/shared/probe.ts', "import { LocalPlanner } from '../planner/local';\nexport const x = LocalPlanner;\n")).toHaveLength(1);
    expect(await errorsFor('src/renderer/probe.ts', "import { ConsoleCore } from '../main/core/console';\nexport const x = ConsoleCore;\n")).toHaveLength(1);
  });

  it('matches built-ins by exact name, not as path patterns', async () => {
    // 'console', 'events', 'path' are Node built-ins; relative modules of those names are fine.
    const code = "import { a } from './console';\nimport { b } from '../events';\nimport { c } from './path';\nexport const x = [a, b, c];\n";
    expect(await errorsFor('src/planner/probe.ts', code)).toEqual([]);
  });

  it('rejects src/main from src/sim, however deep the relative path', async () => {
    const sim = /^no-restricted-imports: .*simulator sits beside main/;
    expect(await errorsFor('src/sim/probe.ts', "import { RobotLink } from '../main/link';\nexport const x = RobotLink;\n")).toEqual([expect.stringMatching(sim)]);
    expect(await errorsFor('src/sim/probe.ts', "import type { RobotLink } from '../main/link/robot-link';\nexport type X = RobotLink;\n")).toEqual([expect.stringMatching(sim)]);
    expect(await errorsFor('src/sim/sub/probe.ts', "import { RobotLink } from '../../main/link';\nexport const x = RobotLink;\n")).toEqual([expect.stringMatching(sim)]);
    expect(await errorsFor('src/sim/probe.ts', "export { RobotLink } from '../main/link';\n")).toEqual([expect.stringMatching(sim)]);
  });

  it('rejects src/main/hosts from the rest of src/main', async () => {
    const hosts = /^no-restricted-imports: .*must not know the hosts/;
    expect(await errorsFor('src/main/core/probe.ts', "import { startWebHost } from '../hosts/web/server';\nexport const x = startWebHost;\n")).toEqual([expect.stringMatching(hosts)]);
    expect(await errorsFor('src/main/core/probe.ts', "import type { Host } from '../hosts';\nexport type X = Host;\n")).toEqual([expect.stringMatching(hosts)]);
    expect(await errorsFor('src/main/recorder/probe.ts', "import { startWebHost } from '../hosts/web/server';\nexport const x = startWebHost;\n")).toEqual([expect.stringMatching(hosts)]);
    expect(await errorsFor('src/main/review/deep/probe.ts', "import { ipc } from '../../hosts/electron/ipc';\nexport const x = ipc;\n")).toEqual([expect.stringMatching(hosts)]);
    expect(await errorsFor('src/main/probe.ts', "import { startWebHost } from './hosts/web/server';\nexport const x = startWebHost;\n")).toEqual([expect.stringMatching(hosts)]);
  });

  it('keeps the renderer/preload rule in every src/main and src/sim block (the last block setting a rule wins)', async () => {
    const upward = /^no-restricted-imports: .*Layers point one way/;
    expect(await errorsFor('src/main/core/probe.ts', "import { App } from '../../renderer/app';\nexport const x = App;\n")).toEqual([expect.stringMatching(upward)]);
    expect(await errorsFor('src/main/hosts/web/probe.ts', "import { App } from '../../../renderer/app';\nexport const x = App;\n")).toEqual([expect.stringMatching(upward)]);
    expect(await errorsFor('src/main/cli/probe.ts', "import { api } from '../../preload/index';\nexport const x = api;\n")).toEqual([expect.stringMatching(upward)]);
    expect(await errorsFor('src/sim/probe.ts', "import { App } from '../renderer/app';\nexport const x = App;\n")).toEqual([expect.stringMatching(upward)]);
  });

  it('accepts what the layers allow', async () => {
    expect(await errorsFor('src/planner/probe.ts', "import { normalizeAngle } from '../shared/geometry';\nexport const x = normalizeAngle(1);\n")).toEqual([]);
    expect(await errorsFor('src/main/probe.ts', "import { readFileSync } from 'node:fs';\nimport { LocalPlanner } from '../planner/local';\nexport const x = [readFileSync, LocalPlanner];\n")).toEqual([]);
    // The hosts use the core and each other; the CLI starts the hosts; the rest of main serves the API.
    expect(await errorsFor('src/main/hosts/web/probe.ts', "import { ConsoleCore } from '../../core/console';\nimport { ipc } from '../electron/ipc';\nexport const x = [ConsoleCore, ipc];\n")).toEqual([]);
    expect(await errorsFor('src/main/cli/commands/probe.ts', "import { startWebHost } from '../../hosts/web/server';\nexport const x = startWebHost;\n")).toEqual([]);
    expect(await errorsFor('src/main/core/probe.ts', "import type { ApiBackend } from '../api/backend';\nimport { RobotLink } from '../link';\nexport const x: [ApiBackend?, unknown?] = [undefined, RobotLink];\n")).toEqual([]);
    // The simulator uses shared (the wire codec included) and the planner.
    expect(await errorsFor('src/sim/probe.ts', "import { FrameDecoder } from '../shared/wire';\nimport { LocalPlanner } from '../planner/local';\nimport { readFileSync } from 'node:fs';\nexport const x = [FrameDecoder, LocalPlanner, readFileSync];\n")).toEqual([]);
  });
});
