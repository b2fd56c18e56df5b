/** Fault: the planner worker crashes while it is driving the robot to a goal. */
import { afterEach, describe, expect, it } from 'vitest';
import { WorkerPlanner } from '../../../src/main/core/worker-planner';
import { MemoryTransport } from '../../../src/main/link/memory-transport';
import { CELL_FREE, type OccupancyGrid } from '../../../src/shared/grid';
import { FaultyRobot, ROBOT_STOP_BOUND_MS, STOP_BOUND_MS, nowMs, sleep, startRig, waitUntil } from './fault-harness';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** An empty 12 × 12 m room around the origin (5 cm cells). */
function openRoom(): OccupancyGrid {
  const width = 240, height = 240;
  return { width, height, resolution: 0.05, origin: { x: -6, y: -6 }, data: new Uint8Array(width * height).fill(CELL_FREE) };
}

describe('fault: the planner worker crashes', () => {
  it('stops motion within 250 ms, says so in plain words, drops the goal and restarts the planner', async () => {
    const transport = new MemoryTransport();
    const robot = new FaultyRobot(transport.robot);
    cleanups.push(() => robot.close());
    const planner = new WorkerPlanner({ map: openRoom() });
    const rig = await startRig(transport, { planner });
    cleanups.push(() => rig.close());

    expect(await rig.core.setGoal({ x: 2, y: 0, theta: 0 })).toEqual({ ok: true });
    const state = () => {
      const { motion, command, goal, notice, safety, faults, globalPath, chosen } = rig.core.snapshot();
      return { motion, command, goal, notice, safety, faults, pathPoints: globalPath.length / 2, chosen: chosen?.points.slice(0, 8), events: rig.events.slice(-5) };
    };
    await waitUntil(() => rig.core.snapshot().motion === 'autonomy' && rig.core.snapshot().command.v > 0, 40_000, 'the planner to drive (the worker boots through tsx: slow on a loaded machine)', state);
    await waitUntil(() => robot.lastMovingCommandAtMs() > nowMs() - 60, 2_000, 'the robot to receive moving commands');

    const crashAtMs = nowMs();
    const before = robot.commands.length;
    let coreStoppedAtMs = Infinity;
    const poll = setInterval(() => {
      if (coreStoppedAtMs === Infinity && rig.core.snapshot().command.v === 0) coreStoppedAtMs = nowMs();
    }, 2);
    planner.crashForTest();
    await sleep(500);
    clearInterval(poll);

    expect(coreStoppedAtMs - crashAtMs).toBeLessThanOrEqual(STOP_BOUND_MS);
    const after = robot.commands.slice(before);
    const firstZero = after.find((c) => c.v === 0 && c.w === 0);
    expect(firstZero).toBeDefined();
    expect(firstZero!.atMs - crashAtMs).toBeLessThanOrEqual(ROBOT_STOP_BOUND_MS);
    // Nothing moves after the stop: the goal is gone.
    expect(after.filter((c) => c.atMs > firstZero!.atMs && (c.v !== 0 || c.w !== 0))).toEqual([]);
    console.log(`planner crash: core stopped after ${Math.round(coreStoppedAtMs - crashAtMs)} ms, robot got zero after ${Math.round(firstZero!.atMs - crashAtMs)} ms`);

    const snap = rig.core.snapshot();
    expect(snap.goal).toBeNull();
    expect(snap.motion).toBe('idle');
    expect(rig.events.some((e) => e.level === 'error' && /^Planner stopped unexpectedly \(.*\); the robot was stopped and the goal dropped\. Restarting the planner\.$/.test(e.message))).toBe(true);

    // Recovery: the planner comes back and takes a new goal.
    expect(await rig.core.setGoal({ x: 1, y: 1, theta: 0 })).toEqual({ ok: true });
  }, 60_000);
});
