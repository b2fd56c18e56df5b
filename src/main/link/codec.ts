/**
 * Protocol v1 codec: typed messages ⇄ frames ⇄ bytes on the wire. Layout (docs/protocol.md):
 *
 *   wire:    COBS(frame) 0x00
 *   frame:   version u8 | type u8 | seq u16 | timestamp_us u64 | payload | crc16 u16
 *
 * Little-endian throughout; floats are IEEE-754 binary32; the CRC (CRC-16/CCITT-FALSE)
 * covers version … payload.
 */
import {
  MsgType,
  PROTOCOL_VERSION,
  type HelloMsg,
  type LinkFrame,
  type LinkMessage,
  type MsgTypeId,
} from '../../shared/protocol';
import { cobsDecode, cobsEncode } from './cobs';
import { crc16 } from './crc16';

export const HEADER_BYTES = 12;
export const CRC_BYTES = 2;
/** Largest decoded frame accepted, bytes: a 1000-beam scan fits with room to spare. */
export const MAX_FRAME_BYTES = 4096;
/** Longest wire block (COBS of the largest frame) before the decoder gives up and resyncs. */
export const MAX_WIRE_BYTES = MAX_FRAME_BYTES + Math.ceil(MAX_FRAME_BYTES / 254) + 1;
export const HELLO_NAME_MAX_BYTES = 32;
export const MAX_SCAN_BEAMS = 1000;

const HELLO_FLOATS = [
  'footprintLength', 'footprintWidth', 'footprintCenterOffsetX', 'wheelBase',
  'maxLinearVelocity', 'maxAngularVelocity', 'maxLinearAccel', 'maxAngularAccel',
  'maxLinearJerk', 'maxAngularJerk', 'panMin', 'panMax', 'panMaxRate', 'panMaxAccel',
] as const;
const HELLO_LIDAR_FLOATS = [
  'lidarAngleMin', 'lidarAngleIncrement', 'lidarRangeMin', 'lidarRangeMax', 'lidarRateHz',
  'lidarMountX', 'lidarMountY', 'lidarMountYaw',
] as const;

/** Growable little-endian writer. */
class Writer {
  private buf = new Uint8Array(64);
  private view = new DataView(this.buf.buffer);
  length = 0;
  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf);
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number): void { this.ensure(1); this.view.setUint8(this.length, v); this.length += 1; }
  u16(v: number): void { this.ensure(2); this.view.setUint16(this.length, v, true); this.length += 2; }
  u32(v: number): void { this.ensure(4); this.view.setUint32(this.length, v >>> 0, true); this.length += 4; }
  u64(v: number): void { this.ensure(8); this.view.setBigUint64(this.length, BigInt(Math.max(0, Math.floor(v))), true); this.length += 8; }
  f32(v: number): void { this.ensure(4); this.view.setFloat32(this.length, v, true); this.length += 4; }
  bytes(b: Uint8Array): void { this.ensure(b.length); this.buf.set(b, this.length); this.length += b.length; }
  result(): Uint8Array { return this.buf.slice(0, this.length); }
}

/** Bounds-checked little-endian reader; throws PayloadError past the end. */
class Reader {
  private offset: number;
  constructor(private readonly view: DataView, start: number, private readonly end: number) {
    this.offset = start;
  }
  private take(n: number): number {
    if (this.offset + n > this.end) throw new PayloadError('payload too short');
    const at = this.offset;
    this.offset += n;
    return at;
  }
  u8(): number { return this.view.getUint8(this.take(1)); }
  u16(): number { return this.view.getUint16(this.take(2), true); }
  u32(): number { return this.view.getUint32(this.take(4), true); }
  u64(): number { return Number(this.view.getBigUint64(this.take(8), true)); }
  f32(): number { return this.view.getFloat32(this.take(4), true); }
  bytes(n: number): Uint8Array {
    const at = this.take(n);
    return new Uint8Array(this.view.buffer, this.view.byteOffset + at, n);
  }
  done(): void {
    if (this.offset !== this.end) throw new PayloadError(`${this.end - this.offset} unexpected trailing bytes`);
  }
}

class PayloadError extends Error {}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: false });

function typeIdOf(msg: LinkMessage): MsgTypeId {
  switch (msg.type) {
    case 'hello': return MsgType.Hello;
    case 'odometry': return MsgType.Odometry;
    case 'laser-scan': return MsgType.LaserScan;
    case 'status': return MsgType.Status;
    case 'screen-state': return MsgType.ScreenState;
    case 'pong': return MsgType.Pong;
    case 'velocity-command': return MsgType.VelocityCommand;
    case 'screen-command': return MsgType.ScreenCommand;
    case 'stop': return MsgType.Stop;
    case 'ping': return MsgType.Ping;
  }
}

function writePayload(w: Writer, msg: LinkMessage): void {
  switch (msg.type) {
    case 'hello': {
      w.u8(msg.protocolVersion);
      let name = utf8Encoder.encode(msg.name);
      if (name.length > HELLO_NAME_MAX_BYTES) name = name.subarray(0, HELLO_NAME_MAX_BYTES);
      w.u8(name.length);
      w.bytes(name);
      for (const k of HELLO_FLOATS) w.f32(msg[k]);
      w.u16(msg.lidarBeams);
      for (const k of HELLO_LIDAR_FLOATS) w.f32(msg[k]);
      return;
    }
    case 'odometry':
      w.f32(msg.x); w.f32(msg.y); w.f32(msg.theta); w.f32(msg.v); w.f32(msg.w); w.u16(msg.lastCommandSeq);
      return;
    case 'laser-scan':
      if (msg.ranges.length > MAX_SCAN_BEAMS) throw new RangeError(`scan has ${msg.ranges.length} beams, max ${MAX_SCAN_BEAMS}`);
      w.f32(msg.angleMin); w.f32(msg.angleIncrement); w.f32(msg.timeIncrement); w.f32(msg.rangeMin); w.f32(msg.rangeMax);
      w.u16(msg.ranges.length);
      for (let i = 0; i < msg.ranges.length; i++) w.f32(msg.ranges[i]!);
      return;
    case 'status':
      w.f32(msg.batteryVoltage); w.u8(msg.batteryPercent); w.u32(msg.faults);
      w.u8((msg.estopPressed ? 1 : 0) | (msg.motorsEnabled ? 2 : 0));
      return;
    case 'screen-state':
      w.f32(msg.panAngle); w.f32(msg.panVelocity);
      return;
    case 'pong':
      w.u16(msg.pingSeq); w.u64(msg.hostTimeUs); w.u64(msg.robotRxTimeUs);
      return;
    case 'velocity-command':
      w.f32(msg.v); w.f32(msg.w);
      return;
    case 'screen-command':
      w.f32(msg.panAngle); w.f32(msg.maxRate);
      return;
    case 'stop':
      w.u8(msg.reason);
      return;
    case 'ping':
      w.u8(msg.requestHello ? 1 : 0);
      return;
  }
}

function readPayload(type: number, r: Reader): LinkMessage | null {
  switch (type) {
    case MsgType.Hello: {
      const protocolVersion = r.u8();
      const nameLen = r.u8();
      if (nameLen > HELLO_NAME_MAX_BYTES) throw new PayloadError(`name of ${nameLen} bytes, max ${HELLO_NAME_MAX_BYTES}`);
      const name = utf8Decoder.decode(r.bytes(nameLen));
      const hello: Record<string, unknown> = { type: 'hello', protocolVersion, name };
      for (const k of HELLO_FLOATS) hello[k] = r.f32();
      hello.lidarBeams = r.u16();
      for (const k of HELLO_LIDAR_FLOATS) hello[k] = r.f32();
      return hello as unknown as HelloMsg;
    }
    case MsgType.Odometry:
      return { type: 'odometry', x: r.f32(), y: r.f32(), theta: r.f32(), v: r.f32(), w: r.f32(), lastCommandSeq: r.u16() };
    case MsgType.LaserScan: {
      const angleMin = r.f32(), angleIncrement = r.f32(), timeIncrement = r.f32(), rangeMin = r.f32(), rangeMax = r.f32();
      const count = r.u16();
      if (count > MAX_SCAN_BEAMS) throw new PayloadError(`scan of ${count} beams, max ${MAX_SCAN_BEAMS}`);
      const ranges = new Float32Array(count);
      for (let i = 0; i < count; i++) ranges[i] = r.f32();
      return { type: 'laser-scan', angleMin, angleIncrement, timeIncrement, rangeMin, rangeMax, ranges };
    }
    case MsgType.Status: {
      const batteryVoltage = r.f32(), batteryPercent = r.u8(), faults = r.u32(), flags = r.u8();
      return { type: 'status', batteryVoltage, batteryPercent, faults, estopPressed: (flags & 1) !== 0, motorsEnabled: (flags & 2) !== 0 };
    }
    case MsgType.ScreenState:
      return { type: 'screen-state', panAngle: r.f32(), panVelocity: r.f32() };
    case MsgType.Pong:
      return { type: 'pong', pingSeq: r.u16(), hostTimeUs: r.u64(), robotRxTimeUs: r.u64() };
    case MsgType.VelocityCommand:
      return { type: 'velocity-command', v: r.f32(), w: r.f32() };
    case MsgType.ScreenCommand:
      return { type: 'screen-command', panAngle: r.f32(), maxRate: r.f32() };
    case MsgType.Stop:
      return { type: 'stop', reason: r.u8() };
    case MsgType.Ping:
      return { type: 'ping', requestHello: (r.u8() & 1) !== 0 };
    default:
      return null;
  }
}

/** Serializes a message into a frame (no COBS, no delimiter). */
export function encodeFrameBody(msg: LinkMessage, seq: number, timestampUs: number, version = PROTOCOL_VERSION): Uint8Array {
  const w = new Writer();
  w.u8(version);
  w.u8(typeIdOf(msg));
  w.u16(seq & 0xffff);
  w.u64(timestampUs);
  writePayload(w, msg);
  const body = w.result();
  const out = new Uint8Array(body.length + CRC_BYTES);
  out.set(body);
  new DataView(out.buffer).setUint16(body.length, crc16(body), true);
  return out;
}

/** Serializes a message into wire bytes: COBS(frame) followed by the 0x00 delimiter. */
export function encodeWire(msg: LinkMessage, seq: number, timestampUs: number, version = PROTOCOL_VERSION): Uint8Array {
  const cobs = cobsEncode(encodeFrameBody(msg, seq, timestampUs, version));
  const out = new Uint8Array(cobs.length + 1);
  out.set(cobs);
  return out;
}

export type FrameErrorReason =
  | 'cobs' // the block is not valid COBS
  | 'too-short' // shorter than header + CRC
  | 'oversize' // longer than MAX_WIRE_BYTES before a delimiter
  | 'crc' // CRC mismatch
  | 'version' // a protocol version this host does not speak
  | 'unknown-type'
  | 'bad-payload'; // length or content does not match the type

export type DecodeResult =
  | { ok: true; frame: LinkFrame }
  | { ok: false; reason: FrameErrorReason; detail: string; version?: number };

/** Decodes one frame body (after COBS decoding). */
export function decodeFrameBody(body: Uint8Array): DecodeResult {
  if (body.length < HEADER_BYTES + CRC_BYTES) {
    return { ok: false, reason: 'too-short', detail: `${body.length} bytes, need at least ${HEADER_BYTES + CRC_BYTES}` };
  }
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const crcAt = body.length - CRC_BYTES;
  const expected = view.getUint16(crcAt, true);
  const actual = crc16(body, 0, crcAt);
  if (expected !== actual) {
    return { ok: false, reason: 'crc', detail: `crc 0x${actual.toString(16).padStart(4, '0')} ≠ 0x${expected.toString(16).padStart(4, '0')}` };
  }
  const version = view.getUint8(0);
  if (version !== PROTOCOL_VERSION) {
    return { ok: false, reason: 'version', detail: `protocol v${version}, this console speaks v${PROTOCOL_VERSION}`, version };
  }
  const type = view.getUint8(1);
  const seq = view.getUint16(2, true);
  const timestampUs = Number(view.getBigUint64(4, true));
  const reader = new Reader(view, HEADER_BYTES, crcAt);
  let msg: LinkMessage | null;
  try {
    msg = readPayload(type, reader);
    if (msg) reader.done();
  } catch (err) {
    if (err instanceof PayloadError) return { ok: false, reason: 'bad-payload', detail: `type 0x${type.toString(16)}: ${err.message}` };
    throw err;
  }
  if (!msg) return { ok: false, reason: 'unknown-type', detail: `type 0x${type.toString(16)}` };
  return { ok: true, frame: { version, seq, timestampUs, msg } };
}

/** Counters of what the stream decoder has seen. */
export interface DecoderStats {
  frames: number;
  bytes: number;
  errors: Record<FrameErrorReason, number>;
}

export function emptyDecoderStats(): DecoderStats {
  return { frames: 0, bytes: 0, errors: { cobs: 0, 'too-short': 0, oversize: 0, crc: 0, version: 0, 'unknown-type': 0, 'bad-payload': 0 } };
}

/**
 * Incremental decoder for a byte stream: feed arbitrary chunks (a frame may be split at any
 * byte), get whole frames and errors back. Memory is bounded: a block that grows beyond
 * MAX_WIRE_BYTES without a delimiter is dropped and the decoder resynchronizes at the
 * next 0x00.
 */
export class FrameDecoder {
  readonly stats = emptyDecoderStats();
  private readonly block = new Uint8Array(MAX_WIRE_BYTES);
  private length = 0;
  /** True while discarding an oversize block up to the next delimiter. */
  private discarding = false;

  push(chunk: Uint8Array): DecodeResult[] {
    const results: DecodeResult[] = [];
    this.stats.bytes += chunk.length;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (byte !== 0) {
        if (this.discarding) continue;
        if (this.length === this.block.length) {
          this.discarding = true;
          this.length = 0;
          this.stats.errors.oversize++;
          results.push({ ok: false, reason: 'oversize', detail: `no delimiter within ${MAX_WIRE_BYTES} bytes` });
          continue;
        }
        this.block[this.length++] = byte;
        continue;
      }
      // Delimiter: close the current block. Empty blocks (idle 0x00 bytes) are ignored.
      if (this.discarding) {
        this.discarding = false;
        continue;
      }
      if (this.length === 0) continue;
      const result = this.decodeBlock(this.block.subarray(0, this.length));
      this.length = 0;
      if (result.ok) this.stats.frames++;
      else this.stats.errors[result.reason]++;
      results.push(result);
    }
    return results;
  }

  private decodeBlock(wire: Uint8Array): DecodeResult {
    const body = cobsDecode(wire);
    if (!body) return { ok: false, reason: 'cobs', detail: 'invalid COBS block' };
    // The body aliases a fresh buffer from cobsDecode, so the frame may keep views of it.
    return decodeFrameBody(body);
  }

  /** Total of all error counters. */
  errorCount(): number {
    let n = 0;
    for (const v of Object.values(this.stats.errors)) n += v;
    return n;
  }
}
