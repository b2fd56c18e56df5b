/**
 * The layer rule in eslint.config.js, exercised through ESLint itself with the project's
 * real configuration: shared ← planner ← main; shared ← renderer.
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

  it('accepts what the layers allow', async () => {
    expect(await errorsFor('src/planner/probe.ts', "import { normalizeAngle } from '../shared/geometry';\nexport const x = normalizeAngle(1);\n")).toEqual([]);
    expect(await errorsFor('src/main/probe.ts', "import { readFileSync } from 'node:fs';\nimport { LocalPlanner } from '../planner/local';\nexport const x = [readFileSync, LocalPlanner];\n")).toEqual([]);
  });
});
