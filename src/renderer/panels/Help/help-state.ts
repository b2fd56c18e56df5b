/**
 * Whether the Help overlay is open: one flag the overlay, its keys (? and F1) and the map
 * toolbar's help button share.
 */
import { useSyncExternalStore } from 'react';

let open = false;
const subs = new Set<() => void>();

function set(v: boolean): void {
  if (v === open) return;
  open = v;
  for (const fn of [...subs]) fn();
}

export const openHelp = (): void => set(true);
export const closeHelp = (): void => set(false);
export const toggleHelp = (): void => set(!open);

export function useHelpOpen(): boolean {
  return useSyncExternalStore(
    (fn) => {
      subs.add(fn);
      return () => {
        subs.delete(fn);
      };
    },
    () => open,
  );
}

/**
 * True for the keys that open Help: `?` (any layout: it is the character typed) and F1. Not
 * with Ctrl, Alt or Meta held (the browser's and the system's own shortcuts).
 */
export function isHelpKey(e: { key: string; ctrlKey?: boolean; altKey?: boolean; metaKey?: boolean }): boolean {
  if (e.ctrlKey || e.altKey || e.metaKey) return false;
  return e.key === '?' || e.key === 'F1';
}
