/**
 * A robot whose scans come from a second device: a base driver (any protocol) plus a lidar
 * on its own port, merged behind the seam into one robot. The base's own scans, if it has
 * any, are dropped in favour of the separate lidar's; the robot's description takes the
 * lidar's layout and the mount pose the operator gave. Until the lidar has answered, the
 * robot says it has no lidar (teleop only, slow); when the lidar goes quiet its scans age out
 * and the safety loop stops on stale data, and the operator is told which device went away.
 */
import type { LinkStatus } from '../../shared/api';
import type { Twist2D } from '../../shared/geometry';
import { PROTOCOL_VERSION } from '../../shared/protocol';
import {
  DriverEvents,
  type LidarDevice,
  type LidarDescription,
  type LidarMount,
  type RobotCapabilities,
  type RobotDriver,
  type RobotDriverEventName,
  type RobotDriverEvents,
} from './driver';

export class RobotWithLidar implements RobotDriver {
  private readonly events = new DriverEvents();
  private readonly unsubscribe: (() => void)[] = [];
  private baseCaps: RobotCapabilities | null = null;
  private layout: LidarDescription | null = null;
  private merged: RobotCapabilities | null = null;
  private lidarSeq = 0;

  constructor(
    readonly base: RobotDriver,
    readonly lidar: LidarDevice,
    /** Where the lidar sits on the robot, base_link. */
    private readonly mount: LidarMount,
  ) {
    const ev = this.events;
    this.unsubscribe.push(
      base.on('capabilities', (caps) => {
        this.baseCaps = caps;
        this.describe();
      }),
      base.on('sample', (s) => {
        // The separate lidar replaces whatever scans the base sends.
        if (s.frame.msg.type !== 'laser-scan') ev.emit('sample', s);
      }),
      base.on('state', (s) => ev.emit('state', s)),
      base.on('fault', (f) => ev.emit('fault', f)),
      base.on('bad-frame', (b) => ev.emit('bad-frame', b)),
      base.on('sent', (s) => ev.emit('sent', s)),
      lidar.on('layout', (layout) => {
        this.layout = layout;
        this.describe();
      }),
      lidar.on('scan', (scan) => {
        if (!this.merged) return;
        const frame = { version: PROTOCOL_VERSION, seq: this.lidarSeq, timestampUs: Math.round(scan.stamp * 1e6), msg: scan.msg };
        this.lidarSeq = (this.lidarSeq + 1) & 0xffff;
        ev.emit('sample', { frame, receivedAt: scan.receivedAt, stamp: Math.min(scan.stamp, scan.receivedAt), device: 'lidar' });
      }),
      lidar.on('state', (s) => {
        if (s.state === 'lost' || s.state === 'incompatible') {
          ev.emit('fault', { kind: 'lidar-lost', message: `Lidar on ${lidar.endpoint}: ${s.message}`, atMs: s.at * 1000, detail: { endpoint: lidar.endpoint } });
        }
      }),
      lidar.on('fault', (f) => ev.emit('fault', f)),
    );
  }

  /** The robot as the base describes it, with the separate lidar's layout and mount. */
  private describe(): void {
    const caps = this.baseCaps;
    if (!caps) return;
    const l = this.layout;
    const spec = l
      ? {
          ...caps.spec,
          lidarBeams: l.beams, lidarAngleMin: l.angleMin, lidarAngleIncrement: l.angleIncrement,
          lidarRangeMin: l.rangeMin, lidarRangeMax: l.rangeMax, lidarRateHz: l.rateHz,
          lidarMountX: this.mount.x, lidarMountY: this.mount.y, lidarMountYaw: this.mount.yaw,
        }
      : { ...caps.spec, lidarBeams: 0 };
    this.merged = { ...caps, spec, lidar: l ? 'separate' : 'none' };
    this.events.emit('capabilities', this.merged);
  }

  get endpoint(): string {
    return `${this.base.endpoint} + lidar ${this.lidar.endpoint}`;
  }

  connect(): void {
    this.base.connect();
    this.lidar.connect();
  }

  async dispose(): Promise<void> {
    for (const u of this.unsubscribe.splice(0)) u();
    await Promise.all([this.base.dispose(), this.lidar.dispose()]);
  }

  capabilities(): RobotCapabilities | null {
    return this.merged;
  }

  status(): LinkStatus {
    return this.base.status();
  }

  latency(): { sensorAgeS: number; commandTransitS: number } {
    return this.base.latency();
  }

  setVelocity(cmd: Twist2D, at: number): void {
    this.base.setVelocity(cmd, at);
  }

  stop(reason: 'operator' | 'safety' | 'link-loss' | 'shutdown'): void {
    this.base.stop(reason);
  }

  setScreen(cmd: { panAngle: number; maxRate: number }): void {
    this.base.setScreen(cmd);
  }

  on<E extends RobotDriverEventName>(event: E, listener: (payload: RobotDriverEvents[E]) => void): () => void {
    return this.events.on(event, listener);
  }
}
