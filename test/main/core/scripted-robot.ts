/**
 * A scripted robot for core tests, on a MemoryTransport: answers the handshake and streams
 * odometry (standing at the origin, facing +x) and scans every 40 ms.
 */
import { FrameDecoder, encodeWire } from '../../../src/shared/wire';
import { systemClock, type MemoryTransport } from '../../../src/main/link';
import type { HelloMsg, RobotMessage } from '../../../src/shared/protocol';

export const HELLO: HelloMsg = {
  type: 'hello', protocolVersion: 1, name: 'scripted', footprintLength: 0.45, footprintWidth: 0.38, footprintCenterOffsetX: 0,
  wheelBase: 0.33, maxLinearVelocity: 1, maxAngularVelocity: 2, maxLinearAccel: 1, maxAngularAccel: 3, maxLinearJerk: 5,
  maxAngularJerk: 10, panMin: -2.6, panMax: 2.6, panMaxRate: 3, panMaxAccel: 6, lidarBeams: 360, lidarAngleMin: -Math.PI,
  lidarAngleIncrement: (2 * Math.PI) / 360, lidarRangeMin: 0.05, lidarRangeMax: 8, lidarRateHz: 10, lidarMountX: 0, lidarMountY: 0, lidarMountYaw: 0,
};

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** `ranges` gives each scan (default: an open room, walls 4 m away). */
export function scriptedRobot(transport: MemoryTransport, hello: HelloMsg, ranges: () => Float32Array = () => new Float32Array(360).fill(4)) {
  let seq = 0;
  let scanning = true;
  const send = (msg: RobotMessage): void => transport.robot.write(encodeWire(msg, seq++, Math.round(systemClock.nowMs() * 1000)));
  const dec = new FrameDecoder();
  transport.robot.onData((chunk) => {
    for (const r of dec.push(chunk)) {
      if (r.ok && r.frame.msg.type === 'ping' && r.frame.msg.requestHello) send(hello);
    }
  });
  const timer = setInterval(() => {
    if (!transport.robot.hostOpen) return;
    send({ type: 'odometry', x: 0, y: 0, theta: 0, v: 0, w: 0, lastCommandSeq: 0 });
    if (scanning) send({ type: 'laser-scan', angleMin: hello.lidarAngleMin, angleIncrement: hello.lidarAngleIncrement, timeIncrement: 0, rangeMin: 0.05, rangeMax: 8, ranges: ranges() });
  }, 40);
  return {
    stopScans: () => {
      scanning = false;
    },
    close: () => clearInterval(timer),
  };
}
