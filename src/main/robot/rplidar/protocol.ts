/**
 * Slamtec RPLIDAR serial protocol, standard SCAN mode only: pure encoding and decoding, no
 * I/O. Written from the public protocol description in Slamtec's rplidar_sdk
 * (sdk/include/sl_lidar_protocol.h, sdk/include/sl_lidar_cmd.h, sdk/src/sl_lidarprotocol_codec.cpp):
 *
 * - Request: `A5 cmd`; commands with bit 0x80 set carry `size payload… checksum`, where the
 *   checksum is the XOR of every byte before it (sync byte, cmd, size, payload).
 * - Response descriptor: `A5 5A`, a u32 LE whose low 30 bits are the answer length and top
 *   2 bits the send mode (1 = a stream of answers until STOP), then the answer type.
 * - GET_INFO (0x50) answers type 0x04, 20 bytes: model, firmware minor, major, hardware, 16-byte serial.
 * - GET_HEALTH (0x52) answers type 0x06, 3 bytes: status (0 good, 1 warning, 2 error), error code u16 LE.
 * - SCAN (0x20) answers type 0x81 in stream mode with 5-byte nodes: byte0 = quality<<2 | !S<<1 | S,
 *   bytes1-2 = angle_q6<<1 | check bit (always 1), bytes3-4 = distance_q2 (mm × 4), LE.
 *   The angle is clockwise in degrees (angle_q6 / 64) seen from above; S marks a new revolution.
 *
 * EXPRESS/HQ/ULTRA/DENSE capsule modes are not implemented.
 */
import type { LaserScanMsg } from '../../../shared/protocol';

export const SYNC = 0xa5;
export const SYNC2 = 0x5a;
export const CMD_HAS_PAYLOAD = 0x80;

export const Cmd = {
  Stop: 0x25,
  Reset: 0x40,
  Scan: 0x20,
  ForceScan: 0x21,
  GetInfo: 0x50,
  GetHealth: 0x52,
  SetMotorPwm: 0xf0,
} as const;

export const AnswerType = {
  DevInfo: 0x04,
  DevHealth: 0x06,
  Measurement: 0x81,
} as const;

/** Send mode of a response descriptor: one answer, or answers until STOP. */
export const SendMode = { Single: 0, Loop: 1 } as const;

export const HealthStatus = { Good: 0, Warning: 1, Error: 2 } as const;

/** Bytes of one request: `A5 cmd` and, for payload commands, `size payload… checksum`. */
export function encodeRequest(cmd: number, payload?: Uint8Array): Uint8Array {
  const hasPayload = (cmd & CMD_HAS_PAYLOAD) !== 0 || (payload !== undefined && payload.length > 0);
  if (!hasPayload) return Uint8Array.of(SYNC, cmd & 0xff);
  const body = payload ?? new Uint8Array(0);
  if (body.length > 255) throw new RangeError('RPLIDAR request payload is at most 255 bytes');
  const out = new Uint8Array(4 + body.length);
  out[0] = SYNC;
  out[1] = cmd & 0xff;
  out[2] = body.length;
  out.set(body, 3);
  let sum = 0;
  for (let i = 0; i < out.length - 1; i++) sum ^= out[i]!;
  out[out.length - 1] = sum;
  return out;
}

/** SET_MOTOR_PWM (A2/A3 with the accessory board): payload u16 LE, 0 stops the motor. */
export function encodeMotorPwm(pwm: number): Uint8Array {
  const v = Math.max(0, Math.min(1023, Math.round(pwm)));
  return encodeRequest(Cmd.SetMotorPwm, Uint8Array.of(v & 0xff, v >> 8));
}

export interface ResponseDescriptor {
  length: number;
  mode: number;
  type: number;
}

export const DESCRIPTOR_BYTES = 7;

/** Parses a descriptor at `bytes[offset]`; null when the sync bytes are not there or it is incomplete. */
export function parseDescriptor(bytes: Uint8Array, offset = 0): ResponseDescriptor | null {
  if (bytes.length - offset < DESCRIPTOR_BYTES) return null;
  if (bytes[offset] !== SYNC || bytes[offset + 1] !== SYNC2) return null;
  const word = (bytes[offset + 2]! | (bytes[offset + 3]! << 8) | (bytes[offset + 4]! << 16) | (bytes[offset + 5]! << 24)) >>> 0;
  return { length: word & 0x3fffffff, mode: word >>> 30, type: bytes[offset + 6]! };
}

export function encodeDescriptor(d: ResponseDescriptor): Uint8Array {
  const word = ((d.length & 0x3fffffff) | ((d.mode & 0x3) << 30)) >>> 0;
  return Uint8Array.of(SYNC, SYNC2, word & 0xff, (word >>> 8) & 0xff, (word >>> 16) & 0xff, word >>> 24, d.type);
}

export interface DeviceInfo {
  model: number;
  firmwareMajor: number;
  firmwareMinor: number;
  hardware: number;
  /** 16 bytes as 32 upper-case hex digits. */
  serial: string;
}

export const INFO_BYTES = 20;
export const HEALTH_BYTES = 3;

export function parseInfo(p: Uint8Array): DeviceInfo {
  if (p.length < INFO_BYTES) throw new RangeError(`device info is ${INFO_BYTES} bytes, got ${p.length}`);
  let serial = '';
  for (let i = 4; i < 20; i++) serial += p[i]!.toString(16).toUpperCase().padStart(2, '0');
  return { model: p[0]!, firmwareMinor: p[1]!, firmwareMajor: p[2]!, hardware: p[3]!, serial };
}

export function encodeInfo(info: DeviceInfo): Uint8Array {
  const out = new Uint8Array(INFO_BYTES);
  out[0] = info.model;
  out[1] = info.firmwareMinor;
  out[2] = info.firmwareMajor;
  out[3] = info.hardware;
  for (let i = 0; i < 16; i++) out[4 + i] = parseInt(info.serial.slice(2 * i, 2 * i + 2) || '0', 16) || 0;
  return out;
}

export interface DeviceHealth {
  status: number;
  errorCode: number;
}

export function parseHealth(p: Uint8Array): DeviceHealth {
  if (p.length < HEALTH_BYTES) throw new RangeError(`device health is ${HEALTH_BYTES} bytes, got ${p.length}`);
  return { status: p[0]!, errorCode: p[1]! | (p[2]! << 8) };
}

export function encodeHealth(h: DeviceHealth): Uint8Array {
  return Uint8Array.of(h.status, h.errorCode & 0xff, (h.errorCode >> 8) & 0xff);
}

/** "RPLIDAR A1M8 (model 0x18) fw 1.29 hw 7 S/N …": model names follow the SDK's A<major>M<minor> for majors 1-3. */
export function describeDevice(info: DeviceInfo): string {
  const major = info.model >> 4;
  const family = major >= 1 && major <= 3 ? `A${major}M${info.model & 0xf} ` : '';
  const hex = info.model.toString(16).padStart(2, '0');
  return `RPLIDAR ${family}(model 0x${hex}) fw ${info.firmwareMajor}.${String(info.firmwareMinor).padStart(2, '0')} hw ${info.hardware} S/N ${info.serial}`;
}

/**
 * Range limits by model family in standard SCAN mode, from Slamtec's datasheets: A1 0.15–12 m,
 * A2 0.15–12 m (A2M8), A3 0.15–25 m; anything else falls back to the A1 figures.
 */
export function rangeLimits(model: number): { rangeMin: number; rangeMax: number } {
  const major = model >> 4;
  if (major === 3) return { rangeMin: 0.15, rangeMax: 25 };
  return { rangeMin: 0.15, rangeMax: 12 };
}

/** One SCAN measurement, raw and converted. */
export interface ScanNode {
  /** S: the first node of a new revolution. */
  start: boolean;
  quality: number;
  /** Device convention: degrees clockwise, [0, 360). */
  angleDeg: number;
  /** REP 103 in the lidar frame: counter-clockwise radians, (−π, π]. */
  angleRad: number;
  /** Metres; 0 means no return. */
  distanceM: number;
}

export const NODE_BYTES = 5;
/** angle_q6 is below 360° × 64 on a sane device. */
const MAX_ANGLE_Q6 = 360 * 64;

/** Why a 5-byte candidate is not a node, or null when it is one. */
export function nodeProblem(b: Uint8Array, o: number): 'start-flag' | 'check-bit' | 'angle' | null {
  const b0 = b[o]!;
  if ((b0 & 1) === ((b0 >> 1) & 1)) return 'start-flag';
  if ((b[o + 1]! & 1) !== 1) return 'check-bit';
  const q6 = (b[o + 1]! >> 1) | (b[o + 2]! << 7);
  if (q6 >= MAX_ANGLE_Q6) return 'angle';
  return null;
}

/** Device clockwise degrees → REP 103 counter-clockwise radians in (−π, π]. */
export function deviceAngleToRad(angleDeg: number): number {
  let a = (-angleDeg * Math.PI) / 180;
  while (a <= -Math.PI) a += 2 * Math.PI;
  while (a > Math.PI) a -= 2 * Math.PI;
  return a === 0 ? 0 : a; // no −0
}

/** Decodes a node at `b[o]` without validating it (see nodeProblem). */
export function decodeNode(b: Uint8Array, o = 0): ScanNode {
  const b0 = b[o]!;
  const q6 = (b[o + 1]! >> 1) | (b[o + 2]! << 7);
  const q2 = b[o + 3]! | (b[o + 4]! << 8);
  const angleDeg = q6 / 64;
  return { start: (b0 & 1) === 1, quality: b0 >> 2, angleDeg, angleRad: deviceAngleToRad(angleDeg), distanceM: q2 / 4 / 1000 };
}

/** Encodes a node (for emulators and tests): angle in device degrees clockwise, distance in metres. */
export function encodeNode(n: { start: boolean; quality: number; angleDeg: number; distanceM: number }): Uint8Array {
  const q6 = Math.round(n.angleDeg * 64) % MAX_ANGLE_Q6;
  const q2 = Math.max(0, Math.min(0xffff, Math.round(n.distanceM * 1000 * 4)));
  const s = n.start ? 1 : 0;
  return Uint8Array.of(((n.quality & 0x3f) << 2) | ((1 - s) << 1) | s, ((q6 << 1) | 1) & 0xff, (q6 >> 7) & 0xff, q2 & 0xff, q2 >> 8);
}

export interface NodeDecoderStats {
  nodes: number;
  /** Candidates rejected (bad start-flag pair, check bit, or angle), one per resync episode. */
  rejected: number;
  /** Bytes skipped while resynchronising. */
  skippedBytes: number;
}

/**
 * A streaming SCAN node decoder: takes chunks of any size, returns the valid nodes. On a bad
 * candidate it slides one byte at a time, and after a failure it accepts nodes again only
 * once two consecutive candidates validate (a lone misaligned window passes by chance about
 * once in eight).
 */
export class ScanNodeDecoder {
  private buf = new Uint8Array(0);
  private syncing = false;
  readonly stats: NodeDecoderStats = { nodes: 0, rejected: 0, skippedBytes: 0 };

  reset(): void {
    this.buf = new Uint8Array(0);
    this.syncing = false;
  }

  push(chunk: Uint8Array): ScanNode[] {
    const b = this.buf.length === 0 ? chunk : concat(this.buf, chunk);
    const out: ScanNode[] = [];
    let o = 0;
    for (;;) {
      const need = this.syncing ? 2 * NODE_BYTES : NODE_BYTES;
      if (b.length - o < need) break;
      const bad = nodeProblem(b, o) !== null || (this.syncing && nodeProblem(b, o + NODE_BYTES) !== null);
      if (bad) {
        if (!this.syncing) this.stats.rejected++;
        this.syncing = true;
        this.stats.skippedBytes++;
        o++;
        continue;
      }
      this.syncing = false;
      out.push(decodeNode(b, o));
      this.stats.nodes++;
      o += NODE_BYTES;
    }
    this.buf = b.slice(o);
    return out;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** A fixed angular grid over (−π, π]: beam i at −π + (i + 1)·2π/beams, the last at π. */
export function gridLayout(beams: number): { angleMin: number; angleIncrement: number } {
  const angleIncrement = (2 * Math.PI) / beams;
  return { angleMin: -Math.PI + angleIncrement, angleIncrement };
}

/** Beam index of an angle in (−π, π] on the grid (nearest beam, wrapping at ±π). */
export function beamIndex(angleRad: number, beams: number): number {
  const { angleMin, angleIncrement } = gridLayout(beams);
  const i = Math.round((angleRad - angleMin) / angleIncrement);
  return ((i % beams) + beams) % beams;
}

export interface Revolution {
  nodes: ScanNode[];
}

/**
 * Cuts the node stream into revolutions at start flags. Nodes before the first start flag (a
 * partial revolution) are dropped; each start flag after that completes one revolution.
 */
export class RevolutionAssembler {
  private current: ScanNode[] | null = null;

  reset(): void {
    this.current = null;
  }

  push(node: ScanNode): Revolution | null {
    if (node.start) {
      const done = this.current;
      this.current = [node];
      return done && done.length > 0 ? { nodes: done } : null;
    }
    this.current?.push(node);
    return null;
  }
}

/**
 * One revolution as a LaserScanMsg on the fixed grid: per beam the nearest valid return in
 * metres, +Infinity where there is none (no node in the beam, distance 0, or out of
 * [rangeMin, rangeMax]).
 */
export function revolutionToScan(rev: Revolution, opts: { beams: number; rangeMin: number; rangeMax: number; durationS: number }): LaserScanMsg {
  const { angleMin, angleIncrement } = gridLayout(opts.beams);
  const ranges = new Float32Array(opts.beams).fill(Infinity);
  for (const n of rev.nodes) {
    const d = n.distanceM;
    if (!(d > 0) || d < opts.rangeMin || d > opts.rangeMax) continue;
    const i = beamIndex(n.angleRad, opts.beams);
    if (d < ranges[i]!) ranges[i] = d;
  }
  return {
    type: 'laser-scan', angleMin, angleIncrement,
    timeIncrement: opts.beams > 0 ? opts.durationS / opts.beams : 0,
    rangeMin: opts.rangeMin, rangeMax: opts.rangeMax, ranges,
  };
}

/**
 * Finds and takes one answer of `type` from the front of `buf`, skipping bytes before a
 * descriptor. Returns the payload and the bytes after it, or null when it is not complete yet.
 */
export function takeResponse(buf: Uint8Array, type: number): { descriptor: ResponseDescriptor; payload: Uint8Array; rest: Uint8Array } | null {
  for (let o = 0; o + DESCRIPTOR_BYTES <= buf.length; o++) {
    const d = parseDescriptor(buf, o);
    if (!d || d.type !== type) continue;
    const start = o + DESCRIPTOR_BYTES;
    const len = d.mode === SendMode.Loop ? 0 : d.length;
    if (buf.length - start < len) return null;
    return { descriptor: d, payload: buf.slice(start, start + len), rest: buf.slice(start + len) };
  }
  return null;
}
