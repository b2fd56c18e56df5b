/**
 * Picks the transport at startup. Under Electron the preload exposes a ForesightApi as
 * `window.foresight`; in a browser the page talks to the web host over a WebSocket on the
 * same host, with the access token from the page URL. The rest of the UI sees only
 * `ForesightApi` (plus the transport state, to show a dropped console connection).
 */
import { WS_PATH, type ForesightApi } from '../../shared/api';
import { alwaysOpen, type TransportMonitor } from './transport';
import { WsApiClient, wsUrlFor, type SocketLike } from './ws-client';

export interface ApiHandle {
  api: ForesightApi;
  transport: TransportMonitor;
  /** 'ipc' under Electron, 'ws' in a browser. For diagnostics only. */
  kind: 'ipc' | 'ws';
}

export function createApi(win: Window = window): ApiHandle {
  const exposed = (win as unknown as { foresight?: ForesightApi }).foresight;
  if (exposed && typeof exposed.invoke === 'function' && typeof exposed.on === 'function') {
    return { api: exposed, transport: alwaysOpen, kind: 'ipc' };
  }
  const client = new WsApiClient({
    url: wsUrlFor(win.location, WS_PATH),
    createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
  });
  return { api: client, transport: client, kind: 'ws' };
}

export type { TransportMonitor, TransportStatus } from './transport';
