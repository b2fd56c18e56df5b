/**
 * Narrow screens (issue 14, item 11): STOP is on screen and pressable at every size, phone
 * and tablet included, and a phone gets a usable console — the map (a tap sets a goal), the
 * joystick to drive, STOP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { settledView, startConsoleRig, toScreen, type ApiProbe, type ConsoleRig } from './support';

let rig: ConsoleRig;
let probe: ApiProbe;

beforeAll(async () => {
  rig = await startConsoleRig({ seed: 5 });
  ({ probe } = rig);
  await probe.until((s) => s.link.state === 'connected' && s.pose !== null && s.scan.length > 0, 20_000, 'robot connected');
}, 90_000);

afterAll(async () => {
  await rig?.close();
});

const VIEWPORTS = [
  { name: 'phone', width: 390, height: 844, touch: true },
  { name: 'phone landscape', width: 844, height: 390, touch: true },
  { name: 'tablet', width: 768, height: 1024, touch: true },
  { name: 'laptop', width: 1280, height: 800, touch: false },
  { name: 'desktop', width: 1920, height: 1080, touch: false },
];

async function open(vp: (typeof VIEWPORTS)[number]): Promise<{ context: BrowserContext; page: Page }> {
  const context = await rig.browser.newContext({ viewport: { width: vp.width, height: vp.height }, hasTouch: vp.touch });
  const page = await context.newPage();
  await page.goto(rig.url);
  await expect.poll(() => page.getByTestId('link-state').textContent(), { timeout: 15_000 }).toContain('connected');
  return { context, page };
}

/** The element's box lies inside the viewport and the element is what a press at its centre hits. */
async function expectPressable(page: Page, testid: string, vp: { width: number; height: number }): Promise<{ x: number; y: number }> {
  const el = page.getByTestId(testid);
  await expect.poll(() => el.isVisible(), { timeout: 5_000 }).toBe(true);
  const box = (await el.boundingBox())!;
  expect(box.x, `${testid} left edge`).toBeGreaterThanOrEqual(0);
  expect(box.y, `${testid} top edge`).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width, `${testid} right edge`).toBeLessThanOrEqual(vp.width);
  expect(box.y + box.height, `${testid} bottom edge`).toBeLessThanOrEqual(vp.height);
  const centre = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  const hit = await page.evaluate(
    ({ x, y, id }) => document.elementFromPoint(x, y)?.closest(`[data-testid="${id}"]`) !== null,
    { x: centre.x, y: centre.y, id: testid },
  );
  expect(hit, `${testid} is what a press at its centre hits`).toBe(true);
  return centre;
}

describe('STOP at every screen size', () => {
  for (const vp of VIEWPORTS) {
    it(`${vp.name} ${vp.width}×${vp.height}: STOP is on screen, pressable, and engages the emergency stop`, async () => {
      const { context, page } = await open(vp);
      try {
        // Nothing scrolls: what is on screen is the whole console.
        expect(await page.evaluate(() => [document.scrollingElement!.scrollWidth, document.scrollingElement!.scrollHeight])).toEqual([vp.width, vp.height]);
        const centre = await expectPressable(page, 'estop', vp);
        if (vp.touch) await page.touchscreen.tap(centre.x, centre.y);
        else await page.mouse.click(centre.x, centre.y);
        await probe.until((s) => s.emergencyStop, 3_000, 'emergency stop engaged');
        await expect.poll(() => page.getByTestId('estop-state').isVisible(), { timeout: 3_000 }).toBe(true);
        await expectPressable(page, 'estop', vp);
        await expectPressable(page, 'estop-state', vp);
        // Release is reachable too.
        const release = await expectPressable(page, 'estop-release', vp);
        await page.mouse.click(release.x, release.y);
        await probe.until((s) => !s.emergencyStop, 3_000, 'emergency stop released');
      } finally {
        await context.close();
      }
    }, 60_000);
  }
});

describe('phone layout', () => {
  it('shows the map and the joystick; the joystick drives and a tap on the map sets a goal', async () => {
    const vp = VIEWPORTS[0];
    const { context, page } = await open(vp);
    try {
      // The map takes the width of the screen and a good part of its height.
      const map = (await page.getByTestId('map-host').boundingBox())!;
      expect(map.width).toBeGreaterThanOrEqual(vp.width * 0.95);
      expect(map.height).toBeGreaterThanOrEqual(vp.height * 0.3);
      expect(map.y + map.height).toBeLessThanOrEqual(vp.height);

      // The joystick is on screen at first, and dragging it drives.
      const joy = await expectPressable(page, 'joystick', vp);
      await page.mouse.move(joy.x, joy.y);
      await page.mouse.down();
      await page.mouse.move(joy.x, joy.y - 40, { steps: 4 });
      await expect.poll(() => page.getByTestId('teleop-state').getAttribute('data-active'), { timeout: 2_000 }).toBe('true');
      await probe.until((s) => s.motion === 'teleop' && s.command.v > 0, 3_000, 'teleop from the joystick');
      await page.mouse.up();
      await expect.poll(() => page.getByTestId('teleop-state').getAttribute('data-active'), { timeout: 2_000 }).toBe('false');
      await probe.until((s) => s.command.v === 0 && Math.abs(s.velocity.v) < 0.02, 3_000, 'stopped after release');

      // Goal: open the Goal tab, arm the tool, tap the map.
      await page.getByTestId('tab-goal').tap();
      await page.getByTestId('goal-mode').tap();
      const view = await settledView(page);
      const at = await toScreen(page, view, 5.5, 4.6);
      expect(at.x).toBeGreaterThan(0);
      expect(at.x).toBeLessThan(vp.width);
      await page.touchscreen.tap(at.x, at.y);
      const set = await probe.until((s) => s.goal !== null, 5_000, 'goal set by a tap');
      expect(set.goal!.x).toBeCloseTo(5.5, 0);
      expect(set.goal!.y).toBeCloseTo(4.6, 0);
      await page.getByTestId('cancel-goal').tap();
      await probe.until((s) => s.goal === null, 3_000, 'goal cancelled');
    } finally {
      await context.close();
    }
  }, 90_000);
});
