/**
 * The navigation stack in a worker thread (the live console): planning never blocks the
 * safety tick. A worker that throws, exits or stops answering for WEDGED_AFTER_S is a crash:
 * the port says so (the core stops the robot and drops the goal) and the next `start`
 * brings up a fresh worker with the same limits and zones.
 */
import { Worker } from 'node:worker_threads';
import type { Pose2D } from '../../shared/geometry';
import type { OccupancyGrid } from '../../shared/grid';
import type { GoalResult, NavCycleInput, NavigationConfig } from '../../planner/nav';
import type { RobotLimits } from '../../planner/local';
import type { ZoneShape } from '../../planner/nav/zones';
import type { FromPlanner, ToPlanner } from './planner-protocol';
import type { PlannerEvent, PlannerPort } from './planner-port';
import { threadEntry } from '../threads';

/** A cycle unanswered this long means a wedged worker, s. */
const WEDGED_AFTER_S = 5;
/** How long a goal waits for a starting worker, ms. */
const READY_WAIT_MS = 2000;

export interface WorkerPlannerOptions {
  map: OccupancyGrid;
  config?: Partial<NavigationConfig>;
}

export class WorkerPlanner implements PlannerPort {
  private worker: Worker | null = null;
  private readyFlag = false;
  private readyWaiters: ((ok: boolean) => void)[] = [];
  private limits: RobotLimits | null = null;
  private limitsKey = '';
  private nextId = 1;
  private readonly pendingGoals = new Map<number, (r: GoalResult) => void>();
  private inFlight: { id: number; sentAt: number } | null = null;
  private computeS = 0.03;
  private zones: ZoneShape[] = [];
  private map: OccupancyGrid;
  private stopped = false;
  private listener: (e: PlannerEvent) => void = () => {};

  constructor(private readonly opts: WorkerPlannerOptions) {
    this.map = opts.map;
  }

  setMap(map: OccupancyGrid): void {
    this.map = map;
    this.post({ type: 'map', map });
  }

  start(limits: RobotLimits): void {
    if (this.stopped) return;
    const key = JSON.stringify(limits);
    if (this.worker && key === this.limitsKey) return;
    this.stopWorker();
    this.limits = limits;
    this.limitsKey = key;
    const { url, entry } = threadEntry('planner-worker.js', new URL('./planner-worker.ts', import.meta.url));
    const worker = new Worker(url, { workerData: entry ? { entry } : undefined });
    this.worker = worker;
    worker.on('message', (msg: FromPlanner) => this.onMessage(msg));
    worker.on('error', (err) => this.crash(err.message));
    worker.on('exit', (code) => {
      if (this.worker === worker && !this.stopped) this.crash(`exited with code ${code}`);
    });
    this.post({ type: 'init', map: this.map, limits, config: this.opts.config ?? {} });
    if (this.zones.length > 0) this.post({ type: 'zones', zones: this.zones });
  }

  get ready(): boolean {
    return this.readyFlag;
  }

  isBusy(now: number): boolean {
    if (this.inFlight && now - this.inFlight.sentAt > WEDGED_AFTER_S) this.crash(`no answer for ${WEDGED_AFTER_S} s`);
    return this.inFlight !== null;
  }

  whenReady(): Promise<boolean> {
    if (this.readyFlag) return Promise.resolve(true);
    // A worker that crashed is brought back for the goal that asks for it.
    if (!this.worker && this.limits) {
      this.limitsKey = '';
      this.start(this.limits);
    }
    if (!this.worker) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(this.readyFlag), READY_WAIT_MS);
      this.readyWaiters.push((ok) => {
        clearTimeout(timer);
        resolve(ok);
      });
    });
  }

  setZones(zones: readonly ZoneShape[]): void {
    this.zones = zones.slice();
    this.post({ type: 'zones', zones: this.zones });
  }

  setGoal(goal: Pose2D, from: Pose2D, now: number): Promise<GoalResult> {
    const id = this.nextId++;
    const result = new Promise<GoalResult>((resolve) => this.pendingGoals.set(id, resolve));
    this.post({ type: 'goal', id, goal, from, now });
    return result;
  }

  cancel(): void {
    this.post({ type: 'cancel' });
  }

  cycle(input: NavCycleInput, now: number): void {
    if (!this.readyFlag || this.inFlight) return;
    const id = this.nextId++;
    this.inFlight = { id, sentAt: now };
    const scan = input.scan;
    this.post({
      type: 'cycle',
      id,
      input: {
        now: input.now,
        state: input.state,
        seed: input.seed,
        // Typed arrays cross the thread boundary far cheaper than an array of objects.
        scan: scan
          ? {
              sensorX: scan.sensor.x,
              sensorY: scan.sensor.y,
              xs: Float64Array.from(scan.endpoints, (e) => e.x),
              ys: Float64Array.from(scan.endpoints, (e) => e.y),
              hits: Uint8Array.from(scan.endpoints, (e) => (e.hit === false ? 0 : 1)),
              time: scan.time,
            }
          : null,
      },
    });
  }

  planningTimeS(): number {
    // The measured cycle time (smoothed) and a little for the message round trip.
    return this.computeS + 0.005;
  }

  onEvent(listener: (e: PlannerEvent) => void): void {
    this.listener = listener;
  }

  /** Makes the worker throw (tests of crash handling). */
  crashForTest(): void {
    this.post({ type: 'crash' });
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    const w = this.worker;
    this.worker = null;
    this.readyFlag = false;
    if (w) await w.terminate();
  }

  private post(msg: ToPlanner): void {
    this.worker?.postMessage(msg);
  }

  private stopWorker(): void {
    const w = this.worker;
    this.worker = null;
    this.readyFlag = false;
    this.inFlight = null;
    if (w) void w.terminate();
  }

  private crash(reason: string): void {
    this.stopWorker();
    for (const resolve of this.pendingGoals.values()) resolve({ ok: false, reason: 'no-path', message: 'The planner stopped unexpectedly' });
    this.pendingGoals.clear();
    for (const w of this.readyWaiters.splice(0)) w(false);
    this.listener({ type: 'crash', reason });
  }

  private onMessage(msg: FromPlanner): void {
    switch (msg.type) {
      case 'ready':
        this.readyFlag = true;
        for (const w of this.readyWaiters.splice(0)) w(true);
        return;
      case 'fatal':
        this.crash(msg.message);
        return;
      case 'goal-result': {
        const resolve = this.pendingGoals.get(msg.id);
        this.pendingGoals.delete(msg.id);
        resolve?.(msg.result);
        return;
      }
      case 'cycle-result': {
        if (this.inFlight?.id !== msg.id) return;
        this.inFlight = null;
        this.computeS = 0.8 * this.computeS + 0.2 * msg.computeS;
        this.listener({ type: 'cycle', output: msg.output, computeS: msg.computeS, goalSerial: msg.goalSerial });
        return;
      }
    }
  }
}
