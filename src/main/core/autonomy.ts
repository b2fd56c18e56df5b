/**
 * Autonomy for the live console: the navigation stack in a worker thread, fed at 10 Hz
 * with the newest odometry and scan, and followed by the core's 50 Hz safety tick.
 *
 * The plan is a trajectory in time; the command at any instant is that trajectory's
 * velocity when the command will act (now + transit). A plan that stops arriving (planner
 * slow, crashed) expires after PLAN_EXPIRY_S and the robot stops.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CommandResult, ConsoleSnapshot, PersonView } from '../../shared/api';
import type { Pose2D, Twist2D } from '../../shared/geometry';
import type { OccupancyGrid } from '../../shared/grid';
import { scanEndpoints, trajectoryVelocityAt, type NavCycleOutput, type NavigationConfig } from '../../planner/nav';
import type { RobotLimits } from '../../planner/local';
import type { ZoneShape } from '../../planner/nav/zones';
import { GazePlanner, gazeInputFromCycle, panLimitsOf, type GazeOutput } from '../../planner/gaze';
import type { Autonomy, ConsoleCore } from './console';
import type { FromPlanner, ToPlanner } from './planner-protocol';

/** Planning period, s (10 Hz). */
export const PLAN_PERIOD_S = 0.1;
/** A trajectory older than this past its start is not followed any more, s. */
export const PLAN_EXPIRY_S = 0.6;
/** Candidates sent to the renderer per snapshot. */
const DISPLAY_CANDIDATES = 40;

function workerUrl(): { url: URL; workerData?: { entry: string } } {
  // Electron build: a bundled planner-worker.js beside the main bundle.
  const bundled = new URL('./planner-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(bundled))) return { url: bundled };
  // From sources (CLI, web host, tests): a JS bootstrap registers tsx, then loads the TS entry.
  return { url: new URL('./planner-worker-boot.mjs', import.meta.url), workerData: { entry: new URL('./planner-worker.ts', import.meta.url).href } };
}

export interface PlannerAutonomyOptions {
  map: OccupancyGrid;
  config?: Partial<NavigationConfig>;
}

export class PlannerAutonomy implements Autonomy {
  private worker: Worker | null = null;
  private ready = false;
  private limitsKey = '';
  private nextId = 1;
  private pendingGoals = new Map<number, (r: CommandResult) => void>();
  private cycleInFlight: { id: number; sentAt: number } | null = null;
  private last: NavCycleOutput | null = null;
  private people: PersonView[] = [];
  /** The screen's plan: where it looks and the pan profile the 50 Hz tick follows. */
  private readonly gaze = new GazePlanner();
  private gazeOut: GazeOutput | null = null;
  private goal: Pose2D | null = null;
  /**
   * Message id the current goal was sent with. Goals and cycles share one id counter and
   * the worker answers in order, so a cycle result with a smaller id was planned before the
   * worker had this goal: its status ('idle', or the end of the previous goal) says nothing
   * about this one.
   */
  private goalId = 0;
  private timer: NodeJS.Timeout;
  private computeS = 0.03;
  private cycles = 0;
  private stopped = false;
  /** Operator zones; sent again to every new worker (restart after a crash, another robot). */
  private zones: ZoneShape[] = [];

  constructor(
    private readonly core: ConsoleCore,
    private readonly opts: PlannerAutonomyOptions,
  ) {
    this.timer = setInterval(() => this.plan(), PLAN_PERIOD_S * 1000);
  }

  private limits(): RobotLimits | null {
    const h = this.core.state.hello;
    if (!h) return null;
    return {
      vMax: h.maxLinearVelocity,
      vMin: 0,
      wMax: h.maxAngularVelocity,
      aMax: h.maxLinearAccel,
      alphaMax: h.maxAngularAccel,
      jerkMax: h.maxLinearJerk,
      yawJerkMax: h.maxAngularJerk,
      footprint: { length: h.footprintLength, width: h.footprintWidth, centerOffsetX: h.footprintCenterOffsetX },
    };
  }

  /** Starts (or restarts, for a different robot) the worker with the robot's limits. */
  private ensureWorker(): boolean {
    const limits = this.limits();
    if (!limits || this.stopped) return false;
    const key = JSON.stringify(limits);
    if (this.worker && key === this.limitsKey) return this.ready;
    this.stopWorker();
    const { url, workerData } = workerUrl();
    const worker = new Worker(url, { workerData });
    this.worker = worker;
    this.limitsKey = key;
    this.ready = false;
    worker.on('message', (msg: FromPlanner) => this.onMessage(msg));
    worker.on('error', (err) => this.onCrash(`${err.message}`));
    worker.on('exit', (code) => {
      if (this.worker === worker && !this.stopped) this.onCrash(`exited with code ${code}`);
    });
    this.post({ type: 'init', map: this.opts.map, limits, config: this.opts.config ?? {} });
    if (this.zones.length > 0) this.post({ type: 'zones', zones: this.zones });
    return false;
  }

  private post(msg: ToPlanner): void {
    this.worker?.postMessage(msg);
  }

  private stopWorker(): void {
    const w = this.worker;
    this.worker = null;
    this.ready = false;
    this.cycleInFlight = null;
    if (w) void w.terminate();
  }

  private onCrash(reason: string): void {
    const hadGoal = this.goal !== null;
    this.stopWorker();
    this.last = null;
    this.goal = null;
    for (const resolve of this.pendingGoals.values()) resolve({ ok: false, error: 'The planner stopped unexpectedly' });
    this.pendingGoals.clear();
    this.core.setNotice('Planner restarted after a crash');
    this.core.reportFault('planner-crash', `Planner stopped unexpectedly (${reason})${hadGoal ? '; the robot was stopped and the goal dropped' : ''}. Restarting the planner.`);
  }

  private onMessage(msg: FromPlanner): void {
    switch (msg.type) {
      case 'ready':
        this.ready = true;
        return;
      case 'fatal':
        this.onCrash(msg.message);
        return;
      case 'goal-result': {
        const resolve = this.pendingGoals.get(msg.id);
        this.pendingGoals.delete(msg.id);
        if (!msg.result.ok) {
          this.goal = null;
          this.core.say('warn', `Goal refused: ${msg.result.message}`);
          this.core.setNotice(msg.result.message);
        }
        resolve?.(msg.result.ok ? { ok: true } : { ok: false, error: msg.result.message });
        return;
      }
      case 'cycle-result': {
        if (this.cycleInFlight?.id !== msg.id) return;
        this.cycleInFlight = null;
        this.computeS = 0.8 * this.computeS + 0.2 * msg.computeS;
        this.cycles++;
        const out = msg.output;
        this.last = out;
        this.people = peopleViews(out);
        this.planGaze(out);
        this.core.recordPlannerCycle(out, msg.computeS, this.people);
        if (this.goal && msg.id > this.goalId && out.status !== 'active') {
          if (out.status === 'reached') this.core.say('info', 'Goal reached');
          else if (out.status === 'failed') this.core.say('warn', `Goal abandoned: ${out.message ?? 'planning failed'}`);
          this.goal = null;
        }
        this.core.setNotice(out.message);
        return;
      }
    }
  }

  /** Plans the screen's pan for this cycle: toward the trajectory ~1 s ahead, or a person it yields to. */
  private planGaze(out: NavCycleOutput): void {
    const s = this.core.state;
    const h = s.hello;
    if (!this.goal || !h || !s.pose) {
      this.gazeOut = null;
      return;
    }
    const now = this.core.now();
    this.gazeOut = this.gaze.update(gazeInputFromCycle(out, { now, robotPose: s.pose, pan: { angle: s.screenPan ?? 0, rate: 0 } }, panLimitsOf(h)));
  }

  /** The screen command for now while autonomy drives (pan rad in base_link, rate rad/s), else null. */
  screenCommand(now: number): { panAngle: number; maxRate: number } | null {
    const h = this.core.state.hello;
    if (!this.goal || !this.gazeOut || !h) return null;
    const c = this.gaze.panCommandAt(now);
    return c ? { panAngle: c.angle, maxRate: h.panMaxRate } : null;
  }

  async setGoal(goal: Pose2D): Promise<CommandResult> {
    const pose = this.core.state.pose;
    if (!pose) return { ok: false, error: 'The robot has no pose yet' };
    if (!this.ensureWorker()) {
      // The worker is starting: wait for it briefly rather than refusing the goal.
      for (let i = 0; i < 100 && !this.ready && this.worker; i++) await new Promise((r) => setTimeout(r, 20));
      if (!this.ready) return { ok: false, error: 'The planner is not ready yet' };
    }
    const id = this.nextId++;
    this.goal = goal;
    this.goalId = id;
    this.last = null;
    const result = new Promise<CommandResult>((resolve) => this.pendingGoals.set(id, resolve));
    this.post({ type: 'goal', id, goal, from: pose, now: this.core.now() });
    return result;
  }

  cancel(): void {
    if (this.goal) this.core.setNotice('Goal cancelled');
    this.goal = null;
    this.gazeOut = null;
    this.gaze.reset();
    this.last = null;
    this.post({ type: 'cancel' });
  }

  /** One planning cycle request, if the previous one has come back. */
  private plan(): void {
    this.ensureWorker();
    const s = this.core.state;
    const now = this.core.now();
    if (!this.ready || !s.pose || s.odomTime === null) return;
    if (this.cycleInFlight) {
      // A cycle that never came back means a wedged worker: treat it as a crash.
      if (now - this.cycleInFlight.sentAt > 5) this.onCrash('no answer for 5 s');
      return;
    }
    const link = this.core.link;
    const rtt = (link?.rttMs ?? 2) / 1000;
    const scan = s.scan;
    let scanMsg: Extract<ToPlanner, { type: 'cycle' }>['scan'] = null;
    if (scan) {
      const m = scan.msg;
      const ends = scanEndpoints(m.ranges, m.angleMin, m.angleIncrement, m.rangeMin, m.rangeMax, scan.lidarPose);
      scanMsg = {
        sensorX: scan.lidarPose.x,
        sensorY: scan.lidarPose.y,
        xs: Float64Array.from(ends, (e) => e.x),
        ys: Float64Array.from(ends, (e) => e.y),
        hits: Uint8Array.from(ends, (e) => (e.hit === false ? 0 : 1)),
        time: scan.base.stamp,
      };
    }
    const id = this.nextId++;
    this.cycleInFlight = { id, sentAt: now };
    this.post({
      type: 'cycle',
      id,
      now,
      measured: { pose: s.pose, v: s.velocity.v, w: s.velocity.w, a: s.accel.a, alpha: s.accel.alpha },
      receivedAt: s.odomTime,
      latency: { sensorAge: rtt / 2, planningTime: this.computeS + 0.005, commandTransit: rtt / 2 },
      commands: this.core.recentCommands(),
      scan: scanMsg,
      seed: this.cycles,
    });
  }

  command(now: number): Twist2D | null {
    const traj = this.last?.trajectory;
    if (!this.goal || !traj) return this.goal ? { v: 0, w: 0 } : null;
    const transit = (this.core.link?.rttMs ?? 2) / 2000;
    if (now > traj.t0 + PLAN_EXPIRY_S) return { v: 0, w: 0 };
    return trajectoryVelocityAt(traj, now + transit);
  }

  /**
   * Operator zones for the planner (keep-out in its costmap, slow zones in its speed limits);
   * a worker not running yet gets them when it starts.
   */
  setZones(zones: readonly ZoneShape[]): void {
    this.zones = zones.slice();
    this.post({ type: 'zones', zones: this.zones });
  }

  /** Makes the worker throw (tests of crash handling). */
  crashForTest(): void {
    this.post({ type: 'crash' });
  }

  fill(snap: ConsoleSnapshot): void {
    snap.goal = this.goal;
    snap.gazeTarget = this.goal && this.gazeOut ? { x: round(this.gazeOut.gazeTarget.x), y: round(this.gazeOut.gazeTarget.y) } : null;
    const out = this.last;
    if (!out) return;
    snap.globalPath = out.globalPath.flatMap((p) => [round(p.x), round(p.y)]);
    snap.candidates = out.sample.slice(0, DISPLAY_CANDIDATES).map((c) => ({ points: flat(c.xs, c.ys, c.xs.length), cost: round(c.cost) }));
    const t = out.trajectory;
    snap.chosen = t ? { points: flat(t.xs, t.ys, t.count), cost: 0 } : null;
    snap.people = this.people;
  }

  /** Planning cycles completed. */
  get cycleCount(): number {
    return this.cycles;
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }
}

/** People as the renderer shows them: track, velocity, risk and predicted futures. */
function peopleViews(out: NavCycleOutput): PersonView[] {
  const futures = new Map(out.predictions.map((p) => [p.trackId, p]));
  return out.tracks.map((tr) => ({
    id: tr.id,
    x: round(tr.x),
    y: round(tr.y),
    vx: round(tr.vx),
    vy: round(tr.vy),
    risk: round(out.personRisk.get(tr.id) ?? 0),
    futures: (futures.get(tr.id)?.futures ?? []).map((f) => ({ probability: round(f.probability), points: flat(f.xs, f.ys, f.xs.length) })),
  }));
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function flat(xs: ArrayLike<number>, ys: ArrayLike<number>, n: number): number[] {
  const out = new Array<number>(n * 2);
  for (let i = 0; i < n; i++) {
    out[i * 2] = round(xs[i]!);
    out[i * 2 + 1] = round(ys[i]!);
  }
  return out;
}
