/** Fault: the robot speaks another protocol version (at connect, or after a firmware swap mid-run). */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryTransport } from '../../../src/main/link/memory-transport';
import { ConsoleCore } from '../../../src/main/core/console';
import { RobotLink } from '../../../src/main/link/robot-link';
import { ForesightLinkDriver } from '../../../src/main/robot/foresight-driver';
import { FaultyRobot, ROBOT_STOP_BOUND_MS, RunLog, STOP_BOUND_MS, driveThenFault, nowMs, sleep, startRig, waitUntil } from './fault-harness';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('fault: protocol version mismatch', () => {
  it('at connect: never sends a motion command, says which versions disagree, and logs it', async () => {
    const transport = new MemoryTransport();
    const robot = new FaultyRobot(transport.robot);
    robot.headerVersion = 2;
    cleanups.push(() => robot.close());
    const log = new RunLog();
    const core = new ConsoleCore({ clock: () => nowMs() / 1000, driverFactory: async () => new ForesightLinkDriver(new RobotLink({ transport })), recording: log.recording });
    cleanups.push(() => core.shutdown());
    const events: string[] = [];
    core.subscribe((e, p) => { if (e === 'event') events.push((p as { message: string }).message); });
    await core.connect({ kind: 'sim' });
    await waitUntil(() => core.snapshot().link.state === 'incompatible', 3_000, 'incompatible');
    core.setTeleop({ linear: 1, angular: 0 });
    await sleep(200);

    expect(robot.commands).toEqual([]);
    expect(core.snapshot().command).toEqual({ v: 0, w: 0 });
    const message = core.snapshot().link.message;
    expect(message).toContain('Robot speaks protocol v2; this console speaks v1');
    expect(message).toContain('No commands were sent');
    expect(events).toContain(message);
    // No run starts without a compatible Hello, so there is no run to log it in (see the report).
    expect(log.calls.filter((c) => c.method === 'startRun')).toEqual([]);
  }, 15_000);

  it('mid-run (firmware swapped under a moving robot): motion stops within 250 ms, in plain words, logged', async () => {
    const transport = new MemoryTransport();
    const robot = new FaultyRobot(transport.robot);
    cleanups.push(() => robot.close());
    const rig = await startRig(transport);
    cleanups.push(() => rig.close());

    const r = await driveThenFault(rig, robot, () => { robot.headerVersion = 2; });

    expect(r.coreStoppedAfterMs).toBeLessThanOrEqual(STOP_BOUND_MS);
    expect(r.robotStoppedAfterMs!).toBeLessThanOrEqual(ROBOT_STOP_BOUND_MS);
    const snap = rig.core.snapshot();
    expect(snap.link.state).toBe('incompatible');
    expect(snap.command).toEqual({ v: 0, w: 0 });
    expect(rig.events.some((e) => e.level === 'error' && e.message.includes('Robot speaks protocol v2'))).toBe(true);
    expect(rig.log.linkEvents()).toContainEqual(expect.objectContaining({ event: 'incompatible', message: expect.stringContaining('protocol v2') }));
    expect(rig.log.linkEvents().filter((e) => e.event === 'bad-frame' && e.reason === 'version').length).toBeGreaterThanOrEqual(3);
    // Incompatible is final: no reconnect attempts towards a robot that speaks another protocol.
    const commandsAtSwap = robot.commands.length;
    await sleep(500);
    expect(robot.commands.length).toBe(commandsAtSwap);
  }, 20_000);
});
