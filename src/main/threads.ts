/**
 * Where a worker thread's code is. The Electron build bundles each thread as its own entry
 * beside the main bundle (electron.vite.config.ts); run from sources (CLI, web host, tests),
 * a JS bootstrap registers tsx and then loads the thread's TypeScript entry, which it finds in
 * `workerData.entry`.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * @param bundledName the bundle's file name, e.g. 'planner-worker.js'
 * @param source the thread's TypeScript module, resolved by the caller against its own URL
 * @returns the URL to start, and the entry the bootstrap must load (sources only)
 */
export function threadEntry(bundledName: string, source: URL): { url: URL; entry?: string } {
  const bundled = new URL(`./${bundledName}`, import.meta.url);
  if (existsSync(fileURLToPath(bundled))) return { url: bundled };
  return { url: new URL('./thread-boot.mjs', import.meta.url), entry: source.href };
}
