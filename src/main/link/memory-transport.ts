/**
 * An in-process Transport with a robot end, for tests that need no real device (session and
 * core tests, fake timers). Bytes are delivered asynchronously (microtask), like a real
 * port, never re-entrantly inside write().
 */
import {
  TransportError,
  TransportListeners,
  type OpenResult,
  type Transport,
  type TransportCloseInfo,
  type Unsubscribe,
} from './transport';

/** The robot's side of a MemoryTransport. */
export interface MemoryRobotEnd {
  /** Sends bytes to the host (dropped while the host side is closed). */
  write(bytes: Uint8Array): void;
  onData(listener: (chunk: Uint8Array) => void): Unsubscribe;
  /** Simulates the device vanishing: the host transport closes with 'disconnected'. */
  unplug(): void;
  /** While unplugged, open() fails with 'not-found'; plugIn() makes it openable again. */
  plugIn(): void;
  readonly hostOpen: boolean;
}

export class MemoryTransport implements Transport {
  readonly kind = 'serial';
  readonly endpoint: string;
  readonly robot: MemoryRobotEnd;
  private readonly listeners = new TransportListeners();
  private readonly robotListeners = new Set<(chunk: Uint8Array) => void>();
  private open_ = false;
  private plugged = true;

  constructor(endpoint = 'memory://robot') {
    this.endpoint = endpoint;
    const hostOpen = (): boolean => this.open_;
    this.robot = {
      write: (bytes) => {
        if (!this.open_) return;
        const copy = bytes.slice();
        queueMicrotask(() => { if (this.open_) this.listeners.emitData(copy); });
      },
      onData: (listener) => {
        this.robotListeners.add(listener);
        return () => { this.robotListeners.delete(listener); };
      },
      unplug: () => {
        this.plugged = false;
        if (!this.open_) return;
        this.open_ = false;
        this.listeners.emitClose({
          requested: false,
          error: new TransportError('disconnected', `${this.endpoint} disconnected (device removed)`),
        });
      },
      plugIn: () => { this.plugged = true; },
      get hostOpen() { return hostOpen(); },
    };
  }

  get isOpen(): boolean { return this.open_; }

  async open(): Promise<OpenResult> {
    if (this.open_) return { ok: false, error: new TransportError('already-open', `${this.endpoint} is already open`) };
    if (!this.plugged) return { ok: false, error: new TransportError('not-found', `${this.endpoint} not found (device removed)`) };
    this.open_ = true;
    return { ok: true };
  }

  write(bytes: Uint8Array): boolean {
    if (!this.open_) return false;
    const copy = bytes.slice();
    queueMicrotask(() => { for (const l of this.robotListeners) l(copy); });
    return true;
  }

  onData(listener: (chunk: Uint8Array) => void): Unsubscribe { return this.listeners.add(this.listeners.data, listener); }
  onClose(listener: (info: TransportCloseInfo) => void): Unsubscribe { return this.listeners.add(this.listeners.close, listener); }
  onError(listener: (error: TransportError) => void): Unsubscribe { return this.listeners.add(this.listeners.error, listener); }

  async close(): Promise<void> {
    if (!this.open_) return;
    this.open_ = false;
    this.listeners.emitClose({ requested: true, error: null });
  }
}
