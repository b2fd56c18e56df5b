/**
 * The Kobuki codec at the byte level, against frames written out by hand from the protocol
 * appendix (kobuki_core docs "Serial Protocol"): `AA 55 | length | sub-payloads | XOR of
 * length and payload`, little-endian fields. Plus the hostile-input ledger (garbage, bad
 * checksum, truncated, wrong length, sub-payload overruns, unknown ids), the (v, w) ↔
 * speed/radius conversion table, and odometry across the uint16 wrap.
 */
import { describe, expect, it } from 'vitest';
import {
  KOBUKI_TICKS_PER_METRE,
  KobukiFrameDecoder,
  KobukiOdometry,
  baseControlToVelocity,
  batteryPercent,
  decodeCommands,
  decodeFeedback,
  encodeBaseControl,
  encodeBasicSensorData,
  encodeFrame,
  encodeInertialData,
  encodeRequestExtra,
  encodeSubPayload,
  encoderDeltaTicks,
  formatVersion,
  timestampDeltaMs,
  velocityToBaseControl,
  xorChecksum,
  type KobukiBasicSensorData,
  type KobukiDecodeEvent,
  type KobukiSubPayload,
} from '../../../src/shared/protocols/kobuki';

/**
 * One feedback frame written from the spec's tables: Basic Sensor Data (id 1, 15 bytes:
 * timestamp 0x1234 ms, centre bumper, right wheel dropped, left cliff, encoders 0xFFFE and
 * 0x0102, PWM −5 and +7, button 0, charger 22 = adapter charging, battery 167 = 16.7 V,
 * right motor over-current), Inertial Sensor (id 4, 7 bytes: −90.00°, +15.00°/s, 3 unused),
 * and an id the protocol does not define (0x42, 3 bytes). Checksum 0xE3 = XOR of 0x1F…0x03.
 */
const FEEDBACK = Uint8Array.of(
  0xaa, 0x55, 0x1f,
  0x01, 0x0f, 0x34, 0x12, 0x02, 0x01, 0x04, 0xfe, 0xff, 0x02, 0x01, 0xfb, 0x07, 0x01, 0x16, 0xa7, 0x02,
  0x04, 0x07, 0xd8, 0xdc, 0xdc, 0x05, 0x00, 0x00, 0x00,
  0x42, 0x03, 0x01, 0x02, 0x03,
  0xe3,
);

/**
 * The answers to Request Extra as `kobuki-version-info` prints them in the firmware docs
 * (hardware 1.0.4, firmware 1.2.0, UDID 97713968-842422349-1361404194): versions as patch,
 * minor, major, unused; the UDID as three little-endian uint32.
 */
const VERSIONS = Uint8Array.of(
  0xaa, 0x55, 0x1a,
  0x0a, 0x04, 0x04, 0x00, 0x01, 0x00,
  0x0b, 0x04, 0x00, 0x02, 0x01, 0x00,
  0x13, 0x0c, 0x30, 0xff, 0xd2, 0x05, 0x4d, 0x58, 0x36, 0x32, 0x22, 0x61, 0x25, 0x51,
  0x3c,
);

function frames(events: KobukiDecodeEvent[]): KobukiSubPayload[][] {
  return events.flatMap((e) => (e.kind === 'frame' ? [e.subPayloads] : []));
}
function bad(events: KobukiDecodeEvent[]): string[] {
  return events.flatMap((e) => (e.kind === 'bad' ? [e.reason] : []));
}
function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

describe('Kobuki frames', () => {
  it('checks out the hand-written frames: XOR over length, payload and checksum is zero', () => {
    expect(xorChecksum(FEEDBACK, 2)).toBe(0);
    expect(xorChecksum(VERSIONS, 2)).toBe(0);
    expect(xorChecksum(FEEDBACK, 2, FEEDBACK.length - 1)).toBe(0xe3);
  });

  it('encodes commands byte for byte as the spec lays them out', () => {
    // Base Control straight at 100 mm/s: id 1, length 4, speed 0x0064, radius 0; checksum 06^01^04^64 = 0x67.
    expect([...encodeFrame([encodeBaseControl({ speed: 100, radius: 0 })])]).toEqual([0xaa, 0x55, 0x06, 0x01, 0x04, 0x64, 0x00, 0x00, 0x00, 0x67]);
    // On the spot at 1 rad/s: speed w·b/2 = 115 mm/s, radius 1.
    expect([...encodeFrame([encodeBaseControl(velocityToBaseControl(0, 1))])]).toEqual([0xaa, 0x55, 0x06, 0x01, 0x04, 0x73, 0x00, 0x01, 0x00, 0x71]);
    // Backwards at 100 mm/s: int16 −100 = 0xFF9C, least significant byte first.
    expect([...encodeBaseControl({ speed: -100, radius: 0 })]).toEqual([0x01, 0x04, 0x9c, 0xff, 0x00, 0x00]);
    // Request Extra for hardware, firmware and UDID (flags 0x01 | 0x02 | 0x08).
    expect([...encodeFrame([encodeRequestExtra(0x0b)])]).toEqual([0xaa, 0x55, 0x04, 0x09, 0x02, 0x0b, 0x00, 0x04]);
    expect(() => encodeFrame([])).toThrow(RangeError);
  });

  it('decodes every field of the hand-written feedback frame and skips the unknown id by its length', () => {
    const d = new KobukiFrameDecoder();
    const events = d.push(FEEDBACK);
    expect(bad(events)).toEqual([]);
    const [subs] = frames(events);
    expect(subs!.map((s) => s.id)).toEqual([1, 4, 0x42]);
    const fb = decodeFeedback(subs!);
    expect(fb.basic).toEqual({
      timestampMs: 0x1234, bumper: 0x02, wheelDrop: 0x01, cliff: 0x04, leftEncoder: 0xfffe, rightEncoder: 0x0102,
      leftPwm: -5, rightPwm: 7, buttons: 0x01, charger: 22, battery: 167, overCurrent: 0x02,
    } satisfies KobukiBasicSensorData);
    expect(fb.inertial).toEqual({ angle: -9000, angleRate: 1500 });
    expect(fb.skipped).toEqual([0x42]);
    expect(fb.malformed).toEqual([]);
    // And the builders produce exactly these bytes back.
    expect([...encodeFrame([encodeBasicSensorData(fb.basic!), encodeInertialData(fb.inertial!), encodeSubPayload(0x42, Uint8Array.of(1, 2, 3))])]).toEqual([...FEEDBACK]);
  });

  it('decodes the version answers as kobuki-version-info shows them', () => {
    const [subs] = frames(new KobukiFrameDecoder().push(VERSIONS));
    const fb = decodeFeedback(subs!);
    expect(formatVersion(fb.hardwareVersion!)).toBe('1.0.4');
    expect(formatVersion(fb.firmwareVersion!)).toBe('1.2.0');
    expect(fb.udid!.join('-')).toBe('97713968-842422349-1361404194');
    expect(fb.basic).toBeNull();
    // The spec's own LSB-first example: 0xAABBCCDD travels as DD CC BB AA.
    const lsb = decodeFeedback([{ id: 19, data: Uint8Array.of(0xdd, 0xcc, 0xbb, 0xaa, 0, 0, 0, 0, 0, 0, 0, 0) }]);
    expect(lsb.udid![0]).toBe(0xaabbccdd);
    // Firmware before 1.1.2 sent a 2-byte number (firmware.cpp maps 123 to 1.0.0).
    expect(decodeFeedback([{ id: 11, data: Uint8Array.of(123, 0) }]).firmwareVersion).toEqual({ major: 1, minor: 0, patch: 0 });
  });

  it('decodes the same stream one byte at a time', () => {
    const d = new KobukiFrameDecoder();
    const events: KobukiDecodeEvent[] = [];
    for (const b of concat(FEEDBACK, VERSIONS)) events.push(...d.push(Uint8Array.of(b)));
    expect(bad(events)).toEqual([]);
    expect(frames(events).map((f) => f.map((s) => s.id))).toEqual([[1, 4, 0x42], [10, 11, 19]]);
    expect(d.pending).toBe(0);
  });
});

describe('Kobuki decoder against hostile input', () => {
  it('resynchronises on garbage, including a lone AA and a false AA 55 header', () => {
    const d = new KobukiFrameDecoder();
    const garbage = Uint8Array.of(0x00, 0xaa, 0x13, 0x55, 0xff);
    const events = d.push(concat(garbage, FEEDBACK, Uint8Array.of(0x01, 0x02), VERSIONS));
    expect(frames(events)).toHaveLength(2);
    expect(bad(events)).toEqual(['garbage', 'garbage']);
    expect(d.stats).toMatchObject({ frames: 2, garbageBytes: 7, checksumErrors: 0 });
  });

  it('drops a frame with a corrupt byte once (bad checksum) and decodes the next', () => {
    const corrupt = FEEDBACK.slice();
    corrupt[10] ^= 0x01; // one bit of the left encoder
    const d = new KobukiFrameDecoder();
    const events = d.push(concat(corrupt, VERSIONS));
    expect(bad(events)).toEqual(['checksum']);
    expect(frames(events).map((f) => f[0]!.id)).toEqual([10]);
    expect(d.stats.checksumErrors).toBe(1);
  });

  it('drops a truncated frame and still finds the frame right after it', () => {
    const d = new KobukiFrameDecoder();
    const events = d.push(concat(FEEDBACK.subarray(0, 20), VERSIONS, FEEDBACK));
    expect(bad(events)).toEqual(['checksum']);
    expect(frames(events).map((f) => f[0]!.id)).toEqual([10, 1]);
  });

  it('waits for the rest of a frame cut off at the end of the stream, emitting nothing yet', () => {
    const d = new KobukiFrameDecoder();
    expect(d.push(FEEDBACK.subarray(0, 30))).toEqual([]);
    expect(d.pending).toBe(30);
    expect(frames(d.push(FEEDBACK.subarray(30)))).toHaveLength(1);
  });

  it('drops frames whose length byte is wrong, too long or too short, and resyncs', () => {
    for (const length of [FEEDBACK[2]! + 3, FEEDBACK[2]! - 4]) {
      const wrong = FEEDBACK.slice();
      wrong[2] = length;
      const d = new KobukiFrameDecoder();
      const events = d.push(concat(wrong, VERSIONS, VERSIONS));
      expect(bad(events)).toEqual(['checksum']);
      expect(frames(events).length).toBeGreaterThanOrEqual(1);
      expect(frames(events).every((f) => f[0]!.id === 10)).toBe(true);
    }
    // Below the spec's minimum payload of 3 bytes.
    const d = new KobukiFrameDecoder();
    const events = d.push(concat(Uint8Array.of(0xaa, 0x55, 0x02, 0x01, 0x00, 0x03), VERSIONS));
    expect(bad(events)[0]).toBe('length');
    expect(frames(events)).toHaveLength(1);
  });

  it('rejects a frame whose sub-payload overruns it, even with a good checksum', () => {
    // Basic Sensor Data claiming 15 bytes inside a 6-byte payload; the checksum is right.
    const payload = Uint8Array.of(0x01, 0x0f, 0x00, 0x00, 0x00, 0x00);
    const overrun = concat(Uint8Array.of(0xaa, 0x55, payload.length), payload, Uint8Array.of(xorChecksum(payload) ^ payload.length));
    const d = new KobukiFrameDecoder();
    const events = d.push(concat(overrun, FEEDBACK));
    expect(events[0]).toMatchObject({ kind: 'bad', reason: 'length' });
    expect((events[0] as { detail: string }).detail).toMatch(/sub-payload id 1 claims 15 data bytes but only 4 are left/);
    expect(frames(events).map((f) => f[0]!.id)).toEqual([1]);
    expect(decodeFeedback(frames(events)[0]!).basic!.timestampMs).toBe(0x1234);
  });

  it('skips unknown ids by their length and reports known ids of the wrong length', () => {
    const subs: KobukiSubPayload[] = [
      { id: 3, data: new Uint8Array(3) }, // docking IR: not read, skipped
      { id: 200, data: new Uint8Array(0) }, // no such id
      { id: 4, data: new Uint8Array(6) }, // inertial one byte short
      { id: 13, data: new Uint8Array(14) }, // raw gyro, variable length
      { id: 1, data: new Uint8Array(15) },
    ];
    const fb = decodeFeedback(subs);
    expect(fb.skipped).toEqual([3, 200, 13]);
    expect(fb.malformed).toEqual([{ id: 4, length: 6 }]);
    expect(fb.inertial).toBeNull();
    expect(fb.basic).not.toBeNull();
  });

  it('never returns a frame from random noise that fails its checksum', () => {
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) >>> 16) & 0xff;
    const d = new KobukiFrameDecoder();
    let good = 0;
    for (let i = 0; i < 200; i++) {
      const noise = Uint8Array.from({ length: 64 }, rand);
      if (i % 10 === 0) noise.set([0xaa, 0x55], 5); // plenty of false headers
      good += frames(d.push(noise)).length;
      good += frames(d.push(FEEDBACK)).length;
    }
    // Every real frame survives the noise around it; a false frame needs a 1-in-256 checksum and a consistent layout.
    expect(good).toBeGreaterThanOrEqual(195);
    expect(good).toBeLessThanOrEqual(205);
  });
});

describe('Kobuki commands', () => {
  it('maps (v, w) to speed and radius as the conversion table says', () => {
    expect(velocityToBaseControl(0.3, 0)).toEqual({ speed: 300, radius: 0 }); // pure translation
    expect(velocityToBaseControl(-0.25, 0)).toEqual({ speed: -250, radius: 0 });
    expect(velocityToBaseControl(0, 1)).toEqual({ speed: 115, radius: 1 }); // pure rotation: w·b/2
    expect(velocityToBaseControl(0, -1)).toEqual({ speed: -115, radius: 1 });
    // Arcs: radius v/w mm, speed (R ± b/2)·w: the outer wheel's speed.
    expect(velocityToBaseControl(0.2, 0.5)).toEqual({ speed: 258, radius: 400 });
    expect(velocityToBaseControl(0.2, -0.5)).toEqual({ speed: 258, radius: -400 });
    expect(velocityToBaseControl(-0.2, 0.5)).toEqual({ speed: -258, radius: -400 });
    expect(velocityToBaseControl(-0.2, -0.5)).toEqual({ speed: -258, radius: 400 });
    // A radius of a millimetre or less is a turn on the spot (never radius −1).
    expect(velocityToBaseControl(-0.0012, 1)).toEqual({ speed: 115, radius: 1 });
    // Nothing the int16 fields cannot hold; nearly straight arcs go straight or take the widest arc.
    expect(velocityToBaseControl(0.5, 0.001)).toEqual({ speed: 500, radius: 0 });
    expect(velocityToBaseControl(0.5, 0.012)).toEqual({ speed: 502, radius: 32767 });
    expect(velocityToBaseControl(Number.NaN, 1)).toEqual({ speed: 0, radius: 0 });
  });

  it('follows Base Control back to the asked (v, w), as the firmware does', () => {
    for (const v of [-0.5, -0.1, 0, 0.05, 0.3, 0.7]) {
      for (const w of [-1.9, -0.4, -0.05, 0, 0.02, 0.6, 1.9]) {
        const back = baseControlToVelocity(velocityToBaseControl(v, w));
        expect(Math.abs(back.v - v)).toBeLessThan(0.002);
        expect(Math.abs(back.w - w)).toBeLessThan(0.01);
      }
    }
    expect(baseControlToVelocity({ speed: 115, radius: 1 })).toEqual({ v: 0, w: 1 });
    expect(baseControlToVelocity({ speed: 300, radius: 0 })).toEqual({ v: 0.3, w: 0 });
  });

  it('reads the commands of a frame, and refuses a Base Control of the wrong length', () => {
    const [subs] = frames(new KobukiFrameDecoder().push(encodeFrame([encodeBaseControl({ speed: -258, radius: -400 }), encodeRequestExtra(0x0b), encodeSubPayload(4, Uint8Array.of(3))])));
    expect(decodeCommands(subs!).commands).toEqual([
      { kind: 'base-control', speed: -258, radius: -400 },
      { kind: 'request-extra', flags: 0x0b },
      { kind: 'other', id: 4, data: Uint8Array.of(3) },
    ]);
    const short = decodeCommands([{ id: 1, data: Uint8Array.of(0x64, 0x00, 0x00) }]);
    expect(short.commands).toEqual([]);
    expect(short.malformed).toEqual([{ id: 1, length: 3 }]);
  });
});

describe('Kobuki odometry', () => {
  const basic = (left: number, right: number, timestampMs: number): KobukiBasicSensorData => ({
    timestampMs, bumper: 0, wheelDrop: 0, cliff: 0, leftEncoder: left & 0xffff, rightEncoder: right & 0xffff, leftPwm: 0, rightPwm: 0, buttons: 0, charger: 0, battery: 160, overCurrent: 0,
  });

  it('differences uint16 encoders and the ms clock across the wrap', () => {
    expect(encoderDeltaTicks(5, 65530)).toBe(11);
    expect(encoderDeltaTicks(65530, 5)).toBe(-11);
    expect(encoderDeltaTicks(1000, 1000)).toBe(0);
    expect(timestampDeltaMs(10, 65530)).toBe(16);
    expect(KOBUKI_TICKS_PER_METRE).toBeCloseTo(11724.41658029856, 8);
  });

  it('drives straight across the encoder wrap-around, forwards and back', () => {
    const odo = new KobukiOdometry();
    let ticks = 65000;
    let t = 65500;
    odo.update(basic(ticks, ticks, t), null);
    // 1 m forwards in 50 steps of 20 ms: the counters pass 65535 → 0 on the way.
    const perStep = KOBUKI_TICKS_PER_METRE / 50;
    for (let i = 1; i <= 50; i++) odo.update(basic(Math.round(65000 + i * perStep), Math.round(65000 + i * perStep), (t += 20)), null);
    let p = odo.current;
    expect(p.x).toBeCloseTo(1, 3);
    expect(p.y).toBeCloseTo(0, 6);
    expect(p.theta).toBeCloseTo(0, 6);
    expect(p.v).toBeCloseTo(1, 1);
    // And back past the wrap again.
    ticks = Math.round(65000 + 50 * perStep);
    for (let i = 1; i <= 50; i++) odo.update(basic(Math.round(ticks - i * perStep), Math.round(ticks - i * perStep), (t += 20)), null);
    p = odo.current;
    expect(p.x).toBeCloseTo(0, 3);
    expect(p.v).toBeCloseTo(-1, 1);
  });

  it('takes heading from the gyro, its first reading as zero, and rotates in place from the wheels', () => {
    const odo = new KobukiOdometry();
    odo.update(basic(0, 0, 0), { angle: 4500, angleRate: 0 }); // gyro at 45°: odom heading 0 here
    // A quarter turn to the left on the spot: the right wheel forwards, the left backwards.
    const quarter = Math.round((Math.PI / 2) * (0.23 / 2) * KOBUKI_TICKS_PER_METRE);
    const p = odo.update(basic(-quarter, quarter, 1000), { angle: 13500, angleRate: 9000 });
    expect(p.theta).toBeCloseTo(Math.PI / 2, 6);
    expect(Math.hypot(p.x, p.y)).toBeLessThan(1e-3);
    expect(p.w).toBeCloseTo(Math.PI / 2, 6);
    // Without the gyro the wheels give the same turn.
    const wheels = new KobukiOdometry();
    wheels.update(basic(0, 0, 0), null);
    expect(wheels.update(basic(-quarter, quarter, 1000), null).theta).toBeCloseTo(Math.PI / 2, 3);
  });

  it('carries the pose on across a rebase (reconnect), re-anchoring ticks and gyro', () => {
    const odo = new KobukiOdometry();
    odo.update(basic(0, 0, 0), { angle: 0, angleRate: 0 });
    odo.update(basic(11724, 11724, 1000), { angle: 0, angleRate: 0 });
    odo.rebase();
    // The robot rebooted: counters and gyro start over somewhere else.
    odo.update(basic(30000, 30000, 5), { angle: -5000, angleRate: 0 });
    const p = odo.update(basic(30000 + 11724, 30000 + 11724, 1005), { angle: -5000, angleRate: 0 });
    expect(p.x).toBeCloseTo(2, 3);
    expect(p.theta).toBeCloseTo(0, 6);
  });

  it('estimates battery percent as kobuki_core does', () => {
    expect(batteryPercent(16.5, 0)).toBe(100);
    expect(batteryPercent(13.2, 0)).toBeCloseTo(5, 6);
    expect(batteryPercent(14.85, 0)).toBeCloseTo(52.5, 6);
    expect(batteryPercent(12, 0)).toBe(0);
    expect(batteryPercent(15, 0x10 | 2)).toBe(100); // adapter, charged
  });
});
