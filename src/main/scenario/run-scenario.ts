/** Runs one scenario closed loop: builds the simulator world, runs the stack, reports. */
import type { GazeOutput } from '../../planner/gaze';
import type { PredictorModel } from '../../planner/predict';
import type { NavCycleOutput, NavigationConfig } from '../../planner/nav';
import { scenarioPeople, type ScriptedPersonSpec } from '../../sim';
import type { SimCore } from '../../sim/sim-core';
import type { RobotParams } from '../../sim/robot-params';
import { createSimCore } from '../../sim/start';
import { runClosedLoop, type ClosedLoopOptions, type ClosedLoopResult } from './closed-loop';
import { poseOf, type Scenario, type ScenarioDrift, type ScenarioTrigger } from './scenario-file';

export interface ScenarioReport extends ClosedLoopResult {
  scenario: string;
  replans: number;
}

export interface ScenarioRunOptions {
  predictor?: PredictorModel;
  onCycle?: (t: number, out: NavCycleOutput) => void;
  /** Called after each gaze update (10 Hz). */
  onGaze?: (t: number, out: GazeOutput) => void;
  /** Called after each 50 Hz safety tick. */
  onSafety?: ClosedLoopOptions['onSafety'];
  /** Called once with the simulator before the run (ground truth for logging, traces). */
  onSim?: (sim: SimCore) => void;
  /** Records the run as a live session is recorded. */
  recording?: ClosedLoopOptions['recording'];
  /** Gaze planning on (default), off, or with configuration overrides. */
  gaze?: ClosedLoopOptions['gaze'];
  /** Navigation overrides on top of the scenario's own (the predictor option wins). */
  nav?: Partial<NavigationConfig>;
  /** Drift for this run instead of the scenario's own setting. */
  drift?: ScenarioDrift;
  /** Localization on the planning map (the live console's particle filter); default off. */
  localization?: boolean;
}

/** A scripted person and, when it has one, the situation that brings them on. */
export interface ScenarioPerson {
  spec: ScriptedPersonSpec;
  trigger: ScenarioTrigger | null;
}

/** The scenario's world in the simulator, and its scripted events and encounters on sim time. */
export interface ScenarioWorld {
  sim: SimCore;
  events: NonNullable<ClosedLoopOptions['events']>;
  triggers: NonNullable<ClosedLoopOptions['triggers']>;
}

/** Builds the simulator for a scenario; `baseRobot` swaps in another robot (a profile's body, limits and lidar). */
export function scenarioWorld(s: Scenario, baseRobot?: RobotParams, drift: ScenarioDrift = s.drift): ScenarioWorld {
  const people = scenarioPeopleOf(s);
  const sim = createSimCore({
    seed: s.seed,
    mapYaml: s.mapYaml ?? undefined,
    people: s.crowd?.count ?? 0,
    config: {
      ...(baseRobot ? { baseRobot } : {}),
      startPose: poseOf(s.start),
      drift,
      people: people.filter((p) => p.trigger === null).map((p) => p.spec),
      boxes: s.boxes.map((b) => ({ x: b.center.x, y: b.center.y, yaw: b.theta, length: b.length, width: b.width, appearAt: b.appearAt, disappearAt: b.disappearAt })),
    },
  });
  return {
    sim,
    events: s.events.map((e) => ({ at: e.at, run: (core) => void core.dropBoxAhead(e.distanceM, { length: e.size, width: e.size }) })),
    triggers: people.flatMap(({ spec, trigger }) =>
      trigger === null
        ? []
        : [{
            when: (truth) => Math.hypot(truth.robotPose.x - trigger.of.x, truth.robotPose.y - trigger.of.y) <= trigger.robotWithinM,
            // The spec's start time counts from the trigger.
            run: (core) => void core.addPerson({ ...spec, startTime: core.time + (spec.startTime ?? 0) }),
          }],
    ),
  };
}

export async function runScenario(s: Scenario, opts: ScenarioRunOptions = {}): Promise<ScenarioReport> {
  const { sim, events, triggers } = scenarioWorld(s, undefined, opts.drift);
  opts.onSim?.(sim);
  // The planner knows the static map only; people and boxes it must see.
  const planningMap = sim.world.grid;
  let replans = 0;
  const result = await runClosedLoop({
    sim,
    planningMap,
    goal: poseOf(s.goal),
    goalToleranceM: s.goalToleranceM,
    timeLimitS: s.timeLimitS,
    seed: s.seed,
    nav: { ...opts.nav, predictor: { ...opts.nav?.predictor, model: opts.predictor ?? 'social' } },
    events,
    triggers,
    onCycle: (t, out) => {
      if (out.replanned) replans++;
      opts.onCycle?.(t, out);
    },
    onGaze: opts.onGaze,
    onSafety: opts.onSafety,
    gaze: opts.gaze,
    recording: opts.recording,
    source: `scenario:${s.name}`,
    localization: opts.localization,
  });
  return { scenario: s.name, ...result, replans };
}

/**
 * Everyone the scenario scripts: its raw people, then its encounters (crossing, oncoming
 * and overtaking placed from the start pose), each with its trigger if it has one.
 */
export function scenarioPeopleOf(s: Scenario): ScenarioPerson[] {
  const raw = s.people.map(({ trigger, ...p }) => ({ spec: { ...p, waypoints: p.waypoints.map((w) => ({ ...w })) }, trigger: trigger ?? null }));
  const encounters = s.encounters.flatMap(({ trigger, ...d }) => scenarioPeople(poseOf(s.start), [d]).map((spec) => ({ spec, trigger: trigger ?? null })));
  return [...raw, ...encounters];
}
