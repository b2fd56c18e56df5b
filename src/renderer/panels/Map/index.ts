export { MapView } from './MapView';
export { useMapControls, type MapControls } from './useMapControls';
export { statsText } from './scene-stats';
