/** Node-side file handling for the ETH/UCY evaluation: expand folders, read and window files. */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildWindows, parseEthUcy, STANDARD_PROTOCOL, type EvalWindow, type WindowProtocol } from './eth-ucy';

/** Expands folders (recursively, `*.txt` in name order) and checks that every path exists. */
export function expandDataPaths(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    let stat;
    try {
      stat = statSync(p);
    } catch {
      throw new Error(`no such file or folder: ${p}`);
    }
    if (stat.isDirectory()) {
      const inside = readdirSync(p)
        .sort()
        .map((name) => join(p, name));
      const files = expandDataPaths(inside.filter((f) => statSync(f).isDirectory() || f.endsWith('.txt')));
      if (files.length === 0) throw new Error(`no .txt trajectory files under ${p}`);
      out.push(...files);
    } else {
      out.push(p);
    }
  }
  return out;
}

/** Reads one ETH/UCY file and cuts its evaluation windows. */
export function loadWindows(path: string, protocol: WindowProtocol = STANDARD_PROTOCOL): EvalWindow[] {
  return buildWindows(parseEthUcy(readFileSync(path, 'utf8'), path), protocol);
}
