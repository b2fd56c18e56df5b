/**
 * What the core needs from a robot link, whatever its transport. The link module
 * (src/main/link) provides the implementation; tests may provide their own.
 */
import type { ConnectRequest, LinkStatus } from '../../shared/api';
import type { FrameErrorReason } from '../link/codec';
import type { LinkFrame, RobotMessage } from '../../shared/protocol';

export interface LinkHandle {
  status(): LinkStatus;
  /**
   * The command the link should keep sending, m/s and rad/s in base_link, stamped with
   * host time (s). The link sends zeros once it is older than its staleness bound.
   */
  setDesiredCommand(v: number, w: number, hostTime: number): void;
  setScreenCommand(panAngle: number, maxRate: number): void;
  /** Sends Stop now (emergency stop, shutdown). */
  sendStop(reason: number): void;
  /** Send time (host s) of the VelocityCommand with this sequence number, if still known. */
  commandSendTime(seq: number): number | null;
  close(): Promise<void>;
}

export interface LinkCallbacks {
  onFrame(frame: LinkFrame<RobotMessage>, hostTime: number): void;
  onState(status: LinkStatus): void;
  onBadFrame(reason: FrameErrorReason, detail: string): void;
}

export type LinkFactory = (req: ConnectRequest, callbacks: LinkCallbacks) => Promise<LinkHandle>;
