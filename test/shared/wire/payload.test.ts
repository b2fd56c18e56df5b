// The payload codec on its own (no header, CRC or COBS), and its plain-TypeScript UTF-8
// compared with the platform's TextEncoder/TextDecoder, which it replaces in the pure layer.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HELLO_NAME_MAX_BYTES, MAX_SCAN_BEAMS, decodePayload, encodePayload, messageTypeId } from '../../../src/shared/wire/payload';
import { utf8Decode, utf8Encode } from '../../../src/shared/wire/utf8';
import { MsgType, type HelloMsg, type LinkMessage } from '../../../src/shared/protocol';

const params = (numRuns: number): fc.Parameters<unknown> => ({ seed: 0x5eed_0008, numRuns });

const hello: HelloMsg = {
  type: 'hello', protocolVersion: 1, name: 'sim-bot', footprintLength: 0.5, footprintWidth: 0.375, footprintCenterOffsetX: 0,
  wheelBase: 0.3125, maxLinearVelocity: 1, maxAngularVelocity: 2, maxLinearAccel: 1, maxAngularAccel: 3, maxLinearJerk: 5,
  maxAngularJerk: 10, panMin: -2, panMax: 2, panMaxRate: 3, panMaxAccel: 6, lidarBeams: 360, lidarAngleMin: -3.125,
  lidarAngleIncrement: 0.015625, lidarRangeMin: 0.125, lidarRangeMax: 8, lidarRateHz: 10, lidarMountX: 0.125, lidarMountY: 0, lidarMountYaw: 0,
};

describe('payload', () => {
  it('round-trips a message under its type id, with the payload length of docs/protocol.md', () => {
    const cases: [LinkMessage, number, number][] = [
      [{ type: 'odometry', x: 1.5, y: -2.25, theta: 0.5, v: 0.25, w: -0.125, lastCommandSeq: 65535 }, MsgType.Odometry, 22],
      [{ type: 'velocity-command', v: 0.5, w: -0.25 }, MsgType.VelocityCommand, 8],
      [{ type: 'pong', pingSeq: 7, hostTimeUs: 1_234_567_890_123, robotRxTimeUs: 42 }, MsgType.Pong, 18],
      [{ type: 'stop', reason: 1 }, MsgType.Stop, 1],
      [hello, MsgType.Hello, 2 + 7 + 14 * 4 + 2 + 8 * 4],
    ];
    for (const [msg, type, length] of cases) {
      expect(messageTypeId(msg)).toBe(type);
      const payload = encodePayload(msg);
      expect(payload.length).toBe(length);
      expect(decodePayload(type, payload)).toEqual({ ok: true, msg });
    }
  });

  it('names unknown types and malformed payloads', () => {
    expect(decodePayload(0x07, new Uint8Array(0))).toEqual({ ok: false, reason: 'unknown-type', detail: 'type 0x7' });
    expect(decodePayload(MsgType.Stop, new Uint8Array(0))).toEqual({ ok: false, reason: 'bad-payload', detail: 'type 0x83: payload too short' });
    expect(decodePayload(MsgType.Stop, new Uint8Array(3))).toEqual({ ok: false, reason: 'bad-payload', detail: 'type 0x83: 2 unexpected trailing bytes' });
    const scan = encodePayload({ type: 'laser-scan', angleMin: 0, angleIncrement: 0, timeIncrement: 0, rangeMin: 0, rangeMax: 0, ranges: new Float32Array(0) });
    new DataView(scan.buffer).setUint16(20, MAX_SCAN_BEAMS + 1, true);
    expect(decodePayload(MsgType.LaserScan, scan)).toMatchObject({ ok: false, reason: 'bad-payload', detail: 'type 0x3: scan of 1001 beams, max 1000' });
    expect(() => encodePayload({ type: 'laser-scan', angleMin: 0, angleIncrement: 0, timeIncrement: 0, rangeMin: 0, rangeMax: 0, ranges: new Float32Array(MAX_SCAN_BEAMS + 1) })).toThrow(RangeError);
  });

  it('decodes a payload that is a view into a larger buffer', () => {
    const payload = encodePayload({ type: 'screen-state', panAngle: 0.25, panVelocity: -1 });
    const big = new Uint8Array(payload.length + 7).fill(0xee);
    big.set(payload, 3);
    expect(decodePayload(MsgType.ScreenState, big.subarray(3, 3 + payload.length))).toEqual({ ok: true, msg: { type: 'screen-state', panAngle: 0.25, panVelocity: -1 } });
  });

  it('cuts a Hello name to 32 bytes of UTF-8, even inside a character', () => {
    const name = 'é'.repeat(20); // 40 bytes
    const payload = encodePayload({ ...hello, name });
    expect(payload[1]).toBe(HELLO_NAME_MAX_BYTES);
    const r = decodePayload(MsgType.Hello, payload);
    expect(r.ok && r.msg.type === 'hello' && r.msg.name).toBe('é'.repeat(16));
    const cut = encodePayload({ ...hello, name: 'a' + 'é'.repeat(20) }); // 'a' + 15.5 characters
    const rc = decodePayload(MsgType.Hello, cut);
    expect(rc.ok && rc.msg.type === 'hello' && rc.msg.name).toBe('a' + 'é'.repeat(15) + '\ufffd');
  });
});

describe('utf8 (pure) against TextEncoder / TextDecoder', () => {
  const encoder = new TextEncoder();
  const decoder = new TextDecoder('utf-8');

  it('encodes any string, lone surrogates included, as TextEncoder does', () => {
    const units = fc.array(fc.oneof(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0xd800, max: 0xdfff })), { maxLength: 40 })
      .map((a) => String.fromCharCode(...a));
    fc.assert(
      fc.property(fc.oneof(units, fc.string({ unit: 'binary', maxLength: 40 })), (s) => {
        expect(utf8Encode(s)).toEqual(encoder.encode(s));
      }),
      params(3000),
    );
  });

  it('decodes any bytes, malformed and BOM-led included, as TextDecoder does', () => {
    // Bytes biased to the interesting ranges: lead bytes, continuation bytes, the BOM, ASCII.
    const byte = fc.oneof(
      fc.integer({ min: 0, max: 0xff }),
      fc.integer({ min: 0x80, max: 0xbf }),
      fc.constantFrom(0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 0xbb, 0xbf, 0x41),
    );
    const bytes = fc.oneof(
      fc.array(byte, { maxLength: 40 }).map((a) => Uint8Array.from(a)),
      fc.array(byte, { maxLength: 37 }).map((a) => Uint8Array.from([0xef, 0xbb, 0xbf, ...a])),
      fc.string({ unit: 'binary', maxLength: 20 }).map((s) => encoder.encode(s)),
    );
    fc.assert(
      fc.property(bytes, (b) => {
        expect(utf8Decode(b)).toBe(decoder.decode(b));
      }),
      params(5000),
    );
  });

  it('decodes every 1-, 2- and 3-byte sequence over the lead and continuation ranges as TextDecoder does', () => {
    const values = [0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xff];
    for (const a of values) {
      for (const b of values) {
        for (const c of values) {
          for (const bytes of [[a], [a, b], [a, b, c], [a, b, c, 0x80], [a, b, c, 0xbf]]) {
            const u = Uint8Array.from(bytes);
            expect(utf8Decode(u), bytes.map((x) => x.toString(16)).join(' ')).toBe(decoder.decode(u));
          }
        }
      }
    }
  });
});
