/**
 * The robot-facing command line: `foresight robots` lists the profiles, `foresight sim
 * --robot NAME` runs a robot in its own protocol with its lidar on a second pty, and `serve`
 * refuses a robot or lidar it does not know, or a lidar without its port, in words.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SerialTransport } from '../../../src/main/link';
import { builtinCatalog, findLidarProfile, findRobotProfile } from '../../../src/main/robot/profiles';
import { createRobotDriver } from '../../../src/main/robot/registry';
import type { ProfileCatalog } from '../../../src/shared/robots';

const BIN = fileURLToPath(new URL('../../../bin/foresight.mjs', import.meta.url));
const RESOURCES = fileURLToPath(new URL('../../../resources', import.meta.url));

function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += String(d)));
    child.stderr.on('data', (d: Buffer) => (stderr += String(d)));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('foresight robots', () => {
  it('lists every profile with what it does when commands stop; --json is the catalog', async () => {
    const text = await runCli(['robots'], { XDG_CONFIG_HOME: '/nonexistent' });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/create2 +iRobot Create 2: create2 protocol/);
    expect(text.stdout).toMatch(/KEEPS DRIVING/);
    expect(text.stdout).toMatch(/lds-02 +ROBOTIS LDS-02/);
    const json = await runCli(['robots', '--json'], { XDG_CONFIG_HOME: '/nonexistent' });
    const catalog = JSON.parse(json.stdout) as ProfileCatalog;
    expect(catalog.robots.map((r) => r.name)).toContain('turtlebot3-waffle-pi');
    expect(catalog.lidars.map((l) => l.name)).toContain('rplidar-s2');
    expect(catalog.problems).toEqual([]);
  });
});

describe('foresight sim --robot', () => {
  it('runs a Kobuki on one pty and its RPLIDAR on another, which the drivers connect to', { timeout: 30_000 }, async () => {
    const child = spawn(process.execPath, [BIN, 'sim', '--pty', '--robot', 'kobuki', '--people', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += String(d)));
    try {
      const lines = await new Promise<string[]>((resolve, reject) => {
        let out = '';
        // Both device paths on stdout, and the start pose on stderr.
        const check = (): void => {
          const parts = out.split('\n');
          if (parts.length > 2 && /start pose/.test(stderr) && /protocol/.test(stderr)) resolve(parts.slice(0, 2));
        };
        child.stdout.on('data', (d: Buffer) => {
          out += String(d);
          check();
        });
        child.stderr.on('data', check);
        child.once('exit', (code) => reject(new Error(`exited with ${code}: ${stderr}`)));
      });
      expect(lines[0]).toMatch(/^\/dev\/pts\/\d+$/);
      expect(lines[1]).toMatch(/^\/dev\/pts\/\d+$/);
      expect(stderr).toMatch(/kobuki protocol/);
      expect(stderr).toMatch(/start pose -?[\d.]+ -?[\d.]+ -?[\d.]+/);
      const catalog = builtinCatalog(RESOURCES);
      const robot = findRobotProfile(catalog, 'kobuki');
      const driver = createRobotDriver(
        { profile: robot, transport: new SerialTransport({ path: lines[0]! }), endpoint: lines[0]! },
        { profile: findLidarProfile(catalog, 'rplidar-a1'), path: lines[1]!, mount: { x: 0, y: 0, yaw: 0 } },
      );
      let scans = 0;
      driver.on('sample', (s) => void (s.frame.msg.type === 'laser-scan' && scans++));
      driver.connect();
      const end = Date.now() + 15_000;
      while (Date.now() < end && !(driver.status().state === 'connected' && scans >= 2)) await new Promise((r) => setTimeout(r, 50));
      expect(driver.capabilities()).toMatchObject({ driver: 'kobuki', lidar: 'separate' });
      expect(scans).toBeGreaterThanOrEqual(2);
      await driver.dispose();
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('refuses an unknown robot with the known ones named', async () => {
    const r = await runCli(['sim', '--pty', '--robot', 'roomba-980']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/No robot profile 'roomba-980'. Known: .*create2/);
  });
});

describe('foresight serve, refusing in words', () => {
  it('a lidar without its port, an unknown lidar, an unknown robot, a bad initial pose', async () => {
    const noPort = await runCli(['serve', '--port', '/dev/null', '--robot', 'create2', '--lidar', 'rplidar-a1']);
    expect(noPort.code).toBe(2);
    expect(noPort.stderr).toMatch(/--lidar wants NAME:PATH: which port is the rplidar-a1 on\?/);
    const unknownLidar = await runCli(['serve', '--port', '/dev/null', '--lidar', 'velodyne:/dev/ttyUSB0']);
    expect(unknownLidar.code).toBe(2);
    expect(unknownLidar.stderr).toMatch(/No lidar profile 'velodyne'/);
    const unknownRobot = await runCli(['serve', '--sim', '--robot', 'nope']);
    expect(unknownRobot.stderr).toMatch(/No robot profile 'nope'/);
    const pose = await runCli(['serve', '--sim', '--initial-pose', '1,2']);
    expect(pose.stderr).toMatch(/--initial-pose wants X,Y,THETA/);
  });
});
