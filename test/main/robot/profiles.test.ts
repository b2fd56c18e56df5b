/**
 * Robot and lidar profiles: the built-in files load and say what each robot does when
 * commands stop; a user's file replaces a built-in of the same name; broken files are named
 * with why and do not stop the rest; ports are matched to profiles by their USB ids.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { builtinCatalog, findLidarProfile, findRobotProfile, loadProfiles } from '../../../src/main/robot/profiles';
import { proposeProfiles } from '../../../src/main/robot/usb-match';

const RESOURCES = join(__dirname, '../../../resources');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function userDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'foresight-profiles-'));
  dirs.push(d);
  mkdirSync(join(d, 'lidars'));
  return d;
}

describe('built-in profiles', () => {
  const catalog = builtinCatalog(RESOURCES);

  it('has every robot and lidar the issue names, and all load', () => {
    expect(catalog.problems).toEqual([]);
    expect(catalog.robots.map((r) => r.name).sort()).toEqual(['ardupilot-rover', 'create2', 'foresight', 'kobuki', 'px4-rover', 'turtlebot3-burger', 'turtlebot3-waffle-pi']);
    expect(catalog.lidars.map((l) => l.name).sort()).toEqual(['lds-01', 'lds-02', 'rplidar-a1', 'rplidar-a2', 'rplidar-c1', 'rplidar-s2']);
  });

  it('says honestly what each robot does when commands stop', () => {
    const watchdog = (name: string) => findRobotProfile(catalog, name).watchdog;
    expect(watchdog('turtlebot3-burger')?.timeoutS).toBe(0.5);
    expect(watchdog('ardupilot-rover')?.timeoutS).toBe(3);
    expect(watchdog('foresight')?.timeoutS).toBe(0.25);
    // The Create 2 keeps driving: no dead-man of its own.
    expect(watchdog('create2')).toBeNull();
    for (const r of catalog.robots) expect(r.safeStop.length).toBeGreaterThan(10);
  });

  it('uses published dimensions and limits', () => {
    const burger = findRobotProfile(catalog, 'turtlebot3-burger');
    expect(burger.limits.maxLinearVelocity).toBe(0.21); // the firmware clamps to 0.2108 m/s (61 rpm motors)
    expect(burger.body.wheelBase).toBe(0.16);
    expect(burger.baudRate).toBe(1000000);
    expect(findRobotProfile(catalog, 'turtlebot3-waffle-pi').limits.maxLinearVelocity).toBe(0.26);
    expect(findRobotProfile(catalog, 'create2').body.wheelBase).toBe(0.235);
    expect(findRobotProfile(catalog, 'create2').limits.maxLinearVelocity).toBe(0.5);
    expect(findLidarProfile(catalog, 'lds-01').baudRate).toBe(230400);
    expect(findLidarProfile(catalog, 'lds-02').baudRate).toBe(115200);
    // Every robot's usual lidar is a known lidar.
    for (const r of catalog.robots) if (r.lidar) expect(() => findLidarProfile(catalog, r.lidar!.model)).not.toThrow();
  });

  it('gives every robot a plausible odometry error for simulated drift, each after its build', () => {
    const err = (name: string) => findRobotProfile(catalog, name).odometryError!;
    for (const r of catalog.robots) {
      const e = r.odometryError!;
      expect(e, r.name).toBeDefined();
      // Uncalibrated but working robots: a few percent at most, spreads of centimetres per metre.
      expect(Math.abs(e.systematic.distanceScale)).toBeLessThanOrEqual(0.05);
      expect(Math.abs(e.systematic.rotationScale)).toBeLessThanOrEqual(0.05);
      expect(e.random.distancePerSqrtM).toBeGreaterThan(0);
      expect(e.random.distancePerSqrtM).toBeLessThanOrEqual(0.05);
    }
    // TurtleBot3's small light wheels slip more than the Kobuki's.
    expect(err('turtlebot3-burger').slip.accelThreshold).toBeLessThan(err('kobuki').slip.accelThreshold);
    expect(err('turtlebot3-burger').slip.turnInPlace).toBeGreaterThan(err('kobuki').slip.turnInPlace);
    // The Create 2's heading comes from its encoders (castor, scrub); the Kobuki's from its gyro.
    const rotation = (name: string) => Math.abs(err(name).systematic.rotationScale) + err(name).slip.turnInPlace;
    expect(rotation('create2')).toBeGreaterThan(4 * rotation('kobuki'));
    expect(err('create2').random.headingPerSqrtRad).toBeGreaterThan(5 * err('kobuki').random.headingPerSqrtRad);
    // Rovers on rough ground: the largest random distance error.
    for (const rover of ['ardupilot-rover', 'px4-rover']) {
      for (const r of catalog.robots) if (!r.name.endsWith('rover')) expect(err(rover).random.distancePerSqrtM).toBeGreaterThan(r.odometryError!.random.distancePerSqrtM);
    }
  });

  it('refuses an unknown name with the known ones listed', () => {
    expect(() => findRobotProfile(catalog, 'roomba-980')).toThrow(/No robot profile 'roomba-980'.*create2/);
    expect(() => findLidarProfile(catalog, 'velodyne')).toThrow(/rplidar-a1/);
  });
});

describe('user profiles', () => {
  it('a copied and edited built-in replaces it; a new one joins; broken files are named and skipped', () => {
    const user = userDir();
    const create2 = JSON.parse(readFileSync(join(RESOURCES, 'robots', 'create2.json'), 'utf8'));
    writeFileSync(join(user, 'create2.json'), JSON.stringify({ ...create2, limits: { ...create2.limits, maxLinearVelocity: 0.3 } }));
    writeFileSync(join(user, 'my-rover.json'), JSON.stringify({ ...create2, title: 'My rover', driver: 'kobuki' }));
    writeFileSync(join(user, 'broken.json'), '{ "title": ');
    writeFileSync(join(user, 'bad-driver.json'), JSON.stringify({ ...create2, driver: 'roomba' }));
    writeFileSync(join(user, 'lidars', 'negative.json'), JSON.stringify({ title: 'x', driver: 'rplidar', baudRate: 115200, beams: 360, rangeMin: 1, rangeMax: 0.5, rateHz: 5 }));
    const catalog = loadProfiles({ builtin: join(RESOURCES, 'robots'), user });
    expect(findRobotProfile(catalog, 'create2').limits.maxLinearVelocity).toBe(0.3);
    expect(findRobotProfile(catalog, 'create2').source).toBe(join(user, 'create2.json'));
    expect(findRobotProfile(catalog, 'my-rover').driver).toBe('kobuki');
    expect(findRobotProfile(catalog, 'kobuki').source).toBe('built-in');
    expect(catalog.problems).toHaveLength(3);
    expect(catalog.problems.join('\n')).toMatch(/broken\.json: not valid JSON/);
    expect(catalog.problems.join('\n')).toMatch(/bad-driver\.json: driver/);
    expect(catalog.problems.join('\n')).toMatch(/negative\.json: .*rangeMax must exceed rangeMin/);
  });

  it('an odometry error may leave terms out (they are 0) but not misspell them or go absurd', () => {
    const user = userDir();
    const kobuki = JSON.parse(readFileSync(join(RESOURCES, 'robots', 'kobuki.json'), 'utf8'));
    writeFileSync(join(user, 'partial.json'), JSON.stringify({ ...kobuki, odometryError: { systematic: { rotationScale: -0.02 } } }));
    writeFileSync(join(user, 'none.json'), JSON.stringify({ ...kobuki, odometryError: undefined }));
    writeFileSync(join(user, 'typo.json'), JSON.stringify({ ...kobuki, odometryError: { random: { distancePerMetre: 0.01 } } }));
    writeFileSync(join(user, 'absurd.json'), JSON.stringify({ ...kobuki, odometryError: { systematic: { distanceScale: 1.5 } } }));
    const catalog = loadProfiles({ builtin: join(RESOURCES, 'robots'), user });
    expect(findRobotProfile(catalog, 'partial').odometryError).toEqual({
      systematic: { distanceScale: 0, rotationScale: -0.02, curvature: 0 },
      random: { distancePerSqrtM: 0, distancePerSqrtRad: 0, headingPerSqrtRad: 0, headingPerSqrtM: 0 },
      slip: { accelThreshold: 0, ratioPerAccel: 0, turnInPlace: 0, variation: 0 },
    });
    expect(findRobotProfile(catalog, 'none').odometryError).toBeUndefined();
    expect(catalog.problems).toHaveLength(2);
    expect(catalog.problems.join('\n')).toMatch(/typo\.json: odometryError\.random: .*distancePerMetre/);
    expect(catalog.problems.join('\n')).toMatch(/absurd\.json: odometryError\.systematic\.distanceScale/);
  });

  it('takes a profile file by path', () => {
    const user = userDir();
    const file = join(user, 'elsewhere.json');
    const kobuki = JSON.parse(readFileSync(join(RESOURCES, 'robots', 'kobuki.json'), 'utf8'));
    writeFileSync(file, JSON.stringify({ ...kobuki, title: 'Lab Kobuki' }));
    expect(findRobotProfile(builtinCatalog(RESOURCES), file)).toMatchObject({ name: 'elsewhere', title: 'Lab Kobuki', driver: 'kobuki' });
  });
});

describe('proposeProfiles', () => {
  const catalog = builtinCatalog(RESOURCES);
  it('proposes the robot or lidars a port’s USB ids match, and leaves unknown ports alone', () => {
    const ports = proposeProfiles(
      [
        { path: '/dev/ttyACM0', label: 'ROBOTIS', source: 'system', vendorId: '0483', productId: '5740' },
        { path: '/dev/ttyUSB0', label: 'CP2102', source: 'system', vendorId: '10c4', productId: 'ea60' },
        { path: '/dev/ttyUSB1', label: 'FTDI', source: 'scan', vendorId: '0403', productId: '6015' },
        { path: '/dev/ttyACM1', label: 'Pixhawk', source: 'system', vendorId: '1209', productId: '5740' },
        { path: '/dev/ttyS0', label: 'UART', source: 'scan' },
        { path: '/dev/ttyUSB2', label: 'something', source: 'system', vendorId: 'abcd', productId: '0001' },
      ],
      catalog,
    );
    expect(ports[0]!.proposal).toMatchObject({ robot: 'turtlebot3-burger', what: expect.stringContaining('TurtleBot3 Burger or TurtleBot3 Waffle Pi') });
    expect(ports[1]!.proposal).toMatchObject({ lidars: expect.arrayContaining(['lds-01', 'lds-02', 'rplidar-a1', 'rplidar-c1']) });
    expect(ports[1]!.proposal!.robot).toBeUndefined();
    expect(ports[2]!.proposal).toMatchObject({ robot: 'create2' });
    expect(ports[3]!.proposal).toMatchObject({ robot: 'ardupilot-rover' });
    expect(ports[4]!.proposal).toBeUndefined();
    expect(ports[5]!.proposal).toBeUndefined();
  });
});
