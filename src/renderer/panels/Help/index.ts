export { HelpOverlay } from './HelpOverlay';
export { closeHelp, openHelp, toggleHelp } from './help-state';
