/** Goal mode and follow, shared by the map view, the Goal panel and the keyboard (G, F, Esc). */
import { useMemo, useState } from 'react';

export interface MapControls {
  goalMode: boolean;
  setGoalMode: (on: boolean) => void;
  follow: boolean;
  setFollow: (on: boolean) => void;
  /** Single-key shortcuts for the teleop controller: G toggles goal mode, F follow, Esc ends goal mode. */
  shortcuts: Record<string, () => void>;
}

export function useMapControls(): MapControls {
  const [goalMode, setGoalMode] = useState(false);
  const [follow, setFollow] = useState(false);
  const shortcuts = useMemo(
    () => ({
      g: () => setGoalMode((v) => !v),
      f: () => setFollow((v) => !v),
      escape: () => setGoalMode(false),
    }),
    [],
  );
  return { goalMode, setGoalMode, follow, setFollow, shortcuts };
}
