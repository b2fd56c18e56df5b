/**
 * A base without a lidar plus a lidar on its own port, merged behind the robot seam: the
 * core drives the base (Foresight's link over a real RobotLink) and guards it with the
 * separate lidar's scans. The lidar here is a scripted device on the host clock; the real
 * lidar drivers (RPLIDAR, LDS) plug into the same LidarDevice interface.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ConsoleCore, NO_LIDAR_TELEOP_SPEED } from '../../../src/main/core/console';
import { hostSeconds } from '../../../src/main/core/clock';
import { InlinePlanner } from '../../../src/main/core/planner-port';
import { CELL_FREE } from '../../../src/shared/grid';
import { MemoryTransport, RobotLink } from '../../../src/main/link';
import { ForesightLinkDriver } from '../../../src/main/robot/foresight-driver';
import { RobotWithLidar } from '../../../src/main/robot/with-lidar';
import { EventHub, type LidarDevice, type LidarDeviceEvents, type LidarDescription } from '../../../src/main/robot/driver';
import type { ConsoleEvent } from '../../../src/shared/api';
import { HELLO, scriptedRobot, sleep } from '../core/scripted-robot';

const LAYOUT: LidarDescription = { name: 'scripted lidar', beams: 180, angleMin: -Math.PI, angleIncrement: (2 * Math.PI) / 180, rangeMin: 0.15, rangeMax: 12, rateHz: 10 };

/** A lidar that answers after `answerAfterMs` and streams a wall `wallM` ahead of it every 100 ms. */
class ScriptedLidar implements LidarDevice {
  readonly endpoint = '/dev/ttyUSB-lidar';
  private readonly events = new EventHub<LidarDeviceEvents>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private answered = false;
  wallM = 0.4;
  constructor(private readonly answerAfterMs: number) {}
  connect(): void {
    setTimeout(() => {
      this.answered = true;
      this.events.emit('layout', LAYOUT);
      this.timer = setInterval(() => this.scan(), 100);
      this.scan();
    }, this.answerAfterMs);
  }
  private scan(): void {
    const ranges = new Float32Array(LAYOUT.beams).fill(Infinity);
    // Beams within ±10° of the lidar's forward direction (index of angle 0 is beams / 2).
    for (let i = LAYOUT.beams / 2 - 5; i <= LAYOUT.beams / 2 + 5; i++) ranges[i] = this.wallM;
    const now = hostSeconds();
    this.events.emit('scan', { msg: { type: 'laser-scan', angleMin: LAYOUT.angleMin, angleIncrement: LAYOUT.angleIncrement, timeIncrement: 0, rangeMin: LAYOUT.rangeMin, rangeMax: LAYOUT.rangeMax, ranges }, receivedAt: now, stamp: now - 0.01 });
  }
  /** The USB cable is pulled. */
  unplug(): void {
    if (this.timer) clearInterval(this.timer);
    this.events.emit('state', { state: 'lost', message: 'no data for 500 ms; reconnecting…', at: hostSeconds() });
  }
  async dispose(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
  }
  layout(): LidarDescription | null {
    return this.answered ? LAYOUT : null;
  }
  on<E extends keyof LidarDeviceEvents>(event: E, listener: (payload: LidarDeviceEvents[E]) => void): () => void {
    return this.events.on(event, listener);
  }
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('a base and a separate lidar, merged into one robot', () => {
  it('drives slowly until the lidar answers, then guards with its scans (the base\'s own are dropped), and says when it goes away', async () => {
    const transport = new MemoryTransport();
    // The base streams an open room; the separate lidar sees a wall close ahead.
    const base = scriptedRobot(transport, { ...HELLO, lidarBeams: 0 });
    const lidar = new ScriptedLidar(300);
    const core = new ConsoleCore({
      clock: hostSeconds,
      driverFactory: async () => new RobotWithLidar(new ForesightLinkDriver(new RobotLink({ transport })), lidar, { x: 0.1, y: 0, yaw: 0 }),
      planner: new InlinePlanner({ map: { width: 100, height: 100, resolution: 0.05, origin: { x: -2.5, y: -2.5 }, data: new Uint8Array(100 * 100).fill(CELL_FREE) } }),
      timers: false,
    });
    cleanups.push(() => base.close(), () => core.shutdown());
    const events: ConsoleEvent[] = [];
    core.subscribe((e, p) => void (e === 'event' && events.push(p as ConsoleEvent)));
    expect(await core.connect({ kind: 'sim' })).toEqual({ ok: true });
    for (let i = 0; i < 100 && core.snapshot().link.state !== 'connected'; i++) await sleep(10);

    // Before the lidar answers: a robot without lidar, teleop only and capped.
    expect(core.capabilities?.lidar).toBe('none');
    core.setTeleop({ linear: 1, angular: 0 });
    expect(core.snapshot().command.v).toBeCloseTo(NO_LIDAR_TELEOP_SPEED, 9);
    expect(await core.setGoal({ x: 1, y: 0, theta: 0 })).toMatchObject({ ok: false, error: expect.stringContaining('no lidar') });

    for (let i = 0; i < 100 && !core.state.scan; i++) await sleep(10);
    const caps = core.capabilities!;
    expect(caps).toMatchObject({ lidar: 'separate', driver: 'foresight-link' });
    expect(caps.spec).toMatchObject({ lidarBeams: 180, lidarRangeMax: 12, lidarMountX: 0.1 });
    expect(core.snapshot().robot).toMatchObject({ lidar: 'separate' });
    // The wall 0.4 m ahead of the lidar (0.5 m from base_link, 0.275 m from the footprint's
    // front) comes from the separate lidar: full speed ahead is stopped.
    expect(core.state.scan!.base.count).toBe(11);
    expect(core.state.scan!.base.xs[5]).toBeCloseTo(0.5, 5); // the centre beam, 0.4 m + the 0.1 m mount
    expect(core.state.scan!.base.ys[5]).toBeCloseTo(0, 5);
    core.setTeleop({ linear: 1, angular: 0 });
    const snap = core.snapshot();
    expect(snap.command.v).toBeLessThan(0.3);
    expect(snap.safety?.action).not.toBe('pass');

    // The lidar is unplugged: the operator is told which device, and its scan ages out.
    lidar.unplug();
    expect(events.some((e) => e.message.startsWith('Lidar on /dev/ttyUSB-lidar: no data for 500 ms'))).toBe(true);
    await sleep(300);
    core.setTeleop({ linear: 0.2, angular: 0 });
    expect(core.snapshot().command).toEqual({ v: 0, w: 0 });
    expect(core.snapshot().safety?.reason).toMatch(/stale|old/);
  });
});
