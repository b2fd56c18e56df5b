/**
 * Records the live session as a run: every robot message, every command sent, planner
 * cycles, predictions, safety actions, operator actions and link events. A run starts at
 * the first Hello of a connection and ends at disconnect or shutdown. Everything here only
 * enqueues (the recorder writes on its own thread), so the safety tick never waits on disk.
 */
import type { ConsoleEvent, PersonView, SafetyState } from '../../shared/api';
import type { Pose2D, Twist2D } from '../../shared/geometry';
import type { HostMessage, LinkFrame, RobotMessage } from '../../shared/protocol';
import type { LinkEventType, OperatorActionType, RunOutcome } from '../../shared/recording';
import type { NavCycleOutput } from '../../planner/nav';
import type { Recorder } from '../recorder';

export class RunRecording {
  private running = false;
  private lastSafety = '';
  private lastTeleop = '';
  private wasLost = false;

  /**
   * @param timeOffsetS added to every time recorded, s: a run on virtual time (sim time from
   *   0) is recorded with real dates without its loop ever seeing large clock values.
   */
  constructor(
    private readonly recorder: Recorder,
    private readonly timeOffsetS = 0,
  ) {}

  /** Read access to the run database (review). */
  get store(): Recorder['store'] {
    return this.recorder.store;
  }

  /** One line for the operator, e.g. "recording: ok" or "recording: degraded — disk full". */
  statusLine(): string {
    return this.recorder.status().message;
  }

  onRecorderEvent(listener: (e: ConsoleEvent) => void): () => void {
    return this.recorder.onEvent(listener);
  }

  get active(): boolean {
    return this.running;
  }

  start(robotName: string, source: string, t: number): void {
    if (this.running) return;
    this.running = this.recorder.startRun({ robotName, source, startedAt: t + this.timeOffsetS }) !== null;
    this.lastSafety = '';
    this.lastTeleop = '';
    this.wasLost = false;
  }

  /** Where odom sits on the map (map → odom) from time t on: the run's odometry is recorded raw, in odom. */
  mapToOdom(pose: Pose2D, t: number): void {
    if (!this.running) return;
    this.recorder.recordMapToOdom(pose, t + this.timeOffsetS);
  }

  end(outcome: Exclude<RunOutcome, 'interrupted'>, t: number): void {
    if (!this.running) return;
    this.recorder.endRun(outcome, t + this.timeOffsetS);
    this.running = false;
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
    if (state === 'lost' && !this.wasLost) event = 'lost';
    else if (state === 'connected' && this.wasLost) event = 'reconnected';
    else if (state === 'incompatible') event = 'incompatible';
    else if (state === 'disconnected') event = 'disconnected';
    if (state === 'lost') this.wasLost = true;
    if (state === 'connected') this.wasLost = false;
    if (event) this.recorder.recordLinkEvent({ event, message }, t + this.timeOffsetS);
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
