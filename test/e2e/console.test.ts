/**
 * The foundation end to end: simulator process on a real pseudo-terminal ⇄ `foresight
 * serve` over serialport ⇄ the renderer in Chromium.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startConsoleRig, type ApiProbe, type ConsoleRig, type RunningProcess } from './support';

let rig: ConsoleRig;
let sim: RunningProcess;
let page: Page;
let probe: ApiProbe;

beforeAll(async () => {
  rig = await startConsoleRig({ seed: 7 });
  ({ sim, page, probe } = rig);
}, 90_000);

afterAll(async () => {
  await rig?.close();
});

function speed(): number {
  return Math.abs(probe.snapshot()?.velocity.v ?? 0);
}

describe('console end to end', () => {
  it('shows the map and the robot once the link is up', async () => {
    await expect.poll(() => page.getByTestId('link-state').textContent(), { timeout: 15_000 }).toContain('connected');
    await probe.until((s) => s.pose !== null && s.scan.length > 0, 5_000, 'pose and scan');
    await expect.poll(async () => (await page.getByTestId('scene-stats').textContent()) ?? '', { timeout: 5_000 }).toMatch(/map=\w+ \d+x\d+/);
    const stats = (await page.getByTestId('scene-stats').textContent()) ?? '';
    expect(stats).toMatch(/pose=-?\d+\.\d+ -?\d+\.\d+/);
    expect(stats).toMatch(/scan=[1-9]\d*/);
    // The driver says what the robot is and what it does when commands stop.
    await expect.poll(async () => (await page.getByTestId('robot-description').textContent()) ?? '', { timeout: 5_000 }).toContain('foresight-link');
    expect(await page.getByTestId('robot-when-commands-stop').textContent()).toBe('When commands stop, it stops its motors by itself 250 ms after the last command.');
  });

  it('holding W drives forward and releasing stops', async () => {
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    const start = (await probe.until((s) => s.pose !== null, 2_000, 'pose')).pose!;
    await page.keyboard.down('w');
    const moving = await probe.until((s) => s.velocity.v > 0.2 && s.motion === 'teleop', 3_000, 'forward motion');
    await new Promise((r) => setTimeout(r, 700));
    const during = probe.snapshot()!.pose!;
    const travelled = Math.hypot(during.x - start.x, during.y - start.y);
    expect(moving.command.v).toBeGreaterThan(0);
    expect(travelled).toBeGreaterThan(0.1);
    await page.keyboard.up('w');
    await probe.until((s) => Math.abs(s.velocity.v) < 0.02 && s.command.v === 0, 2_000, 'stop after release');
  });

  it('Space is an emergency stop', async () => {
    await page.keyboard.down('w');
    await probe.until((s) => s.velocity.v > 0.2, 3_000, 'forward motion');
    await page.keyboard.press('Space');
    await page.keyboard.up('w');
    const stopped = await probe.until((s) => s.emergencyStop && s.command.v === 0, 1_000, 'estop');
    expect(stopped.motion).toBe('idle');
    await probe.until(() => speed() < 0.02, 2_000, 'robot at rest');
    // Driving is refused while the stop is latched.
    await page.keyboard.down('w');
    await new Promise((r) => setTimeout(r, 400));
    expect(probe.snapshot()!.command.v).toBe(0);
    await page.keyboard.up('w');
    await page.getByTestId('estop-release').click();
    await probe.until((s) => !s.emergencyStop, 2_000, 'estop released');
  });

  it('shows "link lost" within 1 s of killing the simulator and reconnects by itself when it returns', async () => {
    const killedAt = Date.now();
    await sim.kill('SIGKILL');
    await expect.poll(async () => ((await page.getByTestId('link-state').textContent()) ?? '').toLowerCase(), { timeout: 1_000, interval: 50 }).toContain('lost');
    expect(Date.now() - killedAt).toBeLessThan(1_000);
    sim = rig.sim = await rig.startSim();
    const restartedAt = Date.now();
    await expect.poll(async () => ((await page.getByTestId('link-state').textContent()) ?? '').toLowerCase(), { timeout: 3_000, interval: 50 }).toMatch(/^(?!.*lost).*connected/);
    expect(Date.now() - restartedAt).toBeLessThan(3_000);
    expect(probe.snapshot()!.link.reconnects).toBeGreaterThanOrEqual(1);
  });
});
