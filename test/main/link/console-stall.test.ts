/**
 * The console's own stall is not the robot's silence (issue 14): a console whose event loop is
 * blocked for 1.2 s (a long task, a collection, a loaded machine) finds the robot's bytes
 * waiting in the pty when it runs again, and keeps the link; a robot that really goes silent
 * (its process stopped) is still declared lost after 500 ms. Real simulator child process,
 * real pty, real serial transport.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConsoleCore } from '../../../src/main/core/console';
import { RobotLink, SerialTransport, systemClock } from '../../../src/main/link';
import { ForesightLinkDriver } from '../../../src/main/robot/foresight-driver';
import type { ConsoleEvent } from '../../../src/shared/api';
import { startSimChild } from '../../support/sim-child';
import { sleep, until } from '../../support/poll';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Waits until `cond` holds (polled every 5 ms). */
const waitUntil = (cond: () => boolean, timeoutMs: number, what: string): Promise<boolean> => until(cond, timeoutMs, what, 5);

/** Blocks this thread, as a long synchronous task does. */
function blockFor(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) { /* busy */ }
}

describe('silence judged while the console runs', () => {
  it('keeps the link through a 1.2 s stall of its own event loop, and still loses it 500 ms into a real silence', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'foresight-stall-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const linkPath = join(dir, 'robot.tty');
    const sim = await startSimChild(linkPath);
    cleanups.push(() => sim.stop());
    const core = new ConsoleCore({
      clock: () => systemClock.nowMs() / 1000,
      driverFactory: async () => new ForesightLinkDriver(new RobotLink({ transport: new SerialTransport({ path: linkPath }) })),
    });
    cleanups.push(() => core.shutdown());
    const events: ConsoleEvent[] = [];
    core.subscribe((name, payload) => { if (name === 'event') events.push(payload as ConsoleEvent); });
    const states: string[] = [];
    expect((await core.connect({ kind: 'serial', path: linkPath })).ok).toBe(true);
    core.driver!.on('state', (s) => states.push(s.state));
    await waitUntil(() => core.snapshot().link.state === 'connected' && core.snapshot().pose !== null, 20_000, 'the connection');
    await sleep(1000);

    // The console stalls; the robot goes on sending into the pty.
    blockFor(1200);
    await sleep(1000);
    expect(states).not.toContain('lost');
    expect(core.snapshot().link.state).toBe('connected');
    // Late data is late, not a robot clock that jumped: nothing stops motion for it.
    expect(events.filter((e) => /clock jumped|Link lost/i.test(e.message))).toEqual([]);
    expect(core.faults.holding(systemClock.nowMs())).toBeNull();
    // Fresh data again after the stall.
    await waitUntil(() => core.snapshot().scanAgeMs !== null && core.snapshot().scanAgeMs! < 300, 3_000, 'a fresh scan after the stall');

    // The robot really goes silent: lost after 500 ms of it (plus the 20 ms check, and slack
    // for a loaded machine), never before.
    sim.child.kill('SIGSTOP');
    const silentFrom = systemClock.nowMs();
    await waitUntil(() => core.snapshot().link.state === 'lost', 5_000, 'the link to be declared lost');
    const lostAfterMs = systemClock.nowMs() - silentFrom;
    sim.child.kill('SIGCONT');
    expect(lostAfterMs).toBeGreaterThanOrEqual(450);
    expect(lostAfterMs).toBeLessThan(1000);
    expect(core.snapshot().link.message).toMatch(/no data from the robot for \d+ ms/);
  }, 60_000);
});
