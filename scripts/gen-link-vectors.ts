/**
 * Generates test/vectors/link-vectors.json — the shared test vectors of the robot link
 * (docs/protocol.md) — from the TypeScript codec, which is the source of truth. The same
 * file is checked by test/firmware/vectors.test.ts (TypeScript) and by
 * resources/firmware/test/test_vectors.c (the reference C implementation), so the two
 * cannot drift.
 *
 *   npx tsx scripts/gen-link-vectors.ts           # writes the file
 *   npx tsx scripts/gen-link-vectors.ts --check   # exits 1 if the committed file is stale
 *
 * Every float value is exact in binary32, so a decoder can compare bit for bit.
 * Non-finite floats are written as the strings "NaN", "Infinity" and "-Infinity".
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  FrameDecoder,
  MAX_WIRE_BYTES,
  decodeFrameBody,
  encodeFrameBody,
  cobsDecode,
  cobsEncode,
  crc16,
  type FrameErrorReason,
} from '../src/shared/wire';
import { MsgType, PROTOCOL_VERSION, type LinkMessage } from '../src/shared/protocol';

const OUT = resolve(dirname(fileURLToPath(import.meta.url)), '../test/vectors/link-vectors.json');

// ---------------------------------------------------------------------------- helpers

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const wireOf = (body: Uint8Array): Uint8Array => {
  const c = cobsEncode(body);
  const out = new Uint8Array(c.length + 1);
  out.set(c);
  return out;
};
const cat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

/** Builds a frame body by hand (header + payload + CRC) so negative vectors can break rules the encoder keeps. */
function rawBody(version: number, type: number, seq: number, ts: number, payload: Uint8Array, crcOverride?: (crc: number) => number): Uint8Array {
  const head = new Uint8Array(12);
  const v = new DataView(head.buffer);
  v.setUint8(0, version);
  v.setUint8(1, type);
  v.setUint16(2, seq, true);
  v.setBigUint64(4, BigInt(ts), true);
  const body = cat(head, payload, new Uint8Array(2));
  const crc = crc16(body, 0, body.length - 2);
  new DataView(body.buffer).setUint16(body.length - 2, crcOverride ? crcOverride(crc) : crc, true);
  return body;
}

/** Payload of a message as the encoder writes it (frame body minus header and CRC). */
const payloadOf = (msg: LinkMessage): Uint8Array => {
  const body = encodeFrameBody(msg, 0, 0);
  return body.subarray(12, body.length - 2);
};

type JsonValue = number | string | boolean | JsonValue[] | { [k: string]: JsonValue };

const jsonFloat = (x: number): number | string => (Number.isNaN(x) ? 'NaN' : x === Infinity ? 'Infinity' : x === -Infinity ? '-Infinity' : x);

/** The message as JSON: field names as in src/shared/protocol.ts, scan ranges as an array. */
function messageJson(msg: LinkMessage): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(msg)) {
    if (v instanceof Float32Array) out[k] = Array.from(v, jsonFloat);
    else if (typeof v === 'number') out[k] = jsonFloat(v);
    else out[k] = v as JsonValue;
  }
  return out;
}

/** Integer fields (everything else numeric is binary32). */
const INTEGER_FIELDS = new Set(['protocolVersion', 'lidarBeams', 'lastCommandSeq', 'batteryPercent', 'faults', 'pingSeq', 'hostTimeUs', 'robotRxTimeUs', 'reason']);

function assertExactFloats(name: string, msg: LinkMessage): void {
  for (const [k, v] of Object.entries(msg)) {
    if (INTEGER_FIELDS.has(k)) continue;
    const values = v instanceof Float32Array ? Array.from(v) : typeof v === 'number' ? [v] : [];
    for (const x of values) {
      if (Number.isFinite(x) && Math.fround(x) !== x) throw new Error(`${name}.${k}: ${x} is not exact in binary32`);
    }
  }
}

const typeIdByName: Record<LinkMessage['type'], number> = {
  hello: MsgType.Hello,
  odometry: MsgType.Odometry,
  'laser-scan': MsgType.LaserScan,
  status: MsgType.Status,
  'screen-state': MsgType.ScreenState,
  pong: MsgType.Pong,
  'velocity-command': MsgType.VelocityCommand,
  'screen-command': MsgType.ScreenCommand,
  stop: MsgType.Stop,
  ping: MsgType.Ping,
};

/** Runs wire bytes through a fresh stream decoder and lists the outcomes ('ok' or the error). */
function streamResults(wire: Uint8Array): { results: string[]; frames: Uint8Array[] } {
  const dec = new FrameDecoder();
  const results = dec.push(wire);
  const frames: Uint8Array[] = [];
  // Re-derive the good frame bodies from the wire to list them in the vector.
  let start = 0;
  let discarding = false;
  for (let i = 0; i < wire.length; i++) {
    if (wire[i] !== 0) {
      if (!discarding && i - start >= MAX_WIRE_BYTES) discarding = true;
      continue;
    }
    if (!discarding && i > start) {
      const body = cobsDecode(wire.subarray(start, i));
      if (body && decodeFrameBody(body).ok) frames.push(body);
    }
    discarding = false;
    start = i + 1;
  }
  return { results: results.map((r) => (r.ok ? 'ok' : r.reason)), frames };
}

// ---------------------------------------------------------------------------- positive frames

interface FrameCase { name: string; seq: number; ts: number; msg: LinkMessage; note?: string }

const helloSim: LinkMessage = {
  type: 'hello', protocolVersion: 1, name: 'sim-bot', footprintLength: 0.5, footprintWidth: 0.375, footprintCenterOffsetX: 0,
  wheelBase: 0.3125, maxLinearVelocity: 1, maxAngularVelocity: 2, maxLinearAccel: 1, maxAngularAccel: 3, maxLinearJerk: 5,
  maxAngularJerk: 10, panMin: -2, panMax: 2, panMaxRate: 3, panMaxAccel: 6, lidarBeams: 360, lidarAngleMin: -3.125,
  lidarAngleIncrement: 0.015625, lidarRangeMin: 0.125, lidarRangeMax: 8, lidarRateHz: 10, lidarMountX: 0.125, lidarMountY: 0, lidarMountYaw: 0,
};

/** A float with no zero byte in its binary32 encoding (for the COBS 254-run vector). */
function noZeroByteFloat(i: number): number {
  // 1 + 2^-7 + 2^-15 + (k)·2^-23 with k in 1..127: bytes xx 01 81 3F, never zero.
  return 1 + 2 ** -7 + 2 ** -15 + ((i % 127) + 1) * 2 ** -23;
}

/**
 * A LaserScan whose frame ends in a run of exactly 254 non-zero bytes (63 ranges + CRC
 * after the count's zero high byte). The COBS encoder then emits a full 0xFF block and a
 * final, empty 0x01 block before the delimiter.
 */
function scanWith254RunAtEnd(): FrameCase {
  for (let shift = 0; shift < 127; shift++) {
    const ranges = new Float32Array(63);
    for (let i = 0; i < 63; i++) ranges[i] = noZeroByteFloat(i + shift);
    const msg: LinkMessage = { type: 'laser-scan', angleMin: -1.5, angleIncrement: 0.046875, timeIncrement: 0.001953125, rangeMin: 0.125, rangeMax: 4, ranges };
    const body = encodeFrameBody(msg, 300, 5_000_000);
    const tail = body.subarray(body.length - 254);
    if (body[body.length - 255] === 0 && tail.every((b) => b !== 0)) {
      return { name: 'laser-scan-cobs-254-run-at-end', seq: 300, ts: 5_000_000, msg, note: 'frame ends in exactly 254 non-zero bytes: COBS emits 0xFF + 254 bytes, then an empty 0x01 block, then the delimiter' };
    }
  }
  throw new Error('no 254-run scan found');
}

const maxScanRanges = new Float32Array(1000);
for (let i = 0; i < 1000; i++) maxScanRanges[i] = 0.5 + (i % 64) * 0.125;

const frameCases: FrameCase[] = [
  { name: 'hello-sim-bot', seq: 0, ts: 1_000, msg: helloSim },
  {
    name: 'hello-arduino-base-no-lidar', seq: 1, ts: 2_500_000, note: 'a base without a lidar: lidarBeams = 0, lidar fields 0',
    msg: {
      type: 'hello', protocolVersion: 1, name: 'foresight-base', footprintLength: 0.375, footprintWidth: 0.3125, footprintCenterOffsetX: -0.0625,
      wheelBase: 0.25, maxLinearVelocity: 0.5, maxAngularVelocity: 2.5, maxLinearAccel: 0.75, maxAngularAccel: 4, maxLinearJerk: 4,
      maxAngularJerk: 16, panMin: -1.5, panMax: 1.5, panMaxRate: 2, panMaxAccel: 8, lidarBeams: 0, lidarAngleMin: 0,
      lidarAngleIncrement: 0, lidarRangeMin: 0, lidarRangeMax: 0, lidarRateHz: 0, lidarMountX: 0, lidarMountY: 0, lidarMountYaw: 0,
    },
  },
  { name: 'hello-empty-name', seq: 2, ts: 0, msg: { ...helloSim, name: '' } as LinkMessage },
  { name: 'hello-name-32-bytes-utf8', seq: 3, ts: 77, note: 'name is exactly 32 UTF-8 bytes including multi-byte characters', msg: { ...helloSim, name: 'Ünïcødé-robot-0123456789abc' } as LinkMessage },
  { name: 'odometry', seq: 10, ts: 20_000, msg: { type: 'odometry', x: 1.5, y: -2.25, theta: 0.5, v: 0.25, w: -0.125, lastCommandSeq: 42 } },
  { name: 'odometry-seq-wrap', seq: 65535, ts: 2 ** 32 + 5, note: 'header seq 65535 (next is 0); timestamp past 2^32 µs', msg: { type: 'odometry', x: -1024.5, y: 3.0517578125e-5, theta: -3.140625, v: -0.5, w: 2.75, lastCommandSeq: 65535 } },
  { name: 'odometry-zero', seq: 0, ts: 0, msg: { type: 'odometry', x: 0, y: 0, theta: 0, v: 0, w: 0, lastCommandSeq: 0 } },
  { name: 'laser-scan-4-beams', seq: 11, ts: 100_000, msg: { type: 'laser-scan', angleMin: -3, angleIncrement: 0.5, timeIncrement: 0.0009765625, rangeMin: 0.125, rangeMax: 8, ranges: new Float32Array([1, 2, 0, 7.5]) } },
  { name: 'laser-scan-0-beams', seq: 12, ts: 200_000, msg: { type: 'laser-scan', angleMin: 0, angleIncrement: 0, timeIncrement: 0, rangeMin: 0.125, rangeMax: 8, ranges: new Float32Array([]) } },
  {
    name: 'laser-scan-non-finite', seq: 13, ts: 300_000, note: 'NaN/Inf/negative ranges are legal on the wire; the host rejects them after decoding',
    msg: { type: 'laser-scan', angleMin: -1, angleIncrement: 0.25, timeIncrement: 0.00048828125, rangeMin: 0.125, rangeMax: 8, ranges: new Float32Array([NaN, Infinity, -Infinity, -1, 0.0625, 16]) },
  },
  scanWith254RunAtEnd(),
  { name: 'laser-scan-1000-beams', seq: 14, ts: 400_000, note: 'the largest legal scan (4036-byte frame)', msg: { type: 'laser-scan', angleMin: -3.140625, angleIncrement: 0.00628662109375, timeIncrement: 0.0001220703125, rangeMin: 0.046875, rangeMax: 12, ranges: maxScanRanges } },
  { name: 'status', seq: 20, ts: 500_000, msg: { type: 'status', batteryVoltage: 12.5, batteryPercent: 80, faults: 5, estopPressed: true, motorsEnabled: false } },
  { name: 'status-motors-enabled', seq: 21, ts: 500_500, msg: { type: 'status', batteryVoltage: 24.25, batteryPercent: 100, faults: 0, estopPressed: false, motorsEnabled: true } },
  { name: 'status-watchdog-unknown-battery', seq: 22, ts: 501_000, note: 'CommandWatchdog fault, battery percent unknown (255)', msg: { type: 'status', batteryVoltage: 0, batteryPercent: 255, faults: 0x20, estopPressed: false, motorsEnabled: false } },
  { name: 'status-all-faults-both-flags', seq: 23, ts: 502_000, msg: { type: 'status', batteryVoltage: 10.75, batteryPercent: 3, faults: 0x3f, estopPressed: true, motorsEnabled: true } },
  { name: 'status-high-fault-bits', seq: 24, ts: 503_000, note: 'undefined fault bits pass through the codec unchanged', msg: { type: 'status', batteryVoltage: 11, batteryPercent: 50, faults: 0x80000020, estopPressed: false, motorsEnabled: false } },
  { name: 'screen-state', seq: 30, ts: 600_000, msg: { type: 'screen-state', panAngle: 0.25, panVelocity: -1 } },
  { name: 'pong', seq: 31, ts: 700_123, msg: { type: 'pong', pingSeq: 7, hostTimeUs: 1_234_567_890_123, robotRxTimeUs: 700_042 } },
  { name: 'pong-large-times', seq: 32, ts: 2 ** 53 - 1, note: 'timestamps up to 2^53 - 1 µs are exact on the host', msg: { type: 'pong', pingSeq: 65535, hostTimeUs: 2 ** 53 - 2, robotRxTimeUs: 2 ** 53 - 3 } },
  { name: 'velocity-command', seq: 100, ts: 1_700_000_000_000_000, msg: { type: 'velocity-command', v: 0.5, w: -0.25 } },
  { name: 'velocity-command-zero', seq: 101, ts: 1_700_000_000_040_000, note: 'the idle heartbeat command', msg: { type: 'velocity-command', v: 0, w: 0 } },
  { name: 'screen-command', seq: 102, ts: 1_700_000_000_080_000, msg: { type: 'screen-command', panAngle: 1, maxRate: 2 } },
  { name: 'stop-operator', seq: 103, ts: 1_700_000_000_120_000, msg: { type: 'stop', reason: 0 } },
  { name: 'stop-safety', seq: 104, ts: 1_700_000_000_160_000, msg: { type: 'stop', reason: 1 } },
  { name: 'stop-link-loss', seq: 105, ts: 1_700_000_000_200_000, msg: { type: 'stop', reason: 2 } },
  { name: 'stop-shutdown', seq: 106, ts: 1_700_000_000_240_000, msg: { type: 'stop', reason: 3 } },
  { name: 'ping-request-hello', seq: 0, ts: 1_234_567_890_123, msg: { type: 'ping', requestHello: true } },
  { name: 'ping', seq: 107, ts: 1_700_000_000_280_000, msg: { type: 'ping', requestHello: false } },
];

const frames = frameCases.map((c) => {
  assertExactFloats(c.name, c.msg);
  const body = encodeFrameBody(c.msg, c.seq, c.ts);
  const decoded = decodeFrameBody(body);
  if (!decoded.ok) throw new Error(`${c.name}: does not decode: ${decoded.reason}`);
  const wire = wireOf(body);
  return {
    name: c.name,
    ...(c.note ? { note: c.note } : {}),
    type: c.msg.type,
    type_id: typeIdByName[c.msg.type],
    seq: c.seq,
    timestamp_us: c.ts,
    message: messageJson(c.msg),
    frame_hex: hex(body),
    wire_hex: hex(wire),
  };
});

// ---------------------------------------------------------------------------- negative frames

interface NegativeCase { name: string; wire: Uint8Array; error: FrameErrorReason; note: string }

const vel = payloadOf({ type: 'velocity-command', v: 0.5, w: -0.25 });
const goodVel = encodeFrameBody({ type: 'velocity-command', v: 0.5, w: -0.25 }, 200, 9_000_000);
const goodOdo = encodeFrameBody({ type: 'odometry', x: 1.5, y: -2.25, theta: 0.5, v: 0.25, w: -0.125, lastCommandSeq: 42 }, 10, 20_000);

const flipped = goodVel.slice();
flipped[14] ^= 0x04; // a bit of v; CRC left as it was
const swapped = rawBody(1, MsgType.VelocityCommand, 200, 9_000_000, vel, (crc) => ((crc & 0xff) << 8) | (crc >> 8));
const goodOdoWire = wireOf(goodOdo);

const tooManyBeams = new Uint8Array(22 + 4 * 1001);
{
  const v = new DataView(tooManyBeams.buffer);
  v.setFloat32(0, -3, true);
  v.setFloat32(4, 0.005, true);
  v.setFloat32(16, 8, true);
  v.setUint16(20, 1001, true);
  for (let i = 0; i < 1001; i++) v.setFloat32(22 + 4 * i, 1, true);
}
const countMismatch = cat(payloadOf({ type: 'laser-scan', angleMin: -3, angleIncrement: 0.5, timeIncrement: 0, rangeMin: 0.125, rangeMax: 8, ranges: new Float32Array([1, 2, 3, 4]) }));
new DataView(countMismatch.buffer).setUint16(20, 5, true);
const helloPayload = payloadOf(helloSim);
const helloLongName = cat(new Uint8Array([1, 33]), new TextEncoder().encode('x'.repeat(33)), helloPayload.subarray(2 + 7));

const negativeCases: NegativeCase[] = [
  { name: 'crc-bit-flip', wire: wireOf(flipped), error: 'crc', note: 'one bit of a VelocityCommand payload flipped after the CRC was computed: must never move the robot' },
  { name: 'crc-big-endian', wire: wireOf(swapped), error: 'crc', note: 'CRC written big-endian; it is little-endian on the wire' },
  { name: 'crc-version-2', wire: wireOf(rawBody(2, MsgType.VelocityCommand, 1, 1, vel, (c) => c ^ 1)), error: 'crc', note: 'the CRC is checked before the version' },
  { name: 'cobs-code-past-end', wire: new Uint8Array([0x05, 0x01, 0x02, 0x00]), error: 'cobs', note: 'a code byte announcing more bytes than the block holds' },
  { name: 'cobs-truncated-wire', wire: cat(goodOdoWire.subarray(0, 20), new Uint8Array([0])), error: 'cobs', note: 'an Odometry wire block cut after 20 bytes (a byte lost in transit)' },
  { name: 'too-short-empty', wire: new Uint8Array([0x01, 0x00]), error: 'too-short', note: 'a valid COBS block of an empty frame' },
  { name: 'too-short-13-bytes', wire: wireOf(goodVel.subarray(0, 13)), error: 'too-short', note: '13 bytes: less than header + CRC (14)' },
  { name: 'truncated-payload', wire: wireOf(rawBody(1, MsgType.VelocityCommand, 201, 9_040_000, vel.subarray(0, 7))), error: 'bad-payload', note: 'VelocityCommand with a 7-byte payload and a valid CRC' },
  { name: 'trailing-payload-byte', wire: wireOf(rawBody(1, MsgType.Ping, 5, 5, new Uint8Array([1, 0]))), error: 'bad-payload', note: 'Ping with one byte too many and a valid CRC' },
  { name: 'hello-name-33-bytes', wire: wireOf(rawBody(1, MsgType.Hello, 0, 0, helloLongName)), error: 'bad-payload', note: 'name length 33 > 32' },
  { name: 'scan-1001-beams', wire: wireOf(rawBody(1, MsgType.LaserScan, 0, 0, tooManyBeams)), error: 'bad-payload', note: 'beam count 1001 > 1000' },
  { name: 'scan-count-mismatch', wire: wireOf(rawBody(1, MsgType.LaserScan, 0, 0, countMismatch)), error: 'bad-payload', note: 'count says 5 beams, 4 present' },
  { name: 'unknown-type-0x07', wire: wireOf(rawBody(1, 0x07, 0, 0, new Uint8Array([1, 2, 3]))), error: 'unknown-type', note: 'unassigned robot→host id' },
  { name: 'unknown-type-0x00', wire: wireOf(rawBody(1, 0x00, 0, 0, new Uint8Array([]))), error: 'unknown-type', note: 'id 0 is reserved' },
  { name: 'unknown-type-0x85', wire: wireOf(rawBody(1, 0x85, 0, 0, vel)), error: 'unknown-type', note: 'unassigned host→robot id' },
  { name: 'version-2', wire: wireOf(rawBody(2, MsgType.VelocityCommand, 1, 1, vel)), error: 'version', note: 'valid CRC, protocol version 2' },
  { name: 'version-0', wire: wireOf(rawBody(0, MsgType.Ping, 1, 1, new Uint8Array([1]))), error: 'version', note: 'valid CRC, protocol version 0' },
  { name: 'oversize', wire: cat(new Uint8Array(MAX_WIRE_BYTES + 1).fill(0x01), new Uint8Array([0])), error: 'oversize', note: `${MAX_WIRE_BYTES + 1} bytes without a delimiter: more than the longest legal wire block (${MAX_WIRE_BYTES})` },
];

const negative = negativeCases.map((c) => {
  const { results } = streamResults(c.wire);
  if (results.length !== 1 || results[0] !== c.error) throw new Error(`${c.name}: expected [${c.error}], decoder says [${results.join(', ')}]`);
  return { name: c.name, note: c.note, error: c.error, wire_hex: hex(c.wire) };
});

// ---------------------------------------------------------------------------- streams

interface StreamCase { name: string; wire: Uint8Array; note: string; results: string[] }

const pingWire = wireOf(encodeFrameBody({ type: 'ping', requestHello: true }, 9, 9_999));
const run254 = frames.find((f) => f.name === 'laser-scan-cobs-254-run-at-end')!;
const run254Wire = new Uint8Array(Buffer.from(run254.wire_hex, 'hex'));
if (run254Wire[run254Wire.length - 2] !== 0x01) throw new Error('254-run vector does not end in an empty block');
const canonical254 = cat(run254Wire.subarray(0, run254Wire.length - 2), new Uint8Array([0]));

const streamCases: StreamCase[] = [
  { name: 'idle-delimiters', wire: cat(new Uint8Array([0, 0, 0]), pingWire, new Uint8Array([0, 0])), note: 'empty blocks between delimiters are ignored, not errors', results: ['ok'] },
  { name: 'back-to-back', wire: cat(goodOdoWire, pingWire), note: 'two frames, one delimiter each', results: ['ok', 'ok'] },
  { name: 'bad-crc-then-good', wire: cat(wireOf(flipped), goodOdoWire), note: 'resynchronize on the frame after a bad one', results: ['crc', 'ok'] },
  { name: 'mid-frame-start', wire: cat(goodOdoWire.subarray(7), pingWire), note: 'the receiver opened the port in the middle of a frame: the tail is dropped (here it happens to be valid COBS, so the CRC rejects it)', results: ['crc', 'ok'] },
  { name: 'oversize-then-good', wire: cat(new Uint8Array(MAX_WIRE_BYTES * 2).fill(0x55), new Uint8Array([0]), pingWire), note: 'a delimiter-free flood is counted once, then dropped to the next delimiter', results: ['oversize', 'ok'] },
  { name: 'canonical-cobs-no-trailing-block', wire: canonical254, note: 'the same frame as laser-scan-cobs-254-run-at-end, encoded without the final empty 0x01 block (as other COBS encoders do): decoders must accept both', results: ['ok'] },
];

const streams = streamCases.map((c) => {
  const { results, frames: good } = streamResults(c.wire);
  if (results.join() !== c.results.join()) throw new Error(`${c.name}: expected [${c.results.join(', ')}], decoder says [${results.join(', ')}]`);
  return { name: c.name, note: c.note, results, frames_hex: good.map(hex), wire_hex: hex(c.wire) };
});

// ---------------------------------------------------------------------------- COBS and CRC

const run = (n: number, from = 1): Uint8Array => new Uint8Array(n).map((_, i) => ((i + from - 1) % 255) + 1);
const cobsCases: Array<[string, Uint8Array]> = [
  ['empty', new Uint8Array([])],
  ['one-zero', new Uint8Array([0])],
  ['two-zeros', new Uint8Array([0, 0])],
  ['zero-in-middle', new Uint8Array([0x11, 0x22, 0x00, 0x33])],
  ['trailing-zero', new Uint8Array([0x11, 0x22, 0x33, 0x44, 0x00])],
  ['253-non-zero', run(253)],
  ['254-non-zero', run(254)],
  ['255-non-zero', run(255)],
  ['254-non-zero-then-zero', cat(run(254), new Uint8Array([0]))],
  ['600-non-zero', run(600)],
];
const cobs = cobsCases.map(([name, data]) => {
  const enc = cobsEncode(data);
  const dec = cobsDecode(enc);
  if (!dec || hex(dec) !== hex(data)) throw new Error(`cobs ${name} does not round-trip`);
  return { name, decoded_hex: hex(data), encoded_hex: hex(enc) };
});

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
const crcCases: Array<[string, Uint8Array]> = [
  ['check-123456789', ascii('123456789')],
  ['empty', new Uint8Array([])],
  ['one-zero-byte', new Uint8Array([0])],
  ['velocity-command-frame-without-crc', goodVel.subarray(0, goodVel.length - 2)],
];
const crc = crcCases.map(([name, data]) => ({ name, data_hex: hex(data), crc: crc16(data) }));
if (crc[0]!.crc !== 0x29b1) throw new Error('CRC check value is not 0x29B1');

// ---------------------------------------------------------------------------- write

const doc = {
  description:
    'Robot link protocol test vectors (docs/protocol.md). Generated by scripts/gen-link-vectors.ts from the TypeScript codec; do not edit by hand. ' +
    'frame_hex is the frame body (header | payload | CRC, before COBS); wire_hex is COBS(frame) followed by the 0x00 delimiter. ' +
    'Field names are those of src/shared/protocol.ts; non-finite floats are the strings "NaN", "Infinity", "-Infinity"; every float is exact in binary32. ' +
    'negative: each wire_hex, fed to a fresh stream decoder, yields exactly one result: the error. ' +
    'streams: the stream decoder yields exactly these results in order; frames_hex lists the good frame bodies.',
  protocol_version: PROTOCOL_VERSION,
  limits: { header_bytes: 12, crc_bytes: 2, max_frame_bytes: 4096, max_wire_bytes: MAX_WIRE_BYTES, max_scan_beams: 1000, hello_name_max_bytes: 32 },
  error_names: ['cobs', 'too-short', 'oversize', 'crc', 'version', 'unknown-type', 'bad-payload'],
  crc,
  cobs,
  frames,
  negative,
  streams,
};

const text = `${JSON.stringify(doc, null, 2)}\n`;
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(OUT, 'utf8');
  } catch {
    // missing counts as stale
  }
  if (current !== text) {
    console.error(`${OUT} is stale: run npx tsx scripts/gen-link-vectors.ts`);
    process.exit(1);
  }
  console.log(`${OUT} is up to date`);
} else {
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, text);
  console.log(`wrote ${frames.length} frame, ${negative.length} negative, ${streams.length} stream, ${cobs.length} COBS and ${crc.length} CRC vectors to ${OUT}`);
}
