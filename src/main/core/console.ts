/**
 * The console core: one per app, shared by both hosts, and the same object the scenario
 * runner drives on virtual time. It owns the robot session (a RobotDriver, whatever the
 * robot speaks), the live state, the fault monitor and the run recording, and publishes
 * snapshots to the renderer. What moves the robot is decided by the one AutonomyLoop
 * (src/planner/autonomy): arbitration (emergency stop › teleop with dead-man › autonomy ›
 * idle), plan hand-off and expiry, reactive safety on the newest scan, operator zones and
 * the fault hold. The driver keeps the robot's watchdog fed with the newest command; when
 * the core stops refreshing it, the command goes stale and the robot stops.
 *
 * Time: `clock()` in seconds (the link's host clock live, sim time on virtual time). The
 * owner of the clock calls `tick()` at ≥ 50 Hz and `planCycle()` at 10 Hz (timers live,
 * the scenario runner's steps on virtual time).
 */
import { ODOMETRY_ONLY } from '../../shared/api';
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
  PersonView,
  RecordingView,
  SafetyState,
  TeleopInput,
} from '../../shared/api';
import type { Pose2D } from '../../shared/geometry';
import type { OccupancyGrid } from '../../shared/grid';
import { ReactiveSafety } from '../../planner/reactive';
import { scanEndpoints, type NavCycleOutput } from '../../planner/nav';
import type { ZoneShape } from '../../planner/nav/zones';
import { AutonomyLoop, limitsFromSpec, speedToStopWithin, type AutonomyLoopConfig, type TickDecision } from '../../planner/autonomy';
import { panLimitsOf } from '../../planner/gaze';
import type { RobotLimits } from '../../planner/local';
import type { ApiBackend, EventListener } from '../api/backend';
import type { RobotCapabilities, RobotDriver, RobotSample } from '../robot/driver';
import type { Clock } from './clock';
import type { RunRecording } from './run-recording';
import { RobotState } from './state';
import { FaultMonitor, type FaultEvent } from './faults';
import { Autonomy } from './autonomy';
import type { PlannerPort } from './planner-port';
import { LocalizationController } from '../localization/controller';
import type { EstimatorPort } from '../localization/port';
import type { MapLibrary } from '../localization/maps';
import type { PoseGraphData } from '../../planner/slam/types';
import { mapPayload } from './map-file';

/** Teleop input older than this stops teleop motion, s (renderer repeats at 10 Hz). */
export const TELEOP_DEADMAN_S = 0.3;
/** Safety tick period, s (≥ 50 Hz). */
export const SAFETY_PERIOD_S = 0.02;
/** Planning period, s (10 Hz). */
export const PLAN_PERIOD_S = 0.1;
/** Snapshot period, s (≤ 30 Hz). */
export const SNAPSHOT_PERIOD_S = 1 / 30;
/** Teleop speed cap on a robot without a lidar (nothing can guard it but the operator), m/s. */
export const NO_LIDAR_TELEOP_SPEED = 0.25;

/**
 * Why a goal is refused on a robot without a firmware dead-man (Create 2, Kobuki): if the
 * console dies or the USB cable is pulled mid-goal, such a robot keeps driving at its last
 * speed, so the operator must say, when connecting, that they accept that.
 */
export const NO_DEADMAN_REFUSAL =
  'This robot has no dead-man of its own: if the console stops sending (a pulled USB cable, a crash) it keeps driving at its last speed. ' +
  'Autonomy needs your explicit consent: reconnect with "Allow autonomy without a dead-man" ticked (CLI: --allow-autonomy-without-deadman), and stay within reach of its power switch.';

/**
 * How close ahead something the lidar has not seen yet may appear (a door opening, a person
 * stepping out, a box put down), less the safety layer's margin, m. The robot never drives
 * faster than it can stop within it, given how late its lidar and its commands are: a 5.5 Hz
 * RPLIDAR A1 sees a new obstacle up to two revolutions (0.36 s) after it appears.
 */
export const SURPRISE_DISTANCE_M = 0.8;

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

/** Handlers for some API methods, by name. */
export type ApiHandlers = { [M in ApiMethodName]?: (req: ApiMethods[M]['req']) => Promise<ApiMethods[M]['res']> | ApiMethods[M]['res'] };

/**
 * Opens the robot a connect request names (the core calls `driver.connect()` itself). A factory that knows where the robot stands on the
 * map (a simulator it started) says so with `placeAt`; the request's own `initialPose` wins.
 */
export type DriverFactory = (req: ConnectRequest) => Promise<RobotDriver | { driver: RobotDriver; placeAt: Pose2D }>;

export interface ConsoleCoreOptions {
  /** Host clock, seconds; must match the driver's clock. */
  clock: Clock;
  driverFactory: DriverFactory;
  reactive?: ReactiveSafety;
  map?: MapPayload | null;
  /** Where the navigation stack runs; without one the console drives by hand only. */
  planner?: PlannerPort;
  /** Autonomy loop configuration (gaze, expiry…) on top of the defaults. */
  loop?: Partial<AutonomyLoopConfig>;
  /** Planner limits overriding the robot's own (e.g. BARN lets the Jackal reverse). */
  limits?: Partial<RobotLimits>;
  /** Base seed of the planner's sampling (deterministic runs). */
  seed?: number;
  listPorts?: () => Promise<ApiMethods['listPorts']['res']>;
  /** Robot and lidar profiles the connection panel offers. */
  listProfiles?: () => ApiMethods['listProfiles']['res'];
  /** Records every session as a run (none in tests that do not ask for it). */
  recording?: RunRecording;
  /** Problems found while starting (e.g. the run database refused), shown to the operator. */
  startupWarnings?: string[];
  /** Why nothing is recorded when `recording` is absent (the run database refused, …), plain words. */
  notRecordingReason?: string;
  /** The operator's speed limit at start, a fraction 0.05…1 of the robot's limits (default 1). */
  speedLimit?: number;
  /** Handlers for methods served outside the core (run review, zones). */
  handlers?: ApiHandlers;
  /** Releases what the creator opened beside the core (e.g. the zones file). */
  onShutdown?: () => void;
  /** Start the tick, planning and snapshot timers (virtual time and tests drive them by hand). */
  timers?: boolean;
  /**
   * Where localization and mapping run; without one the map pose is odometry as placed.
   * `localize` starts localizing on the map at connect (from the placement when there is one).
   */
  estimator?: EstimatorPort;
  /**
   * What the estimator does from the first connection on: localize on the map (from the
   * robot's placement, else globally), search globally, build a new map, or nothing.
   */
  estimatorOnConnect?: 'localize' | 'global' | 'mapping' | 'off';
  /** Saved and built-in maps (new map, save, load); none in tests that do not ask for it. */
  maps?: MapLibrary;
  /** The loaded map's pose graph when it was built here (so it can be extended). */
  mapGraph?: PoseGraphData | null;
  /** Observers of every safety tick and planning cycle (evaluations, traces). */
  onTick?: (t: number, decision: TickDecision) => void;
  onCycle?: (t: number, out: NavCycleOutput) => void;
}

export class ConsoleCore implements ApiBackend {
  readonly state = new RobotState();
  /** Detectors for robot clock jumps, odometry jumps and blind scans; they can hold motion. */
  readonly faults = new FaultMonitor();
  /** The one loop that decides every command. */
  readonly loop: AutonomyLoop;
  private lastFaultSaidAt = -Infinity;
  private driverValue: RobotDriver | null = null;
  private capabilitiesValue: RobotCapabilities | null = null;
  private unsubscribeDriver: (() => void)[] = [];
  private linkStatus: LinkStatus = DISCONNECTED;
  private readonly listeners = new Set<EventListener>();
  private teleop: { input: TeleopInput; time: number } | null = null;
  private estop = false;
  /** The operator accepted autonomy on a robot without a firmware dead-man, for this connection. */
  private autonomyWithoutDeadman = false;
  private lastDecision: TickDecision | null = null;
  private notice: string | null = null;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly autonomy: Autonomy | null;
  private connecting = false;
  /** Startup problems the operator must see (shown as the notice until something else is). */
  readonly warnings: string[];
  map: MapPayload | null;
  /** The map as a grid (localization and planning use it). */
  private mapGrid: OccupancyGrid | null = null;
  private mapGraph: PoseGraphData | null;
  /** Localization and mapping, when the console has an estimator. */
  readonly localization: LocalizationController | null;
  /** When the planner last received the growing map (mapping), s. */
  private plannerMapAt = -Infinity;
  private estimatorStarted = false;
  /** The planner has only the unknown square a new map starts from. */
  /** When the map was last put into the run log (console clock, s). */
  private mapRecordedAt = -Infinity;
  private plannerMapEmpty = false;
  private pendingPlannerMap: OccupancyGrid | null = null;

  constructor(private readonly opts: ConsoleCoreOptions) {
    this.map = opts.map ?? null;
    this.mapGrid = this.map ? gridOf(this.map) : null;
    this.mapGraph = opts.mapGraph ?? null;
    this.localization = opts.estimator
      ? new LocalizationController(opts.estimator, {
          now: () => this.now(),
          say: (level, message) => this.say(level, message),
          correct: (m) => this.state.correctMapFromOdom(m),
          record: (m, t) => this.opts.recording?.mapToOdom(m, t),
          lost: (message, detail) => {
            if (this.loop.goal) this.autonomy?.cancel();
            this.reportFault('localization-lost', message, detail);
          },
          recovered: (message) => {
            this.say('info', message);
            this.opts.recording?.fault({ kind: 'localization-recovered', message, atMs: this.now() * 1000, detail: {} }, this.now());
          },
          mapGrown: (grid) => this.showMap('map being built', grid, true),
        })
      : null;
    this.loop = new AutonomyLoop({ teleopDeadmanS: TELEOP_DEADMAN_S, noLidarTeleopSpeed: NO_LIDAR_TELEOP_SPEED, tickPeriodS: SAFETY_PERIOD_S, ...opts.loop }, opts.reactive ?? new ReactiveSafety());
    if (opts.speedLimit !== undefined) this.loop.setSpeedFraction(opts.speedLimit);
    this.autonomy = opts.planner
      ? new Autonomy(this.loop, opts.planner, {
          now: () => this.now(),
          say: (level, message) => this.say(level, message),
          setNotice: (text) => this.setNotice(text),
          reportFault: (kind, message) => this.reportFault(kind, message),
          recordCycle: (out, computeS, people) => this.recordPlannerCycle(out, computeS, people),
        }, { seed: opts.seed })
      : null;
    opts.recording?.onRecorderEvent((e) => this.emit('event', e));
    if (opts.recording) opts.recording.countProblem = (message) => this.say('warn', message);
    this.warnings = opts.startupWarnings ?? [];
    if (opts.timers !== false) {
      this.timers.push(setInterval(() => this.tick(), SAFETY_PERIOD_S * 1000));
      this.timers.push(setInterval(() => this.planCycle(), PLAN_PERIOD_S * 1000));
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
    listProfiles: () => this.opts.listProfiles?.() ?? { robots: [], lidars: [], problems: [] },
    getMap: () => this.map,
    getSnapshot: () => this.snapshot(),
    connect: (req) => this.connect(req),
    disconnect: () => this.disconnect(),
    teleop: (req) => this.setTeleop(req),
    emergencyStop: () => this.emergencyStop(),
    releaseEmergencyStop: () => this.releaseEmergencyStop(),
    setGoal: (req) => this.setGoal(req),
    setRobotPose: (req) => this.setRobotPose(req),
    cancelGoal: () => this.cancelGoal(),
    startMapping: (req) => this.startMapping(req.extend),
    saveMap: (req) => this.saveMap(req.name),
    listMaps: () => this.opts.maps?.list() ?? [],
    loadMap: (req) => this.loadMap(req.name),
    setLocalization: (req) => this.setLocalization(req.mode),
    setSpeedLimit: (req) => this.setSpeedLimit(req.fraction),
  };

  async handle<M extends ApiMethodName>(method: M, req: ApiMethods[M]['req']): Promise<ApiMethods[M]['res']> {
    const handler = (this.own[method] ?? this.opts.handlers?.[method]) as ((r: ApiMethods[M]['req']) => Promise<ApiMethods[M]['res']> | ApiMethods[M]['res']) | undefined;
    if (!handler) throw new Error(`'${method}' is not available in this console`);
    return handler(req);
  }

  /** The robot session, or null when none is open. */
  get driver(): RobotDriver | null {
    return this.driverValue;
  }

  /** What the connected robot is and can do, once it has answered. */
  get capabilities(): RobotCapabilities | null {
    return this.capabilitiesValue;
  }

  async connect(req: ConnectRequest): Promise<CommandResult> {
    if (this.connecting) return { ok: false, error: 'Already connecting' };
    this.connecting = true;
    try {
      await this.disconnect();
      this.state.reset();
      this.faults.reset();
      const made = await this.opts.driverFactory(req);
      const driver = 'placeAt' in made ? made.driver : made;
      this.driverValue = driver;
      this.autonomyWithoutDeadman = req.allowAutonomyWithoutDeadman === true;
      const placeAt = req.initialPose ?? ('placeAt' in made ? made.placeAt : null);
      if (placeAt) this.state.placeOnMap(placeAt);
      this.startEstimator(placeAt);
      const rec = this.opts.recording;
      this.unsubscribeDriver = [
        driver.on('sample', (sample) => this.onSample(sample)),
        driver.on('fault', (fault) => {
          this.say('warn', fault.message);
          rec?.fault(fault, fault.atMs / 1000);
        }),
        driver.on('state', (change) => {
          rec?.link(change.state, change.message, change.at);
          this.onLinkState(change.state, change.message);
        }),
        driver.on('bad-frame', (bad) => rec?.badFrame(bad.reason, bad.detail, bad.at)),
        driver.on('capabilities', (caps) => this.onCapabilities(caps)),
        driver.on('sent', (sent) => rec?.sent(sent.frame, sent.sentAt)),
      ];
      driver.connect();
      return { ok: true };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.say('error', `Could not connect: ${message}`);
      return { ok: false, error: message };
    } finally {
      this.connecting = false;
    }
  }

  /** At connect: the configured start the first time; afterwards a localizing console starts again from the placement (the robot may stand anywhere). */
  private startEstimator(placeAt: Pose2D | null): void {
    const loc = this.localization;
    const grid = this.mapGrid;
    if (!loc) return;
    const first = !this.estimatorStarted;
    this.estimatorStarted = true;
    const seed = this.opts.seed ?? 1;
    if (first) {
      const start = this.opts.estimatorOnConnect ?? 'off';
      if (start === 'mapping') this.startMapping(false);
      else if (start !== 'off' && grid) loc.localize(grid, start === 'localize' ? (placeAt ?? 'odometry') : null, seed);
    } else if (loc.mode === 'localize' && grid) {
      loc.localize(grid, placeAt ?? 'odometry', seed);
    }
  }

  async disconnect(): Promise<CommandResult> {
    const driver = this.driverValue;
    this.driverValue = null;
    this.capabilitiesValue = null;
    this.autonomy?.cancel();
    this.teleop = null;
    for (const u of this.unsubscribeDriver.splice(0)) u();
    if (driver) {
      const rec = this.opts.recording;
      rec?.operator('disconnect', this.now());
      rec?.end(this.linkStatus.state === 'lost' ? 'link-lost' : 'completed', this.now());
      await driver.dispose();
    }
    this.loop.setRobot(null);
    this.linkStatus = DISCONNECTED;
    this.lastDecision = null;
    return { ok: true };
  }

  setTeleop(input: TeleopInput): CommandResult {
    const moving = input.linear !== 0 || input.angular !== 0;
    if (moving && this.estop) return { ok: false, error: 'Emergency stop is engaged; release it to drive' };
    if (moving && this.lastDecision?.source === 'autonomy') {
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
    this.driverValue?.stop('operator');
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

  /**
   * A goal for autonomy. A refusal is said once, here or by autonomy (the operator's event log
   * shows it; the caller gets the same words back and does not repeat them).
   */
  async setGoal(goal: Pose2D): Promise<CommandResult> {
    const refusal = this.goalRefusal();
    if (refusal) {
      this.say('warn', `Goal refused: ${refusal}`);
      return { ok: false, error: refusal };
    }
    this.teleop = null;
    this.opts.recording?.operator('set-goal', this.now(), { goal });
    const res = await this.autonomy!.setGoal(goal, this.state.pose);
    if (res.ok) this.say('info', `New goal (${goal.x.toFixed(2)}, ${goal.y.toFixed(2)})`);
    return res;
  }

  /** Why a goal cannot be taken now, in plain words; null when it can. */
  private goalRefusal(): string | null {
    if (!this.autonomy) return 'No planner in this console';
    if (this.estop) return 'Emergency stop is engaged; release it first';
    if (this.linkStatus.state !== 'connected') return 'No robot connected';
    if (this.capabilitiesValue?.lidar === 'none') return 'This robot has no lidar: autonomy needs one (connect a lidar, or drive by hand)';
    if (this.capabilitiesValue?.watchdog === null && !this.autonomyWithoutDeadman) return NO_DEADMAN_REFUSAL;
    return this.localization?.navigationBlocker() ?? null;
  }

  /**
   * The operator places the robot on the map (its odometry started wherever it was switched
   * on). A goal under way is cancelled: it was planned from the old place.
   */
  setRobotPose(pose: Pose2D): CommandResult {
    if (!this.driverValue) return { ok: false, error: 'No robot connected' };
    if (this.localization?.mode === 'mapping') return { ok: false, error: 'Building a map: the mapper places the robot on it (the new map starts where mapping started). Save the map first, or load one to place the robot on.' };
    if (this.loop.goal) {
      this.autonomy?.cancel();
      this.say('warn', 'Robot placed on the map: goal cancelled');
    }
    this.state.placeOnMap(pose);
    this.opts.recording?.mapToOdom(this.state.mapFromOdom, this.now());
    // Localizing: the operator's pose is the filter's new start (particles around it).
    this.localization?.setPose(pose);
    this.opts.recording?.operator('set-robot-pose', this.now(), { goal: pose });
    this.say('info', `Robot placed at (${pose.x.toFixed(2)}, ${pose.y.toFixed(2)}), heading ${((pose.theta * 180) / Math.PI).toFixed(0)}°`);
    return { ok: true };
  }

  cancelGoal(): CommandResult {
    this.opts.recording?.operator('cancel-goal', this.now());
    this.autonomy?.cancel();
    return { ok: true };
  }

  /**
   * Starts building a map while driving: a new one (the robot's place now is its origin), or
   * the loaded one continued when it was built here. A goal under way is cancelled.
   */
  startMapping(extend: boolean): CommandResult {
    const loc = this.localization;
    if (!loc) return { ok: false, error: 'This console has no mapping' };
    if (extend && !this.mapGraph) return { ok: false, error: 'This map was not built here (no pose graph saved with it): it cannot be extended; start a new map instead' };
    if (this.loop.goal) {
      this.autonomy?.cancel();
      this.say('warn', 'Mapping started: goal cancelled');
    }
    if (!extend) {
      // The new map's frame is odom's: map → odom starts at identity and the mapper corrects it.
      this.state.correctMapFromOdom({ x: 0, y: 0, theta: 0 });
      this.opts.recording?.mapToOdom(this.state.mapFromOdom, this.now());
      this.mapGraph = null;
      this.showMap(NEW_MAP_NAME, emptyGrid(), true);
    }
    loc.startMapping(extend ? this.mapGraph : null, extend ? this.state.pose : null, this.opts.seed ?? 1);
    this.opts.recording?.operator('start-mapping', this.now(), { detail: extend ? 'extend' : 'new' });
    this.say('info', extend ? `Extending map '${this.map?.name ?? ''}': drive where it is not mapped yet` : 'Mapping a new place: drive slowly through it; come back to where you started to close the loop');
    return { ok: true };
  }

  async saveMap(name: string): Promise<ApiMethods['saveMap']['res']> {
    const loc = this.localization;
    const maps = this.opts.maps;
    if (!loc || !maps) return { ok: false, error: 'This console cannot save maps' };
    const built = await loc.currentMap();
    if ('error' in built) return { ok: false, error: built.error };
    try {
      const path = await maps.save(name, built.grid, built.graph);
      this.mapGraph = built.graph;
      this.showMap(name, built.grid, false);
      this.opts.recording?.operator('save-map', this.now(), { detail: path });
      this.say('info', `Map saved as '${name}' (${path}); localizing on it`);
      // The map is done: localize on it from where the mapper says the robot is.
      loc.localize(built.grid, this.state.pose, this.opts.seed ?? 1);
      return { ok: true, path };
    } catch (err) {
      return { ok: false, error: `Could not save the map: ${(err as Error).message}` };
    }
  }

  async loadMap(name: string): Promise<CommandResult> {
    const maps = this.opts.maps;
    if (!maps) return { ok: false, error: 'This console cannot load maps' };
    const loaded = await maps.load(name);
    if (!loaded.ok) return { ok: false, error: loaded.message };
    if (this.loop.goal) {
      this.autonomy?.cancel();
      this.say('warn', 'New map loaded: goal cancelled');
    }
    this.mapGraph = loaded.graph;
    this.showMap(name, loaded.grid, false);
    this.opts.recording?.operator('load-map', this.now(), { detail: name });
    if (this.localization) {
      // The robot's place on a different map is unknown: search for it unless the operator places it.
      this.localization.localize(loaded.grid, null, this.opts.seed ?? 1);
      this.say('info', `Map '${name}' loaded: localizing (place the robot to help it)`);
    }
    return { ok: true };
  }

  setLocalization(mode: 'on' | 'global' | 'off'): CommandResult {
    const loc = this.localization;
    if (!loc) return { ok: false, error: 'This console has no localization' };
    if (!this.mapGrid) return { ok: false, error: 'No map loaded' };
    if (mode === 'off') loc.off();
    else loc.localize(this.mapGrid, mode === 'on' ? this.state.pose : null, this.opts.seed ?? 1);
    this.opts.recording?.operator('set-localization', this.now(), { detail: mode });
    return { ok: true };
  }

  /** The operator's speed limit for teleop and autonomy, a fraction 0.05…1 of the robot's limits. */
  setSpeedLimit(fraction: number): CommandResult {
    if (!Number.isFinite(fraction) || fraction < 0.05 || fraction > 1) return { ok: false, error: 'The speed limit is a fraction between 0.05 and 1' };
    if (fraction === this.loop.speedFraction) return { ok: true };
    this.loop.setSpeedFraction(fraction);
    this.opts.recording?.operator('set-speed-limit', this.now(), { detail: `${Math.round(fraction * 100)} %` });
    // The cap applies to the next command at once, not on the next planning cycle.
    this.tick();
    return { ok: true };
  }

  /** Whether the run log is being written, for the always-visible indicator. */
  private recordingView(): RecordingView {
    const rec = this.opts.recording;
    if (!rec) return { state: 'off', runId: null, reason: this.opts.notRecordingReason ?? 'this console has no run log' };
    const st = rec.status();
    if (st.state === 'closed') return { state: 'off', runId: null, reason: 'the run log is closed' };
    const reason = st.state === 'degraded' ? st.message.replace(/^recording: /, '') : null;
    return st.runId === null ? { state: 'ready', runId: null, reason } : { state: 'recording', runId: st.runId, reason };
  }

  /**
   * A new map to show and plan on. While mapping it grows every few seconds: the planner gets
   * it at most every PLANNER_MAP_PERIOD_S (its costmaps are rebuilt each time).
   */
  private showMap(name: string, grid: OccupancyGrid, growing: boolean): void {
    this.mapGrid = grid;
    this.map = mapPayload(name, grid);
    this.emit('map', this.map);
    // The run keeps the map it was driven on (review and exports draw it); a map being built
    // is kept every RECORDED_GROWING_MAP_PERIOD_S, and as saved.
    if (!growing || this.now() - this.mapRecordedAt >= RECORDED_GROWING_MAP_PERIOD_S) this.recordMap();
    // The first grown map goes at once: until then the planner has an unknown square, where
    // every wall the lidar sees would look like something moving.
    if (!growing || this.plannerMapEmpty || this.now() - this.plannerMapAt >= PLANNER_MAP_PERIOD_S) {
      this.plannerMapEmpty = name === NEW_MAP_NAME;
      this.showMapToPlanner(grid);
    } else {
      this.pendingPlannerMap = grid;
    }
  }

  /** The map shown now, into the run log. */
  private recordMap(): void {
    const rec = this.opts.recording;
    if (!rec?.active || !this.map || !this.mapGrid) return;
    this.mapRecordedAt = this.now();
    rec.map(this.map.name, this.mapGrid, this.now());
  }

  setNotice(text: string | null): void {
    this.notice = text;
  }

  /** Replaces the operator zones (map frame) every command is guarded by and the planner plans around. */
  setZones(zones: readonly ZoneShape[]): void {
    this.loop.setZones(zones);
    this.autonomy?.setZones(zones);
  }

  /** One planning cycle (10 Hz): from the newest odometry and scan, fast-forwarded by the loop. */
  planCycle(): void {
    if (this.pendingPlannerMap && this.now() - this.plannerMapAt >= PLANNER_MAP_PERIOD_S) this.showMapToPlanner(this.pendingPlannerMap);
    const a = this.autonomy;
    const s = this.state;
    const driver = this.driverValue;
    if (!a || !driver || !s.pose || s.odomTime === null || this.linkStatus.state !== 'connected') return;
    const scan = s.scan;
    const m = scan?.msg;
    const latency = driver.latency();
    a.planCycle(this.now(), {
      measured: { state: { pose: s.pose, v: s.velocity.v, w: s.velocity.w, a: s.accel.a, alpha: s.accel.alpha }, receivedAt: s.odomTime },
      scan: scan && m
        ? { sensor: { x: scan.lidarPose.x, y: scan.lidarPose.y }, endpoints: scanEndpoints(m.ranges, m.angleMin, m.angleIncrement, m.rangeMin, m.rangeMax, scan.lidarPose), time: scan.base.stamp }
        : null,
      sensorAgeS: latency.sensorAgeS,
      commandTransitS: latency.commandTransitS,
      pan: { angle: s.screenPan ?? 0, rate: s.screenPanRate ?? 0 },
    });
  }

  private showMapToPlanner(grid: OccupancyGrid): void {
    this.plannerMapAt = this.now();
    this.pendingPlannerMap = null;
    this.autonomy?.setMap(grid);
  }

  /** One safety tick: the loop decides, the driver sends. */
  tick(): void {
    const now = this.now();
    const driver = this.driverValue;
    const t = this.teleop;
    const held = this.faults.holding(now * 1000);
    const d = this.loop.tick(now, {
      connected: this.linkStatus.state === 'connected' && this.capabilitiesValue !== null,
      emergencyStop: this.estop,
      teleop: t ? { linear: t.input.linear, angular: t.input.angular, time: t.time } : null,
      pose: this.state.pose,
      scan: this.state.scanNow(),
      hold: held ? { message: held.message } : null,
      transitS: driver?.latency().commandTransitS ?? 0,
    });
    this.lastDecision = d;
    this.recordSafety(d, now);
    // A safety or fault stop goes out now as Stop, not on the driver's next command tick.
    if (d.stopNow) driver?.stop('safety');
    else driver?.setVelocity(d.command, now);
    if (d.pan) driver?.setScreen(d.pan);
    this.opts.onTick?.(now, d);
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
      if (this.loop.goal) this.say('warn', 'Goal cancelled: the robot pose can no longer be trusted');
      this.autonomy?.cancel();
    }
    this.tick();
  }

  /** A fault found outside the robot link (e.g. the planner crashed): said, recorded, motion stopped. */
  reportFault(kind: string, message: string, detail: Record<string, number | string> = {}): void {
    this.say('error', message);
    this.opts.recording?.fault({ kind, message, atMs: this.now() * 1000, detail }, this.now());
    this.tick();
  }

  private recordSafety(d: TickDecision, now: number): void {
    const rec = this.opts.recording;
    if (!rec) return;
    const points = d.reactive ? d.reactive.points.flatMap((p) => [p.x, p.y]) : [];
    rec.safety(safetyStateOf(d), d.desired, d.command, d.reactive?.zone ?? null, points, now);
  }

  /** One planning cycle for the run log and observers. */
  private recordPlannerCycle(out: NavCycleOutput, computeS: number, people: readonly PersonView[]): void {
    this.opts.recording?.plannerCycle(out, computeS, people, this.now());
    this.opts.onCycle?.(this.now(), out);
  }

  private onCapabilities(caps: RobotCapabilities): void {
    const h = caps.spec;
    this.capabilitiesValue = caps;
    this.state.hello = h;
    this.faults.onHello(h);
    // A scan is stamped at its first beam and replaced a revolution after it arrives: the
    // newest scan is up to two revolutions old when an obstacle it missed is finally seen.
    const scanPeriodS = h.lidarRateHz > 0 ? 1 / h.lidarRateHz : undefined;
    const latencyS = 2 * (scanPeriodS ?? 0) + SAFETY_PERIOD_S + (this.driverValue?.latency().commandTransitS ?? 0);
    const stoppable = speedToStopWithin(SURPRISE_DISTANCE_M, latencyS, h.maxLinearAccel, h.maxLinearJerk);
    const vMax = Math.min(h.maxLinearVelocity, stoppable);
    if (vMax < h.maxLinearVelocity - 0.005 && caps.lidar !== 'none') {
      this.say('info', `Speed capped at ${vMax.toFixed(2)} m/s (robot: ${h.maxLinearVelocity} m/s): with a ${h.lidarRateHz.toFixed(1)} Hz lidar it could not stop within ${SURPRISE_DISTANCE_M} m of something appearing ahead`);
    }
    const limits = limitsFromSpec(h, { vMax, vMin: caps.reverses ? -h.maxLinearVelocity : 0, ...this.opts.limits });
    this.loop.setRobot({ limits, hasLidar: caps.lidar !== 'none', pan: caps.screen ? panLimitsOf(h) : null, scanPeriodS });
    this.autonomy?.onRobot(limits);
    this.opts.recording?.start(h.name, this.driverValue?.endpoint ?? caps.driver, this.now());
    this.recordMap();
    // Before the first odometry a placement is still pending: it is recorded when it applies.
    if (this.state.pose) this.opts.recording?.mapToOdom(this.state.mapFromOdom, this.now());
  }

  private onSample(sample: RobotSample): void {
    const frame = sample.frame;
    // Every sample is checked before it is applied: a jumped clock or pose, or a blind
    // lidar, stops motion and is said and recorded; stale samples are not applied at all.
    const verdict = this.faults.onFrame({ seq: frame.seq, timestampUs: frame.timestampUs, receivedAtMs: sample.receivedAt * 1000, msg: frame.msg }, sample.device === undefined);
    if (verdict.fault) this.onFault(verdict.fault);
    const msg = frame.msg;
    // Odometry is recorded raw (odom frame); map → odom is recorded whenever it changes.
    this.opts.recording?.frame(frame, sample.receivedAt);
    if (msg.type === 'odometry' && verdict.apply) {
      const hadPlacement = this.state.pose === null;
      this.state.applyOdometry(msg, sample.receivedAt);
      // A placement asked for before the first odometry took effect just now.
      if (hadPlacement) this.opts.recording?.mapToOdom(this.state.mapFromOdom, this.now());
      return;
    }
    if (!verdict.apply) return;
    switch (msg.type) {
      case 'hello':
        return;
      case 'odometry':
        return;
      case 'laser-scan': {
        // Applied first, whether or not anything localizes (`a?.f(x)` would skip evaluating x).
        const view = this.state.applyScan(msg, sample.stamp);
        this.localization?.onScan(view);
        // Check the command against every new scan, not only on the next tick.
        this.tick();
        return;
      }
      case 'status':
        this.state.status = msg;
        return;
      case 'screen-state':
        this.state.screenPan = msg.panAngle;
        this.state.screenPanRate = msg.panVelocity;
        return;
      case 'pong':
        return;
    }
  }

  private onLinkState(state: LinkStatus['state'], message: string): void {
    const before = this.linkStatus.state;
    this.linkStatus = { ...this.linkStatus, state, message };
    if (before === state) return;
    // Back after a loss: it may be the robot rebooted (its clock from zero, its odometry from
    // the origin), so the clock and pose checks start afresh, as on the first connection.
    if (state === 'connected') this.faults.reset();
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
    const status = this.driverValue ? this.driverValue.status() : this.linkStatus;
    const d = this.lastDecision;
    const caps = this.capabilitiesValue;
    const info = s.robotInfo();
    const snap: ConsoleSnapshot = {
      t: now,
      link: status,
      robot: info && caps ? { ...info, driver: caps.driver, lidar: caps.lidar, whenCommandsStop: caps.watchdog ? `When commands stop, it ${caps.watchdog.action}.` : 'When commands stop, it KEEPS DRIVING at its last speed: it has no dead-man of its own, so a pulled cable or a crashed console leaves it moving.' } : info,
      pose: s.pose,
      velocity: s.velocity,
      command: d?.command ?? { v: 0, w: 0 },
      motion: d?.source ?? 'idle',
      emergencyStop: this.estop,
      battery: s.status ? { voltage: s.status.batteryVoltage, percent: s.status.batteryPercent === 255 ? null : s.status.batteryPercent } : null,
      faults: s.faultNames(),
      screenPan: s.screenPan,
      scan: s.scan ? Array.from(s.scan.map, (v) => Math.round(v * 1000) / 1000) : [],
      scanAgeMs: s.scan ? Math.round((now - s.scan.base.stamp) * 1000) : null,
      safety: d ? safetyStateOf(d) : null,
      goal: null,
      globalPath: [],
      candidates: [],
      chosen: null,
      people: [],
      gazeTarget: null,
      notice: this.notice ?? (this.warnings[0] ?? null),
      localization: this.localization?.view() ?? ODOMETRY_ONLY,
      speedLimit: this.loop.speedFraction,
      recording: this.recordingView(),
    };
    this.autonomy?.fill(snap);
    return snap;
  }

  async shutdown(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await this.disconnect();
    await this.autonomy?.shutdown();
    await this.opts.estimator?.shutdown();
    await this.opts.recording?.close(this.now());
    this.opts.onShutdown?.();
  }
}

/** The planner gets the growing map at most this often while mapping, s (its costmaps are rebuilt each time). */
const PLANNER_MAP_PERIOD_S = 3;
/** A map being built is kept in the run log at most this often, s (a whole grid each time). */
const RECORDED_GROWING_MAP_PERIOD_S = 30;
/** The name a new map goes by until it is saved. */
const NEW_MAP_NAME = 'new map';


/** A map payload back to a grid. */
function gridOf(m: MapPayload): OccupancyGrid {
  return { width: m.width, height: m.height, resolution: m.resolution, origin: { ...m.origin }, data: new Uint8Array(Buffer.from(m.dataBase64, 'base64')) };
}

/** What a new map is before its first scan: a small unknown square around the odom origin. */
function emptyGrid(): OccupancyGrid {
  const size = 80;
  return { width: size, height: size, resolution: 0.05, origin: { x: -2, y: -2 }, data: new Uint8Array(size * size).fill(255) };
}

/** The safety state the operator sees for a tick: the reactive decision, or the guard's note. */
function safetyStateOf(d: TickDecision): SafetyState | null {
  const r = d.reactive;
  if (r) return { action: r.action, reason: r.reason, ttc: Number.isFinite(r.ttc) ? r.ttc : null, scale: r.scale };
  const n = d.note;
  return n ? { action: n.action, reason: n.reason, ttc: null, scale: n.action === 'stop' ? 0 : 1 } : null;
}
