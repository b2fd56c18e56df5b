/** Creates the pixi map scene in the host element once, and destroys it on unmount. */
import { useEffect, useRef, useState, type RefObject } from 'react';
import { MapScene, type MapSceneCallbacks } from '../../scene/MapScene';

/** `?fps=N` in the page URL caps the map redraw rate (tests, slow machines). */
export function fpsFromUrl(search: string): number | undefined {
  const v = Number(new URLSearchParams(search).get('fps'));
  return Number.isFinite(v) && v > 0 ? Math.min(v, 240) : undefined;
}

/** `callbacks` may change on every render: the scene always calls the latest ones. */
export function useMapScene(hostRef: RefObject<HTMLElement | null>, callbacks: MapSceneCallbacks & { onCreated?: (scene: MapScene) => void }): { scene: MapScene | null; error: string | null } {
  const [scene, setScene] = useState<MapScene | null>(null);
  const [error, setError] = useState<string | null>(null);
  const cbRef = useRef(callbacks);
  useEffect(() => {
    cbRef.current = callbacks;
  });

  useEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    let cancelled = false;
    let created: MapScene | null = null;
    MapScene.create(host, {
      onFollowChange: (on) => cbRef.current.onFollowChange?.(on),
      onStats: (s) => cbRef.current.onStats?.(s),
      onCursor: (p) => cbRef.current.onCursor?.(p),
    }, { maxFps: fpsFromUrl(window.location.search) }).then(
      (sc) => {
        if (cancelled) {
          sc.destroy();
          return;
        }
        created = sc;
        cbRef.current.onCreated?.(sc);
        setScene(sc);
      },
      (e: unknown) => {
        if (!cancelled) setError(`The map view could not start (WebGL unavailable?): ${e instanceof Error ? e.message : String(e)}`);
      },
    );
    return () => {
      cancelled = true;
      created?.destroy();
      setScene(null);
    };
  }, [hostRef]);

  return { scene, error };
}
