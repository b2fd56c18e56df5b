/**
 * The TurtleBot3 lidars, each on its own USB serial port behind the LidarDevice seam:
 * LDS-01 (HLS-LFCD2, 230400 baud) and LDS-02 (LD08, 115200 baud). Packet codecs, revolution
 * assembly and the angle conventions are in src/shared/protocols/lds.ts.
 *
 * Both devices simply stream; there is no handshake. The port is opened through
 * SerialTransport (no modem lines are needed: the LDS-01's motor is switched by 'b'/'e', the
 * LDS-02's by its own board). The device counts as connected once a valid packet arrives, and
 * is described then (`layout`); each completed revolution becomes one `scan` binned onto a
 * fixed grid over (−π, π], stamped at the arrival of the revolution's first packet on the host
 * clock. No valid packet for `lostAfterMs` → `lost`; the port is closed and reopened every
 * `retryMs` until the device streams again. A port that opens but never streams is closed and
 * reopened the same way (for the LDS-01 that also repeats 'b').
 */
import { SerialTransport, systemClock, type TransportCloseInfo } from '../../link';
import type { LaserScanMsg } from '../../../shared/protocol';
import {
  LDS01_CMD_START, LDS01_CMD_STOP, Lds01Decoder, Lds01RevolutionAssembler, Lds02Decoder, Lds02RevolutionAssembler,
  type Lds01ChecksumMode, type LdsDecoderStats, type LdsRevolution,
} from '../../../shared/protocols/lds';
import { EventHub, type LidarDescription, type LidarDevice, type LidarDeviceEvents, type RobotLinkState } from '../driver';
import { binToGrid, gridLayout } from '../../../shared/protocols/scan-grid';

export interface LdsOptions {
  path: string;
  /** Default the model's: 230400 (LDS-01), 115200 (LDS-02). */
  baudRate?: number;
  /** Beams of the fixed grid over (−π, π]. Default 360. */
  beams?: number;
  /** Shortest valid range, m. Default the model's. */
  rangeMin?: number;
  /** Longest valid range, m. Default the model's. */
  rangeMax?: number;
  /** Host clock, ms. Default systemClock. */
  clock?: { nowMs(): number };
  /** No valid packet for this long → lost. Default 1000. */
  lostAfterMs?: number;
  /** Wait between reopen attempts, ms. Default 500. */
  retryMs?: number;
}

/** A model's fixed facts; the numbers match resources/robots/lidars/<model>.json. */
export interface LdsModel {
  name: string;
  baudRate: number;
  beams: number;
  rangeMin: number;
  rangeMax: number;
  /** Nominal revolutions per second, until measured. */
  rateHz: number;
}

/** LDS-01: 230400 baud, 0.12–3.5 m (hlds_laser_publisher.cpp range_min/range_max), 300 rpm. */
export const LDS01_MODEL: LdsModel = { name: 'ROBOTIS LDS-01', baudRate: 230400, beams: 360, rangeMin: 0.12, rangeMax: 3.5, rateHz: 5 };
/** LDS-02: 115200 baud, 0.16–8 m (e-Manual "Distance Range 160 ~ 8,000mm"), 5 Hz or more. */
export const LDS02_MODEL: LdsModel = { name: 'ROBOTIS LDS-02 (LD08)', baudRate: 115200, beams: 360, rangeMin: 0.16, rangeMax: 8, rateHz: 5 };

type Phase = 'idle' | 'opening' | 'waiting' | 'streaming';

/** Port handling, liveness and scan building shared by both models. */
abstract class LdsDevice implements LidarDevice {
  readonly endpoint: string;
  protected readonly transport: SerialTransport;
  protected readonly events = new EventHub<LidarDeviceEvents>();
  protected readonly model: LdsModel;
  private readonly baudRate: number;
  private readonly beams: number;
  private readonly rangeMin: number;
  private readonly rangeMax: number;
  private readonly clock: { nowMs(): number };
  private readonly lostAfterMs: number;
  private readonly retryMs: number;

  private phase: Phase = 'idle';
  private started = false;
  private disposed = false;
  /** Bumped by every open attempt and every loss, so stale async continuations stand down. */
  private generation = 0;
  private openedAtMs = 0;
  private lastDataMs = 0;
  private lastState: RobotLinkState['state'] | null = null;
  private lastMessage = '';
  private description: LidarDescription | null = null;
  private rateHz: number;
  private lastRevStartMs: number | null = null;
  private watchdog: ReturnType<typeof setInterval> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;

  protected constructor(options: LdsOptions, model: LdsModel) {
    this.model = model;
    this.endpoint = options.path;
    this.baudRate = options.baudRate ?? model.baudRate;
    this.beams = options.beams ?? model.beams;
    if (!Number.isInteger(this.beams) || this.beams < 1) throw new RangeError(`beams must be a positive integer, got ${this.beams}`);
    this.rangeMin = options.rangeMin ?? model.rangeMin;
    this.rangeMax = options.rangeMax ?? model.rangeMax;
    this.clock = options.clock ?? systemClock;
    this.lostAfterMs = options.lostAfterMs ?? 1000;
    this.retryMs = options.retryMs ?? 500;
    this.rateHz = model.rateHz;
    this.transport = new SerialTransport({ path: this.endpoint, baudRate: this.baudRate });
    this.transport.onData((chunk) => this.onData(chunk));
    this.transport.onClose((info) => this.onPortClosed(info));
    this.transport.onError(() => { /* write failures surface as silence or a close */ });
  }

  /** Bytes in; revolutions completed by them out. Counts decoded packets in `stats()`. */
  protected abstract decode(chunk: Uint8Array, atMs: number): LdsRevolution[];
  /** Forget partial packets and revolutions (a fresh port session). */
  protected abstract resetDecoding(): void;
  abstract stats(): LdsDecoderStats;
  /** Packets decoded so far (valid ones: what counts as the device speaking). */
  protected abstract framesDecoded(): number;
  /** The port just opened. */
  protected onOpened(): void {}
  /** The port is about to close for good (dispose). */
  protected beforeDispose(): void {}

  on<E extends keyof LidarDeviceEvents>(event: E, listener: (payload: LidarDeviceEvents[E]) => void): () => void {
    return this.events.on(event, listener);
  }

  layout(): LidarDescription | null {
    return this.description;
  }

  connect(): void {
    if (this.started || this.disposed) return;
    this.started = true;
    this.watchdog = setInterval(() => this.checkAlive(), Math.max(10, Math.min(100, this.lostAfterMs / 4)));
    void this.attempt();
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.generation++;
    if (this.watchdog) clearInterval(this.watchdog);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.watchdog = this.retryTimer = null;
    if (this.transport.isOpen) this.beforeDispose();
    this.phase = 'idle';
    await this.transport.close(); // drains (bounded) so a final 'e' reaches the device
    if (this.started) this.setState('disconnected', 'closed');
  }

  protected now(): number {
    return this.clock.nowMs();
  }

  protected write(bytes: Uint8Array): void {
    this.transport.write(bytes);
  }

  protected fault(kind: string, message: string, detail: Record<string, number | string> = {}): void {
    this.events.emit('fault', { kind, message, atMs: this.now(), detail: { endpoint: this.endpoint, ...detail } });
  }

  /** Emits a state change, or a new message for the same state; never the same twice in a row. */
  private setState(state: RobotLinkState['state'], message: string): void {
    if (state === this.lastState && message === this.lastMessage) return;
    this.lastState = state;
    this.lastMessage = message;
    this.events.emit('state', { state, message, at: this.now() / 1000 });
  }

  private async attempt(): Promise<void> {
    if (this.disposed) return;
    const gen = ++this.generation;
    this.phase = 'opening';
    // Said once; a retry keeps the reason it is retrying (and a lost device stays 'lost').
    if (this.lastState === null) this.setState('connecting', `opening ${this.endpoint} at ${this.baudRate} baud`);
    const result = await this.transport.open();
    if (this.disposed || gen !== this.generation) {
      if (result.ok) await this.transport.close();
      return;
    }
    if (!result.ok) {
      this.phase = 'idle';
      if (this.lastState !== 'lost') this.setState('connecting', `${result.error.message}; retrying every ${this.retryMs} ms`);
      this.scheduleRetry(gen);
      return;
    }
    this.phase = 'waiting';
    this.openedAtMs = this.now();
    this.resetDecoding();
    this.lastRevStartMs = null;
    this.onOpened();
  }

  private scheduleRetry(gen: number): void {
    if (this.disposed || gen !== this.generation) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (gen === this.generation) void this.attempt();
    }, this.retryMs);
  }

  /** Closes the port and tries again after `retryMs`. */
  private restart(): void {
    const gen = ++this.generation;
    this.phase = 'idle';
    void this.transport.close().then(() => this.scheduleRetry(gen));
  }

  private goLost(message: string): void {
    if (this.disposed) return;
    this.setState('lost', message);
    this.restart();
  }

  private onPortClosed(info: TransportCloseInfo): void {
    if (info.requested || this.disposed) return;
    if (this.phase === 'streaming') this.goLost(`the port closed (${info.error?.message ?? 'device unplugged?'}); reconnecting…`);
    else if (this.phase === 'waiting') this.restart();
  }

  private checkAlive(): void {
    if (this.disposed) return;
    const now = this.now();
    if (this.phase === 'streaming') {
      const silent = now - this.lastDataMs;
      if (silent >= this.lostAfterMs) this.goLost(`no data for ${Math.round(silent)} ms; reconnecting…`);
    } else if (this.phase === 'waiting' && now - this.openedAtMs >= this.lostAfterMs) {
      if (this.lastState !== 'lost') this.setState('connecting', `${this.endpoint} opened but sends no ${this.model.name} packets; retrying every ${this.retryMs} ms`);
      this.restart();
    }
  }

  private onData(chunk: Uint8Array): void {
    if (this.phase !== 'waiting' && this.phase !== 'streaming') return;
    const now = this.now();
    const before = this.framesDecoded();
    const revolutions = this.decode(chunk, now);
    if (this.framesDecoded() === before) return;
    this.lastDataMs = now;
    if (this.phase === 'waiting') {
      this.phase = 'streaming';
      const { angleMin, angleIncrement } = gridLayout(this.beams);
      this.description = { name: this.model.name, beams: this.beams, angleMin, angleIncrement, rangeMin: this.rangeMin, rangeMax: this.rangeMax, rateHz: this.rateHz };
      this.events.emit('layout', this.description);
      this.setState('connected', `${this.model.name} streaming on ${this.endpoint}`);
    }
    for (const rev of revolutions) this.emitScan(rev, now);
  }

  private emitScan(rev: LdsRevolution, nowMs: number): void {
    const prev = this.lastRevStartMs;
    this.lastRevStartMs = rev.startMs;
    // The rate: host time between revolution starts, smoothed; a gap that disagrees with the
    // device's own speed report by half (a dropped revolution) is not a measurement.
    const reported = rev.deviceRateHz > 0 ? rev.deviceRateHz : null;
    if (prev !== null && rev.startMs > prev) {
      const measured = 1000 / (rev.startMs - prev);
      if (reported === null || Math.abs(measured - reported) < 0.5 * reported) this.rateHz = 0.8 * this.rateHz + 0.2 * measured;
    } else if (prev === null && reported !== null) {
      this.rateHz = reported;
    }
    if (this.description) this.description.rateHz = this.rateHz;
    const receivedAt = nowMs / 1000;
    this.events.emit('scan', { msg: this.toScan(rev), receivedAt, stamp: Math.min(receivedAt, rev.startMs / 1000) });
  }

  /** A revolution on the fixed grid: per beam the nearest valid return, +Infinity where none. */
  private toScan(rev: LdsRevolution): LaserScanMsg {
    return binToGrid(rev.samples, (s) => s, { beams: this.beams, rangeMin: this.rangeMin, rangeMax: this.rangeMax, durationS: 1 / this.rateHz });
  }

}

export interface Lds01Options extends LdsOptions {
  /** How bytes 40-41 are checked (see Lds01Decoder). Default 'auto'. */
  checksum?: Lds01ChecksumMode;
}

/**
 * LDS-01: sends 'b' whenever the port opens (needed before firmware 2017.10, harmless after),
 * 'e' on dispose so the motor stops, as hlds_laser_publisher's LFCDLaser does.
 */
export class Lds01Device extends LdsDevice {
  private readonly decoder: Lds01Decoder;
  private readonly assembler = new Lds01RevolutionAssembler();
  private checksumReported = false;

  constructor(options: Lds01Options) {
    super(options, LDS01_MODEL);
    this.decoder = new Lds01Decoder({ checksum: options.checksum ?? 'auto' });
  }

  /** Packets decoded, rejected (checksum) and bytes skipped since construction. */
  stats(): LdsDecoderStats {
    return { ...this.decoder.stats, rejectedBy: { ...this.decoder.stats.rejectedBy } };
  }

  protected framesDecoded(): number {
    return this.decoder.stats.frames;
  }

  protected override onOpened(): void {
    this.write(Uint8Array.of(LDS01_CMD_START));
  }

  protected override beforeDispose(): void {
    this.write(Uint8Array.of(LDS01_CMD_STOP));
  }

  protected resetDecoding(): void {
    this.decoder.reset();
    this.assembler.reset();
  }

  protected decode(chunk: Uint8Array, atMs: number): LdsRevolution[] {
    const out: LdsRevolution[] = [];
    for (const p of this.decoder.push(chunk)) {
      const rev = this.assembler.push(p, atMs);
      if (rev) out.push(rev);
    }
    if (!this.checksumReported && this.decoder.checksumState === 'unused') {
      this.checksumReported = true;
      this.fault(
        'lidar-checksum-unknown',
        `${this.model.name} on ${this.endpoint} does not use the checksum this driver knows (packet bytes 40-41); accepting packets on their sync and index bytes alone, as ROBOTIS's driver does.`,
      );
    }
    return out;
  }
}

/** LDS-02: streams by itself from power-up; nothing is ever sent to it. */
export class Lds02Device extends LdsDevice {
  private readonly decoder = new Lds02Decoder();
  private readonly assembler = new Lds02RevolutionAssembler();

  constructor(options: LdsOptions) {
    super(options, LDS02_MODEL);
  }

  /** Frames decoded, rejected (CRC, span) and bytes skipped since construction. */
  stats(): LdsDecoderStats {
    return { ...this.decoder.stats, rejectedBy: { ...this.decoder.stats.rejectedBy } };
  }

  protected framesDecoded(): number {
    return this.decoder.stats.frames;
  }

  protected resetDecoding(): void {
    this.decoder.reset();
    this.assembler.reset();
  }

  protected decode(chunk: Uint8Array, atMs: number): LdsRevolution[] {
    const out: LdsRevolution[] = [];
    for (const f of this.decoder.push(chunk)) out.push(...this.assembler.push(f, atMs));
    return out;
  }
}
