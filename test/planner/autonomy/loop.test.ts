/**
 * The one autonomy loop, on hand-made plans and scans (times passed in): trajectory hand-off,
 * plan expiry, dead-man teleop, the no-lidar policy, stale scans, zones, fault hold, explicit
 * stops after motion, gaze pan commands and the fast-forward input it builds.
 */
import { describe, expect, it } from 'vitest';
import { AutonomyLoop, limitsFromSpec, type LoopRobot, type TickInput } from '../../../src/planner/autonomy';
import type { NavCycleOutput } from '../../../src/planner/nav';
import type { Trajectory } from '../../../src/planner/local';
import type { ZoneShape } from '../../../src/planner/nav/zones';

const SPEC = {
  maxLinearVelocity: 1, maxAngularVelocity: 2, maxLinearAccel: 1, maxAngularAccel: 3, maxLinearJerk: 5, maxAngularJerk: 15,
  footprintLength: 0.45, footprintWidth: 0.4, footprintCenterOffsetX: 0,
};
const PAN = { panMin: -2, panMax: 2, panMaxRate: 3, panMaxAccel: 10 };
const ROBOT: LoopRobot = { limits: limitsFromSpec(SPEC), hasLidar: true, pan: PAN };

/** A straight-line trajectory at constant speed v from (x0, 0) along +x, starting at t0 (3 s, 50 ms samples). */
function straight(t0: number, v: number, x0 = 0): Trajectory {
  const n = 61;
  const dt = 0.05;
  const f = (g: (i: number) => number) => Float64Array.from({ length: n }, (_, i) => g(i));
  return {
    t0, dt, count: n,
    xs: f((i) => x0 + v * i * dt), ys: f(() => 0), thetas: f(() => 0),
    vs: f(() => v), ws: f(() => 0), accels: f(() => 0), alphas: f(() => 0),
    params: { v1: v, w1: 0, tSwitch: 3, v2: v, w2: 0 },
  };
}

function cycle(trajectory: Trajectory | null, status: NavCycleOutput['status'] = 'active'): NavCycleOutput {
  return {
    status, message: null, goal: { x: 5, y: 0, theta: 0 }, trajectory, command: { v: 0, w: 0 }, globalPath: [], sample: [],
    candidatesEvaluated: 100, collisionProbability: 0, tracks: [], predictions: [], personRisk: new Map(), replanned: false, replanReason: null,
  };
}

/** A scan with one point far away (nothing near): fresh at `stamp`. */
const clearScan = (stamp: number) => ({ stamp, xs: [4], ys: [0], count: 1 });

function input(now: number, extra: Partial<TickInput> = {}): TickInput {
  return { connected: true, emergencyStop: false, teleop: null, pose: { x: 0, y: 0, theta: 0 }, scan: clearScan(now), hold: null, transitS: 0.01, ...extra };
}

const ROBOT_AT = { pose: { x: 0, y: 0, theta: 0 }, pan: { angle: 0, rate: 0 } };

function driving(): AutonomyLoop {
  const loop = new AutonomyLoop();
  loop.setRobot(ROBOT);
  loop.startGoal({ x: 5, y: 0, theta: 0 });
  return loop;
}

describe('AutonomyLoop', () => {
  it('follows a new plan only from when it takes effect (hand-off at now + transit ≥ t0)', () => {
    const loop = driving();
    loop.acceptCycle(cycle(straight(10, 0.3)), 10, ROBOT_AT);
    loop.tick(9.9, input(9.9)); // follows the first plan once it acts
    expect(loop.tick(10, input(10)).command.v).toBeCloseTo(0.3, 9);
    // The next plan starts at 10.15: until then the current one stays in force.
    loop.acceptCycle(cycle(straight(10.15, 0.6)), 10.1, ROBOT_AT);
    expect(loop.tick(10.1, input(10.1)).command.v).toBeCloseTo(0.3, 9);
    expect(loop.tick(10.14, input(10.14)).command.v).toBeCloseTo(0.6, 9);
  });

  it('stops when the plan is no longer renewed (expiry), and says nothing else is wrong', () => {
    const loop = driving();
    loop.acceptCycle(cycle(straight(0, 0.5)), 0, ROBOT_AT);
    expect(loop.tick(0.5, input(0.5)).command.v).toBeCloseTo(0.5, 9);
    const late = loop.tick(0.61, input(0.61));
    expect(late.command).toEqual({ v: 0, w: 0 });
    expect(late.source).toBe('autonomy');
    // Moving, then zeroed by expiry: not a guard's stop, so no explicit Stop is needed…
    expect(late.note).toBeNull();
  });

  it('ends the goal when the stack reports reached or failed, and ignores cycles planned before the goal', () => {
    const loop = driving();
    expect(loop.acceptCycle(cycle(straight(0, 0.5), 'idle'), 0, ROBOT_AT, true)).toEqual({ ended: null, message: null });
    expect(loop.tick(0.1, input(0.1)).command).toEqual({ v: 0, w: 0 }); // stale cycle not followed
    const v = loop.acceptCycle(cycle(straight(0.2, 0.5), 'reached'), 0.2, ROBOT_AT);
    expect(v.ended).toBe('reached');
    expect(loop.goal).toBeNull();
    expect(loop.tick(0.3, input(0.3)).source).toBe('idle');
  });

  it('gives teleop precedence with a dead-man, scaled to the limits', () => {
    const loop = driving();
    loop.acceptCycle(cycle(straight(0, 0.5)), 0, ROBOT_AT);
    const d = loop.tick(0.1, input(0.1, { teleop: { linear: 0.5, angular: -0.25, time: 0.05 } }));
    expect(d.source).toBe('teleop');
    expect(d.command).toEqual({ v: 0.5, w: -0.5 });
    // Input 0.31 s old counts as released: autonomy again.
    expect(loop.tick(0.36, input(0.36, { teleop: { linear: 0.5, angular: 0, time: 0.05 } })).source).toBe('autonomy');
  });

  it('stops on a missing or stale scan, and sends an explicit stop only when that interrupts motion', () => {
    const loop = driving();
    loop.acceptCycle(cycle(straight(0, 0.5)), 0, ROBOT_AT);
    expect(loop.tick(0.1, input(0.1, { scan: null })).note).toEqual({ action: 'stop', reason: 'no scan yet' });
    expect(loop.tick(0.12, input(0.12)).command.v).toBeCloseTo(0.5, 9);
    const stale = loop.tick(0.5, input(0.5, { scan: clearScan(0.1) }));
    expect(stale.command).toEqual({ v: 0, w: 0 });
    expect(stale.reactive?.action).toBe('stop');
    expect(stale.stopNow).toBe(true);
    expect(loop.tick(0.52, input(0.52, { scan: clearScan(0.1) })).stopNow).toBe(false);
  });

  it('on a robot without lidar: refuses autonomy, caps teleop', () => {
    const loop = new AutonomyLoop();
    loop.setRobot({ ...ROBOT, hasLidar: false });
    loop.startGoal({ x: 5, y: 0, theta: 0 });
    loop.acceptCycle(cycle(straight(0, 0.5)), 0, ROBOT_AT);
    expect(loop.tick(0.1, input(0.1, { scan: null })).note).toEqual({ action: 'stop', reason: 'no lidar: autonomy disabled' });
    const t = loop.tick(0.2, input(0.2, { scan: null, teleop: { linear: 1, angular: 0, time: 0.2 } }));
    expect(t.command.v).toBeCloseTo(0.25, 9);
    expect(t.note?.action).toBe('scale');
  });

  it('holds motion while a fault holds, and stops keep-out zones ahead', () => {
    const loop = driving();
    loop.acceptCycle(cycle(straight(0, 0.5)), 0, ROBOT_AT);
    expect(loop.tick(0.1, input(0.1)).command.v).toBeCloseTo(0.5, 9);
    const held = loop.tick(0.12, input(0.12, { hold: { message: 'Robot clock jumped' } }));
    expect(held).toMatchObject({ command: { v: 0, w: 0 }, source: 'idle', note: { action: 'stop', reason: 'Robot clock jumped' }, stopNow: true });
    const zones: ZoneShape[] = [{ id: 1, name: 'dock', kind: 'keep-out', slowSpeed: null, polygon: [0.3, -1, 2, -1, 2, 1, 0.3, 1] }];
    loop.setZones(zones);
    const z = loop.tick(0.14, input(0.14));
    expect(z.command).toEqual({ v: 0, w: 0 });
    expect(z.note?.reason).toContain('keep-out zone "dock"');
  });

  it('fast-forwards the measured state over latency with the commands it sent', () => {
    const loop = driving();
    loop.acceptCycle(cycle(straight(0, 0.5)), 0, ROBOT_AT);
    for (let t = 0; t < 0.5; t += 0.02) loop.tick(t, input(t));
    const measured = { state: { pose: { x: 1, y: 0, theta: 0 }, v: 0.5, w: 0, a: 0, alpha: 0 }, receivedAt: 0.48 };
    const ci = loop.cycleInput(0.5, measured, { sensorAge: 0.01, planningTime: 0.04, commandTransit: 0.01 }, null, 7)!;
    expect(ci.now).toBeCloseTo(0.55, 9);
    expect(ci.seed).toBe(7);
    // Holding 0.5 m/s for 0.08 s after the measurement: 4 cm further on.
    expect(ci.state.pose.x).toBeCloseTo(1.04, 2);
    expect(ci.state.v).toBeCloseTo(0.5, 6);
  });

  it('pans the screen along the plan while autonomy drives, and back to forward when it ends', () => {
    const loop = driving();
    // A plan turning left: the screen should look left of forward.
    const turning = straight(0, 0.4);
    for (let i = 0; i < turning.count; i++) {
      const t = i * turning.dt;
      turning.thetas[i] = 0.8 * t;
      turning.ws[i] = 0.8;
      turning.xs[i] = Math.sin(0.8 * t) * 0.5;
      turning.ys[i] = (1 - Math.cos(0.8 * t)) * 0.5;
    }
    loop.acceptCycle(cycle(turning), 0, ROBOT_AT);
    let pan = 0;
    for (let t = 0; t <= 1; t += 0.02) pan = loop.tick(t, input(t)).pan?.panAngle ?? pan;
    expect(pan).toBeGreaterThan(0.1);
    loop.cancel();
    expect(loop.tick(1.02, input(1.02)).pan).toEqual({ panAngle: 0, maxRate: PAN.panMaxRate });
    expect(loop.tick(1.04, input(1.04)).pan).toBeNull();
  });
});
