/**
 * One scenario through every robot's real driver, in real time: the simulator plays the
 * robot's firmware (its protocol emulator) on one pseudo-terminal and its lidar on another,
 * the live console drives it over serialport with the planner in its worker. Each robot must
 * get through the bathroom's narrow doorway to the goal without touching anything, as
 * `foresight scenario run FILE --robot NAME` does (the full matrix is in the issue notes).
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { builtinCatalog, findLidarProfile, findRobotProfile } from '../../../src/main/robot/profiles';
import { runScenarioThroughDriver } from '../../../src/main/scenario/over-driver';
import { loadScenarioFile } from '../../../src/main/scenario/scenario-file';

const RESOURCES = join(__dirname, '../../../resources');
const catalog = builtinCatalog(RESOURCES);

const CASES = [
  ['foresight', 'rplidar-a1'],
  ['turtlebot3-burger', 'lds-01'],
  ['turtlebot3-waffle-pi', 'lds-02'],
  ['ardupilot-rover', 'rplidar-a2'],
  ['px4-rover', 'rplidar-c1'],
  ['create2', 'rplidar-a1'],
  ['kobuki', 'rplidar-s2'],
] as const;

describe('the narrow doorway through every driver, over real ptys', () => {
  it.each(CASES)('%s with %s reaches the goal without a collision', { timeout: 120_000 }, async (robotName, lidarName) => {
    const loaded = await loadScenarioFile(join(RESOURCES, 'scenarios', 'narrow-doorway-bathroom.json'));
    if (!loaded.ok) throw new Error(loaded.message);
    const robot = findRobotProfile(catalog, robotName);
    const r = await runScenarioThroughDriver(loaded.scenario, { robot, lidar: findLidarProfile(catalog, lidarName) });
    const summary = JSON.stringify({ ...r, link: r.link });
    expect(r.outcome, summary).toBe('reached');
    expect(r.success, summary).toBe(true);
    expect(r.collisions, summary).toBe(0);
    expect(r.final_error_m, summary).toBeLessThanOrEqual(loaded.scenario.goalToleranceM + 0.05);
    // Through the doorway, not around the flat: about the length of the straight-line route.
    expect(r.path_length_m, summary).toBeGreaterThan(2.2);
    expect(r.path_length_m, summary).toBeLessThan(3.5);
    expect(r.link.bad_frames, summary).toBe(0);
    expect(r.link.reconnects, summary).toBe(0);
  });
});
