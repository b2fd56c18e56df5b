/**
 * Closed-loop run of the full stack against the simulator on virtual time, faster than
 * real time and deterministic for a seed: SimCore at 100 Hz, the reactive safety tick at
 * 50 Hz on the newest scan, the navigation stack at 10 Hz planning from the fast-forwarded
 * state. Latencies are modelled: a plan takes effect `planningS + transitS` after the
 * cycle starts, and commands reach the motors `transitS` after they are sent.
 *
 * The screen ("head") is planned too: the gaze planner runs after every planning cycle
 * (robot pose and pan measured at the cycle's start, the chosen trajectory, the people
 * with their predictions and the risk the planner assigns them) and its pan profile is
 * sent to the simulator's screen at 50 Hz with the velocity commands. The log of body
 * heading and measured pan gives the gaze lead time before every turn larger than 45°.
 */
import type { Pose2D } from '../../shared/geometry';
import { distance } from '../../shared/geometry';
import type { OccupancyGrid } from '../../shared/grid';
import { NavigationStack, scanEndpoints, trajectoryVelocityAt, type NavCycleOutput, type NavigationConfig } from '../../planner/nav';
import type { RobotLimits, Trajectory } from '../../planner/local';
import { fastForward, type SentCommand } from '../../planner/predictive';
import { ReactiveSafety, scanToPoints, type ReactiveDecision } from '../../planner/reactive';
import { GazePlanner, gazeInputFromCycle, gazeLeadTimes, panLimitsOf, summarizeLeadTimes, type GazeOutput, type GazePlannerConfig, type GazeSample, type TurnLead } from '../../planner/gaze';
import type { GroundTruth, SimCore, SimScan } from '../../sim/sim-core';

export interface LatencyModel {
  /** Planning time from cycle start to command, s. */
  planningS: number;
  /** Command transit to the motors, s. */
  transitS: number;
}

export const DEFAULT_LATENCY: LatencyModel = { planningS: 0.04, transitS: 0.01 };

export interface ClosedLoopOptions {
  sim: SimCore;
  /** What the planner knows of the world (the simulator knows more: people, boxes, circles). */
  planningMap: OccupancyGrid;
  goal: Pose2D;
  /** Success: the goal reached within this distance, metres. */
  goalToleranceM: number;
  timeLimitS: number;
  seed: number;
  nav?: Partial<NavigationConfig>;
  limits?: Partial<RobotLimits>;
  latency?: LatencyModel;
  /** Scripted events by sim time, s. */
  events?: { at: number; run: (sim: SimCore) => void }[];
  /**
   * Scripted events by situation: each fires once, after the first simulator step whose
   * ground truth satisfies `when` (e.g. a person steps out when the robot comes near), so
   * encounters stay encounters whatever speed the planner drives at.
   */
  triggers?: { when: (truth: GroundTruth) => boolean; run: (sim: SimCore) => void }[];
  /** End the run at the first collision (BARN). */
  stopOnCollision?: boolean;
  /** Called after each planning cycle (recording, gaze, metrics). */
  onCycle?: (t: number, out: NavCycleOutput) => void;
  /** Called after each safety tick. */
  onSafety?: (t: number, decision: ReactiveDecision) => void;
  /**
   * Gaze planning: on by default (the screen does not affect driving); `false` leaves the
   * screen alone, an object overrides the gaze planner's configuration.
   */
  gaze?: boolean | Partial<GazePlannerConfig>;
  /** Called after each gaze update (10 Hz), with the planning cycle's time, s. */
  onGaze?: (t: number, out: GazeOutput) => void;
}

export interface ClosedLoopResult {
  success: boolean;
  /** Why the run ended. */
  outcome: 'reached' | 'failed' | 'timeout' | 'collision';
  message: string | null;
  collisions: number;
  time_s: number;
  path_length_m: number;
  /** Footprint to nearest static obstacle, minimum over the run, metres. */
  min_clearance_m: number;
  /** Footprint to nearest person's body, minimum over the run, metres (Infinity with no people). */
  min_person_clearance_m: number;
  /** RMS of linear jerk while under way, m/s³. */
  rms_jerk: number;
  /** Times the robot came to a halt on the way (not counting arrival). */
  stops: number;
  /** Reactive stops (safety layer overrode the plan with zero). */
  safety_stops: number;
  /** Median local-planner candidates per cycle. */
  candidates_per_cycle: number;
  /** Body turns larger than 45° (0 when gaze planning is off). */
  gaze_turns: number;
  /** Of those, turns during which the screen never faced the new direction. */
  gaze_turns_missed: number;
  /**
   * Smallest and median gaze lead time over the turns (screen facing the new direction
   * before the body leaves its heading by 10°, see `gazeLeadTimes`), s; null without turns.
   */
  gaze_lead_min_s: number | null;
  gaze_lead_median_s: number | null;
  /** Every turn larger than 45° with its lead time. */
  gaze_turn_leads: TurnLead[];
}

const SIM_DT = 0.01;
const SAFETY_EVERY = 2; // 50 Hz
const PLAN_EVERY = 10; // 10 Hz
const JERK_DT = 0.05;
/** Screen commands are sent with the velocity commands, at 50 Hz. */
const SCREEN_DT = SIM_DT * SAFETY_EVERY;

/** Robot limits for the planner from the simulator's robot. */
export function limitsFromSim(sim: SimCore, overrides: Partial<RobotLimits> = {}): RobotLimits {
  const p = sim.params;
  return {
    vMax: p.maxLinearVelocity,
    vMin: 0,
    wMax: p.maxAngularVelocity,
    aMax: p.maxLinearAccel,
    alphaMax: p.maxAngularAccel,
    jerkMax: p.maxLinearJerk,
    yawJerkMax: p.maxAngularJerk,
    footprint: { length: p.footprintLength, width: p.footprintWidth, centerOffsetX: p.footprintCenterOffsetX },
    ...overrides,
  };
}

export function runClosedLoop(opts: ClosedLoopOptions): ClosedLoopResult {
  const sim = opts.sim;
  const latency = opts.latency ?? DEFAULT_LATENCY;
  const limits = limitsFromSim(sim, opts.limits);
  const nav = new NavigationStack(opts.planningMap, { limits }, opts.nav);
  const reactive = new ReactiveSafety();
  const events = [...(opts.events ?? [])].sort((a, b) => a.at - b.at);
  const triggers = [...(opts.triggers ?? [])];
  const lidar = sim.params.lidar;

  const startTruth = sim.groundTruth();
  const goalRes = nav.setGoal(opts.goal, startTruth.robotPose, sim.time);
  const result: ClosedLoopResult = {
    success: false, outcome: 'failed', message: null, collisions: 0, time_s: 0, path_length_m: 0,
    min_clearance_m: startTruth.clearance.static, min_person_clearance_m: Infinity, rms_jerk: 0, stops: 0, safety_stops: 0, candidates_per_cycle: 0,
    gaze_turns: 0, gaze_turns_missed: 0, gaze_lead_min_s: null, gaze_lead_median_s: null, gaze_turn_leads: [],
  };
  if (!goalRes.ok) {
    result.message = goalRes.message;
    return result;
  }

  let current: Trajectory | null = null;
  let next: Trajectory | null = null;
  let newestScan: SimScan | null = null;
  const sent: SentCommand[] = [];
  const candidates: number[] = [];
  let lastPose = startTruth.robotPose;
  const jerkSamples: number[] = [];
  let vPrev = 0;
  let aPrev = 0;
  let jerkClock = 0;
  let moving = false;
  let stillFor = 0;
  let lastSafetyStop = false;
  const gaze = opts.gaze === false ? null : new GazePlanner(opts.gaze === true || opts.gaze === undefined ? {} : opts.gaze);
  const panLimits = panLimitsOf(sim.params);
  const gazeLog: GazeSample[] = [];

  for (let step = 0; ; step++) {
    const t = sim.time;
    while (events.length > 0 && events[0]!.at <= t) events.shift()!.run(sim);

    if (step % PLAN_EVERY === 0) {
      const odom = sim.odometry();
      const drive = sim.driveState();
      const measured = { pose: { x: odom.x, y: odom.y, theta: odom.theta }, v: odom.v, w: odom.w, a: drive.accelV, alpha: drive.accelW };
      const ff = fastForward({
        measured,
        receivedAt: t,
        latency: { sensorAge: 0, planningTime: latency.planningS, commandTransit: latency.transitS },
        now: t,
        commands: sent,
        tracking: { aMax: limits.aMax, alphaMax: limits.alphaMax, jerkMax: limits.jerkMax, yawJerkMax: limits.yawJerkMax },
      });
      const scan = newestScan
        ? { sensor: { x: newestScan.lidarPose.x, y: newestScan.lidarPose.y }, endpoints: scanEndpoints(newestScan.ranges, newestScan.angleMin, newestScan.angleIncrement, newestScan.rangeMin, newestScan.rangeMax, newestScan.lidarPose), time: newestScan.time }
        : null;
      const out = nav.cycle({ now: ff.time, state: ff.state, scan, seed: opts.seed * 100_003 + step });
      if (out.candidatesEvaluated > 0) candidates.push(out.candidatesEvaluated);
      next = out.trajectory;
      opts.onCycle?.(t, out);
      if (gaze) {
        // The gaze planner works on the measured state now; the trajectory starts at the
        // plan's effect time and the planner bridges the gap itself.
        const screen = sim.screenState();
        const gazeOut = gaze.update(
          gazeInputFromCycle(out, { now: t, robotPose: measured.pose, pan: { angle: screen.panAngle, rate: screen.panVelocity } }, panLimits),
        );
        opts.onGaze?.(t, gazeOut);
      }
      if (out.status === 'reached' || out.status === 'failed') {
        result.outcome = out.status;
        result.message = out.message;
        break;
      }
    }

    if (step % SAFETY_EVERY === 0) {
      // The command sent now acts at t + transit: follow the plan in force then.
      const acts = t + latency.transitS;
      if (next && acts >= next.t0) {
        current = next;
        next = null;
      }
      const desired = current ? trajectoryVelocityAt(current, acts) : { v: 0, w: 0 };
      let command = desired;
      if (newestScan) {
        const pts = scanToPoints(newestScan.ranges, newestScan.angleMin, newestScan.angleIncrement, newestScan.time, { x: lidar.mountX, y: lidar.mountY, yaw: lidar.mountYaw }, { min: newestScan.rangeMin, max: newestScan.rangeMax });
        const decision = reactive.check({ scan: pts, now: t, command: desired, footprint: limits.footprint, limits: { aMax: limits.aMax, alphaMax: limits.alphaMax } });
        command = decision.command;
        const isStop = decision.action === 'stop' && (desired.v !== 0 || desired.w !== 0);
        if (isStop && !lastSafetyStop) result.safety_stops++;
        lastSafetyStop = isStop;
        opts.onSafety?.(t, decision);
      } else {
        command = { v: 0, w: 0 };
      }
      sim.setCommand(command.v, command.w);
      sent.push({ sentAt: t, v: command.v, w: command.w });
      if (sent.length > 50) sent.shift();
      if (gaze) {
        // The screen command also arrives `transit` later and the head's own tracker only
        // starts moving toward it then: aim at the set-point due one tick after arrival, at
        // full rate, so the head follows the profile instead of trailing it.
        const pan = gaze.panCommandAt(acts + SCREEN_DT);
        if (pan) sim.setScreenCommand(pan.angle, panLimits.panMaxRate);
        gazeLog.push({ t, heading: lastPose.theta, pan: sim.screenState().panAngle });
      }
    }

    const stepped = sim.step(SIM_DT);
    if (stepped.scans.length > 0) newestScan = stepped.scans[stepped.scans.length - 1]!;
    const truth = sim.groundTruth();
    for (let i = triggers.length - 1; i >= 0; i--) {
      if (triggers[i]!.when(truth)) triggers.splice(i, 1)[0]!.run(sim);
    }
    result.path_length_m += distance(lastPose, truth.robotPose);
    lastPose = truth.robotPose;
    result.min_clearance_m = Math.min(result.min_clearance_m, truth.clearance.static);
    result.min_person_clearance_m = Math.min(result.min_person_clearance_m, truth.clearance.people);
    result.collisions = truth.collisionCount;

    jerkClock += SIM_DT;
    if (jerkClock >= JERK_DT - 1e-9) {
      const v = truth.robotVelocity.v;
      const a = (v - vPrev) / jerkClock;
      const j = (a - aPrev) / jerkClock;
      if (Math.abs(v) > 0.02 || Math.abs(vPrev) > 0.02) jerkSamples.push(j);
      vPrev = v;
      aPrev = a;
      jerkClock = 0;
      const speed = Math.abs(v);
      if (speed > 0.1) {
        moving = true;
        stillFor = 0;
      } else if (moving && speed < 0.02) {
        stillFor += JERK_DT;
        if (stillFor >= 0.3 && distance(truth.robotPose, opts.goal) > opts.goalToleranceM) {
          result.stops++;
          moving = false;
        }
      }
    }

    if (opts.stopOnCollision && truth.collisionCount > 0) {
      result.outcome = 'collision';
      result.message = 'collided';
      break;
    }
    if (distance(truth.robotPose, opts.goal) <= opts.goalToleranceM && opts.goalToleranceM >= 0.5) {
      // Loose-tolerance goals (BARN: within 1 m) count as reached on crossing the circle.
      result.outcome = 'reached';
      break;
    }
    if (sim.time >= opts.timeLimitS) {
      result.outcome = 'timeout';
      result.message = `time limit of ${opts.timeLimitS} s reached`;
      break;
    }
  }

  const end = sim.groundTruth();
  result.time_s = sim.time;
  result.collisions = end.collisionCount;
  result.success = result.outcome === 'reached' && distance(end.robotPose, opts.goal) <= Math.max(opts.goalToleranceM, 0.05) + 0.2 * Number(opts.goalToleranceM < 0.5);
  result.rms_jerk = jerkSamples.length > 0 ? Math.sqrt(jerkSamples.reduce((s, j) => s + j * j, 0) / jerkSamples.length) : 0;
  candidates.sort((a, b) => a - b);
  result.candidates_per_cycle = candidates.length > 0 ? candidates[candidates.length >> 1]! : 0;
  if (!Number.isFinite(result.min_person_clearance_m)) result.min_person_clearance_m = Infinity;
  if (gaze) {
    const turns = gazeLeadTimes(gazeLog);
    const summary = summarizeLeadTimes(turns);
    result.gaze_turn_leads = turns;
    result.gaze_turns = summary.turns;
    result.gaze_turns_missed = summary.missed;
    result.gaze_lead_min_s = summary.min;
    result.gaze_lead_median_s = summary.median;
  }
  return result;
}
