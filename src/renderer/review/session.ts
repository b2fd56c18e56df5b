/**
 * One open run under review: the playback clock, the frame cache, and the feed that pushes
 * the frame at the playback time into the map scene (the same MapScene the live view uses).
 * React-free; components read `get()` through `subscribe` (useSyncExternalStore).
 *
 * Seek-to-render is measured here: from the seek call to the scene having drawn the frame of
 * the sought instant (the map view reports each draw's frame time through `onDrawn`).
 *
 * The run's extent (its series' box around every recorded position and goal, padded in
 * run-view.ts) goes to the scene with the frames: the map view fits it.
 */
import type { ConsoleSnapshot, ForesightApi, RunSeries, RunTimeline } from '../../shared/api';
import type { Incident } from '../../shared/incidents';
import type { RunSummary } from '../../shared/recording';
import { PlaybackClock, STEP_S } from './clock';
import { FrameCache } from './frame-cache';
import { padExtent, type Extent } from './run-view';

/** Where frames go: the map scene (through the map view). */
export interface SceneSink {
  setSnapshot(s: ConsoleSnapshot, urgent: boolean): void;
  /** The run's extent (map frame, m), to fit when the run opens; null when unknown. */
  setFitBounds?(b: Extent | null): void;
}

/** What the map view needs from a non-live source of snapshots. */
export interface FrameFeed {
  attach(sink: SceneSink): () => void;
  /** Called after each scene draw with the drawn snapshot's time. */
  onDrawn(frameT: number | null): void;
}

export interface ReviewState {
  t: number;
  playing: boolean;
  rate: number;
  /** Time of the frame on screen. */
  shownT: number | null;
  loading: boolean;
  selectedIncident: number | null;
  /** Seek-to-render latencies, ms, newest last (at most 50). */
  seekMs: number[];
  error: string | null;
  /** The run's extent (robot path and goals, with a margin); null when the run has no pose or goal. */
  extent: Extent | null;
}

const SEEK_HISTORY = 50;

export class ReviewSession implements FrameFeed {
  readonly clock: PlaybackClock;
  readonly cache: FrameCache;
  private state: ReviewState;
  private readonly subs = new Set<() => void>();
  private sink: SceneSink | null = null;
  private raf = 0;
  private disposed = false;
  private shownKey: number | null = null;
  private targetKey: number | null = null;
  private pendingSeek: { key: number; startMs: number } | null = null;
  private lastPrefetchKey: number | null = null;

  constructor(
    private readonly api: ForesightApi,
    readonly run: RunSummary,
    readonly timeline: RunTimeline,
    readonly incidents: Incident[],
    readonly series: RunSeries | null,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.clock = new PlaybackClock(timeline.startT, timeline.endT);
    this.cache = new FrameCache((t) => this.api.invoke('getRunFrame', { runId: run.id, t }));
    this.state = { t: timeline.startT, playing: false, rate: 1, shownT: null, loading: false, selectedIncident: null, seekMs: [], error: null, extent: null };
  }

  get = (): ReviewState => this.state;

  subscribe = (fn: () => void): (() => void) => {
    this.subs.add(fn);
    return () => {
      this.subs.delete(fn);
    };
  };

  // ── FrameFeed ──

  attach(sink: SceneSink): () => void {
    this.sink = sink;
    if (this.state.extent) sink.setFitBounds?.(this.state.extent);
    this.show(this.clock.now(this.now()), true);
    return () => {
      if (this.sink === sink) this.sink = null;
    };
  }

  onDrawn(frameT: number | null): void {
    const p = this.pendingSeek;
    if (!p || frameT === null || this.cache.key(frameT) !== p.key) return;
    this.pendingSeek = null;
    const ms = this.now() - p.startMs;
    this.set({ seekMs: [...this.state.seekMs, ms].slice(-SEEK_HISTORY) });
  }

  // ── controls ──

  play(): void {
    this.clock.play(this.now());
    this.set({ playing: true });
    this.loop();
  }

  pause(): void {
    this.clock.pause(this.now());
    this.show(this.clock.now(this.now()), true);
    this.set({ playing: false, t: this.clock.now(this.now()) });
  }

  toggle(): void {
    if (this.clock.playing) this.pause();
    else this.play();
  }

  /** Jumps to run time `t` and measures until it is drawn. */
  seek(t: number): void {
    const wall = this.now();
    this.clock.seek(t, wall);
    const at = this.clock.now(wall);
    this.pendingSeek = { key: this.cache.key(at), startMs: wall };
    this.show(at, true);
    this.set({ t: at });
  }

  step(steps: number): void {
    this.clock.step(steps, this.now());
    const at = this.clock.now(this.now());
    this.pendingSeek = { key: this.cache.key(at), startMs: this.now() };
    this.show(at, true);
    this.set({ t: at, playing: false });
  }

  setRate(rate: number): void {
    this.clock.setRate(rate, this.now());
    this.set({ rate: this.clock.rate });
  }

  /** Jumps to an incident (its instant) and selects it for the explanation panel. */
  selectIncident(id: number | null): void {
    this.set({ selectedIncident: id });
    const inc = id === null ? null : this.incidents.find((i) => i.id === id);
    if (inc) {
      if (this.clock.playing) this.pause();
      this.seek(inc.start);
    }
  }

  /**
   * The run's extent (its recorded path and goals, from the series main computes over every
   * odometry record) with a margin, handed to the scene to fit. Null without a series, or a
   * run with no pose and no goal.
   */
  loadExtent(): Extent | null {
    const extent = padExtent(this.series?.extent ?? null);
    this.set({ extent });
    this.sink?.setFitBounds?.(extent);
    return extent;
  }


  dispose(): void {
    this.disposed = true;
    cancelAnimationFrame(this.raf);
    this.cache.dispose();
    this.sink = null;
    this.subs.clear();
  }

  // ── internals ──

  private loop(): void {
    cancelAnimationFrame(this.raf);
    const tick = () => {
      if (this.disposed) return;
      const t = this.clock.now(this.now());
      this.show(t, false);
      if (!this.clock.playing) {
        this.set({ t, playing: false });
        return;
      }
      this.set({ t });
      this.raf = requestAnimationFrame(tick);
    };
    this.raf = requestAnimationFrame(tick);
  }

  /** Puts the frame for `t` on screen: from the cache at once, or as soon as it arrives. */
  private show(t: number, urgent: boolean): void {
    const key = this.cache.key(t);
    this.targetKey = key;
    const hit = this.cache.get(t);
    if (hit) {
      this.push(key, hit.snapshot, urgent);
    } else {
      if (!this.state.loading) this.set({ loading: true });
      void this.cache.want(t).then((f) => {
        if (!f || this.disposed) return;
        const k = this.cache.key(f.t);
        // Late answers for a position already left behind are not shown (no jumping back).
        if (this.targetKey === key || this.shownKey === null) this.push(k, f.snapshot, urgent);
        if (this.state.error !== null) this.set({ error: null });
      }, () => {});
    }
    this.prefetchAround(t);
  }

  private push(key: number, s: ConsoleSnapshot, urgent: boolean): void {
    this.shownKey = key;
    this.sink?.setSnapshot(s, urgent);
    this.set({ shownT: s.t, loading: false, error: this.cache.lastError });
  }

  /** Playing: the next half second of display frames; paused: a step either side. */
  private prefetchAround(t: number): void {
    const key = this.cache.key(t);
    if (key === this.lastPrefetchKey) return;
    this.lastPrefetchKey = key;
    const times: number[] = [];
    if (this.clock.playing) {
      const dt = Math.max(this.cache.quantumS, this.clock.rate / 30);
      for (let i = 1; i <= 12; i++) times.push(t + i * dt);
    } else {
      for (let i = 1; i <= 3; i++) times.push(t + i * STEP_S, t - i * STEP_S);
    }
    this.cache.prefetch(times.filter((x) => x >= this.timeline.startT && x <= this.timeline.endT));
  }

  private set(patch: Partial<ReviewState>): void {
    this.state = { ...this.state, ...patch };
    for (const fn of [...this.subs]) fn();
  }
}

/** Opens a run: timeline, incidents and series in parallel (series may fail without closing the run). */
export async function openReviewSession(api: ForesightApi, runId: number): Promise<ReviewSession> {
  const [run, timeline, incidents, series] = await Promise.all([
    api.invoke('getRun', { runId }),
    api.invoke('getRunTimeline', { runId }),
    api.invoke('getIncidents', { runId }),
    api.invoke('getRunSeries', { runId }).catch(() => null),
  ]);
  const session = new ReviewSession(api, run, timeline, incidents, series);
  session.loadExtent();
  return session;
}
