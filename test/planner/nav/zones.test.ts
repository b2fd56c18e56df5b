/**
 * Zone geometry for the planners: rasterization of keep-out polygons, speed caps at a
 * point and along a path, the planner's per-cycle limits, and the guard on the outgoing
 * command (arc prediction into keep-out, slow-zone caps, driving out of a zone).
 */
import { describe, expect, it } from 'vitest';
import {
  distanceToPolygon,
  footprintCorners,
  guardZones,
  keepOutOverlap,
  pointInPolygon,
  poseAlongArc,
  rasterizeKeepOut,
  ZoneSet,
  zoneLimits,
  type GridGeometry,
  type ZoneShape,
} from '../../../src/planner/nav/zones';
import { Prng } from '../../../src/planner/random';
import type { RobotLimits } from '../../../src/planner/local';

const box = (x0: number, y0: number, x1: number, y1: number): number[] => [x0, y0, x1, y0, x1, y1, x0, y1];
const keepOut = (polygon: number[], name = 'K'): ZoneShape => ({ kind: 'keep-out', slowSpeed: null, polygon, name });
const slow = (polygon: number[], speed: number, name = 'S'): ZoneShape => ({ kind: 'slow', slowSpeed: speed, polygon, name });

const GRID: GridGeometry = { width: 40, height: 30, resolution: 0.1, origin: { x: -1, y: -0.5 } };
const FP = { length: 0.45, width: 0.38, centerOffsetX: 0 };
const LIMITS: RobotLimits = { vMax: 1, vMin: 0, wMax: 2, aMax: 1, alphaMax: 3, jerkMax: 5, yawJerkMax: 10, footprint: FP };

function centre(g: GridGeometry, c: number, r: number): { x: number; y: number } {
  return { x: g.origin.x + (c + 0.5) * g.resolution, y: g.origin.y + (r + 0.5) * g.resolution };
}

/** Does segment a–b pass through the open cell (c, r)? (Dense sampling, for reference.) */
function segmentTouchesCell(g: GridGeometry, ax: number, ay: number, bx: number, by: number, c: number, r: number): boolean {
  const n = 800;
  for (let i = 0; i <= n; i++) {
    const x = ax + ((bx - ax) * i) / n, y = ay + ((by - ay) * i) / n;
    const fc = (x - g.origin.x) / g.resolution, fr = (y - g.origin.y) / g.resolution;
    if (fc > c + 1e-6 && fc < c + 1 - 1e-6 && fr > r + 1e-6 && fr < r + 1 - 1e-6) return true;
  }
  return false;
}

describe('zone geometry', () => {
  it('point in polygon and distance to it (0 inside)', () => {
    const p = box(0, 0, 2, 1);
    expect(pointInPolygon(1, 0.5, p)).toBe(true);
    expect(pointInPolygon(2.5, 0.5, p)).toBe(false);
    expect(distanceToPolygon(1, 0.5, p)).toBe(0);
    expect(distanceToPolygon(3, 0.5, p)).toBeCloseTo(1, 12);
    expect(distanceToPolygon(3, 2, p)).toBeCloseTo(Math.SQRT2, 12);
  });

  it('ignores malformed zones instead of inventing limits', () => {
    const z = new ZoneSet([
      keepOut([0, 0, 1, 0]),
      { kind: 'slow', slowSpeed: null, polygon: box(0, 0, 1, 1) },
      { kind: 'slow', slowSpeed: 0, polygon: box(0, 0, 1, 1) },
      keepOut([0, 0, 1, Number.NaN, 1, 1]),
      slow(box(0, 0, 1, 1), 0.3),
    ]);
    expect(z.ignored).toBe(4);
    expect(z.slow).toHaveLength(1);
    expect(z.keepOut).toHaveLength(0);
  });
});

describe('rasterizeKeepOut', () => {
  it('marks every cell whose centre is inside, exactly as pointInPolygon says, plus only cells an edge crosses', () => {
    const rng = new Prng(7);
    for (let trial = 0; trial < 20; trial++) {
      // A random star-shaped polygon (simple) around a random centre in the grid.
      const cx = -0.5 + rng.next() * 3, cy = rng.next() * 2.2;
      const n = 3 + Math.floor(rng.next() * 7);
      const poly: number[] = [];
      for (let i = 0; i < n; i++) {
        const a = (2 * Math.PI * (i + 0.2 + 0.6 * rng.next())) / n;
        const rad = 0.15 + rng.next() * 1.2;
        poly.push(cx + rad * Math.cos(a), cy + rad * Math.sin(a));
      }
      const zones = new ZoneSet([keepOut(poly)]);
      const mask = rasterizeKeepOut(zones, GRID);
      for (let r = 0; r < GRID.height; r++) {
        for (let c = 0; c < GRID.width; c++) {
          const p = centre(GRID, c, r);
          const inside = pointInPolygon(p.x, p.y, poly);
          let crossed = false;
          for (let i = 0, j = n - 1; i < n && !crossed; j = i++) {
            crossed = segmentTouchesCell(GRID, poly[2 * j]!, poly[2 * j + 1]!, poly[2 * i]!, poly[2 * i + 1]!, c, r);
          }
          const m = mask[r * GRID.width + c]!;
          if (inside || crossed) expect(m, `trial ${trial} cell ${c},${r}`).toBe(1);
          if (m === 1 && !inside && !crossed) {
            // Marked though neither: allowed only for a cell whose edge the polygon merely touches.
            const near = distanceToPolygon(p.x, p.y, poly);
            expect(near, `trial ${trial} cell ${c},${r} marked without reason`).toBeLessThanOrEqual(GRID.resolution * Math.SQRT1_2 + 1e-9);
          }
        }
      }
    }
  });

  it('blocks a zone thinner than a cell (edge crossings), and clips zones reaching outside the grid', () => {
    const thin = box(0.52, -10, 0.54, 10); // 2 cm wide, far beyond the grid in y
    const mask = rasterizeKeepOut(new ZoneSet([keepOut(thin)]), GRID);
    const col = Math.floor((0.53 - GRID.origin.x) / GRID.resolution);
    for (let r = 0; r < GRID.height; r++) expect(mask[r * GRID.width + col]).toBe(1);
    let total = 0;
    for (const v of mask) total += v;
    expect(total).toBe(GRID.height);
    // Entirely outside: nothing.
    const none = rasterizeKeepOut(new ZoneSet([keepOut(box(100, 100, 200, 200))]), GRID);
    expect(none.every((v) => v === 0)).toBe(true);
  });

  it('leaves slow zones off the grid', () => {
    const mask = rasterizeKeepOut(new ZoneSet([slow(box(0, 0, 1, 1), 0.3)]), GRID);
    expect(mask.every((v) => v === 0)).toBe(true);
  });
});

describe('speed caps', () => {
  const zones = new ZoneSet([slow(box(0, 0, 2, 2), 0.5, 'lobby'), slow(box(1, 1, 3, 3), 0.2, 'kitchen')]);

  it('at a point: the least over slow zones containing it; Infinity outside', () => {
    expect(zones.speedCapAt(0.5, 0.5)).toBe(0.5);
    expect(zones.speedCapAt(1.5, 1.5)).toBe(0.2);
    expect(zones.speedCapAt(2.5, 2.5)).toBe(0.2);
    expect(zones.speedCapAt(5, 5)).toBe(Infinity);
    expect(zones.slowZoneAt(1.5, 1.5).zone?.zone.name).toBe('kitchen');
  });

  it('approach envelope: √(v² + 2·b·d), continuous, equal to the zone speed at its edge', () => {
    const b = 0.5;
    expect(zones.approachCap(-1, 0.5, b).cap).toBeCloseTo(Math.sqrt(0.25 + 2 * b * 1), 12);
    expect(zones.approachCap(-1e-9, 0.5, b).cap).toBeCloseTo(0.5, 6);
    expect(zones.approachCap(0.5, 0.5, b).cap).toBe(0.5);
    // With a reaction delay the cap is lower, never below the zone's speed, and still continuous.
    const withDelay = [0, 0.05, 0.1, 0.2, 0.5, 1].map((d) => zones.approachCap(-d, 0.5, b, 0.3).cap);
    withDelay.forEach((c, i) => {
      expect(c).toBeGreaterThanOrEqual(0.5);
      if (i > 0) expect(c).toBeGreaterThanOrEqual(withDelay[i - 1]!);
    });
    expect(withDelay[5]!).toBeLessThan(zones.approachCap(-1, 0.5, b).cap);
    // Between the two: the nearer slower zone may bind first.
    expect(zones.approachCap(0.9, 1.5, b).cap).toBeCloseTo(Math.min(0.5, Math.sqrt(0.04 + 2 * b * 0.1)), 12);
  });

  it('along a path: the braking envelope and a trajectory that enters too fast', () => {
    const n = 31;
    const xs = Float64Array.from({ length: n }, (_, k) => -2 + k * 0.1); // -2 … 1, into the lobby at x = 0
    const ys = new Float64Array(n).fill(0.5);
    const caps = zones.capsAlong(xs, ys, n);
    expect(caps[0]).toBe(Infinity);
    expect(caps[n - 1]).toBe(0.5);
    const env = zones.brakingCapAlong(xs, ys, n, 0.5);
    expect(env.zone?.zone.name).toBe('lobby');
    expect(env.cap).toBeCloseTo(Math.sqrt(0.25 + 2 * 0.5 * 2), 6);
    // A constant 1 m/s into the lobby exceeds its limit by 0.5 m/s once inside.
    const traj = { xs, ys, vs: new Float64Array(n).fill(1), count: n };
    const ex = zones.speedExcessAlong(traj);
    expect(ex.excess).toBeCloseTo(0.5, 12);
    expect(xs[ex.at]!).toBeGreaterThanOrEqual(0);
    // Slowing to 0.5 before the edge: no excess.
    const slowed = { ...traj, vs: Float64Array.from(xs, (x) => (x < -1 ? 1 : 0.5)) };
    expect(zones.speedExcessAlong(slowed).excess).toBe(0);
  });

  it('the local planner\'s limits: capped in and near a slow zone, untouched far away', () => {
    expect(zoneLimits(LIMITS, zones, { x: 10, y: 10 })).toBe(LIMITS);
    expect(zoneLimits(LIMITS, zones, { x: 0.5, y: 0.5 }).vMax).toBe(0.5);
    expect(zoneLimits(LIMITS, zones, { x: 2, y: 2.5 }).vMax).toBe(0.2);
    // b = 0.5·aMax after a 0.3 s reaction: −b·τ + √(b²τ² + v² + 2·b·d).
    const near = zoneLimits(LIMITS, zones, { x: -0.3, y: 0.5 }).vMax;
    expect(near).toBeCloseTo(-0.15 + Math.sqrt(0.15 ** 2 + 0.25 + 2 * 0.5 * 0.3), 12);
    // Right at the edge the reaction delay means the zone's speed already applies.
    expect(zoneLimits(LIMITS, zones, { x: -0.05, y: 0.5 }).vMax).toBe(0.5);
    const rev = zoneLimits({ ...LIMITS, vMin: -0.4 }, zones, { x: 1.5, y: 1.5 });
    expect(rev.vMin).toBe(-0.2);
    expect(zoneLimits(LIMITS, new ZoneSet([]), { x: 0, y: 0 })).toBe(LIMITS);
  });
});

describe('guardZones (the command about to go out)', () => {
  const at = (x: number, y = 0, theta = 0) => ({ x, y, theta });
  const guard = (zones: ZoneSet, pose: { x: number; y: number; theta: number }, v: number, w = 0) =>
    guardZones(zones, { pose, command: { v, w }, footprint: FP, limits: { aMax: 1, alphaMax: 3 } });
  // A wall of keep-out starting 1.5 m ahead of the origin.
  const wall = new ZoneSet([keepOut(box(1.5, -2, 3, 2), 'server room')]);

  it('arc prediction: follows the exact unicycle arc', () => {
    const p = poseAlongArc(at(0), 1, Math.PI / 2, 1); // quarter circle of radius 2/π
    expect(p.x).toBeCloseTo(2 / Math.PI, 12);
    expect(p.y).toBeCloseTo(2 / Math.PI, 12);
    expect(p.theta).toBeCloseTo(Math.PI / 2, 12);
    expect(keepOutOverlap(wall, at(1.3), FP)).not.toBeNull(); // front at 1.525
    expect(keepOutOverlap(wall, at(1.2), FP)).toBeNull();
    expect(footprintCorners(at(0), FP)).toHaveLength(8);
  });

  it('passes far from zones and with no zones', () => {
    expect(guard(wall, at(-3), 0.5).action).toBe('pass');
    expect(guard(new ZoneSet([]), at(1.2), 1).action).toBe('pass');
    expect(guard(wall, at(1.2), 0).action).toBe('pass');
  });

  it('stops a command that takes the footprint into keep-out within 0.5 s, and says which zone', () => {
    // Front at 0.225 + 0.02 margin; the zone 0.3 m further: 0.3 s at 1 m/s.
    const d = guard(wall, at(0.95), 1);
    expect(d.action).toBe('stop');
    expect(d.command).toEqual({ v: 0, w: 0 });
    expect(d.reason).toContain('keep-out zone "server room"');
    expect(d.reason).toContain('stopped');
    expect(d.entryTime).toBeLessThanOrEqual(0.5);
  });

  it('slows continuously as the entry time falls from 1.5 s to 0.5 s', () => {
    let prev = Infinity;
    for (const x of [-1, -0.2, 0.1, 0.3, 0.5, 0.7]) {
      const d = guard(wall, at(x), 1);
      expect(d.command.v).toBeLessThanOrEqual(prev + 1e-12);
      prev = d.command.v;
    }
    const mid = guard(wall, at(0.25), 1); // entry after ≈ 1.0 s
    expect(mid.action).toBe('scale');
    expect(mid.command.v).toBeGreaterThan(0.3);
    expect(mid.command.v).toBeLessThan(0.7);
    expect(mid.reason).toContain('slowing');
  });

  it('predicts along the arc: a turn away from the zone passes, a turn into it is stopped', () => {
    // Zone ahead-left; driving straight passes it by.
    const side = new ZoneSet([keepOut(box(0.4, 0.5, 1.5, 1.5), 'plants')]);
    expect(guard(side, at(0), 0.6, 0).action).toBe('pass');
    expect(guard(side, at(0), 0.6, -1.5).action).toBe('pass');
    // Turning left runs into it after ≈ 0.8 s: slowed, not yet stopped…
    const left = guard(side, at(0), 0.6, 1.5);
    expect(left.action).toBe('scale');
    expect(left.command.v).toBeLessThan(0.6);
    expect(left.command.w / left.command.v).toBeCloseTo(1.5 / 0.6, 9);
    expect(left.reason).toContain('keep-out zone "plants"');
    // …and stopped when the same turn reaches it within 0.5 s.
    const closer = new ZoneSet([keepOut(box(0.3, 0.3, 1.5, 1.5), 'plants')]);
    expect(guard(closer, at(0), 0.6, 0).action).toBe('pass');
    expect(guard(closer, at(0), 0.6, 1.5).action).toBe('stop');
  });

  it('stops a turn in place that swings a corner into the zone', () => {
    // A zone just beside the rear-left corner, which swings out when turning left.
    const z = new ZoneSet([keepOut(box(-0.3, 0.22, 0.3, 0.6), 'shelf')]);
    expect(keepOutOverlap(z, at(0), FP)).toBeNull();
    const d = guard(z, at(0), 0, 1);
    expect(d.action).toBe('stop');
    expect(d.reason).toContain('in the way of the turn');
  });

  it('lets a robot that is already inside a zone drive out, not deeper', () => {
    const z = new ZoneSet([keepOut(box(-0.1, -2, 3, 2), 'wet floor')]); // covers the rear of the robot's… front
    expect(keepOutOverlap(z, at(0), FP)).not.toBeNull();
    expect(guard(z, at(0), 1).action).toBe('stop'); // deeper
    expect(guard(z, at(0), 1).reason).toContain('only moves out');
    expect(guard(z, at(0, 0, Math.PI), 0.3).action).toBe('pass'); // facing out: drive out
  });

  it('caps the speed in a slow zone and slows ahead of one along the arc', () => {
    const zones = new ZoneSet([slow(box(-1, -1, 1, 1), 0.3, 'lobby'), slow(box(3, -1, 5, 1), 0.2, 'kitchen')]);
    const inside = guard(zones, at(0), 1, 0.5);
    expect(inside.action).toBe('scale');
    expect(inside.command.v).toBeCloseTo(0.3, 9);
    expect(inside.command.w).toBeCloseTo(0.15, 9); // arc kept
    expect(inside.reason).toBe('slow zone "lobby": speed capped at 0.30 m/s');
    expect(guard(zones, at(0), 0.25).action).toBe('pass');
    // 0.6 m before the kitchen heading into it at 1 m/s: slowed to the envelope.
    const before = guard(zones, at(2.4), 1);
    expect(before.action).toBe('scale');
    expect(before.command.v).toBeGreaterThan(0.2);
    expect(before.command.v).toBeLessThan(1);
    expect(before.reason).toContain('approaching slow zone "kitchen"');
    // Same spot heading away: nothing to slow for.
    expect(guard(zones, at(2.4, 0, Math.PI), 1).action).toBe('pass');
  });
});
