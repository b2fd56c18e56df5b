/**
 * A Slamtec RPLIDAR (A1/A2/A3 and others that speak the standard SCAN mode) on its own serial
 * port, behind the LidarDevice seam. Protocol in ./protocol.ts.
 *
 * The port is opened with serialport directly rather than through SerialTransport, because
 * the motor of an A1 (and of an A2 on Slamtec's USB adapter) is switched by the DTR line,
 * which SerialTransport does not expose. As Slamtec's SDK does (sl_lidar_driver.cpp
 * setMotorSpeed): DTR cleared starts the motor, DTR set stops it; A2/A3 (model major 2-5)
 * also get SET_MOTOR_PWM (600 on, the SDK's fallback speed; 0 off).
 *
 * Connect: STOP, (optional RESET), GET_HEALTH (error: say so and do not scan), GET_INFO
 * (layout), motor on, SCAN; one `scan` per revolution. No nodes for `lostAfterMs` → `lost`,
 * close and reopen every `retryMs` until the device answers again.
 */
import { SerialPort } from 'serialport';
import { systemClock } from '../../link';
import { EventHub, type LidarDescription, type LidarDevice, type LidarDeviceEvents, type RobotLinkState } from '../driver';
import {
  AnswerType, Cmd, HealthStatus, RevolutionAssembler, ScanNodeDecoder, SendMode, describeDevice, encodeMotorPwm,
  encodeRequest, gridLayout, parseHealth, parseInfo, rangeLimits, revolutionToScan, takeResponse, type DeviceInfo, type NodeDecoderStats,
} from './protocol';

export const RPLIDAR_BAUD_RATES = [115200, 256000, 460800, 1000000] as const;
export type RplidarBaudRate = (typeof RPLIDAR_BAUD_RATES)[number];

export interface RplidarOptions {
  path: string;
  /** Default 115200 (A1, A2M8); 256000 for A2M12/A3, 460800/1000000 for S-series. */
  baudRate?: RplidarBaudRate;
  /** Beams of the fixed grid over (−π, π]. Default 360. */
  beams?: number;
  /** Host clock, ms. Default systemClock. */
  clock?: { nowMs(): number };
  /** No nodes for this long while scanning → lost. Default 1000. */
  lostAfterMs?: number;
  /** Wait between reconnect attempts, ms. Default 500. */
  retryMs?: number;
  /** Longest wait for an answer to GET_HEALTH / GET_INFO, ms. Default 1000. */
  answerTimeoutMs?: number;
  /** Send RESET (and wait for the device to boot) before asking for health. Default false. */
  reset?: boolean;
  /** PWM for A2/A3 motors. Default 600. */
  motorPwm?: number;
}

/** Revolutions per second until measured (A1 nominal). */
export const DEFAULT_RATE_HZ = 5.5;

type Phase = 'idle' | 'handshake' | 'scanning' | 'halted';


class AnswerTimeout extends Error {}

export class RplidarDevice implements LidarDevice {
  readonly endpoint: string;
  private readonly events = new EventHub<LidarDeviceEvents>();
  private readonly baudRate: number;
  private readonly beams: number;
  private readonly clock: { nowMs(): number };
  private readonly lostAfterMs: number;
  private readonly retryMs: number;
  private readonly answerTimeoutMs: number;
  private readonly doReset: boolean;
  private readonly motorPwm: number;

  private port: SerialPort | null = null;
  private phase: Phase = 'idle';
  private disposed = false;
  private started = false;
  private rx: Uint8Array = new Uint8Array(0);
  private rxWaiter: (() => void) | null = null;
  private readonly decoder = new ScanNodeDecoder();
  private readonly assembler = new RevolutionAssembler();
  private info: DeviceInfo | null = null;
  private description: LidarDescription | null = null;
  private lastNodeMs = 0;
  private revStartMs: number | null = null;
  private rateHz = DEFAULT_RATE_HZ;
  private watchdog: ReturnType<typeof setInterval> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private attempt = 0;
  private lastState: RobotLinkState['state'] | null = null;

  constructor(options: RplidarOptions) {
    this.endpoint = options.path;
    this.baudRate = options.baudRate ?? 115200;
    if (!(RPLIDAR_BAUD_RATES as readonly number[]).includes(this.baudRate)) throw new RangeError(`RPLIDAR baud rate must be one of ${RPLIDAR_BAUD_RATES.join(', ')}`);
    this.beams = options.beams ?? 360;
    this.clock = options.clock ?? systemClock;
    this.lostAfterMs = options.lostAfterMs ?? 1000;
    this.retryMs = options.retryMs ?? 500;
    this.answerTimeoutMs = options.answerTimeoutMs ?? 1000;
    this.doReset = options.reset ?? false;
    this.motorPwm = options.motorPwm ?? 600;
  }

  on<E extends keyof LidarDeviceEvents>(event: E, listener: (payload: LidarDeviceEvents[E]) => void): () => void {
    return this.events.on(event, listener);
  }

  layout(): LidarDescription | null {
    return this.description;
  }

  /** Node counts since construction: decoded, rejected (corrupt), bytes skipped. */
  stats(): NodeDecoderStats {
    return { ...this.decoder.stats };
  }

  connect(): void {
    if (this.started || this.disposed) return;
    this.started = true;
    this.watchdog = setInterval(() => this.checkAlive(), 100);
    void this.run();
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    if (this.watchdog) clearInterval(this.watchdog);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.watchdog = this.retryTimer = null;
    this.rxWaiter?.();
    await this.closePort(true);
    this.setState('disconnected', 'closed');
  }

  private now(): number {
    return this.clock.nowMs();
  }

  private setState(state: RobotLinkState['state'], message: string): void {
    if (state === this.lastState && state !== 'connected') return;
    this.lastState = state;
    this.events.emit('state', { state, message, at: this.now() / 1000 });
  }

  private fault(kind: string, message: string, detail: Record<string, number | string>): void {
    this.events.emit('fault', { kind, message, atMs: this.now(), detail: { endpoint: this.endpoint, ...detail } });
  }

  /** One connection attempt; on failure schedules the next. */
  private async run(): Promise<void> {
    if (this.disposed) return;
    const attempt = ++this.attempt;
    if (this.lastState !== 'lost') this.setState('connecting', `opening ${this.endpoint} at ${this.baudRate} baud`);
    try {
      await this.openPort();
      await this.handshake(attempt);
    } catch (err) {
      if (this.disposed || attempt !== this.attempt) return;
      await this.closePort(false);
      if (this.phase === 'halted') return;
      if (this.lastState !== 'lost') {
        this.setState('connecting', `lidar on ${this.endpoint} not answering (${(err as Error).message}); retrying every ${this.retryMs} ms`);
      }
      this.retryTimer = setTimeout(() => { this.retryTimer = null; void this.run(); }, this.retryMs);
    }
  }

  private openPort(): Promise<void> {
    const port = new SerialPort({ path: this.endpoint, baudRate: this.baudRate, autoOpen: false });
    return new Promise((resolve, reject) => {
      port.open((err) => {
        if (err) { port.removeAllListeners(); reject(err); return; }
        if (this.disposed) { port.close(() => reject(new Error('disposed'))); return; }
        this.port = port;
        this.rx = new Uint8Array(0);
        port.on('data', (chunk: Buffer) => this.onBytes(port, chunk));
        port.on('error', () => { /* surfaced by close or the watchdog */ });
        port.on('close', () => {
          if (this.port !== port || this.disposed) return;
          this.port = null;
          if (this.phase === 'scanning') this.goLost('the port closed (device unplugged?)');
        });
        resolve();
      });
    });
  }

  private async closePort(stopMotor: boolean): Promise<void> {
    const port = this.port;
    this.port = null;
    if (this.phase !== 'halted') this.phase = 'idle';
    if (!port) return;
    if (port.isOpen) {
      if (stopMotor) {
        port.write(Buffer.from(encodeRequest(Cmd.Stop)));
        if (this.isPwmModel()) port.write(Buffer.from(encodeMotorPwm(0)));
        await this.setDtr(port, true);
        await new Promise<void>((r) => { const t = setTimeout(r, 200); port.drain(() => { clearTimeout(t); r(); }); });
      }
      await new Promise<void>((r) => { if (!port.isOpen) { r(); return; } port.close(() => r()); });
    }
    port.removeAllListeners();
  }

  /** DTR: set stops the A1 motor, cleared starts it. Ports that cannot (a pty) are ignored. */
  private setDtr(port: SerialPort, dtr: boolean): Promise<void> {
    return new Promise((r) => {
      if (!port.isOpen) { r(); return; }
      port.set({ dtr }, () => r());
    });
  }

  private isPwmModel(): boolean {
    const major = (this.info?.model ?? 0) >> 4;
    return major >= 2 && major < 6;
  }

  private write(bytes: Uint8Array): void {
    if (this.port?.isOpen) this.port.write(Buffer.from(bytes));
  }

  private onBytes(port: SerialPort, chunk: Buffer): void {
    if (port !== this.port) return;
    const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.phase === 'scanning') {
      this.onScanBytes(bytes);
      return;
    }
    const merged = new Uint8Array(this.rx.length + bytes.length);
    merged.set(this.rx, 0);
    merged.set(bytes, this.rx.length);
    this.rx = merged.length > 65536 ? merged.slice(merged.length - 4096) : merged;
    this.rxWaiter?.();
  }

  private async answer(cmd: number, type: number): Promise<Uint8Array> {
    this.rx = new Uint8Array(0);
    this.write(encodeRequest(cmd));
    const deadline = this.now() + this.answerTimeoutMs;
    for (;;) {
      if (this.disposed) throw new Error('disposed');
      const r = takeResponse(this.rx, type);
      if (r) { this.rx = r.rest; return r.payload; }
      const left = deadline - this.now();
      if (left <= 0) throw new AnswerTimeout(`no answer to command 0x${cmd.toString(16)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => { this.rxWaiter = null; resolve(); }, left);
        this.rxWaiter = () => { clearTimeout(t); this.rxWaiter = null; resolve(); };
      });
    }
  }

  private async handshake(attempt: number): Promise<void> {
    this.phase = 'handshake';
    const port = this.port!;
    await this.setDtr(port, true);
    this.write(encodeRequest(Cmd.Stop));
    await sleep(20);
    if (this.doReset) {
      this.write(encodeRequest(Cmd.Reset));
      await sleep(800);
      this.write(encodeRequest(Cmd.Stop));
      await sleep(20);
    }
    const health = parseHealth(await this.answer(Cmd.GetHealth, AnswerType.DevHealth));
    if (this.disposed || attempt !== this.attempt) return;
    if (health.status === HealthStatus.Error) {
      const code = `0x${health.errorCode.toString(16).padStart(4, '0')}`;
      const message = `Lidar on ${this.endpoint} reports a hardware error (code ${code}); not scanning. Power-cycle it; if it persists, the lidar needs service.`;
      this.phase = 'halted';
      this.fault('lidar-health', message, { errorCode: health.errorCode });
      this.setState('incompatible', `hardware error (code ${code}); not scanning`);
      await this.closePort(true);
      this.phase = 'halted';
      return;
    }
    if (health.status === HealthStatus.Warning) {
      this.fault('lidar-health-warning', `Lidar on ${this.endpoint} reports a warning (code 0x${health.errorCode.toString(16).padStart(4, '0')}); scanning anyway.`, { errorCode: health.errorCode });
    }
    const info = parseInfo(await this.answer(Cmd.GetInfo, AnswerType.DevInfo));
    if (this.disposed || attempt !== this.attempt) return;
    this.info = info;
    const { rangeMin, rangeMax } = rangeLimits(info.model);
    this.description = { name: describeDevice(info), beams: this.beams, ...gridLayout(this.beams), rangeMin, rangeMax, rateHz: this.rateHz };
    this.events.emit('layout', this.description);

    // Motor on, as the SDK does for each adapter kind, then SCAN.
    await this.setDtr(port, false);
    if (this.isPwmModel()) this.write(encodeMotorPwm(this.motorPwm));
    this.rx = new Uint8Array(0);
    this.decoder.reset();
    this.assembler.reset();
    this.revStartMs = null;
    this.write(encodeRequest(Cmd.Scan));
    // The descriptor (A5 5A 05 00 00 40 81) comes first; the node stream follows.
    const deadline = this.now() + this.answerTimeoutMs;
    for (;;) {
      if (this.disposed || attempt !== this.attempt) return;
      const r = takeResponse(this.rx, AnswerType.Measurement);
      if (r && r.descriptor.mode === SendMode.Loop) {
        this.phase = 'scanning';
        this.lastNodeMs = this.now();
        this.setState('connected', `${this.description.name} scanning`);
        if (r.rest.length > 0) this.onScanBytes(r.rest);
        this.rx = new Uint8Array(0);
        return;
      }
      const left = deadline - this.now();
      if (left <= 0) throw new AnswerTimeout('no answer to SCAN');
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => { this.rxWaiter = null; resolve(); }, left);
        this.rxWaiter = () => { clearTimeout(t); this.rxWaiter = null; resolve(); };
      });
    }
  }

  private onScanBytes(bytes: Uint8Array): void {
    const nodes = this.decoder.push(bytes);
    if (nodes.length === 0) return;
    const now = this.now();
    this.lastNodeMs = now;
    for (const node of nodes) {
      const rev = this.assembler.push(node);
      if (node.start) {
        const prev = this.revStartMs;
        this.revStartMs = now;
        if (!rev || prev === null || !this.description) continue;
        const durationS = Math.max(1e-3, (now - prev) / 1000);
        this.rateHz = 0.8 * this.rateHz + 0.2 * (1 / durationS);
        this.description.rateHz = this.rateHz;
        const d = this.description;
        const msg = revolutionToScan(rev, { beams: this.beams, rangeMin: d.rangeMin, rangeMax: d.rangeMax, durationS });
        // Stamp: the revolution's first node, about one revolution before it completed.
        const receivedAt = now / 1000;
        this.events.emit('scan', { msg, receivedAt, stamp: Math.min(receivedAt, prev / 1000) });
      }
    }
  }

  private checkAlive(): void {
    if (this.disposed || this.phase !== 'scanning') return;
    const silent = this.now() - this.lastNodeMs;
    if (silent >= this.lostAfterMs) this.goLost(`no data for ${Math.round(silent)} ms; reconnecting…`);
  }

  private goLost(message: string): void {
    if (this.disposed) return;
    this.phase = 'idle';
    this.setState('lost', message);
    const attempt = ++this.attempt;
    void this.closePort(false).then(() => {
      if (this.disposed || attempt !== this.attempt) return;
      this.retryTimer = setTimeout(() => { this.retryTimer = null; void this.run(); }, this.retryMs);
    });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
