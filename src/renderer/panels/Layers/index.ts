export { LayersPanel } from './LayersPanel';
export { loadLayers, useLayers } from './useLayers';
export { useHeatmap } from './useHeatmap';
