/**
 * A byte pipe to the robot: serial port or TCP socket behind one interface. A transport is
 * re-openable: after it closes (by request or because the device vanished), open() may be
 * called again on the same endpoint. Listeners stay registered across reopen.
 */

export type TransportErrorCode =
  | 'not-found' // the device or host does not exist (ENOENT, ECONNREFUSED, EHOSTUNREACH)
  | 'permission-denied' // EACCES: e.g. user not in the dialout group
  | 'busy' // another process holds the port
  | 'timeout' // no answer while opening
  | 'disconnected' // the device vanished or the peer closed the connection
  | 'io' // any other read/write/open failure
  | 'already-open';

export class TransportError extends Error {
  constructor(
    readonly code: TransportErrorCode,
    message: string,
    /** The underlying error, for logs. */
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

export type OpenResult = { ok: true } | { ok: false; error: TransportError };

/** Why a transport closed. */
export interface TransportCloseInfo {
  /** True when close() was called; false when the device or peer went away. */
  requested: boolean;
  error: TransportError | null;
}

export type Unsubscribe = () => void;

export interface Transport {
  /** What the operator reads: the port path or host:port. */
  readonly endpoint: string;
  readonly kind: 'serial' | 'tcp';
  readonly isOpen: boolean;
  /** Opens the endpoint. Never throws: failures come back as a typed error. */
  open(): Promise<OpenResult>;
  /** Queues bytes for sending. Returns false (and sends nothing) when not open. */
  write(bytes: Uint8Array): boolean;
  onData(listener: (chunk: Uint8Array) => void): Unsubscribe;
  /** Once per open session, whatever the cause. */
  onClose(listener: (info: TransportCloseInfo) => void): Unsubscribe;
  /** Errors that do not (yet) close the transport, e.g. a failed write. */
  onError(listener: (error: TransportError) => void): Unsubscribe;
  /** Flushes queued bytes (bounded wait), then closes. Safe to call when closed. */
  close(): Promise<void>;
}

/** Maps a Node/serialport error to a transport error code. */
export function classifyError(err: unknown): TransportErrorCode {
  const e = err as { code?: string; message?: string; disconnected?: boolean } | null;
  if (e?.disconnected) return 'disconnected';
  const code = e?.code ?? '';
  const message = e?.message ?? '';
  if (code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENOTFOUND' || /ENOENT|No such file/.test(message)) return 'not-found';
  if (code === 'EACCES' || /EACCES|Permission denied/i.test(message)) return 'permission-denied';
  if (code === 'EBUSY' || /EBUSY|Resource busy|Cannot lock port/i.test(message)) return 'busy';
  if (code === 'ETIMEDOUT') return 'timeout';
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'EIO' || /EIO|Input\/output error|bad file descriptor/i.test(message)) return 'disconnected';
  return 'io';
}

/** A plain-words description for the operator. */
export function describeTransportError(endpoint: string, code: TransportErrorCode, detail: string): string {
  switch (code) {
    case 'not-found': return `${endpoint} not found (${detail})`;
    case 'permission-denied': return `no permission to open ${endpoint} (is your user in the dialout group?)`;
    case 'busy': return `${endpoint} is in use by another program`;
    case 'timeout': return `${endpoint} did not answer in time`;
    case 'disconnected': return `${endpoint} disconnected (${detail})`;
    case 'already-open': return `${endpoint} is already open`;
    case 'io': return `${endpoint}: ${detail}`;
  }
}

/** Listener sets shared by the transport implementations. */
export class TransportListeners {
  readonly data = new Set<(chunk: Uint8Array) => void>();
  readonly close = new Set<(info: TransportCloseInfo) => void>();
  readonly error = new Set<(error: TransportError) => void>();

  add<T>(set: Set<T>, listener: T): Unsubscribe {
    set.add(listener);
    return () => { set.delete(listener); };
  }
  emitData(chunk: Uint8Array): void { for (const l of this.data) l(chunk); }
  emitClose(info: TransportCloseInfo): void { for (const l of this.close) l(info); }
  emitError(error: TransportError): void { for (const l of this.error) l(error); }
}

/**
 * Bounds a transport's send queue: a write that would grow the queue past `maxBytes` is
 * refused whole (a late command is worse than none: the robot's watchdog stops it), and
 * the first refusal of each backlog episode is reported once.
 */
export class SendBacklog {
  private backlogged = false;

  constructor(
    private readonly endpoint: string,
    private readonly maxBytes: number,
    private readonly listeners: TransportListeners,
  ) {}

  /** Whether `length` more bytes fit behind `queued` waiting ones. */
  admit(queued: number, length: number): boolean {
    // An empty queue always takes the write, however large.
    if (queued === 0 || queued + length <= this.maxBytes) {
      this.backlogged = false;
      return true;
    }
    if (!this.backlogged) {
      this.backlogged = true;
      this.listeners.emitError(new TransportError('io', describeTransportError(this.endpoint, 'io', `send queue full (${queued} bytes waiting); dropping frames until it drains`)));
    }
    return false;
  }
}
