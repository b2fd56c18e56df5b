export { EStop } from './EStop';
export { useEmergencyStop } from './useEmergencyStop';
