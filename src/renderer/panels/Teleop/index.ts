export { TeleopPanel } from './TeleopPanel';
export { useTeleopController } from './useTeleopController';
