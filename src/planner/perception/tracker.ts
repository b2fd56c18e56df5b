/**
 * Multi-person tracker: one constant-velocity Kalman filter per track (state x, y, vx, vy
 * in the map frame; white-noise acceleration), Mahalanobis gating, globally optimal
 * detection ↔ track assignment (Hungarian), confirmation once a tentative track has both
 * `birthHits` associated detections and `confirmEvidence` summed detection confidence
 * (two clear leg pairs, or several faint single legs), death after `maxCoastTime` without
 * one. While coasting, a track's velocity decays (`coastVelocityDecay`): an unseen person
 * has most likely stopped or turned (doorways, corners), and a track that kept sliding at
 * walking speed would be both a false person and too far away to pick the real one up again.
 *
 * The x and y axes are independent under this model (isotropic noise), so each track
 * keeps two 2×2 covariances instead of one 4×4 — same filter, fewer operations.
 * Time is passed in (seconds); nothing here reads a clock.
 */
import type { PersonTrack } from '../../shared/people';
import { assignMinCost } from './assignment';

/** What the tracker needs from a detection (PersonDetection fits). */
export interface TrackerDetection {
  /** Map frame, metres. */
  x: number;
  y: number;
  /** 0 … 1. */
  confidence: number;
}

export interface TrackerConfig {
  /** Acceleration noise spectral density, m²/s³ (how abruptly people change velocity). */
  accelerationNoise: number;
  /** 1-σ detection position noise, metres. */
  measurementSigma: number;
  /** Initial 1-σ velocity uncertainty of a new track, m/s. */
  initialVelocitySigma: number;
  /** Mahalanobis distance² gate (χ², 2 dof): 13.8 keeps 99.9 % of true associations. */
  gateChi2: number;
  /** Detections below this confidence are ignored. */
  minConfidence: number;
  /** Detections below this confidence update tracks but do not start new ones. */
  birthConfidence: number;
  /** Associated detections before a track is reported. */
  birthHits: number;
  /** Summed confidence of a track's detections before it is reported. */
  confirmEvidence: number;
  /**
   * No track is born within this distance of an existing track, metres: two people's
   * centres cannot be that close, so such a detection is the same person (a stray leg).
   */
  minPersonSeparation: number;
  /** Time constant of the velocity decay of a track without a detection, seconds. */
  coastVelocityDecay: number;
  /**
   * A confirmed track is reported only while its last detection is at most this old,
   * seconds. Older ones coast on unreported, so a person who reappears after an occlusion
   * keeps their id, but a guess is not presented as a person.
   */
  reportCoastTime: number;
  /** A confirmed track dies after this long without a detection, seconds. */
  maxCoastTime: number;
  /** A tentative track dies after this long without a detection, seconds. */
  tentativeCoastTime: number;
  /** Speeds above this are clipped (people do not run through living rooms), m/s. */
  maxSpeed: number;
  /** Filtered positions kept per track for `recentPath`, seconds. */
  historyDuration: number;
}

export const DEFAULT_TRACKER_CONFIG: TrackerConfig = {
  accelerationNoise: 2,
  measurementSigma: 0.07,
  initialVelocitySigma: 1,
  gateChi2: 13.8,
  minConfidence: 0.2,
  birthConfidence: 0.2,
  birthHits: 2,
  confirmEvidence: 1.0,
  minPersonSeparation: 0.4,
  coastVelocityDecay: 0.7,
  reportCoastTime: 0.3,
  maxCoastTime: 1.5,
  tentativeCoastTime: 0.3,
  maxSpeed: 2.5,
  historyDuration: 4,
};

/** Per-axis filter: position p, velocity v, covariance [[a, b], [b, c]]. */
interface Axis {
  p: number;
  v: number;
  a: number;
  b: number;
  c: number;
}

interface Track {
  id: number;
  x: Axis;
  y: Axis;
  hits: number;
  /** Summed confidence of the associated detections. */
  evidence: number;
  confirmed: boolean;
  lastSeen: number;
  /** Filtered positions after each update: time, x, y. */
  history: { t: number; x: number; y: number }[];
}

export class PersonTracker {
  private readonly cfg: TrackerConfig;
  private tracks: Track[] = [];
  private nextId = 1;
  private time: number | null = null;

  constructor(config: Partial<TrackerConfig> = {}) {
    this.cfg = { ...DEFAULT_TRACKER_CONFIG, ...config };
  }

  /**
   * Advances every track to `time` (seconds, non-decreasing), associates `detections`,
   * updates, starts and ends tracks, and returns the confirmed tracks (sorted by id).
   */
  update(detections: readonly TrackerDetection[], time: number): PersonTrack[] {
    const dt = this.time === null ? 0 : Math.max(0, time - this.time);
    this.time = time;
    for (const t of this.tracks) {
      predictAxis(t.x, dt, this.cfg.accelerationNoise);
      predictAxis(t.y, dt, this.cfg.accelerationNoise);
    }
    const usable = detections.filter((d) => d.confidence >= this.cfg.minConfidence && Number.isFinite(d.x) && Number.isFinite(d.y));
    const r = this.cfg.measurementSigma ** 2;
    // Cost: Mahalanobis distance², forbidden outside the gate. Confirmed tracks get a
    // small preference so a tentative clutter track cannot steal a real person.
    const cost = this.tracks.map((t) =>
      usable.map((d) => {
        const ix = d.x - t.x.p;
        const iy = d.y - t.y.p;
        const m2 = (ix * ix) / (t.x.a + r) + (iy * iy) / (t.y.a + r);
        return m2 <= this.cfg.gateChi2 ? m2 + (t.confirmed ? 0 : 1) : Infinity;
      }),
    );
    const assignment = assignMinCost(cost, usable.length);
    const used = new Uint8Array(usable.length);
    for (let i = 0; i < this.tracks.length; i++) {
      const j = assignment[i];
      if (j < 0) continue;
      const t = this.tracks[i];
      used[j] = 1;
      updateAxis(t.x, usable[j].x, r);
      updateAxis(t.y, usable[j].y, r);
      clipSpeed(t, this.cfg.maxSpeed);
      t.hits++;
      t.evidence += usable[j].confidence;
      t.lastSeen = time;
      if (t.hits >= this.cfg.birthHits && t.evidence >= this.cfg.confirmEvidence) t.confirmed = true;
    }
    // Coasting: velocity (and its variance) decays; the position uncertainty keeps growing.
    if (dt > 0) {
      const keep = Math.exp(-dt / this.cfg.coastVelocityDecay);
      for (let i = 0; i < this.tracks.length; i++) {
        if (assignment[i] >= 0) continue;
        const t = this.tracks[i];
        for (const axis of [t.x, t.y]) {
          axis.v *= keep;
          axis.b *= keep;
          axis.c *= keep * keep;
        }
      }
    }
    // Death: too long without a detection.
    this.tracks = this.tracks.filter((t) => time - t.lastSeen <= (t.confirmed ? this.cfg.maxCoastTime : this.cfg.tentativeCoastTime));
    // Birth: unassociated, confident detections start tentative tracks.
    const v0 = this.cfg.initialVelocitySigma ** 2;
    usable.forEach((d, j) => {
      if (used[j] || d.confidence < this.cfg.birthConfidence) return;
      if (this.tracks.some((t) => Math.hypot(t.x.p - d.x, t.y.p - d.y) < this.cfg.minPersonSeparation)) return;
      this.tracks.push({
        id: this.nextId++,
        x: { p: d.x, v: 0, a: r, b: 0, c: v0 },
        y: { p: d.y, v: 0, a: r, b: 0, c: v0 },
        hits: 1,
        evidence: d.confidence,
        confirmed: this.cfg.birthHits <= 1 && d.confidence >= this.cfg.confirmEvidence,
        lastSeen: time,
        history: [],
      });
    });
    for (const t of this.tracks) {
      t.history.push({ t: time, x: t.x.p, y: t.y.p });
      while (t.history.length > 1 && time - t.history[0].t > this.cfg.historyDuration) t.history.shift();
    }
    return this.confirmedTracks();
  }

  /** The confirmed tracks seen within `reportCoastTime` as of the last update, sorted by id. */
  confirmedTracks(): PersonTrack[] {
    const now = this.time ?? -Infinity;
    return this.tracks
      .filter((t) => t.confirmed && now - t.lastSeen <= this.cfg.reportCoastTime + 1e-9)
      .map((t) => ({
        id: t.id,
        x: t.x.p,
        y: t.y.p,
        vx: t.x.v,
        vy: t.y.v,
        positionSigma: Math.sqrt((t.x.a + t.y.a) / 2),
        lastSeen: t.lastSeen,
        hits: t.hits,
      }))
      .sort((a, b) => a.id - b.id);
  }

  /**
   * A track's filtered positions resampled every `dt` seconds back from the last update,
   * oldest first, at most `count` points (fewer while the track is young); linear
   * interpolation between updates. Null for an unknown id. Feeds the predictor's history.
   */
  recentPath(id: number, dt: number, count: number): { xs: number[]; ys: number[] } | null {
    const t = this.tracks.find((k) => k.id === id);
    if (!t || this.time === null) return null;
    const h = t.history;
    const xs: number[] = [];
    const ys: number[] = [];
    let j = h.length - 1;
    for (let k = 0; k < count; k++) {
      const when = this.time - k * dt;
      if (when < h[0].t - 1e-9) break;
      while (j > 0 && h[j - 1].t >= when) j--;
      // h[j].t ≥ when ≥ h[j-1].t (or j = 0 and when = h[0].t).
      const b = h[j];
      const a = j > 0 ? h[j - 1] : b;
      const span = b.t - a.t;
      const f = span > 1e-9 ? (when - a.t) / span : 1;
      xs.push(a.x + f * (b.x - a.x));
      ys.push(a.y + f * (b.y - a.y));
    }
    xs.reverse();
    ys.reverse();
    return { xs, ys };
  }

  /** Drops every track (for instance after relocalization). */
  reset(): void {
    this.tracks = [];
    this.time = null;
  }
}

function predictAxis(s: Axis, dt: number, q: number): void {
  if (dt <= 0) return;
  s.p += s.v * dt;
  const a = s.a + 2 * dt * s.b + dt * dt * s.c + (q * dt ** 3) / 3;
  const b = s.b + dt * s.c + (q * dt * dt) / 2;
  const c = s.c + q * dt;
  s.a = a;
  s.b = b;
  s.c = c;
}

function updateAxis(s: Axis, z: number, r: number): void {
  const innovation = z - s.p;
  const S = s.a + r;
  const kp = s.a / S;
  const kv = s.b / S;
  s.p += kp * innovation;
  s.v += kv * innovation;
  const a = (1 - kp) * s.a;
  const b = (1 - kp) * s.b;
  const c = s.c - kv * s.b;
  s.a = a;
  s.b = b;
  s.c = c;
}

function clipSpeed(t: Track, maxSpeed: number): void {
  const speed = Math.hypot(t.x.v, t.y.v);
  if (speed <= maxSpeed) return;
  t.x.v *= maxSpeed / speed;
  t.y.v *= maxSpeed / speed;
}
