/**
 * The Create 2 Open Interface codec, byte by byte, against the examples of the iRobot Create 2
 * OI Specification (Stream 148, Drive 137, Query List 149) and its checksum rule, plus the
 * hostile input the driver must survive: garbage, truncated frames, bad checksums, wrong
 * lengths, unknown ids, a 19 inside packet data, one byte at a time.
 */
import { describe, expect, it } from 'vitest';
import {
  BumpBits, COUNTS_PER_REV, CommandDecoder, METRES_PER_COUNT, Opcode, PACKETS, PACKET_GROUPS, STREAM_HEADER, StreamDecoder,
  encodeDrive, encodeDriveDirect, encodePauseResumeStream, encodeQueryList, encodeSensorData, encodeStream, encodeStreamFrame,
  encoderDelta, integrateDifferentialDrive, packetDataBytes, streamChecksum, streamPayloadLength, twistForWheelSpeeds,
  wheelSpeedsForTwist, wrapEncoderCounts, type StreamEvent,
} from '../../../src/shared/protocols/create2';

const u8 = (...b: number[]): Uint8Array => Uint8Array.from(b);
const frames = (events: StreamEvent[]) => events.filter((e): e is Extract<StreamEvent, { kind: 'frame' }> => e.kind === 'frame');
const errors = (events: StreamEvent[]) => events.filter((e): e is Extract<StreamEvent, { kind: 'error' }> => e.kind === 'error');

/**
 * The spec's Stream example (left cliff signal 29, virtual wall 13): `19 5 29 2 25 13 0 163`.
 * The spec's text calls the cliff signal "549 (0x0225)", but its data bytes 2, 25 are decimal
 * (the checksum only works out with decimal 25: 19+5+29+2+25+13+0+163 = 256), so the value is
 * 2·256 + 25 = 537 (0x0219): the spec read 25 as 0x25.
 */
const SPEC_FRAME = u8(19, 5, 29, 2, 25, 13, 0, 163);
const SPEC_CLIFF_SIGNAL = 537;

/** The driver's packet list, for frames shaped like the real ones. */
const DRIVER_IDS = [7, 9, 10, 11, 12, 21, 22, 23, 25, 26, 35, 43, 44];
const driverValues: Record<number, number> = { 7: 0, 9: 0, 10: 1, 11: 0, 12: 0, 21: 0, 22: 15432, 23: -612, 25: 2500, 26: 3000, 35: 2, 43: 65530, 44: 19 };
const driverFrame = (over: Record<number, number> = {}): Uint8Array => encodeStreamFrame(DRIVER_IDS, (id) => ({ ...driverValues, ...over })[id] ?? 0);

describe('Create 2 OI commands', () => {
  it('encodes Drive as the spec example: −200 mm/s on a 500 mm radius is [137][255][56][1][244]', () => {
    expect([...encodeDrive(-200, 500)]).toEqual([137, 255, 56, 1, 244]);
    expect([...encodeDrive(100, 32767)]).toEqual([137, 0, 100, 0x7f, 0xff]); // straight
    expect([...encodeDrive(100, -1)]).toEqual([137, 0, 100, 0xff, 0xff]); // in place, clockwise
  });

  it('encodes Drive Direct right wheel first, signed 16-bit big-endian, clamped to ±500', () => {
    // The same two's complement as the Drive example: −200 = 0xFF38, 500 = 0x01F4.
    expect([...encodeDriveDirect(-200, 500)]).toEqual([145, 0xff, 0x38, 0x01, 0xf4]);
    expect([...encodeDriveDirect(500, -200)]).toEqual([145, 0x01, 0xf4, 0xff, 0x38]);
    expect([...encodeDriveDirect(0, 0)]).toEqual([145, 0, 0, 0, 0]);
    expect([...encodeDriveDirect(900, -901)]).toEqual([145, 0x01, 0xf4, 0xfe, 0x0c]); // 500, −500
    expect([...encodeDriveDirect(Number.NaN, Infinity)]).toEqual([145, 0, 0, 0, 0]);
    expect([...encodeDriveDirect(99.6, -0.4)]).toEqual([145, 0, 100, 0, 0]);
    expect([...encodeDriveDirect(-2.5, 2.5)]).toEqual([145, 0xff, 0xfd, 0, 3]); // −3, 3: halves round away from 0
  });

  it('encodes Stream, Query List and Pause/Resume as the spec shows them', () => {
    expect([...encodeStream([29, 13])]).toEqual([148, 2, 29, 13]);
    expect([...encodeQueryList([7, 13])]).toEqual([149, 2, 7, 13]);
    expect([...encodePauseResumeStream(false)]).toEqual([150, 0]);
    expect([...encodePauseResumeStream(true)]).toEqual([150, 1]);
    expect(() => encodeStream([29, 99])).toThrow(/no sensor packet 99/);
  });

  it('knows every packet size the spec lists, and its groups', () => {
    expect(PACKETS.size).toBe(52); // 7…58
    expect(packetDataBytes(29)).toBe(2);
    expect(packetDataBytes(13)).toBe(1);
    expect(packetDataBytes(23)).toBe(2);
    expect(PACKETS.get(23)!.signed).toBe(true);
    expect(PACKETS.get(22)!.signed).toBe(false);
    expect(PACKETS.get(43)!.signed).toBe(false);
    // The spec's group sizes.
    const sizes = Object.fromEntries([...PACKET_GROUPS.keys()].map((g) => [g, packetDataBytes(g)]));
    expect(sizes).toEqual({ 0: 26, 1: 10, 2: 6, 3: 10, 4: 14, 5: 12, 6: 52, 100: 80, 101: 28, 106: 12, 107: 9 });
    expect(packetDataBytes(59)).toBeUndefined();
    expect(packetDataBytes(99)).toBeUndefined();
    expect(streamPayloadLength(DRIVER_IDS)).toBe(32);
  });
});

describe('Create 2 stream frames', () => {
  it('builds the spec example frame with its checksum 163 (19+5+29+2+25+13+0+163 = 256)', () => {
    expect(streamChecksum(SPEC_FRAME, 0, 7)).toBe(163);
    expect([...encodeStreamFrame([29, 13], (id) => (id === 29 ? SPEC_CLIFF_SIGNAL : 0))]).toEqual([...SPEC_FRAME]);
    expect(SPEC_FRAME.reduce((a, b) => a + b, 0) & 0xff).toBe(0);
  });

  it('decodes the spec example: left cliff signal 537 (bytes 2, 25), no virtual wall', () => {
    const d = new StreamDecoder([29, 13]);
    const out = d.push(SPEC_FRAME);
    expect(errors(out)).toEqual([]);
    expect(frames(out)).toHaveLength(1);
    expect([...frames(out)[0]!.values]).toEqual([[29, SPEC_CLIFF_SIGNAL], [13, 0]]);
  });

  it('decodes signed and unsigned packets and expands groups', () => {
    const d = new StreamDecoder(DRIVER_IDS);
    const [f] = frames(d.push(driverFrame()));
    expect(f!.values.get(23)).toBe(-612); // mA, negative: discharging
    expect(f!.values.get(22)).toBe(15432); // mV
    expect(f!.values.get(43)).toBe(65530); // counts, unsigned
    expect(f!.values.get(10)).toBe(1);

    const g = new StreamDecoder([3]); // group 3: packets 21–26
    const frame = encodeStreamFrame([3], (id) => ({ 21: 2, 22: 16000, 23: 1200, 24: -5, 25: 2000, 26: 2600 })[id] ?? 0);
    expect(frame.length).toBe(3 + 1 + 10);
    const [gf] = frames(g.push(frame));
    expect(Object.fromEntries(gf!.values)).toEqual({ 21: 2, 22: 16000, 23: 1200, 24: -5, 25: 2000, 26: 2600 });
  });

  it('decodes frames split anywhere, one byte at a time', () => {
    const d = new StreamDecoder(DRIVER_IDS);
    const stream = new Uint8Array([...driverFrame({ 43: 1 }), ...driverFrame({ 43: 2 }), ...driverFrame({ 43: 3 })]);
    const got: number[] = [];
    for (const b of stream) for (const f of frames(d.push(u8(b)))) got.push(f.values.get(43)!);
    expect(got).toEqual([1, 2, 3]);
    expect(d.stats).toMatchObject({ frames: 3, errors: 0, skippedBytes: 0 });
  });

  it('resynchronises after garbage, including 19s and fake headers, and says so once', () => {
    const d = new StreamDecoder([29, 13]);
    expect(frames(d.push(SPEC_FRAME))).toHaveLength(1);
    // Garbage with a header byte, a header with a plausible n-bytes and a half frame in it.
    const garbage = u8(0, 255, 19, 19, 5, 29, 7, 19, 1, 2, 3);
    const out = d.push(new Uint8Array([...garbage, ...SPEC_FRAME]));
    expect(frames(out)).toHaveLength(1);
    expect([...frames(out)[0]!.values]).toEqual([[29, SPEC_CLIFF_SIGNAL], [13, 0]]);
    expect(errors(out).map((e) => e.reason)).toEqual(['garbage']);
    expect(d.stats.skippedBytes).toBe(garbage.length);
  });

  it('finds the first frame after start-up noise without reporting the noise', () => {
    const d = new StreamDecoder([29, 13]);
    const out = d.push(new Uint8Array([25, 13, 0, 163, 19, 9, 19, ...SPEC_FRAME]));
    expect(frames(out)).toHaveLength(1);
    expect(errors(out)).toEqual([]);
  });

  it('does not take a 19 inside packet data for a header', () => {
    const d = new StreamDecoder([29, 13]);
    // Left cliff signal 0x1305: data bytes 19, 5 — a header and the right n-bytes.
    const tricky = encodeStreamFrame([29, 13], (id) => (id === 29 ? 0x1305 : 19));
    const out = d.push(new Uint8Array([...tricky, ...tricky, ...SPEC_FRAME]));
    expect(frames(out).map((f) => f.values.get(29))).toEqual([0x1305, 0x1305, SPEC_CLIFF_SIGNAL]);
    expect(frames(out)[0]!.values.get(13)).toBe(19);
    expect(errors(out)).toEqual([]);
  });

  it('rejects a frame with a bad checksum and keeps going', () => {
    const d = new StreamDecoder([29, 13]);
    const bad = Uint8Array.from(SPEC_FRAME);
    bad[7] = 162;
    const corrupted = Uint8Array.from(SPEC_FRAME);
    corrupted[3] = 3; // a data bit flipped on the line
    const out = d.push(new Uint8Array([...SPEC_FRAME, ...bad, ...corrupted, ...SPEC_FRAME]));
    expect(frames(out)).toHaveLength(2);
    expect(errors(out).map((e) => e.reason)).toEqual(['checksum', 'checksum']);
    expect(d.stats.checksumErrors).toBe(2);
    // Bad frames carry no values anywhere: both decoded frames are the good ones.
    for (const f of frames(out)) expect(f.values.get(29)).toBe(SPEC_CLIFF_SIGNAL);
  });

  it('reports a truncated frame and decodes the next whole one', () => {
    const d = new StreamDecoder(DRIVER_IDS);
    const whole = driverFrame({ 43: 100 });
    const cut = driverFrame({ 43: 200 }).subarray(0, 20);
    const out = d.push(new Uint8Array([...whole, ...cut, ...driverFrame({ 43: 300 })]));
    expect(frames(out).map((f) => f.values.get(43))).toEqual([100, 300]);
    expect(errors(out).map((e) => e.reason)).toEqual(['truncated']);
  });

  it('waits for the rest of a frame that is still arriving', () => {
    const d = new StreamDecoder(DRIVER_IDS);
    const f = driverFrame();
    expect(d.push(f.subarray(0, 34))).toEqual([]);
    expect(frames(d.push(f.subarray(34)))).toHaveLength(1);
  });

  it('reports a frame whose n-bytes is not the requested list’s', () => {
    const d = new StreamDecoder([29, 13]);
    const other = encodeStreamFrame([29], () => SPEC_CLIFF_SIGNAL); // another stream's frame: n-bytes 3
    const out = d.push(new Uint8Array([...SPEC_FRAME, ...other, ...SPEC_FRAME]));
    expect(frames(out)).toHaveLength(2);
    expect(errors(out)).toEqual([{ kind: 'error', reason: 'length', detail: 'n-bytes 3, expected 5 for packets [29, 13]' }]);
  });

  it('reports a checksummed frame with unknown or unrequested packet ids', () => {
    const d = new StreamDecoder([29, 13]);
    // Same shape, ids 99 (unknown to the OI) and 8 (known, not requested), valid checksum.
    const body = [19, 5, 99, 2, 25, 8, 0];
    const unknown = u8(...body, streamChecksum(body));
    const out = d.push(new Uint8Array([...SPEC_FRAME, ...unknown, ...SPEC_FRAME]));
    expect(frames(out)).toHaveLength(2);
    expect(errors(out).map((e) => [e.reason, e.detail])).toEqual([['packet-ids', 'stream frame has packet ids [99, 8], expected [29, 13]']]);
  });

  it('survives a long run of random bytes without a false frame', () => {
    const d = new StreamDecoder(DRIVER_IDS);
    let seed = 12345;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    const noise = Uint8Array.from({ length: 50_000 }, rand);
    const out = d.push(noise);
    expect(frames(out)).toHaveLength(0);
    const after = d.push(new Uint8Array([...driverFrame({ 43: 7 }), ...driverFrame({ 43: 8 })]));
    expect(frames(after).map((f) => f.values.get(43))).toEqual(expect.arrayContaining([8]));
  });

  it('encodes sensor data without ids for Sensors and Query List', () => {
    expect([...encodeSensorData([7, 13], (id) => (id === 7 ? BumpBits.BumpLeft | BumpBits.WheelDropRight : 1))]).toEqual([0b0110, 1]);
    expect([...encodeSensorData([23], () => -1)]).toEqual([0xff, 0xff]);
    expect([...encodeSensorData([22], () => 70000)]).toEqual([0xff, 0xff]); // clamped to the packet's range
  });

  it('starts every frame with the header 19', () => {
    expect(STREAM_HEADER).toBe(19);
    expect(driverFrame()[0]).toBe(19);
    expect(driverFrame()[1]).toBe(32);
    expect(driverFrame().length).toBe(35);
  });
});

describe('Create 2 commands as the robot reads them', () => {
  it('splits fixed and variable-length commands in any chunking and skips non-opcodes', () => {
    const bytes = new Uint8Array([
      128, 131, ...encodeStream([7, 43, 44]), 0x42, ...encodeDriveDirect(100, -100), 140, 0, 2, 60, 32, 62, 32, 150, 0, 173,
    ]);
    const d = new CommandDecoder();
    const got = [...bytes].flatMap((b) => d.push(u8(b)));
    expect(got.map((c) => c.opcode)).toEqual([Opcode.Start, Opcode.Safe, Opcode.Stream, Opcode.DriveDirect, Opcode.Song, Opcode.PauseResumeStream, Opcode.Stop]);
    expect([...got[2]!.data]).toEqual([3, 7, 43, 44]);
    expect([...got[3]!.data]).toEqual([0, 100, 0xff, 0x9c]);
    expect([...got[4]!.data]).toEqual([0, 2, 60, 32, 62, 32]);
    expect(d.stats.unknownBytes).toBe(1);
  });
});

describe('Create 2 wheels and encoders', () => {
  it('uses 508.8 counts per revolution of a 72 mm wheel', () => {
    expect(COUNTS_PER_REV).toBe(508.8);
    expect(METRES_PER_COUNT * 1000).toBeCloseTo(0.44456, 4);
  });

  it('differences 16-bit counts across the roll-over both ways', () => {
    expect(encoderDelta(65530, 10)).toBe(16);
    expect(encoderDelta(10, 65530)).toBe(-16);
    expect(encoderDelta(100, 117)).toBe(17);
    expect(encoderDelta(0, 0)).toBe(0);
    expect(encoderDelta(65535, 0)).toBe(1);
    expect(wrapEncoderCounts(65536 + 5)).toBe(5);
    expect(wrapEncoderCounts(-1)).toBe(65535);
  });

  it('turns a body velocity into right and left wheel speeds (REP 103: w > 0 turns left)', () => {
    expect(wheelSpeedsForTwist(0.2, 0, 0.235)).toEqual({ rightMmS: 200, leftMmS: 200 });
    // ±117.5 rounds to ±118 both ways: a spin command must not creep forward or back.
    expect(wheelSpeedsForTwist(0, 1, 0.235)).toEqual({ rightMmS: 118, leftMmS: -118 });
    expect(wheelSpeedsForTwist(0, -1, 0.235)).toEqual({ rightMmS: -118, leftMmS: 118 });
    expect(wheelSpeedsForTwist(0.3, 1, 0.235)).toEqual({ rightMmS: 418, leftMmS: 183 });
    // Over the limit: both scaled, curvature kept (w/v = 2 rad/m before and after).
    const fast = wheelSpeedsForTwist(0.5, 1, 0.235);
    expect(fast.rightMmS).toBe(500);
    expect(fast.leftMmS).toBe(Math.round((500 * (0.5 - 0.1175)) / 0.6175));
    const back = twistForWheelSpeeds(fast.rightMmS, fast.leftMmS, 0.235);
    expect(back.w / back.v).toBeCloseTo(2, 2);
    expect(wheelSpeedsForTwist(Number.NaN, 0)).toEqual({ rightMmS: 0, leftMmS: 0 });
  });

  it('integrates wheel travel into a REP 103 pose', () => {
    const straight = integrateDifferentialDrive({ x: 0, y: 0, theta: 0 }, 0.1, 0.1, 0.235);
    expect(straight).toEqual({ x: 0.1, y: 0, theta: 0 });
    // In place, counter-clockwise: right forward, left back.
    const spin = integrateDifferentialDrive({ x: 1, y: 2, theta: 0 }, -0.1175, 0.1175, 0.235);
    expect(spin.x).toBeCloseTo(1, 12);
    expect(spin.y).toBeCloseTo(2, 12);
    expect(spin.theta).toBeCloseTo(1, 12);
    // A quarter circle of radius 1 m in 100 steps ends near (1, 1) facing +y.
    let p = { x: 0, y: 0, theta: 0 };
    const b = 0.235;
    const arc = Math.PI / 2 / 100;
    for (let i = 0; i < 100; i++) p = integrateDifferentialDrive(p, arc * (1 - b / 2), arc * (1 + b / 2), b);
    expect(p.x).toBeCloseTo(1, 4);
    expect(p.y).toBeCloseTo(1, 4);
    expect(p.theta).toBeCloseTo(Math.PI / 2, 10);
  });
});
