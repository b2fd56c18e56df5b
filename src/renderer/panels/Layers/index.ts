export { LayersPanel } from './LayersPanel';
export { loadLayers, useLayers } from './useLayers';
export { useHeatmap } from './useHeatmap';
export { DEFAULT_MAP_DISPLAY, loadMapDisplay, setMapDisplay, useMapDisplay, type MapDisplay } from './useMapDisplay';
