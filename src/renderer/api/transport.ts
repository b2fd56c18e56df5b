/**
 * The state of the connection between this page and the console process (not the robot
 * link, which is in the snapshot). Under Electron it is always open; over WebSocket it
 * can drop and reconnect.
 */
import type { Unsubscribe } from '../../shared/api';

export type TransportState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface TransportStatus {
  state: TransportState;
  message: string;
  /** Reconnect attempts since the last successful open. */
  attempts: number;
}

export interface TransportMonitor {
  readonly status: TransportStatus;
  onStatus(listener: (s: TransportStatus) => void): Unsubscribe;
}

/** A transport that never drops (Electron IPC). */
export const alwaysOpen: TransportMonitor = {
  status: { state: 'open', message: 'Connected to the console', attempts: 0 },
  onStatus: () => () => {},
};
