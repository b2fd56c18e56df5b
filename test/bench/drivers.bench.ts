/**
 * Driver benchmark: every built-in robot profile with its usual lidar, through its real
 * driver over real pseudo-terminals against the robot's protocol emulator.
 *
 * Per driver, two phases:
 *  1. Latency (emulator in this process, so both ends share one clock): command-to-wheel,
 *     from `setVelocity` to the emulator handing that speed to the simulated motors
 *     (SimCore.setCommand), over 40 step changes. It includes waiting for the next tick of
 *     the driver's command stream (the protocol's period), the pty, and the emulator's decode.
 *  2. Rates and cost (the simulated robot in a child process, `foresight sim --robot NAME
 *     --pty`, so this process runs only the driver): odometry rate and inter-arrival jitter,
 *     scan rate and jitter, and this process's CPU time per message received.
 *
 * Run: `npm run bench -- drivers`. Medians and p95 over the window; the machine is shared.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadavg } from 'node:os';
import { hostSeconds } from '../../src/main/core/clock';
import { SerialTransport } from '../../src/main/link';
import type { RobotDriver, RobotSample } from '../../src/main/robot/driver';
import { builtinCatalog, findLidarProfile } from '../../src/main/robot/profiles';
import { createRobotDriver } from '../../src/main/robot/registry';
import { createBaseEmulator, robotParamsFor } from '../../src/sim/emulators';
import { startRigOnPtys } from '../../src/sim/emulators/on-pty';
import { SimCore } from '../../src/sim/sim-core';
import type { OccupancyGrid } from '../../src/shared/grid';
import { usualSeparateLidar, type LidarProfile, type RobotProfile } from '../../src/shared/robots';

const ROOT = join(import.meta.dirname, '../..');
const catalog = builtinCatalog(join(ROOT, 'resources'));
const STEPS = 40;
const RATE_WINDOW_S = 5;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await sleep(5);
  return cond();
}
function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}
function room(): OccupancyGrid {
  const res = 0.05;
  const width = 160;
  const height = 120;
  const data = new Uint8Array(width * height);
  for (let c = 0; c < width; c++) data[c] = data[(height - 1) * width + c] = 100;
  for (let r = 0; r < height; r++) data[r * width] = data[r * width + width - 1] = 100;
  return { width, height, resolution: res, origin: { x: 0, y: 0 }, data };
}
function connectDriver(robot: RobotProfile, lidar: LidarProfile | null, basePath: string, lidarPath: string | null): RobotDriver {
  return createRobotDriver(
    { profile: robot, transport: new SerialTransport({ path: basePath, baudRate: robot.baudRate }), endpoint: `serial:${basePath}` },
    lidar && lidarPath ? { profile: lidar, path: lidarPath, mount: robot.lidar?.mount ?? { x: 0, y: 0, yaw: 0 } } : null,
  );
}

/** Phase 1: command-to-wheel latency, ms. */
async function latency(robot: RobotProfile): Promise<number[]> {
  const core = new SimCore({ map: room(), seed: 1, baseRobot: robotParamsFor(robot, null), startPose: { x: 4, y: 3, theta: 0 } });
  // Wrap the simulated motor controller: when does a new speed reach it?
  let changedAt = NaN;
  let lastV = 0;
  const setCommand = core.setCommand.bind(core);
  core.setCommand = (v: number, w: number, seq?: number) => {
    if (Math.abs(v - lastV) > 1e-3 && Number.isNaN(changedAt)) changedAt = performance.now();
    lastV = v;
    return setCommand(v, w, seq);
  };
  const rig = await startRigOnPtys(core, [createBaseEmulator(core, robot)]);
  const driver = connectDriver(robot, null, rig.devices[0]!.path, null);
  const out: number[] = [];
  try {
    driver.connect();
    if (!(await until(() => driver.status().state === 'connected', 8000))) throw new Error(`${robot.name}: did not connect (${driver.status().message})`);
    const speed = Math.min(0.1, robot.limits.maxLinearVelocity / 2);
    let v = 0;
    for (let i = 0; i < STEPS + 3; i++) {
      v = v === 0 ? speed : 0;
      changedAt = NaN;
      // Keep it fresh: the driver holds a command for its hold time, then sends zero.
      const t0 = performance.now();
      driver.setVelocity({ v, w: 0 }, hostSeconds());
      const keep = setInterval(() => driver.setVelocity({ v, w: 0 }, hostSeconds()), 50);
      await until(() => !Number.isNaN(changedAt), 2000);
      clearInterval(keep);
      if (i >= 3 && !Number.isNaN(changedAt)) out.push(changedAt - t0);
      await sleep(37 + (i % 5) * 11); // de-phase from the command stream
    }
  } finally {
    await driver.dispose();
    await rig.close();
  }
  return out;
}

/** Phase 2: rates, jitter and CPU per message with the simulator in a child process. */
async function rates(robot: RobotProfile, lidar: LidarProfile | null) {
  const args = [join(ROOT, 'bin', 'foresight.mjs'), 'sim', '--pty', '--robot', robot.name, '--lidar', lidar?.name ?? 'none', '--seed', '1', '--people', '0'];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let buf = '';
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop()!;
    lines.push(...parts);
  });
  const want = lidar ? 2 : 1;
  try {
    if (!(await until(() => lines.length >= want, 20_000))) throw new Error(`${robot.name}: simulator did not start`);
    const driver = connectDriver(robot, lidar, lines[0]!, lidar ? lines[1]! : null);
    const odom: number[] = [];
    const scans: number[] = [];
    let messages = 0;
    let counting = false;
    driver.on('sample', (s: RobotSample) => {
      if (!counting) return;
      messages++;
      if (s.frame.msg.type === 'odometry') odom.push(s.receivedAt);
      else if (s.frame.msg.type === 'laser-scan') scans.push(s.receivedAt);
    });
    try {
      driver.connect();
      if (!(await until(() => driver.status().state === 'connected' && (lidar === null || driver.capabilities()?.lidar === 'separate'), 10_000))) {
        throw new Error(`${robot.name}: did not connect (${driver.status().message})`);
      }
      await sleep(1500); // the lidar's first revolutions and the rate estimates settle
      counting = true;
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      // Drive gently in a circle meanwhile, as a robot under way would be.
      const keep = setInterval(() => driver.setVelocity({ v: Math.min(0.1, robot.limits.maxLinearVelocity / 2), w: 0.3 }, hostSeconds()), 50);
      await sleep(RATE_WINDOW_S * 1000);
      clearInterval(keep);
      const cpu = process.cpuUsage(cpu0);
      const wall = (performance.now() - t0) / 1000;
      counting = false;
      const gaps = (ts: number[]) => ts.slice(1).map((t, i) => (t - ts[i]!) * 1000);
      const og = gaps(odom);
      const sg = gaps(scans);
      return {
        odomHz: odom.length / wall,
        odomGapMs: { p50: quantile(og, 0.5), p95: quantile(og, 0.95), max: Math.max(...og) },
        scanHz: scans.length / wall,
        scanGapMs: { p50: quantile(sg, 0.5), p95: quantile(sg, 0.95) },
        cpuUsPerMessage: (cpu.user + cpu.system) / Math.max(1, messages),
        cpuPercent: ((cpu.user + cpu.system) / 1e6 / wall) * 100,
        messages,
      };
    } finally {
      await driver.dispose();
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

const rows: string[] = [];
console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}; ${STEPS} command steps, ${RATE_WINDOW_S} s rate window per driver`);
let failed = 0;
for (const robot of catalog.robots) {
  const usual = usualSeparateLidar(robot);
  const lidar = usual ? findLidarProfile(catalog, usual) : null;
  try {
    const lat = await latency(robot);
    const r = await rates(robot, lidar);
    const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '—');
    rows.push(
      `${robot.name.padEnd(21)} ${(lidar?.name ?? 'built-in').padEnd(10)} ` +
        `cmd→wheel p50 ${f(quantile(lat, 0.5))} p95 ${f(quantile(lat, 0.95))} ms | ` +
        `odom ${f(r.odomHz)} Hz gap p50 ${f(r.odomGapMs.p50)} p95 ${f(r.odomGapMs.p95)} max ${f(r.odomGapMs.max)} ms | ` +
        `scan ${f(r.scanHz)} Hz gap p50 ${f(r.scanGapMs.p50, 0)} p95 ${f(r.scanGapMs.p95, 0)} ms | ` +
        `CPU ${f(r.cpuUsPerMessage, 0)} µs/msg (${f(r.cpuPercent)} % of a core, ${r.messages} msgs)`,
    );
    console.log(rows.at(-1));
  } catch (err) {
    failed++;
    console.log(`${robot.name}: FAILED ${(err as Error).message}`);
  }
}
process.exit(failed > 0 ? 1 : 0);
