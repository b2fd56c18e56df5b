/**
 * The gaze planner: where the robot's screen ("head") looks, planned with the trajectory
 * so people can read the robot's intent. The screen looks at the point about one second
 * ahead on the chosen trajectory (see `lookaheadPoint`), so it turns toward a bend before
 * the body does; or at the person the robot attends to (see `AttentionSelector`): one it
 * yields to (high planner risk) or is about to pass close by. A large turn ahead on the
 * trajectory (≥ `announceTurn`) takes precedence over attention: onlookers, the attended
 * person included, must see where the robot is about to go before it turns.
 *
 * `update` runs every planning cycle (10 Hz) and plans a pan profile over the next
 * `profileHorizon` seconds; `panCommandAt(t)` reads it, pure, for the 50 Hz loop. The
 * profile follows the looked-at point as the robot moves along its trajectory and the
 * body turns beneath the screen, within the pan rate, acceleration and angle limits.
 *
 * Frames: poses and points in `map`; pan angles relative to base_link, radians in
 * (−π, π], counter-clockwise positive; time in seconds on the planner clock. Pure
 * TypeScript; no clock is read.
 */
import { normalizeAngle, type Vec2 } from '../../shared/geometry';
import { AttentionSelector, attentionScore, DEFAULT_ATTENTION_CONFIG, personPositionAt, type AttentionConfig } from './attention';
import { planPanProfile, type PanProfile } from './pan-profile';
import { DEFAULT_LOOKAHEAD, lookaheadPoint, trajectorySampler, type LookaheadConfig, type PoseSampler } from './trajectory';
import type { GazeInput, GazeOutput, GazeReason, PanCommand, PanLimits } from './types';

export interface GazePlannerConfig extends LookaheadConfig {
  attention: AttentionConfig;
  /** Length of each planned pan profile, seconds (covers a late planning cycle or two). */
  profileHorizon: number;
  /** Pan profile sample period, seconds. */
  profileStep: number;
  /**
   * When the measured pan is farther than this from the previous profile's set-point,
   * rad, the new profile starts from the measurement (the head did not follow); otherwise
   * from the set-point, so consecutive profiles join without a jump.
   */
  resyncTolerance: number;
  /**
   * Heading change still to come on the chosen trajectory at or above which the screen
   * looks along the trajectory rather than at the attended person, rad. Below the 45° at
   * which turns are measured for gaze lead, so the screen turns first.
   */
  announceTurn: number;
}

export const DEFAULT_GAZE_CONFIG: GazePlannerConfig = {
  ...DEFAULT_LOOKAHEAD,
  attention: DEFAULT_ATTENTION_CONFIG,
  profileHorizon: 1.0,
  profileStep: 0.02,
  resyncTolerance: 0.15,
  announceTurn: (35 * Math.PI) / 180,
};

export class GazePlanner {
  private readonly cfg: GazePlannerConfig;
  private readonly selector: AttentionSelector;
  private profile: PanProfile | null = null;

  constructor(config: Partial<GazePlannerConfig> = {}) {
    this.cfg = { ...DEFAULT_GAZE_CONFIG, ...config, attention: { ...DEFAULT_ATTENTION_CONFIG, ...config.attention } };
    this.selector = new AttentionSelector(this.cfg.attention);
  }

  /** Plans the screen for this cycle. */
  update(input: GazeInput): GazeOutput {
    const { now, limits } = input;
    const sampler = trajectorySampler(input.trajectory, now, input.robotPose);
    const scores = new Map<number, number>();
    for (const p of input.people) scores.set(p.track.id, attentionScore(p, sampler, now, this.cfg.attention));
    const attendedId = this.selector.select(scores, now);
    const hasPlan = input.trajectory !== null && sampler.endTime > now;
    const announcing = hasPlan && turnAhead(sampler, now) >= this.cfg.announceTurn;
    const attended = attendedId === null || announcing ? undefined : input.people.find((p) => p.track.id === attendedId);

    // What to look at as a function of time over the profile (map frame).
    const lookAt = (t: number): Vec2 => {
      if (attended) return personPositionAt(attended, t);
      if (hasPlan) return lookaheadPoint(sampler, t, this.cfg).point;
      return straightAhead(sampler, t);
    };
    const reason: GazeReason = attended
      ? { kind: 'person', personId: attended.track.id, score: scores.get(attended.track.id) ?? 0 }
      : hasPlan
        ? { kind: 'lookahead', time: lookaheadPoint(sampler, now, this.cfg).time }
        : { kind: 'straight-ahead' };
    let previousPan = clampPan(input.pan.angle, limits);
    const desiredAt = (t: number): number => {
      const pan = panToward(sampler, t, lookAt(t), limits, previousPan);
      previousPan = pan;
      return pan;
    };

    const start = this.startState(input);
    this.profile = planPanProfile(start, now, desiredAt, limits, this.cfg.profileHorizon, this.cfg.profileStep);
    const gazeTarget = lookAt(now);
    previousPan = clampPan(start.angle, limits);
    const targetPan = panToward(sampler, now, gazeTarget, limits, previousPan);
    return {
      time: now,
      targetPan,
      command: this.profile.at(now),
      gazeTarget,
      reason,
      attention: [...scores].map(([personId, score]) => ({ personId, score })).sort((a, b) => b.score - a.score || a.personId - b.personId),
    };
  }

  /**
   * The pan set-point at time t (s) from the last planned profile, for the 50 Hz loop.
   * Null before the first `update`. Pure: reading does not change the plan.
   */
  panCommandAt(t: number): PanCommand | null {
    return this.profile ? this.profile.at(t) : null;
  }

  /** The last planned profile (for display and logging). */
  currentProfile(): PanProfile | null {
    return this.profile;
  }

  /** Forgets the profile and the attended person (e.g. after a reconnect). */
  reset(): void {
    this.profile = null;
    this.selector.reset();
  }

  private startState(input: GazeInput): { angle: number; rate: number } {
    const measured = { angle: input.pan.angle, rate: input.pan.rate };
    if (!this.profile || input.now > this.profile.endTime || input.now < this.profile.t0) return measured;
    const planned = this.profile.at(input.now);
    if (!Number.isFinite(measured.angle) || Math.abs(planned.angle - measured.angle) > this.cfg.resyncTolerance) {
      return Number.isFinite(measured.angle) ? measured : { angle: planned.angle, rate: planned.rate };
    }
    return { angle: planned.angle, rate: this.profile.rateBefore(input.now) };
  }
}

/** Largest heading change from time t to the end of the trajectory, rad (sampled every 0.1 s). */
function turnAhead(sampler: PoseSampler, t: number): number {
  const start = sampler.poseAt(t).theta;
  let turn = 0;
  let prev = start;
  let unwrapped = 0;
  for (let tau = t + 0.1; tau <= sampler.endTime + 1e-9; tau += 0.1) {
    const th = sampler.poseAt(tau).theta;
    unwrapped += normalizeAngle(th - prev);
    prev = th;
    if (Math.abs(unwrapped) > turn) turn = Math.abs(unwrapped);
  }
  return turn;
}

/** A point 1 m straight ahead of the robot at time t. */
function straightAhead(sampler: PoseSampler, t: number): Vec2 {
  const p = sampler.poseAt(t);
  return { x: p.x + Math.cos(p.theta), y: p.y + Math.sin(p.theta) };
}

function clampPan(angle: number, limits: PanLimits): number {
  return Math.max(limits.panMin, Math.min(limits.panMax, Number.isFinite(angle) ? angle : 0));
}

/**
 * The pan (rad, base_link) that points the screen at `point` from the robot's expected
 * pose at time t, within the limits. A direction the joint cannot reach (behind the robot,
 * past the limits) maps to the nearer limit, and when both limits are about as near
 * (within 0.3 rad) to the one nearer `previousPan`, so a target passing behind the robot
 * does not swing the screen from one side to the other.
 */
function panToward(sampler: PoseSampler, t: number, point: Vec2, limits: PanLimits, previousPan: number): number {
  const pose = sampler.poseAt(t);
  const dx = point.x - pose.x;
  const dy = point.y - pose.y;
  if (dx * dx + dy * dy < 1e-6) return previousPan; // looking at itself: keep the pan
  const relative = normalizeAngle(Math.atan2(dy, dx) - pose.theta);
  if (relative >= limits.panMin && relative <= limits.panMax) return relative;
  const toMax = normalizeAngle(relative - limits.panMax);
  const toMin = normalizeAngle(limits.panMin - relative);
  const gapMax = toMax >= 0 ? toMax : toMax + 2 * Math.PI;
  const gapMin = toMin >= 0 ? toMin : toMin + 2 * Math.PI;
  if (Math.abs(gapMax - gapMin) < 0.3) {
    return Math.abs(previousPan - limits.panMax) <= Math.abs(previousPan - limits.panMin) ? limits.panMax : limits.panMin;
  }
  return gapMax < gapMin ? limits.panMax : limits.panMin;
}

