/**
 * Whom the screen attends to. Each person gets a continuous score from the planner's
 * collision risk (the robot yields to them) and how close and how soon the chosen
 * trajectory passes them (the robot is about to pass them); the screen attends to the best
 * scorer above a threshold. Hysteresis on the score and a minimum dwell keep attention
 * from flickering between people or on and off. Map frame, metres, seconds.
 */
import type { PersonTrack } from '../../shared/people';
import type { GazePerson } from './types';
import { type PoseSampler } from './trajectory';

export interface AttentionConfig {
  /** Weight of the passing cue relative to risk (risk counts 1). */
  passWeight: number;
  /** Closest approach (robot base_link origin to person centre) at or below which passing counts fully, metres. */
  passNear: number;
  /** Closest approach beyond which passing does not count, metres. */
  passFar: number;
  /** Closest approach at most this soon counts fully, seconds. */
  passSoon: number;
  /** Closest approach later than this does not count, seconds. */
  passLate: number;
  /** Tracks with fewer hits count proportionally less (a young track may be clutter). */
  trustedHits: number;
  /** Score to start attending someone. */
  attendScore: number;
  /** Score below which attention is released. */
  releaseScore: number;
  /** Another person takes over only with a score this much higher. */
  switchMargin: number;
  /** Attention stays on a person at least this long (unless released), seconds. */
  minDwell: number;
}

export const DEFAULT_ATTENTION_CONFIG: AttentionConfig = {
  passWeight: 0.6,
  passNear: 0.6,
  passFar: 1.8,
  passSoon: 1.5,
  passLate: 3.5,
  trustedHits: 3,
  attendScore: 0.45,
  releaseScore: 0.25,
  switchMargin: 0.2,
  minDwell: 1.0,
};

/** Linear ramp: 1 at or below `full`, 0 at or beyond `none`. */
function ramp(value: number, full: number, none: number): number {
  if (value <= full) return 1;
  if (value >= none) return 0;
  return (none - value) / (none - full);
}

/** Person position at time t (s): the most probable future if there is one, else the track's velocity. */
export function personPositionAt(person: GazePerson, t: number): { x: number; y: number } {
  const pred = person.prediction;
  if (pred && pred.futures.length > 0) {
    let best = pred.futures[0]!;
    for (const f of pred.futures) if (f.probability > best.probability) best = f;
    const n = best.xs.length;
    // Point k is at t0 + (k+1)·dt; the track itself stands for t0.
    const u = (t - pred.t0) / pred.dt;
    if (n > 0 && u > 0) {
      if (u >= n) return { x: best.xs[n - 1]!, y: best.ys[n - 1]! };
      const k = Math.floor(u); // between point k−1 (time index k) and point k (k+1)
      const f = u - k;
      const ax = k === 0 ? trackAt(person.track, pred.t0).x : best.xs[k - 1]!;
      const ay = k === 0 ? trackAt(person.track, pred.t0).y : best.ys[k - 1]!;
      return { x: ax + f * (best.xs[k]! - ax), y: ay + f * (best.ys[k]! - ay) };
    }
  }
  return trackAt(person.track, t);
}

/** The track extrapolated at constant velocity to time t, at most 1 s past its last detection. */
function trackAt(track: PersonTrack, t: number): { x: number; y: number } {
  const dt = Math.max(0, Math.min(1, t - track.lastSeen));
  return { x: track.x + track.vx * dt, y: track.y + track.vy * dt };
}

/**
 * The attention score of one person: risk (clipped to 0 … 1) plus `passWeight` × the
 * passing cue (closeness of the closest approach between the chosen trajectory and the
 * person's most likely future, times how soon it comes), scaled by track trust.
 */
export function attentionScore(person: GazePerson, robot: PoseSampler, now: number, cfg: AttentionConfig = DEFAULT_ATTENTION_CONFIG): number {
  let closest = Infinity;
  let closestTime = 0;
  const step = 0.1;
  for (let tau = 0; tau <= cfg.passLate + 1e-9; tau += step) {
    const t = now + tau;
    if (t > robot.endTime + 1e-9 && tau > 0) break;
    const r = robot.poseAt(t);
    const p = personPositionAt(person, t);
    const d = Math.hypot(p.x - r.x, p.y - r.y);
    if (d < closest) {
      closest = d;
      closestTime = tau;
    }
  }
  const pass = ramp(closest, cfg.passNear, cfg.passFar) * ramp(closestTime, cfg.passSoon, cfg.passLate);
  const risk = Math.max(0, Math.min(1, Number.isFinite(person.risk) ? person.risk : 0));
  const trust = Math.min(1, person.track.hits / cfg.trustedHits);
  return trust * (risk + cfg.passWeight * pass);
}

/** Chooses whom to attend, cycle after cycle, with hysteresis. */
export class AttentionSelector {
  private current: number | null = null;
  private since = -Infinity;

  constructor(private readonly cfg: AttentionConfig = DEFAULT_ATTENTION_CONFIG) {}

  /** The attended person's id (or null) given this cycle's scores, at time `now` (s). */
  select(scores: ReadonlyMap<number, number>, now: number): number | null {
    let bestId: number | null = null;
    let bestScore = -Infinity;
    for (const [id, s] of scores) {
      if (s > bestScore || (s === bestScore && bestId !== null && id < bestId)) {
        bestId = id;
        bestScore = s;
      }
    }
    const currentScore = this.current === null ? undefined : scores.get(this.current);
    if (this.current !== null && currentScore !== undefined && currentScore >= this.cfg.releaseScore) {
      const dwelling = now - this.since < this.cfg.minDwell;
      const challenger = bestId !== null && bestId !== this.current && bestScore >= currentScore + this.cfg.switchMargin;
      if (dwelling || !challenger) return this.current;
    }
    // Released, gone, or outscored: take the best if it is worth attending.
    const next = bestId !== null && bestScore >= this.cfg.attendScore ? bestId : null;
    if (next !== this.current) this.since = now;
    this.current = next;
    return next;
  }

  /** Forgets the attended person. */
  reset(): void {
    this.current = null;
    this.since = -Infinity;
  }
}
