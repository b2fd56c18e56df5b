/**
 * The review's map view in Chromium (issue 14, item 7): a run opens fitted to where the robot
 * went (its path and goals, not the whole map); the view follows the robot while it plays, and
 * a pan turns Follow off; only the goal active at the replay time is drawn (a reached goal
 * is not); the live view and the review keep their own view transforms.
 *
 * The run is recorded through the real Recorder as the console records one: planner cycles
 * only while a goal is active. The robot drives east along the apartment's hallway to goal A,
 * reaches it and stands; later goal B is set further east, and reached too.
 *
 * Needs the renderer bundle (npm run build:web → out/renderer).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { MapPayload } from '../../src/shared/api';
import { startWebHost, type WebHost } from '../../src/main/hosts/web/server';
import { loadRosMapFile, mapPayload } from '../../src/main/core/map-file';
import { Recorder } from '../../src/main/recorder/recorder';
import { RunStore } from '../../src/main/recorder/run-store';
import { createReviewHandlers } from '../../src/main/review/handlers';
import { HELLO, frame, tempDir } from '../main/recorder/fixtures';
import { ROOT, launchChromium, settledView, type View, reviewOnlyBackend } from './support';

const T0 = 1_700_000_000;
const DURATION_S = 24;
const START = { x: 1.2, y: 4.6 };
const SPEED = 0.4; // m/s
const GOAL_A = { x: 3.6, y: 4.6, theta: 0 };
const GOAL_B = { x: 5.6, y: 4.6, theta: 0 };
/** Goal A set, reached (the robot drives at SPEED, then stands); goal B set, reached. */
const SET_A = 0.5;
const REACH_A = SET_A + (GOAL_A.x - START.x) / SPEED; // 6.5
const SET_B = 11;
const REACH_B = SET_B + (GOAL_B.x - GOAL_A.x) / SPEED; // 16

function robotX(s: number): number {
  if (s < SET_A) return START.x;
  if (s < REACH_A) return START.x + SPEED * (s - SET_A);
  if (s < SET_B) return GOAL_A.x;
  if (s < REACH_B) return GOAL_A.x + SPEED * (s - SET_B);
  return GOAL_B.x;
}

/** Records the run; planner cycles (10 Hz) run only while a goal is active, as in the console. */
async function recordRun(path: string): Promise<number> {
  const rec = Recorder.open(path, { clock: () => T0, open: { quickCheck: false } });
  const runId = rec.startRun({ robotName: 'sim-bot', source: 'sim', startedAt: T0 });
  if (runId === null) throw new Error('run not started');
  rec.recordRobotFrame(frame(HELLO, 0, T0), T0);
  rec.recordOperatorAction({ action: 'connect', detail: 'sim' }, T0);
  rec.recordLinkEvent({ event: 'connected', message: 'Connected to sim-bot' }, T0);
  rec.recordMapToOdom({ x: START.x, y: START.y, theta: 0 }, T0);
  let seq = 1;
  const steps = DURATION_S * 50;
  for (let k = 0; k <= steps; k++) {
    const s = k / 50;
    const t = T0 + s;
    const at = (m: number) => Math.abs(s - m) < 1e-6;
    if (at(SET_A)) rec.recordOperatorAction({ action: 'set-goal', goal: GOAL_A }, t);
    if (at(SET_B)) rec.recordOperatorAction({ action: 'set-goal', goal: GOAL_B }, t);
    const x = robotX(s);
    const v = (robotX(s + 0.02) - x) / 0.02;
    rec.recordRobotFrame(frame({ type: 'odometry', x: x - START.x, y: 0, theta: 0, v, w: 0, lastCommandSeq: k }, seq++, t), t);
    const goal = s >= SET_A && s < REACH_A ? GOAL_A : s >= SET_B && s < REACH_B ? GOAL_B : null;
    if (goal && k % 5 === 0) {
      const chosen = { points: Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? x + (i / 2) * 0.1 : START.y)), cost: 1 };
      rec.recordPlannerCycle({
        cycleTimeS: 0.01, chosen, candidates: [], candidateCount: 500,
        guidancePath: [x, START.y, goal.x, goal.y], start: { x, y: START.y, theta: 0 }, goal, extra: {},
      }, t);
    }
  }
  rec.endRun('goal-reached', T0 + DURATION_S);
  await rec.close();
  return runId;
}

let tmp: ReturnType<typeof tempDir>;
let store: RunStore;
let host: WebHost;
let browser: Browser;
let page: Page;
let runId: number;
let map: MapPayload;

type Stats = Record<string, string>;
const stats = (): Promise<Stats> => page.getByTestId('scene-stats').evaluate((el) => ({ ...(el as HTMLElement).dataset }) as Stats);
const view = async (): Promise<View> => JSON.parse((await stats()).view ?? 'null') as View;
const runT = async (): Promise<number> => Number((await stats()).frameT) - T0;

/** The view once it stops changing (a fit after layout or a run's extent arriving). */
const settled = (): Promise<View> => settledView(page);

/** The same view, to the precision the stats element gives (a view restored from its centre may differ in the last digit). */
function expectSameView(a: View, b: View): void {
  expect(a.scale).toBeCloseTo(b.scale, 3);
  expect(a.offsetX).toBeCloseTo(b.offsetX, 1);
  expect(a.offsetY).toBeCloseTo(b.offsetY, 1);
}

/** Canvas px of a map point under view `v`. */
const onCanvas = (v: View, p: { x: number; y: number }) => ({ x: v.offsetX + v.scale * p.x, y: v.offsetY - v.scale * p.y });

async function canvasSize(): Promise<{ w: number; h: number }> {
  const s = await stats();
  return { w: Number(s.canvasW), h: Number(s.canvasH) };
}

/** The scale a fit of the whole map would have on this canvas (MapScene's fit: 44 px margins). */
async function mapFitScale(): Promise<number> {
  const { w, h } = await canvasSize();
  return Math.min((w - 88) / (map.width * map.resolution), (h - 88) / (map.height * map.resolution));
}

async function dragMap(dx: number, dy: number): Promise<void> {
  const box = (await page.getByTestId('map-canvas').boundingBox())!;
  const x = box.x + box.width * 0.6;
  const y = box.y + box.height * 0.6;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + dx, y + dy, { steps: 6 });
  await page.mouse.up();
}

async function openRun(): Promise<void> {
  const row = page.getByTestId(`run-${runId}`);
  await row.waitFor({ timeout: 10_000 });
  await row.locator('.run-main').click();
  await page.getByTestId('review-dock').waitFor({ timeout: 10_000 });
  await expect.poll(async () => (await stats()).frameT ?? '', { timeout: 10_000 }).not.toBe('');
}

async function seekRun(s: number): Promise<void> {
  const box = (await page.getByTestId('timeline-track').boundingBox())!;
  await page.mouse.click(box.x + box.width * (s / DURATION_S), box.y + 4);
  await expect.poll(async () => Math.abs((await runT()) - s), { timeout: 5_000 }).toBeLessThan(0.3);
}

beforeAll(async () => {
  tmp = tempDir();
  const db = join(tmp.dir, 'runs.sqlite');
  runId = await recordRun(db);
  store = RunStore.open(db, { quickCheck: false });
  const loaded = await loadRosMapFile(join(ROOT, 'resources', 'maps', 'apartment.yaml'));
  if (!loaded.ok) throw new Error(loaded.message);
  map = mapPayload(loaded.name, loaded.map.grid);
  host = await startWebHost({ backend: reviewOnlyBackend(createReviewHandlers({ store, zones: null }), map), rendererDir: join(ROOT, 'out', 'renderer'), port: 0 });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(host.url);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await host?.close();
  store?.close();
  tmp?.cleanup();
});

describe('the review map view in Chromium', () => {
  let liveView: View;

  it("fits the run's path and goals when it opens, not the whole map", async () => {
    // The live view first, moved by hand: the review must leave it alone (next test).
    await expect.poll(async () => (await stats()).map ?? '', { timeout: 15_000 }).toMatch(/apartment/);
    await settled();
    await dragMap(-90, 40);
    liveView = await settled();

    await page.getByTestId('mode-review').click();
    await openRun();
    // The extent arrives once frames across the run are sampled: the view then zooms in on it.
    const mapScale = await mapFitScale();
    await expect.poll(async () => (await view()).scale, { timeout: 10_000 }).toBeGreaterThan(1.3 * mapScale);
    const v = await settled();
    const { w, h } = await canvasSize();
    // Where the robot went and both goals are on screen, clear of the edges…
    for (const p of [START, GOAL_A, GOAL_B]) {
      const c = onCanvas(v, p);
      expect(c.x, `x of ${JSON.stringify(p)}`).toBeGreaterThan(30);
      expect(c.x).toBeLessThan(w - 30);
      expect(c.y).toBeGreaterThan(30);
      expect(c.y).toBeLessThan(h - 30);
    }
    // …centred on the run, and the whole map is not (its far corner is off screen).
    const mid = onCanvas(v, { x: (START.x + GOAL_B.x) / 2, y: START.y });
    expect(Math.abs(mid.x - w / 2)).toBeLessThan(0.1 * w);
    expect(Math.abs(mid.y - h / 2)).toBeLessThan(0.1 * h);
    const far = onCanvas(v, { x: map.width * map.resolution, y: map.height * map.resolution });
    expect(far.x > w || far.y < 0).toBe(true);
    expect((await stats()).viewKey).toBe('review');
  });

  it('keeps the live view and the review view apart: Fit and pans in one leave the other', async () => {
    // Move the review's view, then Fit it: the run again.
    const fitted = await settled();
    await dragMap(120, -60);
    await settled();
    await page.getByTestId('fit-map').click();
    const refitted = await settled();
    expect(refitted.scale).toBeCloseTo(fitted.scale, 3);
    expect(refitted.offsetX).toBeCloseTo(fitted.offsetX, 0);
    await dragMap(-50, 30);
    const reviewView = await settled();

    await page.getByTestId('mode-live').click();
    await expect.poll(async () => (await stats()).viewKey, { timeout: 5_000 }).toBe('live');
    expect(await page.getByTestId('follow-robot').isChecked()).toBe(false); // each view has its own Follow
    expectSameView(await settled(), liveView);

    // And Fit in the live view fits the map, leaving the review's where it was.
    await page.getByTestId('fit-map').click();
    const liveFitted = await settled();
    expect(liveFitted.scale).toBeCloseTo(await mapFitScale(), 2);
    await page.getByTestId('mode-review').click();
    await expect.poll(async () => (await stats()).viewKey, { timeout: 5_000 }).toBe('review');
    expectSameView(await settled(), reviewView);
  });

  it('draws only the goal active at the replay time: not one already reached', async () => {
    const key = (g: typeof GOAL_A) => `${g.x.toFixed(3)},${g.y.toFixed(3)},0.000`;
    // A active; A reached at 6.5 s (the recording still says "last goal set: A" from then on); B active; B reached.
    const instants = [3, REACH_A + 2, SET_B + 2, REACH_B + 4];
    const drawn: { goal: string; count: string }[] = [];
    for (const s of instants) {
      await seekRun(s);
      // The frame drawn is the sought one: the goal drawn with it, and how many.
      const st = await stats();
      drawn.push({ goal: st.goal, count: st.goalCount });
    }
    expect(drawn.map((d) => d.goal)).toEqual([key(GOAL_A), '', key(GOAL_B), '']);
    expect(drawn.map((d) => d.count)).toEqual(['1', '0', '1', '0']);
  });

  it('follows the robot while playing, from the start; a pan turns Follow off and the toggle back on', async () => {
    // A fresh console opened on the review (the pans above turned this one's Follow off).
    await page.goto(`${host.url}&view=review`);
    await openRun();
    const follow = page.getByTestId('follow-robot');
    expect(await follow.isChecked()).toBe(true); // a replay follows the robot from the start
    await settled();
    // Close in on the robot: at this zoom it crosses the canvas in a few seconds of replay.
    for (let i = 0; i < 8; i++) await page.getByRole('button', { name: '+', exact: true }).click();
    const zoomed = await settled();
    const { w, h } = await canvasSize();
    expect(zoomed.scale * (GOAL_B.x - START.x)).toBeGreaterThan(1.2 * w);

    await page.getByTestId('rate').selectOption('5');
    await page.getByTestId('play').click();
    const seen: { t: number; x: number; y: number }[] = [];
    const until = Date.now() + 3_500;
    while (Date.now() < until) {
      const st = await stats();
      if (st.poseX) {
        // The robot on the canvas from its pose and the view…
        const v = JSON.parse(st.view) as View;
        const c = onCanvas(v, { x: Number(st.poseX), y: Number(st.poseY) });
        // …as the stats element also says it.
        expect(Number(st.robotSx)).toBeCloseTo(c.x, 0);
        expect(Number(st.robotSy)).toBeCloseTo(c.y, 0);
        seen.push({ t: Number(st.frameT) - T0, ...c });
      }
      await page.waitForTimeout(100);
    }
    await page.getByTestId('play').click(); // pause
    expect(seen[seen.length - 1].t - seen[0].t).toBeGreaterThan(5); // the replay ran, the robot drove
    for (const p of seen) {
      expect(p.x, `robot at ${p.t.toFixed(1)} s`).toBeGreaterThanOrEqual(0);
      expect(p.x).toBeLessThanOrEqual(w);
      expect(p.y).toBeGreaterThanOrEqual(0);
      expect(p.y).toBeLessThanOrEqual(h);
    }
    expect((await view()).offsetX).toBeLessThan(zoomed.offsetX); // the view moved east with it

    await dragMap(-200, 0);
    await expect.poll(() => follow.isChecked(), { timeout: 2_000 }).toBe(false);
    expect((await stats()).follow).toBe('false');
    // Follow off: the view stays put while the robot moves (the operator looks elsewhere).
    // The drag's last moves reach the scene a frame or two after the pointer: settle first.
    const before = await settled();
    await seekRun(2);
    expectSameView(await view(), before);
    // The toggle turns it back on: the robot is brought back into view.
    await follow.check();
    await expect.poll(async () => Number((await stats()).robotSx), { timeout: 2_000 }).toBeGreaterThan(0);
    const st = await stats();
    expect(Number(st.robotSx)).toBeLessThan(w);
    expect(st.follow).toBe('true');
  });
});
