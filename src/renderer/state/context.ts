import { createContext, useContext, useSyncExternalStore } from 'react';
import type { ForesightApi } from '../../shared/api';
import type { TeleopController } from '../teleop/controller';
import type { Store, StoreState } from './store';

export interface ConsoleContext {
  api: ForesightApi;
  store: Store;
  teleop: TeleopController;
}

export const Ctx = createContext<ConsoleContext | null>(null);

export function useConsole(): ConsoleContext {
  const c = useContext(Ctx);
  if (!c) throw new Error('useConsole outside the console provider');
  return c;
}

/** Subscribes to one slice of the store; re-renders only when the slice changes (by identity). */
export function useStore<T>(select: (s: StoreState) => T): T {
  const { store } = useConsole();
  return useSyncExternalStore(store.subscribe, () => select(store.get()));
}

export function useTeleopView() {
  const { teleop } = useConsole();
  return useSyncExternalStore(teleop.subscribe, teleop.getView);
}
