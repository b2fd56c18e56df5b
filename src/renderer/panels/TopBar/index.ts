export { TopBar } from './TopBar';
export { RecordingBanner, RecordingIndicator } from './Recording';
export { SideTabs, sideGroup, useSideTab, type SideTab } from './SideTabs';
export { useViewMode, viewModeFromUrl, type ViewMode } from './view-mode';
