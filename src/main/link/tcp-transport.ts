/**
 * TCP transport (node:net): the simulator's `--tcp PORT` mode, or a robot behind a
 * serial-to-network bridge. Same byte stream, same framing as serial.
 */
import { Socket } from 'node:net';
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

export interface TcpTransportOptions {
  host: string;
  port: number;
  /** Give up connecting after this long, ms. Default 2000. */
  connectTimeoutMs?: number;
  /** Longest wait for queued bytes on close, ms. Default 200. */
  drainTimeoutMs?: number;
  /**
   * Most bytes allowed to wait in the send queue; writes beyond it are refused whole. Default
   * 1024 (about 90 ms at 115200 baud). A backed-up queue would deliver stale commands late;
   * refusing them instead lets the robot's own 250 ms watchdog stop it.
   */
  maxBacklogBytes?: number;
}

export class TcpTransport implements Transport {
  readonly kind = 'tcp';
  readonly endpoint: string;
  private readonly host: string;
  private readonly port: number;
  private readonly connectTimeoutMs: number;
  private readonly drainTimeoutMs: number;
  private readonly backlog: SendBacklog;
  /** True while writes are being refused for backlog, so the error is reported once per episode. */
  private readonly listeners = new TransportListeners();
  private socket: Socket | null = null;
  private connected = false;
  private closing = false;
  private readonly reported = new WeakSet<Socket>();

  constructor(options: TcpTransportOptions) {
    this.host = options.host;
    this.port = options.port;
    this.endpoint = `${options.host}:${options.port}`;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 2000;
    this.drainTimeoutMs = options.drainTimeoutMs ?? 200;
    this.backlog = new SendBacklog(this.endpoint, options.maxBacklogBytes ?? 1024, this.listeners);
  }

  get isOpen(): boolean {
    return this.connected;
  }

  open(): Promise<OpenResult> {
    if (this.socket) {
      return Promise.resolve({ ok: false, error: new TransportError('already-open', describeTransportError(this.endpoint, 'already-open', '')) });
    }
    const socket = new Socket();
    this.socket = socket;
    return new Promise<OpenResult>((resolve) => {
      let settled = false;
      const fail = (code: TransportError['code'], detail: string, cause?: unknown): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.removeAllListeners();
        socket.on('error', () => undefined);
        socket.destroy();
        if (this.socket === socket) this.socket = null;
        resolve({ ok: false, error: new TransportError(code, describeTransportError(this.endpoint, code, detail), cause) });
      };
      const timer = setTimeout(() => fail('timeout', `no connection within ${this.connectTimeoutMs} ms`), this.connectTimeoutMs);
      socket.once('error', (err) => fail(classifyError(err), err.message, err));
      socket.once('close', () => fail('io', 'closed while connecting'));
      socket.connect({ host: this.host, port: this.port }, () => {
        if (settled) return;
        if (this.socket !== socket) {
          // close() was called while connecting.
          fail('io', 'closed while connecting');
          return;
        }
        settled = true;
        clearTimeout(timer);
        socket.removeAllListeners('error');
        // Commands are tiny and time-critical: do not let Nagle hold them back.
        socket.setNoDelay(true);
        this.connected = true;
        this.attach(socket);
        resolve({ ok: true });
      });
    });
  }

  private attach(socket: Socket): void {
    let lastError: Error | null = null;
    socket.on('data', (chunk: Buffer) => this.listeners.emitData(chunk));
    socket.on('error', (err) => {
      lastError = err;
      const code = classifyError(err);
      this.listeners.emitError(new TransportError(code, describeTransportError(this.endpoint, code, err.message), err));
    });
    socket.on('close', () => {
      if (this.closing && this.socket === socket) {
        this.reportClose(socket, { requested: true, error: null });
        return;
      }
      const detail = lastError?.message ?? 'connection closed by the robot';
      this.reportClose(socket, {
        requested: false,
        error: new TransportError('disconnected', describeTransportError(this.endpoint, 'disconnected', detail), lastError),
      });
    });
  }

  private reportClose(socket: Socket, info: TransportCloseInfo): void {
    if (this.reported.has(socket)) return;
    this.reported.add(socket);
    if (this.socket === socket) {
      this.socket = null;
      this.connected = false;
    }
    this.listeners.emitClose(info);
  }

  write(bytes: Uint8Array): boolean {
    const socket = this.socket;
    if (!socket || !this.connected || this.closing || socket.destroyed) return false;
    if (!this.backlog.admit(socket.writableLength, bytes.length)) return false;
    socket.write(bytes);
    return true;
  }

  onData(listener: (chunk: Uint8Array) => void): Unsubscribe { return this.listeners.add(this.listeners.data, listener); }
  onClose(listener: (info: TransportCloseInfo) => void): Unsubscribe { return this.listeners.add(this.listeners.close, listener); }
  onError(listener: (error: TransportError) => void): Unsubscribe { return this.listeners.add(this.listeners.error, listener); }

  async close(): Promise<void> {
    const socket = this.socket;
    if (!socket || this.closing) return;
    this.closing = true;
    try {
      await new Promise<void>((resolve) => {
        if (socket.destroyed) { resolve(); return; }
        if (!this.connected) { socket.destroy(); resolve(); return; }
        const timer = setTimeout(() => { socket.destroy(); }, this.drainTimeoutMs);
        socket.once('close', () => { clearTimeout(timer); resolve(); });
        // end() flushes queued bytes, then half-closes; the robot side closes in turn.
        socket.end();
      });
    } finally {
      this.closing = false;
      this.reportClose(socket, { requested: true, error: null });
      socket.removeAllListeners('data');
    }
  }
}
