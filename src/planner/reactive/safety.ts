/**
 * Reactive safety loop (≥ 50 Hz): checks the command about to go out against the newest
 * scan only, and scales it down continuously with time to collision, or stops.
 *
 * Independent of everything else by design: it needs no map, no planner, no people; just
 * the scan points in base_link, their timestamp, the command and the footprint. It guards
 * planner and teleop commands alike.
 *
 * Frames and units: scan points and the footprint are in base_link (x forward, y left),
 * metres; commands are base_link twists (m/s, rad/s); times are seconds on the host clock.
 *
 * Method. Points inside a 2 × 2 m window centred on base_link are kept. The command's arc is
 * followed in the robot's frame (where the world rotates about the instantaneous centre of
 * rotation); for each point the signed distance to the footprint, inflated by a margin, is
 * tracked step by step and the first contact time (linearly interpolated between steps) is
 * its time to collision at the commanded speed, t*. The command is then multiplied by
 *   k = min(1, k_brake(t*), k_ttc(t*)),
 * where k_brake is the largest fraction from which the robot, braking at its limits after
 * its reaction time, still stops before contact, and k_ttc ramps linearly from 1 at
 * `slowTtc` to 0 at `stopTtc`. Both are continuous in t*, so the speed falls continuously as
 * an obstacle gets closer; below `minScale` (or t* ≤ stopTtc) the command becomes a stop.
 * Scaling v and w together keeps the arc, so the predicted contact geometry stays valid.
 */
import type { RectFootprint, Twist2D, Vec2 } from '../../shared/geometry';

/** Scan points in base_link, metres, and the time they were measured. */
export interface ScanPoints {
  /** Host time of the scan, seconds. */
  stamp: number;
  xs: ArrayLike<number>;
  ys: ArrayLike<number>;
  /** Number of valid points (defaults to xs.length). */
  count?: number;
}

/** Braking capability of the base. */
export interface ReactiveLimits {
  /** Linear deceleration available, m/s². */
  aMax: number;
  /** Yaw deceleration available, rad/s². */
  alphaMax: number;
}

export interface ReactiveConfig {
  /** Half the side of the square window around base_link, metres (1 → 2 × 2 m). */
  windowHalfSize: number;
  /** Scan older than this means stop, seconds. */
  maxScanAge: number;
  /** A scan this far in the future (clock trouble) also means stop, seconds. */
  maxScanLead: number;
  /** Footprint inflation for contact, metres. */
  margin: number;
  /** Delay before braking starts (loop period + transit), seconds. */
  reactionTime: number;
  /** Time to collision below which the command is scaled down, seconds. */
  slowTtc: number;
  /** Time to collision at or below which the robot stops, seconds. */
  stopTtc: number;
  /** Scale below which the command becomes a stop. */
  minScale: number;
  /** Largest motion of a point between two steps of the arc, metres. */
  resolution: number;
  /** Most steps along the arc (caps the cost at high speed). */
  maxSteps: number;
  /** Points closer than this to base_link are the robot itself (e.g. mast), metres. */
  selfFilterRadius: number;
  /** Points reported in a decision. */
  maxReportedPoints: number;
}

export const DEFAULT_REACTIVE_CONFIG: ReactiveConfig = {
  windowHalfSize: 1.0,
  maxScanAge: 0.2,
  maxScanLead: 0.05,
  margin: 0.03,
  reactionTime: 0.06,
  slowTtc: 1.5,
  stopTtc: 0.25,
  minScale: 0.02,
  resolution: 0.01,
  maxSteps: 300,
  selfFilterRadius: 0,
  maxReportedPoints: 8,
};

export interface ReactiveInput {
  scan: ScanPoints;
  /** Host time now, seconds. */
  now: number;
  /** The command about to go out. */
  command: Twist2D;
  /** Who produced the command. */
  source?: 'planner' | 'teleop';
  footprint: RectFootprint;
  limits: ReactiveLimits;
  /**
   * Oldest scan still acted on for this robot, s; default the config's. A slow rotating lidar
   * delivers each revolution one revolution after its first beam, and the next one a
   * revolution later: its scans are older than a 10 Hz one's by design.
   */
  maxScanAge?: number;
  /**
   * Delay before braking starts on this robot, s; default the config's. A base whose commands
   * wait for the next tick of a 10 Hz stream reacts later than one fed on every tick.
   */
  reactionTime?: number;
}

export type ReactiveAction = 'pass' | 'scale' | 'stop';
export type ReactiveReason = 'clear' | 'ttc' | 'stale-scan' | 'inside-footprint' | 'invalid-input';
/** Where the deciding points were: nowhere, in the slow-down zone, in the stop zone, inside the footprint. */
export type ReactiveZone = 'none' | 'slow' | 'stop' | 'footprint';

/** The command to send and why. */
export interface ReactiveDecision {
  /** The command to send (the requested one, scaled, or zero). */
  command: Twist2D;
  requested: Twist2D;
  source: 'planner' | 'teleop';
  action: ReactiveAction;
  reason: ReactiveReason;
  zone: ReactiveZone;
  /** Factor applied to the requested command, 0 … 1. */
  scale: number;
  /** Time to collision at the requested speed, seconds (Infinity when none is in view). */
  ttc: number;
  /** Age of the scan, seconds. */
  scanAge: number;
  /** The points that decided (first contacts, or points inside the footprint), base_link, metres. */
  points: Vec2[];
  /** Scan points inside the window. */
  pointsInWindow: number;
  /** Half-size of the square window used, metres. */
  windowHalfSize: number;
}

export class ReactiveSafety {
  readonly config: ReactiveConfig;
  private px: Float64Array;
  private py: Float64Array;
  private prevSd: Float64Array;
  private hitT: Float64Array;
  private hitIdx: Int32Array;
  private ox: Float64Array;
  private oy: Float64Array;

  constructor(config: Partial<ReactiveConfig> = {}, capacity = 2048) {
    this.config = { ...DEFAULT_REACTIVE_CONFIG, ...config };
    this.px = new Float64Array(capacity);
    this.py = new Float64Array(capacity);
    this.prevSd = new Float64Array(capacity);
    this.hitT = new Float64Array(capacity);
    this.hitIdx = new Int32Array(capacity);
    this.ox = new Float64Array(capacity);
    this.oy = new Float64Array(capacity);
  }

  /** Decides what to send instead of `input.command`. */
  check(input: ReactiveInput): ReactiveDecision {
    const cfg = this.config;
    const req = input.command;
    const source = input.source ?? 'planner';
    const scanAge = input.now - input.scan.stamp;
    const base = { requested: { v: req.v, w: req.w }, source, scanAge, windowHalfSize: cfg.windowHalfSize };
    const stop = (reason: ReactiveReason, zone: ReactiveZone, ttc: number, points: Vec2[], inWindow: number): ReactiveDecision => ({
      ...base,
      command: { v: 0, w: 0 },
      action: 'stop',
      reason,
      zone,
      scale: 0,
      ttc,
      points,
      pointsInWindow: inWindow,
    });

    const fp = input.footprint;
    if (
      !Number.isFinite(req.v) ||
      !Number.isFinite(req.w) ||
      !Number.isFinite(scanAge) ||
      !(fp.length > 0 && fp.width > 0) ||
      !(input.limits.aMax > 0 && input.limits.alphaMax > 0)
    ) {
      return stop('invalid-input', 'none', Infinity, [], 0);
    }
    if (scanAge > (input.maxScanAge ?? cfg.maxScanAge) || scanAge < -cfg.maxScanLead) return stop('stale-scan', 'none', Infinity, [], 0);

    // Window points, in base_link.
    const n = this.collect(input.scan);
    const cx = fp.centerOffsetX;
    const hx = fp.length / 2;
    const hy = fp.width / 2;

    // Anything inside the footprint itself: the robot is touching something; stop.
    const inside: Vec2[] = [];
    for (let i = 0; i < n; i++) {
      if (rectSd(this.px[i]!, this.py[i]!, cx, hx, hy) <= 0 && inside.length < cfg.maxReportedPoints) {
        inside.push({ x: this.px[i]!, y: this.py[i]! });
      }
    }
    if (inside.length > 0) return stop('inside-footprint', 'footprint', 0, inside, n);

    const v = req.v;
    const w = req.w;
    if (Math.abs(v) < 1e-6 && Math.abs(w) < 1e-6) {
      return { ...base, command: { v, w }, action: 'pass', reason: 'clear', zone: 'none', scale: 1, ttc: Infinity, points: [], pointsInWindow: n };
    }

    // Braking along the arc: the fraction λ of "unit command time" decelerates at β.
    const beta = Math.min(
      Math.abs(v) > 1e-9 ? input.limits.aMax / Math.abs(v) : Infinity,
      Math.abs(w) > 1e-9 ? input.limits.alphaMax / Math.abs(w) : Infinity,
    );
    const tReact = Math.max(cfg.reactionTime, input.reactionTime ?? 0);
    // Look far enough that both the ramp and braking at full command are covered.
    const lookahead = Math.min(4, Math.max(cfg.slowTtc, tReact + 1 / (2 * beta)) + 0.05);
    const ttc = this.timeToCollision(n, v, w, cx, hx + cfg.margin, hy + cfg.margin, lookahead);
    const hits = this.reportHits(ttc);

    if (!Number.isFinite(ttc)) {
      return { ...base, command: { v, w }, action: 'pass', reason: 'clear', zone: 'none', scale: 1, ttc, points: [], pointsInWindow: n };
    }
    const kBrake = beta * (-tReact + Math.sqrt(tReact * tReact + (2 * ttc) / beta));
    const kTtc = (ttc - cfg.stopTtc) / (cfg.slowTtc - cfg.stopTtc);
    const k = Math.max(0, Math.min(1, kBrake, kTtc));
    if (ttc <= cfg.stopTtc || k <= cfg.minScale) return stop('ttc', 'stop', ttc, hits, n);
    if (k >= 1) {
      return { ...base, command: { v, w }, action: 'pass', reason: 'clear', zone: 'none', scale: 1, ttc, points: [], pointsInWindow: n };
    }
    return { ...base, command: { v: k * v, w: k * w }, action: 'scale', reason: 'ttc', zone: 'slow', scale: k, ttc, points: hits, pointsInWindow: n };
  }

  /** Copies the scan's points inside the window into px/py; returns their number. */
  private collect(scan: ScanPoints): number {
    const h = this.config.windowHalfSize;
    const self2 = this.config.selfFilterRadius * this.config.selfFilterRadius;
    const total = Math.min(scan.count ?? scan.xs.length, scan.xs.length, scan.ys.length);
    if (this.px.length < total) this.grow(total);
    let n = 0;
    for (let i = 0; i < total; i++) {
      const x = scan.xs[i]!;
      const y = scan.ys[i]!;
      if (!(x >= -h && x <= h && y >= -h && y <= h)) continue; // also drops NaN
      if (x * x + y * y < self2) continue;
      this.px[n] = x;
      this.py[n] = y;
      n++;
    }
    return n;
  }

  /**
   * First contact time at the commanded speed between the inflated footprint and any window
   * point, seconds, or Infinity within `lookahead`. Fills hitT for the points that touch in
   * the deciding step.
   */
  private timeToCollision(n: number, v: number, w: number, cx: number, hx: number, hy: number, lookahead: number): number {
    if (n === 0) return Infinity;
    const cfg = this.config;
    // Fastest point speed relative to the robot: |v| + |w|·(farthest window point).
    const rMax = Math.SQRT2 * cfg.windowHalfSize;
    const rate = Math.abs(v) + Math.abs(w) * rMax;
    const steps = Math.min(cfg.maxSteps, Math.max(1, Math.ceil((lookahead * rate) / cfg.resolution)));
    const dt = lookahead / steps;
    // Per step the robot advances by the arc (dx, dy, dθ) in its own frame; a world point's
    // robot-frame coordinates change by p ← R(−dθ)(p − d).
    const dth = w * dt;
    let dx: number;
    let dy: number;
    if (Math.abs(dth) < 1e-9) {
      dx = v * dt;
      dy = 0;
    } else {
      dx = (v / w) * Math.sin(dth);
      dy = (v / w) * (1 - Math.cos(dth));
    }
    const c = Math.cos(dth);
    const s = Math.sin(dth);
    const { px, py, prevSd, ox, oy } = this;
    let active = 0;
    for (let i = 0; i < n; i++) {
      const sd = rectSd(px[i]!, py[i]!, cx, hx, hy);
      // A point already within the margin counts only if the motion brings it closer.
      const qx = px[i]! - dx;
      const qy = py[i]! - dy;
      const nx = c * qx + s * qy;
      const ny = -s * qx + c * qy;
      const sd1 = rectSd(nx, ny, cx, hx, hy);
      ox[i] = px[i]!;
      oy[i] = py[i]!;
      if (sd <= 0) {
        if (sd1 < sd - 1e-12) {
          this.hitT[0] = 0;
          this.hitIdx[0] = i;
          this.hitCount = 1;
          return 0;
        }
        prevSd[i] = NaN; // ignore: moving away from it
        continue;
      }
      prevSd[i] = sd;
      active++;
    }
    if (active === 0) return Infinity;
    for (let k = 1; k <= steps; k++) {
      let hits = 0;
      let best = Infinity;
      for (let i = 0; i < n; i++) {
        const p0 = prevSd[i]!;
        if (p0 !== p0) continue; // NaN: ignored point
        const qx = px[i]! - dx;
        const qy = py[i]! - dy;
        const nx = c * qx + s * qy;
        const ny = -s * qx + c * qy;
        px[i] = nx;
        py[i] = ny;
        const sd = rectSd(nx, ny, cx, hx, hy);
        if (sd <= 0) {
          const t = (k - 1 + p0 / (p0 - sd)) * dt;
          if (hits < this.hitIdx.length) {
            this.hitIdx[hits] = i;
            this.hitT[hits] = t;
            hits++;
          }
          if (t < best) best = t;
        } else prevSd[i] = sd;
      }
      if (hits > 0) {
        this.hitCount = hits;
        return best;
      }
    }
    this.hitCount = 0;
    return Infinity;
  }

  private hitCount = 0;

  /** The deciding points (original base_link positions), earliest contact first. */
  private reportHits(ttc: number): Vec2[] {
    if (!Number.isFinite(ttc) || this.hitCount === 0) return [];
    const order: number[] = [];
    for (let j = 0; j < this.hitCount; j++) order.push(j);
    order.sort((a, b) => this.hitT[a]! - this.hitT[b]!);
    const out: Vec2[] = [];
    for (let j = 0; j < order.length && out.length < this.config.maxReportedPoints; j++) {
      const i = this.hitIdx[order[j]!]!;
      out.push({ x: this.ox[i]!, y: this.oy[i]! });
    }
    return out;
  }

  private grow(n: number): void {
    const cap = Math.max(n, this.px.length * 2);
    this.px = new Float64Array(cap);
    this.py = new Float64Array(cap);
    this.prevSd = new Float64Array(cap);
    this.hitT = new Float64Array(cap);
    this.hitIdx = new Int32Array(cap);
    this.ox = new Float64Array(cap);
    this.oy = new Float64Array(cap);
  }
}

/** Signed distance from (x, y) to the rectangle centred at (cx, 0) with half sizes hx, hy; < 0 inside. */
function rectSd(x: number, y: number, cx: number, hx: number, hy: number): number {
  const qx = Math.abs(x - cx) - hx;
  const qy = Math.abs(y) - hy;
  if (qx > 0 || qy > 0) {
    const ax = qx > 0 ? qx : 0;
    const ay = qy > 0 ? qy : 0;
    return Math.sqrt(ax * ax + ay * ay);
  }
  return qx > qy ? qx : qy;
}

/**
 * Converts a laser scan to base_link points into `out` (reused when large enough).
 * `ranges` metres; beam i at angle angleMin + i·angleIncrement in the sensor frame; the
 * sensor sits at (sensorX, sensorY, sensorYaw) in base_link. Invalid ranges are skipped.
 */
export function scanToPoints(
  ranges: ArrayLike<number>,
  angleMin: number,
  angleIncrement: number,
  stamp: number,
  sensor: { x: number; y: number; yaw: number } = { x: 0, y: 0, yaw: 0 },
  rangeLimits: { min: number; max: number } = { min: 0.02, max: 30 },
  out?: { xs: Float64Array; ys: Float64Array },
): ScanPoints & { xs: Float64Array; ys: Float64Array; count: number } {
  const n = ranges.length;
  const xs = out && out.xs.length >= n ? out.xs : new Float64Array(n);
  const ys = out && out.ys.length >= n ? out.ys : new Float64Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const r = ranges[i]!;
    if (!(r >= rangeLimits.min && r <= rangeLimits.max)) continue;
    const a = sensor.yaw + angleMin + i * angleIncrement;
    xs[count] = sensor.x + r * Math.cos(a);
    ys[count] = sensor.y + r * Math.sin(a);
    count++;
  }
  return { stamp, xs, ys, count };
}
