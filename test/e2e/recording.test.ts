/**
 * Recording state (issue 14, item 6): "NOT RECORDING" must be impossible to miss. A run
 * database the console refuses gives a red banner with the reason (and, once hidden, a red
 * badge that stays); a working one shows "● REC run N" while the robot is connected.
 */
import { writeFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Locator } from 'playwright-core';
import { startConsoleRig, type ConsoleRig } from './support';

/** A computed colour's channels. */
async function rgb(el: Locator, prop: 'color' | 'background-color'): Promise<[number, number, number]> {
  const c = await el.evaluate((e, p) => getComputedStyle(e).getPropertyValue(p), prop);
  const m = /rgba?\((\d+), (\d+), (\d+)/.exec(c);
  if (!m) throw new Error(`not a colour: ${c}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** Red or amber, unmistakably: a strong red channel well above blue (grey has r ≈ g ≈ b). */
function expectAlarmColour([r, g, b]: [number, number, number], what: string): void {
  expect(r, `${what}: red channel of rgb(${r}, ${g}, ${b})`).toBeGreaterThan(150);
  expect(r - b, `${what}: not grey, rgb(${r}, ${g}, ${b})`).toBeGreaterThan(90);
}

describe('a run database the console refuses', () => {
  let rig: ConsoleRig | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'foresight-e2e-baddb-'));
  afterAll(async () => {
    await rig?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows a red NOT RECORDING banner with the reason; hiding it leaves a red badge', async () => {
    const db = join(dir, 'damaged.sqlite');
    writeFileSync(db, 'this is not a database\n'.repeat(400));
    rig = await startConsoleRig({ seed: 3, serveArgs: ['--db', db] });
    const { page, probe } = rig;
    await probe.until((s) => s.link.state === 'connected', 20_000, 'robot connected');
    expect(probe.snapshot()!.recording.state).toBe('off');

    const banner = page.getByTestId('recording-banner');
    await expect.poll(() => banner.isVisible(), { timeout: 5_000 }).toBe(true);
    const text = (await banner.textContent()) ?? '';
    expect(text).toContain('NOT RECORDING');
    expect(text).toContain('damaged.sqlite');
    expect(text).toContain(probe.snapshot()!.recording.reason!.replace(/[.\s]+$/, ''));
    expectAlarmColour(await rgb(banner, 'background-color'), 'banner background');
    // It spans the console, right under the top bar.
    const box = (await banner.boundingBox())!;
    expect(box.width).toBeGreaterThanOrEqual(1280 - 2);
    expect(box.y).toBeLessThan(80);

    // The top bar says it too, and keeps saying it once the banner is hidden.
    const badge = page.getByTestId('recording-indicator');
    expect(await badge.getAttribute('data-state')).toBe('off');
    expect(await badge.textContent()).toContain('NOT RECORDING');
    expectAlarmColour(await rgb(badge, 'background-color'), 'badge background');
    await page.getByTestId('recording-banner-hide').click();
    await expect.poll(() => banner.count()).toBe(0);
    expect(await badge.isVisible()).toBe(true);
    expect(await badge.textContent()).toContain('NOT RECORDING');

    // A reload shows the banner again: nothing silently forgets that nothing is recorded.
    await page.reload();
    await expect.poll(() => page.getByTestId('recording-banner').isVisible(), { timeout: 10_000 }).toBe(true);
  }, 90_000);
});

describe('a working run database', () => {
  let rig: ConsoleRig | undefined;
  afterAll(async () => {
    await rig?.close();
  });

  it('shows "● REC run N" while the robot is connected, and no banner', async () => {
    rig = await startConsoleRig({ seed: 3 });
    const { page, probe } = rig;
    const s = await probe.until((x) => x.link.state === 'connected' && x.recording.state === 'recording' && x.recording.runId !== null, 20_000, 'recording');
    const rec = page.getByTestId('recording-indicator');
    await expect.poll(() => rec.getAttribute('data-state'), { timeout: 5_000 }).toBe('recording');
    expect(await rec.textContent()).toContain(`REC run ${s.recording.runId}`);
    expect(await rec.isVisible()).toBe(true);
    expectAlarmColour(await rgb(rec, 'color'), 'REC text');
    expect(await page.getByTestId('recording-banner').count()).toBe(0);
  }, 90_000);
});
