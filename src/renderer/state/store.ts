/**
 * The renderer's live state: newest snapshot, map, recent events and the console
 * connection state. Plain subscribe/get so React (useSyncExternalStore) and the pixi scene
 * can both read it without re-rendering on every change they do not use.
 */
import type { ConsoleEvent, ConsoleSnapshot, MapPayload } from '../../shared/api';
import type { TransportStatus } from '../api/transport';

export interface StoreState {
  snapshot: ConsoleSnapshot | null;
  /** Snapshots received over the last second. */
  snapshotHz: number;
  map: MapPayload | null;
  events: (ConsoleEvent & { seq: number })[];
  transport: TransportStatus;
}

const MAX_EVENTS = 50;

/** An event raised in this window (not by the console), stamped with the page clock. */
export function localEvent(level: ConsoleEvent['level'], message: string): ConsoleEvent {
  return { t: performance.now() / 1000, level, message };
}

export class Store {
  private state: StoreState;
  private readonly subs = new Set<() => void>();
  private snapTimes: number[] = [];
  private seq = 0;

  constructor(transport: TransportStatus) {
    this.state = { snapshot: null, snapshotHz: 0, map: null, events: [], transport };
  }

  get = (): StoreState => this.state;

  subscribe = (fn: () => void): (() => void) => {
    this.subs.add(fn);
    return () => {
      this.subs.delete(fn);
    };
  };

  setSnapshot(s: ConsoleSnapshot, now = performance.now()): void {
    this.snapTimes.push(now);
    while (this.snapTimes.length > 0 && now - this.snapTimes[0] > 1000) this.snapTimes.shift();
    this.set({ snapshot: s, snapshotHz: this.snapTimes.length });
  }

  setMap(m: MapPayload | null): void {
    this.set({ map: m });
  }

  addEvent(e: ConsoleEvent): void {
    const events = [{ ...e, seq: ++this.seq }, ...this.state.events].slice(0, MAX_EVENTS);
    this.set({ events });
  }

  setTransport(t: TransportStatus): void {
    this.set({ transport: t });
  }

  private set(patch: Partial<StoreState>): void {
    this.state = { ...this.state, ...patch };
    for (const fn of [...this.subs]) fn();
  }
}
