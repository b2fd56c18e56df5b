/**
 * Serial transport over serialport v13. A fresh SerialPort is created on every open(), so a
 * device that vanished and came back (same path, maybe a new /dev/pts behind a symlink) is
 * opened cleanly.
 */
import { SerialPort } from 'serialport';
import {
  SendBacklog,
  TransportError,
  TransportListeners,
  classifyError,
  describeTransportError,
  type OpenResult,
  type Transport,
  type TransportCloseInfo,
  type Unsubscribe,
} from './transport';

export interface SerialTransportOptions {
  /** Device path, e.g. /dev/ttyACM0, /dev/pts/3 or a symlink such as /tmp/foresight-sim.tty. */
  path: string;
  /** Line rate, bits/s. Default 115200. Ignored by pseudo-terminals. */
  baudRate?: number;
  /** Longest wait for queued bytes on close, ms. Default 200. */
  drainTimeoutMs?: number;
  /**
   * Most bytes allowed to wait in the send queue; writes beyond it are refused whole. Default
   * 1024 (about 90 ms at 115200 baud). A backed-up queue would deliver stale commands late;
   * refusing them instead lets the robot's own 250 ms watchdog stop it.
   */
  maxBacklogBytes?: number;
}

export class SerialTransport implements Transport {
  readonly kind = 'serial';
  readonly endpoint: string;
  private readonly baudRate: number;
  private readonly drainTimeoutMs: number;
  private readonly backlog: SendBacklog;
  /** True while writes are being refused for backlog, so the error is reported once per episode. */
  private readonly listeners = new TransportListeners();
  private port: SerialPort | null = null;
  /** Ports whose close has been reported, so each open session reports exactly once. */
  private readonly reported = new WeakSet<SerialPort>();
  /** Set while close() is in progress, so the resulting 'close' event counts as requested. */
  private closing = false;

  constructor(options: SerialTransportOptions) {
    this.endpoint = options.path;
    this.baudRate = options.baudRate ?? 115200;
    this.drainTimeoutMs = options.drainTimeoutMs ?? 200;
    this.backlog = new SendBacklog(this.endpoint, options.maxBacklogBytes ?? 1024, this.listeners);
  }

  get isOpen(): boolean {
    return this.port?.isOpen ?? false;
  }

  open(): Promise<OpenResult> {
    if (this.port) {
      return Promise.resolve({ ok: false, error: new TransportError('already-open', describeTransportError(this.endpoint, 'already-open', '')) });
    }
    const port = new SerialPort({ path: this.endpoint, baudRate: this.baudRate, autoOpen: false });
    this.port = port;
    return new Promise<OpenResult>((resolve) => {
      port.open((err) => {
        if (err) {
          this.port = null;
          port.removeAllListeners();
          const code = classifyError(err);
          resolve({ ok: false, error: new TransportError(code, describeTransportError(this.endpoint, code, err.message), err) });
          return;
        }
        if (this.port !== port) {
          // close() was called while opening: do not leak an open descriptor nobody tracks,
          // and settle only once it is released (serialport locks the device: a reopen
          // before then fails with "Cannot lock port", as it did under load).
          port.close(() => resolve({ ok: false, error: new TransportError('io', describeTransportError(this.endpoint, 'io', 'closed while opening')) }));
          return;
        }
        this.attach(port);
        resolve({ ok: true });
      });
    });
  }

  private attach(port: SerialPort): void {
    const finish = (info: TransportCloseInfo): void => this.reportClose(port, info);
    port.on('data', (chunk: Buffer) => this.listeners.emitData(chunk));
    port.on('error', (err: Error) => {
      const code = classifyError(err);
      this.listeners.emitError(new TransportError(code, describeTransportError(this.endpoint, code, err.message), err));
    });
    // serialport emits 'close' with a DisconnectedError when the device vanishes.
    port.on('close', (err: Error | null | undefined) => {
      if (this.closing && this.port === port) {
        finish({ requested: true, error: null });
        return;
      }
      const code = err ? classifyError(err) : 'disconnected';
      const detail = err?.message ?? 'port closed';
      finish({ requested: false, error: new TransportError(code, describeTransportError(this.endpoint, code, detail), err) });
    });
  }

  private reportClose(port: SerialPort, info: TransportCloseInfo): void {
    if (this.reported.has(port)) return;
    this.reported.add(port);
    if (this.port === port) this.port = null;
    this.listeners.emitClose(info);
  }

  write(bytes: Uint8Array): boolean {
    const port = this.port;
    if (!port?.isOpen || this.closing) return false;
    if (!this.backlog.admit(port.writableLength, bytes.length)) return false;
    port.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    return true;
  }

  onData(listener: (chunk: Uint8Array) => void): Unsubscribe { return this.listeners.add(this.listeners.data, listener); }
  onClose(listener: (info: TransportCloseInfo) => void): Unsubscribe { return this.listeners.add(this.listeners.close, listener); }
  onError(listener: (error: TransportError) => void): Unsubscribe { return this.listeners.add(this.listeners.error, listener); }

  async close(): Promise<void> {
    const port = this.port;
    if (!port || this.closing) return;
    this.closing = true;
    try {
      if (port.isOpen) {
        // Let a final Stop reach the robot, but never hang on a wedged device.
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.drainTimeoutMs);
          port.drain(() => { clearTimeout(timer); resolve(); });
        });
      }
      await new Promise<void>((resolve) => {
        if (!port.isOpen) { resolve(); return; }
        port.close(() => resolve());
      });
    } finally {
      this.closing = false;
      // The 'close' event normally reported this already; make sure a reopen is possible regardless.
      this.reportClose(port, { requested: true, error: null });
      port.removeAllListeners('data');
    }
  }
}
