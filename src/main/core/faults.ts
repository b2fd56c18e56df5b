/**
 * Fault detectors the console core runs on every robot frame: pure, clock-free classes
 * (every time is passed in), so they are tested without a robot and cost nothing when all is
 * well. Each fault comes with plain words for the operator and a record for the run log.
 *
 *  - RobotClockMonitor: the robot clock jumped (reset, overflow, resync), or a frame is far
 *    older than the robot's clock says it should be (replayed, or delivered very late). A
 *    late frame is not a jump: its robot time carries on from the frames before it.
 *  - OdometryJumpDetector: the pose moved further than the robot's own limits allow in the
 *    time between two odometry frames, or odometry carries NaN/Inf.
 *  - assessScan: how much of a scan is unusable (NaN, ±Inf, negative, out of range); a scan
 *    that is mostly invalid is a blind lidar, not an empty room.
 *  - FaultMonitor: the three together, with a hold: after a fault, motion stays stopped until
 *    the data has been consistent again for holdMs.
 *
 * Units: host times in ms (the link clock), robot times in µs (frame headers), SI otherwise.
 */
import type { HelloMsg, LaserScanMsg, OdometryMsg, RobotMessage } from '../../shared/protocol';

export type FaultKind = 'robot-clock-jump' | 'stale-frame' | 'odometry-jump' | 'odometry-invalid' | 'scan-invalid';

/** One detected fault: what the operator reads and what the run log keeps. */
export interface FaultEvent {
  kind: FaultKind;
  /** Plain words for the operator, e.g. "Robot clock jumped back 12.3 s; …". */
  message: string;
  /** Host time of detection, ms. */
  atMs: number;
  /** Numbers behind the message, for the run log. */
  detail: Record<string, number | string>;
}

// ── Robot clock ─────────────────────────────────────────────────────────────────────────

export interface RobotClockMonitorOptions {
  /**
   * A frame whose robot time lags the robot clock (as tracked from recent frames) by more
   * than this is stale, ms. Frames may legitimately lag: a scan is stamped at its first beam
   * (one lidar period before it is sent) and a loaded host reads late. Default 1000.
   */
  staleAfterMs?: number;
  /** A frame ahead of the tracked robot clock by more than this is a forward jump candidate, ms. Default 250. */
  aheadToleranceMs?: number;
  /** Consecutive frames agreeing on a new offset that confirm a jump. Default 3. */
  confirmFrames?: number;
  /** Frames remembered for duplicate detection (same seq and timestamp). Default 1024. */
  duplicateWindow?: number;
  /** How long the tracked offset keeps its maximum before it may decay to newer samples, ms. Default 2000. */
  baselineWindowMs?: number;
  /**
   * Frames that lag the baseline but carry on the robot's own timeline are late, not from a
   * jumped clock; when such frames keep coming for this long, ms, at the robot's own pace
   * (not a backlog read at once), the robot clock itself lost time: a jump. Default 1000.
   */
  lateConfirmMs?: number;
}

export type ClockVerdict =
  /** Use the frame. */
  | { kind: 'ok' }
  /** Drop the frame: a replay, or data older than staleAfterMs. */
  | { kind: 'stale'; fault: FaultEvent }
  /** Drop the frame: it disagrees with the robot clock; a jump is being confirmed. */
  | { kind: 'suspect'; offsetMs: number }
  /** Drop the frame: more of a late delivery already reported (its robot time is continuous). */
  | { kind: 'late'; lagMs: number }
  /** The robot clock jumped; the monitor has re-based on the new clock. Use the frame; stop motion. */
  | { kind: 'jump'; fault: FaultEvent };

/**
 * Tracks robot time against host time from frame headers alone (no Ping needed, so it reacts
 * on the next frame, not after several Pongs). Per frame, offset = robot time − arrival time;
 * delivery delay only lowers it, so the tracked baseline is the largest recent offset.
 *
 * A frame far behind the baseline is either late (the console or the link held it: the
 * console's event loop stalled for a second, a USB hub hiccuped) or from a clock that went
 * back. The robot's own timeline tells them apart: a late frame's robot time carries on
 * from the newest frame seen (it was sampled after it), a jumped clock's falls behind it.
 * Late frames are dropped and said once per burst; they never stop motion.
 */
export class RobotClockMonitor {
  private readonly staleAfterMs: number;
  private readonly aheadToleranceMs: number;
  private readonly confirmFrames: number;
  private readonly duplicateWindow: number;
  private readonly baselineWindowMs: number;
  private readonly lateConfirmMs: number;
  /** Newest robot time seen on the current clock, ms (robot clock). */
  private newestRobotMs = -Infinity;
  /** The current run of late frames: when it began (host ms) and the robot time then (ms). */
  private late: { sinceMs: number; robotMs: number } | null = null;
  /**
   * Largest robot − host offset (ms) in the current and the previous window of
   * baselineWindowMs: a sliding maximum, so delayed frames never lower it and a slowly
   * drifting robot clock is followed within two windows.
   */
  private window: { startMs: number; maxMs: number; previousMaxMs: number } | null = null;
  /** Host time of the first frame, ms: until baselineWindowMs later, frames ahead raise the baseline. */
  private firstAtMs = -Infinity;
  /** Offsets of consecutive frames that disagree with the baseline in the same direction. */
  private candidates: number[] = [];
  private readonly recentKeys = new Set<string>();
  private readonly recentOrder: string[] = [];

  constructor(options: RobotClockMonitorOptions = {}) {
    this.staleAfterMs = options.staleAfterMs ?? 1000;
    this.aheadToleranceMs = options.aheadToleranceMs ?? 250;
    this.confirmFrames = options.confirmFrames ?? 3;
    this.duplicateWindow = options.duplicateWindow ?? 1024;
    this.baselineWindowMs = options.baselineWindowMs ?? 2000;
    this.lateConfirmMs = options.lateConfirmMs ?? 1000;
  }

  /** Robot clock − host clock as tracked, ms; null before the first frame. */
  get offsetMs(): number | null {
    return this.window ? Math.max(this.window.maxMs, this.window.previousMaxMs) : null;
  }

  /** Forget everything (a new connection may be another robot, or the same one rebooted). */
  reset(): void {
    this.window = null;
    this.firstAtMs = -Infinity;
    this.candidates = [];
    this.newestRobotMs = -Infinity;
    this.late = null;
    this.recentKeys.clear();
    this.recentOrder.length = 0;
  }

  /** Judges one frame: its seq, header time (robot clock, µs) and arrival (host clock, ms). */
  check(frame: { seq: number; timestampUs: number; receivedAtMs: number }): ClockVerdict {
    const now = frame.receivedAtMs;
    const key = `${frame.seq}:${frame.timestampUs}`;
    if (this.recentKeys.has(key)) {
      return {
        kind: 'stale',
        fault: {
          kind: 'stale-frame',
          message: `Ignored a repeated frame from the robot (seq ${frame.seq}, already received): the link is replaying data`,
          atMs: now,
          detail: { seq: frame.seq, timestampUs: frame.timestampUs, cause: 'duplicate' },
        },
      };
    }
    this.remember(key);

    const robotMs = frame.timestampUs / 1000;
    const offsetMs = robotMs - now;
    const baseMs = this.offsetMs;
    if (baseMs === null) {
      this.rebase(offsetMs, now, robotMs);
      this.firstAtMs = now;
      return { kind: 'ok' };
    }
    const lagMs = baseMs - offsetMs;
    // Start-up grace: the first frames after connecting may be old (queued in the adapter), so
    // a baseline taken from them is too low by up to the queueing delay; frames ahead of it by
    // no more than a stale frame may lag only correct it.
    if (lagMs < 0 && -lagMs <= this.staleAfterMs && now - this.firstAtMs < this.baselineWindowMs) {
      this.candidates = [];
      this.late = null;
      this.rebase(offsetMs, now, robotMs);
      return { kind: 'ok' };
    }
    if (lagMs <= this.staleAfterMs && -lagMs <= this.aheadToleranceMs) {
      this.candidates = [];
      this.late = null;
      this.track(offsetMs, now, robotMs);
      return { kind: 'ok' };
    }

    // Behind, but on the robot's own timeline (sampled no earlier than the newest frame, less
    // the lag a frame may legitimately have, e.g. a scan stamped at its first beam): late.
    if (lagMs > this.staleAfterMs && robotMs >= this.newestRobotMs - this.staleAfterMs) {
      this.candidates = [];
      this.newestRobotMs = Math.max(this.newestRobotMs, robotMs);
      const late = this.late;
      if (!late) {
        this.late = { sinceMs: now, robotMs };
        return {
          kind: 'stale',
          fault: {
            kind: 'stale-frame',
            message: `Frames from the robot arrived ${formatSeconds(lagMs)} late (the console or the link was held up); the late ones are not used`,
            atMs: now,
            detail: { seq: frame.seq, timestampUs: frame.timestampUs, lagMs: round3(lagMs), cause: 'late' },
          },
        };
      }
      // Still late after lateConfirmMs, with robot time advancing at about the host's pace:
      // not a backlog being read but fresh data on a clock that lost time against ours.
      const hostSpanMs = now - late.sinceMs;
      if (hostSpanMs >= this.lateConfirmMs && robotMs - late.robotMs >= hostSpanMs / 2) {
        this.late = null;
        return this.jumped(baseMs, offsetMs, now, robotMs);
      }
      return { kind: 'late', lagMs };
    }

    // Far off. One such frame is a stale or replayed frame (behind) or a glitch (ahead); the
    // same new offset on several consecutive frames is the clock itself having jumped.
    const consistent = this.candidates.length === 0 || Math.abs(offsetMs - this.candidates[this.candidates.length - 1]!) <= this.staleAfterMs;
    this.candidates = consistent ? [...this.candidates, offsetMs] : [offsetMs];
    if (this.candidates.length >= this.confirmFrames) {
      const toOffsetMs = Math.max(...this.candidates);
      this.candidates = [];
      return this.jumped(baseMs, toOffsetMs, now, robotMs);
    }
    if (lagMs > this.staleAfterMs && this.candidates.length === 1) {
      return {
        kind: 'stale',
        fault: {
          kind: 'stale-frame',
          message: `Ignored a frame from the robot stamped ${formatSeconds(lagMs)} in the past (replayed or delayed)`,
          atMs: now,
          detail: { seq: frame.seq, timestampUs: frame.timestampUs, lagMs: round3(lagMs), cause: 'old' },
        },
      };
    }
    return { kind: 'suspect', offsetMs };
  }

  /** The clock jumped from baseMs to toOffsetMs (robot − host, ms): re-base on the new clock. */
  private jumped(baseMs: number, toOffsetMs: number, now: number, robotMs: number): ClockVerdict {
    const stepMs = toOffsetMs - baseMs;
    this.rebase(toOffsetMs, now, robotMs);
    return {
      kind: 'jump',
      fault: {
        kind: 'robot-clock-jump',
        message: `Robot clock jumped ${stepMs >= 0 ? 'ahead' : 'back'} ${formatSeconds(Math.abs(stepMs))}; motion stopped until its data is consistent again`,
        atMs: now,
        detail: { fromOffsetMs: round3(baseMs), toOffsetMs: round3(toOffsetMs), stepMs: round3(stepMs) },
      },
    };
  }

  private rebase(offsetMs: number, now: number, robotMs: number): void {
    this.window = { startMs: now, maxMs: offsetMs, previousMaxMs: -Infinity };
    this.newestRobotMs = robotMs;
  }

  private track(offsetMs: number, now: number, robotMs: number): void {
    if (robotMs > this.newestRobotMs) this.newestRobotMs = robotMs;
    const w = this.window!;
    if (now - w.startMs >= this.baselineWindowMs) {
      this.window = { startMs: now, maxMs: offsetMs, previousMaxMs: w.maxMs };
    } else if (offsetMs > w.maxMs) {
      w.maxMs = offsetMs;
    }
  }

  private remember(key: string): void {
    this.recentKeys.add(key);
    this.recentOrder.push(key);
    if (this.recentOrder.length > this.duplicateWindow) this.recentKeys.delete(this.recentOrder.shift()!);
  }
}

// ── Odometry ────────────────────────────────────────────────────────────────────────────

export interface OdometryLimits {
  /** m/s */
  maxLinearVelocity: number;
  /** rad/s */
  maxAngularVelocity: number;
}

export interface OdometryJumpOptions {
  /** Allowed motion beyond the limits, as a factor (encoder noise, a limit slightly exceeded). Default 1.5. */
  speedFactor?: number;
  /** Allowed displacement regardless of time, m (quantization, a small correction). Default 0.05. */
  linearSlackM?: number;
  /** Allowed rotation regardless of time, rad. Default 0.05. */
  angularSlackRad?: number;
  /** A gap longer than this between frames (s) re-bases instead of judging. Default 1. */
  maxGapS?: number;
}

export type OdometryVerdict = { kind: 'ok' } | { kind: 'fault'; fault: FaultEvent };

/**
 * Flags odometry whose pose moved more between two frames than the robot's advertised
 * limits allow (a reset encoder count, a swapped frame, a corrupted value that passed CRC),
 * and odometry with non-finite values. The time between frames comes from the robot's own
 * timestamps, so host-side delivery jitter does not matter. After a jump the new pose is the
 * new reference: the fault is reported once, not on every later frame.
 */
export class OdometryJumpDetector {
  private readonly speedFactor: number;
  private readonly linearSlackM: number;
  private readonly angularSlackRad: number;
  private readonly maxGapS: number;
  private last: { x: number; y: number; theta: number; robotUs: number } | null = null;

  constructor(private limits: OdometryLimits, options: OdometryJumpOptions = {}) {
    this.speedFactor = options.speedFactor ?? 1.5;
    this.linearSlackM = options.linearSlackM ?? 0.05;
    this.angularSlackRad = options.angularSlackRad ?? 0.05;
    this.maxGapS = options.maxGapS ?? 1;
  }

  setLimits(limits: OdometryLimits): void {
    this.limits = limits;
  }

  reset(): void {
    this.last = null;
  }

  /** Judges one odometry message with its header time (robot clock, µs); atMs is the host time for the report. */
  check(odom: OdometryMsg, robotUs: number, atMs: number): OdometryVerdict {
    if (![odom.x, odom.y, odom.theta, odom.v, odom.w].every(Number.isFinite)) {
      return {
        kind: 'fault',
        fault: {
          kind: 'odometry-invalid',
          message: 'Odometry from the robot contains invalid numbers (NaN or infinity); motion stopped',
          atMs,
          detail: { x: String(odom.x), y: String(odom.y), theta: String(odom.theta), v: String(odom.v), w: String(odom.w) },
        },
      };
    }
    const prev = this.last;
    this.last = { x: odom.x, y: odom.y, theta: odom.theta, robotUs };
    if (!prev) return { kind: 'ok' };
    const dt = (robotUs - prev.robotUs) / 1e6;
    // Out-of-order or long-gap frames say nothing about speed; the clock monitor judges time.
    if (!(dt >= 0) || dt > this.maxGapS) return { kind: 'ok' };
    const distance = Math.hypot(odom.x - prev.x, odom.y - prev.y);
    const rotation = Math.abs(wrapAngle(odom.theta - prev.theta));
    const maxDistance = this.limits.maxLinearVelocity * this.speedFactor * dt + this.linearSlackM;
    const maxRotation = this.limits.maxAngularVelocity * this.speedFactor * dt + this.angularSlackRad;
    if (distance <= maxDistance && rotation <= maxRotation) return { kind: 'ok' };
    const what = distance > maxDistance
      ? `${distance.toFixed(2)} m in ${formatMs(dt * 1000)} (at most ${maxDistance.toFixed(2)} m possible)`
      : `${((rotation * 180) / Math.PI).toFixed(0)}° in ${formatMs(dt * 1000)} (at most ${((maxRotation * 180) / Math.PI).toFixed(0)}° possible)`;
    return {
      kind: 'fault',
      fault: {
        kind: 'odometry-jump',
        message: `Odometry jumped ${what}; the robot's position is not trustworthy, motion stopped`,
        atMs,
        detail: { distanceM: round3(distance), rotationRad: round3(rotation), dtS: round3(dt), maxDistanceM: round3(maxDistance), maxRotationRad: round3(maxRotation) },
      },
    };
  }
}

// ── Scans ───────────────────────────────────────────────────────────────────────────────

export interface ScanHealth {
  beams: number;
  nan: number;
  infinite: number;
  negative: number;
  /** Finite, non-negative, but outside [rangeMin, rangeMax]. */
  outOfRange: number;
  invalid: number;
  /** invalid / beams (1 for a scan without beams). */
  invalidFraction: number;
  /** False when the scan cannot be trusted to show obstacles. */
  usable: boolean;
  /** Plain words when not usable, else ''. */
  message: string;
}

/**
 * Counts what is wrong with a scan. The console drops every invalid beam; when most beams are
 * invalid (default: more than half), the scan is not "an empty room" but a lidar that cannot
 * see, and must not clear the way for motion.
 *
 * REP 117: +Infinity (or a finite range beyond rangeMax) means "no return within range" and
 * −Infinity "closer than rangeMin". Both are valid measurements — an open room, an obstacle
 * touching the sensor — not faults. NaN and negative finite ranges are invalid.
 */
export function assessScan(scan: Pick<LaserScanMsg, 'ranges' | 'rangeMin' | 'rangeMax'>, maxInvalidFraction = 0.5): ScanHealth {
  let nan = 0, infinite = 0, negative = 0, outOfRange = 0;
  const min = scan.rangeMin;
  const max = scan.rangeMax;
  for (let i = 0; i < scan.ranges.length; i++) {
    const r = scan.ranges[i]!;
    if (Number.isNaN(r)) nan++;
    else if (!Number.isFinite(r)) infinite++;
    else if (r < 0) negative++;
    else if (!(r >= min && r <= max)) outOfRange++;
  }
  const beams = scan.ranges.length;
  // Infinite and out-of-range beams are counted for the record but are valid (see above).
  const invalid = nan + negative;
  const invalidFraction = beams === 0 ? 1 : invalid / beams;
  const usable = beams > 0 && invalidFraction <= maxInvalidFraction;
  const parts = [
    nan > 0 ? `${nan} NaN` : '', infinite > 0 ? `${infinite} infinite` : '',
    negative > 0 ? `${negative} negative` : '', outOfRange > 0 ? `${outOfRange} out of range` : '',
  ].filter(Boolean);
  const message = usable
    ? ''
    : beams === 0
      ? 'The lidar sent a scan without beams; motion stopped'
      : `The lidar cannot see: ${invalid} of ${beams} beams are invalid (${parts.join(', ')}); motion stopped`;
  return { beams, nan, infinite, negative, outOfRange, invalid, invalidFraction, usable, message };
}

// ── All together, with a hold ───────────────────────────────────────────────────────────

export interface FaultMonitorOptions {
  clock?: RobotClockMonitorOptions;
  odometry?: OdometryJumpOptions;
  maxInvalidScanFraction?: number;
  /** After a fault, motion stays stopped until this long without a new one, ms. Default 1000. */
  holdMs?: number;
}

export interface FrameVerdict {
  /** Whether the core should apply this frame (update pose, scan, status). */
  apply: boolean;
  /** A fault detected on this frame, to say and record; null when none. */
  fault: FaultEvent | null;
}

/**
 * The detectors for one robot session. The core calls onHello on every Hello, onFrame on
 * every frame before applying it, and holding() on every safety tick.
 */
export class FaultMonitor {
  readonly clock: RobotClockMonitor;
  private odometry: OdometryJumpDetector | null = null;
  private readonly options: FaultMonitorOptions;
  private readonly holdMs: number;
  private held: FaultEvent | null = null;
  private heldUntilMs = -Infinity;

  constructor(options: FaultMonitorOptions = {}) {
    this.options = options;
    this.holdMs = options.holdMs ?? 1000;
    this.clock = new RobotClockMonitor(options.clock);
  }

  onHello(hello: Pick<HelloMsg, 'maxLinearVelocity' | 'maxAngularVelocity'>): void {
    const limits = { maxLinearVelocity: hello.maxLinearVelocity, maxAngularVelocity: hello.maxAngularVelocity };
    if (this.odometry) this.odometry.setLimits(limits);
    else this.odometry = new OdometryJumpDetector(limits, this.options.odometry);
  }

  /** A new connection: forget the previous robot's clock and pose, and any hold. */
  reset(): void {
    this.clock.reset();
    this.odometry?.reset();
    this.held = null;
    this.heldUntilMs = -Infinity;
  }

  /**
   * @param ownClock false for a sample from a separate device (a lidar on its own port): it
   *   is stamped on the host clock, so the robot-clock checks do not apply to it.
   */
  onFrame(frame: { seq: number; timestampUs: number; receivedAtMs: number; msg: RobotMessage }, ownClock = true): FrameVerdict {
    const now = frame.receivedAtMs;
    const clock: ClockVerdict = ownClock ? this.clock.check(frame) : { kind: 'ok' };
    if (clock.kind === 'stale') return { apply: false, fault: clock.fault };
    if (clock.kind === 'suspect' || clock.kind === 'late') return { apply: false, fault: null };
    if (clock.kind === 'jump') {
      // Poses and scans stamped across the jump cannot be compared: start odometry afresh.
      this.odometry?.reset();
      this.hold(clock.fault);
    }
    const msg = frame.msg;
    if (msg.type === 'odometry' && this.odometry) {
      const v = this.odometry.check(msg, frame.timestampUs, now);
      if (v.kind === 'fault') {
        this.hold(v.fault);
        // A non-finite pose is never applied; a jumped pose is (it is what the robot now says).
        return { apply: v.fault.kind !== 'odometry-invalid', fault: v.fault };
      }
    } else if (msg.type === 'laser-scan') {
      const health = assessScan(msg, this.options.maxInvalidScanFraction);
      if (!health.usable) {
        const fault: FaultEvent = {
          kind: 'scan-invalid', message: health.message, atMs: now,
          detail: { beams: health.beams, nan: health.nan, infinite: health.infinite, negative: health.negative, outOfRange: health.outOfRange },
        };
        this.hold(fault);
        // Not applied: the previous scan ages out and reactive safety stops on a stale scan too.
        return { apply: false, fault };
      }
    }
    return { apply: true, fault: clock.kind === 'jump' ? clock.fault : null };
  }

  /** The fault that holds motion at host time nowMs, or null when motion may resume. */
  holding(nowMs: number): FaultEvent | null {
    return this.held && nowMs < this.heldUntilMs ? this.held : null;
  }

  private hold(fault: FaultEvent): void {
    this.held = fault;
    this.heldUntilMs = fault.atMs + this.holdMs;
  }
}

// ── Helpers ─────────────────────────────────────────────────────────────────────────────

function wrapAngle(a: number): number {
  const r = Math.atan2(Math.sin(a), Math.cos(a));
  return r;
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}

function formatMs(ms: number): string {
  return ms >= 1000 ? formatSeconds(ms) : `${Math.round(ms)} ms`;
}

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  if (s < 1) return `${Math.round(ms)} ms`;
  if (s < 120) return `${s.toFixed(1)} s`;
  if (s < 7200) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}
