/** Which map layers are shown: the Layers panel's state, kept across reloads in localStorage. */
import { useEffect, useState } from 'react';
import { DEFAULT_LAYERS, type LayerVisibility } from '../../scene/layers/types';

const LAYERS_KEY = 'foresight.layers';

export function loadLayers(): LayerVisibility {
  try {
    const raw = localStorage.getItem(LAYERS_KEY);
    if (raw) return { ...DEFAULT_LAYERS, ...(JSON.parse(raw) as Partial<LayerVisibility>) };
  } catch {
    // storage unavailable or corrupt: defaults
  }
  return { ...DEFAULT_LAYERS };
}

export function useLayers(): [LayerVisibility, (l: LayerVisibility) => void] {
  const [layers, setLayers] = useState<LayerVisibility>(() => loadLayers());
  useEffect(() => {
    try {
      localStorage.setItem(LAYERS_KEY, JSON.stringify(layers));
    } catch {
      // ignore
    }
  }, [layers]);
  return [layers, setLayers];
}
