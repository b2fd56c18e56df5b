/**
 * The console as the hosts build it (createConsoleCore), asked to connect to the built-in
 * simulator with a separate RPLIDAR: the simulator starts the base over its pseudo-terminal
 * and the RPLIDAR emulator (src/sim/emulators/rplidar.ts) over another, merged into one robot
 * whose scans come from the lidar.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createConsoleCore } from '../../../src/main/core/create';
import type { ConsoleCore } from '../../../src/main/core/console';
import { sleep } from './scripted-robot';

const RESOURCES = join(__dirname, '../../../resources');

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('createConsoleCore with a separate lidar', () => {
  it('connects the base and the RPLIDAR as one robot, described and scanned by the lidar', { timeout: 30_000 }, async () => {
    const core: ConsoleCore = await createConsoleCore({ resourcesDir: RESOURCES, dbPath: null });
    cleanups.push(() => core.shutdown());
    const res = await core.connect({ kind: 'sim', lidar: { model: 'rplidar-a1', mount: { x: 0.05, y: 0, yaw: 0 } } });
    expect(res).toEqual({ ok: true });
    for (let i = 0; i < 500 && !(core.capabilities?.lidar === 'separate' && core.state.scan && core.state.scan.msg.rangeMax === 12); i++) await sleep(20);
    expect(core.capabilities).toMatchObject({ driver: 'foresight-link', lidar: 'separate' });
    expect(core.capabilities!.spec).toMatchObject({ lidarBeams: 360, lidarRangeMax: 12, lidarMountX: 0.05 });
    expect(core.snapshot().robot).toMatchObject({ lidar: 'separate' });
    // The simulator's own lidar reaches 8 m; the scans the console uses are the RPLIDAR's (12 m).
    expect(core.state.scan!.msg.rangeMax).toBe(12);
    await sleep(500);
    expect(core.state.scan!.msg.rangeMax).toBe(12);
    expect(core.snapshot().link.state).toBe('connected');
    // What the run log calls it.
    expect(core.driver!.endpoint).toMatch(/^sim \+ lidar \S+$/);
  });
});
