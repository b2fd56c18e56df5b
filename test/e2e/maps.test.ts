/**
 * Maps and localization in Chromium, as a user meets them. The simulated reference robot
 * drifts (its odometry starts at zero, not where it stands in the apartment): the console
 * cannot place it by itself, the operator places it with the pointer, the particle filter
 * takes over and the status bar says so. Then the operator maps a new place while driving,
 * saves it as map_server files, and loads the apartment again.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { parseRosMap } from '../../src/planner/grid';
import { CELL_OCCUPIED } from '../../src/shared/grid';
import { dragPose, startConsoleRig, type ApiProbe, type ConsoleRig } from './support';

let rig: ConsoleRig;
let page: Page;
let probe: ApiProbe;
/** Uncaught errors in the page: none may happen. */
const pageErrors: string[] = [];

beforeAll(async () => {
  rig = await startConsoleRig({ seed: 5, simArgs: ['--drift', 'typical'] });
  ({ page, probe } = rig);
  page.on('pageerror', (e) => pageErrors.push(`${e.message} ${e.stack ?? ''}`));
  // React reports a render that threw on the console before it unmounts the tree.
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(m.text());
  });
  await probe.until((s) => s.link.state === 'connected' && s.scan.length > 0, 20_000, 'robot connected');
}, 90_000);

afterAll(async () => {
  if (pageErrors.length > 0) console.log('PAGE ERRORS', pageErrors.join('\n'));
  await rig?.close();
});

/** Holds a key for `ms` (teleop with dead-man: releasing stops). */
async function hold(key: string, ms: number): Promise<void> {
  await page.keyboard.down(key);
  await page.waitForTimeout(ms);
  await page.keyboard.up(key);
}

describe('maps and localization', () => {
  it('is placed by the operator, localizes, maps a new place while driving, saves it and loads another', async () => {
    // The simulator says where the robot truly stands; the console does not know.
    const m = /start pose (-?[\d.]+) (-?[\d.]+) (-?[\d.]+)/.exec(rig.sim.output());
    expect(m).not.toBeNull();
    const truth = { x: Number(m![1]), y: Number(m![2]), theta: Number(m![3]) };
    const first = probe.snapshot()!;
    expect(first.localization.mode).toBe('localize');
    // Odometry from zero is nowhere near the truth on the map.
    expect(Math.hypot(first.pose!.x - truth.x, first.pose!.y - truth.y)).toBeGreaterThan(1);

    // Place the robot: press where it stands, drag toward where it faces.
    await page.getByTestId('place-robot').click();
    await dragPose(page, truth);
    await probe.until((s) => s.pose !== null && Math.hypot(s.pose.x - truth.x, s.pose.y - truth.y) < 0.2, 5_000, 'robot placed');

    // A little driving and the filter is sure; the status bar says so, with the spread.
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await hold('a', 1200);
    const localized = await probe.until((s) => s.localization.quality === 'localized' && (s.localization.ellipse?.major ?? 1) < 0.1, 20_000, 'localized');
    expect(localized.localization.agreement).toBeGreaterThan(0.7);
    await expect.poll(() => page.getByTestId('localization').textContent(), { timeout: 5_000 }).toMatch(/localized ±\d+ cm · \d+ % fit/);

    // A new map while driving: the map view shows it growing.
    await page.getByTestId('maps-panel').locator('.panel-toggle').click();
    await page.getByTestId('new-map').click();
    await probe.until((s) => s.localization.mode === 'mapping', 5_000, 'mapping');
    expect(pageErrors).toEqual([]);
    await expect.poll(async () => (await page.getByTestId('scene-stats').getAttribute('data-map')) ?? '', { timeout: 10_000 }).toMatch(/^map_being_built \d+x\d+$/);
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await hold('a', 2500);
    await hold('w', 1200);
    const mapped = await probe.until((s) => (s.localization.mapping?.nodes ?? 0) >= 5, 30_000, 'nodes added');
    expect(mapped.localization.quality).toBe('localized');
    await expect.poll(() => page.getByTestId('localization').textContent()).toMatch(/mapping · \d+ scans/);

    // Saved as map_server files in the user's maps folder, and localized on at once.
    await page.getByTestId('map-name').fill('e2e-home');
    await page.getByTestId('save-map').click();
    await probe.until((s) => s.localization.mode === 'localize', 20_000, 'localizing on the saved map');
    const dir = join(rig.configDir, 'foresight', 'maps');
    for (const f of ['e2e-home.yaml', 'e2e-home.pgm', 'e2e-home.posegraph.json']) expect(existsSync(join(dir, f))).toBe(true);
    const saved = parseRosMap(readFileSync(join(dir, 'e2e-home.yaml'), 'utf8'), readFileSync(join(dir, 'e2e-home.pgm')));
    expect(saved.ok).toBe(true);
    if (saved.ok) expect(saved.value.grid.data.filter((c) => c === CELL_OCCUPIED).length).toBeGreaterThan(100);
    await expect.poll(async () => (await page.getByTestId('scene-stats').getAttribute('data-map')) ?? '').toMatch(/^e2e_home \d+x\d+$/);

    // The saved list offers it (extendable) beside the built-in maps; loading the apartment
    // again starts localization there.
    await expect.poll(async () => (await page.getByTestId('map-choice').locator('option').allTextContents()).join('|')).toMatch(/e2e-home.*apartment \(built-in\)|apartment \(built-in\).*e2e-home/);
    await page.getByTestId('map-choice').selectOption('apartment');
    await page.getByTestId('load-map').click();
    await expect.poll(async () => (await page.getByTestId('scene-stats').getAttribute('data-map')) ?? '', { timeout: 10_000 }).toMatch(/^apartment \d+x\d+$/);
    expect(probe.snapshot()!.localization.mode).toBe('localize');
    expect(pageErrors).toEqual([]);
  }, 180_000);
});
