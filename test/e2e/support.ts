/**
 * End-to-end helpers: real processes (`foresight sim`, `foresight serve`) and a real
 * Chromium driven by playwright-core.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import WebSocket from 'ws';
import { ODOMETRY_ONLY, type ApiMethodName, type ApiMethods, type ConsoleSnapshot, type MapPayload, type WsServerMessage } from '../../src/shared/api';
import type { ApiBackend } from '../../src/main/api/backend';
import type { ReviewHandlers } from '../../src/main/review/handlers';
import { releaseLifelineEnd, withLifeline } from '../../src/main/core/lifeline';

export const ROOT = join(__dirname, '..', '..');
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface RunningProcess {
  child: ChildProcess;
  /** Everything printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the first match of `pattern` in the output, or rejects after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Runs `foresight ARGS...` as its own process. */
/**
 * Runs `foresight ARGS...` as its own process, on a lifeline (src/main/core/lifeline.ts): a
 * test worker that dies leaves no console or simulator running.
 */
export function startForesight(args: string[], env: NodeJS.ProcessEnv = {}): RunningProcess {
  return startProcess(process.execPath, [join(ROOT, 'bin', 'foresight.mjs'), ...args], env, true);
}

export function startProcess(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}, lifeline = false): RunningProcess {
  const base = { ...process.env, ...env };
  const child = spawn(cmd, args, { cwd: ROOT, ...(lifeline ? withLifeline(['ignore', 'pipe', 'pipe'], base) : { env: base, stdio: ['ignore', 'pipe', 'pipe'] }) });
  if (lifeline) releaseLifelineEnd(child);
  let out = '';
  const waiters = new Set<() => void>();
  const onData = (d: Buffer): void => {
    out += d.toString();
    for (const w of waiters) w();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    child,
    output: () => out,
    waitFor(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const m = out.match(pattern);
          if (m) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(m);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${pattern}; output so far:\n${out}`));
        }, timeoutMs);
        waiters.add(check);
        child.once('exit', (code) => {
          if (waiters.has(check)) {
            waiters.delete(check);
            clearTimeout(timer);
            reject(new Error(`process exited (${code}) before ${pattern}; output:\n${out}`));
          }
        });
        check();
      });
    },
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(signal);
        await exited;
      }
    },
  };
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`Chromium not found at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)`);
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

/**
 * A second API client on the web host's WebSocket, for assertions on the live state
 * while the UI is driven through the browser.
 */
export class ApiProbe {
  private latest: ConsoleSnapshot | null = null;
  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (d) => {
      const msg = JSON.parse(d.toString()) as WsServerMessage;
      if ('event' in msg && msg.event === 'snapshot') this.latest = msg.payload as ConsoleSnapshot;
    });
  }

  static async connect(pageUrl: string): Promise<ApiProbe> {
    const url = new URL(pageUrl);
    const ws = new WebSocket(`ws://${url.host}/api?token=${url.searchParams.get('token')}`, { origin: `http://${url.host}` });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new ApiProbe(ws);
  }

  snapshot(): ConsoleSnapshot | null {
    return this.latest;
  }

  /** Polls snapshots until `predicate` holds; returns the matching snapshot. */
  async until(predicate: (s: ConsoleSnapshot) => boolean, timeoutMs: number, what: string): Promise<ConsoleSnapshot> {
    const start = Date.now();
    while (Date.now() - start < timeoutMs) {
      if (this.latest && predicate(this.latest)) return this.latest;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last snapshot: ${JSON.stringify(this.latest && { link: this.latest.link, pose: this.latest.pose, velocity: this.latest.velocity, motion: this.latest.motion })}`);
  }

  close(): void {
    this.ws.close();
  }
}

/** The simulator on a pty, `foresight serve` against it, Chromium on its page, an API probe. */
export interface ConsoleRig {
  dir: string;
  /** The console's XDG_CONFIG_HOME (its saved maps go to foresight/maps below it). */
  configDir: string;
  /** Stable path of the simulator's pty (a restarted simulator gets the same one). */
  tty: string;
  sim: RunningProcess;
  serve: RunningProcess;
  url: string;
  browser: Browser;
  page: import('playwright-core').Page;
  probe: ApiProbe;
  /** (Re)starts the simulator on the same pty path. */
  startSim(): Promise<RunningProcess>;
  close(): Promise<void>;
}

/**
 * The simulator on a pty and `serve` on it, with Chromium on the console. The console's config
 * folder (saved maps, profiles) is the rig's own, never the user's. `simArgs` and `serveArgs`
 * are added to the two command lines.
 */
export async function startConsoleRig(opts: { seed: number; people?: number; simArgs?: string[]; serveArgs?: string[] }): Promise<ConsoleRig> {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'foresight-e2e-'));
  const tty = join(dir, 'robot.tty');
  const startSim = async (): Promise<RunningProcess> => {
    const p = startForesight(['sim', '--pty', '--link', tty, '--seed', String(opts.seed), '--people', String(opts.people ?? 0), ...(opts.simArgs ?? [])]);
    await p.waitFor(/\/dev\/pts\/\d+/, 15_000);
    return p;
  };
  const rig = { dir, tty, startSim } as ConsoleRig;
  rig.sim = await startSim();
  rig.configDir = join(dir, 'config');
  rig.serve = startForesight(['serve', '--port', tty, '--http-port', '0', '--db', join(dir, 'runs.sqlite'), ...(opts.serveArgs ?? [])], { XDG_CONFIG_HOME: rig.configDir });
  rig.url = (await rig.serve.waitFor(/http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/, 30_000))[0];
  rig.browser = await launchChromium();
  rig.page = await rig.browser.newPage({ viewport: { width: 1280, height: 800 } });
  await rig.page.goto(rig.url);
  rig.probe = await ApiProbe.connect(rig.url);
  rig.close = async () => {
    rig.probe?.close();
    await rig.browser?.close();
    await rig.serve?.kill();
    await rig.sim?.kill();
    rmSync(dir, { recursive: true, force: true });
  };
  return rig;
}

export type View = { scale: number; offsetX: number; offsetY: number };

/**
 * The scene's published world → canvas transform, once the map is drawn and the view has
 * settled (it fits the map after loading and layout, which takes a moment on a busy machine).
 */
export async function settledView(page: Page): Promise<View> {
  const stats = page.getByTestId('scene-stats');
  await expect.poll(async () => (await stats.getAttribute('data-map')) ?? '', { timeout: 10_000 }).not.toBe('');
  let last = '';
  for (let i = 0; i < 50; i++) {
    const now = (await stats.getAttribute('data-view')) ?? '';
    if (now !== '' && now === last) return JSON.parse(now) as View;
    last = now;
    await page.waitForTimeout(300);
  }
  throw new Error(`the map view did not settle: ${last}`);
}

/** Canvas pixel of a map-frame point. */
export async function toScreen(page: Page, view: View, x: number, y: number): Promise<{ x: number; y: number }> {
  const box = (await page.getByTestId('map-host').locator('canvas').boundingBox())!;
  return { x: box.x + view.offsetX + view.scale * x, y: box.y + view.offsetY - view.scale * y };
}

/**
 * The map's pose gesture (goal and place-robot tools): press at `pose` (map frame), drag
 * `dragM` metres toward its heading, release. The tool must be chosen first.
 */
export async function dragPose(page: Page, pose: { x: number; y: number; theta: number }, dragM = 0.8): Promise<void> {
  const view = await settledView(page);
  const at = await toScreen(page, view, pose.x, pose.y);
  const toward = await toScreen(page, view, pose.x + dragM * Math.cos(pose.theta), pose.y + dragM * Math.sin(pose.theta));
  await page.mouse.move(at.x, at.y);
  await page.mouse.down();
  await page.mouse.move(toward.x, toward.y, { steps: 5 });
  await page.mouse.up();
}

/** A console with no robot connected, as its snapshot says (review and display tests). */
export function idleSnapshot(): ConsoleSnapshot {
  return {
    t: Date.now() / 1000,
    link: { state: 'disconnected', message: 'No robot connected', endpoint: null, rttMs: null, clockOffsetMs: null, frameRateHz: 0, crcErrors: 0, badFrames: 0, reconnects: 0 },
    robot: null, pose: null, velocity: { v: 0, w: 0 }, command: { v: 0, w: 0 }, motion: 'idle', emergencyStop: false, battery: null,
    faults: [], screenPan: null, scan: [], scanAgeMs: null, safety: null, goal: null, globalPath: [], candidates: [], chosen: null,
    people: [], gazeTarget: null, notice: null, localization: ODOMETRY_ONLY,
    speedLimit: 1, recording: { state: 'ready', runId: null, reason: null },
  };
}

/** A console backend without a robot: the review handlers over a run database, a map, an idle snapshot. */
export function reviewOnlyBackend(review: ReviewHandlers, map: MapPayload): ApiBackend {
  return {
    async handle<M extends ApiMethodName>(method: M, req: ApiMethods[M]['req']): Promise<ApiMethods[M]['res']> {
      if (method in review) return (review[method as keyof ReviewHandlers] as (r: unknown) => Promise<unknown>)(req) as Promise<ApiMethods[M]['res']>;
      if (method === 'getMap') return map as ApiMethods[M]['res'];
      if (method === 'getSnapshot') return idleSnapshot() as ApiMethods[M]['res'];
      if (method === 'listPorts' || method === 'listMaps') return [] as ApiMethods[M]['res'];
      if (method === 'listProfiles') return { robots: [], lidars: [], problems: [] } as ApiMethods[M]['res'];
      return { ok: false, error: 'no robot in this test' } as ApiMethods[M]['res'];
    },
    subscribe: () => () => {},
  };
}
