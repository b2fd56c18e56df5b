/**
 * A robot other than our own, from the connection panel, in Chromium: pick the iRobot Create 2
 * profile, read that it keeps driving when commands stop, start it simulated (its Open
 * Interface on one pty, its RPLIDAR on another, through the real drivers), see a goal refused
 * until the operator consents, then reconnect with consent and watch it reach the goal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { dragPose, startConsoleRig, type ApiProbe, type ConsoleRig } from './support';

let rig: ConsoleRig;
let page: Page;
let probe: ApiProbe;

beforeAll(async () => {
  rig = await startConsoleRig({ seed: 3 });
  ({ page, probe } = rig);
  await probe.until((s) => s.link.state === 'connected', 20_000, 'reference robot connected');
}, 90_000);

afterAll(async () => {
  await rig?.close();
});

/** Sets a goal by click-and-drag on the map, `dist` metres ahead of the robot. */
async function goalAhead(dist: number): Promise<{ x: number; y: number }> {
  const s = probe.snapshot()!;
  const p = s.pose!;
  const goal = { x: p.x + dist * Math.cos(p.theta), y: p.y + dist * Math.sin(p.theta) };
  await page.getByTestId('goal-mode').click();
  await dragPose(page, { ...goal, theta: p.theta }, 0.5);
  return goal;
}

describe('connecting a Create 2 from the panel', () => {
  it('says it keeps driving, refuses goals without consent, and with consent drives to one', async () => {
    const profile = page.getByTestId('robot-profile');
    await expect.poll(async () => (await profile.locator('option').allTextContents()).join('|'), { timeout: 10_000 }).toContain('iRobot Create 2');
    await profile.selectOption('create2');
    await expect.poll(() => page.getByTestId('profile-when-commands-stop').textContent()).toMatch(/KEEPS DRIVING/);
    // Its usual lidar is proposed.
    expect(await page.getByTestId('lidar-model').inputValue()).toBe('rplidar-a1');

    await page.getByTestId('start-sim').click();
    const up = await probe.until((s) => s.link.state === 'connected' && s.robot?.driver === 'create2' && s.robot.lidar === 'separate' && s.scan.length > 0 && s.pose !== null, 30_000, 'Create 2 connected with its RPLIDAR');
    expect(up.robot!.whenCommandsStop).toMatch(/KEEPS DRIVING/);
    await expect.poll(() => page.getByTestId('robot-description').textContent()).toMatch(/create2 · lidar: separate/);
    await expect.poll(() => page.getByTestId('robot-when-commands-stop').textContent()).toMatch(/KEEPS DRIVING/);

    // No consent: the goal is refused in words.
    await goalAhead(1.0);
    await expect.poll(() => page.getByTestId('event-log').textContent(), { timeout: 5_000 }).toMatch(/Goal refused: This robot has no dead-man of its own/);
    expect(probe.snapshot()!.goal).toBeNull();

    // Consent, and connect again: the goal is taken and reached.
    await page.getByTestId('allow-no-deadman').check();
    await page.getByTestId('start-sim').click();
    await probe.until((s) => s.link.state === 'disconnected' || s.link.state === 'connecting', 10_000, 'reconnecting');
    await probe.until((s) => s.link.state === 'connected' && s.robot?.driver === 'create2' && s.scan.length > 0 && s.pose !== null, 30_000, 'Create 2 connected again');
    const goal = await goalAhead(1.0);
    await probe.until((s) => s.goal !== null, 10_000, 'goal accepted');
    const done = await probe.until((s) => s.goal === null, 40_000, 'goal reached');
    expect(done.notice).toBe('Goal reached');
    expect(Math.hypot(done.pose!.x - goal.x, done.pose!.y - goal.y)).toBeLessThan(0.25);

    // Place robot: the operator says where it stands (its odometry started at zero); the
    // pose the console uses jumps there and carries on from it.
    const at = { x: done.pose!.x + 1.0, y: done.pose!.y + 0.5 };
    await page.getByTestId('place-robot').click();
    await expect.poll(() => page.getByTestId('place-hint').isVisible()).toBe(true);
    await dragPose(page, { ...at, theta: Math.PI / 2 }); // facing +y
    const placed = await probe.until((s) => s.pose !== null && Math.hypot(s.pose.x - at.x, s.pose.y - at.y) < 0.1, 5_000, 'robot placed');
    expect(Math.abs(placed.pose!.theta - Math.PI / 2)).toBeLessThan(0.15);
    await expect.poll(() => page.getByTestId('event-log').textContent()).toMatch(/Robot placed at/);
  }, 150_000);
});
