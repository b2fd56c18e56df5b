export { MapsPanel } from './MapsPanel';
