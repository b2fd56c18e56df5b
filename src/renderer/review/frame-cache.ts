/**
 * Frames of a recorded run, fetched from the console and cached around the playback cursor.
 *
 * Times are quantized to `quantumS` (a frame per 20 ms of run time is finer than anything
 * recorded but the 50 Hz odometry), so nearby requests share a frame. At most `maxInFlight`
 * requests run at once; when the cursor moves faster than answers come back, only the
 * newest wanted time is fetched next (latest wins), so a scrub never queues behind stale
 * requests. Prefetch fills the cache ahead of (and around) the cursor.
 */
import type { RunFrame } from '../../shared/api';

export type FetchFrame = (t: number) => Promise<RunFrame>;

export interface FrameCacheOptions {
  quantumS?: number;
  capacity?: number;
  maxInFlight?: number;
}

export class FrameCache {
  private readonly frames = new Map<number, RunFrame>();
  private readonly inFlight = new Set<number>();
  private readonly waiters = new Map<number, ((f: RunFrame | null) => void)[]>();
  private wanted: number | null = null;
  private prefetchQueue: number[] = [];
  readonly quantumS: number;
  private readonly capacity: number;
  private readonly maxInFlight: number;
  private disposed = false;
  /** Called when a frame arrives (cached). */
  onFrame: ((f: RunFrame) => void) | null = null;
  /** Fetch failures, newest message. */
  lastError: string | null = null;

  constructor(private readonly fetch: FetchFrame, opts: FrameCacheOptions = {}) {
    this.quantumS = opts.quantumS ?? 0.02;
    this.capacity = opts.capacity ?? 400;
    this.maxInFlight = opts.maxInFlight ?? 2;
  }

  /** Quantized key of run time `t` (an integer count of quanta). */
  key(t: number): number {
    return Math.round(t / this.quantumS);
  }

  /** The cached frame for `t`, if any. */
  get(t: number): RunFrame | null {
    const k = this.key(t);
    const f = this.frames.get(k);
    if (f) {
      // LRU touch.
      this.frames.delete(k);
      this.frames.set(k, f);
    }
    return f ?? null;
  }

  /** The cached frame nearest to `t` within `maxGapS`, for showing something while the exact one loads. */
  nearest(t: number, maxGapS: number): RunFrame | null {
    const k0 = this.key(t);
    const span = Math.ceil(maxGapS / this.quantumS);
    for (let d = 0; d <= span; d++) {
      const a = this.frames.get(k0 - d);
      if (a) return a;
      const b = this.frames.get(k0 + d);
      if (b) return b;
    }
    return null;
  }

  /** Wants the frame at `t` now (cursor): fetched before any prefetch, latest wins. */
  want(t: number): Promise<RunFrame | null> {
    const k = this.key(t);
    const hit = this.get(t);
    if (hit) return Promise.resolve(hit);
    const p = new Promise<RunFrame | null>((resolve) => {
      const list = this.waiters.get(k) ?? [];
      list.push(resolve);
      this.waiters.set(k, list);
    });
    // A newer cursor position replaces an older one not yet requested.
    if (this.wanted !== null && this.wanted !== k && !this.inFlight.has(this.wanted)) this.settle(this.wanted, null);
    this.wanted = k;
    this.pump();
    return p;
  }

  /** Queues frames to load when idle (after the cursor's), nearest first. */
  prefetch(times: readonly number[]): void {
    const keys = times.map((t) => this.key(t)).filter((k) => !this.frames.has(k) && !this.inFlight.has(k));
    this.prefetchQueue = [...new Set(keys)];
    this.pump();
  }

  get size(): number {
    return this.frames.size;
  }

  get pending(): number {
    return this.inFlight.size;
  }

  dispose(): void {
    this.disposed = true;
    for (const k of [...this.waiters.keys()]) this.settle(k, null);
    this.frames.clear();
  }

  private pump(): void {
    while (!this.disposed && this.inFlight.size < this.maxInFlight) {
      let k: number | undefined;
      if (this.wanted !== null && !this.inFlight.has(this.wanted)) {
        k = this.wanted;
        this.wanted = null;
      } else {
        // Prefetch only with a free slot left for the cursor.
        if (this.inFlight.size >= this.maxInFlight - 1 && this.maxInFlight > 1) return;
        while (this.prefetchQueue.length > 0 && k === undefined) {
          const c = this.prefetchQueue.shift()!;
          if (!this.frames.has(c) && !this.inFlight.has(c)) k = c;
        }
      }
      if (k === undefined) return;
      this.load(k);
    }
  }

  private load(k: number): void {
    this.inFlight.add(k);
    this.fetch(k * this.quantumS).then(
      (f) => {
        this.inFlight.delete(k);
        if (this.disposed) return;
        this.frames.set(k, f);
        while (this.frames.size > this.capacity) this.frames.delete(this.frames.keys().next().value!);
        this.lastError = null;
        this.settle(k, f);
        this.onFrame?.(f);
        this.pump();
      },
      (err: unknown) => {
        this.inFlight.delete(k);
        this.lastError = err instanceof Error ? err.message : String(err);
        this.settle(k, null);
        this.pump();
      },
    );
  }

  private settle(k: number, f: RunFrame | null): void {
    const list = this.waiters.get(k);
    if (!list) return;
    this.waiters.delete(k);
    for (const r of list) r(f);
  }
}
