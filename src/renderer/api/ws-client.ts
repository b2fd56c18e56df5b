/**
 * ForesightApi over the web host's WebSocket (`WS_PATH`, JSON `WsClientMessage` /
 * `WsServerMessage`). Requests carry ids and are matched to responses; events are
 * dispatched to listeners. When the socket drops, pending requests fail, the client
 * reconnects by itself with backoff, and its transport state says so.
 *
 * The socket and timers are injected so the request matching and reconnect logic can be
 * tested without a browser.
 */
import type {
  ApiEventName,
  ApiEvents,
  ApiMethodName,
  ApiMethods,
  ForesightApi,
  Unsubscribe,
  WsClientMessage,
  WsServerMessage,
} from '../../shared/api';
import type { TransportMonitor, TransportState, TransportStatus } from './transport';

/** The part of the browser WebSocket this client uses. */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface WsClientOptions {
  url: string;
  createSocket: (url: string) => SocketLike;
  timers?: Timers;
  /** A request without a response after this long fails, ms. */
  requestTimeoutMs?: number;
  /** First reconnect delay, doubled after each failure up to `maxReconnectDelayMs`. */
  reconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
}

const OPEN = 1;

interface Pending {
  resolve: (res: unknown) => void;
  reject: (err: Error) => void;
  timer: unknown;
}

const defaultTimers: Timers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
};

export class WsApiClient implements ForesightApi, TransportMonitor {
  private socket: SocketLike | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<ApiEventName, Set<(payload: never) => void>>();
  private readonly statusListeners = new Set<(s: TransportStatus) => void>();
  private state: TransportStatus = { state: 'connecting', message: 'Connecting to the console…', attempts: 0 };
  private reconnectTimer: unknown = null;
  private reconnectDelay: number;
  private closed = false;
  private everOpened = false;
  private readonly timers: Timers;
  private readonly requestTimeoutMs: number;
  private readonly maxReconnectDelayMs: number;
  private readonly baseReconnectDelayMs: number;

  constructor(private readonly opts: WsClientOptions) {
    this.timers = opts.timers ?? defaultTimers;
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 10_000;
    this.baseReconnectDelayMs = opts.reconnectDelayMs ?? 250;
    this.maxReconnectDelayMs = opts.maxReconnectDelayMs ?? 2_000;
    this.reconnectDelay = this.baseReconnectDelayMs;
    this.open();
  }

  // ---- ForesightApi ----

  invoke<M extends ApiMethodName>(method: M, req: ApiMethods[M]['req']): Promise<ApiMethods[M]['res']> {
    const socket = this.socket;
    if (!socket || socket.readyState !== OPEN || this.state.state !== 'open') {
      // Never queue: a teleop command replayed after a reconnect would be stale motion.
      return Promise.reject(new Error(`Not connected to the console (${this.state.message})`));
    }
    const id = this.nextId++;
    const msg: WsClientMessage = { id, method, req };
    return new Promise<ApiMethods[M]['res']>((resolve, reject) => {
      const timer = this.timers.setTimeout(() => {
        if (this.pending.delete(id)) reject(new Error(`${method}: no answer within ${this.requestTimeoutMs} ms`));
      }, this.requestTimeoutMs);
      this.pending.set(id, { resolve: resolve as (res: unknown) => void, reject, timer });
      try {
        socket.send(JSON.stringify(msg));
      } catch (err) {
        this.pending.delete(id);
        this.timers.clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  on<E extends ApiEventName>(event: E, listener: (payload: ApiEvents[E]) => void): Unsubscribe {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    const l = listener as (payload: never) => void;
    set.add(l);
    return () => {
      set.delete(l);
    };
  }

  // ---- TransportMonitor ----

  get status(): TransportStatus {
    return this.state;
  }

  onStatus(listener: (s: TransportStatus) => void): Unsubscribe {
    this.statusListeners.add(listener);
    return () => {
      this.statusListeners.delete(listener);
    };
  }

  /** Requests in flight (for tests and diagnostics). */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Closes for good: no reconnect. */
  close(): void {
    this.closed = true;
    if (this.reconnectTimer !== null) this.timers.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.failPending('client closed');
    const s = this.socket;
    this.socket = null;
    if (s) {
      s.onclose = null;
      s.close(1000, 'closed');
    }
    this.setState('closed', 'Closed');
  }

  // ---- internals ----

  private open(): void {
    if (this.closed) return;
    let socket: SocketLike;
    try {
      socket = this.opts.createSocket(this.opts.url);
    } catch (err) {
      this.scheduleReconnect(`Cannot open the console connection: ${String(err)}`);
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.reconnectDelay = this.baseReconnectDelayMs;
      this.everOpened = true;
      this.setState('open', 'Connected to the console');
    };
    socket.onmessage = (ev) => {
      if (this.socket !== socket) return;
      this.handleMessage(ev.data);
    };
    socket.onerror = () => {
      // The close event follows and carries the details.
    };
    socket.onclose = (ev) => {
      if (this.socket !== socket) return;
      this.socket = null;
      const refused = ev.code === 1008 || ev.code === 4401 || ev.code === 4403;
      const why = refused ? 'the console refused the access token' : ev.reason || `socket closed (code ${ev.code})`;
      this.failPending(`connection to the console lost: ${why}`);
      if (!this.everOpened && !refused) {
        // A browser cannot see why a WebSocket handshake failed (an HTTP 401 looks like 1006).
        this.scheduleReconnect(
          /[?&]token=(&|$)/.test(this.opts.url)
            ? 'Cannot reach the console: the page URL has no ?token=. Open the URL the console printed.'
            : 'Cannot reach the console: is it running, and is the token in the page URL current? Retrying…',
        );
      } else {
        this.scheduleReconnect(`Console connection lost (${why}), reconnecting…`);
      }
    };
  }

  private scheduleReconnect(message: string): void {
    if (this.closed) return;
    this.setState('reconnecting', message);
    const delay = this.reconnectDelay;
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, this.maxReconnectDelayMs);
    this.reconnectTimer = this.timers.setTimeout(() => {
      this.reconnectTimer = null;
      this.state = { ...this.state, attempts: this.state.attempts + 1 };
      this.open();
    }, delay);
  }

  private handleMessage(data: unknown): void {
    if (typeof data !== 'string') return;
    let msg: WsServerMessage;
    try {
      msg = JSON.parse(data) as WsServerMessage;
    } catch {
      return;
    }
    if (!msg || typeof msg !== 'object') return;
    if ('event' in msg) {
      const set = this.listeners.get(msg.event);
      if (!set) return;
      for (const l of [...set]) {
        try {
          l(msg.payload as never);
        } catch (err) {
          console.error(`listener for ${msg.event} failed`, err);
        }
      }
      return;
    }
    if (typeof msg.id !== 'number') return;
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    this.timers.clearTimeout(p.timer);
    if (msg.ok) p.resolve(msg.res);
    else p.reject(new Error(msg.error));
  }

  private failPending(reason: string): void {
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      this.timers.clearTimeout(p.timer);
      p.reject(new Error(reason));
    }
  }

  private setState(state: TransportState, message: string): void {
    this.state = { state, message, attempts: state === 'open' ? 0 : this.state.attempts };
    for (const l of [...this.statusListeners]) l(this.state);
  }
}

/** The WebSocket URL for the page at `location`: same host, `WS_PATH`, the page's token. */
export function wsUrlFor(location: { protocol: string; host: string; search: string }, path: string): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const token = new URLSearchParams(location.search).get('token') ?? '';
  return `${scheme}//${location.host}${path}?token=${encodeURIComponent(token)}`;
}
