/**
 * Fault: the serial port vanishes mid-run (USB cable pulled), over a real pty, and comes back
 * at the same path (a stable symlink, as udev by-id paths are).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SerialTransport } from '../../../src/main/link/serial-transport';
import { createPseudoTerminal, type PseudoTerminal } from '../../../src/sim/pty';
import { TELEOP_DEADMAN_S } from '../../../src/main/core/console';
import { FaultyRobot, ROBOT_STOP_BOUND_MS, STOP_BOUND_MS, driveThenFault, sleep, startRig, waitUntil, type Rig } from './fault-harness';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('fault: the port vanishes mid-run', () => {
  it('stops motion at once, says the link is lost and why, logs it, and reconnects when the device returns', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'foresight-unplug-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const linkPath = join(dir, 'robot.tty');
    let pty: PseudoTerminal = await createPseudoTerminal({ linkPath });
    cleanups.push(() => pty.close());
    let robot = new FaultyRobot(pty);
    cleanups.push(() => robot.close());
    const rig: Rig = await startRig(new SerialTransport({ path: linkPath }));
    cleanups.push(() => rig.close());

    const r = await driveThenFault(rig, robot, () => pty.close());

    // Motion: the core hands the link zeros; the robot had its last moving command before the pull.
    expect(r.coreStoppedAfterMs).toBeLessThanOrEqual(STOP_BOUND_MS);
    expect(r.robotStoppedAfterMs!).toBeLessThanOrEqual(ROBOT_STOP_BOUND_MS);
    const snap = rig.core.snapshot();
    expect(snap.command).toEqual({ v: 0, w: 0 });
    expect(snap.motion).toBe('idle');
    // The operator: link state and a plain-words error event naming the port.
    expect(snap.link.state).toBe('lost');
    expect(snap.link.message).toMatch(/^Link lost: .*(disconnected|closed|removed).*reconnecting/i);
    expect(rig.events.some((e) => e.level === 'error' && e.message.startsWith('Link lost') && e.message.includes(linkPath))).toBe(true);
    // The run log.
    expect(rig.log.linkEvents()).toContainEqual(expect.objectContaining({ event: 'lost', message: expect.stringContaining('Link lost') }));

    // The operator lets go; the device comes back at the same path: the link reconnects by itself and driving works again.
    r.releaseStick();
    robot.close();
    pty = await createPseudoTerminal({ linkPath });
    robot = new FaultyRobot(pty);
    await waitUntil(() => rig.core.snapshot().link.state === 'connected', 5_000, 'the link to reconnect');
    expect(rig.core.snapshot().link.message).toContain('(reconnected)');
    expect(rig.log.linkEvents()).toContainEqual(expect.objectContaining({ event: 'reconnected' }));
    // Nothing moves by itself after the reconnect (once the released stick is past the
    // dead-man time); the stick drives again.
    await sleep(TELEOP_DEADMAN_S * 1000 + 100);
    await waitUntil(() => rig.core.snapshot().scanAgeMs !== null && rig.core.snapshot().scanAgeMs! < 100, 2_000, 'a fresh scan');
    expect(rig.core.snapshot().command).toEqual({ v: 0, w: 0 });
    rig.core.setTeleop({ linear: 0.5, angular: 0 });
    expect(rig.core.snapshot().command.v).toBeGreaterThan(0);
  }, 30_000);
});
