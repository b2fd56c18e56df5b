/**
 * Operator zones for the planners: keep-out and slow polygons in the `map` frame (metres),
 * as drawn in the console and stored by the main side (src/main/review/zones.ts).
 *
 * How each layer obeys them:
 * - Global and local planning: keep-out polygons are rasterized onto the costmap's grid
 *   (`rasterizeKeepOut`) and become static obstacles there (Costmap.setKeepOut), so the
 *   inflated costmap keeps the whole footprint out of them and the local planner's distance
 *   field treats their edges like walls.
 * - Local planning, speed: `zoneLimits` caps the local planner's vMax for the cycle with a
 *   braking envelope around every slow zone (≈ √(v_zone² + 2·b·d) at distance d), so the robot
 *   is already at the zone's speed when its centre crosses the edge, and the cap rises
 *   continuously as it leaves; no mode switch.
 * - Reactive layer and teleop: `guardZones` checks the command about to go out along its
 *   arc: it slows and then stops a command that would take the footprint into a keep-out
 *   zone (the same time-to-entry ramp the reactive layer uses for walls), and caps the
 *   speed so the robot can slow to every slow zone's limit before it gets there.
 *
 * Slow zones apply to the robot's centre (base_link origin): "drive slowly here" is about
 * where the robot is. Keep-out zones apply to the whole footprint.
 * Polygons are flat [x0, y0, x1, y1, …], not closed; even-odd inside test. Pure TypeScript.
 */
import type { Pose2D, RectFootprint, Twist2D } from '../../shared/geometry';
import type { RobotLimits } from '../local';

/** A zone as the planners need it; the API's `Zone` satisfies this structurally. */
export interface ZoneShape {
  id?: number;
  name?: string;
  kind: 'keep-out' | 'slow';
  /** Speed limit inside a slow zone, m/s; null (or ignored) for keep-out. */
  slowSpeed: number | null;
  /** Flat [x0, y0, …], map frame, metres, at least 3 vertices. */
  polygon: readonly number[];
}

/** One zone, checked and with its bounding box, ready for queries. */
export interface CompiledZone {
  readonly zone: ZoneShape;
  readonly kind: 'keep-out' | 'slow';
  /** Speed limit, m/s: the slow speed, or 0 for keep-out. */
  readonly speed: number;
  readonly polygon: readonly number[];
  readonly minX: number;
  readonly minY: number;
  readonly maxX: number;
  readonly maxY: number;
}

/** Even-odd point-in-polygon for a flat polygon (map frame). Same rule as the main side's. */
export function pointInPolygon(x: number, y: number, p: readonly number[]): boolean {
  let inside = false;
  const n = p.length >> 1;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const xi = p[2 * i]!, yi = p[2 * i + 1]!, xj = p[2 * j]!, yj = p[2 * j + 1]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Distance from a point to the polygon's boundary, metres (inside or outside). */
export function distanceToBoundary(x: number, y: number, p: readonly number[]): number {
  let best = Infinity;
  const n = p.length >> 1;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const ax = p[2 * j]!, ay = p[2 * j + 1]!, bx = p[2 * i]!, by = p[2 * i + 1]!;
    const dx = bx - ax, dy = by - ay;
    const l2 = dx * dx + dy * dy;
    const u = l2 > 0 ? Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / l2)) : 0;
    const d = Math.hypot(x - ax - u * dx, y - ay - u * dy);
    if (d < best) best = d;
  }
  return best;
}

/** Distance from a point to the polygon, metres: 0 inside, else to the boundary. */
export function distanceToPolygon(x: number, y: number, p: readonly number[]): number {
  return pointInPolygon(x, y, p) ? 0 : distanceToBoundary(x, y, p);
}

function compile(z: ZoneShape): CompiledZone | null {
  const p = z.polygon;
  if (p.length < 6 || p.length % 2 !== 0 || !p.every(Number.isFinite)) return null;
  let speed = 0;
  if (z.kind === 'slow') {
    // A slow zone without a usable speed would be a keep-out by accident; the store refuses
    // it, so here it is simply not a zone.
    if (z.slowSpeed === null || !(z.slowSpeed > 0) || !Number.isFinite(z.slowSpeed)) return null;
    speed = z.slowSpeed;
  } else if (z.kind !== 'keep-out') return null;
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let i = 0; i < p.length; i += 2) {
    minX = Math.min(minX, p[i]!);
    maxX = Math.max(maxX, p[i]!);
    minY = Math.min(minY, p[i + 1]!);
    maxY = Math.max(maxY, p[i + 1]!);
  }
  return { zone: z, kind: z.kind, speed, polygon: p.slice(), minX, minY, maxX, maxY };
}

/** The name the operator gave a zone, quoted, for plain-words messages. */
export function zoneLabel(z: CompiledZone): string {
  const kind = z.kind === 'keep-out' ? 'keep-out zone' : 'slow zone';
  if (z.zone.name) return `${kind} "${z.zone.name}"`;
  return z.zone.id !== undefined ? `${kind} #${z.zone.id}` : kind;
}

/** The operator's zones, checked, split by kind, with the queries every layer uses. */
export class ZoneSet {
  readonly keepOut: readonly CompiledZone[];
  readonly slow: readonly CompiledZone[];
  /** Zones dropped as malformed (too few corners, non-finite, slow without a speed). */
  readonly ignored: number;

  constructor(zones: readonly ZoneShape[] = []) {
    const keepOut: CompiledZone[] = [];
    const slow: CompiledZone[] = [];
    let ignored = 0;
    for (const z of zones) {
      const c = compile(z);
      if (!c) ignored++;
      else (c.kind === 'keep-out' ? keepOut : slow).push(c);
    }
    this.keepOut = keepOut;
    this.slow = slow;
    this.ignored = ignored;
  }

  get empty(): boolean {
    return this.keepOut.length === 0 && this.slow.length === 0;
  }

  /** The keep-out zone containing the point, or null. */
  keepOutAt(x: number, y: number): CompiledZone | null {
    for (const z of this.keepOut) if (inBox(z, x, y, 0) && pointInPolygon(x, y, z.polygon)) return z;
    return null;
  }

  /** Speed limit at a point, m/s: the least over slow zones containing it; Infinity outside them. */
  speedCapAt(x: number, y: number): number {
    return this.slowZoneAt(x, y).cap;
  }

  /** The slow zone that sets the limit at a point (the slowest containing it), and that limit. */
  slowZoneAt(x: number, y: number): { cap: number; zone: CompiledZone | null } {
    let cap = Infinity;
    let zone: CompiledZone | null = null;
    for (const z of this.slow) {
      if (z.speed < cap && inBox(z, x, y, 0) && pointInPolygon(x, y, z.polygon)) {
        cap = z.speed;
        zone = z;
      }
    }
    return { cap, zone };
  }

  /**
   * Highest speed at a point from which the robot, slowing at `decel` m/s² after `reaction`
   * seconds, reaches every slow zone at no more than that zone's speed: the least over zones
   * of max(v_z, −decel·τ + √(decel²τ² + v_z² + 2·decel·d_z)), d_z the distance to the zone
   * (0 inside), metres; with τ = 0 that is √(v_z² + 2·decel·d_z). Infinity with no slow
   * zones. It does not know the heading, so it is conservative beside a zone the robot is
   * not heading into.
   */
  approachCap(x: number, y: number, decel: number, reaction = 0): { cap: number; zone: CompiledZone | null } {
    let cap = Infinity;
    let zone: CompiledZone | null = null;
    const bt = decel * reaction;
    const envelope = (vz: number, d: number): number => Math.max(vz, -bt + Math.sqrt(bt * bt + vz * vz + 2 * decel * d));
    for (const z of this.slow) {
      // The bounding box gives a lower bound on the distance: skip zones that cannot bind.
      const boxD = Math.hypot(Math.max(z.minX - x, 0, x - z.maxX), Math.max(z.minY - y, 0, y - z.maxY));
      if (envelope(z.speed, boxD) >= cap) continue;
      const c = envelope(z.speed, distanceToPolygon(x, y, z.polygon));
      if (c < cap) {
        cap = c;
        zone = z;
      }
    }
    return { cap, zone };
  }

  /** Speed limit at each of `count` points (map frame), m/s; Infinity outside slow zones. */
  capsAlong(xs: ArrayLike<number>, ys: ArrayLike<number>, count: number): Float64Array {
    const caps = new Float64Array(count);
    for (let k = 0; k < count; k++) caps[k] = this.speedCapAt(xs[k]!, ys[k]!);
    return caps;
  }

  /**
   * Highest speed now (at point 0 of a path the robot is about to drive) from which it can
   * slow at `decel` m/s² to each point's limit by the time it gets there:
   * min over k of √(cap_k² + 2·decel·s_k), s_k the path length to point k, metres.
   */
  brakingCapAlong(xs: ArrayLike<number>, ys: ArrayLike<number>, count: number, decel: number): { cap: number; zone: CompiledZone | null; at: number } {
    let best = { cap: Infinity, zone: null as CompiledZone | null, at: -1 };
    let s = 0;
    for (let k = 0; k < count; k++) {
      if (k > 0) s += Math.hypot(xs[k]! - xs[k - 1]!, ys[k]! - ys[k - 1]!);
      // Beyond this length no limit can bind any more (√(2·decel·s) ≥ the best so far).
      if (2 * decel * s >= best.cap * best.cap) break;
      const { cap, zone } = this.slowZoneAt(xs[k]!, ys[k]!);
      if (!zone) continue;
      const c = Math.sqrt(cap * cap + 2 * decel * s);
      if (c < best.cap) best = { cap: c, zone, at: k };
    }
    return best;
  }

  /**
   * How far a trajectory's speed exceeds the slow zones' limits: the largest |v_k| − cap_k
   * over its samples (0 when it never does), where and in which zone. For judging or
   * penalizing a candidate that enters a slow zone at speed.
   */
  speedExcessAlong(traj: { xs: ArrayLike<number>; ys: ArrayLike<number>; vs: ArrayLike<number>; count: number }): { excess: number; at: number; zone: CompiledZone | null } {
    let best = { excess: 0, at: -1, zone: null as CompiledZone | null };
    if (this.slow.length === 0) return best;
    for (let k = 0; k < traj.count; k++) {
      const { cap, zone } = this.slowZoneAt(traj.xs[k]!, traj.ys[k]!);
      const e = Math.abs(traj.vs[k]!) - cap;
      if (zone && e > best.excess) best = { excess: e, at: k, zone };
    }
    return best;
  }
}

function inBox(z: CompiledZone, x: number, y: number, pad: number): boolean {
  return x >= z.minX - pad && x <= z.maxX + pad && y >= z.minY - pad && y <= z.maxY + pad;
}

/** Grid geometry (OccupancyGrid/Costmap conventions: cell (0, 0) has its corner at origin). */
export interface GridGeometry {
  width: number;
  height: number;
  /** Cell edge, metres. */
  resolution: number;
  origin: { x: number; y: number };
}

/**
 * Keep-out zones on a grid: 1 in every cell whose centre is inside a keep-out polygon, and
 * in every cell a polygon edge passes through (so a zone thinner than a cell, or a corner
 * that clips a cell, still blocks it). `data[row * width + col]`, same layout as the grid.
 */
export function rasterizeKeepOut(zones: ZoneSet, grid: GridGeometry): Uint8Array {
  const mask = new Uint8Array(grid.width * grid.height);
  for (const z of zones.keepOut) {
    fillCentres(mask, grid, z);
    const p = z.polygon;
    const n = p.length >> 1;
    for (let i = 0, j = n - 1; i < n; j = i++) markSegment(mask, grid, p[2 * j]!, p[2 * j + 1]!, p[2 * i]!, p[2 * i + 1]!);
  }
  return mask;
}

/**
 * Scanline fill of the cells whose centre is inside (even-odd, exactly the rule of
 * pointInPolygon: a centre x is inside when x_{2k} ≤ x < x_{2k+1} for sorted crossings).
 */
function fillCentres(mask: Uint8Array, g: GridGeometry, z: CompiledZone): void {
  const res = g.resolution;
  const p = z.polygon;
  const n = p.length >> 1;
  const r0 = Math.max(0, Math.floor((z.minY - g.origin.y) / res - 0.5));
  const r1 = Math.min(g.height - 1, Math.ceil((z.maxY - g.origin.y) / res - 0.5));
  const xs: number[] = [];
  for (let r = r0; r <= r1; r++) {
    const y = g.origin.y + (r + 0.5) * res;
    xs.length = 0;
    for (let i = 0, j = n - 1; i < n; j = i++) {
      const xi = p[2 * i]!, yi = p[2 * i + 1]!, xj = p[2 * j]!, yj = p[2 * j + 1]!;
      if (yi > y !== yj > y) xs.push(((xj - xi) * (y - yi)) / (yj - yi) + xi);
    }
    xs.sort((a, b) => a - b);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      const c0 = Math.max(0, Math.ceil((xs[k]! - g.origin.x) / res - 0.5));
      const c1 = Math.min(g.width, Math.ceil((xs[k + 1]! - g.origin.x) / res - 0.5));
      for (let c = c0; c < c1; c++) mask[r * g.width + c] = 1;
    }
  }
}

/**
 * Marks every cell a segment passes through (grid traversal, Amanatides & Woo; at an exact
 * corner crossing both side cells too). The segment is first clipped to the grid, so a
 * zone drawn far outside the map costs nothing.
 */
function markSegment(mask: Uint8Array, g: GridGeometry, ax: number, ay: number, bx: number, by: number): void {
  const res = g.resolution;
  // Grid coordinates (cells), then clip to [0, width] × [0, height] (Liang–Barsky).
  let x0 = (ax - g.origin.x) / res, y0 = (ay - g.origin.y) / res;
  let x1 = (bx - g.origin.x) / res, y1 = (by - g.origin.y) / res;
  const dx = x1 - x0, dy = y1 - y0;
  let t0 = 0, t1 = 1;
  const clip = (pp: number, q: number): boolean => {
    if (pp === 0) return q >= 0;
    const t = q / pp;
    if (pp < 0) {
      if (t > t1) return false;
      if (t > t0) t0 = t;
    } else {
      if (t < t0) return false;
      if (t < t1) t1 = t;
    }
    return true;
  };
  if (!(clip(-dx, x0) && clip(dx, g.width - x0) && clip(-dy, y0) && clip(dy, g.height - y0))) return;
  [x0, y0, x1, y1] = [x0 + t0 * dx, y0 + t0 * dy, x0 + t1 * dx, y0 + t1 * dy];
  const mark = (c: number, r: number): void => {
    if (c >= 0 && r >= 0 && c < g.width && r < g.height) mask[r * g.width + c] = 1;
  };
  const lx = x1 - x0, ly = y1 - y0;
  const sx = Math.sign(lx), sy = Math.sign(ly);
  let c = Math.floor(x0), r = Math.floor(y0);
  const cEnd = Math.floor(x1), rEnd = Math.floor(y1);
  // Parameter (0…1 along the clipped segment) of the next vertical / horizontal cell edge.
  const tDx = sx !== 0 ? 1 / Math.abs(lx) : Infinity;
  const tDy = sy !== 0 ? 1 / Math.abs(ly) : Infinity;
  let tMx = sx > 0 ? (c + 1 - x0) / lx : sx < 0 ? (c - x0) / lx : Infinity;
  let tMy = sy > 0 ? (r + 1 - y0) / ly : sy < 0 ? (r - y0) / ly : Infinity;
  mark(c, r);
  // Each step moves one cell toward the end cell, so this many steps always suffice.
  const steps = Math.abs(cEnd - c) + Math.abs(rEnd - r);
  for (let k = 0; k < steps && (c !== cEnd || r !== rEnd); k++) {
    if (Math.abs(tMx - tMy) < 1e-12) {
      // Through a cell corner: the two side cells are touched too.
      mark(c + sx, r);
      mark(c, r + sy);
      c += sx;
      r += sy;
      tMx += tDx;
      tMy += tDy;
      k++;
    } else if (tMx < tMy) {
      c += sx;
      tMx += tDx;
    } else {
      r += sy;
      tMy += tDy;
    }
    mark(c, r);
  }
}

/** How the planner treats slow zones. */
export interface ZoneLimitsOptions {
  /**
   * Deceleration assumed for slowing into a slow zone, as a fraction of aMax. Below 1 so
   * the jerk-limited profiles (which take time to build up deceleration) keep up with the
   * shrinking cap.
   */
  decelFraction: number;
  /**
   * Delay before the robot's deceleration takes hold, s: a planning cycle (0.1 s), the
   * jerk-limited build-up of deceleration (aMax/jerkMax ≈ 0.1–0.2 s) and some slack. Without
   * it the robot, tracking a cap that falls as it approaches, reached a 0.3 m/s zone at
   * 0.35 m/s in the closed-loop test.
   */
  reactionS: number;
}

export const DEFAULT_ZONE_LIMITS_OPTIONS: ZoneLimitsOptions = { decelFraction: 0.5, reactionS: 0.3 };

/**
 * The local planner's limits for a cycle that starts at `pose` (map frame): vMax (and a
 * reversing vMin) capped by the slow zones' braking envelope (ZoneSet.approachCap, with a
 * reaction delay). Inside
 * a zone that is the zone's speed; approaching one, the cap falls continuously so the robot
 * arrives at the zone's speed; with no slow zone near, `limits` itself is returned.
 *
 * Why a per-cycle cap rather than a cost term: a cap makes every candidate obey by
 * construction (the candidate box is clamped to vMax), so no weighting of progress against
 * speed can trade the limit away, and the planner's cost formula stays as tuned. The
 * envelope keeps it continuous in position, so the speed still changes smoothly.
 */
export function zoneLimits(limits: RobotLimits, zones: ZoneSet, pose: { x: number; y: number }, opts: ZoneLimitsOptions = DEFAULT_ZONE_LIMITS_OPTIONS): RobotLimits {
  if (zones.slow.length === 0) return limits;
  const { cap } = zones.approachCap(pose.x, pose.y, opts.decelFraction * limits.aMax, opts.reactionS);
  if (!(cap < limits.vMax)) return limits;
  return { ...limits, vMax: cap, vMin: Math.max(limits.vMin, -cap) };
}

/** Settings of the zone guard on the outgoing command. */
export interface ZoneGuardConfig {
  /** Footprint entering a keep-out zone within this time at the commanded speed → stop, s. */
  stopWithinS: number;
  /** …within this time → the command is scaled down linearly toward the stop, s. */
  slowWithinS: number;
  /** Delay before braking starts (tick period + transit), s. */
  reactionTime: number;
  /** Footprint inflation for keep-out contact, metres. */
  marginM: number;
  /** Largest motion of the footprint between two checks along the arc, metres. */
  resolutionM: number;
  /** Scale below which the command becomes a stop. */
  minScale: number;
  /** Deceleration assumed for slowing into a slow zone, fraction of aMax (as the planner's). */
  slowDecelFraction: number;
  /** Commands within this much of a slow zone's limit pass untouched, m/s. */
  slowToleranceMps: number;
  /** Inside a keep-out zone already: motion that takes the footprint deeper than this is stopped, metres. */
  escapeToleranceM: number;
}

export const DEFAULT_ZONE_GUARD_CONFIG: ZoneGuardConfig = {
  stopWithinS: 0.5,
  slowWithinS: 1.5,
  reactionTime: 0.06,
  marginM: 0.02,
  resolutionM: 0.02,
  minScale: 0.02,
  slowDecelFraction: 0.5,
  slowToleranceMps: 0.005,
  escapeToleranceM: 0.01,
};

export interface ZoneGuardInput {
  /** Robot pose, map frame. */
  pose: Pose2D;
  /** The command about to go out (base_link twist, m/s and rad/s). */
  command: Twist2D;
  footprint: RectFootprint;
  /** Braking capability: linear m/s², yaw rad/s². */
  limits: { aMax: number; alphaMax: number };
}

export interface ZoneGuardDecision {
  /** The command to send: the requested one, scaled (v and w together, keeping the arc), or zero. */
  command: Twist2D;
  action: 'pass' | 'scale' | 'stop';
  /** Factor applied, 0…1. */
  scale: number;
  /** Plain words for the operator (which zone, what was done), or null on pass. */
  reason: string | null;
  /** The zone that decided, or null. */
  zone: CompiledZone | null;
  /** Time until the footprint enters a keep-out zone at the requested speed, s (Infinity: not within the look-ahead). */
  entryTime: number;
}

const PASS = (command: Twist2D): ZoneGuardDecision => ({ command, action: 'pass', scale: 1, reason: null, zone: null, entryTime: Infinity });

/** Pose after following (v, w) for t seconds from `p` (exact unicycle arc). */
export function poseAlongArc(p: Pose2D, v: number, w: number, t: number): Pose2D {
  if (Math.abs(w) < 1e-9) return { x: p.x + v * t * Math.cos(p.theta), y: p.y + v * t * Math.sin(p.theta), theta: p.theta };
  const th = p.theta + w * t;
  return { x: p.x + (v / w) * (Math.sin(th) - Math.sin(p.theta)), y: p.y - (v / w) * (Math.cos(th) - Math.cos(p.theta)), theta: th };
}

/** Corners of the footprint (inflated by `margin`) at a pose, map frame, counter-clockwise. */
export function footprintCorners(p: Pose2D, fp: RectFootprint, margin = 0): number[] {
  const x0 = fp.centerOffsetX - fp.length / 2 - margin, x1 = fp.centerOffsetX + fp.length / 2 + margin;
  const y0 = -fp.width / 2 - margin, y1 = fp.width / 2 + margin;
  const c = Math.cos(p.theta), s = Math.sin(p.theta);
  const out: number[] = [];
  for (const [lx, ly] of [[x0, y0], [x1, y0], [x1, y1], [x0, y1]] as const) out.push(p.x + c * lx - s * ly, p.y + s * lx + c * ly);
  return out;
}

function segmentsIntersect(ax: number, ay: number, bx: number, by: number, cx: number, cy: number, dx: number, dy: number): boolean {
  const o = (px: number, py: number, qx: number, qy: number, rx: number, ry: number): number => (qx - px) * (ry - py) - (qy - py) * (rx - px);
  const d1 = o(cx, cy, dx, dy, ax, ay), d2 = o(cx, cy, dx, dy, bx, by);
  const d3 = o(ax, ay, bx, by, cx, cy), d4 = o(ax, ay, bx, by, dx, dy);
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) return true;
  // Touching counts as contact (collinear overlaps and endpoints on the other segment).
  const on = (px: number, py: number, qx: number, qy: number, rx: number, ry: number, d: number): boolean =>
    d === 0 && Math.min(px, qx) <= rx && rx <= Math.max(px, qx) && Math.min(py, qy) <= ry && ry <= Math.max(py, qy);
  return on(cx, cy, dx, dy, ax, ay, d1) || on(cx, cy, dx, dy, bx, by, d2) || on(ax, ay, bx, by, cx, cy, d3) || on(ax, ay, bx, by, dx, dy, d4);
}

/** True when a convex quadrilateral (flat, 4 corners) and a polygon overlap or touch. */
export function quadOverlapsPolygon(q: readonly number[], z: CompiledZone): boolean {
  let qMinX = Infinity, qMinY = Infinity, qMaxX = -Infinity, qMaxY = -Infinity;
  for (let i = 0; i < 8; i += 2) {
    qMinX = Math.min(qMinX, q[i]!);
    qMaxX = Math.max(qMaxX, q[i]!);
    qMinY = Math.min(qMinY, q[i + 1]!);
    qMaxY = Math.max(qMaxY, q[i + 1]!);
  }
  if (qMaxX < z.minX || qMinX > z.maxX || qMaxY < z.minY || qMinY > z.maxY) return false;
  const p = z.polygon;
  // A footprint corner inside the zone, or a zone corner inside the footprint…
  for (let i = 0; i < 8; i += 2) if (pointInPolygon(q[i]!, q[i + 1]!, p)) return true;
  const n = p.length >> 1;
  for (let i = 0; i < n; i++) if (pointInPolygon(p[2 * i]!, p[2 * i + 1]!, q)) return true;
  // …or edges crossing (a zone corner poking through a side).
  for (let a = 0; a < 4; a++) {
    const b = (a + 1) % 4;
    const ax = q[2 * a]!, ay = q[2 * a + 1]!, bx = q[2 * b]!, by = q[2 * b + 1]!;
    if (Math.max(ax, bx) < z.minX || Math.min(ax, bx) > z.maxX || Math.max(ay, by) < z.minY || Math.min(ay, by) > z.maxY) continue;
    for (let i = 0, j = n - 1; i < n; j = i++) {
      if (segmentsIntersect(ax, ay, bx, by, p[2 * j]!, p[2 * j + 1]!, p[2 * i]!, p[2 * i + 1]!)) return true;
    }
  }
  return false;
}

/** The first keep-out zone the footprint at `pose` overlaps, or null. */
export function keepOutOverlap(zones: ZoneSet, pose: Pose2D, fp: RectFootprint, margin = 0): CompiledZone | null {
  if (zones.keepOut.length === 0) return null;
  const q = footprintCorners(pose, fp, margin);
  for (const z of zones.keepOut) if (quadOverlapsPolygon(q, z)) return z;
  return null;
}

/**
 * How deep the footprint is inside keep-out zones: the largest distance from a zone's edge
 * of a 5 × 5 lattice of footprint points that are inside one, metres (0 when none is).
 */
export function keepOutDepth(zones: ZoneSet, pose: Pose2D, fp: RectFootprint): number {
  let depth = 0;
  const c = Math.cos(pose.theta), s = Math.sin(pose.theta);
  for (let i = 0; i < 5; i++) {
    const lx = fp.centerOffsetX - fp.length / 2 + (fp.length * i) / 4;
    for (let j = 0; j < 5; j++) {
      const ly = -fp.width / 2 + (fp.width * j) / 4;
      const x = pose.x + c * lx - s * ly, y = pose.y + s * lx + c * ly;
      const z = zones.keepOutAt(x, y);
      if (z) depth = Math.max(depth, distanceToBoundary(x, y, z.polygon));
    }
  }
  return depth;
}

/** Largest fraction k of a motion (rate `rate`, braking `decel`) that stops within `room` after `reaction` s. */
function brakeScale(rate: number, room: number, decel: number, reaction: number): number {
  if (rate <= 0) return 1;
  if (room <= 0) return 0;
  const u = decel * (-reaction + Math.sqrt(reaction * reaction + (2 * room) / decel));
  return Math.min(1, u / rate);
}

/**
 * The zone check on the command about to go out (after the reactive layer), for autonomy
 * and teleop alike:
 * - Keep-out: the footprint (inflated by marginM) is followed along the command's arc;
 *   if it would enter a keep-out zone after t* seconds, the command is scaled by
 *   min(k_brake, k_ramp) — k_brake the largest fraction from which it still stops before
 *   the edge, k_ramp falling linearly from 1 at slowWithinS to 0 at stopWithinS — and
 *   stopped when t* ≤ stopWithinS or the scale is below minScale (as the reactive layer
 *   does for walls). A footprint already inside a zone (the zone was drawn over the robot)
 *   may move only in ways that do not take it deeper, so it can be driven out.
 * - Slow zones: the highest speed from which the robot, slowing at slowDecelFraction·aMax,
 *   reaches every point of the arc at no more than that point's limit (brakingCapAlong);
 *   above it, v and w are scaled together so the arc is kept.
 */
export function guardZones(zones: ZoneSet, input: ZoneGuardInput, config: ZoneGuardConfig = DEFAULT_ZONE_GUARD_CONFIG): ZoneGuardDecision {
  const { pose, command, footprint: fp, limits } = input;
  const v = command.v, w = command.w;
  if (zones.empty || (v === 0 && w === 0)) return PASS(command);
  if (![pose.x, pose.y, pose.theta, v, w].every(Number.isFinite)) {
    return { command: { v: 0, w: 0 }, action: 'stop', scale: 0, reason: 'zones: pose or command not finite', zone: null, entryTime: 0 };
  }
  let scale = 1;
  let action: ZoneGuardDecision['action'] = 'pass';
  let reason: string | null = null;
  let zone: CompiledZone | null = null;
  let entryTime = Infinity;

  if (zones.keepOut.length > 0) {
    const corner = Math.hypot(Math.abs(fp.centerOffsetX) + fp.length / 2, fp.width / 2) + config.marginM;
    const speed = Math.abs(v) + Math.abs(w) * corner; // fastest footprint point, m/s
    const horizon = Math.max(
      config.slowWithinS,
      config.reactionTime + Math.abs(v) / limits.aMax,
      config.reactionTime + Math.abs(w) / limits.alphaMax,
    );
    const steps = Math.min(400, Math.max(1, Math.ceil((speed * horizon) / config.resolutionM)));
    const dt = horizon / steps;
    const inside = keepOutOverlap(zones, pose, fp, 0);
    if (inside) {
      // Already inside (a zone drawn over the robot, or odometry drift): allow only motion
      // that does not take the footprint deeper, so the operator can drive it out.
      const depth0 = keepOutDepth(zones, pose, fp);
      for (let k = 1; k <= steps; k++) {
        const p = poseAlongArc(pose, v, w, k * dt);
        if (keepOutDepth(zones, p, fp) > depth0 + config.escapeToleranceM) {
          return { command: { v: 0, w: 0 }, action: 'stop', scale: 0, reason: `inside ${zoneLabel(inside)}: only moves out of it are allowed`, zone: inside, entryTime: 0 };
        }
      }
    } else {
      let hit: CompiledZone | null = null;
      let k = 1;
      for (; k <= steps; k++) {
        hit = keepOutOverlap(zones, poseAlongArc(pose, v, w, k * dt), fp, config.marginM);
        if (hit) break;
      }
      if (hit) {
        // The last free sample: contact happens after it (conservative by one step).
        const t = (k - 1) * dt;
        entryTime = t;
        const ramp = Math.max(0, Math.min(1, (t - config.stopWithinS) / (config.slowWithinS - config.stopWithinS)));
        const kb = Math.min(
          brakeScale(Math.abs(v), Math.abs(v) * t, limits.aMax, config.reactionTime),
          brakeScale(Math.abs(w), Math.abs(w) * t, limits.alphaMax, config.reactionTime),
        );
        const kk = Math.min(ramp, kb);
        const ahead = Math.abs(v) > 1e-6 ? `${(Math.abs(v) * t).toFixed(2)} m ahead` : 'in the way of the turn';
        if (t <= config.stopWithinS || kk < config.minScale) {
          return { command: { v: 0, w: 0 }, action: 'stop', scale: 0, reason: `${zoneLabel(hit)} ${ahead}: stopped`, zone: hit, entryTime };
        }
        if (kk < 1) {
          scale = kk;
          action = 'scale';
          reason = `${zoneLabel(hit)} ${ahead}: slowing`;
          zone = hit;
        }
      }
    }
  }

  if (zones.slow.length > 0 && Math.abs(v) > 1e-6) {
    // Sample the arc only as far as the robot goes before it could have slowed to a stop:
    // no limit further on can bind (√(2·b·s) ≥ |v| there).
    const b = config.slowDecelFraction * limits.aMax;
    const vs = Math.abs(v * scale);
    const reach = (vs * vs) / (2 * b) + 0.05;
    const n = Math.max(1, Math.ceil(reach / 0.05));
    const xs = new Float64Array(n + 1), ys = new Float64Array(n + 1);
    for (let k = 0; k <= n; k++) {
      const p = poseAlongArc(pose, v, w, (reach * k) / n / Math.abs(v));
      xs[k] = p.x;
      ys[k] = p.y;
    }
    const env = zones.brakingCapAlong(xs, ys, n + 1, b);
    if (env.zone && vs > env.cap + config.slowToleranceMps) {
      scale *= env.cap / vs;
      action = 'scale';
      zone = env.zone;
      reason = env.at === 0
        ? `${zoneLabel(env.zone)}: speed capped at ${env.zone.speed.toFixed(2)} m/s`
        : `approaching ${zoneLabel(env.zone)} (${env.zone.speed.toFixed(2)} m/s): slowing to ${env.cap.toFixed(2)} m/s`;
    }
  }

  if (action === 'pass') return { ...PASS(command), entryTime };
  if (scale < config.minScale) return { command: { v: 0, w: 0 }, action: 'stop', scale: 0, reason: `${reason}: stopped`, zone, entryTime };
  return { command: { v: v * scale, w: w * scale }, action, scale, reason, zone, entryTime };
}
