/**
 * The speed limit (issue 14, item 5): held by the console (a reload keeps it), applied to
 * what the robot is commanded, and shown with the same labelled units in the drive panel
 * and the status bar.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startConsoleRig, type ApiProbe, type ConsoleRig } from './support';

let rig: ConsoleRig;
let page: Page;
let probe: ApiProbe;

beforeAll(async () => {
  rig = await startConsoleRig({ seed: 11 });
  ({ page, probe } = rig);
  await probe.until((s) => s.link.state === 'connected' && s.pose !== null && s.scan.length > 0, 20_000, 'robot connected');
}, 90_000);

afterAll(async () => {
  await rig?.close();
});

/** "lin 0.25 m/s · ang 0.00 rad/s": the one way the console writes a twist. */
const TWIST = /^lin -?\d+\.\d\d m\/s · ang -?\d+\.\d\d rad\/s$/;

/** Moves the range input as a drag would (the value through the native setter, then an input event). */
async function setSlider(p: Page, percent: number): Promise<void> {
  await p.getByTestId('teleop-speed').evaluate((el, v) => {
    const input = el as HTMLInputElement;
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(input, String(v));
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.dispatchEvent(new Event('change', { bubbles: true }));
  }, percent);
}

describe('speed limit', () => {
  it('is kept across a reload and limits what the robot is commanded', async () => {
    const robot = probe.snapshot()!.robot!;
    // Several values in a row, as a drag sends them; the last one wins.
    for (const v of [80, 70, 60, 50]) await setSlider(page, v);
    await probe.until((s) => Math.abs(s.speedLimit - 0.5) < 1e-9, 3_000, 'speed limit 50 % in force');
    await expect.poll(() => page.getByTestId('speed-limit-label').textContent()).toContain('50 %');
    expect(await page.getByTestId('speed-limit-ms').textContent()).toBe(`${(0.5 * robot.maxLinearVelocity).toFixed(2)} m/s`);

    await page.reload();
    await expect.poll(() => page.getByTestId('link-state').textContent(), { timeout: 15_000 }).toContain('connected');
    await expect.poll(() => page.getByTestId('teleop-speed').inputValue(), { timeout: 5_000 }).toBe('50');
    expect(await page.getByTestId('speed-limit-label').textContent()).toContain('50 %');

    // Hold W: the command never exceeds half the robot's maximum.
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.down('w');
    let maxV = 0;
    try {
      await probe.until((s) => s.motion === 'teleop' && s.command.v > 0, 3_000, 'driving');
      const until = Date.now() + 1_500;
      while (Date.now() < until) {
        maxV = Math.max(maxV, probe.snapshot()!.command.v);
        await new Promise((r) => setTimeout(r, 20));
      }
      // Units: the drive panel and the status bar write speeds the same, labelled way.
      const asked = ((await page.getByTestId('teleop-state').textContent()) ?? '').trim();
      expect(asked).toMatch(TWIST);
      expect(asked).toBe(`lin ${(0.5 * robot.maxLinearVelocity).toFixed(2)} m/s · ang 0.00 rad/s`);
      const cmd = ((await page.getByTestId('command').locator('.sb-value').textContent()) ?? '').trim();
      expect(cmd).toMatch(TWIST);
    } finally {
      await page.keyboard.up('w');
    }
    expect(maxV).toBeGreaterThan(0.1);
    expect(maxV).toBeLessThanOrEqual(0.5 * robot.maxLinearVelocity + 0.01);
    await probe.until((s) => s.command.v === 0 && Math.abs(s.velocity.v) < 0.02, 3_000, 'stopped after release');
  }, 60_000);
});
