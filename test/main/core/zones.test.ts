/**
 * Operator zones in the live core's guard, over a real RobotLink (memory transport,
 * scripted robot standing at the map origin facing +x in an open room): teleop into a
 * keep-out zone is stopped, backing away from it is not, teleop in a slow zone is capped,
 * and the safety state says why in plain words.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ConsoleCore } from '../../../src/main/core/console';
import { WorkerPlanner } from '../../../src/main/core/worker-planner';
import type { PlannerPort } from '../../../src/main/core/planner-port';
import { ForesightLinkDriver } from '../../../src/main/robot/foresight-driver';
import { CELL_FREE, type OccupancyGrid } from '../../../src/shared/grid';
import { MemoryTransport, RobotLink } from '../../../src/main/link';
import { HELLO, scriptedRobot, sleep } from './scripted-robot';
import { hostSeconds } from '../../../src/main/core/clock';
import type { HelloMsg } from '../../../src/shared/protocol';
import type { Zone } from '../../../src/shared/api';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function connectedCore(hello: HelloMsg = HELLO, planner?: PlannerPort) {
  const transport = new MemoryTransport();
  const robot = scriptedRobot(transport, hello);
  const core = new ConsoleCore({
    clock: hostSeconds,
    driverFactory: async () => new ForesightLinkDriver(new RobotLink({ transport })),
    timers: false,
    planner,
  });
  cleanups.push(() => robot.close(), () => core.shutdown());
  expect(await core.connect({ kind: 'sim' })).toEqual({ ok: true });
  for (let i = 0; i < 100 && (core.snapshot().link.state !== 'connected' || !core.state.scan || !core.state.pose); i++) await sleep(10);
  expect(core.snapshot().link.state).toBe('connected');
  expect(core.state.pose).toMatchObject({ x: 0, y: 0, theta: 0 });
  return core;
}

const box = (x0: number, y0: number, x1: number, y1: number): number[] => [x0, y0, x1, y0, x1, y1, x0, y1];
const zone = (id: number, name: string, kind: Zone['kind'], polygon: number[], slowSpeed: number | null = null): Zone =>
  ({ id, name, kind, slowSpeed, polygon, createdAt: 0, updatedAt: 0 });

describe('ConsoleCore with operator zones', () => {
  it('stops teleop that would take the footprint into a keep-out zone, says which, and still lets the robot back away', async () => {
    const core = await connectedCore();
    // Front of the robot at 0.225 m; the zone starts 0.3 m further: 0.3 s away at full speed.
    core.setZones([zone(1, 'loading dock', 'keep-out', box(0.55, -2, 2, 2))]);
    core.setTeleop({ linear: 1, angular: 0 });
    let snap = core.snapshot();
    expect(snap.command).toEqual({ v: 0, w: 0 });
    expect(snap.safety?.action).toBe('stop');
    expect(snap.safety?.reason).toBe('keep-out zone "loading dock" 0.30 m ahead: stopped');

    // Backing away (the robot may reverse under teleop) is not stopped.
    core.setTeleop({ linear: -0.5, angular: 0 });
    snap = core.snapshot();
    expect(snap.command.v).toBeCloseTo(-0.5 * core.loop.robotLimits!.vMax, 9);
    expect(snap.safety?.action ?? 'pass').toBe('pass');

    // Removing the zone frees the way.
    core.setZones([]);
    core.setTeleop({ linear: 1, angular: 0 });
    expect(core.snapshot().command.v).toBe(core.loop.robotLimits!.vMax);
  });

  it('slows teleop heading for a keep-out zone further ahead before it stops', async () => {
    const core = await connectedCore();
    core.setZones([zone(1, 'loading dock', 'keep-out', box(1.2, -2, 3, 2))]);
    core.setTeleop({ linear: 1, angular: 0 });
    const snap = core.snapshot();
    expect(snap.safety?.action).toBe('scale');
    expect(snap.command.v).toBeGreaterThan(0);
    expect(snap.command.v).toBeLessThan(1);
    expect(snap.safety?.reason).toContain('keep-out zone "loading dock"');
    expect(snap.safety?.reason).toContain('slowing');
  });

  it('caps teleop in a slow zone to the zone\'s speed, keeping the arc, and says so', async () => {
    const core = await connectedCore();
    core.setZones([zone(2, 'lobby', 'slow', box(-2, -2, 2, 2), 0.3)]);
    core.setTeleop({ linear: 1, angular: 0.25 });
    const snap = core.snapshot();
    expect(snap.command.v).toBeCloseTo(0.3, 9);
    // 0.5 rad/s scaled like v (full stick is the top speed): same arc.
    expect(snap.command.w).toBeCloseTo(0.5 * (0.3 / core.loop.robotLimits!.vMax), 9);
    expect(snap.motion).toBe('teleop');
    expect(snap.safety).toMatchObject({ action: 'scale', reason: 'slow zone "lobby": speed capped at 0.30 m/s' });
    // Slower than the limit: untouched.
    core.setTeleop({ linear: 0.2, angular: 0 });
    expect(core.snapshot().command.v).toBeCloseTo(0.2 * core.loop.robotLimits!.vMax, 9);
    expect(core.snapshot().safety?.action ?? 'pass').toBe('pass');
  });

  it('applies zones to a robot without lidar too (teleop only, slow)', async () => {
    const core = await connectedCore({ ...HELLO, lidarBeams: 0 });
    core.setZones([zone(1, 'stairs', 'keep-out', box(0.3, -1, 1, 1))]);
    core.setTeleop({ linear: 1, angular: 0 });
    const snap = core.snapshot();
    expect(snap.command).toEqual({ v: 0, w: 0 });
    expect(snap.safety?.reason).toContain('keep-out zone "stairs"');
  });

  it('hands zones to the planner worker, and again after the worker restarts', async () => {
    // An empty 12 × 12 m room around the robot (5 cm cells).
    const map: OccupancyGrid = { width: 240, height: 240, resolution: 0.05, origin: { x: -6, y: -6 }, data: new Uint8Array(240 * 240).fill(CELL_FREE) };
    const planner = new WorkerPlanner({ map });
    const core = await connectedCore(HELLO, planner);
    // The core passes zones to its guard and to the planner.
    core.setZones([zone(1, 'loading dock', 'keep-out', box(1.5, -1, 2.5, 1))]);
    /** setGoal, retrying while the worker boots (through tsx: slow on a loaded machine). */
    const goalResult = async (x: number, y: number) => {
      for (let i = 0; i < 200; i++) {
        const res = await core.setGoal({ x, y, theta: 0 });
        if (res.ok || !res.error.includes('not ready')) return res;
        await sleep(200);
      }
      throw new Error('the planner never became ready');
    };
    const inside = await goalResult(2, 0);
    expect(inside.ok).toBe(false);
    expect(!inside.ok && inside.error).toContain('inside an obstacle');
    expect(await goalResult(-2, 0)).toEqual({ ok: true });
    core.cancelGoal();

    planner.crashForTest();
    for (let i = 0; i < 100 && core.snapshot().notice !== 'Planner restarted after a crash'; i++) await sleep(20);
    expect(core.snapshot().notice).toBe('Planner restarted after a crash');
    const again = await goalResult(2, 0);
    expect(again.ok).toBe(false);
    expect(!again.ok && again.error).toContain('inside an obstacle');
  }, 90_000);
});
