/**
 * Foresight's own link protocol (docs/protocol.md) behind the robot seam: the first driver.
 * RobotLink does the session (handshake, heartbeat at 25 Hz, dead-link detection,
 * reconnection, clock sync); this adapter turns its frames into seam samples on the host
 * clock and says what the robot is from its Hello.
 */
import type { LinkStatus } from '../../shared/api';
import type { Twist2D } from '../../shared/geometry';
import { StopReason, type HelloMsg } from '../../shared/protocol';
import type { RobotLink } from '../link';
import { DriverEvents, type RobotCapabilities, type RobotDriver, type RobotDriverEventName, type RobotDriverEvents } from './driver';

/** The firmware's command watchdog, s (protocol §5: motors stop 250 ms after the last command). */
export const FORESIGHT_WATCHDOG_S = 0.25;

/** A screen command that moves less than this is not re-sent, rad (the link repeats the last one itself). */
const PAN_RESEND_RAD = 0.005;

/** What a Foresight-link robot is, from its Hello. */
export function foresightCapabilities(hello: HelloMsg, driver = 'foresight-link'): RobotCapabilities {
  return {
    driver,
    spec: hello,
    drive: 'differential',
    reverses: false,
    lidar: hello.lidarBeams > 0 ? 'onboard' : 'none',
    screen: hello.panMax > hello.panMin,
    watchdog: { timeoutS: FORESIGHT_WATCHDOG_S, action: `stops its motors by itself ${FORESIGHT_WATCHDOG_S * 1000} ms after the last command` },
  };
}

const STOP_REASONS = { operator: StopReason.Operator, safety: StopReason.Safety, 'link-loss': StopReason.LinkLoss, shutdown: StopReason.Shutdown } as const;

export class ForesightLinkDriver implements RobotDriver {
  private readonly events = new DriverEvents();
  private caps: RobotCapabilities | null = null;
  private readonly unsubscribe: (() => void)[] = [];
  private lastPan: number | null = null;
  private disposed = false;

  /** Where the robot is reached, as the run log says it: "serial:/dev/ttyACM0", "tcp:host:port", "sim". */
  readonly endpoint: string;

  /**
   * @param link the session over a serial or TCP transport
   * @param release what to stop after the link closes (e.g. a simulator process it started)
   * @param endpoint the run log's name for where the robot is (default: the transport's)
   */
  constructor(
    readonly link: RobotLink,
    private readonly release?: () => Promise<void>,
    endpoint?: string,
  ) {
    this.endpoint = endpoint ?? link.transport.endpoint;
    const ev = this.events;
    this.unsubscribe.push(
      link.on('hello', (hello) => {
        this.caps = foresightCapabilities(hello);
        this.lastPan = null;
        ev.emit('capabilities', this.caps);
      }),
      link.on('frame', (frame) => {
        const receivedAt = frame.receivedAtMs / 1000;
        let stamp = receivedAt;
        if (frame.msg.type === 'laser-scan') {
          // The scan's own time (robot clock → host clock), never later than its arrival.
          const ms = link.robotTimeToHostMs(frame.timestampUs);
          if (ms !== null) stamp = Math.min(receivedAt, ms / 1000);
        }
        // A ReceivedFrame is a LinkFrame (plus its arrival time): passed on as it is.
        ev.emit('sample', { frame, receivedAt, stamp });
      }),
      link.on('state', (c) => {
        if (c.state !== 'connected') this.lastPan = null;
        ev.emit('state', { state: c.state, message: c.message, at: c.atMs / 1000 });
      }),
      link.on('bad-frame', (b) => ev.emit('bad-frame', { reason: b.reason, detail: b.detail, at: b.atMs / 1000 })),
      link.on('sent', (s) => ev.emit('sent', { frame: s.frame, sentAt: s.sentAtMs / 1000 })),
      link.on('clock-jump', (j) => {
        const s = (j.toOffsetMs - j.fromOffsetMs) / 1000;
        ev.emit('fault', {
          kind: 'robot-clock-jump',
          message: `Robot clock jumped ${s >= 0 ? 'forward' : 'back'} ${Math.abs(s).toFixed(1)} s; clock sync restarted`,
          atMs: j.atMs,
          detail: { fromOffsetMs: Math.round(j.fromOffsetMs), toOffsetMs: Math.round(j.toOffsetMs) },
        });
      }),
    );
  }

  connect(): void {
    this.link.connect();
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    for (const u of this.unsubscribe.splice(0)) u();
    await this.link.dispose();
    await this.release?.();
  }

  capabilities(): RobotCapabilities | null {
    return this.caps;
  }

  status(): LinkStatus {
    return this.link.status();
  }

  latency(): { sensorAgeS: number; commandTransitS: number } {
    // Half the round trip each way; 2 ms before the first Pong (a USB serial link).
    const oneWay = (this.link.rttMs ?? 2) / 2000;
    return { sensorAgeS: oneWay, commandTransitS: oneWay };
  }

  setVelocity(cmd: Twist2D, at: number): void {
    this.link.setVelocity(cmd, at * 1000);
  }

  stop(reason: 'operator' | 'safety' | 'link-loss' | 'shutdown'): void {
    this.link.stop(STOP_REASONS[reason]);
  }

  setScreen(cmd: { panAngle: number; maxRate: number }): void {
    if (this.lastPan !== null && Math.abs(cmd.panAngle - this.lastPan) <= PAN_RESEND_RAD) return;
    if (this.link.setScreen(cmd)) this.lastPan = cmd.panAngle;
  }

  on<E extends RobotDriverEventName>(event: E, listener: (payload: RobotDriverEvents[E]) => void): () => void {
    return this.events.on(event, listener);
  }
}
