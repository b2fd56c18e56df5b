export { TopBar } from './TopBar';
export { useViewMode, viewModeFromUrl, type ViewMode } from './view-mode';
