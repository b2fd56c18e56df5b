/**
 * Preload (sandboxed, context-isolated): exposes exactly the typed ForesightApi as
 * `window.foresight` and nothing else. Method names are checked here too, so the renderer
 * cannot use the bridge as a generic IPC pipe; payloads are validated again in main.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import {
  API_EVENT_NAMES,
  API_METHOD_NAMES,
  IPC_CHANNELS,
  type ApiEventName,
  type ApiEvents,
  type ForesightApi,
} from '../shared/api';

const api: ForesightApi = {
  invoke(method, req) {
    if (!API_METHOD_NAMES.includes(method)) return Promise.reject(new Error(`unknown API method ${String(method)}`));
    return ipcRenderer.invoke(IPC_CHANNELS.invoke, { method, req });
  },
  on(event, listener) {
    if (!API_EVENT_NAMES.includes(event)) throw new Error(`unknown API event ${String(event)}`);
    const handler = (_e: IpcRendererEvent, msg: { event: ApiEventName; payload: unknown }): void => {
      if (msg.event === event) listener(msg.payload as ApiEvents[typeof event]);
    };
    ipcRenderer.on(IPC_CHANNELS.event, handler);
    return () => {
      ipcRenderer.removeListener(IPC_CHANNELS.event, handler);
    };
  },
};

contextBridge.exposeInMainWorld('foresight', api);
