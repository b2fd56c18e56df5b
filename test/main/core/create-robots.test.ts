/**
 * Every built-in robot as a user reaches it from the connection panel's "Start simulator"
 * (createConsoleCore, connect { kind: 'sim', robot }): the simulator process speaks that
 * robot's protocol on one pseudo-terminal and its usual lidar's on another; the console
 * connects the profile's driver and the lidar's, placed on the map where the simulated robot
 * stands. Then it drives by hand, and a goal is taken, or refused in words on a robot without
 * a dead-man until the operator consents.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createConsoleCore } from '../../../src/main/core/create';
import { NO_DEADMAN_REFUSAL, type ConsoleCore } from '../../../src/main/core/console';
import { APARTMENT_START_POSE } from '../../../src/sim/apartment';
import { sleep } from './scripted-robot';

const RESOURCES = join(__dirname, '../../../resources');

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await sleep(20);
  if (!cond()) throw new Error(`timed out waiting for ${what}`);
}

const ROBOTS = [
  { robot: 'turtlebot3-burger', driver: 'turtlebot3', lidar: 'ROBOTIS LDS-01', deadman: true },
  { robot: 'turtlebot3-waffle-pi', driver: 'turtlebot3', lidar: 'ROBOTIS LDS-01', deadman: true },
  { robot: 'ardupilot-rover', driver: 'mavlink', lidar: 'RPLIDAR', deadman: true },
  { robot: 'px4-rover', driver: 'mavlink', lidar: 'RPLIDAR', deadman: true },
  { robot: 'create2', driver: 'create2', lidar: 'RPLIDAR', deadman: false },
  { robot: 'kobuki', driver: 'kobuki', lidar: 'RPLIDAR', deadman: false },
] as const;

async function connected(robot: string, consent = false): Promise<ConsoleCore> {
  const core = await createConsoleCore({ resourcesDir: RESOURCES, dbPath: null, userProfilesDir: null });
  cleanups.push(() => core.shutdown());
  expect(await core.connect({ kind: 'sim', robot, ...(consent ? { allowAutonomyWithoutDeadman: true } : {}) })).toEqual({ ok: true });
  await until(() => core.snapshot().link.state === 'connected' && core.capabilities?.lidar === 'separate' && core.state.scan !== null && core.state.pose !== null, 20_000, `${robot} connected with scans`);
  return core;
}

describe.each(ROBOTS)('the simulated $robot from the console', ({ robot, driver, lidar, deadman }) => {
  it('connects through its own driver and lidar, placed where it stands, and drives by hand', { timeout: 60_000 }, async () => {
    const core = await connected(robot);
    expect(core.capabilities).toMatchObject({ driver, lidar: 'separate', screen: false });
    expect(core.snapshot().robot?.name).toBeTruthy();
    expect(core.snapshot().robot?.whenCommandsStop).toMatch(deadman ? /When commands stop, it (stops|leaves)/ : /KEEPS DRIVING/);
    // Odometry of these robots starts at zero; the console placed it at the simulator's start.
    const start = core.state.pose!;
    expect(Math.hypot(start.x - APARTMENT_START_POSE.x, start.y - APARTMENT_START_POSE.y)).toBeLessThan(0.05);
    // The lidar's scan lands on the apartment's walls: most map-frame points lie within 10 cm of an occupied cell.
    const scan = core.state.scan!;
    const grid = (await core.handle('getMap', null))!;
    const cells = Buffer.from(grid.dataBase64, 'base64');
    let near = 0;
    const n = scan.map.length / 2;
    for (let i = 0; i < n; i++) {
      const col = Math.floor((scan.map[2 * i]! - grid.origin.x) / grid.resolution);
      const row = Math.floor((scan.map[2 * i + 1]! - grid.origin.y) / grid.resolution);
      let hit = false;
      for (let dr = -2; dr <= 2 && !hit; dr++) for (let dc = -2; dc <= 2 && !hit; dc++) hit = cells[(row + dr) * grid.width + (col + dc)] === 100;
      if (hit) near++;
    }
    expect(near / n).toBeGreaterThan(0.8);
    expect(core.capabilities!.spec.lidarBeams).toBeGreaterThan(0);
    expect(String(core.driver!.endpoint)).toMatch(/^sim \+ lidar /);
    expect((core.driver as { lidar?: { layout(): { name: string } | null } }).lidar?.layout()?.name).toContain(lidar);

    // Teleop: forward for a second moves it forward.
    const before = core.state.pose!;
    const end = Date.now() + 1000;
    while (Date.now() < end) {
      core.setTeleop({ linear: 0.5, angular: 0 });
      await sleep(50);
    }
    core.setTeleop({ linear: 0, angular: 0 });
    const after = core.state.pose!;
    const ahead = (after.x - before.x) * Math.cos(before.theta) + (after.y - before.y) * Math.sin(before.theta);
    expect(ahead).toBeGreaterThan(0.05);

    // A goal: taken on a robot with a dead-man; refused in words on one without.
    const goal = { x: before.x + 0.5 * Math.cos(before.theta), y: before.y + 0.5 * Math.sin(before.theta), theta: before.theta };
    let res = await core.setGoal(goal);
    for (let i = 0; i < 100 && !res.ok && res.error.includes('not ready'); i++) {
      await sleep(200);
      res = await core.setGoal(goal);
    }
    if (deadman) expect(res).toEqual({ ok: true });
    else expect(res).toEqual({ ok: false, error: NO_DEADMAN_REFUSAL });
  });
});

describe('consent to autonomy without a dead-man', () => {
  it('a Create 2 connected with the operator’s consent takes a goal and reaches it', { timeout: 60_000 }, async () => {
    const core = await connected('create2', true);
    const p = core.state.pose!;
    const goal = { x: p.x + 0.6 * Math.cos(p.theta), y: p.y + 0.6 * Math.sin(p.theta), theta: p.theta };
    let res = await core.setGoal(goal);
    for (let i = 0; i < 100 && !res.ok && res.error.includes('not ready'); i++) {
      await sleep(200);
      res = await core.setGoal(goal);
    }
    expect(res).toEqual({ ok: true });
    await until(() => core.snapshot().goal === null, 20_000, 'goal reached');
    const at = core.state.pose!;
    expect(Math.hypot(at.x - goal.x, at.y - goal.y)).toBeLessThan(0.2);
  });
});
