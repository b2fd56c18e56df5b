/** What the console shows of a robot, from what it said in Hello. */
import type { RobotInfo } from './api';
import type { HelloMsg } from './protocol';

export function robotInfoFromHello(h: HelloMsg | null): RobotInfo | null {
  if (!h) return null;
  return {
    name: h.name,
    protocolVersion: h.protocolVersion,
    footprint: { length: h.footprintLength, width: h.footprintWidth, centerOffsetX: h.footprintCenterOffsetX },
    wheelBase: h.wheelBase,
    maxLinearVelocity: h.maxLinearVelocity,
    maxAngularVelocity: h.maxAngularVelocity,
    panMin: h.panMin,
    panMax: h.panMax,
  };
}
