// Sample values are exact in binary32 so round trips compare with toEqual.
import { describe, expect, it } from 'vitest';
import { cobsDecode, cobsEncode } from '../../../src/shared/wire/cobs';
import { crc16 } from '../../../src/shared/wire/crc16';
import { FrameDecoder, encodeFrameBody, encodeWire, decodeFrameBody, MAX_WIRE_BYTES } from '../../../src/shared/wire/framing';
import type { LinkMessage } from '../../../src/shared/protocol';

const samples: LinkMessage[] = [
  {
    type: 'hello', protocolVersion: 1, name: 'sim-bot', footprintLength: 0.5, footprintWidth: 0.375, footprintCenterOffsetX: 0,
    wheelBase: 0.3125, maxLinearVelocity: 1, maxAngularVelocity: 2, maxLinearAccel: 1, maxAngularAccel: 3, maxLinearJerk: 5,
    maxAngularJerk: 10, panMin: -2, panMax: 2, panMaxRate: 3, panMaxAccel: 6, lidarBeams: 360, lidarAngleMin: -3.125,
    lidarAngleIncrement: 0.015625, lidarRangeMin: 0.125, lidarRangeMax: 8, lidarRateHz: 10, lidarMountX: 0.125, lidarMountY: 0, lidarMountYaw: 0,
  },
  { type: 'odometry', x: 1.5, y: -2.25, theta: 0.5, v: 0.25, w: -0.125, lastCommandSeq: 65535 },
  { type: 'laser-scan', angleMin: -3, angleIncrement: 0.5, timeIncrement: 0.0009765625, rangeMin: 0.125, rangeMax: 8, ranges: new Float32Array([1, 2, 0, 7.5]) },
  { type: 'status', batteryVoltage: 12.5, batteryPercent: 80, faults: 5, estopPressed: true, motorsEnabled: false },
  { type: 'screen-state', panAngle: 0.25, panVelocity: -1 },
  { type: 'pong', pingSeq: 7, hostTimeUs: 1_234_567_890_123, robotRxTimeUs: 42 },
  { type: 'velocity-command', v: 0.5, w: -0.25 },
  { type: 'screen-command', panAngle: 1, maxRate: 2 },
  { type: 'stop', reason: 1 },
  { type: 'ping', requestHello: true },
];

describe('cobs', () => {
  it('round-trips blocks with zeros, runs of 254+ non-zero bytes and empty input', () => {
    const cases = [new Uint8Array([]), new Uint8Array([0]), new Uint8Array([0, 0, 1, 0]), new Uint8Array(600).map((_, i) => (i % 255) + 1)];
    for (const data of cases) {
      const enc = cobsEncode(data);
      expect(enc.includes(0)).toBe(false);
      expect(Array.from(cobsDecode(enc)!)).toEqual(Array.from(data));
    }
  });
  it('rejects a block whose code runs past the end', () => {
    expect(cobsDecode(new Uint8Array([5, 1, 2]))).toBeNull();
  });
});

describe('crc16', () => {
  it('matches the CCITT-FALSE check value', () => {
    expect(crc16(new TextEncoder().encode('123456789'))).toBe(0x29b1);
  });
});

describe('framing', () => {
  it('round-trips every message type', () => {
    samples.forEach((msg, i) => {
      const res = decodeFrameBody(encodeFrameBody(msg, i, 1000 + i));
      expect(res.ok).toBe(true);
      if (!res.ok) return;
      expect(res.frame.seq).toBe(i);
      expect(res.frame.timestampUs).toBe(1000 + i);
      expect(res.frame.msg).toEqual(msg);
    });
  });

  it('decodes a stream split at every byte boundary', () => {
    const wire = Buffer.concat(samples.map((m, i) => encodeWire(m, i, i)));
    for (let split = 1; split < wire.length; split++) {
      const dec = new FrameDecoder();
      const out = [...dec.push(wire.subarray(0, split)), ...dec.push(wire.subarray(split))];
      expect(out.every((r) => r.ok)).toBe(true);
      expect(out.length).toBe(samples.length);
    }
  });

  it('drops a corrupted frame, counts it, and resyncs on the next', () => {
    const good = encodeWire(samples[1]!, 1, 1);
    const bad = encodeWire(samples[6]!, 2, 2);
    bad[5] ^= 0x10;
    const dec = new FrameDecoder();
    const out = dec.push(Buffer.concat([bad, good]));
    expect(out.map((r) => r.ok)).toEqual([false, true]);
    expect(dec.stats.errors.crc + dec.stats.errors.cobs).toBe(1);
    expect(dec.stats.frames).toBe(1);
  });

  it('bounds memory on a stream without delimiters and recovers', () => {
    const dec = new FrameDecoder();
    const junk = new Uint8Array(MAX_WIRE_BYTES * 3).fill(7);
    const out = dec.push(junk);
    expect(out.filter((r) => !r.ok && r.reason === 'oversize').length).toBe(1);
    const after = dec.push(Buffer.concat([new Uint8Array([0]), encodeWire(samples[8]!, 3, 3)]));
    expect(after.filter((r) => r.ok).length).toBe(1);
  });

  it('reports a foreign protocol version with the version seen', () => {
    const res = decodeFrameBody(encodeFrameBody(samples[8]!, 0, 0, 2));
    expect(res).toMatchObject({ ok: false, reason: 'version', version: 2 });
  });

  it('rejects trailing bytes in a payload', () => {
    const body = encodeFrameBody({ type: 'stop', reason: 0 }, 0, 0);
    const longer = new Uint8Array(body.length + 1);
    longer.set(body.subarray(0, body.length - 2));
    longer[body.length - 2] = 9;
    new DataView(longer.buffer).setUint16(body.length - 1, crc16(longer, 0, body.length - 1), true);
    expect(decodeFrameBody(longer)).toMatchObject({ ok: false, reason: 'bad-payload' });
  });
});
