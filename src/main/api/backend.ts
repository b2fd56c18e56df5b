/**
 * What a host needs from the console core: answer validated API calls and publish events.
 * Both hosts (Electron IPC and web) adapt this to their transport.
 */
import type { ApiEventName, ApiEvents, ApiMethodName, ApiMethods } from '../../shared/api';

export type EventListener = <E extends ApiEventName>(event: E, payload: ApiEvents[E]) => void;

export interface ApiBackend {
  handle<M extends ApiMethodName>(method: M, req: ApiMethods[M]['req']): Promise<ApiMethods[M]['res']>;
  /** Subscribes to every event; returns the unsubscribe function. */
  subscribe(listener: EventListener): () => void;
}
