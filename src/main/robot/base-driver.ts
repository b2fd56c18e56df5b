/**
 * What every base driver that is not Foresight's own link has in common, so each protocol
 * (TurtleBot3's DYNAMIXEL control table, MAVLink, the Create 2 OI, Kobuki) only says how to
 * talk to its robot:
 *
 *  - one Transport (serial, or TCP for MAVLink), opened and reopened: `connecting` while the
 *    port opens, `handshaking` while the protocol's `start()` wakes the robot, `connected`
 *    when it answered, `lost` (and reopen every `retryMs`) when the port closes or no valid
 *    message arrives for `lostAfterMs`;
 *  - the command stream: the newest setVelocity is written every `commandPeriodMs` (feeding
 *    the robot's own watchdog), replaced by zero once it is older than `commandHoldMs` (the
 *    console's dead-man: a stalled core never leaves a robot driving on an old command);
 *  - the robot's description from its profile (bases that do not describe themselves);
 *  - samples numbered and stamped on the host clock (the robot's data carries no clock the
 *    console can trust across protocols), status for the status bar, and latency estimates.
 *
 * A protocol subclass implements `start`, `receive`, `writeVelocity`, `writeStop`, `leave`
 * and optionally `poll`, and calls `publish` for each message it decoded and `badFrame` for
 * each it dropped. Units stop here: subclasses convert to SI and REP 103 before `publish`.
 */
import type { LinkStatus } from '../../shared/api';
import type { Twist2D } from '../../shared/geometry';
import { PROTOCOL_VERSION, type HelloMsg, type RobotMessage, type VelocityCommandMsg } from '../../shared/protocol';
import type { RobotProfile } from '../../shared/robots';
import { SilenceWatch, describeSilence, systemClock, type Transport } from '../link';
import { DriverEvents, type RobotCapabilities, type RobotDriver, type RobotDriverEventName, type RobotDriverEvents, type RobotLinkState } from './driver';

export interface BaseDriverTiming {
  /** Period of the command stream, ms (the robot's watchdog must see commands faster than its timeout). */
  commandPeriodMs: number;
  /** A velocity older than this is sent as zero, ms. Default 300. */
  commandHoldMs: number;
  /** No valid message for this long → lost, ms. Default 1000. */
  lostAfterMs: number;
  /** Wait between reopen attempts, ms. Default 500. */
  retryMs: number;
  /** Longest wait for `start()` to hear the robot, ms. Default 3000. */
  startTimeoutMs: number;
  /**
   * A command that changes the velocity by more than 1 cm/s or 0.02 rad/s is written at once
   * (at most every this many ms) instead of waiting for the stream's next tick; 0 disables it.
   * For protocols whose commands are stateless writes (MAVLink setpoints, Create 2 Drive
   * Direct, Kobuki Base Control): a 10 Hz stream would otherwise delay a brake by up to 100 ms.
   * Default 0 (request/response protocols such as DYNAMIXEL keep their own rhythm).
   */
  changeIntervalMs: number;
}

export interface BaseDriverOptions {
  transport: Transport;
  profile: RobotProfile;
  /** The run log's name for where the robot is, e.g. "serial:/dev/ttyACM0". Default the transport's endpoint. */
  endpoint?: string;
  /** Host clock, ms. Default the system clock. */
  clock?: { nowMs(): number };
  timing?: Partial<BaseDriverTiming>;
  /** What to stop after the port closes (e.g. a simulator this driver started). */
  release?: () => Promise<void>;
}

/** Why start() gave up, in words for the operator ("no answer from DYNAMIXEL ID 200"). */
export class RobotNotAnswering extends Error {}

/**
 * start() found something that answers but is not this robot, or a firmware this driver
 * cannot drive (a wrong model number, an old firmware): said as `incompatible`, and retried
 * only slowly (the operator may be swapping the cable or flashing the board).
 */
export class RobotIncompatible extends Error {}

/** Wait between attempts after an incompatible answer, ms. */
const INCOMPATIBLE_RETRY_MS = 5000;

/** What a robot of this profile is, in the seam's terms. */
export function profileCapabilities(profile: RobotProfile, driver: string): RobotCapabilities {
  const spec: HelloMsg = {
    type: 'hello',
    protocolVersion: PROTOCOL_VERSION,
    name: profile.title,
    ...profile.body,
    ...profile.limits,
    panMin: 0, panMax: 0, panMaxRate: 0, panMaxAccel: 0,
    lidarBeams: 0, lidarAngleMin: 0, lidarAngleIncrement: 0, lidarRangeMin: 0, lidarRangeMax: 0, lidarRateHz: 0,
    lidarMountX: 0, lidarMountY: 0, lidarMountYaw: 0,
  };
  return { driver, spec, drive: profile.drive, reverses: profile.reverses, lidar: 'none', screen: false, watchdog: profile.watchdog };
}

const RATE_WINDOW_MS = 1000;
/** How often the robot's silence is checked, ms. */
const ALIVE_CHECK_MS = 50;
/**
 * A silence check this late (ms since the previous one) means the console itself was stalled
 * (four check periods: beyond timer jitter on a busy machine, well inside lostAfterMs).
 */
const ALIVE_STALL_MS = 200;

export abstract class TransportBaseDriver implements RobotDriver {
  readonly endpoint: string;
  protected readonly transport: Transport;
  protected readonly profile: RobotProfile;
  protected readonly timing: BaseDriverTiming;
  private readonly events = new DriverEvents();
  private readonly clock: { nowMs(): number };
  private readonly release?: () => Promise<void>;
  private caps: RobotCapabilities | null = null;
  private stateValue: LinkStatus['state'] = 'disconnected';
  private messageValue = 'not connected';
  private started = false;
  private disposed = false;
  /** Set during dispose's leave(): bytes still reach the protocol (it may await the robot's answer). */
  private leaving = false;
  private attempt = 0;
  private command: { v: number; w: number; atMs: number } | null = null;
  /** What was last written to the robot, and when (host ms). */
  private lastSent: { v: number; w: number; atMs: number } | null = null;
  private commandTimer: ReturnType<typeof setInterval> | null = null;
  private watchdogTimer: ReturnType<typeof setInterval> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  /** The robot's silence while the console was running (its own stalls are not the robot's). */
  private readonly silence = new SilenceWatch(ALIVE_CHECK_MS, ALIVE_STALL_MS);
  /** Host times of the samples published in the last second, ms (the status bar's rate). */
  private readonly publishedTimes: number[] = [];
  private sampleSeq = 0;
  private commandSeq = 0;
  private reconnects = 0;
  private badFrames = 0;
  private checksumErrors = 0;
  /** Measured answer delay of request/response protocols, ms (smoothed); null until measured. */
  private roundTripMs: number | null = null;
  private readonly unsubscribeTransport: (() => void)[] = [];
  private startWaiter: { resolve: () => void; reject: (e: Error) => void } | null = null;

  /** The seam name of this driver, e.g. 'turtlebot3'. */
  protected abstract readonly driverName: string;

  constructor(options: BaseDriverOptions) {
    this.transport = options.transport;
    this.profile = options.profile;
    this.endpoint = options.endpoint ?? options.transport.endpoint;
    this.clock = options.clock ?? systemClock;
    this.release = options.release;
    this.timing = { commandPeriodMs: 50, commandHoldMs: 300, lostAfterMs: 1000, retryMs: 500, startTimeoutMs: 3000, changeIntervalMs: 0, ...options.timing };
  }

  // ── What a protocol implements ─────────────────────────────────────────────────────

  /**
   * The port is open: wake the robot (modes, streams, a first read) and resolve once it has
   * answered as its protocol says (call `answered()` from `receive` and await `untilAnswered()`),
   * or throw RobotNotAnswering with words for the operator.
   */
  protected abstract start(): Promise<void>;
  /** Bytes from the robot, in any chunking. */
  protected abstract receive(bytes: Uint8Array): void;
  /** Writes the body velocity to hold (base_link, m/s and rad/s), already limited. */
  protected abstract writeVelocity(v: number, w: number): void;
  /** The robot's own hardest stop (a stop opcode, hold mode…). */
  protected abstract writeStop(reason: 'operator' | 'safety' | 'link-loss' | 'shutdown'): void;
  /** Before the port closes for good: leave the robot stopped and safe. */
  protected abstract leave(): Promise<void> | void;
  /** Called every command period after the command, for request/response protocols. */
  protected poll(): void {}
  /** The link (re)opened or was lost: forget per-session decoding state. */
  protected resetSession(): void {}

  // ── What a protocol calls ─────────────────────────────────────────────────────────

  protected nowMs(): number {
    return this.clock.nowMs();
  }

  /** Writes raw bytes; false when the port is not open. */
  protected write(bytes: Uint8Array): boolean {
    return this.transport.write(bytes);
  }

  /** A valid message arrived: the link is alive (publish() says so by itself). */
  protected heard(): void {
    this.silence.heard(this.nowMs());
  }

  /** The robot answered the way start() waits for. */
  protected answered(): void {
    this.heard();
    const w = this.startWaiter;
    this.startWaiter = null;
    w?.resolve();
  }

  /** Resolves at `answered()`; rejects after `timeoutMs` with the words given. */
  protected untilAnswered(timeoutMs: number, words: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.startWaiter = null;
        reject(new RobotNotAnswering(words));
      }, timeoutMs);
      this.startWaiter = {
        resolve: () => { clearTimeout(timer); resolve(); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      };
    });
  }

  /** One decoded message in SI and REP 103, measured at host time `stampMs` (default now). */
  protected publish(msg: RobotMessage, stampMs = this.nowMs()): void {
    const now = this.nowMs();
    this.silence.heard(now);
    // The status bar's rate: samples published over the last second.
    this.publishedTimes.push(now);
    this.samplesPerSecond(now);
    const receivedAt = now / 1000;
    const stamp = Math.min(receivedAt, stampMs / 1000);
    const frame = { version: PROTOCOL_VERSION, seq: this.sampleSeq, timestampUs: Math.round(stamp * 1e6), msg };
    this.sampleSeq = (this.sampleSeq + 1) & 0xffff;
    this.events.emit('sample', { frame, receivedAt, stamp });
  }

  /** A frame that failed its checksum or length, dropped; `checksum` counts it as a CRC error. */
  protected badFrame(reason: string, detail: string, checksum = false): void {
    this.badFrames++;
    if (checksum) this.checksumErrors++;
    this.events.emit('bad-frame', { reason, detail, at: this.nowMs() / 1000 });
  }

  /** A problem below the message level, said to the operator and recorded. */
  protected fault(kind: string, message: string, detail: Record<string, number | string> = {}): void {
    this.events.emit('fault', { kind, message, atMs: this.nowMs(), detail: { endpoint: this.endpoint, ...detail } });
  }

  /** A request/response round trip measured by the protocol, ms. */
  protected measuredRoundTrip(ms: number): void {
    this.roundTripMs = this.roundTripMs === null ? ms : 0.8 * this.roundTripMs + 0.2 * ms;
  }

  /** Whether the session is up (commands flow). */
  protected get isConnected(): boolean {
    return this.stateValue === 'connected';
  }

  // ── RobotDriver ──────────────────────────────────────────────────────────────────────

  connect(): void {
    if (this.started || this.disposed) return;
    this.started = true;
    this.unsubscribeTransport.push(
      this.transport.onData((chunk) => {
        if (this.disposed && !this.leaving) return;
        try {
          this.receive(chunk);
        } catch (err) {
          // A decoder bug must not take the link down; the frame is dropped and said.
          this.badFrame('decoder-error', (err as Error).message);
        }
      }),
      this.transport.onClose((info) => {
        if (this.disposed || info.requested) return;
        this.goLost(info.error ? info.error.message : `${this.transport.endpoint} closed (device unplugged?)`);
      }),
    );
    this.watchdogTimer = setInterval(() => this.checkAlive(), ALIVE_CHECK_MS);
    void this.open();
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    const wasConnected = this.isConnected;
    this.disposed = true;
    this.stopTimers();
    this.startWaiter?.reject(new Error('disposed'));
    if (wasConnected && this.transport.isOpen) {
      this.leaving = true;
      try {
        await this.leave();
      } catch {
        // Closing anyway: the robot's own watchdog (where it has one) is the last line.
      } finally {
        this.leaving = false;
      }
    }
    for (const u of this.unsubscribeTransport.splice(0)) u();
    await this.transport.close();
    this.setState('disconnected', 'closed');
    await this.release?.();
  }

  capabilities(): RobotCapabilities | null {
    return this.caps;
  }

  status(): LinkStatus {
    const now = this.nowMs();
    const rate = this.samplesPerSecond(now);
    return {
      state: this.stateValue,
      message: this.messageValue,
      endpoint: this.endpoint,
      rttMs: this.roundTripMs,
      clockOffsetMs: null,
      frameRateHz: rate,
      crcErrors: this.checksumErrors,
      badFrames: this.badFrames,
      reconnects: this.reconnects,
    };
  }

  latency(): { sensorAgeS: number; commandTransitS: number } {
    // Half a measured round trip each way; before one is measured, half a command period
    // (the command waits for the next tick of the stream) plus 2 ms of USB.
    const oneWay = this.roundTripMs !== null ? this.roundTripMs / 2000 : 0.002;
    const wait = this.timing.changeIntervalMs > 0 ? Math.min(this.timing.changeIntervalMs, this.timing.commandPeriodMs) : this.timing.commandPeriodMs;
    return { sensorAgeS: oneWay, commandTransitS: oneWay + wait / 2000 };
  }

  setVelocity(cmd: Twist2D, at: number): void {
    const l = this.profile.limits;
    let v = clamp(cmd.v, -l.maxLinearVelocity, l.maxLinearVelocity);
    if (!this.profile.reverses) v = Math.max(0, v);
    const w = clamp(cmd.w, -l.maxAngularVelocity, l.maxAngularVelocity);
    this.command = { v: Number.isFinite(v) ? v : 0, w: Number.isFinite(w) ? w : 0, atMs: at * 1000 };
    // A changed command goes out now rather than at the stream's next tick (see changeIntervalMs).
    const gap = this.timing.changeIntervalMs;
    const last = this.lastSent;
    if (gap > 0 && this.isConnected && last && this.nowMs() - last.atMs >= gap && (Math.abs(this.command.v - last.v) > 0.01 || Math.abs(this.command.w - last.w) > 0.02)) {
      this.sendCommand(false);
    }
  }

  stop(reason: 'operator' | 'safety' | 'link-loss' | 'shutdown'): void {
    this.command = null;
    if (this.transport.isOpen) this.writeStop(reason);
  }

  setScreen(): void {
    // None of these bases has a panning screen.
  }

  on<E extends RobotDriverEventName>(event: E, listener: (payload: RobotDriverEvents[E]) => void): () => void {
    return this.events.on(event, listener);
  }

  // ── Session ────────────────────────────────────────────────────────────────────────

  /** Samples published over the last second (older arrival times are forgotten). */
  private samplesPerSecond(nowMs: number): number {
    while (this.publishedTimes.length > 0 && this.publishedTimes[0]! < nowMs - RATE_WINDOW_MS) this.publishedTimes.shift();
    return this.publishedTimes.length;
  }

  private setState(state: RobotLinkState['state'], message: string): void {
    if (state === this.stateValue && message === this.messageValue) return;
    this.stateValue = state;
    this.messageValue = message;
    this.events.emit('state', { state, message, at: this.nowMs() / 1000 });
  }

  private async open(): Promise<void> {
    if (this.disposed) return;
    const attempt = ++this.attempt;
    if (this.stateValue !== 'lost' && this.stateValue !== 'incompatible') this.setState('connecting', `opening ${this.transport.endpoint}`);
    const opened = await this.transport.open();
    if (this.disposed || attempt !== this.attempt) {
      // Disposed while the port was opening: dispose() found it closed, so close it here.
      if (opened.ok && this.disposed) await this.transport.close();
      return;
    }
    if (!opened.ok) {
      if (this.stateValue !== 'lost') this.setState('connecting', `${opened.error.message}; retrying every ${this.timing.retryMs} ms`);
      this.scheduleRetry();
      return;
    }
    this.resetSession();
    if (this.stateValue !== 'lost' && this.stateValue !== 'incompatible') this.setState('handshaking', `waking the ${this.profile.title}`);
    try {
      await this.start();
    } catch (err) {
      if (this.disposed || attempt !== this.attempt) return;
      if (err instanceof RobotIncompatible) {
        this.setState('incompatible', `${err.message}; trying again every ${INCOMPATIBLE_RETRY_MS / 1000} s`);
        await this.transport.close();
        this.scheduleRetry(INCOMPATIBLE_RETRY_MS);
        return;
      }
      const words = err instanceof RobotNotAnswering ? err.message : `handshake failed: ${(err as Error).message}`;
      this.setState(this.stateValue === 'lost' ? 'lost' : 'connecting', `${words}; retrying every ${this.timing.retryMs} ms`);
      await this.transport.close();
      this.scheduleRetry();
      return;
    }
    if (this.disposed || attempt !== this.attempt) return;
    this.silence.reset(this.nowMs());
    this.caps = this.describe();
    this.events.emit('capabilities', this.caps);
    this.lastSent = null;
    this.setState('connected', `${this.profile.title} on ${this.transport.endpoint}`);
    this.commandTimer = setInterval(() => this.sendCommand(), this.timing.commandPeriodMs);
  }

  /** What the robot is; protocols that learn more at start() may override. */
  protected describe(): RobotCapabilities {
    return profileCapabilities(this.profile, this.driverName);
  }

  private scheduleRetry(afterMs = this.timing.retryMs): void {
    if (this.disposed) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.open();
    }, afterMs);
  }

  /** Writes the command in force; `tick`: from the stream's timer (then `poll()` follows). */
  private sendCommand(tick = true): void {
    if (!this.isConnected) return;
    const now = this.nowMs();
    const c = this.command;
    const fresh = c !== null && now - c.atMs <= this.timing.commandHoldMs;
    const v = fresh ? c.v : 0;
    const w = fresh ? c.w : 0;
    this.writeVelocity(v, w);
    this.lastSent = { v, w, atMs: now };
    const msg: VelocityCommandMsg = { type: 'velocity-command', v, w };
    this.events.emit('sent', { frame: { version: PROTOCOL_VERSION, seq: this.commandSeq, timestampUs: Math.round(now * 1000), msg }, sentAt: now / 1000 });
    this.commandSeq = (this.commandSeq + 1) & 0xffff;
    if (tick) this.poll();
  }

  private checkAlive(): void {
    if (this.disposed || !this.isConnected) return;
    const s = this.silence.check(this.nowMs());
    if (s.silentMs >= this.timing.lostAfterMs) this.goLost(`${describeSilence(`the ${this.profile.title}`, s)}; reconnecting…`);
  }

  private goLost(message: string): void {
    if (this.disposed) return;
    const wasUp = this.stateValue === 'connected' || this.stateValue === 'lost';
    if (this.commandTimer) clearInterval(this.commandTimer);
    this.commandTimer = null;
    this.command = null;
    // Lost while the port is still open (the robot went quiet, or answers garbage): a robot
    // without a dead-man would drive on at its last speed, so it is told to stop before the
    // port closes (the transport drains what is queued on close).
    if (wasUp && this.transport.isOpen) this.writeStop('link-loss');
    this.startWaiter?.reject(new RobotNotAnswering(message));
    if (wasUp || this.stateValue === 'handshaking') {
      if (this.stateValue !== 'lost') this.reconnects++;
      this.setState('lost', message);
    }
    const attempt = ++this.attempt;
    void this.transport.close().then(() => {
      if (this.disposed || attempt !== this.attempt) return;
      this.scheduleRetry();
    });
  }

  private stopTimers(): void {
    if (this.commandTimer) clearInterval(this.commandTimer);
    if (this.watchdogTimer) clearInterval(this.watchdogTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.commandTimer = this.watchdogTimer = this.retryTimer = null;
  }
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
