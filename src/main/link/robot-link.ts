/**
 * The host side of the robot link: one session over a Transport. It handshakes, streams
 * commands and heartbeats, estimates round trip and clock offset, notices a dead link and
 * reconnects by itself.
 *
 * Safety rules this class enforces (docs/protocol.md):
 *  - No motion before a compatible Hello, and none ever towards a robot that speaks another
 *    protocol version.
 *  - VelocityCommand goes out at 25 Hz whenever connected. The owner's desired command
 *    carries a timestamp; if it is older than 100 ms the link sends zeros, so the robot never
 *    moves on stale intent (a hung planner or UI stops the robot within ~140 ms).
 *  - No valid frame for 500 ms, or the transport closing, means the link is lost: motion
 *    stops, the transport is closed and reopened every 250 ms until it works. The 500 ms
 *    count only while the console runs: when its own event loop was stalled (a long task, a
 *    collection, a loaded machine), the robot's bytes wait unread in the OS buffer, and that
 *    stall is not the robot's silence (see SilenceWatch).
 *
 * Time: host times are ms on the link clock (default: performance.timeOrigin +
 * performance.now(), i.e. epoch ms that never step backwards). Frame header timestamps sent
 * by the host are that clock in µs; robot timestamps are the robot's own clock in µs.
 */
import {
  PROTOCOL_VERSION,
  StopReason,
  type HelloMsg,
  type HostMessage,
  type LinkFrame,
  type RobotMessage,
} from '../../shared/protocol';
import type { LinkState, LinkStatus } from '../../shared/api';
import type { Twist2D } from '../../shared/geometry';
import { ClockSync, type ClockJump } from './clock-sync';
import { FrameDecoder, encodeWire, type FrameErrorReason } from '../../shared/wire';
import type { Transport, TransportCloseInfo } from './transport';
import { SilenceWatch, describeSilence } from './silence';

/** Host clock for the link. */
export interface LinkClock {
  /** Host time, ms; must never step backwards. */
  nowMs(): number;
}

export const systemClock: LinkClock = {
  nowMs: () => performance.timeOrigin + performance.now(),
};

/** Every period and timeout of the link, ms. Defaults follow docs/protocol.md. */
export interface LinkTiming {
  /** Ping{requestHello} period while waiting for Hello. */
  handshakePingIntervalMs: number;
  /** VelocityCommand period when connected (25 Hz; the protocol requires ≥ 20 Hz). */
  commandIntervalMs: number;
  /** Ping period when connected (5 Hz), for RTT and clock offset. */
  pingIntervalMs: number;
  /** A desired command older than this is replaced by zeros. */
  commandStaleMs: number;
  /** No valid frame for this long means the link is lost. */
  silenceTimeoutMs: number;
  /** Delay between attempts to reopen the endpoint. */
  reconnectIntervalMs: number;
  /** Open but no Hello for this long: close and reopen (a wedged adapter, a robot still booting). */
  handshakeTimeoutMs: number;
  /** The current ScreenCommand is repeated this often, so one lost frame does not lose it. */
  screenRefreshIntervalMs: number;
  /** How often silence is checked; adds at most this much to silenceTimeoutMs. */
  watchdogIntervalMs: number;
  /**
   * A silence check this late (ms since the previous one) means the console itself was
   * stalled: the stall is not counted as the robot's silence.
   */
  consoleStallMs: number;
}

export const DEFAULT_LINK_TIMING: LinkTiming = {
  handshakePingIntervalMs: 100,
  commandIntervalMs: 40,
  pingIntervalMs: 200,
  commandStaleMs: 100,
  silenceTimeoutMs: 500,
  reconnectIntervalMs: 250,
  handshakeTimeoutMs: 2000,
  screenRefreshIntervalMs: 500,
  watchdogIntervalMs: 20,
  // Five watchdog periods: timer jitter on a busy machine stays well below it, while any
  // stall that could hide a 50 Hz stream's frames (≥ 100 ms) is recognised.
  consoleStallMs: 100,
};

/**
 * Frames with another protocol version, in a row, before the robot is declared incompatible.
 * One is not enough: a corrupted frame passes CRC-16 about once in 65 536, and a fluke must
 * not kill a healthy link. A robot that really speaks another version sends them
 * continuously (every Hello, every Pong), so three arrive within a few hundred ms.
 */
const INCOMPATIBLE_AFTER_FRAMES = 3;
/** Ping send times kept for matching Pongs. */
const PENDING_PINGS_MAX = 32;

export interface RobotLinkOptions {
  transport: Transport;
  clock?: LinkClock;
  timing?: Partial<LinkTiming>;
}

export interface LinkStateChange {
  state: LinkState;
  previous: LinkState;
  /** Plain words for the operator, e.g. "Link lost: no data from the robot for 500 ms; reconnecting…". */
  message: string;
  /** Host time, ms. */
  atMs: number;
}

/** A valid robot frame and when it arrived (host clock, ms). */
export interface ReceivedFrame<M extends RobotMessage = RobotMessage> extends LinkFrame<M> {
  receivedAtMs: number;
}

export interface BadFrame {
  reason: FrameErrorReason | 'wrong-direction';
  detail: string;
  /** Host time, ms. */
  atMs: number;
}

/** A frame the host wrote to the transport. */
export interface SentFrame {
  frame: LinkFrame<HostMessage>;
  sentAtMs: number;
}

export interface RobotLinkEvents {
  state: LinkStateChange;
  frame: ReceivedFrame;
  hello: HelloMsg;
  'bad-frame': BadFrame;
  sent: SentFrame;
  /** The robot's clock jumped; offset estimates restarted. */
  'clock-jump': ClockJump & { atMs: number };
}

export type RobotLinkEventName = keyof RobotLinkEvents;

/** The VelocityCommand most recently written to the transport. */
export interface SentCommand {
  seq: number;
  v: number; // m/s
  w: number; // rad/s
  sentAtMs: number;
  /** True when the owner's command was stale (or unset) and zeros were sent instead. */
  stale: boolean;
}

export interface LinkCounters {
  /** Valid robot frames since connect(). */
  frames: number;
  crcErrors: number;
  /** Every other rejected frame: COBS, length, oversize, unknown type, version, wrong direction. */
  badFrames: number;
  /** Times a lost link came back. */
  reconnects: number;
  byReason: Record<BadFrame['reason'], number>;
}

function emptyCounters(): LinkCounters {
  return {
    frames: 0, crcErrors: 0, badFrames: 0, reconnects: 0,
    byReason: { cobs: 0, 'too-short': 0, oversize: 0, crc: 0, version: 0, 'unknown-type': 0, 'bad-payload': 0, 'wrong-direction': 0 },
  };
}

const ROBOT_TO_HOST = new Set<RobotMessage['type']>(['hello', 'odometry', 'laser-scan', 'status', 'screen-state', 'pong']);

interface PeriodicTask {
  timer: ReturnType<typeof setTimeout> | null;
  cancelled: boolean;
}

type Listener<E extends RobotLinkEventName> = (payload: RobotLinkEvents[E]) => void;

export class RobotLink {
  readonly transport: Transport;
  readonly timing: LinkTiming;
  private readonly clock: LinkClock;
  private readonly listeners = new Map<RobotLinkEventName, Set<Listener<RobotLinkEventName>>>();

  private stateValue: LinkState = 'disconnected';
  /**
   * Where the session is, independent of what the operator is shown: after a loss the state
   * stays 'lost' while the port is reopened and the handshake redone.
   */
  private phase: 'idle' | 'opening' | 'handshaking' | 'connected' = 'idle';
  /** Why the link was last lost, repeated in messages until it is back. */
  private lostReason = '';
  private messageValue = 'Not connected';
  private helloValue: HelloMsg | null = null;
  /** True between connect() and disconnect() (or incompatibility). */
  private wanted = false;
  /** Whether this session has been connected at least once (lost vs still connecting). */
  private everConnected = false;
  /** Bumped whenever the session is torn down, so late async callbacks can tell they are stale. */
  private generation = 0;

  private decoder = new FrameDecoder();
  private readonly counters = emptyCounters();
  private versionMismatchRun = 0;
  /** Silence of the robot while the console was running (connected phase). */
  private silence: SilenceWatch;
  private handshakeStartedAtMs = 0;
  /** Receive times of recent valid frames (host ms), for the 1 s frame rate. */
  private readonly recentFrameTimes: number[] = [];

  private txSeq = 0;
  /** Send time (host ms) by VelocityCommand seq; NaN where that seq was not a command. */
  private readonly commandSentAt = new Float64Array(65536).fill(Number.NaN);
  private lastCommandValue: SentCommand | null = null;
  private desired: { v: number; w: number; atMs: number } | null = null;
  private screen: { panAngle: number; maxRate: number } | null = null;
  private lastScreenSentAtMs = -Infinity;
  private readonly pendingPings = new Map<number, number>();
  private readonly clockSync = new ClockSync();

  private timers: PeriodicTask[] = [];
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly unsubscribeTransport: (() => void)[] = [];

  constructor(options: RobotLinkOptions) {
    this.transport = options.transport;
    this.clock = options.clock ?? systemClock;
    this.timing = { ...DEFAULT_LINK_TIMING, ...options.timing };
    this.silence = new SilenceWatch(this.timing.watchdogIntervalMs, this.timing.consoleStallMs);
    this.unsubscribeTransport.push(
      this.transport.onData((chunk) => this.onBytes(chunk)),
      this.transport.onClose((info) => this.onTransportClosed(info)),
    );
  }

  // ── Events ──────────────────────────────────────────────────────────────────────────

  on<E extends RobotLinkEventName>(event: E, listener: Listener<E>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as Listener<RobotLinkEventName>);
    return () => { set.delete(listener as Listener<RobotLinkEventName>); };
  }

  private emit<E extends RobotLinkEventName>(event: E, payload: RobotLinkEvents[E]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const l of set) {
      try {
        l(payload);
      } catch (err) {
        // A faulty listener must not stop the link (and with it the command stream).
        console.error(`RobotLink '${event}' listener failed:`, err);
      }
    }
  }

  // ── Read-only state ────────────────────────────────────────────────────────────────

  get state(): LinkState { return this.stateValue; }
  get message(): string { return this.messageValue; }
  /** What the robot said at the last handshake; null before it. */
  get robot(): HelloMsg | null { return this.helloValue; }
  get endpoint(): string { return this.transport.endpoint; }
  /** Median round trip, ms; null until measured. */
  get rttMs(): number | null { return this.clockSync.rttMs; }
  /** Robot clock minus host clock, ms (median NTP estimate); null until measured. */
  get clockOffsetMs(): number | null { return this.clockSync.offsetMs; }
  get lastCommand(): SentCommand | null { return this.lastCommandValue; }
  getCounters(): LinkCounters { return structuredClone(this.counters); }

  /** Valid frames received over the last second, Hz. */
  frameRateHz(): number {
    this.pruneFrameTimes(this.clock.nowMs());
    return this.recentFrameTimes.length;
  }

  /** Everything the status bar shows. */
  status(): LinkStatus {
    return {
      state: this.stateValue,
      message: this.messageValue,
      endpoint: this.transport.endpoint,
      rttMs: this.rttMs,
      clockOffsetMs: this.clockOffsetMs,
      frameRateHz: this.frameRateHz(),
      crcErrors: this.counters.crcErrors,
      badFrames: this.counters.badFrames,
      reconnects: this.counters.reconnects,
    };
  }

  /**
   * When the VelocityCommand with this sequence number was sent (host ms), or null if that
   * seq was not a command or has been overwritten (seqs wrap after 65 536 frames). With
   * Odometry.lastCommandSeq this gives the command latency.
   */
  commandSentAtMs(seq: number): number | null {
    const t = this.commandSentAt[seq & 0xffff]!;
    return Number.isNaN(t) ? null : t;
  }

  /** Converts a robot timestamp (µs, robot clock) to host time (ms); null until the offset is known. */
  robotTimeToHostMs(robotUs: number): number | null {
    const offset = this.clockOffsetMs;
    return offset === null ? null : robotUs / 1000 - offset;
  }

  // ── Owner commands ─────────────────────────────────────────────────────────────────

  /**
   * Sets the desired body velocity (base_link: v m/s forward, w rad/s counter-clockwise),
   * stamped with the host time it was decided (ms, default now). The link keeps sending it
   * at 25 Hz until it is older than commandStaleMs; refresh it to keep moving. Non-finite
   * values are refused (returns false) and the desired command becomes zero.
   */
  setVelocity(cmd: Twist2D, atMs: number = this.clock.nowMs()): boolean {
    if (!Number.isFinite(cmd.v) || !Number.isFinite(cmd.w) || !Number.isFinite(atMs)) {
      this.desired = null;
      return false;
    }
    this.desired = { v: cmd.v, w: cmd.w, atMs };
    return true;
  }

  /**
   * Stops now: clears the desired command and sends Stop immediately (if connected); zeros
   * keep going out at 25 Hz. Returns whether the Stop was written.
   */
  stop(reason: number = StopReason.Operator): boolean {
    this.desired = null;
    if (this.phase !== 'connected') return false;
    const ok = this.send({ type: 'stop', reason }) !== null;
    this.sendVelocity();
    return ok;
  }

  /** Sets the screen pan target (rad, relative to base_link x; rate rad/s), or null for none. */
  setScreen(cmd: { panAngle: number; maxRate: number } | null): boolean {
    if (cmd && (!Number.isFinite(cmd.panAngle) || !Number.isFinite(cmd.maxRate))) return false;
    this.screen = cmd ? { panAngle: cmd.panAngle, maxRate: cmd.maxRate } : null;
    if (this.screen && this.phase === 'connected') this.sendScreen();
    return true;
  }

  // ── Session lifecycle ──────────────────────────────────────────────────────────────

  /** Opens the endpoint and keeps the link up until disconnect(). No-op if already started. */
  connect(): void {
    if (this.wanted) return;
    this.wanted = true;
    this.everConnected = false;
    this.helloValue = null;
    this.generation++;
    this.phase = 'opening';
    this.setState('connecting', `Opening ${this.endpoint}…`);
    void this.attemptOpen(this.generation);
  }

  /**
   * Stops everything: sends Stop (if the transport is open), closes the transport and
   * cancels reconnection. Resolves once closed.
   */
  async disconnect(reason: number = StopReason.Operator): Promise<void> {
    const wasActive = this.wanted || this.transport.isOpen;
    this.wanted = false;
    this.generation++;
    this.phase = 'idle';
    this.stopTimers();
    this.desired = null;
    if (this.transport.isOpen) this.send({ type: 'stop', reason });
    await this.transport.close();
    if (wasActive || this.stateValue !== 'disconnected') this.setState('disconnected', 'Disconnected');
  }

  /** disconnect() and detach from the transport for good. */
  async dispose(): Promise<void> {
    await this.disconnect(StopReason.Shutdown);
    for (const u of this.unsubscribeTransport.splice(0)) u();
    this.listeners.clear();
  }

  private async attemptOpen(generation: number): Promise<void> {
    const result = await this.transport.open();
    if (generation !== this.generation || !this.wanted) {
      if (result.ok) await this.transport.close();
      return;
    }
    if (!result.ok) {
      if (this.everConnected) {
        this.setState('lost', `Link lost: ${this.lostReason}; reconnecting (${result.error.message})…`);
      } else {
        this.setState('connecting', `Cannot connect: ${result.error.message}; retrying every ${this.timing.reconnectIntervalMs} ms…`);
      }
      this.scheduleReopen(generation);
      return;
    }
    this.startHandshake();
  }

  private scheduleReopen(generation: number): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (generation === this.generation && this.wanted) void this.attemptOpen(generation);
    }, this.timing.reconnectIntervalMs);
  }

  private startHandshake(): void {
    const now = this.clock.nowMs();
    // A fresh decoder: bytes half-received before a reconnect belong to no frame.
    this.decoder = new FrameDecoder();
    this.versionMismatchRun = 0;
    this.handshakeStartedAtMs = now;
    this.silence.reset(now);
    this.pendingPings.clear();
    this.phase = 'handshaking';
    if (this.everConnected) {
      this.setState('lost', `Link lost: ${this.lostReason}; ${this.endpoint} is back, waiting for the robot to answer…`);
    } else {
      this.setState('handshaking', `${this.endpoint} open; waiting for the robot to say hello…`);
    }
    this.stopTimers();
    this.send({ type: 'ping', requestHello: true });
    this.every(this.timing.handshakePingIntervalMs, () => {
      if (this.phase === 'handshaking') this.send({ type: 'ping', requestHello: true });
    });
    this.every(this.timing.watchdogIntervalMs, () => this.checkWatchdog());
  }

  private becomeConnected(hello: HelloMsg): void {
    this.helloValue = hello;
    const reconnected = this.everConnected;
    if (reconnected) this.counters.reconnects++;
    this.everConnected = true;
    // A new connection may be a different robot or a rebooted one: start clock sync afresh.
    // Pings of the handshake do not count: sent while the robot was not answering, their
    // Pongs come back late and lopsided (a one-way delay of up to the outage, rtt/2 of error).
    this.clockSync.reset();
    this.pendingPings.clear();
    this.stopTimers();
    this.phase = 'connected';
    this.silence.reset(this.clock.nowMs());
    this.setState('connected', `Connected to ${hello.name || 'robot'} on ${this.endpoint}${reconnected ? ' (reconnected)' : ''}`);
    this.emit('hello', hello);
    this.sendVelocity();
    if (this.screen) this.sendScreen();
    this.every(this.timing.commandIntervalMs, () => {
      this.sendVelocity();
      if (this.screen && this.clock.nowMs() - this.lastScreenSentAtMs >= this.timing.screenRefreshIntervalMs) this.sendScreen();
    });
    this.every(this.timing.pingIntervalMs, () => this.send({ type: 'ping', requestHello: false }));
    this.every(this.timing.watchdogIntervalMs, () => this.checkWatchdog());
  }

  private checkWatchdog(): void {
    const now = this.clock.nowMs();
    if (this.phase === 'connected') {
      const s = this.silence.check(now);
      if (s.silentMs >= this.timing.silenceTimeoutMs) void this.loseLink(describeSilence('the robot', s));
    } else if (this.phase === 'handshaking' && now - this.handshakeStartedAtMs >= this.timing.handshakeTimeoutMs) {
      void this.restartSession(`no answer from the robot on ${this.endpoint} within ${this.timing.handshakeTimeoutMs} ms`);
    }
  }

  /** Connected → lost: stop motion, close, reopen until it works. */
  private async loseLink(reason: string): Promise<void> {
    if (!this.wanted) return;
    const generation = ++this.generation;
    this.phase = 'opening';
    this.stopTimers();
    // Best effort: if the robot is merely deaf-mute one way, this still stops it now.
    if (this.transport.isOpen) this.send({ type: 'stop', reason: StopReason.LinkLoss });
    this.lostReason = reason;
    this.setState('lost', `Link lost: ${reason}; reconnecting…`);
    await this.transport.close();
    if (generation === this.generation && this.wanted) this.scheduleReopen(generation);
  }

  /** Handshake failed: close and try again, staying in 'connecting' or 'lost'. */
  private async restartSession(reason: string): Promise<void> {
    if (!this.wanted) return;
    const generation = ++this.generation;
    this.phase = 'opening';
    this.stopTimers();
    if (this.everConnected) this.setState('lost', `Link lost: ${this.lostReason}; reconnecting (${reason})…`);
    else this.setState('connecting', `Cannot connect: ${reason}; retrying…`);
    await this.transport.close();
    if (generation === this.generation && this.wanted) this.scheduleReopen(generation);
  }

  private async becomeIncompatible(robotVersion: number): Promise<void> {
    this.wanted = false;
    this.generation++;
    this.phase = 'idle';
    this.stopTimers();
    this.desired = null;
    this.setState(
      'incompatible',
      `Robot speaks protocol v${robotVersion}; this console speaks v${PROTOCOL_VERSION}. Update the robot firmware or the console. No commands were sent.`,
    );
    await this.transport.close();
  }

  private onTransportClosed(info: TransportCloseInfo): void {
    if (info.requested || !this.wanted) return;
    const reason = info.error?.message ?? `${this.endpoint} closed`;
    if (this.phase === 'connected') void this.loseLink(reason);
    else void this.restartSession(reason);
  }

  // ── Receiving ──────────────────────────────────────────────────────────────────────

  private onBytes(chunk: Uint8Array): void {
    if (!this.wanted) return;
    const results = this.decoder.push(chunk);
    if (results.length === 0) return;
    const now = this.clock.nowMs();
    for (const result of results) {
      if (!this.wanted) return;
      if (!result.ok) {
        if (result.reason === 'version' && result.version !== undefined) {
          this.countBad({ reason: 'version', detail: result.detail, atMs: now });
          if (++this.versionMismatchRun >= INCOMPATIBLE_AFTER_FRAMES) void this.becomeIncompatible(result.version);
          continue;
        }
        this.countBad({ reason: result.reason, detail: result.detail, atMs: now });
        continue;
      }
      const frame = result.frame;
      if (!ROBOT_TO_HOST.has(frame.msg.type as RobotMessage['type'])) {
        // A host→robot message coming back: an echoing line or a confused peer. Never act on it.
        this.countBad({ reason: 'wrong-direction', detail: `${frame.msg.type} received from the robot (is the line echoing?)`, atMs: now });
        continue;
      }
      this.onValidFrame(frame as LinkFrame<RobotMessage>, now);
    }
  }

  private countBad(bad: BadFrame): void {
    this.counters.byReason[bad.reason]++;
    if (bad.reason === 'crc') this.counters.crcErrors++;
    else this.counters.badFrames++;
    this.emit('bad-frame', bad);
  }

  private onValidFrame(frame: LinkFrame<RobotMessage>, now: number): void {
    this.versionMismatchRun = 0;
    this.silence.heard(now);
    this.counters.frames++;
    this.recentFrameTimes.push(now);
    this.pruneFrameTimes(now);
    const msg = frame.msg;
    if (msg.type === 'hello') {
      if (msg.protocolVersion !== PROTOCOL_VERSION) {
        void this.becomeIncompatible(msg.protocolVersion);
        return;
      }
      if (this.phase === 'handshaking') this.becomeConnected(msg);
      else this.helloValue = msg;
    } else if (this.phase !== 'connected') {
      // Data before the Hello of a (re)connection: left in the device's buffer from before the
      // loss, or from a robot not yet identified. It is no one's data: not passed on (a
      // backlog from before a loss would otherwise be judged against the new session's clock).
      return;
    } else if (msg.type === 'pong') {
      this.onPong(msg.pingSeq, msg.hostTimeUs, msg.robotRxTimeUs, frame.timestampUs, now);
    }
    this.emit('frame', { ...frame, receivedAtMs: now });
  }

  private onPong(pingSeq: number, echoedHostUs: number, robotRxUs: number, robotTxUs: number, nowMs: number): void {
    const sentUs = this.pendingPings.get(pingSeq);
    // Only a Pong that echoes exactly what we sent counts: replayed or stale Pongs are ignored.
    if (sentUs === undefined || sentUs !== echoedHostUs) return;
    this.pendingPings.delete(pingSeq);
    const jump = this.clockSync.addExchange(sentUs, robotRxUs, robotTxUs, Math.round(nowMs * 1000));
    if (jump) this.emit('clock-jump', { ...jump, atMs: nowMs });
  }

  private pruneFrameTimes(now: number): void {
    const cutoff = now - 1000;
    let drop = 0;
    while (drop < this.recentFrameTimes.length && this.recentFrameTimes[drop]! <= cutoff) drop++;
    if (drop > 0) this.recentFrameTimes.splice(0, drop);
  }

  // ── Sending ────────────────────────────────────────────────────────────────────────

  /** Encodes and writes one message; returns its seq, or null when the transport is closed. */
  private send(msg: HostMessage): number | null {
    const now = this.clock.nowMs();
    const seq = this.txSeq;
    const timestampUs = Math.round(now * 1000);
    if (!this.transport.write(encodeWire(msg, seq, timestampUs))) return null;
    this.txSeq = (seq + 1) & 0xffff;
    this.commandSentAt[seq] = msg.type === 'velocity-command' ? now : Number.NaN;
    if (msg.type === 'ping') {
      this.pendingPings.set(seq, timestampUs);
      if (this.pendingPings.size > PENDING_PINGS_MAX) {
        const oldest = this.pendingPings.keys().next().value;
        if (oldest !== undefined) this.pendingPings.delete(oldest);
      }
    }
    this.emit('sent', { frame: { version: PROTOCOL_VERSION, seq, timestampUs, msg }, sentAtMs: now });
    return seq;
  }

  private sendVelocity(): void {
    if (this.phase !== 'connected') return;
    const now = this.clock.nowMs();
    const d = this.desired;
    const fresh = d !== null && now - d.atMs <= this.timing.commandStaleMs;
    const v = fresh ? d.v : 0;
    const w = fresh ? d.w : 0;
    const seq = this.send({ type: 'velocity-command', v, w });
    if (seq !== null) this.lastCommandValue = { seq, v, w, sentAtMs: now, stale: !fresh };
  }

  private sendScreen(): void {
    if (!this.screen || this.phase !== 'connected') return;
    if (this.send({ type: 'screen-command', ...this.screen }) !== null) this.lastScreenSentAtMs = this.clock.nowMs();
  }

  // ── Helpers ────────────────────────────────────────────────────────────────────────

  private setState(state: LinkState, message: string): void {
    if (state === this.stateValue && message === this.messageValue) return;
    const previous = this.stateValue;
    this.stateValue = state;
    this.messageValue = message;
    this.emit('state', { state, previous, message, atMs: this.clock.nowMs() });
  }

  /**
   * Runs fn every periodMs on a fixed grid of the link clock. Unlike setInterval, whose
   * lateness accumulates, a late tick is followed by an early one, so a loaded event loop
   * still averages 25 Hz of commands; when more than a period behind it skips rather than
   * bursts.
   */
  private every(periodMs: number, fn: () => void): void {
    const task: PeriodicTask = { timer: null, cancelled: false };
    let due = this.clock.nowMs() + periodMs;
    const tick = (): void => {
      if (task.cancelled) return;
      fn();
      // fn may have torn the session down (e.g. the watchdog declaring the link lost).
      if (task.cancelled) return;
      const now = this.clock.nowMs();
      due += periodMs;
      if (due <= now) due = now + periodMs;
      task.timer = setTimeout(tick, due - now);
    };
    task.timer = setTimeout(tick, periodMs);
    this.timers.push(task);
  }

  private stopTimers(): void {
    for (const t of this.timers) {
      t.cancelled = true;
      if (t.timer) clearTimeout(t.timer);
    }
    this.timers = [];
    if (this.retryTimer) {
      clearTimeout(this.retryTimer);
      this.retryTimer = null;
    }
  }
}
