/**
 * Closed-loop run of the console against the simulator on virtual time, faster than real
 * time and deterministic for a seed. It is the live console's own loop: the same
 * ConsoleCore (fault monitor, arbitration, run recording) and the same AutonomyLoop
 * (fast-forward, plan hand-off and expiry, reactive and zone guards, fault hold, gaze)
 * drive the simulator through the robot seam. Only two things differ from a live session:
 * the clock is sim time, and the robot is the simulator in process (InProcessSimDriver,
 * with the firmware's telemetry schedule) planned for in process (InlinePlanner, answering
 * at once with a modelled planning time). SimCore steps at 100 Hz, the safety tick runs at
 * 50 Hz (and on every scan, as live), planning at 10 Hz.
 *
 * Measurement stays outside the loop: path length, clearances, jerk, stops and the gaze
 * lead time before every turn larger than 45° come from the simulator's ground truth.
 */
import type { Pose2D } from '../../shared/geometry';
import { distance } from '../../shared/geometry';
import type { OccupancyGrid } from '../../shared/grid';
import type { NavCycleOutput, NavigationConfig } from '../../planner/nav';
import type { RobotLimits } from '../../planner/local';
import type { TickDecision } from '../../planner/autonomy';
import { gazeLeadTimes, summarizeLeadTimes, type GazeOutput, type GazePlannerConfig, type GazeSample, type TurnLead } from '../../planner/gaze';
import type { GroundTruth, SimCore } from '../../sim/sim-core';
import type { ZoneShape } from '../../planner/nav/zones';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { ConsoleCore, PLAN_PERIOD_S, SAFETY_PERIOD_S } from '../core/console';
import { InlinePlanner } from '../core/planner-port';
import type { RunRecording } from '../core/run-recording';
import { InProcessSimDriver } from '../robot/sim-driver';
import { PoseErrorMeter, RunMeter } from './run-meter';
import { InlineEstimator } from '../localization/port';
import { mapPayload } from '../core/map-file';

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
  /** Called after each safety tick (50 Hz and on every scan) with what the loop decided. */
  onSafety?: (t: number, decision: TickDecision) => void;
  /**
   * Gaze planning: on by default (the screen does not affect driving); `false` leaves the
   * screen alone, an object overrides the gaze planner's configuration.
   */
  gaze?: boolean | Partial<GazePlannerConfig>;
  /** Called after each gaze update (10 Hz), with the planning cycle's time, s. */
  onGaze?: (t: number, out: GazeOutput) => void;
  /** Operator zones (map frame), obeyed as live. */
  zones?: readonly ZoneShape[];
  /** Records the run exactly as a live session is recorded (give it a time offset for real dates). */
  recording?: RunRecording;
  /** Where the run says it came from (the run log's source), e.g. 'scenario:box-ahead'. */
  source?: string;
  /**
   * Localization on the planning map (the live console's particle filter, in process), from
   * the start pose as an operator would place the robot. Off: the map pose is odometry placed
   * at the start, which drifts when the simulator's odometry does.
   */
  localization?: boolean;
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
  /**
   * How far the console's map pose was from the truth along the run (localization error, or
   * odometry drift without localization): RMS and maximum position (m) and heading (deg).
   */
  pose_error_rms_m: number;
  pose_error_max_m: number;
  heading_error_rms_deg: number;
  heading_error_max_deg: number;
  /** Times localization was lost (the fault that stops autonomy). */
  localization_lost: number;
}

const SIM_DT = 0.01;
const SAFETY_EVERY = Math.round(SAFETY_PERIOD_S / SIM_DT); // 50 Hz
const PLAN_EVERY = Math.round(PLAN_PERIOD_S / SIM_DT); // 10 Hz

export async function runClosedLoop(opts: ClosedLoopOptions): Promise<ClosedLoopResult> {
  const sim = opts.sim;
  const latency = opts.latency ?? DEFAULT_LATENCY;
  const events = [...(opts.events ?? [])].sort((a, b) => a.at - b.at);
  const triggers = [...(opts.triggers ?? [])];

  const startTruth = sim.groundTruth();
  const result: ClosedLoopResult = {
    success: false, outcome: 'failed', message: null, collisions: 0, time_s: 0, path_length_m: 0,
    min_clearance_m: startTruth.clearance.static, min_person_clearance_m: Infinity, rms_jerk: 0, stops: 0, safety_stops: 0, candidates_per_cycle: 0,
    gaze_turns: 0, gaze_turns_missed: 0, gaze_lead_min_s: null, gaze_lead_median_s: null, gaze_turn_leads: [],
    pose_error_rms_m: 0, pose_error_max_m: 0, heading_error_rms_deg: 0, heading_error_max_deg: 0, localization_lost: 0,
  };

  const candidates: number[] = [];
  let ended: { status: 'reached' | 'failed'; message: string | null } | null = null;
  let lastSafetyStop = false;
  const gazeOn = opts.gaze !== false;
  const driver = new InProcessSimDriver(sim, { commandTransitS: latency.transitS, endpoint: opts.source });
  const planner = new InlinePlanner({ map: opts.planningMap, config: opts.nav, planningTimeS: latency.planningS });
  let goalActive = false;
  const core: ConsoleCore = new ConsoleCore({
    clock: () => sim.time,
    driverFactory: async () => driver,
    planner,
    limits: opts.limits,
    seed: opts.seed,
    loop: { gaze: opts.gaze === false ? false : opts.gaze === true || opts.gaze === undefined ? {} : opts.gaze },
    recording: opts.recording,
    timers: false,
    map: mapPayload(opts.source ?? 'scenario', opts.planningMap),
    ...(opts.localization ? { estimator: new InlineEstimator(), estimatorOnConnect: 'localize' as const } : {}),
    onTick: (t, d) => {
      const isStop = d.reactive?.action === 'stop' && (d.desired.v !== 0 || d.desired.w !== 0);
      if (isStop && !lastSafetyStop) result.safety_stops++;
      lastSafetyStop = isStop;
      opts.onSafety?.(t, d);
    },
    onCycle: (t, out) => {
      if (out.candidatesEvaluated > 0) candidates.push(out.candidatesEvaluated);
      opts.onCycle?.(t, out);
      if (!goalActive) return;
      const gaze = core.loop.gazePlan;
      if (gaze) opts.onGaze?.(t, gaze);
      if (out.status === 'reached' || out.status === 'failed') ended = { status: out.status, message: out.message };
    },
  });
  if (opts.zones) core.setZones(opts.zones);

  // The operator places the robot where it stands (its odometry starts wherever it was switched on).
  const connected = await core.connect({ kind: 'sim', initialPose: startTruth.robotPose });
  if (!connected.ok) throw new Error(connected.error);
  core.subscribe((event, payload) => {
    if (event === 'event' && (payload as { message: string }).message.startsWith('Localization lost')) result.localization_lost++;
  });
  // The goal is set once the console has the robot's pose and its first scan, as an
  // operator's click would be (before that a moving plan would only meet 'no scan yet'), and,
  // localizing, once the filter has settled (at most 5 s).
  for (let i = 0; i < 100 && !(core.state.pose && core.state.scan); i++) driver.step(SIM_DT);
  for (let i = 0; i < 500 && core.localization?.navigationBlocker(); i++) driver.step(SIM_DT);
  const goalRes = await core.setGoal(opts.goal);
  if (!goalRes.ok) {
    result.message = goalRes.error;
    opts.recording?.end('failed', sim.time);
    await core.disconnect();
    return result;
  }
  goalActive = true;

  const meter = new RunMeter(startTruth, opts.goal, opts.goalToleranceM);
  const poseError = new PoseErrorMeter();
  let lastPose = startTruth.robotPose;
  const gazeLog: GazeSample[] = [];

  for (let step = 0; ; step++) {
    // Virtual time runs flat out; let the process breathe once per simulated second (a
    // test runner's heartbeat, a CLI's output) without changing anything in the run.
    if (step % 100 === 99) await yieldToEventLoop();
    const t = sim.time;
    while (events.length > 0 && events[0]!.at <= t) events.shift()!.run(sim);

    if (step % PLAN_EVERY === 0) {
      core.planCycle();
      const end = ended as { status: 'reached' | 'failed'; message: string | null } | null;
      if (end) {
        result.outcome = end.status;
        result.message = end.message;
        break;
      }
    }
    if (step % SAFETY_EVERY === 0) {
      core.tick();
      if (gazeOn) gazeLog.push({ t, heading: lastPose.theta, pan: sim.screenState().panAngle });
    }

    driver.step(SIM_DT);
    const truth = sim.groundTruth();
    for (let i = triggers.length - 1; i >= 0; i--) {
      if (triggers[i]!.when(truth)) triggers.splice(i, 1)[0]!.run(sim);
    }
    meter.observe(truth, SIM_DT);
    poseError.observe(core.state.pose, truth.robotPose);
    lastPose = truth.robotPose;

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
  Object.assign(result, meter.figures(end), poseError.figures());
  result.time_s = sim.time;
  result.success = result.outcome === 'reached' && distance(end.robotPose, opts.goal) <= Math.max(opts.goalToleranceM, 0.05) + 0.2 * Number(opts.goalToleranceM < 0.5);
  candidates.sort((a, b) => a - b);
  result.candidates_per_cycle = candidates.length > 0 ? candidates[candidates.length >> 1]! : 0;
  if (gazeOn) {
    const turns = gazeLeadTimes(gazeLog);
    const summary = summarizeLeadTimes(turns);
    result.gaze_turn_leads = turns;
    result.gaze_turns = summary.turns;
    result.gaze_turns_missed = summary.missed;
    result.gaze_lead_min_s = summary.min;
    result.gaze_lead_median_s = summary.median;
  }
  // A recorded run ends the way the scenario did (the core would call it 'completed').
  opts.recording?.end(result.success ? 'goal-reached' : 'failed', sim.time);
  // Disconnect, not shutdown: the recording belongs to the caller (one database, many runs).
  await core.disconnect();
  await planner.shutdown();
  return result;
}
