export { ZonesPanel } from './ZonesPanel';
export { useZones, type PendingZone, type ZoneDrawKind, type ZonesModel } from './useZones';
