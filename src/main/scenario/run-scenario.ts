/** Runs one scenario closed loop: builds the simulator world, runs the stack, reports. */
import type { PredictorModel } from '../../planner/predict';
import type { NavCycleOutput } from '../../planner/nav';
import { createSimCore } from '../../sim/start';
import { runClosedLoop, type ClosedLoopResult } from './closed-loop';
import { poseOf, type Scenario } from './scenario-file';

export interface ScenarioReport extends ClosedLoopResult {
  scenario: string;
  replans: number;
}

export interface ScenarioRunOptions {
  predictor?: PredictorModel;
  onCycle?: (t: number, out: NavCycleOutput) => void;
}

export function runScenario(s: Scenario, opts: ScenarioRunOptions = {}): ScenarioReport {
  const sim = createSimCore({
    seed: s.seed,
    mapYaml: s.mapYaml ?? undefined,
    people: s.crowd?.count ?? 0,
    config: {
      startPose: poseOf(s.start),
      people: s.people.map((p) => ({ ...p })),
      boxes: s.boxes.map((b) => ({ x: b.center.x, y: b.center.y, yaw: b.theta, length: b.length, width: b.width, appearAt: b.appearAt, disappearAt: b.disappearAt })),
    },
  });
  // The planner knows the static map only; people and boxes it must see.
  const planningMap = sim.world.grid;
  let replans = 0;
  const result = runClosedLoop({
    sim,
    planningMap,
    goal: poseOf(s.goal),
    goalToleranceM: s.goalToleranceM,
    timeLimitS: s.timeLimitS,
    seed: s.seed,
    nav: { predictor: { model: opts.predictor ?? 'social' } },
    events: s.events.map((e) => ({ at: e.at, run: (core) => void core.dropBoxAhead(e.distanceM, { length: e.size, width: e.size }) })),
    onCycle: (t, out) => {
      if (out.replanned) replans++;
      opts.onCycle?.(t, out);
    },
  });
  return { scenario: s.name, ...result, replans };
}


