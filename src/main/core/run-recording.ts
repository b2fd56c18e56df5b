/**
 * Records the live session as a run: every robot message, every command sent, planner
 * cycles, predictions, safety actions, operator actions and link events. A run starts at
 * the first Hello of a connection and ends at disconnect or shutdown. A lost link that comes
 * back to the same robot is an event in the run ('lost', then 'reconnected' with how long it
 * was down), not a new run; only another robot answering on the connection starts one.
 * Everything here only enqueues (the recorder writes on its own thread), so the safety tick
 * never waits on disk.
 */
import type { ConsoleEvent, PersonView, SafetyState } from '../../shared/api';
import type { Pose2D, Twist2D } from '../../shared/geometry';
import type { HostMessage, LinkFrame, RobotMessage } from '../../shared/protocol';
import type { LinkEventType, OperatorActionType, RunOutcome } from '../../shared/recording';
import type { NavCycleOutput } from '../../planner/nav';
import type { Recorder } from '../recorder';
import { countRunIncidents } from '../incidents/count';
import { MAP_RECORD_TYPE, encodeMapRecord } from '../recorder/map-record';
import type { OccupancyGrid } from '../../shared/grid';

export class RunRecording {
  private running = false;
  private lastSafety = '';
  private lastTeleop = '';
  private wasLost = false;
  /** The robot of the run being recorded (name from its Hello, and where it is reached). */
  private robot: { name: string; source: string } | null = null;
  /** Recorded time the link was lost (s), while it is; the run's link was ever lost. */
  private lostAt: number | null = null;
  private lostThisRun = false;

  /** Incident counts still being computed for ended runs (close waits for them). */
  private readonly counting = new Set<Promise<void>>();
  /** Told when a finished run's incidents could not be counted (plain words). */
  countProblem: ((message: string) => void) | null = null;
  /** The next run's name, when the caller has one (a scenario); else the operator names it later. */
  runName: string | null = null;

  /**
   * @param timeOffsetS added to every time recorded, s: a run on virtual time (sim time from
   *   0) is recorded with real dates without its loop ever seeing large clock values.
   * @param countIncidents count each run's incidents when it ends (off: the caller counts, or
   *   nobody needs the figure, e.g. throwaway test runs)
   */
  constructor(
    private readonly recorder: Recorder,
    private readonly timeOffsetS = 0,
    private readonly countIncidents = true,
  ) {}

  /** Read access to the run database (review). */
  get store(): Recorder['store'] {
    return this.recorder.store;
  }

  /** One line for the operator, e.g. "recording: ok" or "recording: degraded — disk full". */
  statusLine(): string {
    return this.recorder.status().message;
  }

  /** The recorder's state, run and problems (the console's recording indicator). */
  status(): ReturnType<Recorder['status']> {
    return this.recorder.status();
  }

  onRecorderEvent(listener: (e: ConsoleEvent) => void): () => void {
    return this.recorder.onEvent(listener);
  }

  get active(): boolean {
    return this.running;
  }

  /**
   * The robot said Hello. On a connection already recording, the same robot again (the link
   * came back, or the robot rebooted) continues the run; another robot ends it and starts its own.
   */
  start(robotName: string, source: string, t: number): void {
    if (this.running) {
      if (this.robot?.name === robotName && this.robot.source === source) return;
      this.end(this.lostThisRun ? 'link-lost' : 'completed', t);
    }
    this.robot = { name: robotName, source };
    this.lostAt = null;
    this.lostThisRun = false;
    this.running = this.recorder.startRun({ robotName, source, startedAt: t + this.timeOffsetS, ...(this.runName ? { name: this.runName } : {}) }) !== null;
    this.lastSafety = '';
    this.lastTeleop = '';
    this.wasLost = false;
  }

  /** The map the robot is driven on from time t on (the run keeps its own copy: files change). */
  map(name: string, grid: OccupancyGrid, t: number): void {
    if (this.running) this.recorder.record(MAP_RECORD_TYPE, encodeMapRecord(name, grid), t + this.timeOffsetS);
  }

  /** Where odom sits on the map (map → odom) from time t on: the run's odometry is recorded raw, in odom. */
  mapToOdom(pose: Pose2D, t: number): void {
    if (!this.running) return;
    this.recorder.recordMapToOdom(pose, t + this.timeOffsetS);
  }

  end(outcome: Exclude<RunOutcome, 'interrupted'>, t: number): void {
    if (!this.running) return;
    const runId = this.recorder.currentRunId;
    this.recorder.endRun(outcome, t + this.timeOffsetS);
    this.running = false;
    this.robot = null;
    if (runId !== null && this.countIncidents) {
      const counting = this.countWhenWritten(runId).finally(() => this.counting.delete(counting));
      this.counting.add(counting);
    }
  }

  /** The ended run's incidents, counted once its records are on disk (a worker thread does it). */
  private async countWhenWritten(runId: number): Promise<void> {
    if (!(await this.recorder.flush())) return; // counted on read later, by `runs incidents`
    try {
      await countRunIncidents(this.recorder.path, runId);
    } catch (err) {
      this.countProblem?.(`Incidents of run ${runId} not counted yet (${err instanceof Error ? err.message : String(err)}); \`foresight runs incidents ${runId}\` counts them`);
    }
  }

  frame(frame: LinkFrame<RobotMessage>, t: number): void {
    if (this.running) this.recorder.recordRobotFrame(frame, t + this.timeOffsetS);
  }

  sent(frame: LinkFrame<HostMessage>, t: number): void {
    if (this.running) this.recorder.recordCommandSent(frame, t + this.timeOffsetS);
  }

  link(state: string, message: string, t: number): void {
    if (!this.running) return;
    let event: LinkEventType | null = null;
    let words = message;
    if (state === 'lost' && !this.wasLost) {
      event = 'lost';
      this.lostAt = t;
      this.lostThisRun = true;
    } else if (state === 'connected' && this.wasLost) {
      event = 'reconnected';
      // How long the run had no robot: what review shows on the link-loss marker.
      if (this.lostAt !== null) words = `${message}; the link was down ${(t - this.lostAt).toFixed(1)} s`;
      this.lostAt = null;
    } else if (state === 'incompatible') event = 'incompatible';
    else if (state === 'disconnected') event = 'disconnected';
    if (state === 'lost') this.wasLost = true;
    if (state === 'connected') this.wasLost = false;
    if (event) this.recorder.recordLinkEvent({ event, message: words }, t + this.timeOffsetS);
  }

  badFrame(reason: string, detail: string, t: number): void {
    if (this.running) this.recorder.recordLinkEvent({ event: 'bad-frame', message: detail, reason }, t + this.timeOffsetS);
  }

  operator(action: OperatorActionType, t: number, extra: { teleop?: { linear: number; angular: number }; goal?: { x: number; y: number; theta: number }; detail?: string } = {}): void {
    if (!this.running) return;
    if (action === 'teleop') {
      // The renderer repeats input at 10 Hz; record changes only.
      const key = `${extra.teleop?.linear ?? 0},${extra.teleop?.angular ?? 0}`;
      if (key === this.lastTeleop) return;
      this.lastTeleop = key;
    }
    this.recorder.recordOperatorAction({ action, ...extra }, t + this.timeOffsetS);
  }

  /** Records a safety decision when it changes (action or reason), with what it overrode. */
  safety(state: SafetyState | null, requested: Twist2D, commanded: Twist2D, zone: string | null, points: ArrayLike<number>, t: number): void {
    if (!this.running) return;
    const key = state ? `${state.action}:${state.reason}` : '';
    if (key === this.lastSafety) return;
    this.lastSafety = key;
    if (!state) return;
    this.recorder.recordSafetyAction({ action: state.action, reason: state.reason, ttc: state.ttc, scale: state.scale, requested, commanded, zone, points }, t + this.timeOffsetS);
  }

  plannerCycle(out: NavCycleOutput, computeS: number, people: readonly PersonView[], t: number): void {
    if (!this.running) return;
    const traj = out.trajectory;
    this.recorder.recordPlannerCycle(
      {
        cycleTimeS: computeS,
        chosen: traj ? { points: Array.from(interleave(traj.xs, traj.ys, traj.count)), cost: 0 } : null,
        candidates: out.sample.map((c) => ({ cost: c.cost, terms: c.terms, points: interleave(c.xs, c.ys, c.xs.length) })),
        candidateCount: out.candidatesEvaluated,
        guidancePath: out.globalPath.flatMap((p) => [p.x, p.y]),
        goal: out.goal,
        extra: { collisionProbability: out.collisionProbability },
      },
      t + this.timeOffsetS,
    );
    if (people.length > 0) this.recorder.recordPredictions(people, t + this.timeOffsetS);
  }

  /** A detected fault (clock or pose jump, blind lidar, planner crash), with its numbers. */
  fault(fault: { kind: string; message: string; atMs: number; detail: Record<string, number | string> }, t: number): void {
    if (this.running) this.recorder.record('fault', { kind: fault.kind, message: fault.message, detail: fault.detail }, t + this.timeOffsetS);
  }

  async close(t: number): Promise<void> {
    this.end('completed', t);
    await Promise.all(this.counting);
    await this.recorder.close();
  }
}

function interleave(xs: ArrayLike<number>, ys: ArrayLike<number>, n: number): Float64Array {
  const out = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    out[i * 2] = xs[i]!;
    out[i * 2 + 1] = ys[i]!;
  }
  return out;
}
