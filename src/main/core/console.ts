/**
 * The console core: one per app, shared by both hosts. It owns the robot link, the live
 * state, motion arbitration and the safety tick, and publishes snapshots to the renderer.
 *
 * Motion arbitration, highest first: emergency stop (latched) › teleop (dead-man: input
 * older than TELEOP_DEADMAN_S means zero) › autonomy › idle. Every command passes the
 * safety guard on the newest scan before it reaches the link; the link itself sends zeros
 * when the core stops refreshing it, so a stalled core cannot keep the robot moving.
 */
import type {
  ApiEventName,
  ApiEvents,
  ApiMethodName,
  ApiMethods,
  CommandResult,
  ConnectRequest,
  ConsoleEvent,
  ConsoleSnapshot,
  LinkStatus,
  MapPayload,
  MotionSource,
  PersonView,
  SafetyState,
  TeleopInput,
} from '../../shared/api';
import type { Pose2D, Twist2D } from '../../shared/geometry';
import { StopReason } from '../../shared/protocol';
import { ReactiveSafety, type ReactiveDecision } from '../../planner/reactive';
import type { ApiBackend, EventListener } from '../hosts/backend';
import type { ReceivedFrame, RobotLink } from '../link';
import type { SentCommand } from '../../planner/predictive';
import type { NavCycleOutput } from '../../planner/nav';
import { guardZones, ZoneSet, type ZoneShape } from '../../planner/nav/zones';
import type { Clock } from './clock';
import type { RunRecording } from './run-recording';
import { RobotState } from './state';
import { FaultMonitor, type FaultEvent } from './faults';

/** Teleop input older than this stops teleop motion, s (renderer repeats at 10 Hz). */
export const TELEOP_DEADMAN_S = 0.3;
/** Safety tick period, s (≥ 50 Hz). */
export const SAFETY_PERIOD_S = 0.02;
/** Snapshot period, s (≤ 30 Hz). */
export const SNAPSHOT_PERIOD_S = 1 / 30;

const DISCONNECTED: LinkStatus = {
  state: 'disconnected',
  message: 'No robot connected',
  endpoint: null,
  rttMs: null,
  clockOffsetMs: null,
  frameRateHz: 0,
  crcErrors: 0,
  badFrames: 0,
  reconnects: 0,
};

/** Autonomy: produces the command for the current instant when a goal is active. */
export interface Autonomy {
  setGoal(goal: Pose2D): Promise<CommandResult>;
  cancel(): void;
  /** Command for now, or null when it has nothing to do (no goal, reached, failed). */
  command(now: number): Twist2D | null;
  /** The screen (head) command for now, or null when autonomy does not steer the gaze. */
  screenCommand?(now: number): { panAngle: number; maxRate: number } | null;
  /** Display data for the snapshot. */
  fill(snapshot: ConsoleSnapshot): void;
  shutdown(): Promise<void>;
}

/** Handlers for some API methods, by name. */
export type ApiHandlers = { [M in ApiMethodName]?: (req: ApiMethods[M]['req']) => Promise<ApiMethods[M]['res']> | ApiMethods[M]['res'] };

/** A connected link plus what to do when it is dropped (e.g. stop a simulator it started). */
export interface LinkSession {
  link: RobotLink;
  release?: () => Promise<void>;
}

/** Opens the link a connect request names; the core calls `link.connect()` itself. */
export type LinkFactory = (req: ConnectRequest) => Promise<LinkSession>;

/** Teleop speed cap on a robot without a lidar (nothing can guard it but the operator), m/s. */
export const NO_LIDAR_TELEOP_SPEED = 0.25;

export interface ConsoleCoreOptions {
  /** Host clock, seconds; must match the link's clock (ms / 1000). */
  clock: Clock;
  linkFactory: LinkFactory;
  reactive?: ReactiveSafety;
  map?: MapPayload | null;
  autonomy?: (core: ConsoleCore) => Autonomy;
  listPorts?: () => Promise<ApiMethods['listPorts']['res']>;
  /** Records every session as a run (none in tests that do not ask for it). */
  recording?: RunRecording;
  /** Problems found while starting (e.g. the run database refused), shown to the operator. */
  startupWarnings?: string[];
  /** Handlers for methods served outside the core (run review, zones). */
  handlers?: ApiHandlers;
  /** Releases what the creator opened beside the core (e.g. the zones file). */
  onShutdown?: () => void;
  /** Start the tick and snapshot timers (tests may drive `tick()` by hand). */
  timers?: boolean;
}

export class ConsoleCore implements ApiBackend {
  readonly state = new RobotState();
  /** Detectors for robot clock jumps, odometry jumps and blind scans; they can hold motion. */
  readonly faults = new FaultMonitor();
  private lastFaultSaidAt = -Infinity;
  /** Last pan sent, rad; the screen command is only re-sent when it moves. */
  private lastPanSent: number | null = null;
  private session: LinkSession | null = null;
  private unsubscribeLink: (() => void)[] = [];
  private readonly reactive: ReactiveSafety;
  private linkStatus: LinkStatus = DISCONNECTED;
  private readonly listeners = new Set<EventListener>();
  private teleop: { input: TeleopInput; time: number } | null = null;
  private estop = false;
  private motion: MotionSource = 'idle';
  private lastCommand: Twist2D = { v: 0, w: 0 };
  private lastSafety: ReactiveDecision | null = null;
  private safetyNote: { action: SafetyState['action']; reason: string } | null = null;
  private notice: string | null = null;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly autonomy: Autonomy | null;
  private connecting = false;
  /** VelocityCommands recently written to the link (host s), for the planner's fast-forward. */
  private readonly sentCommands: SentCommand[] = [];
  /** Where the current link goes, for the run log ("serial:/dev/ttyACM0", "sim"). */
  private source = '';
  /** Startup problems the operator must see (shown as the notice until something else is). */
  readonly warnings: string[];
  map: MapPayload | null;

  constructor(private readonly opts: ConsoleCoreOptions) {
    this.map = opts.map ?? null;
    this.reactive = opts.reactive ?? new ReactiveSafety();
    this.autonomy = opts.autonomy ? opts.autonomy(this) : null;
    opts.recording?.onRecorderEvent((e) => this.emit('event', e));
    this.warnings = opts.startupWarnings ?? [];
    if (opts.timers !== false) {
      this.timers.push(setInterval(() => this.tick(), SAFETY_PERIOD_S * 1000));
      this.timers.push(setInterval(() => this.emit('snapshot', this.snapshot()), SNAPSHOT_PERIOD_S * 1000));
    }
  }

  now(): number {
    return this.opts.clock();
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit<E extends ApiEventName>(event: E, payload: ApiEvents[E]): void {
    for (const l of this.listeners) {
      try {
        l(event, payload);
      } catch {
        // A failing listener (a closed socket) must not stop the others.
      }
    }
  }

  say(level: ConsoleEvent['level'], message: string): void {
    this.emit('event', { t: this.now(), level, message });
  }

  private readonly own: ApiHandlers = {
    listPorts: () => (this.opts.listPorts ? this.opts.listPorts() : []),
    getMap: () => this.map,
    getSnapshot: () => this.snapshot(),
    connect: (req) => this.connect(req),
    disconnect: () => this.disconnect(),
    teleop: (req) => this.setTeleop(req),
    emergencyStop: () => this.emergencyStop(),
    releaseEmergencyStop: () => this.releaseEmergencyStop(),
    setGoal: (req) => this.setGoal(req),
    cancelGoal: () => this.cancelGoal(),
  };

  async handle<M extends ApiMethodName>(method: M, req: ApiMethods[M]['req']): Promise<ApiMethods[M]['res']> {
    const handler = (this.own[method] ?? this.opts.handlers?.[method]) as ((r: ApiMethods[M]['req']) => Promise<ApiMethods[M]['res']> | ApiMethods[M]['res']) | undefined;
    if (!handler) throw new Error(`'${method}' is not available in this console`);
    return handler(req);
  }

  get link(): RobotLink | null {
    return this.session?.link ?? null;
  }

  async connect(req: ConnectRequest): Promise<CommandResult> {
    if (this.connecting) return { ok: false, error: 'Already connecting' };
    this.connecting = true;
    try {
      await this.disconnect();
      this.state.reset();
      this.faults.reset();
      const session = await this.opts.linkFactory(req);
      this.session = session;
      this.source = req.kind === 'serial' ? `serial:${req.path}` : req.kind === 'tcp' ? `tcp:${req.host}:${req.port}` : 'sim';
      const link = session.link;
      const rec = this.opts.recording;
      this.unsubscribeLink = [
        link.on('frame', (frame) => {
          // Every frame is checked before it is applied: a jumped clock or pose, or a blind
          // lidar, stops motion and is said and recorded; stale frames are not applied at all.
          const verdict = this.faults.onFrame(frame);
          if (verdict.fault) this.onFault(verdict.fault);
          rec?.frame(frame, frame.receivedAtMs / 1000);
          if (verdict.apply) this.onFrame(frame);
        }),
        link.on('clock-jump', (jump) => {
          const text = `Robot clock jumped (${JSON.stringify(jump)}); clock sync restarted`;
          this.say('warn', text);
          rec?.fault({ kind: 'robot-clock-jump', message: text, atMs: jump.atMs, detail: {} }, jump.atMs / 1000);
        }),
        link.on('state', (change) => {
          rec?.link(change.state, change.message, change.atMs / 1000);
          this.onLinkState(change.state, change.message);
        }),
        link.on('bad-frame', (bad) => rec?.badFrame(bad.reason, bad.detail, bad.atMs / 1000)),
        link.on('hello', (hello) => {
          this.state.hello = hello;
          this.faults.onHello(hello);
          rec?.start(hello.name, this.source, this.now());
        }),
        link.on('sent', (sent) => {
          rec?.sent(sent.frame, sent.sentAtMs / 1000);
          const msg = sent.frame.msg;
          if (msg.type !== 'velocity-command') return;
          this.sentCommands.push({ sentAt: sent.sentAtMs / 1000, v: msg.v, w: msg.w });
          if (this.sentCommands.length > 25) this.sentCommands.shift();
        }),
      ];
      link.connect();
      return { ok: true };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.say('error', `Could not connect: ${message}`);
      return { ok: false, error: message };
    } finally {
      this.connecting = false;
    }
  }

  async disconnect(): Promise<CommandResult> {
    const session = this.session;
    this.session = null;
    this.autonomy?.cancel();
    this.teleop = null;
    for (const u of this.unsubscribeLink.splice(0)) u();
    if (session) {
      const rec = this.opts.recording;
      rec?.operator('disconnect', this.now());
      rec?.end(this.linkStatus.state === 'lost' ? 'link-lost' : 'completed', this.now());
      await session.link.dispose();
      await session.release?.();
    }
    this.linkStatus = DISCONNECTED;
    this.motion = 'idle';
    this.lastCommand = { v: 0, w: 0 };
    return { ok: true };
  }

  setTeleop(input: TeleopInput): CommandResult {
    const moving = input.linear !== 0 || input.angular !== 0;
    if (moving && this.estop) return { ok: false, error: 'Emergency stop is engaged; release it to drive' };
    if (moving && this.motion === 'autonomy') {
      // Taking the sticks during autonomy is an intervention: the goal is dropped.
      this.autonomy?.cancel();
      this.say('warn', 'Operator took over: goal cancelled');
    }
    this.teleop = { input, time: this.now() };
    this.opts.recording?.operator('teleop', this.now(), { teleop: { linear: input.linear, angular: input.angular } });
    this.tick();
    return { ok: true };
  }

  emergencyStop(): CommandResult {
    this.estop = true;
    this.autonomy?.cancel();
    this.teleop = null;
    this.link?.stop(StopReason.Operator);
    this.tick();
    this.opts.recording?.operator('emergency-stop', this.now());
    this.say('warn', 'Emergency stop engaged');
    return { ok: true };
  }

  releaseEmergencyStop(): CommandResult {
    if (!this.estop) return { ok: true };
    this.estop = false;
    this.opts.recording?.operator('release-emergency-stop', this.now());
    this.say('info', 'Emergency stop released');
    return { ok: true };
  }

  async setGoal(goal: Pose2D): Promise<CommandResult> {
    if (!this.autonomy) return { ok: false, error: 'No planner in this console' };
    if (this.estop) return { ok: false, error: 'Emergency stop is engaged; release it first' };
    if (this.linkStatus.state !== 'connected') return { ok: false, error: 'No robot connected' };
    this.teleop = null;
    this.opts.recording?.operator('set-goal', this.now(), { goal });
    const res = await this.autonomy.setGoal(goal);
    if (res.ok) this.say('info', `New goal (${goal.x.toFixed(2)}, ${goal.y.toFixed(2)})`);
    return res;
  }

  /** Velocity commands sent over the last second or so, oldest first. */
  recentCommands(): SentCommand[] {
    return this.sentCommands.slice();
  }

  cancelGoal(): CommandResult {
    this.opts.recording?.operator('cancel-goal', this.now());
    this.autonomy?.cancel();
    return { ok: true };
  }

  setNotice(text: string | null): void {
    this.notice = text;
  }

  /** Operator zones (map frame) the guard enforces on every command, teleop and autonomy. */
  private zones = new ZoneSet();

  /** Replaces the operator zones the guard enforces (the planner worker gets them separately). */
  setZones(zones: readonly ZoneShape[]): void {
    this.zones = new ZoneSet(zones);
  }

  /**
   * Operator zones on the guarded command: slows and stops it short of keep-out zones along
   * its arc and caps it for slow zones (planner/nav/zones.ts guardZones); says which zone.
   */
  private zoneGuard(command: Twist2D): Twist2D {
    const h = this.state.hello;
    const pose = this.state.pose;
    if (this.zones.empty || !h || !pose || (command.v === 0 && command.w === 0)) return command;
    const z = guardZones(this.zones, {
      pose,
      command,
      footprint: { length: h.footprintLength, width: h.footprintWidth, centerOffsetX: h.footprintCenterOffsetX },
      limits: { aMax: h.maxLinearAccel, alphaMax: h.maxAngularAccel },
    });
    if (z.action === 'pass') return command;
    this.lastSafety = null;
    this.safetyNote = { action: z.action, reason: z.reason ?? 'operator zone' };
    return z.command;
  }

  /** One safety tick: arbitrate, guard on the newest scan, hand the command to the link. */
  tick(): void {
    const now = this.now();
    let desired: Twist2D = { v: 0, w: 0 };
    let source: MotionSource = 'idle';
    const h = this.state.hello;
    if (!this.estop && this.linkStatus.state === 'connected' && h) {
      const t = this.teleop;
      if (t && now - t.time <= TELEOP_DEADMAN_S && (t.input.linear !== 0 || t.input.angular !== 0)) {
        desired = { v: t.input.linear * h.maxLinearVelocity, w: t.input.angular * h.maxAngularVelocity };
        source = 'teleop';
      } else {
        const auto = this.autonomy?.command(now) ?? null;
        if (auto) {
          desired = auto;
          source = 'autonomy';
        }
      }
    }
    let command = this.zoneGuard(this.guard(desired, source, now));
    const held = this.faults.holding(now * 1000);
    if (held) {
      command = { v: 0, w: 0 };
      source = 'idle';
      this.lastSafety = null;
      this.safetyNote = { action: 'stop', reason: held.message };
    }
    this.recordSafety(desired, command, now);
    const wasMoving = this.lastCommand.v !== 0 || this.lastCommand.w !== 0;
    const overridden = (desired.v !== 0 || desired.w !== 0 || held !== null) && command.v === 0 && command.w === 0;
    this.lastCommand = command;
    this.motion = source;
    // A safety or fault stop goes out now as Stop, not on the link's next 40 ms command tick.
    if (wasMoving && overridden) this.link?.stop(StopReason.Safety);
    else this.link?.setVelocity(command, now * 1000);
    // The screen looks where autonomy is about to go (the link repeats it twice a second).
    const pan = source === 'autonomy' ? (this.autonomy?.screenCommand?.(now) ?? null) : null;
    if (pan && (this.lastPanSent === null || Math.abs(pan.panAngle - this.lastPanSent) > 0.005)) {
      this.link?.setScreen(pan);
      this.lastPanSent = pan.panAngle;
    } else if (!pan && this.lastPanSent !== null && this.lastPanSent !== 0 && h) {
      // Autonomy has ended: face forward again, where teleop drives.
      this.link?.setScreen({ panAngle: 0, maxRate: h.panMaxRate });
      this.lastPanSent = 0;
    }
  }

  /** Says and records a detected fault; pose and clock faults also end autonomy. */
  private onFault(fault: FaultEvent): void {
    const now = this.now();
    if (fault.kind !== 'stale-frame' || now - this.lastFaultSaidAt > 1) {
      this.say(fault.kind === 'stale-frame' ? 'warn' : 'error', fault.message);
      this.lastFaultSaidAt = now;
    }
    this.opts.recording?.fault(fault, fault.atMs / 1000);
    if (fault.kind === 'odometry-jump' || fault.kind === 'robot-clock-jump') {
      if (this.motion === 'autonomy') this.say('warn', 'Goal cancelled: the robot pose can no longer be trusted');
      this.autonomy?.cancel();
    }
    this.tick();
  }

  /** A fault found outside the link (e.g. the planner crashed): said, recorded, motion stopped. */
  reportFault(kind: string, message: string): void {
    this.say('error', message);
    this.opts.recording?.fault({ kind, message, atMs: this.now() * 1000, detail: {} }, this.now());
    this.tick();
  }

  /**
   * The reactive safety check on the newest scan. Without any scan the robot does not move
   * (stale data means stop); a robot that has no lidar at all may be driven by hand, slowly,
   * and never by the planner.
   */
  private guard(desired: Twist2D, source: MotionSource, now: number): Twist2D {
    this.lastSafety = null;
    if (desired.v === 0 && desired.w === 0) {
      this.safetyNote = null;
      return desired;
    }
    const h = this.state.hello;
    if (h && h.lidarBeams === 0) {
      if (source !== 'teleop') {
        this.safetyNote = { action: 'stop', reason: 'no lidar: autonomy disabled' };
        return { v: 0, w: 0 };
      }
      const scale = Math.min(1, NO_LIDAR_TELEOP_SPEED / Math.max(Math.abs(desired.v), 1e-9));
      this.safetyNote = { action: scale < 1 ? 'scale' : 'pass', reason: 'no lidar: teleop only, speed capped' };
      return { v: desired.v * scale, w: desired.w };
    }
    const scan = this.state.scan;
    if (!h || !scan) {
      this.safetyNote = { action: 'stop', reason: 'no scan yet' };
      return { v: 0, w: 0 };
    }
    const decision = this.reactive.check({
      scan: scan.base,
      now,
      command: desired,
      source: source === 'teleop' ? 'teleop' : 'planner',
      footprint: { length: h.footprintLength, width: h.footprintWidth, centerOffsetX: h.footprintCenterOffsetX },
      limits: { aMax: h.maxLinearAccel, alphaMax: h.maxAngularAccel },
    });
    this.lastSafety = decision;
    this.safetyNote = decision.action === 'pass' ? null : { action: decision.action, reason: decision.reason };
    return decision.command;
  }

  private recordSafety(requested: Twist2D, commanded: Twist2D, now: number): void {
    const rec = this.opts.recording;
    if (!rec) return;
    const d = this.lastSafety;
    const points = d ? d.points.flatMap((p) => [p.x, p.y]) : [];
    rec.safety(this.safetyState(), requested, commanded, d?.zone ?? null, points, now);
  }

  private safetyState(): SafetyState | null {
    const d = this.lastSafety;
    if (d) return { action: d.action, reason: d.reason, ttc: Number.isFinite(d.ttc) ? d.ttc : null, scale: d.scale };
    const n = this.safetyNote;
    return n ? { action: n.action, reason: n.reason, ttc: null, scale: n.action === 'stop' ? 0 : 1 } : null;
  }

  /** Called by autonomy after each planning cycle, for the run log. */
  recordPlannerCycle(out: NavCycleOutput, computeS: number, people: readonly PersonView[]): void {
    this.opts.recording?.plannerCycle(out, computeS, people, this.now());
  }

  private onFrame(frame: ReceivedFrame): void {
    const hostTime = frame.receivedAtMs / 1000;
    const msg = frame.msg;
    switch (msg.type) {
      case 'hello':
        this.state.hello = msg;
        return;
      case 'odometry':
        this.state.applyOdometry(msg, hostTime);
        return;
      case 'laser-scan': {
        // The scan's own time (robot clock → host clock), never later than its arrival.
        const stampMs = this.link?.robotTimeToHostMs(frame.timestampUs) ?? null;
        const stamp = stampMs === null ? hostTime : Math.min(hostTime, stampMs / 1000);
        this.state.applyScan(msg, stamp);
        // Check the command against every new scan, not only on the next tick.
        this.tick();
        return;
      }
      case 'status':
        this.state.status = msg;
        return;
      case 'screen-state':
        this.state.screenPan = msg.panAngle;
        return;
      case 'pong':
        return;
    }
  }

  private onLinkState(state: LinkStatus['state'], message: string): void {
    const before = this.linkStatus.state;
    this.linkStatus = { ...this.linkStatus, state, message };
    if (before === state) return;
    if (state !== 'connected' && before === 'connected') {
      this.autonomy?.cancel();
      this.teleop = null;
    }
    const level = state === 'lost' || state === 'incompatible' ? 'error' : 'info';
    this.say(level, message);
    this.tick();
  }

  snapshot(): ConsoleSnapshot {
    const now = this.now();
    const s = this.state;
    const status = this.link ? this.link.status() : this.linkStatus;
    const safety = this.safetyState();
    const snap: ConsoleSnapshot = {
      t: now,
      link: status,
      robot: s.robotInfo(),
      pose: s.pose,
      velocity: s.velocity,
      command: this.lastCommand,
      motion: this.motion,
      emergencyStop: this.estop,
      battery: s.status ? { voltage: s.status.batteryVoltage, percent: s.status.batteryPercent === 255 ? null : s.status.batteryPercent } : null,
      faults: s.faultNames(),
      screenPan: s.screenPan,
      scan: s.scan ? Array.from(s.scan.map, (v) => Math.round(v * 1000) / 1000) : [],
      scanAgeMs: s.scan ? Math.round((now - s.scan.base.stamp) * 1000) : null,
      safety,
      goal: null,
      globalPath: [],
      candidates: [],
      chosen: null,
      people: [],
      gazeTarget: null,
      notice: this.notice ?? (this.warnings[0] ?? null),
    };
    this.autonomy?.fill(snap);
    return snap;
  }

  async shutdown(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await this.disconnect();
    await this.autonomy?.shutdown();
    await this.opts.recording?.close(this.now());
    this.opts.onShutdown?.();
  }
}
