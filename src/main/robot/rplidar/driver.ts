/**
 * A Slamtec RPLIDAR (A1/A2/A3, C1, S1/S2: anything that speaks standard SCAN, and the
 * A-series' legacy EXPRESS_SCAN) on its own serial port, behind the LidarDevice seam. The
 * protocol codec is src/shared/protocols/rplidar.ts (shared with the emulator).
 *
 * The port is opened with serialport directly rather than through SerialTransport, because
 * the motor of an A1 (and of an A2 on a plain USB adapter) is switched by the DTR line,
 * which SerialTransport does not expose.
 *
 * Connect, as Slamtec's SDK does it (sl_lidar_driver.cpp):
 *   STOP, (optional RESET), GET_HEALTH (an error: say so and do not scan), GET_INFO (layout),
 *   motor on, then the scan:
 * - Motor (checkMotorCtrlSupport / setMotorSpeed): model major ≥ 6 (S-series) by
 *   HQ_MOTOR_SPEED_CTRL 0xA8 in rpm; majors 2-5 (A2, A3, C1) ask GET_ACC_BOARD_FLAG and use
 *   SET_MOTOR_PWM 0xF0 when the board can, else DTR; the A1 by DTR (cleared runs it, set stops it).
 * - Scan: EXPRESS_SCAN (legacy capsules, 0x82) where the device has it — A-series firmware
 *   ≥ 1.17, the SDK's rule for devices without GET_LIDAR_CONF — and standard SCAN otherwise,
 *   or when the device does not answer EXPRESS_SCAN with a 0x82 stream (then this device,
 *   by serial number, is not asked again).
 * One `scan` per revolution. No measurements for `lostAfterMs` → `lost`, close and reopen every
 * `retryMs` until the device answers again. Dispose: STOP and motor off.
 */
import { SerialPort } from 'serialport';
import { systemClock } from '../../link';
import { EventHub, type LidarDescription, type LidarDevice, type LidarDeviceEvents, type RobotLinkState } from '../driver';
import {
  ACC_BOARD_MOTOR_CTRL, AnswerType, Cmd, ExpressCapsuleDecoder, HealthStatus, RevolutionAssembler, ScanNodeDecoder, SendMode,
  describeDevice, encodeAccBoardFlagRequest, encodeExpressScan, encodeMotorPwm, encodeMotorRpm, encodeRequest, findDescriptor,
  motorControlByModel, parseAccBoardFlag, parseHealth, parseInfo, rangeLimits, revolutionToScan, supportsLegacyExpress,
  takeResponse, type DeviceInfo, type MeasurementDecoder, type NodeDecoderStats,
} from '../../../shared/protocols/rplidar';
import { gridLayout } from '../../../shared/protocols/scan-grid';

export const RPLIDAR_BAUD_RATES = [115200, 256000, 460800, 1000000] as const;
export type RplidarBaudRate = (typeof RPLIDAR_BAUD_RATES)[number];

/** Which scan command to use: the best the device has, or one forced. */
export type RplidarScanMode = 'auto' | 'express' | 'standard';

export interface RplidarOptions {
  path: string;
  /** Default 115200 (A1, A2M8); 256000 for A2M12/A3/S1, 460800 for C1, 1000000 for S2. */
  baudRate?: RplidarBaudRate;
  /** Beams of the fixed grid over (−π, π]. Default 360. */
  beams?: number;
  /** Host clock, ms. Default systemClock. */
  clock?: { nowMs(): number };
  /** No data for this long while scanning → lost. Default 1000. */
  lostAfterMs?: number;
  /** Wait between reconnect attempts, ms. Default 500. */
  retryMs?: number;
  /** Longest wait for an answer (GET_HEALTH, GET_INFO, a scan's descriptor), ms. Default 1000. */
  answerTimeoutMs?: number;
  /** Send RESET (and wait for the device to boot) before asking for health. Default false. */
  reset?: boolean;
  /** Default 'auto': EXPRESS_SCAN where the model has it, else SCAN. */
  scanMode?: RplidarScanMode;
  /** SET_MOTOR_PWM duty for A2/A3 on an accessory board. Default 600 (the SDK's fallback). */
  motorPwm?: number;
  /** HQ_MOTOR_SPEED_CTRL speed for the S-series, rpm. Default 600 (10 Hz, the S2's typical rate). */
  motorRpm?: number;
}

/** Revolutions per second until measured (A1 nominal). */
export const DEFAULT_RATE_HZ = 5.5;
/** The SDK gives GET_ACC_BOARD_FLAG 500 ms at connect (checkMotorCtrlSupport). */
const ACC_BOARD_TIMEOUT_MS = 500;

type Phase = 'idle' | 'handshake' | 'scanning' | 'halted';
type MotorKind = 'dtr' | 'pwm' | 'rpm';

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
  private readonly scanMode: RplidarScanMode;
  private readonly motorPwm: number;
  private readonly motorRpm: number;

  private port: SerialPort | null = null;
  private phase: Phase = 'idle';
  private disposed = false;
  private started = false;
  private rx: Uint8Array = new Uint8Array(0);
  private rxWaiter: (() => void) | null = null;
  private readonly standardDecoder = new ScanNodeDecoder();
  private readonly expressDecoder = new ExpressCapsuleDecoder();
  private decoder: MeasurementDecoder = this.standardDecoder;
  private readonly assembler = new RevolutionAssembler();
  private motor: MotorKind | null = null;
  private mode: 'express' | 'standard' | null = null;
  /** Serial numbers of devices that did not answer EXPRESS_SCAN: SCAN from then on. */
  private readonly expressRefused = new Set<string>();
  private description: LidarDescription | null = null;
  private lastDataMs = 0;
  private revStartMs: number | null = null;
  private rateHz = DEFAULT_RATE_HZ;
  private rateMeasured = false;
  private watchdog: ReturnType<typeof setInterval> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private attempt = 0;
  private lastState: RobotLinkState['state'] | null = null;
  private lastMessage = '';

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
    this.scanMode = options.scanMode ?? 'auto';
    this.motorPwm = options.motorPwm ?? 600;
    this.motorRpm = options.motorRpm ?? 600;
  }

  on<E extends keyof LidarDeviceEvents>(event: E, listener: (payload: LidarDeviceEvents[E]) => void): () => void {
    return this.events.on(event, listener);
  }

  layout(): LidarDescription | null {
    return this.description;
  }

  /** The scan command in use while scanning ('express' or 'standard'), else null. */
  activeScanMode(): 'express' | 'standard' | null {
    return this.phase === 'scanning' ? this.mode : null;
  }

  /** Measurements since construction, both decoders together: decoded, rejected (corrupt), bytes skipped. */
  stats(): NodeDecoderStats {
    const a = this.standardDecoder.stats;
    const b = this.expressDecoder.stats;
    return { nodes: a.nodes + b.nodes, rejected: a.rejected + b.rejected, skippedBytes: a.skippedBytes + b.skippedBytes };
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
    // A repeated state with new words (why it is still not answering) is said; a repeat of both is not.
    if (state === this.lastState && message === this.lastMessage) return;
    this.lastState = state;
    this.lastMessage = message;
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
        if (this.motor === 'pwm') port.write(Buffer.from(encodeMotorPwm(0)));
        if (this.motor === 'rpm') port.write(Buffer.from(encodeMotorRpm(0)));
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

  /** Resolves when bytes arrive or `untilMs` passes. */
  private waitForBytes(untilMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = setTimeout(() => { this.rxWaiter = null; resolve(); }, Math.max(0, untilMs - this.now()));
      this.rxWaiter = () => { clearTimeout(t); this.rxWaiter = null; resolve(); };
    });
  }

  private async answer(request: Uint8Array, type: number, timeoutMs = this.answerTimeoutMs): Promise<Uint8Array> {
    this.rx = new Uint8Array(0);
    this.write(request);
    const deadline = this.now() + timeoutMs;
    for (;;) {
      if (this.disposed) throw new Error('disposed');
      const r = takeResponse(this.rx, type);
      if (r) { this.rx = r.rest; return r.payload; }
      if (deadline - this.now() <= 0) throw new AnswerTimeout(`no answer to command 0x${request[1]!.toString(16)}`);
      await this.waitForBytes(deadline);
    }
  }

  private async handshake(attempt: number): Promise<void> {
    this.phase = 'handshake';
    const port = this.port!;
    const stale = () => this.disposed || attempt !== this.attempt;
    await this.setDtr(port, true);
    this.write(encodeRequest(Cmd.Stop));
    await sleep(20);
    if (this.doReset) {
      this.write(encodeRequest(Cmd.Reset));
      await sleep(800);
      this.write(encodeRequest(Cmd.Stop));
      await sleep(20);
    }
    const health = parseHealth(await this.answer(encodeRequest(Cmd.GetHealth), AnswerType.DevHealth));
    if (stale()) return;
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
    const info = parseInfo(await this.answer(encodeRequest(Cmd.GetInfo), AnswerType.DevInfo));
    if (stale()) return;
    const { rangeMin, rangeMax } = rangeLimits(info.model);
    this.description = { name: describeDevice(info), beams: this.beams, ...gridLayout(this.beams), rangeMin, rangeMax, rateHz: this.rateHz };
    this.events.emit('layout', this.description);

    this.motor = await this.motorKind(info);
    if (stale()) return;
    await this.motorOn(port);

    let note = '';
    const wantExpress = this.scanMode === 'express' || (this.scanMode === 'auto' && supportsLegacyExpress(info) && !this.expressRefused.has(info.serial));
    if (wantExpress) {
      const why = await this.startStream(encodeExpressScan(), AnswerType.MeasurementCapsuled, attempt);
      if (stale()) return;
      if (why === null) {
        this.setState('connected', `${this.description.name} scanning (express)`);
        return;
      }
      this.expressRefused.add(info.serial);
      note = ` (EXPRESS_SCAN ${why}; using SCAN)`;
      this.fault('lidar-express-unavailable', `Lidar on ${this.endpoint}: EXPRESS_SCAN ${why}; scanning in standard mode.`, { model: info.model });
      this.write(encodeRequest(Cmd.Stop));
      await sleep(20);
      if (stale()) return;
    }
    const why = await this.startStream(encodeRequest(Cmd.Scan), AnswerType.Measurement, attempt);
    if (stale()) return;
    if (why !== null) throw new AnswerTimeout(`SCAN ${why}`);
    this.setState('connected', `${this.description.name} scanning (standard)${note}`);
  }

  /** How this device's motor is driven (see motorControlByModel); asks the board when the SDK does. */
  private async motorKind(info: DeviceInfo): Promise<MotorKind> {
    const kind = motorControlByModel(info.model);
    if (kind !== 'ask') return kind;
    try {
      const flag = parseAccBoardFlag(await this.answer(encodeAccBoardFlagRequest(), AnswerType.AccBoardFlag, Math.min(this.answerTimeoutMs, ACC_BOARD_TIMEOUT_MS)));
      return (flag & ACC_BOARD_MOTOR_CTRL) !== 0 ? 'pwm' : 'dtr';
    } catch (err) {
      if (err instanceof AnswerTimeout) return 'dtr'; // no accessory board: the DTR line, as the SDK falls back
      throw err;
    }
  }

  private async motorOn(port: SerialPort): Promise<void> {
    if (this.motor === 'dtr') await this.setDtr(port, false);
    else if (this.motor === 'pwm') this.write(encodeMotorPwm(this.motorPwm));
    else if (this.motor === 'rpm') this.write(encodeMotorRpm(this.motorRpm));
  }

  /**
   * Sends a scan request and waits for its descriptor: a stream (send mode 1) of `type`.
   * Returns null once scanning, else why not ("was not answered", "was answered with type 0x..").
   */
  private async startStream(request: Uint8Array, type: number, attempt: number): Promise<string | null> {
    const express = type === AnswerType.MeasurementCapsuled;
    this.decoder = express ? this.expressDecoder : this.standardDecoder;
    this.decoder.reset();
    this.assembler.reset();
    this.revStartMs = null;
    this.rx = new Uint8Array(0);
    this.write(request);
    const deadline = this.now() + this.answerTimeoutMs;
    for (;;) {
      if (this.disposed || attempt !== this.attempt) return 'was abandoned';
      const found = findDescriptor(this.rx);
      if (found) {
        const d = found.descriptor;
        if (d.type !== type || d.mode !== SendMode.Loop) {
          return `was answered with type 0x${d.type.toString(16)} (mode ${d.mode}, ${d.length} bytes)`;
        }
        this.phase = 'scanning';
        this.mode = express ? 'express' : 'standard';
        this.lastDataMs = this.now();
        this.rx = new Uint8Array(0);
        if (found.rest.length > 0) this.onScanBytes(found.rest);
        return null;
      }
      if (deadline - this.now() <= 0) return 'was not answered';
      await this.waitForBytes(deadline);
    }
  }

  private onScanBytes(bytes: Uint8Array): void {
    const nodes = this.decoder.push(bytes);
    if (nodes.length === 0) return;
    // Only measurements count as life: a device sending garbage (a wrong baud rate) is lost.
    const now = this.now();
    this.lastDataMs = now;
    for (const node of nodes) {
      const rev = this.assembler.push(node);
      if (!node.start) continue;
      const prev = this.revStartMs;
      this.revStartMs = now;
      if (!rev || prev === null || !this.description) continue;
      const durationS = Math.max(1e-3, (now - prev) / 1000);
      // The first measured revolution replaces the nominal rate; later ones are smoothed.
      this.rateHz = this.rateMeasured ? 0.8 * this.rateHz + 0.2 * (1 / durationS) : 1 / durationS;
      this.rateMeasured = true;
      this.description.rateHz = this.rateHz;
      const d = this.description;
      const msg = revolutionToScan(rev, { beams: this.beams, rangeMin: d.rangeMin, rangeMax: d.rangeMax, durationS });
      // Stamp: the revolution's first measurement, about one revolution before it completed.
      const receivedAt = now / 1000;
      this.events.emit('scan', { msg, receivedAt, stamp: Math.min(receivedAt, prev / 1000) });
    }
  }

  private checkAlive(): void {
    if (this.disposed || this.phase !== 'scanning') return;
    const silent = this.now() - this.lastDataMs;
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
