/**
 * Protocol v1 payloads: each typed message ⇄ the payload bytes of its frame (docs/protocol.md,
 * messages). Little-endian throughout; floats are IEEE-754 binary32. The frame around the
 * payload (header, CRC, COBS) is framing.ts.
 */
import { MsgType, type HelloMsg, type LinkMessage, type MsgTypeId } from '../protocol';
import { utf8Decode, utf8Encode } from './utf8';

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

/** A u64 field's value: a JS number, floored and clamped at 0 (framing's timestamp uses it too). */
export function u64Bits(v: number): bigint {
  return BigInt(Math.max(0, Math.floor(v)));
}

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
  u64(v: number): void { this.ensure(8); this.view.setBigUint64(this.length, u64Bits(v), true); this.length += 8; }
  f32(v: number): void { this.ensure(4); this.view.setFloat32(this.length, v, true); this.length += 4; }
  bytes(b: Uint8Array): void { this.ensure(b.length); this.buf.set(b, this.length); this.length += b.length; }
  result(): Uint8Array { return this.buf.slice(0, this.length); }
}

class PayloadError extends Error {}

/** Bounds-checked little-endian reader over one payload; throws PayloadError past the end. */
class Reader {
  private readonly view: DataView;
  private offset = 0;
  constructor(payload: Uint8Array) {
    this.view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  }
  private take(n: number): number {
    if (this.offset + n > this.view.byteLength) throw new PayloadError('payload too short');
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
    const left = this.view.byteLength - this.offset;
    if (left !== 0) throw new PayloadError(`${left} unexpected trailing bytes`);
  }
}

/** The type id a message travels under. */
export function messageTypeId(msg: LinkMessage): MsgTypeId {
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

/**
 * The payload bytes of a message. A Hello name longer than HELLO_NAME_MAX_BYTES of UTF-8 is
 * cut to that many bytes; a scan of more than MAX_SCAN_BEAMS beams throws a RangeError.
 */
export function encodePayload(msg: LinkMessage): Uint8Array {
  const w = new Writer();
  switch (msg.type) {
    case 'hello': {
      w.u8(msg.protocolVersion);
      let name = utf8Encode(msg.name);
      if (name.length > HELLO_NAME_MAX_BYTES) name = name.subarray(0, HELLO_NAME_MAX_BYTES);
      w.u8(name.length);
      w.bytes(name);
      for (const k of HELLO_FLOATS) w.f32(msg[k]);
      w.u16(msg.lidarBeams);
      for (const k of HELLO_LIDAR_FLOATS) w.f32(msg[k]);
      break;
    }
    case 'odometry':
      w.f32(msg.x); w.f32(msg.y); w.f32(msg.theta); w.f32(msg.v); w.f32(msg.w); w.u16(msg.lastCommandSeq);
      break;
    case 'laser-scan':
      if (msg.ranges.length > MAX_SCAN_BEAMS) throw new RangeError(`scan has ${msg.ranges.length} beams, max ${MAX_SCAN_BEAMS}`);
      w.f32(msg.angleMin); w.f32(msg.angleIncrement); w.f32(msg.timeIncrement); w.f32(msg.rangeMin); w.f32(msg.rangeMax);
      w.u16(msg.ranges.length);
      for (let i = 0; i < msg.ranges.length; i++) w.f32(msg.ranges[i]!);
      break;
    case 'status':
      w.f32(msg.batteryVoltage); w.u8(msg.batteryPercent); w.u32(msg.faults);
      w.u8((msg.estopPressed ? 1 : 0) | (msg.motorsEnabled ? 2 : 0));
      break;
    case 'screen-state':
      w.f32(msg.panAngle); w.f32(msg.panVelocity);
      break;
    case 'pong':
      w.u16(msg.pingSeq); w.u64(msg.hostTimeUs); w.u64(msg.robotRxTimeUs);
      break;
    case 'velocity-command':
      w.f32(msg.v); w.f32(msg.w);
      break;
    case 'screen-command':
      w.f32(msg.panAngle); w.f32(msg.maxRate);
      break;
    case 'stop':
      w.u8(msg.reason);
      break;
    case 'ping':
      w.u8(msg.requestHello ? 1 : 0);
      break;
  }
  return w.result();
}

function readPayload(type: number, r: Reader): LinkMessage | null {
  switch (type) {
    case MsgType.Hello: {
      const protocolVersion = r.u8();
      const nameLen = r.u8();
      if (nameLen > HELLO_NAME_MAX_BYTES) throw new PayloadError(`name of ${nameLen} bytes, max ${HELLO_NAME_MAX_BYTES}`);
      const name = utf8Decode(r.bytes(nameLen));
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

export type PayloadErrorReason =
  | 'unknown-type'
  | 'bad-payload'; // length or content does not match the type

export type PayloadResult =
  | { ok: true; msg: LinkMessage }
  | { ok: false; reason: PayloadErrorReason; detail: string };

/**
 * Decodes the payload of a frame of type id `type`. The message never aliases `payload`
 * (a scan's ranges are a fresh Float32Array).
 */
export function decodePayload(type: number, payload: Uint8Array): PayloadResult {
  const reader = new Reader(payload);
  let msg: LinkMessage | null;
  try {
    msg = readPayload(type, reader);
    if (msg) reader.done();
  } catch (err) {
    if (err instanceof PayloadError) return { ok: false, reason: 'bad-payload', detail: `type 0x${type.toString(16)}: ${err.message}` };
    throw err;
  }
  if (!msg) return { ok: false, reason: 'unknown-type', detail: `type 0x${type.toString(16)}` };
  return { ok: true, msg };
}
