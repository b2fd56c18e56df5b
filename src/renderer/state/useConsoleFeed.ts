/**
 * API events → the store: snapshots, the map and console events; the map and the newest
 * snapshot are (re)loaded whenever the console connection opens. A dropped connection
 * releases teleop and is logged.
 */
import { useEffect } from 'react';
import type { ApiHandle } from '../api';
import { localEvent, type Store } from './store';

/** `teleop` is released when the connection drops. */
export function useConsoleFeed({ api, transport }: ApiHandle, store: Store, teleop: { releaseAll(): void }): void {
  useEffect(() => {
    const offs = [
      api.on('snapshot', (s) => store.setSnapshot(s)),
      api.on('map', (m) => store.setMap(m)),
      api.on('event', (e) => store.addEvent(e)),
    ];
    const load = () => {
      api.invoke('getMap', null).then(
        (m) => store.setMap(m),
        (e: unknown) => store.addEvent(localEvent('warn', `Map not loaded: ${e instanceof Error ? e.message : String(e)}`)),
      );
      api.invoke('getSnapshot', null).then(
        (s) => store.setSnapshot(s),
        () => {},
      );
    };
    // The socket may have opened before this effect ran: take the current state first.
    store.setTransport(transport.status);
    let wasOpen = transport.status.state === 'open';
    if (wasOpen) load();
    offs.push(
      transport.onStatus((t) => {
        store.setTransport(t);
        const open = t.state === 'open';
        if (open && !wasOpen) {
          load();
          store.addEvent(localEvent('info', 'Connected to the console'));
        } else if (!open && wasOpen) {
          teleop.releaseAll();
          store.addEvent(localEvent('error', t.message));
        }
        wasOpen = open;
      }),
    );
    return () => offs.forEach((off) => off());
  }, [api, store, transport, teleop]);
}
