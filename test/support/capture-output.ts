/**
 * Captures what a CLI command writes to stdout and stderr in-process (spies on
 * process.stdout/stderr.write). Call `vi.restoreAllMocks()` after each test.
 */
import { vi } from 'vitest';

export function captureOutput(): { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((err += String(chunk)), true));
  return { out: () => out, err: () => err };
}
