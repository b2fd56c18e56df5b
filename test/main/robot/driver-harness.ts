/**
 * Shared scaffolding for the robot driver tests over real pseudo-terminals: `sleep` and a
 * polling `until`, a transport whose writes can be muted, and `recordDriver`, which collects
 * what a RobotDriver says (samples, states, faults, bad frames, capabilities) and keeps a
 * velocity commanded as the console's control loop does; `simInOdom`, the simulated pose in a
 * driver's odom frame. Each test file keeps its own setup for its emulator and rig.
 */
import { hostSeconds } from '../../../src/main/core/clock';
import type { Transport } from '../../../src/main/link';
import type { DriverFault, RobotCapabilities, RobotDriver, RobotDriverEvents, RobotLinkState, RobotSample } from '../../../src/main/robot/driver';
import { normalizeAngle, type Pose2D } from '../../../src/shared/geometry';
import type { OdometryMsg, StatusMsg } from '../../../src/shared/protocol';
import type { SimCore } from '../../../src/sim/sim-core';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `cond` every 5 ms; throws `timed out waiting for ${what}` after `timeoutMs`. */
export async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** A transport whose writes can be cut, as when the host hangs or the TX line breaks: the robot hears nothing. */
export class MutableTransport implements Transport {
  muted = false;
  constructor(private readonly inner: Transport) {}
  get endpoint() { return this.inner.endpoint; }
  get kind() { return this.inner.kind; }
  get isOpen() { return this.inner.isOpen; }
  open() { return this.inner.open(); }
  write(bytes: Uint8Array) { return this.muted ? this.inner.isOpen : this.inner.write(bytes); }
  onData(l: (chunk: Uint8Array) => void) { return this.inner.onData(l); }
  onClose(l: Parameters<Transport['onClose']>[0]) { return this.inner.onClose(l); }
  onError(l: Parameters<Transport['onError']>[0]) { return this.inner.onError(l); }
  close() { return this.inner.close(); }
}

/**
 * Subscribes to `driver` and records every sample (and the odometry and status ones apart),
 * link state, fault, bad frame and capabilities it reports. `hold(v, w, ms)` keeps a velocity
 * commanded for `ms`, renewed every `holdEveryMs` (default 20 ms: the core's ≥ 50 Hz);
 * `last()` is the newest odometry message.
 */
export function recordDriver(driver: RobotDriver, holdEveryMs = 20) {
  const samples: RobotSample[] = [];
  const odometry: RobotSample<OdometryMsg>[] = [];
  const status: RobotSample<StatusMsg>[] = [];
  const states: RobotLinkState[] = [];
  const faults: DriverFault[] = [];
  const badFrames: RobotDriverEvents['bad-frame'][] = [];
  const caps: RobotCapabilities[] = [];
  driver.on('sample', (s) => {
    samples.push(s);
    if (s.frame.msg.type === 'odometry') odometry.push(s as RobotSample<OdometryMsg>);
    if (s.frame.msg.type === 'status') status.push(s as RobotSample<StatusMsg>);
  });
  driver.on('state', (s) => states.push(s));
  driver.on('fault', (f) => faults.push(f));
  driver.on('bad-frame', (b) => badFrames.push(b));
  driver.on('capabilities', (c) => caps.push(c));
  /** Keeps a velocity commanded (as the core does) for `ms`. */
  const hold = async (v: number, w: number, ms: number): Promise<void> => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      driver.setVelocity({ v, w }, hostSeconds());
      await sleep(holdEveryMs);
    }
  };
  const last = (): OdometryMsg => odometry[odometry.length - 1]!.frame.msg;
  return { samples, odometry, status, states, faults, badFrames, caps, hold, last };
}

/** The simulated pose in the driver's odom frame, which starts at `start`, where the robot stood when it connected. */
export function simInOdom(core: SimCore, start: Pose2D): Pose2D {
  const p = core.odometry();
  const dx = p.x - start.x;
  const dy = p.y - start.y;
  const c = Math.cos(-start.theta);
  const s = Math.sin(-start.theta);
  return { x: c * dx - s * dy, y: s * dx + c * dy, theta: normalizeAngle(p.theta - start.theta) };
}
