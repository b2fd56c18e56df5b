import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import command from '../../../src/main/cli/commands/predict-eval';
import { UsageError } from '../../../src/main/cli/command';
import { tinyFile } from '../eval/tiny-file';

const dir = mkdtempSync(join(tmpdir(), 'predict-eval-'));
const file = join(dir, 'tiny.txt');
writeFileSync(file, tinyFile());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function runCaptured(argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    return { code: await command.run(argv), out };
  } finally {
    spy.mockRestore();
  }
}

describe('foresight predict-eval', () => {
  it('prints exactly one JSON line with the contract keys (--json)', async () => {
    const { code, out } = await runCaptured([file, '--model', 'cv', '--json']);
    expect(code).toBe(0);
    const lines = out.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1);
    const result = JSON.parse(lines[0]);
    expect(Object.keys(result)).toEqual(['files', 'windows', 'agents', 'ade', 'fde', 'min_ade_20', 'min_fde_20', 'ms_per_agent']);
    expect(result).toMatchObject({ files: [file], windows: 1, agents: 2, ade: 3.25, fde: 6 });
    expect(result.ms_per_agent).toBeGreaterThanOrEqual(0);
  });

  it('runs the default model on a folder and says how best-of-20 was formed', async () => {
    const { code, out } = await runCaptured([dir]);
    expect(code).toBe(0);
    expect(out).toMatch(/model 'social'/);
    expect(out).toMatch(/best-of-20: minimum over the 20 most probable of the model's own futures/);
    expect(out).toMatch(/tiny\.txt\s+1\s+2/);
  });

  it('rejects bad usage', async () => {
    await expect(command.run([])).rejects.toBeInstanceOf(UsageError);
    await expect(command.run([file, '--model', 'lstm'])).rejects.toBeInstanceOf(UsageError);
    await expect(command.run([file, '--bogus'])).rejects.toBeInstanceOf(UsageError);
    await expect(command.run([join(dir, 'missing.txt')])).rejects.toThrow(/no such file/);
  });
});
