/**
 * Operator zones through the whole navigation stack: a keep-out zone across the direct
 * route makes the global path and the driven route go around it (and a goal inside it is
 * refused), a slow zone caps the speed the local planner chooses there, and zones can be
 * changed and removed at run time. The robot follows each chosen trajectory exactly
 * (state = the trajectory one cycle later), with no scan, so only the map and the zones act.
 */
import { describe, expect, it } from 'vitest';
import { NavigationStack, trajectoryVelocityAt, type NavCycleOutput } from '../../../src/planner/nav';
import { keepOutOverlap, pointInPolygon, ZoneSet, type ZoneShape } from '../../../src/planner/nav/zones';
import { Costmap, COST_LETHAL, inflationForFootprint } from '../../../src/planner/grid';
import type { RobotLimits, RobotState } from '../../../src/planner/local';
import type { OccupancyGrid } from '../../../src/shared/grid';
import type { Pose2D, Vec2 } from '../../../src/shared/geometry';

const FP = { length: 0.45, width: 0.38, centerOffsetX: 0 };
const LIMITS: RobotLimits = { vMax: 1, vMin: 0, wMax: 2, aMax: 1, alphaMax: 3, jerkMax: 5, yawJerkMax: 10, footprint: FP };
/** Fewer candidates than live: these tests are about zones, not plan quality, and run on busy machines. */
const NAV = { perception: false, localPlanner: { coarseCount: 700, warmCount: 100, refineRounds: 2, refineCount: 250 } };

/** An empty room of w × h metres, walls one cell thick, 5 cm cells, origin at (0, 0). */
function room(w: number, h: number): OccupancyGrid {
  const res = 0.05;
  const width = Math.round(w / res), height = Math.round(h / res);
  const data = new Uint8Array(width * height);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) if (r === 0 || c === 0 || r === height - 1 || c === width - 1) data[r * width + c] = 100;
  }
  return { width, height, resolution: res, origin: { x: 0, y: 0 }, data };
}

const box = (x0: number, y0: number, x1: number, y1: number): number[] => [x0, y0, x1, y0, x1, y1, x0, y1];

/** Points every 2 cm along a polyline. */
function densify(path: readonly Vec2[]): Vec2[] {
  const out: Vec2[] = [];
  for (let i = 0; i + 1 < path.length; i++) {
    const a = path[i]!, b = path[i + 1]!;
    const n = Math.max(1, Math.ceil(Math.hypot(b.x - a.x, b.y - a.y) / 0.02));
    for (let k = 0; k < n; k++) out.push({ x: a.x + ((b.x - a.x) * k) / n, y: a.y + ((b.y - a.y) * k) / n });
  }
  out.push(path[path.length - 1]!);
  return out;
}

interface Drive {
  outputs: NavCycleOutput[];
  /** Robot states at the start of each cycle. */
  states: RobotState[];
  status: string;
}

/** Closed loop with a perfect base: each cycle the robot is where the chosen trajectory put it 0.1 s later. */
function drive(nav: NavigationStack, start: Pose2D, goal: Pose2D, maxCycles: number): Drive {
  let state: RobotState = { pose: start, v: 0, w: 0, a: 0, alpha: 0 };
  let now = 0;
  const res = nav.setGoal(goal, start, now);
  expect(res).toEqual({ ok: true });
  const outputs: NavCycleOutput[] = [];
  const states: RobotState[] = [];
  for (let i = 0; i < maxCycles; i++) {
    states.push(state);
    const out = nav.cycle({ now, state, scan: null, seed: i + 1 });
    outputs.push(out);
    if (out.status !== 'active') return { outputs, states, status: out.status };
    const t = out.trajectory;
    expect(t, out.message ?? 'no trajectory').not.toBeNull();
    const k = Math.min(1, t!.count - 1);
    state = { pose: { x: t!.xs[k]!, y: t!.ys[k]!, theta: t!.thetas[k]! }, v: t!.vs[k]!, w: t!.ws[k]!, a: t!.accels[k]!, alpha: t!.alphas[k]! };
    now += 0.1;
  }
  return { outputs, states, status: 'timeout' };
}

describe('Costmap.setKeepOut', () => {
  it('makes keep-out cells lethal (inflated like walls), and clearing it frees them again', () => {
    const map = room(4, 3);
    const cm = new Costmap(map, { inflation: inflationForFootprint(FP) });
    expect(cm.costAt(2, 1.5)).toBe(0);
    const before = cm.costs();
    const mask = new Uint8Array(map.width * map.height);
    mask[Math.floor(1.5 / 0.05) * map.width + Math.floor(2 / 0.05)] = 1;
    cm.setKeepOut(mask);
    expect(cm.costs()).not.toBe(before); // cache invalidated
    expect(cm.costAt(2.01, 1.51)).toBe(COST_LETHAL);
    expect(cm.costAt(2.16, 1.51)).toBeGreaterThanOrEqual(253); // 0.15 m away: within the inscribed radius
    expect(cm.window({ x: 2, y: 1.5 }, 1).distance.distanceAt(2.025, 1.525)).toBe(0);
    cm.setKeepOut(null);
    expect(cm.costAt(2.01, 1.51)).toBe(0);
    expect(() => cm.setKeepOut(new Uint8Array(3))).toThrow(RangeError);
  });
});

describe('NavigationStack with operator zones', () => {
  const start: Pose2D = { x: 1, y: 2.5, theta: 0 };
  const goal: Pose2D = { x: 7, y: 2.5, theta: 0 };
  // A keep-out zone across the direct route, leaving a way round below it.
  const barrier: ZoneShape = { id: 1, name: 'cable run', kind: 'keep-out', slowSpeed: null, polygon: box(3.5, 1.4, 4.5, 5) };

  it('plans the global path around a keep-out zone across the direct route, and drives round it', () => {
    const nav = new NavigationStack(room(8, 5), { limits: LIMITS }, NAV);
    // Without the zone: straight through.
    expect(nav.setGoal(goal, start, 0)).toEqual({ ok: true });
    const direct = nav.cycle({ now: 0, state: { pose: start, v: 0, w: 0, a: 0, alpha: 0 }, scan: null, seed: 1 }).globalPath;
    expect(densify(direct).some((p) => pointInPolygon(p.x, p.y, barrier.polygon))).toBe(true);
    nav.cancel();

    nav.setZones([barrier]);
    const run = drive(nav, start, goal, 260);
    const path = run.outputs[0]!.globalPath;
    const zones = new ZoneSet([barrier]);
    // The path never enters the zone, and keeps the footprint's inscribed circle out of it.
    for (const p of densify(path)) {
      expect(pointInPolygon(p.x, p.y, barrier.polygon)).toBe(false);
      expect(keepOutOverlap(zones, { x: p.x, y: p.y, theta: 0 }, { length: 0.36, width: 0.36, centerOffsetX: 0 })).toBeNull();
    }
    expect(Math.min(...path.map((p) => p.y))).toBeLessThan(1.4);
    // The driven route: the footprint never overlaps the zone, and the goal is reached.
    for (const s of run.states) expect(keepOutOverlap(zones, s.pose, FP), `at (${s.pose.x.toFixed(2)}, ${s.pose.y.toFixed(2)})`).toBeNull();
    expect(run.status).toBe('reached');
  });

  it('refuses a goal inside a keep-out zone, typed', () => {
    const nav = new NavigationStack(room(8, 5), { limits: LIMITS }, NAV);
    nav.setZones([barrier]);
    const res = nav.setGoal({ x: 4, y: 3, theta: 0 }, start, 0);
    expect(res).toMatchObject({ ok: false, reason: 'goal-occupied' });
  });

  it('caps the chosen speed in a slow zone, arrives at it already slow, and speeds up again after it', () => {
    const nav = new NavigationStack(room(10, 4), { limits: LIMITS }, NAV);
    const lobby: ZoneShape = { id: 2, name: 'lobby', kind: 'slow', slowSpeed: 0.3, polygon: box(4, 0, 6.5, 4) };
    nav.setZones([lobby]);
    const run = drive(nav, { x: 1, y: 2, theta: 0 }, { x: 9, y: 2, theta: 0 }, 300);
    expect(run.status).toBe('reached');
    let fastest = 0;
    let fastestAfter = 0;
    let inside = 0;
    run.states.forEach((s, i) => {
      const out = run.outputs[i]!;
      if (s.pose.x < 3) fastest = Math.max(fastest, s.v);
      if (s.pose.x > 7.5) fastestAfter = Math.max(fastestAfter, s.v);
      if (pointInPolygon(s.pose.x, s.pose.y, lobby.polygon)) {
        inside++;
        // In the zone: the command sent (the target in force) and the whole chosen
        // trajectory respect 0.3 m/s, and so does the robot: it arrived already slow.
        expect(trajectoryVelocityAt(out.trajectory!, out.trajectory!.t0).v).toBeLessThanOrEqual(0.3 + 1e-9);
        for (let k = 0; k < out.trajectory!.count; k++) expect(out.trajectory!.vs[k]!).toBeLessThanOrEqual(0.3 + 0.01);
        expect(s.v).toBeLessThanOrEqual(0.3 + 0.01);
      }
    });
    expect(inside).toBeGreaterThan(10);
    expect(fastest).toBeGreaterThan(0.6);
    expect(fastestAfter).toBeGreaterThan(0.5);
  });

  it('obeys zones changed at run time: removing them frees the way again', () => {
    const nav = new NavigationStack(room(8, 5), { limits: LIMITS }, NAV);
    nav.setZones([barrier]);
    expect(nav.setGoal({ x: 4, y: 3, theta: 0 }, start, 0)).toMatchObject({ ok: false });
    nav.setZones([]);
    expect(nav.setGoal({ x: 4, y: 3, theta: 0 }, start, 0)).toEqual({ ok: true });
  });
});
