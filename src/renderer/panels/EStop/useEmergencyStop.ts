/** The emergency stop request (the STOP button and Space): sent at once, refusals and failures logged. */
import { useCallback } from 'react';
import type { ForesightApi } from '../../../shared/api';
import { localEvent, type Store } from '../../state/store';

export function useEmergencyStop(api: ForesightApi, store: Store): () => void {
  return useCallback(() => {
    api.invoke('emergencyStop', null).then(
      (r) => {
        if (!r.ok) store.addEvent(localEvent('error', `Emergency stop refused: ${r.error}`));
      },
      (e: unknown) => store.addEvent(localEvent('error', `Emergency stop not delivered: ${String(e instanceof Error ? e.message : e)}`)),
    );
    store.addEvent(localEvent('warn', 'Emergency stop requested'));
  }, [api, store]);
}
