/**
 * How the map is drawn beyond which layers are on: the map colour scheme and the debug stats
 * line. Kept across reloads in localStorage, like the layers. One small store, because the
 * Layers panel sets them and the map view (a sibling) draws with them.
 */
import { useSyncExternalStore } from 'react';
import { isMapColorScheme, type MapColorScheme } from '../../scene/map-image';

export interface MapDisplay {
  /** Map colours: Foresight's own, or RViz's "map" scheme. */
  mapScheme: MapColorScheme;
  /** The debug line over the map (what is drawn, redraw rate and time). Off by default: it is for developers. */
  debugStats: boolean;
}

export const DEFAULT_MAP_DISPLAY: MapDisplay = { mapScheme: 'foresight', debugStats: false };

const KEY = 'foresight.mapDisplay';

/** The saved settings, defaults for anything missing or unreadable. */
export function loadMapDisplay(storage: Pick<Storage, 'getItem'> | null = safeStorage()): MapDisplay {
  try {
    const raw = storage?.getItem(KEY);
    if (!raw) return { ...DEFAULT_MAP_DISPLAY };
    const v = JSON.parse(raw) as Partial<Record<keyof MapDisplay, unknown>>;
    return {
      mapScheme: isMapColorScheme(v.mapScheme) ? v.mapScheme : DEFAULT_MAP_DISPLAY.mapScheme,
      debugStats: typeof v.debugStats === 'boolean' ? v.debugStats : DEFAULT_MAP_DISPLAY.debugStats,
    };
  } catch {
    return { ...DEFAULT_MAP_DISPLAY };
  }
}

function safeStorage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

let current: MapDisplay | null = null;
const subs = new Set<() => void>();

function get(): MapDisplay {
  current ??= loadMapDisplay();
  return current;
}

function subscribe(fn: () => void): () => void {
  subs.add(fn);
  return () => {
    subs.delete(fn);
  };
}

export function setMapDisplay(patch: Partial<MapDisplay>): void {
  current = { ...get(), ...patch };
  try {
    safeStorage()?.setItem(KEY, JSON.stringify(current));
  } catch {
    // storage full or unavailable: the setting holds for this session
  }
  for (const fn of [...subs]) fn();
}

export function useMapDisplay(): [MapDisplay, (patch: Partial<MapDisplay>) => void] {
  return [useSyncExternalStore(subscribe, get), setMapDisplay];
}
