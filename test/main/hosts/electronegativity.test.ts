/**
 * The Electron security gate (scripts/electronegativity.mjs): the app's own sources scan
 * clean, and the gate does fail on a window that is not hardened.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const script = join(__dirname, '../../../scripts/electronegativity.mjs');

interface Summary {
  scanned: string[];
  findings: number;
  aboveInformational: number;
  failing: number;
  parseErrors: number;
  details: { id: string; severity: string; reviewed: boolean; file: string }[];
}

function runGate(...args: string[]): { status: number | null; summary: Summary; stderr: string } {
  const res = spawnSync(process.execPath, [script, '--json', ...args], { encoding: 'utf8', timeout: 120_000 });
  const line = res.stdout.split('\n').find((l) => l.startsWith('{'));
  if (!line) throw new Error(`no JSON summary from the gate (exit ${res.status}):\n${res.stdout}\n${res.stderr}`);
  return { status: res.status, summary: JSON.parse(line) as Summary, stderr: res.stderr };
}

const tmp = mkdtempSync(join(tmpdir(), 'foresight-eng-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('electronegativity gate', () => {
  it('finds nothing above informational in src/, reviewed or not', () => {
    const { status, summary } = runGate();
    expect(summary.scanned).toContain('src');
    expect(summary.parseErrors).toBe(0);
    expect(summary.details.filter((d) => d.severity !== 'INFORMATIONAL')).toEqual([]);
    expect(summary.aboveInformational).toBe(0);
    expect(summary.failing).toBe(0);
    expect(status).toBe(0);
  }, 120_000);

  it('fails on a window without context isolation or sandbox', () => {
    writeFileSync(
      join(tmp, 'main.js'),
      [
        "const { BrowserWindow } = require('electron');",
        'const win = new BrowserWindow({ webPreferences: { nodeIntegration: true, contextIsolation: false, sandbox: false } });',
        "win.loadURL('https://example.com');",
      ].join('\n'),
    );
    const { status, summary } = runGate('--input', tmp);
    expect(status).toBe(1);
    expect(summary.failing).toBeGreaterThan(0);
    expect(summary.details.map((d) => d.id)).toEqual(expect.arrayContaining(['CONTEXT_ISOLATION_JS_CHECK', 'SANDBOX_JS_CHECK', 'AUXCLICK_JS_CHECK']));
  }, 120_000);
});
