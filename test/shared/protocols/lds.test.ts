/**
 * LDS-01 and LDS-02 codecs at the byte level: checksums against hand-computed and published
 * values, the LDRobot manual's example frame, the angle conventions of ROBOTIS's drivers, and
 * the fuzz ledger (garbage, truncated frames, bad checksums, unknown index bytes, any chunking).
 */
import { describe, expect, it } from 'vitest';
import {
  LDS01_PACKET_BYTES, LDS02_CRC_TABLE, LDS02_FRAME_BYTES, Lds01Decoder, Lds01RevolutionAssembler, Lds02Decoder, Lds02RevolutionAssembler,
  decodeLds01Packet, decodeLds02Frame, encodeLds01Packet, encodeLds02Frame, lds01Checksum, lds01ReadingAngleRad, lds01ReadingForAngle,
  lds02Crc8, lds02PointAngles, lds02RawDistanceForRange, lds02ToRep103, wrapAngle, type Lds01Packet, type Lds02Frame,
} from '../../../src/shared/protocols/lds';

const DEG = Math.PI / 180;
const hex = (s: string): Uint8Array => Uint8Array.from(s.trim().split(/\s+/).map((h) => parseInt(h, 16)));
const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
};
/** Feeds `bytes` one byte at a time. */
function byteByByte<T>(push: (c: Uint8Array) => T[], bytes: Uint8Array): T[] {
  const out: T[] = [];
  for (const b of bytes) out.push(...push(Uint8Array.of(b)));
  return out;
}

/** A packet of revolution position `index` with distinct ranges: reading k of the revolution reads 1000 + k mm. */
function lds01Packet(index: number, rpm = 300): Uint8Array {
  const readings = Array.from({ length: 6 }, (_, r) => ({ intensity: 500 + r, rangeMm: 1000 + index * 6 + r }));
  return encodeLds01Packet({ index, rpm, readings });
}

describe('LDS-01 packet', () => {
  it('lays out sync, index, speed ×10, six readings of intensity/range/reserved, and the checksum in both last bytes', () => {
    const bytes = encodeLds01Packet({ index: 0, rpm: 300, readings: [{ intensity: 0x0100, rangeMm: 1000, reserved: 0 }] });
    expect(bytes.length).toBe(42);
    expect(Array.from(bytes.subarray(0, 10))).toEqual([0xfa, 0xa0, 0xb8, 0x0b, 0x00, 0x01, 0xe8, 0x03, 0x00, 0x00]);
    expect(Array.from(bytes.subarray(10, 40)).every((b) => b === 0)).toBe(true);
    // By hand: 0xFA + 0xA0 + 0xB8 + 0x0B + 0x00 + 0x01 + 0xE8 + 0x03 = 841; 1 + 841 = 842 = 3·256 + 74 → 0x4A.
    expect(lds01Checksum(bytes)).toBe(0x4a);
    expect(bytes[40]).toBe(0x4a);
    expect(bytes[41]).toBe(0x4a);
  });

  it('decodes what it encodes: index, RPM ×10, readings', () => {
    const p = decodeLds01Packet(lds01Packet(59, 312.5));
    expect(p.index).toBe(59);
    expect(p.speedRaw).toBe(3125);
    expect(p.readings).toHaveLength(6);
    expect(p.readings[5]).toEqual({ intensity: 505, rangeMm: 1000 + 59 * 6 + 5, reserved: 0 });
    expect(() => encodeLds01Packet({ index: 60, rpm: 300, readings: [] })).toThrow(RangeError);
  });

  it('puts reading k at −(k+1)° in REP 103, as hlds_laser_publisher stores it at ranges[359 − k] (the head turns clockwise)', () => {
    expect(lds01ReadingAngleRad(359)).toBe(0); // the last reading of a revolution points straight ahead
    expect(lds01ReadingAngleRad(0)).toBeCloseTo(-1 * DEG, 12);
    expect(lds01ReadingAngleRad(89)).toBeCloseTo(-Math.PI / 2, 12); // right
    expect(lds01ReadingAngleRad(179)).toBeCloseTo(Math.PI, 12); // behind, +π not −π
    expect(lds01ReadingAngleRad(269)).toBeCloseTo(Math.PI / 2, 12); // left
    for (let k = 0; k < 360; k++) expect(lds01ReadingForAngle(lds01ReadingAngleRad(k))).toBe(k);
  });
});

describe('Lds01Decoder', () => {
  const stream = concat(lds01Packet(0), lds01Packet(1), lds01Packet(2));

  it('decodes packets in any chunking', () => {
    const whole = new Lds01Decoder({ checksum: 'strict' }).push(stream);
    const dec = new Lds01Decoder({ checksum: 'strict' });
    const bytewise = byteByByte((c) => dec.push(c), stream);
    expect(whole.map((p) => p.index)).toEqual([0, 1, 2]);
    expect(bytewise).toEqual(whole);
    expect(dec.stats).toMatchObject({ frames: 3, rejected: 0, skippedBytes: 0 });
  });

  it('resynchronises on garbage, including stray sync bytes and unknown index bytes (0xDC.., Neato-style 0xF9)', () => {
    const garbage = hex('00 ff fa 00 fa dc fa f9 12 fa');
    const dec = new Lds01Decoder({ checksum: 'strict' });
    const out = dec.push(concat(garbage, lds01Packet(7), hex('fa fa 55'), lds01Packet(8)));
    expect(out.map((p) => p.index)).toEqual([7, 8]);
    expect(out[0]!.readings[0]!.rangeMm).toBe(1042);
    expect(dec.stats.rejected).toBe(0);
    expect(dec.stats.skippedBytes).toBe(garbage.length + 3);
  });

  it('rejects a truncated packet and still finds the packet that interrupted it', () => {
    const dec = new Lds01Decoder({ checksum: 'strict' });
    const out = dec.push(concat(lds01Packet(3).subarray(0, 25), lds01Packet(4), lds01Packet(5)));
    expect(out.map((p) => p.index)).toEqual([4, 5]);
    expect(dec.stats.rejected).toBe(1);
    expect(dec.stats.rejectedBy.checksum).toBe(1);
  });

  it('rejects a packet with a corrupted byte or checksum', () => {
    const corrupted = lds01Packet(9);
    corrupted[20] ^= 0x04;
    const badSum = lds01Packet(10);
    badSum[41] ^= 0xff;
    const dec = new Lds01Decoder({ checksum: 'strict' });
    expect(dec.push(concat(corrupted, badSum, lds01Packet(11))).map((p) => p.index)).toEqual([11]);
    expect(dec.stats.rejected).toBe(2);
  });

  it("'auto' confirms our checksum rule once packets match it, and then rejects bad ones", () => {
    const dec = new Lds01Decoder();
    expect(dec.checksumState).toBe('unknown');
    dec.push(concat(lds01Packet(0), lds01Packet(1), lds01Packet(2)));
    expect(dec.checksumState).toBe('confirmed');
    const bad = lds01Packet(3);
    bad[40] = bad[41] = 0;
    expect(dec.push(concat(bad, lds01Packet(4))).map((p) => p.index)).toEqual([4]);
    expect(dec.checksumState).toBe('confirmed');
  });

  it("'auto' stops checking after a revolution of well-formed packets that never match our rule, then needs the next sync to follow", () => {
    // A firmware with some other checksum: both bytes zero.
    const other = (i: number): Uint8Array => { const p = lds01Packet(i % 60); p[40] = p[41] = 0; return p; };
    const dec = new Lds01Decoder();
    const first = dec.push(concat(...Array.from({ length: 60 }, (_, i) => other(i))));
    expect(first).toHaveLength(0);
    expect(dec.checksumState).toBe('unused');
    expect(dec.stats.rejected).toBeGreaterThanOrEqual(60);
    // Structural mode: a packet is taken once the next one's sync and index follow it; a truncated one is not.
    const out = dec.push(concat(other(0), other(1).subarray(0, 20), other(2), other(3)));
    expect(out.map((p) => p.index)).toEqual([0, 2]);
    expect(dec.push(other(4)).map((p) => p.index)).toEqual([3]);
    // A new port session may be another unit: the verdict is taken again.
    dec.reset();
    expect(dec.checksumState).toBe('unknown');
  });

  it("'auto' is not locked into checking by a packet that matches our rule by chance", () => {
    const other = (i: number): Uint8Array => { const p = lds01Packet(i % 60); p[40] = p[41] = 0; return p; };
    const dec = new Lds01Decoder();
    dec.push(lds01Packet(0)); // one packet that happens to match
    dec.push(concat(...Array.from({ length: 60 }, (_, i) => other(i + 1))));
    expect(dec.checksumState).toBe('unused');
  });

  it("'ignore' accepts on structure alone from the start, as ROBOTIS's readers do", () => {
    const p = lds01Packet(5);
    p[40] = 0x12;
    const dec = new Lds01Decoder({ checksum: 'ignore' });
    expect(dec.push(concat(p, lds01Packet(6))).map((x) => x.index)).toEqual([5]);
  });
});

describe('LDS-02 frame', () => {
  // The example frame of LDRobot's LD06/LD19 development manual: the LD08 (LDS-02) speaks the
  // same 47-byte frame with the same CRC table (ROBOTIS ld08_driver lipkg.hpp / lipkg.cpp).
  const MANUAL_FRAME = hex(`54 2C 68 08 AB 7E E0 00 E4 DC 00 E2 D9 00 E5 D5 00 E3 D3 00 E4 D0 00 E9 CD 00
    E4 CA 00 E2 C7 00 E9 C5 00 E5 C2 00 E5 C0 00 E5 BE 82 3A 1A 50`);

  it('uses the CRC-8 table of ld08_driver (polynomial 0x4D)', () => {
    // First and last rows of CrcTable in ld08_driver src/lipkg.cpp.
    expect(Array.from(LDS02_CRC_TABLE.subarray(0, 16))).toEqual([0x00, 0x4d, 0x9a, 0xd7, 0x79, 0x34, 0xe3, 0xae, 0xf2, 0xbf, 0x68, 0x25, 0x8b, 0xc6, 0x11, 0x5c]);
    expect(Array.from(LDS02_CRC_TABLE.subarray(240))).toEqual([0xf4, 0xb9, 0x6e, 0x23, 0x8d, 0xc0, 0x17, 0x5a, 0x06, 0x4b, 0x9c, 0xd1, 0x7f, 0x32, 0xe5, 0xa8]);
    // By hand: CRC of the single byte 0x01 is the polynomial itself; of 0x54 (the header) table[0x54].
    expect(lds02Crc8(Uint8Array.of(0x01), 0, 1)).toBe(0x4d);
    expect(lds02Crc8(Uint8Array.of(0x54), 0, 1)).toBe(LDS02_CRC_TABLE[0x54]);
  });

  it("checks and decodes the manual's example frame", () => {
    expect(MANUAL_FRAME.length).toBe(LDS02_FRAME_BYTES);
    expect(lds02Crc8(MANUAL_FRAME)).toBe(0x50);
    const f = decodeLds02Frame(MANUAL_FRAME);
    expect(f).toMatchObject({ verLen: 0x2c, speedDegPerS: 2152, startAngle: 32427, endAngle: 33470, timestampMs: 6714 });
    expect(f.points[0]).toMatchObject({ distanceMm: 224, confidence: 228 });
    expect(f.points[1]).toMatchObject({ distanceMm: 220, confidence: 226 });
    expect(f.points[11]).toMatchObject({ distanceMm: 192, confidence: 229 });
    // Spread as LiPkg::Parse does: step = floor(1043 / 11) = 94 (0.01°).
    expect(f.points[0]!.angleDeg).toBeCloseTo(324.27, 10);
    expect(f.points[1]!.angleDeg).toBeCloseTo(325.21, 10);
    expect(f.points[11]!.angleDeg).toBeCloseTo(324.27 + 11 * 0.94, 10);
    const dec = new Lds02Decoder();
    expect(dec.push(MANUAL_FRAME)).toHaveLength(1);
  });

  it('encodes what it decodes, and wraps point angles past 360°', () => {
    const bytes = encodeLds02Frame({ speedDegPerS: 1800, startAngle: 35950, stepAngle: 78, timestampMs: 30_005, points: [{ distanceMm: 1234, confidence: 200 }] });
    expect(bytes[46]).toBe(lds02Crc8(bytes));
    const f = decodeLds02Frame(bytes);
    expect(f).toMatchObject({ speedDegPerS: 1800, startAngle: 35950, endAngle: (35950 + 11 * 78) % 36000, timestampMs: 5 });
    expect(f.points[0]).toEqual({ angleDeg: 359.5, distanceMm: 1234, confidence: 200 });
    expect(f.points[1]!.angleDeg).toBeCloseTo(0.28, 10);
    expect(lds02PointAngles(35950, 808)).toEqual(f.points.map((p) => p.angleDeg));
  });

  it('converts to REP 103 as ld08_driver transform.cpp does: clockwise device angle, triangulation offset', () => {
    // Device 0° at 1000 mm: x = 1005.9, y = 0.11923·1000 − 20.14 = 99.09 → +5.626°, 1010.77 mm.
    const ahead = lds02ToRep103(0, 1000);
    expect(ahead.angleRad / DEG).toBeCloseTo(5.626, 3);
    expect(ahead.rangeM).toBeCloseTo(1.01077, 5);
    // Device 90° is the right side (clockwise): −90° plus the same correction.
    expect(lds02ToRep103(90, 1000).angleRad / DEG).toBeCloseTo(-90 + 5.626, 3);
    expect(lds02ToRep103(270, 1000).angleRad / DEG).toBeCloseTo(90 + 5.626, 3);
    // Near the minimum range the correction is small: 200 mm → atan(3.706 / 205.9) = 1.031°.
    expect(lds02ToRep103(0, 200).angleRad / DEG).toBeCloseTo(1.031, 3);
    expect(lds02ToRep103(45, 0).rangeM).toBe(0);
    // The inverse the emulator uses.
    for (const d of [160, 500, 1000, 3000, 7999]) expect(lds02RawDistanceForRange(lds02ToRep103(10, d).rangeM * 1000)!).toBeCloseTo(d, 6);
    expect(lds02RawDistanceForRange(10)).toBeNull();
    expect(wrapAngle(-Math.PI)).toBe(Math.PI);
  });
});

describe('Lds02Decoder', () => {
  const frame = (start: number, mm = 1500): Uint8Array =>
    encodeLds02Frame({ speedDegPerS: 1800, startAngle: start, stepAngle: 78, timestampMs: 100, points: Array.from({ length: 12 }, (_, i) => ({ distanceMm: mm + i, confidence: 200 })) });

  it('decodes frames in any chunking', () => {
    const stream = concat(frame(0), frame(939), frame(1878));
    const dec = new Lds02Decoder();
    const out = byteByByte((c) => dec.push(c), stream);
    expect(out.map((f) => f.startAngle)).toEqual([0, 939, 1878]);
    expect(dec.stats).toMatchObject({ frames: 3, rejected: 0, skippedBytes: 0 });
  });

  it('resynchronises on garbage with stray header bytes, and skips unknown version bytes', () => {
    const garbage = hex('54 00 54 2d 01 02 54');
    const unknownVersion = frame(100);
    unknownVersion[1] = 0x2d; // 13 points: not a frame this driver knows
    const dec = new Lds02Decoder();
    const out = dec.push(concat(garbage, frame(500), unknownVersion, frame(600)));
    expect(out.map((f) => f.startAngle)).toEqual([500, 600]);
    expect(dec.stats.rejected).toBe(0);
    expect(dec.stats.skippedBytes).toBe(garbage.length + LDS02_FRAME_BYTES);
  });

  it('accepts the 0xEC version byte as LiPkg::Parse does', () => {
    const f = encodeLds02Frame({ speedDegPerS: 1800, startAngle: 0, stepAngle: 78, timestampMs: 0, points: [], verLen: 0xec });
    expect(new Lds02Decoder().push(f)).toHaveLength(1);
  });

  it('rejects a truncated frame and still finds the frame that interrupted it', () => {
    const dec = new Lds02Decoder();
    const out = dec.push(concat(frame(0).subarray(0, 30), frame(939)));
    expect(out.map((f) => f.startAngle)).toEqual([939]);
    expect(dec.stats.rejectedBy.checksum).toBe(1);
  });

  it('rejects a bad CRC and an implausible span', () => {
    const bad = frame(0);
    bad[10] ^= 0x01;
    const wide = encodeLds02Frame({ speedDegPerS: 1800, startAngle: 0, endAngle: 2000, timestampMs: 0, points: [] }); // 20° in 12 samples at 1800°/s
    const dec = new Lds02Decoder();
    expect(dec.push(concat(bad, wide, frame(939))).map((f) => f.startAngle)).toEqual([939]);
    expect(dec.stats.rejectedBy).toEqual({ checksum: 1, span: 1 });
    expect(dec.stats.rejected).toBe(2);
  });
});

describe('revolution assembly', () => {
  it('LDS-01: drops a revolution joined midway, hands one on at packet 59 and a short one at the next start', () => {
    const asm = new Lds01RevolutionAssembler();
    const p = (i: number): Lds01Packet => decodeLds01Packet(lds01Packet(i));
    for (let i = 30; i < 60; i++) expect(asm.push(p(i), i)).toBeNull();
    let rev = null;
    for (let i = 0; i < 60; i++) rev = asm.push(p(i), 1000 + i) ?? rev;
    expect(rev).not.toBeNull();
    expect(rev!.startMs).toBe(1000);
    expect(rev!.samples).toHaveLength(360);
    expect(rev!.deviceRateHz).toBeCloseTo(5, 12);
    // Reading k is 1000 + k mm, at −(k + 1)°.
    expect(rev!.samples[0]).toEqual({ angleRad: lds01ReadingAngleRad(0), rangeM: 1.0 });
    expect(rev!.samples[359]).toEqual({ angleRad: 0, rangeM: 1.359 });
    // Packet 59 of the next revolution is lost: that revolution is handed on when packet 0 comes.
    for (let i = 0; i < 59; i++) expect(asm.push(p(i), 2000 + i)).toBeNull();
    const short = asm.push(p(0), 3000);
    expect(short!.samples).toHaveLength(354);
    expect(short!.startMs).toBe(2000);
  });

  it('LDS-02: cuts at the wrap of the device angle and drops the partial first revolution', () => {
    const asm = new Lds02RevolutionAssembler();
    const frames: Lds02Frame[] = [];
    // 100 frames at 1800°/s from device angle 180°: 939° in all, wrapping at 360°, 720° and 1080°.
    for (let n = 0; n < 100; n++) {
      const start = Math.round((18000 + n * 939) % 36000);
      frames.push(decodeLds02Frame(encodeLds02Frame({ speedDegPerS: 1800, startAngle: start, stepAngle: 78, timestampMs: 0, points: Array.from({ length: 12 }, () => ({ distanceMm: 1000 })) })));
    }
    const revs = frames.flatMap((f, n) => asm.push(f, 10 * n));
    // The part before the first wrap is dropped; the revolutions closed at 720° and 1080° are handed on.
    expect(revs).toHaveLength(2);
    const rev = revs[0]!;
    expect(rev.startMs).toBe(10 * 19); // the frame holding the first point past 360°
    expect(revs[1]!.startMs).toBe(10 * 57);
    expect(rev.deviceRateHz).toBeCloseTo(5, 12);
    // 360° at 0.78° a point, with the 0.81° gaps between frames: about 460 points.
    expect(rev.samples.length).toBeGreaterThan(450);
    expect(rev.samples.length).toBeLessThan(470);
    for (const s of rev.samples) expect(s.rangeM).toBeCloseTo(1.01077, 5);
  });
});

// Keep the constants honest.
it('packet sizes', () => {
  expect(LDS01_PACKET_BYTES).toBe(42);
  expect(LDS02_FRAME_BYTES).toBe(47);
});
