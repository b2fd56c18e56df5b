/**
 * Records a closed-loop scenario run into the run database exactly as a live session is
 * recorded (Hello, odometry at 50 Hz, every scan, planner cycles with candidates and the
 * guidance path, predictions, safety actions, the goal), so it can be reviewed, explained
 * and exported like any other run. Sim time t maps to host time `startedAt + t`.
 */
import type { PersonView } from '../../shared/api';
import type { Pose2D } from '../../shared/geometry';
import type { RunOutcome } from '../../shared/recording';
import type { NavCycleOutput } from '../../planner/nav';
import type { ReactiveDecision } from '../../planner/reactive';
import type { Recorder } from '../recorder';
import type { SimCore } from '../../sim/sim-core';
import { helloFromParams } from '../../sim/sim-robot';

export class ScenarioRecording {
  private seq = 0;
  private steps = 0;
  private lastSafety = '';
  readonly runId: number | null;

  constructor(
    private readonly recorder: Recorder,
    scenarioName: string,
    private readonly startedAt: number,
  ) {
    this.runId = recorder.startRun({ robotName: 'foresight-sim', source: `scenario:${scenarioName}`, startedAt });
  }

  private host(t: number): number {
    return this.startedAt + t;
  }

  /** Hooks the simulator: Hello now, then odometry at 50 Hz and every scan as they happen. */
  attach(sim: SimCore, goal: Pose2D): void {
    const rec = this.recorder;
    rec.recordRobotFrame({ version: 1, seq: this.seq++, timestampUs: 0, msg: helloFromParams(sim.params) }, this.host(sim.time));
    // The simulator's odometry is its map pose.
    rec.recordMapToOdom({ x: 0, y: 0, theta: 0 }, this.host(sim.time));
    rec.recordOperatorAction({ action: 'set-goal', goal }, this.host(sim.time));
    const step = sim.step.bind(sim);
    sim.step = (dt: number) => {
      const out = step(dt);
      const us = Math.round(sim.time * 1e6);
      // The simulator steps at 100 Hz; the firmware reports odometry at 50 Hz.
      if (this.steps++ % 2 === 0) rec.recordRobotFrame({ version: 1, seq: this.seq++, timestampUs: us, msg: { type: 'odometry', ...sim.odometry() } }, this.host(sim.time));
      for (const s of out.scans) {
        rec.recordRobotFrame(
          { version: 1, seq: this.seq++, timestampUs: Math.round(s.time * 1e6), msg: { type: 'laser-scan', angleMin: s.angleMin, angleIncrement: s.angleIncrement, timeIncrement: 0, rangeMin: s.rangeMin, rangeMax: s.rangeMax, ranges: s.ranges } },
          this.host(s.time),
        );
      }
      return out;
    };
  }

  cycle(t: number, out: NavCycleOutput): void {
    const traj = out.trajectory;
    const people: PersonView[] = out.tracks.map((tr) => ({
      id: tr.id, x: tr.x, y: tr.y, vx: tr.vx, vy: tr.vy, risk: out.personRisk.get(tr.id) ?? 0,
      futures: (out.predictions.find((p) => p.trackId === tr.id)?.futures ?? []).map((f) => ({ probability: f.probability, points: flat(f.xs, f.ys, f.xs.length) })),
    }));
    this.recorder.recordPlannerCycle(
      {
        cycleTimeS: 0,
        chosen: traj ? { points: flat(traj.xs, traj.ys, traj.count), cost: 0 } : null,
        candidates: out.sample.map((c) => ({ cost: c.cost, terms: c.terms, points: flat(c.xs, c.ys, c.xs.length) })),
        candidateCount: out.candidatesEvaluated,
        guidancePath: out.globalPath.flatMap((p) => [p.x, p.y]),
        goal: out.goal,
        extra: { collisionProbability: out.collisionProbability },
      },
      this.host(t),
    );
    if (people.length > 0) this.recorder.recordPredictions(people, this.host(t));
  }

  /** Records a safety decision when its action or reason changes. */
  safety(t: number, d: ReactiveDecision): void {
    const key = `${d.action}:${d.reason}`;
    if (key === this.lastSafety) return;
    this.lastSafety = key;
    this.recorder.recordSafetyAction(
      { action: d.action, reason: d.reason, ttc: Number.isFinite(d.ttc) ? d.ttc : null, scale: d.scale, requested: d.requested, commanded: d.command, zone: d.zone, points: d.points.flatMap((p) => [p.x, p.y]) },
      this.host(t),
    );
  }

  end(outcome: Exclude<RunOutcome, 'interrupted'>, t: number): void {
    this.recorder.endRun(outcome, this.host(t));
  }
}

function flat(xs: ArrayLike<number>, ys: ArrayLike<number>, n: number): number[] {
  const out = new Array<number>(n * 2);
  for (let i = 0; i < n; i++) {
    out[i * 2] = xs[i]!;
    out[i * 2 + 1] = ys[i]!;
  }
  return out;
}
