/**
 * Help and the map's look in Chromium (issue 14, item 10): `?` or F1 opens an overlay with the
 * shortcuts and a legend of every colour and glyph on the map, Esc closes it, `?` typed in a
 * text field does not; the debug stats line over the map is off until the Layers panel turns
 * it on (and stays as set across a reload); unknown cells look clearly unlike free space, and
 * the ROS colour scheme paints the map in RViz's colours, read back from the canvas's pixels.
 *
 * The map is made here: free space on the left, a wall, never-observed space on the right.
 * No robot: nothing is drawn over the map.
 *
 * Needs the renderer bundle (npm run build:web → out/renderer).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { MapPayload } from '../../src/shared/api';
import { startWebHost, type WebHost } from '../../src/main/hosts/web/server';
import { createReviewHandlers } from '../../src/main/review/handlers';
import { LAYER_LABELS } from '../../src/renderer/scene/layers/types';
import { ROOT, launchChromium, settledView, type View, reviewOnlyBackend } from './support';

const RES = 0.05;
const W = 160; // 8 m
const H = 120; // 6 m
/** Free for x < 4 m, a wall 4…4.2 m, unknown beyond; walls around. */
function testMap(): MapPayload {
  const cells = new Uint8Array(W * H);
  for (let row = 0; row < H; row++) {
    for (let col = 0; col < W; col++) {
      const x = col * RES;
      const border = row < 2 || row >= H - 2 || col < 2;
      cells[row * W + col] = border || (x >= 4 && x < 4.2) ? 100 : x < 4 ? 0 : 255;
    }
  }
  return { name: 'half_known', width: W, height: H, resolution: RES, origin: { x: 0, y: 0 }, dataBase64: Buffer.from(cells).toString('base64') };
}
const FREE_AT = { x: 2, y: 3 };
const UNKNOWN_AT = { x: 6.2, y: 3 };

let host: WebHost;
let browser: Browser;
let page: Page;

const stats = (): Promise<Record<string, string>> => page.getByTestId('scene-stats').evaluate((el) => ({ ...(el as HTMLElement).dataset }) as Record<string, string>);
const overlay = () => page.getByTestId('help-overlay');

async function mapView(): Promise<View> {
  await expect.poll(async () => (await stats()).map ?? '', { timeout: 15_000 }).toMatch(/half_known/);
  return settledView(page);
}

/** The colour on screen at map point `p` (RGB), read from a screenshot of the canvas. */
async function pixelAt(p: { x: number; y: number }): Promise<number[]> {
  const v = await mapView();
  const box = (await page.getByTestId('map-canvas').boundingBox())!;
  const x = Math.round(box.x + v.offsetX + v.scale * p.x);
  const y = Math.round(box.y + v.offsetY - v.scale * p.y);
  const png = await page.screenshot({ clip: { x: x - 2, y: y - 2, width: 5, height: 5 } });
  // Decoded in the page (a data: image on a 2-D canvas): no PNG decoder needed here.
  return page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width;
    c.height = img.height;
    const ctx = c.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    const d = ctx.getImageData(Math.floor(img.width / 2), Math.floor(img.height / 2), 1, 1).data;
    return [d[0], d[1], d[2]];
  }, png.toString('base64'));
}
const dist = (a: number[], b: number[]) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);

async function openLayersPanel(): Promise<void> {
  if ((await page.getByTestId('debug-stats').count()) === 0) await page.getByTestId('layers-panel').locator('.panel-toggle').click();
  await page.getByTestId('debug-stats').waitFor();
}

beforeAll(async () => {
  host = await startWebHost({ backend: reviewOnlyBackend(createReviewHandlers({ store: null, zones: null }), testMap()), rendererDir: join(ROOT, 'out', 'renderer'), port: 0 });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(host.url);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await host?.close();
});

describe('help and the map legend in Chromium', () => {
  it('opens with ? and shows the shortcuts and a legend entry for every layer; Esc closes it', async () => {
    await mapView();
    expect(await overlay().count()).toBe(0);
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('?');
    await overlay().waitFor({ timeout: 3_000 });
    const shortcuts = (await page.getByTestId('help-shortcuts').textContent()) ?? '';
    for (const key of ['W', '↑', 'Space', 'G', 'F', 'Esc', 'Enter', 'Backspace', 'F1']) expect(shortcuts, key).toContain(key);
    expect(shortcuts).toContain('Emergency stop');
    for (const layer of Object.keys(LAYER_LABELS)) {
      expect(await page.getByTestId('help-legend').locator(`[data-layer="${layer}"]`).count(), layer).toBeGreaterThan(0);
    }
    // Map cells in the scheme on screen (Foresight's by default), each with its glyph.
    expect(await page.getByTestId('legend-map-unknown').getAttribute('data-colors')).toBe('#0b0d11');
    expect(await page.getByTestId('legend-map-free').getAttribute('data-colors')).toBe('#2e3642');
    expect(await page.getByTestId('legend-goal').locator('svg').count()).toBe(1);
    await page.keyboard.press('Escape');
    await expect.poll(() => overlay().count(), { timeout: 2_000 }).toBe(0);
  });

  it('opens with F1 and with the help button, and closes with its Close button', async () => {
    await page.keyboard.press('F1');
    await overlay().waitFor({ timeout: 3_000 });
    await page.getByTestId('help-close').click();
    await expect.poll(() => overlay().count(), { timeout: 2_000 }).toBe(0);
    await page.getByTestId('help-button').click();
    await overlay().waitFor({ timeout: 3_000 });
    await page.keyboard.press('Escape');
    await expect.poll(() => overlay().count(), { timeout: 2_000 }).toBe(0);
  });

  it('does not open when ? is typed in a text field', async () => {
    await page.getByTestId('mode-review').click();
    const search = page.getByTestId('runs-search');
    await search.click();
    await page.keyboard.type('why?');
    expect(await search.inputValue()).toBe('why?');
    await page.waitForTimeout(200);
    expect(await overlay().count()).toBe(0);
    await search.fill('');
    await page.getByTestId('mode-live').click();
  });

  it('hides the debug stats line until the Layers panel turns it on, and remembers it', async () => {
    const line = page.getByTestId('scene-stats');
    expect(await line.isVisible()).toBe(false);
    expect(await line.getAttribute('data-debug')).toBe('false');
    // Still there for what reads it: the data attributes and the text.
    expect((await line.textContent()) ?? '').toMatch(/map=half_known 160x120 .* draw=\d+Hz/);
    await openLayersPanel();
    await page.getByTestId('debug-stats').check();
    await expect.poll(() => line.isVisible(), { timeout: 2_000 }).toBe(true);
    expect(await line.getAttribute('data-debug')).toBe('true');
    await page.reload();
    await mapView();
    expect(await page.getByTestId('scene-stats').getAttribute('data-debug')).toBe('true');
    expect(await page.getByTestId('scene-stats').isVisible()).toBe(true);
    await openLayersPanel();
    await page.getByTestId('debug-stats').uncheck();
    await expect.poll(() => page.getByTestId('scene-stats').isVisible(), { timeout: 2_000 }).toBe(false);
  });

  it('paints unknown clearly unlike free space, and in RViz colours with the ROS scheme', async () => {
    const free = await pixelAt(FREE_AT);
    const unknown = await pixelAt(UNKNOWN_AT);
    expect(dist(free, unknown), `free ${free} vs unknown ${unknown}`).toBeGreaterThan(60);
    expect(dist(free, [46, 54, 66])).toBeLessThan(4);

    await openLayersPanel();
    await page.getByTestId('map-scheme').selectOption('ros');
    await expect.poll(async () => (await stats()).mapScheme, { timeout: 2_000 }).toBe('ros');
    // RViz's map palette: free 255 white, unknown 0x70 0x89 0x86.
    await expect.poll(async () => dist(await pixelAt(FREE_AT), [255, 255, 255]), { timeout: 3_000 }).toBeLessThan(4);
    expect(dist(await pixelAt(UNKNOWN_AT), [0x70, 0x89, 0x86])).toBeLessThan(4);
    // The legend follows the scheme.
    await page.keyboard.press('F1');
    await overlay().waitFor({ timeout: 3_000 });
    expect(await page.getByTestId('legend-map-unknown').getAttribute('data-colors')).toBe('#708986');
    expect(await page.getByTestId('legend-map-free').getAttribute('data-colors')).toBe('#ffffff');
    await page.keyboard.press('Escape');
    // Remembered across a reload, then back to Foresight's.
    await page.reload();
    await mapView();
    expect((await stats()).mapScheme).toBe('ros');
    await openLayersPanel();
    await page.getByTestId('map-scheme').selectOption('foresight');
    await expect.poll(async () => dist(await pixelAt(FREE_AT), [46, 54, 66]), { timeout: 3_000 }).toBeLessThan(4);
  });
});
