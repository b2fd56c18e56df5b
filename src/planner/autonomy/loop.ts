/**
 * The autonomy loop: everything between what the robot measured and the command it is sent,
 * in one pure, clock-injected object. The live console drives it from timers on the host
 * clock (planning through a worker thread), the scenario runner, BARN and the people
 * evaluations drive it on virtual time (planning in process); nothing else decides motion.
 *
 * Two entry points, called by whoever owns the clock:
 *
 *  - Planning cycle (10 Hz): `cycleInput` fast-forwards the measured state to when the plan
 *    will take effect (sensor age + planning time + command transit, replaying the commands
 *    already sent) and returns the navigation stack's input; `acceptCycle` takes the stack's
 *    answer: the new trajectory waits until it takes effect (hand-off), the goal ends when the
 *    stack says reached or failed, and the gaze planner re-plans the screen's pan.
 *  - Safety tick (≥ 50 Hz): `tick` arbitrates (emergency stop › teleop with dead-man ›
 *    autonomy › idle), follows the plan in force when the command acts (now + transit),
 *    stops when the plan has expired (planner slow or gone), checks the command against the
 *    newest scan (reactive safety, or the no-lidar policy), against operator zones, and
 *    against a fault hold, and says what it did and why.
 *
 * Units: seconds on the caller's clock, metres, radians, m/s. Frames: poses and trajectories
 * in `map`; scan points for the reactive check in `base_link`; commands are base_link twists.
 */
import type { Pose2D, RectFootprint, Twist2D } from '../../shared/geometry';
import type { RobotLimits, RobotState, Trajectory } from '../local';
import type { NavCycleInput, NavCycleOutput } from '../nav/navigation-stack';
import { trajectoryCommandAt } from '../nav/scan';
import type { ScanEndpoint } from '../grid';
import { guardZones, ZoneSet, type CompiledZone, type ZoneShape } from '../nav/zones';
import { fastForward, type Latencies, type SentCommand } from '../predictive';
import { ReactiveSafety, type ReactiveDecision, type ScanPoints } from '../reactive';
import { GazePlanner, gazeInputFromCycle, type GazeOutput, type GazePlannerConfig, type PanLimits } from '../gaze';

export interface AutonomyLoopConfig {
  /** Planning period, s (10 Hz). */
  planPeriodS: number;
  /** A trajectory is not followed longer than this past its start, s: a planner that stops answering stops the robot. */
  planExpiryS: number;
  /** Teleop input older than this counts as released, s (the renderer repeats held input at 10 Hz). */
  teleopDeadmanS: number;
  /** Teleop speed cap on a robot without a lidar (nothing guards it but the operator), m/s. */
  noLidarTeleopSpeed: number;
  /** Safety tick period, s: the screen aims at the pan due one tick after the command acts. */
  tickPeriodS: number;
  /** Commands kept for fast-forward (≥ the plan's look-back at the tick rate). */
  sentCommandsKept: number;
  /** Gaze planning: off, or configuration overrides. */
  gaze: false | Partial<GazePlannerConfig>;
}

export const DEFAULT_AUTONOMY_LOOP_CONFIG: AutonomyLoopConfig = {
  planPeriodS: 0.1,
  planExpiryS: 0.6,
  teleopDeadmanS: 0.3,
  noLidarTeleopSpeed: 0.25,
  tickPeriodS: 0.02,
  sentCommandsKept: 50,
  gaze: {},
};

/** What the loop must know of the robot it drives. */
export interface LoopRobot {
  limits: RobotLimits;
  /** False: no scan will ever come, so autonomy is refused and teleop is capped. */
  hasLidar: boolean;
  /** Screen (head) pan limits, or null for a robot without a panning screen. */
  pan: PanLimits | null;
  /** The lidar's revolution period, s (1 / rate); absent: a 10 Hz lidar. */
  scanPeriodS?: number;
}

/**
 * Fastest speed from which the robot stops within `distanceM`, m/s: it reacts after
 * `latencyS` (sensing + loop + command transit), reaches full deceleration `aMax` at jerk
 * `jerkMax` (a/2j more seconds at speed), then brakes: d = v·(latency + a/2j) + v²/2a.
 */
export function speedToStopWithin(distanceM: number, latencyS: number, aMax: number, jerkMax: number): number {
  const t = latencyS + aMax / (2 * jerkMax);
  return aMax * (-t + Math.sqrt(t * t + (2 * distanceM) / aMax));
}

/**
 * Oldest scan the safety loop acts on for a lidar of this period, s: a scan is stamped at its
 * first beam, arrives a revolution later and is replaced a revolution after that, so it is up
 * to two periods old in normal running; 50 ms more for USB and scheduling. Never below the
 * reactive default (0.2 s, for 10 Hz lidars whose scans are stamped when they complete).
 */
export function maxScanAgeFor(scanPeriodS: number | undefined, floorS: number): number {
  return scanPeriodS === undefined ? floorS : Math.max(floorS, 2 * scanPeriodS + 0.05);
}

/** The measured state the plan starts from. */
export interface MeasuredState {
  /** Map-frame pose, base_link velocities and smoothed accelerations. */
  state: RobotState;
  /** Host time the measurement arrived, s. */
  receivedAt: number;
}

/** The newest scan as the planner wants it: beam ends in `map`, with the sensor position. */
export interface PlanningScan {
  sensor: { x: number; y: number };
  endpoints: readonly ScanEndpoint[];
  /** Time of the scan, s. */
  time: number;
}

export type MotionSourceName = 'idle' | 'teleop' | 'autonomy';

export interface TickInput {
  /** The robot link is up and the robot has described itself. */
  connected: boolean;
  emergencyStop: boolean;
  /** Newest teleop input (normalized −1…1) and when it came, s; null when none. */
  teleop: { linear: number; angular: number; time: number } | null;
  /** Robot pose in `map` (zone guard); null before odometry. */
  pose: Pose2D | null;
  /** Newest valid scan in `base_link`, stamped; null before the first. */
  scan: ScanPoints | null;
  /** A detected fault holding motion (plain words), or null. */
  hold: { message: string } | null;
  /** Command transit to the motors, s: the command sent now acts at now + transit. */
  transitS: number;
}

/** What one safety tick decided, and why. */
export interface TickDecision {
  /** What the arbitration asked for, before any guard. */
  desired: Twist2D;
  /** What goes to the robot. */
  command: Twist2D;
  source: MotionSourceName;
  /** The reactive check's decision when one was made (points, zone, ttc), else null. */
  reactive: ReactiveDecision | null;
  /** The guard that changed the command (or held it), in plain words; null when all passed. */
  note: { action: 'pass' | 'scale' | 'stop'; reason: string } | null;
  /** The operator zone that decided, if one did. */
  zone: CompiledZone | null;
  /** A guard or fault zeroed a command that was moving the robot: send an explicit stop now. */
  stopNow: boolean;
  /** Screen pan to command (rad, base_link; max rate rad/s), or null to leave the screen alone. */
  pan: { panAngle: number; maxRate: number } | null;
}

/** How a planning cycle ended the goal, if it did. */
export interface CycleVerdict {
  ended: 'reached' | 'failed' | null;
  message: string | null;
}

export class AutonomyLoop {
  readonly config: AutonomyLoopConfig;
  private readonly reactive: ReactiveSafety;
  private robot: LoopRobot | null = null;
  private zones = new ZoneSet();
  private goalPose: Pose2D | null = null;
  /** Trajectory being followed, and the next one, waiting until it takes effect. */
  private current: Trajectory | null = null;
  private next: Trajectory | null = null;
  private lastCycle: NavCycleOutput | null = null;
  private readonly sent: SentCommand[] = [];
  private readonly gaze: GazePlanner | null;
  private gazeOut: GazeOutput | null = null;
  /** Whether the last command moved the robot (a stop after motion is sent as Stop). */
  private moving = false;
  private facingForward = true;
  /** The operator's speed limit, a fraction of the robot's limits (1: none). */
  private speedFractionValue = 1;

  constructor(config: Partial<AutonomyLoopConfig> = {}, reactive: ReactiveSafety = new ReactiveSafety()) {
    this.config = { ...DEFAULT_AUTONOMY_LOOP_CONFIG, ...config };
    this.reactive = reactive;
    this.gaze = this.config.gaze === false ? null : new GazePlanner(this.config.gaze);
  }

  /** The robot this loop drives (a new connection may be another robot); null when none. */
  setRobot(robot: LoopRobot | null): void {
    this.robot = robot;
    if (!robot) this.cancel();
  }

  /**
   * The operator's speed limit, a fraction (0…1] of the robot's linear and angular limits:
   * teleop input is scaled by it, autonomy plans within it and its commands are capped by it.
   */
  setSpeedFraction(fraction: number): void {
    this.speedFractionValue = Math.min(1, Math.max(0, fraction));
  }

  get speedFraction(): number {
    return this.speedFractionValue;
  }

  /** Operator zones (map frame) the zone guard enforces on every command. */
  setZones(zones: readonly ZoneShape[]): void {
    this.zones = new ZoneSet(zones);
  }

  /** The limits in force for the robot (its own, capped for what it can stop for), or null. */
  get robotLimits(): RobotLimits | null {
    return this.robot?.limits ?? null;
  }

  /** The goal autonomy is driving to, or null. */
  get goal(): Pose2D | null {
    return this.goalPose;
  }

  /** The newest planning cycle while a goal is active (display), else null. */
  get cycle(): NavCycleOutput | null {
    return this.goalPose ? this.lastCycle : null;
  }

  /** The newest gaze plan while a goal is active, else null. */
  get gazePlan(): GazeOutput | null {
    return this.goalPose ? this.gazeOut : null;
  }

  /** A goal the planner accepted: autonomy drives from the next cycle on. */
  startGoal(goal: Pose2D): void {
    this.goalPose = goal;
    this.current = null;
    this.next = null;
    this.lastCycle = null;
  }

  /** Ends autonomy: no goal, no plan; the next tick stops (or hands over to teleop). */
  cancel(): void {
    this.goalPose = null;
    this.current = null;
    this.next = null;
    this.lastCycle = null;
    this.gazeOut = null;
    this.gaze?.reset();
  }

  /**
   * The navigation stack's input for a cycle starting at `now`: the measured state
   * fast-forwarded to when this cycle's plan will act, with the newest scan and the seed.
   * Null when there is nothing to plan (no robot).
   */
  cycleInput(now: number, measured: MeasuredState, latency: Latencies, scan: PlanningScan | null, seed: number): NavCycleInput | null {
    const robot = this.robot;
    if (!robot) return null;
    const l = robot.limits;
    const ff = fastForward({
      measured: measured.state,
      receivedAt: measured.receivedAt,
      latency,
      now,
      commands: this.sent,
      tracking: { aMax: l.aMax, alphaMax: l.alphaMax, jerkMax: l.jerkMax, yawJerkMax: l.yawJerkMax },
    });
    const f = this.speedFractionValue;
    return f < 1 ? { now: ff.time, state: ff.state, scan, seed, speedCap: { v: f * l.vMax, w: f * l.wMax } } : { now: ff.time, state: ff.state, scan, seed };
  }

  /**
   * The stack's answer to a cycle. `robot` is the measured pose and screen pan when the
   * answer is applied (the gaze plans from them). A cycle that was planned before the current
   * goal was set (`stale`) is ignored.
   */
  acceptCycle(out: NavCycleOutput, now: number, robot: { pose: Pose2D; pan: { angle: number; rate: number } }, stale = false): CycleVerdict {
    if (!this.goalPose || stale) return { ended: null, message: null };
    this.lastCycle = out;
    this.next = out.trajectory;
    if (this.gaze && this.robot?.pan) {
      this.gazeOut = this.gaze.update(gazeInputFromCycle(out, { now, robotPose: robot.pose, pan: robot.pan }, this.robot.pan));
    }
    if (out.status === 'reached' || out.status === 'failed') {
      // The goal ends; the stack's final trajectory (a stop) is not followed any more.
      const ended = out.status;
      this.goalPose = null;
      this.current = null;
      this.next = null;
      this.gazeOut = null;
      return { ended, message: out.message };
    }
    return { ended: null, message: out.message };
  }

  /** The autonomy command for a command sent at `now` that acts at `acts`, or null without a goal. */
  private autonomyCommand(now: number, acts: number): Twist2D | null {
    if (!this.goalPose) return null;
    // Hand-off: a new trajectory is followed from when it takes effect, not before.
    if (this.next && acts >= this.next.t0) {
      this.current = this.next;
      this.next = null;
    }
    const traj = this.current;
    if (!traj) return { v: 0, w: 0 };
    // A plan that stopped being renewed is not followed blind.
    if (now > traj.t0 + this.config.planExpiryS) return { v: 0, w: 0 };
    return trajectoryCommandAt(traj, acts);
  }

  /** One safety tick at `now`: the command to send and why. */
  tick(now: number, input: TickInput): TickDecision {
    const robot = this.robot;
    const acts = now + input.transitS;
    let desired: Twist2D = { v: 0, w: 0 };
    let source: MotionSourceName = 'idle';
    if (!input.emergencyStop && input.connected && robot) {
      const t = input.teleop;
      if (t && now - t.time <= this.config.teleopDeadmanS && (t.linear !== 0 || t.angular !== 0)) {
        const f = this.speedFractionValue;
        desired = { v: t.linear * f * robot.limits.vMax, w: t.angular * f * robot.limits.wMax };
        source = 'teleop';
      } else {
        const auto = this.autonomyCommand(now, acts);
        if (auto) {
          // A plan made before the limit was lowered is capped too (its curvature kept).
          desired = capTwist(auto, this.speedFractionValue * robot.limits.vMax, this.speedFractionValue * robot.limits.wMax);
          source = 'autonomy';
        }
      }
    }
    const decision: TickDecision = { desired, command: desired, source, reactive: null, note: null, zone: null, stopNow: false, pan: null };
    if (robot) {
      this.guardScan(decision, robot, input, now);
      this.guardZones(decision, robot, input.pose);
    }
    const hold = input.hold;
    if (hold) {
      decision.command = { v: 0, w: 0 };
      decision.source = 'idle';
      decision.reactive = null;
      decision.note = { action: 'stop', reason: hold.message };
    }
    const c = decision.command;
    const overridden = (desired.v !== 0 || desired.w !== 0 || hold !== null) && c.v === 0 && c.w === 0;
    decision.stopNow = this.moving && overridden;
    this.moving = c.v !== 0 || c.w !== 0;
    this.sent.push({ sentAt: now, v: c.v, w: c.w });
    if (this.sent.length > this.config.sentCommandsKept) this.sent.shift();
    decision.pan = this.panCommand(decision.source, acts, robot);
    return decision;
  }

  /** Reactive safety on the newest scan, or the no-lidar policy. Stale or missing scan: stop. */
  private guardScan(d: TickDecision, robot: LoopRobot, input: TickInput, now: number): void {
    const desired = d.desired;
    if (desired.v === 0 && desired.w === 0) return;
    if (!robot.hasLidar) {
      if (d.source !== 'teleop') {
        d.command = { v: 0, w: 0 };
        d.note = { action: 'stop', reason: 'no lidar: autonomy disabled' };
        return;
      }
      const scale = Math.min(1, this.config.noLidarTeleopSpeed / Math.max(Math.abs(desired.v), 1e-9));
      d.command = { v: desired.v * scale, w: desired.w };
      d.note = { action: scale < 1 ? 'scale' : 'pass', reason: 'no lidar: teleop only, speed capped' };
      return;
    }
    if (!input.scan) {
      d.command = { v: 0, w: 0 };
      d.note = { action: 'stop', reason: 'no scan yet' };
      return;
    }
    const r = this.reactive.check({
      scan: input.scan,
      now,
      command: desired,
      source: d.source === 'teleop' ? 'teleop' : 'planner',
      footprint: robot.limits.footprint,
      limits: { aMax: robot.limits.aMax, alphaMax: robot.limits.alphaMax },
      maxScanAge: maxScanAgeFor(robot.scanPeriodS, this.reactive.config.maxScanAge),
      // Braking starts a safety tick plus the command's transit to the motors from now.
      reactionTime: this.config.tickPeriodS + input.transitS,
    });
    d.reactive = r;
    d.command = r.command;
    d.note = r.action === 'pass' ? null : { action: r.action, reason: r.reason };
  }

  /** Operator zones: slows and stops short of keep-out along the commanded arc, caps speed in slow zones. */
  private guardZones(d: TickDecision, robot: LoopRobot, pose: Pose2D | null): void {
    const c = d.command;
    if (this.zones.empty || !pose || (c.v === 0 && c.w === 0)) return;
    const z = guardZones(this.zones, { pose, command: c, footprint: robot.limits.footprint, limits: { aMax: robot.limits.aMax, alphaMax: robot.limits.alphaMax } });
    if (z.action === 'pass') return;
    d.command = z.command;
    d.reactive = null;
    d.zone = z.zone;
    d.note = { action: z.action, reason: z.reason ?? 'operator zone' };
  }

  /**
   * The screen looks where autonomy is about to go; when autonomy ends it faces forward again
   * (where teleop drives). The command also arrives `transit` later and the head only starts
   * toward it then: aim at the set-point due one tick after arrival.
   */
  private panCommand(source: MotionSourceName, acts: number, robot: LoopRobot | null): TickDecision['pan'] {
    if (!robot?.pan || !this.gaze) return null;
    if (source === 'autonomy' && this.goalPose && this.gazeOut) {
      const p = this.gaze.panCommandAt(acts + this.config.tickPeriodS);
      if (p) {
        this.facingForward = false;
        return { panAngle: p.angle, maxRate: robot.pan.panMaxRate };
      }
    }
    if (source !== 'autonomy' && !this.facingForward) {
      this.facingForward = true;
      return { panAngle: 0, maxRate: robot.pan.panMaxRate };
    }
    return null;
  }
}

/** `cmd` scaled down (v and w together, so the arc is kept) until |v| ≤ vCap and |w| ≤ wCap. */
export function capTwist(cmd: Twist2D, vCap: number, wCap: number): Twist2D {
  const scale = Math.min(1, vCap / Math.max(Math.abs(cmd.v), 1e-12), wCap / Math.max(Math.abs(cmd.w), 1e-12));
  return scale < 1 ? { v: cmd.v * scale, w: cmd.w * scale } : cmd;
}

/** Planner limits from a robot's self-description (Hello or simulator parameters). */
export function limitsFromSpec(
  s: {
    maxLinearVelocity: number; maxAngularVelocity: number; maxLinearAccel: number; maxAngularAccel: number;
    maxLinearJerk: number; maxAngularJerk: number; footprintLength: number; footprintWidth: number; footprintCenterOffsetX: number;
  },
  overrides: Partial<RobotLimits> = {},
): RobotLimits {
  const footprint: RectFootprint = { length: s.footprintLength, width: s.footprintWidth, centerOffsetX: s.footprintCenterOffsetX };
  return {
    vMax: s.maxLinearVelocity,
    vMin: 0,
    wMax: s.maxAngularVelocity,
    aMax: s.maxLinearAccel,
    alphaMax: s.maxAngularAccel,
    jerkMax: s.maxLinearJerk,
    yawJerkMax: s.maxAngularJerk,
    footprint,
    ...overrides,
  };
}
