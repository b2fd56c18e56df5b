/**
 * Autonomy end to end: a goal set by click-and-drag on the map is reached, with the
 * global path, the candidate trajectories and the chosen one drawn on the way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { dragPose, startConsoleRig, type ApiProbe, type ConsoleRig } from './support';

let rig: ConsoleRig;
let page: Page;
let probe: ApiProbe;

beforeAll(async () => {
  rig = await startConsoleRig({ seed: 5 });
  ({ page, probe } = rig);
  await probe.until((s) => s.link.state === 'connected' && s.pose !== null && s.scan.length > 0, 20_000, 'robot connected');
}, 90_000);

afterAll(async () => {
  await rig?.close();
});

describe('goal set on the map', () => {
  it('is reached, with the path, candidates, chosen trajectory and gaze target visible on the way', async () => {
    const goal = { x: 5.5, y: 4.6 };
    await page.getByTestId('goal-mode').click();
    await dragPose(page, { ...goal, theta: 0 });

    const set = await probe.until((s) => s.goal !== null, 5_000, 'goal accepted');
    expect(set.goal!.x).toBeCloseTo(goal.x, 0);
    expect(set.goal!.y).toBeCloseTo(goal.y, 0);
    expect(Math.abs(set.goal!.theta)).toBeLessThan(0.3);

    // On the way: the planner's layers are drawn, not just sent.
    const driving = await probe.until((s) => s.motion === 'autonomy' && s.velocity.v > 0.2 && s.gazeTarget !== null, 15_000, 'driving toward the goal');
    // The screen looks where the robot is about to go: ahead of it, toward the goal.
    expect(driving.gazeTarget!.x).toBeGreaterThan(driving.pose!.x + 0.5);
    const stats = page.getByTestId('scene-stats');
    await expect.poll(async () => Number(await stats.getAttribute('data-path')), { timeout: 5_000 }).toBeGreaterThan(0);
    await expect.poll(async () => Number(await stats.getAttribute('data-candidates')), { timeout: 5_000 }).toBeGreaterThan(0);
    await expect.poll(async () => Number(await stats.getAttribute('data-chosen')), { timeout: 5_000 }).toBeGreaterThan(0);

    const done = await probe.until((s) => s.goal === null, 40_000, 'goal reached');
    expect(done.notice).toBe('Goal reached');
    expect(Math.hypot(done.pose!.x - goal.x, done.pose!.y - goal.y)).toBeLessThan(0.2);
    await probe.until((s) => Math.abs(s.velocity.v) < 0.02, 3_000, 'robot at rest');
  }, 90_000);
});
