/**
 * A lost link that comes back is an event in the run, not a new run (issue 14): the console
 * against the simulator as a real child process on a real pty. The simulator is stopped for
 * 1.5 s (SIGSTOP/SIGCONT: what a loaded machine does to it), then ended and started again at
 * the same path (the device vanished and came back, its clock from zero). One run row holds
 * both losses and returns and the robot's data from every side of them, and neither return
 * reads as a robot clock jump.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { ConsoleCore } from '../../../src/main/core/console';
import { RunRecording } from '../../../src/main/core/run-recording';
import { RobotLink, SerialTransport, systemClock } from '../../../src/main/link';
import { Recorder } from '../../../src/main/recorder';
import { ForesightLinkDriver } from '../../../src/main/robot/foresight-driver';
import type { ConsoleEvent } from '../../../src/shared/api';
import { startSimChild, type SimChild } from '../../support/sim-child';
import { sleep, until } from '../../support/poll';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Waits until `cond` holds (polled every 10 ms). */
const waitUntil = (cond: () => boolean, timeoutMs: number, what: string): Promise<boolean> => until(cond, timeoutMs, what, 10);

describe('reconnects inside one run', () => {
  it('keeps one run across a stalled and a restarted simulator, with lost/reconnected events and data from all sides', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'foresight-reconnect-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const linkPath = join(dir, 'robot.tty');
    const dbPath = join(dir, 'runs.sqlite');

    let sim: SimChild = await startSimChild(linkPath);
    cleanups.push(() => sim.stop());

    const recording = new RunRecording(Recorder.open(dbPath), 0, false);
    const core = new ConsoleCore({
      clock: () => systemClock.nowMs() / 1000,
      recording,
      driverFactory: async () => new ForesightLinkDriver(new RobotLink({ transport: new SerialTransport({ path: linkPath }) })),
    });
    let shut = false;
    cleanups.push(async () => { if (!shut) await core.shutdown(); });
    const events: ConsoleEvent[] = [];
    core.subscribe((name, payload) => { if (name === 'event') events.push(payload as ConsoleEvent); });
    // Robot − host offsets of the robot's own frames, by host arrival (ms): the robot clock as the console sees it.
    const offsets: { atMs: number; offsetMs: number }[] = [];
    const watchFrames = (): void => {
      core.driver!.on('sample', (s) => {
        if (s.frame.msg.type === 'odometry') offsets.push({ atMs: s.receivedAt * 1000, offsetMs: s.frame.timestampUs / 1000 - s.receivedAt * 1000 });
      });
    };

    expect((await core.connect({ kind: 'serial', path: linkPath })).ok).toBe(true);
    watchFrames();
    await waitUntil(() => core.snapshot().link.state === 'connected' && core.snapshot().pose !== null, 20_000, 'the first connection');
    await sleep(1000);
    const beforeStall = offsets.filter((o) => o.atMs > systemClock.nowMs() - 800).map((o) => o.offsetMs);

    // 1. The simulator process is not scheduled for 1.5 s: the robot is silent, the link is
    //    lost, and it comes back by itself when the process runs again.
    sim.child.kill('SIGSTOP');
    const stoppedAt = systemClock.nowMs();
    await waitUntil(() => core.snapshot().link.state === 'lost', 5_000, 'the link to be declared lost');
    const lostAfterMs = systemClock.nowMs() - stoppedAt;
    await sleep(Math.max(0, 1500 - lostAfterMs));
    sim.child.kill('SIGCONT');
    const resumedAt = systemClock.nowMs();
    await waitUntil(() => core.snapshot().link.state === 'connected', 10_000, 'the link to come back after SIGCONT');
    await sleep(1500);
    // The robot clock did not lose the stall: frames after it sit on the same robot − host
    // offset as before it (the simulator used to skip the stall and step its clock back by it).
    const afterStall = offsets.filter((o) => o.atMs > resumedAt + 700).map((o) => o.offsetMs);
    expect(beforeStall.length).toBeGreaterThan(10);
    expect(afterStall.length).toBeGreaterThan(10);
    expect(Math.abs(median(afterStall) - median(beforeStall))).toBeLessThan(250);

    // 2. The device vanishes (the simulator ends, closing its pty) and another starts at the
    //    same path: a rebooted robot, its clock from zero.
    await sim.stop();
    await waitUntil(() => core.snapshot().link.state === 'lost', 5_000, 'the link to be lost when the pty vanishes');
    sim = await startSimChild(linkPath);
    await waitUntil(() => core.snapshot().link.state === 'connected', 20_000, 'the link to come back to the new simulator');
    const backAt = systemClock.nowMs() / 1000;
    await sleep(1000);
    shut = true;
    await core.shutdown();

    const db = new Database(dbPath, { readonly: true });
    cleanups.push(() => { db.close(); });
    const runs = db.prepare('SELECT id, outcome FROM runs').all() as { id: number; outcome: string }[];
    expect(runs).toHaveLength(1);
    expect(runs[0]!.outcome).toBe('completed');
    const runId = runs[0]!.id;
    const link = db.prepare("SELECT t, type, data FROM events WHERE run_id = ? AND kind = 'link' AND type != 'bad-frame' ORDER BY t").all(runId) as { t: number; type: string; data: string }[];
    expect(link.map((e) => e.type)).toEqual(['lost', 'reconnected', 'lost', 'reconnected']);
    expect(JSON.parse(link[1]!.data).message).toMatch(/link was down \d+\.\d s/);
    // The robot's data from before the first loss, between the two, and after the second return.
    const odomCount = (from: number, to: number): number =>
      (db.prepare('SELECT count(*) AS n FROM odometry WHERE run_id = ? AND t > ? AND t < ?').get(runId, from, to) as { n: number }).n;
    expect(odomCount(0, link[0]!.t)).toBeGreaterThan(20);
    expect(odomCount(link[1]!.t, link[2]!.t)).toBeGreaterThan(20);
    expect(odomCount(backAt, Infinity)).toBeGreaterThan(20);
    // Neither return was a robot clock jump (the operator was not told one, nothing recorded one).
    const faults = (db.prepare("SELECT data FROM events WHERE run_id = ? AND type = 'fault'").all(runId) as { data: string }[]).map((r) => JSON.parse(r.data) as { kind: string; message: string });
    expect(faults.filter((f) => f.kind === 'robot-clock-jump')).toEqual([]);
    expect(events.filter((e) => /clock jumped/i.test(e.message))).toEqual([]);
    expect(lostAfterMs).toBeGreaterThanOrEqual(450);
  }, 90_000);
});

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}
