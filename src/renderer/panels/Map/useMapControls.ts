/** Goal mode and follow, shared by the map view, the Goal panel and the keyboard (G, F, Esc). */
import { useEffect, useMemo, useRef, useState } from 'react';

/**
 * The map's single-key shortcuts (lower-case `KeyboardEvent.key`), for the teleop
 * controller, which owns the keyboard, and for the Help overlay, which lists them.
 */
export const MAP_SHORTCUT_KEYS = { goalMode: 'g', follow: 'f', endGoalMode: 'escape' } as const;

/** Which view the map shows: each has its own follow setting (and view transform). */
export type MapViewKey = 'live' | 'review';

/**
 * Follow by view. A replay follows the robot from the start: it drives out of any fitted view
 * while playing, and nobody is steering it meanwhile. Live starts free, as it always has.
 */
export const DEFAULT_FOLLOW: Record<MapViewKey, boolean> = { live: false, review: true };

export interface MapControls {
  goalMode: boolean;
  setGoalMode: (on: boolean) => void;
  /** Follow in the view on screen. */
  follow: boolean;
  setFollow: (on: boolean) => void;
  /** Single-key shortcuts for the teleop controller: G toggles goal mode, F follow, Esc ends goal mode. */
  shortcuts: Record<string, () => void>;
}

export function useMapControls(view: MapViewKey = 'live'): MapControls {
  const [goalMode, setGoalMode] = useState(false);
  const [followBy, setFollowBy] = useState<Record<MapViewKey, boolean>>(DEFAULT_FOLLOW);
  // The shortcuts stay one object (the teleop controller is rebuilt when they change): F reads the view through a ref.
  const viewRef = useRef(view);
  useEffect(() => {
    viewRef.current = view;
  }, [view]);
  const setFollow = useMemo(() => (on: boolean) => setFollowBy((f) => (f[viewRef.current] === on ? f : { ...f, [viewRef.current]: on })), []);
  const shortcuts = useMemo(
    () => ({
      [MAP_SHORTCUT_KEYS.goalMode]: () => setGoalMode((v) => !v),
      [MAP_SHORTCUT_KEYS.follow]: () => setFollowBy((f) => ({ ...f, [viewRef.current]: !f[viewRef.current] })),
      [MAP_SHORTCUT_KEYS.endGoalMode]: () => setGoalMode(false),
    }),
    [],
  );
  return { goalMode, setGoalMode, follow: followBy[view], setFollow, shortcuts };
}
