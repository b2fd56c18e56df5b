/**
 * One BARN world, closed loop: the simulator holds the exact cylinders, the planner starts
 * from an all-free grid and maps the cylinders from its own scans (as the published
 * move_base + DWA baseline does), the run ends at the first collision, at the goal circle
 * or at the time limit, and is scored with the official metric. Frame: BARN's world frame
 * (the run's `map` frame), metres, seconds.
 */
import type { NavCycleOutput, NavigationConfig } from '../../planner/nav';
import type { ReactiveDecision } from '../../planner/reactive';
import type { SimCore } from '../../sim/sim-core';
import type { LocalPlannerConfig, RobotLimits } from '../../planner/local';
import { runClosedLoop, type ClosedLoopResult } from '../scenario/closed-loop';
import type { BarnReference, BarnWorld } from './data';
import { officialScore } from './score';
import { BARN_GOAL, BARN_GOAL_TOLERANCE, BARN_START, BARN_TIME_LIMIT_S, barnPlanningGrid, createBarnSim } from './world';

/** How BARN runs the stack: everything a run passes to the navigation stack and the planner. */
export interface BarnStackConfig {
  nav: Partial<NavigationConfig>;
  localPlanner: Partial<LocalPlannerConfig>;
  limits: Partial<RobotLimits>;
  /** Planning grid cell, metres. */
  planningResolutionM: number;
}

/**
 * The configuration BARN runs with (the method, tuned on the shared worlds as a whole,
 * never per world; the reasons are in docs of each field):
 * - perception off: BARN has no people, and a 0.15 m cylinder looks exactly like a leg;
 * - unknown is free: the grid starts empty and the live obstacle layer fills it in;
 */
export const BARN_STACK_CONFIG: BarnStackConfig = {
  nav: {
    perception: false,
    unknownIsFree: true,
  },
  localPlanner: {},
  limits: {},
  planningResolutionM: 0.05,
};

export interface BarnRunOptions {
  /** Seed of the simulator's noise and the planner's sampling (default: the world index). */
  seed?: number;
  /** Overrides merged onto BARN_STACK_CONFIG (tuning, tests). */
  config?: Partial<BarnStackConfig>;
  /** Called after each planning cycle with the simulator (tracing, debugging). */
  onCycle?: (t: number, out: NavCycleOutput, sim: SimCore) => void;
  /** Called after each safety tick. */
  onSafety?: (t: number, decision: ReactiveDecision) => void;
}

export interface BarnRunResult {
  world: number;
  success: boolean;
  collided: boolean;
  /** AT: seconds from when the robot has moved 0.1 m off the start (as the official timer starts) to the end of the run. */
  time_s: number;
  /** Official score, 0 … 0.5. */
  score: number;
  /** OT, seconds. */
  optimal_time_s: number;
  outcome: ClosedLoopResult['outcome'];
  message: string | null;
  path_length_m: number;
  min_clearance_m: number;
  safety_stops: number;
  replans: number;
}

/** Distance off the start that starts the official clock, metres. */
const MOVED_M = 0.1;

export function runBarnWorld(world: BarnWorld, reference: BarnReference, options: BarnRunOptions = {}): BarnRunResult {
  const cfg: BarnStackConfig = { ...BARN_STACK_CONFIG, ...options.config };
  const seed = options.seed ?? world.index + 1;
  const sim = createBarnSim(world.cylinders, seed);
  let movedAt: number | null = null;
  let replans = 0;
  const result = runClosedLoop({
    sim,
    planningMap: barnPlanningGrid(cfg.planningResolutionM),
    goal: BARN_GOAL,
    goalToleranceM: BARN_GOAL_TOLERANCE,
    timeLimitS: BARN_TIME_LIMIT_S,
    seed,
    nav: { ...cfg.nav, localPlanner: { ...cfg.nav.localPlanner, ...cfg.localPlanner } },
    limits: cfg.limits,
    stopOnCollision: true,
    onSafety: (t, decision) => {
      options.onSafety?.(t, decision);
      if (movedAt !== null) return;
      const odom = sim.odometry();
      if (Math.hypot(odom.x - BARN_START.x, odom.y - BARN_START.y) >= MOVED_M) movedAt = t;
    },
    onCycle: (t, out) => {
      if (out.replanned) replans++;
      options.onCycle?.(t, out, sim);
    },
  });
  const time = result.time_s - (movedAt ?? 0);
  const collided = result.collisions > 0;
  const success = result.success && !collided && time < BARN_TIME_LIMIT_S;
  return {
    world: world.index,
    success,
    collided,
    time_s: time,
    score: officialScore(success, time, reference.optimalTimeS),
    optimal_time_s: reference.optimalTimeS,
    outcome: result.outcome,
    message: result.message,
    path_length_m: result.path_length_m,
    min_clearance_m: result.min_clearance_m,
    safety_stops: result.safety_stops,
    replans,
  };
}
