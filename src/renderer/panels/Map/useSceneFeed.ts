/**
 * Feeds the scene straight from the store (live) or from a review feed: no React render per
 * snapshot. A review feed also gives the run's extent, which the review view fits.
 */
import { useEffect } from 'react';
import type { FrameFeed } from '../../review/session';
import type { MapScene } from '../../scene/MapScene';
import type { Store } from '../../state/store';

export function useSceneFeed(scene: MapScene | null, store: Store, feed: FrameFeed | null): void {
  useEffect(() => {
    if (!scene) return;
    if (feed) {
      scene.setMap(store.get().map);
      let lastMap = store.get().map;
      const offStore = store.subscribe(() => {
        const st = store.get();
        if (st.map !== lastMap) {
          lastMap = st.map;
          scene.setMap(st.map);
        }
      });
      const detach = feed.attach({ setSnapshot: (s, urgent) => scene.setSnapshot(s, urgent), setFitBounds: (b) => scene.setFitBounds(b) });
      return () => {
        offStore();
        detach();
      };
    }
    // No run (live, or a review with none open): Fit fits the map again.
    scene.setFitBounds(null);
    let lastSnap = store.get().snapshot;
    let lastMap = store.get().map;
    scene.setMap(lastMap);
    if (lastSnap) scene.setSnapshot(lastSnap);
    return store.subscribe(() => {
      const st = store.get();
      if (st.map !== lastMap) {
        lastMap = st.map;
        scene.setMap(st.map);
      }
      if (st.snapshot !== lastSnap) {
        lastSnap = st.snapshot;
        if (st.snapshot) scene.setSnapshot(st.snapshot);
      }
    });
  }, [scene, store, feed]);
}
