import { describe, expect, it } from 'vitest';
import { LocalPlanner } from '../../../src/planner/local';
import type { LocalPlanResult, RobotState } from '../../../src/planner/local';
import type { PersonPrediction } from '../../../src/shared/people';
import { AnalyticField, box, corridor, GridField, LIMITS, person, plannerInput, state } from './fixtures';
import type { Shape } from './fixtures';

/** A lighter search for closed-loop tests (≈ 2,000 candidates), to keep the suite quick. */
const LIGHT = { coarseCount: 1100, warmCount: 150, refineRounds: 2, refineCount: 400 };

function field(shapes: Shape[]) {
  return new GridField(new AnalyticField(shapes), -3, -4, 16, 8, 0.05);
}

const input = plannerInput;

function ok(r: LocalPlanResult): Extract<LocalPlanResult, { ok: true }> {
  if (!r.ok) throw new Error(`plan failed: ${r.reason}: ${r.message}`);
  return r;
}

/** Advances the robot one 0.1 s cycle along the chosen trajectory. */
function step(r: Extract<LocalPlanResult, { ok: true }>): RobotState {
  const c = r.chosen;
  return { pose: { x: c.xs[1]!, y: c.ys[1]!, theta: c.thetas[1]! }, v: c.vs[1]!, w: c.ws[1]!, a: c.accels[1]!, alpha: c.alphas[1]! };
}

/** Mean speed over the first `seconds` of the chosen trajectory, m/s. */
function meanSpeed(r: Extract<LocalPlanResult, { ok: true }>, seconds: number): number {
  const n = Math.round(seconds / r.chosen.dt);
  let s = 0;
  for (let k = 1; k <= n; k++) s += r.chosen.vs[k]!;
  return s / n;
}

describe('LocalPlanner', () => {
  it('evaluates thousands of candidates and returns a typed, drawable result', () => {
    const r = ok(new LocalPlanner().plan(input({ start: state(0, 0, 0, 0.5) })));
    expect(r.candidatesEvaluated).toBeGreaterThanOrEqual(3500);
    expect(r.chosen.count).toBe(31);
    expect(r.chosen.xs.length).toBe(31);
    expect(r.chosen.t0).toBe(0);
    expect(r.sample.length).toBe(120);
    expect(r.sample[0]!.xs.length).toBe(31);
    expect(new Set(r.sample.map((s) => s.stage))).toEqual(new Set(['special', 'coarse', 'warm', 'refine'].filter((st) => r.sample.some((s) => s.stage === st))));
    expect(Object.keys(r.chosen.terms).sort()).toEqual(['clearance', 'collision', 'obstacleRisk', 'peopleRisk', 'personalSpace', 'progress', 'smoothness']);
    expect(r.command.v).toBe(r.chosen.vs[1]);
    // Open corridor toward the goal: accelerate straight ahead…
    expect(r.chosen.vs[30]).toBeGreaterThan(0.9);
    expect(Math.abs(r.chosen.ys[30]!)).toBeLessThan(0.1);
    // …or, asked to keep to the right, move into the right-hand lane (−y) on the way.
    const lane = ok(new LocalPlanner().plan(input({ start: state(0, 0, 0, 0.5), keepRightM: 0.4 })));
    expect(lane.chosen.ys[30]!).toBeLessThan(-0.1);
    expect(lane.chosen.vs[30]).toBeGreaterThan(0.9);
  });

  it('is deterministic for a seed', () => {
    const people = [person(1, 0, [{ probability: 1, x: 3, y: 1, vx: 0, vy: -0.5 }])];
    const mk = (seed: number) => new LocalPlanner().plan(input({ start: state(0, 0, 0, 0.5), people, seed }));
    const a = ok(mk(7));
    const b = ok(mk(7));
    const c = ok(mk(8));
    expect(a.chosen.params).toEqual(b.chosen.params);
    expect(a.chosen.cost).toBe(b.chosen.cost);
    expect(Array.from(a.chosen.xs)).toEqual(Array.from(b.chosen.xs));
    expect(a.sample.map((s) => s.cost)).toEqual(b.sample.map((s) => s.cost));
    expect(c.chosen.params).not.toEqual(a.chosen.params);
  });

  it('prefers the free corridor when the guidance path runs into a new obstacle', () => {
    // Corridor 2.4 m wide; a box blocks the centre and the right side at x = 2 … 2.6.
    const obstacles = field([...corridor(2.4), box(2, -1.3, 2.6, 0.3)]);
    const planner = new LocalPlanner(LIGHT);
    let s = state(0, 0, 0, 0.5);
    let yAtBox = NaN;
    for (let i = 0; i < 50; i++) {
      const r = ok(planner.plan(input({ start: s, now: i * 0.1, obstacles, seed: i })));
      s = step(r);
      // Footprint never touches an obstacle (centre distance vs half-width).
      expect(obstacles.distanceAt(s.pose.x, s.pose.y)).toBeGreaterThan(0.2);
      if (Number.isNaN(yAtBox) && s.pose.x > 2.3) yAtBox = s.pose.y;
    }
    expect(s.pose.x).toBeGreaterThan(3); // got past it
    expect(yAtBox).toBeGreaterThan(0.5); // through the free side
  });

  it('follows a path planned with room to turn instead of pulling toward a squeeze it avoided', () => {
    // A wall across at x = 1 … 1.2 with a 0.5 m gap on the straight line to the goal: the
    // 0.4 m wide robot fits (inscribed radius 0.2 < 0.25) but cannot turn in it
    // (circumscribed 0.32). The guidance path goes round the wall's end at y = 2.5.
    const obstacles = field([box(1, -4, 1.2, -0.25), box(1, 0.25, 1.2, 2.5)]);
    const around = [
      { x: 0, y: 0 },
      { x: 0.6, y: 3 },
      { x: 1.6, y: 3 },
      { x: 8, y: 0 },
    ];
    const straight = { v1: 0.8, w1: 0, tSwitch: 3, v2: 0.8, w2: 0 };
    const base = input({ start: state(0, 0, 0), guidancePath: around, obstacles });
    const planner = new LocalPlanner(LIGHT);
    const usual = planner.evaluateCandidate(base, straight)!;
    const wide = planner.evaluateCandidate({ ...base, guidanceClearance: 0.32 }, straight)!;
    // With the usual fit the gap is the shortcut to the goal: driving at it is progress.
    expect(usual.terms['progress']!).toBeLessThan(-0.2);
    // Planned wide, the gap is a wall: driving at it is no progress at all.
    expect(wide.terms['progress']!).toBeGreaterThan(-0.02);
    // And the plan turns toward the path round the wall instead.
    const r = ok(planner.plan({ ...base, guidanceClearance: 0.32 }));
    expect(r.chosen.ys[r.chosen.count - 1]!).toBeGreaterThan(0.4);
    expect(planner.plan({ ...base, guidanceClearance: -1 }).ok).toBe(false);
    expect(planner.plan({ ...base, keepRightM: Number.NaN }).ok).toBe(false);
  });

  it('slows down smoothly and monotonically as the probability of a conflict rises', () => {
    // A person ahead may step into the robot's lane (probability p) or walk away (1 − p).
    const obstacles = field(corridor(1.6));
    const speeds: number[] = [];
    for (let i = 0; i <= 10; i++) {
      const p = i / 10;
      const futures = [
        { probability: p, x: 2.0, y: 0.6, vx: 0, vy: -0.4 },
        { probability: 1 - p, x: 2.0, y: 0.6, vx: 0.6, vy: 0 },
      ].filter((f) => f.probability > 0);
      const people: PersonPrediction[] = [person(1, 0, futures)];
      const r = ok(new LocalPlanner().plan(input({ start: state(0, 0, 0, 0.6), obstacles, people, seed: 3 })));
      speeds.push(meanSpeed(r, 1.5));
    }
    for (let i = 1; i < speeds.length; i++) {
      expect(speeds[i]!).toBeLessThanOrEqual(speeds[i - 1]! + 0.02); // monotone (up to search noise)
      expect(speeds[i - 1]! - speeds[i]!).toBeLessThan(0.15); // no jump for a 0.1 step in risk
    }
    expect(speeds[0]! - speeds[10]!).toBeGreaterThan(0.25); // but it does slow down
  });

  it('stops at the goal with a zero command, within the limits all the way', () => {
    const planner = new LocalPlanner(LIGHT);
    let s = state(0, 0, 0, 0);
    const goal = { x: 2.5, y: 0.3, theta: 0 };
    let reached: Extract<LocalPlanResult, { ok: true }> | null = null;
    let prevV = 0;
    let prevA = 0;
    for (let i = 0; i < 80; i++) {
      const r = ok(planner.plan(input({ start: s, now: i * 0.1, goal, guidancePath: [{ x: 0, y: 0 }, goal], seed: i })));
      if (r.goalReached && r.command.v === 0 && r.command.w === 0) {
        reached = r;
        break;
      }
      s = step(r);
      const a = (s.v - prevV) / 0.1;
      expect(Math.abs(a)).toBeLessThanOrEqual(LIMITS.aMax + 1e-6);
      expect(Math.abs(a - prevA) / 0.1).toBeLessThanOrEqual(LIMITS.jerkMax + 1e-6);
      prevV = s.v;
      prevA = a;
    }
    expect(reached).not.toBeNull();
    expect(Math.hypot(s.pose.x - goal.x, s.pose.y - goal.y)).toBeLessThanOrEqual(0.1);
    expect(reached!.chosen.vs.every((v) => Math.abs(v) < 0.06)).toBe(true);
  });

  it('keeps clear of a person standing in open space, and gets past', () => {
    // A standing person is predicted with slowly growing uncertainty (0.03 m/s). In the
    // navigation stack someone who stands still is also mapped, so the guidance path goes
    // round them (as here). On a path straight through them the planner alone stops at a
    // polite distance and waits: passing costs more risk and personal space than the little
    // progress a detour makes within one horizon.
    const planner = new LocalPlanner(LIGHT);
    const around = [
      { x: 0, y: 0 },
      { x: 1.5, y: 0 },
      { x: 2.5, y: 0.9 },
      { x: 3.5, y: 0 },
      { x: 8, y: 0 },
    ];
    let s = state(0, 0, 0, 0.6);
    let closest = Infinity;
    for (let i = 0; i < 60; i++) {
      const standing = person(1, i * 0.1, [{ probability: 1, x: 2.5, y: 0, vx: 0, vy: 0 }], 48, 0.1, 0.03);
      const r = ok(planner.plan(input({ start: s, now: i * 0.1, people: [standing], guidancePath: around, seed: i })));
      s = step(r);
      closest = Math.min(closest, Math.hypot(s.pose.x - 2.5, s.pose.y));
    }
    expect(closest).toBeGreaterThan(0.6); // footprint (0.32) + body (0.25) never overlap
    expect(s.pose.x).toBeGreaterThan(3); // and it went past
  });

  it('fails typed when the start overlaps an obstacle, with a limit-respecting quick stop', () => {
    const obstacles = field([box(0.1, -0.5, 0.5, 0.5)]);
    const r = new LocalPlanner().plan(input({ start: state(0, 0, 0, 0.5), obstacles }));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toBe('start-occupied');
    expect(r.fallback).toBeDefined();
    expect(r.fallback!.vs[r.fallback!.count - 1]).toBeCloseTo(0, 9);
  });

  it('fails typed on invalid input', () => {
    const r = new LocalPlanner().plan(input({ start: state(Number.NaN, 0, 0) }));
    expect(r).toMatchObject({ ok: false, reason: 'invalid-input' });
  });

  it('warm-starts from its previous choice', () => {
    const planner = new LocalPlanner();
    const r1 = ok(planner.plan(input({ start: state(0, 0, 0, 0.5) })));
    expect(planner.lastChoice()?.params).toEqual(r1.chosen.params);
    const r2 = ok(planner.plan(input({ start: step(r1), now: 0.1, seed: 2 })));
    expect(r2.sample.some((s) => s.stage === 'warm')).toBe(true);
    const cold = ok(new LocalPlanner().plan(input({ start: step(r1), now: 0.1, seed: 2, warmStart: null })));
    expect(cold.sample.some((s) => s.stage === 'warm')).toBe(false);
  });
});
