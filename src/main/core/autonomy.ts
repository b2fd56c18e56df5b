/**
 * Autonomy's planning side for the core: goals, the 10 Hz planning cycle and its answers,
 * around the one AutonomyLoop (src/planner/autonomy) and a PlannerPort (worker thread live,
 * in process on virtual time). It tells the core only what the narrow AutonomyHost allows:
 * words for the operator, a notice, a fault, a cycle for the run log.
 */
import type { CommandResult, ConsoleEvent, ConsoleSnapshot, PersonView } from '../../shared/api';
import type { Pose2D } from '../../shared/geometry';
import type { AutonomyLoop, MeasuredState, PlanningScan } from '../../planner/autonomy';
import type { NavCycleOutput } from '../../planner/nav';
import type { RobotLimits } from '../../planner/local';
import type { OccupancyGrid } from '../../shared/grid';
import type { ZoneShape } from '../../planner/nav/zones';
import type { PlannerEvent, PlannerPort } from './planner-port';

/** Candidates sent to the renderer per snapshot. */
const DISPLAY_CANDIDATES = 40;

/** What autonomy may tell the core. */
export interface AutonomyHost {
  now(): number;
  say(level: ConsoleEvent['level'], message: string): void;
  setNotice(text: string | null): void;
  /** A fault outside the robot link (the planner crashed): said, recorded, motion stopped. */
  reportFault(kind: string, message: string): void;
  /** One planning cycle for the run log and observers. */
  recordCycle(out: NavCycleOutput, computeS: number, people: readonly PersonView[]): void;
}

/** The robot as a planning cycle starts from it. */
export interface CycleRobot {
  measured: MeasuredState;
  /** Newest scan's beam ends, map frame, or null. */
  scan: PlanningScan | null;
  /** How old samples are on arrival, and how long commands take to act, s. */
  sensorAgeS: number;
  commandTransitS: number;
  /** Screen pan now (rad, base_link) and its rate, for the gaze plan. */
  pan: { angle: number; rate: number };
}

export interface AutonomyOptions {
  /** Base of each cycle's sampling seed (deterministic runs). */
  seed?: number;
}

export class Autonomy {
  /** Goals sent to the planner (its answers carry the count they were planned after). */
  private goalSerial = 0;
  private cycles = 0;
  private people: PersonView[] = [];
  /** Robot state when the newest cycle was requested (the gaze plans from it on the answer). */
  private requested: CycleRobot | null = null;

  constructor(
    private readonly loop: AutonomyLoop,
    private readonly planner: PlannerPort,
    private readonly host: AutonomyHost,
    private readonly opts: AutonomyOptions = {},
  ) {
    planner.onEvent((e) => this.onPlannerEvent(e));
  }

  /** A robot with these limits is connected: bring the planner up for it. */
  onRobot(limits: RobotLimits): void {
    this.planner.start(limits);
  }

  /** A new or grown map (map frame) for the planner; a goal under way is replanned on it. */
  setMap(map: OccupancyGrid): void {
    this.planner.setMap(map);
  }

  setZones(zones: readonly ZoneShape[]): void {
    this.planner.setZones(zones);
  }

  /** Starts a goal; a refusal is said to the operator (once) and returned in the same words. */
  async setGoal(goal: Pose2D, from: Pose2D | null): Promise<CommandResult> {
    const refuse = (error: string): CommandResult => {
      this.host.say('warn', `Goal refused: ${error}`);
      return { ok: false, error };
    };
    if (!from) return refuse('The robot has no pose yet');
    if (!(await this.planner.whenReady())) return refuse('The planner is not ready yet');
    const serial = ++this.goalSerial;
    this.loop.startGoal(goal);
    const res = await this.planner.setGoal(goal, from, this.host.now());
    if (serial !== this.goalSerial) return res.ok ? { ok: true } : { ok: false, error: res.message };
    if (!res.ok) {
      this.loop.cancel();
      this.host.setNotice(res.message);
      return refuse(res.message);
    }
    return { ok: true };
  }

  cancel(): void {
    if (this.loop.goal) this.host.setNotice('Goal cancelled');
    this.loop.cancel();
    this.people = [];
    this.planner.cancel();
  }

  /** One planning cycle at `now`, unless the previous one is still being planned. */
  planCycle(now: number, robot: CycleRobot): void {
    if (!this.planner.ready || this.planner.isBusy(now)) return;
    const input = this.loop.cycleInput(
      now,
      robot.measured,
      { sensorAge: robot.sensorAgeS, planningTime: this.planner.planningTimeS(), commandTransit: robot.commandTransitS },
      robot.scan,
      (this.opts.seed ?? 0) * 100_003 + this.cycles,
    );
    if (!input) return;
    this.requested = robot;
    this.planner.cycle(input, now);
  }

  private onPlannerEvent(e: PlannerEvent): void {
    if (e.type === 'crash') {
      const hadGoal = this.loop.goal !== null;
      this.loop.cancel();
      this.people = [];
      this.host.setNotice('Planner restarted after a crash');
      this.host.reportFault('planner-crash', `Planner stopped unexpectedly (${e.reason})${hadGoal ? '; the robot was stopped and the goal dropped' : ''}. Restarting the planner.`);
      return;
    }
    this.cycles++;
    const out = e.output;
    this.people = peopleViews(out);
    this.host.recordCycle(out, e.computeS, this.people);
    const robot = this.requested;
    if (!robot) return;
    const hadGoal = this.loop.goal !== null;
    const verdict = this.loop.acceptCycle(out, this.host.now(), { pose: robot.measured.state.pose, pan: robot.pan }, e.goalSerial !== this.goalSerial);
    if (verdict.ended === 'reached') this.host.say('info', 'Goal reached');
    else if (verdict.ended === 'failed') this.host.say('warn', `Goal abandoned: ${verdict.message ?? 'planning failed'}`);
    if (hadGoal) this.host.setNotice(out.message);
  }

  /** Display data for the snapshot: goal, guidance path, candidates, chosen trajectory, people, gaze. */
  fill(snap: ConsoleSnapshot): void {
    snap.goal = this.loop.goal;
    const gaze = this.loop.gazePlan;
    snap.gazeTarget = gaze ? { x: round(gaze.gazeTarget.x), y: round(gaze.gazeTarget.y) } : null;
    snap.people = this.people;
    const out = this.loop.cycle;
    if (!out) return;
    snap.globalPath = out.globalPath.flatMap((p) => [round(p.x), round(p.y)]);
    snap.candidates = out.sample.slice(0, DISPLAY_CANDIDATES).map((c) => ({ points: flat(c.xs, c.ys, c.xs.length), cost: round(c.cost) }));
    const t = out.trajectory;
    snap.chosen = t ? { points: flat(t.xs, t.ys, t.count), cost: 0 } : null;
  }

  async shutdown(): Promise<void> {
    await this.planner.shutdown();
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
