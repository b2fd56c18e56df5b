/**
 * Where the navigation stack runs. The live console runs it in a worker thread
 * (`WorkerPlanner`) so 10 Hz planning never blocks the 50 Hz safety tick; runs on virtual
 * time (scenarios, BARN, evaluations) run it in process (`InlinePlanner`), answering at once
 * with a modelled planning time. The autonomy loop and everything around it are the same.
 */
import type { Pose2D } from '../../shared/geometry';
import type { OccupancyGrid } from '../../shared/grid';
import { NavigationStack, type GoalResult, type NavCycleInput, type NavCycleOutput, type NavigationConfig } from '../../planner/nav';
import type { RobotLimits } from '../../planner/local';
import type { ZoneShape } from '../../planner/nav/zones';

export type PlannerEvent =
  /**
   * A cycle's answer. `goalSerial` counts the goals the planner had received when it planned
   * this cycle: an answer planned before the newest goal says nothing about it.
   */
  | { type: 'cycle'; output: NavCycleOutput; computeS: number; goalSerial: number }
  /** The planner died (it is restarted by the next `start`); goals in flight are refused. */
  | { type: 'crash'; reason: string };

export interface PlannerPort {
  /** (Re)starts the planner for a robot's limits; a no-op when they have not changed. */
  start(limits: RobotLimits): void;
  /** Ready for goals and cycles. */
  readonly ready: boolean;
  /** Waits (briefly) until ready; false when it did not get there. */
  whenReady(): Promise<boolean>;
  /** A new or grown map: the stack is rebuilt on it, keeping zones and the goal under way (replanned). */
  setMap(map: OccupancyGrid): void;
  /** Operator zones (map frame), kept and re-sent after every restart. */
  setZones(zones: readonly ZoneShape[]): void;
  /** A new goal from `from` (map frame) at time `now`, s. Counts toward `goalSerial`. */
  setGoal(goal: Pose2D, from: Pose2D, now: number): Promise<GoalResult>;
  cancel(): void;
  /**
   * Whether a cycle is still being planned at time `now` (s; a new one is not started
   * meanwhile). A cycle unanswered for too long is a crash, reported as one.
   */
  isBusy(now: number): boolean;
  /** Plans one cycle; the answer arrives as a 'cycle' event (at once for the inline planner). */
  cycle(input: NavCycleInput, now: number): void;
  /** Planning time to allow for in fast-forward, s. */
  planningTimeS(): number;
  onEvent(listener: (e: PlannerEvent) => void): void;
  shutdown(): Promise<void>;
}

/** Candidates that cross back for display and the run log (the full set stays in the planner). */
export const RETURNED_SAMPLE = 60;

export interface InlinePlannerOptions {
  map: OccupancyGrid;
  config?: Partial<NavigationConfig>;
  /** Planning time assumed from cycle start to command, s (virtual time does not pass while planning). */
  planningTimeS?: number;
}

/**
 * The stack rebuilt on a new map (a map being built grows; a saved one is loaded): zones kept,
 * and a goal under way replanned from the robot's newest planned-from pose (dropped when it
 * cannot be reached on the new map: the next cycle reports no goal and the core says so).
 */
export function restack(old: NavigationStack | null, map: OccupancyGrid, limits: RobotLimits, config: Partial<NavigationConfig> | undefined, zones: readonly ZoneShape[], from: { pose: Pose2D; now: number } | null): NavigationStack {
  const stack = new NavigationStack(map, { limits }, config);
  if (zones.length > 0) stack.setZones(zones);
  const goal = old?.currentGoal;
  if (goal && from) stack.setGoal(goal, from.pose, from.now);
  return stack;
}

/** The navigation stack in process, answering synchronously: deterministic on virtual time. */
export class InlinePlanner implements PlannerPort {
  private stack: NavigationStack | null = null;
  private limits: RobotLimits | null = null;
  private map: OccupancyGrid;
  private lastFrom: { pose: Pose2D; now: number } | null = null;
  private limitsKey = '';
  private zones: ZoneShape[] = [];
  private goalSerial = 0;
  private listener: (e: PlannerEvent) => void = () => {};

  constructor(private readonly opts: InlinePlannerOptions) {
    this.map = opts.map;
  }

  start(limits: RobotLimits): void {
    const key = JSON.stringify(limits);
    if (this.stack && key === this.limitsKey) return;
    this.limitsKey = key;
    this.limits = limits;
    this.stack = restack(null, this.map, limits, this.opts.config, this.zones, null);
  }

  setMap(map: OccupancyGrid): void {
    this.map = map;
    if (this.limits) this.stack = restack(this.stack, map, this.limits, this.opts.config, this.zones, this.lastFrom);
  }

  get ready(): boolean {
    return this.stack !== null;
  }

  async whenReady(): Promise<boolean> {
    return this.ready;
  }

  /** Never: it answers within `cycle`. */
  isBusy(): boolean {
    return false;
  }

  setZones(zones: readonly ZoneShape[]): void {
    this.zones = zones.slice();
    this.stack?.setZones(this.zones);
  }

  async setGoal(goal: Pose2D, from: Pose2D, now: number): Promise<GoalResult> {
    this.goalSerial++;
    if (!this.stack) return { ok: false, reason: 'no-path', message: 'The planner is not ready yet' };
    return this.stack.setGoal(goal, from, now);
  }

  cancel(): void {
    this.stack?.cancel();
  }

  cycle(input: NavCycleInput): void {
    if (!this.stack) return;
    this.lastFrom = { pose: input.state.pose, now: input.now };
    const output = this.stack.cycle(input);
    output.sample = output.sample.slice(0, RETURNED_SAMPLE);
    this.listener({ type: 'cycle', output, computeS: this.planningTimeS(), goalSerial: this.goalSerial });
  }

  planningTimeS(): number {
    return this.opts.planningTimeS ?? 0.04;
  }

  onEvent(listener: (e: PlannerEvent) => void): void {
    this.listener = listener;
  }

  async shutdown(): Promise<void> {
    this.stack = null;
  }
}
