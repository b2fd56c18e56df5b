/** Polling for tests that wait on real processes and devices: no fixed sleeps, a clear timeout. */

/**
 * Polls `probe` every `intervalMs` until it gives a truthy value and resolves with it; after
 * `timeoutMs` rejects with what was awaited (`what`, or its result when a function: called
 * only then, so it may describe the state at the timeout).
 */
export async function until<T>(probe: () => T | null | undefined | false, timeoutMs: number, what: string | (() => string), intervalMs = 50): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
