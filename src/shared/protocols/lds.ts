/**
 * ROBOTIS TurtleBot3 lidars, LDS-01 and LDS-02: pure packet codecs, streaming decoders that
 * resynchronise on garbage, revolution assembly and the conversion of their angles to REP 103
 * (counter-clockwise radians in the lidar frame, x forward, y left, z up). No I/O; used by the
 * drivers in src/main/robot/lds and the emulators in src/sim/emulators/lds.ts.
 *
 * Sources (ROBOTIS-GIT, read, not copied):
 * - LDS-01 (Hitachi-LG HLS-LFCD2), 230400 baud: hls_lfcd_lds_driver, src/hlds_laser_publisher.cpp
 *   (LFCDLaser ctor/dtor, poll()), src/hlds_laser_segment_publisher.cpp (poll(), close()), and
 *   the OpenCR Arduino example examples/10. Etc/LDS/drawLDS/lds.cpp (ldsUpdate()).
 * - LDS-02 (LDRobot LD08), 115200 baud: ld08_driver, include/lipkg.hpp (LiDARFrameTypeDef),
 *   src/lipkg.cpp (CrcTable, LiPkg::Parse, LiPkg::AssemblePacket), src/transform.cpp
 *   (SlTransform::Transform, offsets for LD_EIGHT), and the e-Manual page "LDS-02" (packet table).
 */
import { ByteQueue } from '../wire/byte-queue';

const DEG = Math.PI / 180;

/** An angle in radians wrapped to (−π, π], never −0. */
export function wrapAngle(rad: number): number {
  let a = rad % (2 * Math.PI);
  if (a <= -Math.PI) a += 2 * Math.PI;
  else if (a > Math.PI) a -= 2 * Math.PI;
  return a === 0 ? 0 : a;
}

/** Why a streaming decoder dropped a candidate frame. */
export type LdsRejectReason = 'checksum' | 'span';

export interface LdsDecoderStats {
  /** Frames decoded and handed on. */
  frames: number;
  /** Candidate frames (sync bytes found) that failed validation and were dropped. */
  rejected: number;
  rejectedBy: Record<LdsRejectReason, number>;
  /** Bytes skipped while looking for a frame start (garbage, partial frames). */
  skippedBytes: number;
}

function newStats(): LdsDecoderStats {
  return { frames: 0, rejected: 0, rejectedBy: { checksum: 0, span: 0 }, skippedBytes: 0 };
}

// =====================================================================================
// LDS-01 (HLS-LFCD2)
// =====================================================================================
//
// Host → device, one ASCII byte each (hlds_laser_publisher.cpp, LFCDLaser ctor and dtor):
// 'b' starts the motor and the stream, 'e' stops them. hlds_laser_segment_publisher.cpp notes
// that 'b' "is not required after firmware upgrade (2017.10)": newer units stream from power-up.
//
// Device → host, 60 packets of 42 bytes a revolution (poll() reads 2520 = 60 × 42 bytes):
//   [0]      0xFA sync
//   [1]      index 0xA0 + n, n = 0..59 (packet n carries readings 6n..6n+5)
//   [2..3]   motor speed, u16 LE; the driver divides it by 10 for RPM ("rpms = … / 10")
//   [4..39]  6 readings of 6 bytes: intensity u16 LE, range u16 LE in mm, and 2 bytes the
//            OpenCR example names `reserved` (hlds_laser_publisher reads only the first four)
//   [40..41] checksum
// A range of 0 means no return.
//
// The checksum is NOT documented by ROBOTIS and none of their readers check it (the
// publisher's loop only compares the sync and index bytes). Third-party readers report that
// both checksum bytes carry the same 8-bit value; the only one that computes it sets each to
// (1 + Σ bytes[0..39]) mod 256. We use that rule to encode, and to decode in mode 'auto':
// checked once a few packets have matched it, but if a device's packets never match it (a
// different firmware rule) the decoder falls back to structural checks after one revolution
// of mismatches instead of rejecting a working lidar forever (see Lds01Decoder).

export const LDS01_SYNC = 0xfa;
export const LDS01_INDEX_BASE = 0xa0;
export const LDS01_PACKETS_PER_REV = 60;
export const LDS01_READINGS_PER_PACKET = 6;
export const LDS01_READINGS_PER_REV = LDS01_PACKETS_PER_REV * LDS01_READINGS_PER_PACKET;
export const LDS01_PACKET_BYTES = 42;
/** 'b': start the motor and the stream. */
export const LDS01_CMD_START = 0x62;
/** 'e': stop the motor and the stream. */
export const LDS01_CMD_STOP = 0x65;

export interface Lds01Reading {
  intensity: number;
  /** mm; 0 = no return. */
  rangeMm: number;
  reserved: number;
}

export interface Lds01Packet {
  /** Packet number in the revolution, 0..59 (the index byte minus 0xA0). */
  index: number;
  /** Raw speed field: RPM × 10 per the ROBOTIS driver. */
  speedRaw: number;
  readings: Lds01Reading[];
}

/** Motor speed in revolutions per minute. */
export function lds01Rpm(p: Lds01Packet): number {
  return p.speedRaw / 10;
}

/** The checksum byte of the 42-byte packet at `offset`: (1 + Σ bytes[0..39]) mod 256 (see above). */
export function lds01Checksum(bytes: Uint8Array, offset = 0): number {
  let sum = 1;
  for (let i = 0; i < LDS01_PACKET_BYTES - 2; i++) sum += bytes[offset + i]!;
  return sum & 0xff;
}

/** Whether the packet at `offset` carries our checksum in both bytes 40 and 41. */
export function lds01ChecksumOk(bytes: Uint8Array, offset = 0): boolean {
  const c = lds01Checksum(bytes, offset);
  return bytes[offset + 40] === c && bytes[offset + 41] === c;
}

const u16 = (v: number): number => Math.max(0, Math.min(0xffff, Math.round(v)));

/** Encodes a packet (emulators, tests). `rpm` is written ×10; missing readings are zeros. */
export function encodeLds01Packet(p: { index: number; rpm: number; readings: Partial<Lds01Reading>[] }): Uint8Array {
  if (!(p.index >= 0 && p.index < LDS01_PACKETS_PER_REV)) throw new RangeError(`LDS-01 packet index is 0..59, got ${p.index}`);
  const out = new Uint8Array(LDS01_PACKET_BYTES);
  out[0] = LDS01_SYNC;
  out[1] = LDS01_INDEX_BASE + p.index;
  const speed = u16(p.rpm * 10);
  out[2] = speed & 0xff;
  out[3] = speed >> 8;
  for (let r = 0; r < LDS01_READINGS_PER_PACKET; r++) {
    const reading = p.readings[r] ?? {};
    const o = 4 + 6 * r;
    const intensity = u16(reading.intensity ?? 0);
    const range = u16(reading.rangeMm ?? 0);
    const reserved = u16(reading.reserved ?? 0);
    out[o] = intensity & 0xff;
    out[o + 1] = intensity >> 8;
    out[o + 2] = range & 0xff;
    out[o + 3] = range >> 8;
    out[o + 4] = reserved & 0xff;
    out[o + 5] = reserved >> 8;
  }
  const c = lds01Checksum(out);
  out[40] = c;
  out[41] = c;
  return out;
}

/** Decodes the packet at `offset` without validating it (see Lds01Decoder). */
export function decodeLds01Packet(b: Uint8Array, offset = 0): Lds01Packet {
  const readings: Lds01Reading[] = [];
  for (let r = 0; r < LDS01_READINGS_PER_PACKET; r++) {
    const o = offset + 4 + 6 * r;
    readings.push({ intensity: b[o]! | (b[o + 1]! << 8), rangeMm: b[o + 2]! | (b[o + 3]! << 8), reserved: b[o + 4]! | (b[o + 5]! << 8) });
  }
  return { index: b[offset + 1]! - LDS01_INDEX_BASE, speedRaw: b[offset + 2]! | (b[offset + 3]! << 8), readings };
}

function isLds01Index(byte: number): boolean {
  return byte >= LDS01_INDEX_BASE && byte < LDS01_INDEX_BASE + LDS01_PACKETS_PER_REV;
}

/**
 * REP 103 angle of reading k (0..359) of a revolution, radians in (−π, π].
 *
 * hlds_laser_publisher.cpp poll() stores reading k at ranges[359 − k] of a LaserScan whose
 * angle_min is 0 and angle_increment +1° (counter-clockwise), so reading k points at
 * (359 − k)° ≡ −(k + 1)°. Readings arrive in increasing k, so the head turns clockwise seen
 * from above: the revolution starts 1° right of forward, sweeps the right side (−90° at
 * k = 89), the back (180° at k = 179) and the left (+90° at k = 269), and its last reading
 * (k = 359) points straight ahead along the lidar's x axis.
 */
export function lds01ReadingAngleRad(k: number): number {
  return wrapAngle(-(k + 1) * DEG);
}

/** The reading whose REP 103 angle is nearest `angleRad` (inverse of lds01ReadingAngleRad). */
export function lds01ReadingForAngle(angleRad: number): number {
  const k = Math.round(-angleRad / DEG) - 1;
  return ((k % LDS01_READINGS_PER_REV) + LDS01_READINGS_PER_REV) % LDS01_READINGS_PER_REV;
}

/**
 * How the LDS-01 decoder treats bytes 40-41: 'strict' rejects any packet without our
 * checksum; 'ignore' accepts on structure alone (as ROBOTIS's readers do); 'auto' checks it,
 * takes the rule as the device's once 3 packets have matched it (and most have), and stops
 * checking (`checksumState` 'unused') once a revolution's worth of well-formed packets have
 * failed it and nearly none matched (a packet can match by chance, 1 in 256 if the other
 * firmware's rule also repeats one byte, and that must not lock a working lidar out).
 */
export type Lds01ChecksumMode = 'strict' | 'auto' | 'ignore';
export type Lds01ChecksumState = 'unknown' | 'confirmed' | 'unused';

/** Packets matching the checksum before 'auto' treats the rule as the device's. */
const CHECKSUM_CONFIRM = 3;
/** Mismatches per match beyond which 'auto' decides the device uses another rule. */
const CHECKSUM_MISMATCH_RATIO = 20;

/**
 * Streaming LDS-01 decoder: chunks of any size in, whole packets out. A candidate is 0xFA
 * followed by an index byte 0xA0..0xDB; anything else is skipped a byte at a time. A candidate
 * that fails its checksum is counted as rejected and only its sync byte is dropped, so a real
 * packet that started inside a truncated one is still found. When the checksum is not checked,
 * a candidate is accepted only if another candidate follows it exactly 42 bytes later, so a
 * truncated packet is not taken for a whole one.
 */
export class Lds01Decoder {
  readonly stats: LdsDecoderStats = newStats();
  private readonly queue = new ByteQueue(16 * LDS01_PACKET_BYTES * LDS01_PACKETS_PER_REV);
  private readonly mode: Lds01ChecksumMode;
  private state: Lds01ChecksumState = 'unknown';
  private matches = 0;
  private mismatches = 0;

  constructor(options: { checksum?: Lds01ChecksumMode } = {}) {
    this.mode = options.checksum ?? 'auto';
    this.reset();
  }

  /** Whether bytes 40-41 are being checked: 'confirmed' yes, 'unused' no, 'unknown' yes until decided. */
  get checksumState(): Lds01ChecksumState {
    return this.state;
  }

  /** A fresh port session (maybe another unit): drops buffered bytes and, in 'auto', the checksum verdict. */
  reset(): void {
    this.queue.clear();
    this.state = this.mode === 'strict' ? 'confirmed' : this.mode === 'ignore' ? 'unused' : 'unknown';
    this.matches = this.mismatches = 0;
  }

  push(chunk: Uint8Array): Lds01Packet[] {
    const q = this.queue;
    q.push(chunk);
    const out: Lds01Packet[] = [];
    for (;;) {
      if (q.length < 2) break;
      if (q.at(0) !== LDS01_SYNC || !isLds01Index(q.at(1))) {
        q.drop(1);
        this.stats.skippedBytes++;
        continue;
      }
      const structural = this.state === 'unused';
      if (q.length < LDS01_PACKET_BYTES + (structural ? 2 : 0)) break;
      const bytes = q.peek(LDS01_PACKET_BYTES);
      let ok: boolean;
      if (structural) {
        ok = q.at(LDS01_PACKET_BYTES) === LDS01_SYNC && isLds01Index(q.at(LDS01_PACKET_BYTES + 1));
      } else {
        ok = lds01ChecksumOk(bytes);
        if (this.state === 'unknown') {
          if (ok) this.matches++;
          else this.mismatches++;
          if (this.matches >= CHECKSUM_CONFIRM && this.matches >= this.mismatches) this.state = 'confirmed';
          else if (this.mismatches >= LDS01_PACKETS_PER_REV && this.mismatches >= CHECKSUM_MISMATCH_RATIO * this.matches) this.state = 'unused';
        }
      }
      if (!ok) {
        this.stats.rejected++;
        this.stats.rejectedBy.checksum++;
        q.drop(1);
        continue;
      }
      out.push(decodeLds01Packet(bytes));
      this.stats.frames++;
      q.drop(LDS01_PACKET_BYTES);
    }
    return out;
  }
}

// =====================================================================================
// LDS-02 (LD08)
// =====================================================================================
//
// Device → host only (the e-Manual: "one-way communication … without any instruction
// packet"), 47-byte frames, little-endian (lipkg.hpp LiDARFrameTypeDef):
//   [0]      0x54 header
//   [1]      ver_len 0x2C: 3 bits version, 5 bits points per frame (12). LiPkg::Parse also
//            accepts 0xEC (0x2C | 7 << 5); so do we.
//   [2..3]   speed, degrees per second
//   [4..5]   start angle, 0.01°
//   [6..41]  12 points: distance u16 mm (0 = no return), confidence u8
//   [42..43] end angle, 0.01°
//   [44..45] timestamp, ms (wraps at 30000 per LDRobot's LD06/LD19 manuals, same frame)
//   [46]     CRC-8 of bytes 0..45: table-driven, polynomial 0x4D, initial 0, no reflection
//            (CrcTable in lipkg.cpp is exactly this polynomial's table).
// LiPkg::Parse spreads the points evenly: step = ((end + 36000 − start) mod 36000) / 11 in
// whole 0.01° (integer division), point i at start + i·step, wrapped below 360°; it rejects a
// frame whose span exceeds 1.5× what the speed covers in 12 samples at the fixed 2300 Hz.

export const LDS02_HEADER = 0x54;
export const LDS02_VER_LEN = 0x2c;
/** Also accepted by LiPkg::Parse. */
export const LDS02_VER_LEN_ALT = LDS02_VER_LEN | (0x07 << 5);
export const LDS02_POINTS_PER_FRAME = 12;
export const LDS02_FRAME_BYTES = 47;
/** Samples per second, fixed (e-Manual "Sampling Rate 2.3kHz (Fixed)"; Parse's 2300). */
export const LDS02_SAMPLE_HZ = 2300;
/** Timestamps count ms and restart at this value. */
export const LDS02_TIMESTAMP_WRAP = 30000;

/** CRC-8, polynomial 0x4D, MSB first: entry i is the CRC of the single byte i. */
export const LDS02_CRC_TABLE: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 0x80 ? ((c << 1) ^ 0x4d) & 0xff : (c << 1) & 0xff;
    t[i] = c;
  }
  return t;
})();

export function lds02Crc8(bytes: Uint8Array, offset = 0, length = LDS02_FRAME_BYTES - 1): number {
  let crc = 0;
  for (let i = 0; i < length; i++) crc = LDS02_CRC_TABLE[(crc ^ bytes[offset + i]!) & 0xff]!;
  return crc;
}

export interface Lds02Point {
  /** Device angle: degrees clockwise from the lidar's forward axis, [0, 360). */
  angleDeg: number;
  /** Raw distance, mm (before the triangulation correction); 0 = no return. */
  distanceMm: number;
  confidence: number;
}

export interface Lds02Frame {
  verLen: number;
  /** Degrees per second. */
  speedDegPerS: number;
  /** 0.01°. */
  startAngle: number;
  /** 0.01°. */
  endAngle: number;
  /** ms, wraps at 30000. */
  timestampMs: number;
  points: Lds02Point[];
}

/** The device angles (degrees) of a frame's 12 points, as LiPkg::Parse spreads them. */
export function lds02PointAngles(startAngle: number, endAngle: number): number[] {
  const diff = (((endAngle + 36000 - startAngle) % 36000) + 36000) % 36000;
  const step = Math.floor(diff / (LDS02_POINTS_PER_FRAME - 1));
  const out: number[] = [];
  for (let i = 0; i < LDS02_POINTS_PER_FRAME; i++) {
    let a = (startAngle + i * step) / 100;
    if (a >= 360) a -= 360;
    out.push(a);
  }
  return out;
}

/**
 * Encodes a frame (emulators, tests). Give `endAngle`, or `stepAngle` (0.01° between points)
 * to have the end written as start + 11·step.
 */
export function encodeLds02Frame(f: {
  speedDegPerS: number;
  startAngle: number;
  endAngle?: number;
  stepAngle?: number;
  timestampMs: number;
  points: { distanceMm: number; confidence?: number }[];
  verLen?: number;
}): Uint8Array {
  const out = new Uint8Array(LDS02_FRAME_BYTES);
  const start = ((Math.round(f.startAngle) % 36000) + 36000) % 36000;
  const end = f.endAngle !== undefined
    ? ((Math.round(f.endAngle) % 36000) + 36000) % 36000
    : (start + (LDS02_POINTS_PER_FRAME - 1) * Math.round(f.stepAngle ?? 0)) % 36000;
  const speed = u16(f.speedDegPerS);
  const ts = ((Math.round(f.timestampMs) % LDS02_TIMESTAMP_WRAP) + LDS02_TIMESTAMP_WRAP) % LDS02_TIMESTAMP_WRAP;
  out[0] = LDS02_HEADER;
  out[1] = f.verLen ?? LDS02_VER_LEN;
  out[2] = speed & 0xff;
  out[3] = speed >> 8;
  out[4] = start & 0xff;
  out[5] = start >> 8;
  for (let i = 0; i < LDS02_POINTS_PER_FRAME; i++) {
    const p = f.points[i] ?? { distanceMm: 0 };
    const d = u16(p.distanceMm);
    const o = 6 + 3 * i;
    out[o] = d & 0xff;
    out[o + 1] = d >> 8;
    out[o + 2] = Math.max(0, Math.min(255, Math.round(p.confidence ?? 0)));
  }
  out[42] = end & 0xff;
  out[43] = end >> 8;
  out[44] = ts & 0xff;
  out[45] = ts >> 8;
  out[46] = lds02Crc8(out);
  return out;
}

/** Decodes the frame at `offset` without validating it (see Lds02Decoder). */
export function decodeLds02Frame(b: Uint8Array, offset = 0): Lds02Frame {
  const rd16 = (i: number): number => b[offset + i]! | (b[offset + i + 1]! << 8);
  const startAngle = rd16(4);
  const endAngle = rd16(42);
  const angles = lds02PointAngles(startAngle, endAngle);
  const points: Lds02Point[] = [];
  for (let i = 0; i < LDS02_POINTS_PER_FRAME; i++) {
    points.push({ angleDeg: angles[i]!, distanceMm: rd16(6 + 3 * i), confidence: b[offset + 8 + 3 * i]! });
  }
  return { verLen: b[offset + 1]!, speedDegPerS: rd16(2), startAngle, endAngle, timestampMs: rd16(44), points };
}

/** LiPkg::Parse's plausibility check: the frame spans no more than 1.5× what its speed covers in 12 samples. */
export function lds02SpanOk(f: Pick<Lds02Frame, 'speedDegPerS' | 'startAngle' | 'endAngle'>): boolean {
  const spanDeg = ((((f.endAngle - f.startAngle) % 36000) + 36000) % 36000) / 100;
  return spanDeg <= ((f.speedDegPerS * LDS02_POINTS_PER_FRAME) / LDS02_SAMPLE_HZ) * 1.5;
}

/**
 * Streaming LDS-02 decoder: chunks of any size in, frames out. A candidate starts 0x54 0x2C
 * (or 0x54 0xEC); others are skipped a byte at a time. A bad CRC drops only the header byte
 * (a real frame may start inside the bad one); a frame with a good CRC but an implausible span
 * is dropped whole, as LiPkg::Parse does.
 */
export class Lds02Decoder {
  readonly stats: LdsDecoderStats = newStats();
  private readonly queue = new ByteQueue(64 * LDS02_FRAME_BYTES);

  reset(): void {
    this.queue.clear();
  }

  push(chunk: Uint8Array): Lds02Frame[] {
    const q = this.queue;
    q.push(chunk);
    const out: Lds02Frame[] = [];
    for (;;) {
      if (q.length < 2) break;
      const v = q.at(1);
      if (q.at(0) !== LDS02_HEADER || (v !== LDS02_VER_LEN && v !== LDS02_VER_LEN_ALT)) {
        q.drop(1);
        this.stats.skippedBytes++;
        continue;
      }
      if (q.length < LDS02_FRAME_BYTES) break;
      const bytes = q.peek(LDS02_FRAME_BYTES);
      if (lds02Crc8(bytes) !== bytes[LDS02_FRAME_BYTES - 1]) {
        this.stats.rejected++;
        this.stats.rejectedBy.checksum++;
        q.drop(1);
        continue;
      }
      const frame = decodeLds02Frame(bytes);
      q.drop(LDS02_FRAME_BYTES);
      if (!lds02SpanOk(frame)) {
        this.stats.rejected++;
        this.stats.rejectedBy.span++;
        continue;
      }
      this.stats.frames++;
      out.push(frame);
    }
    return out;
  }
}

// LD08 geometry (transform.cpp, SlTransform for LD_EIGHT). The LD08 is a triangulation lidar
// whose laser does not pass through the turntable's axis, and it turns clockwise ("The default
// direction of radar rotation is clockwise"). For a raw distance d (mm) at device angle θ, the
// point sits at (d + 5.9, 0.11923·d − 20.14) mm in the frame of the rotating head; ROBOTIS's
// driver reports it at range hypot(x, y) and angle 360° − θ + atan(y/x) (right-handed, i.e.
// counter-clockwise, with device 0° straight ahead). The correction grows with distance: about
// +1° at 0.2 m, +5.6° at 1 m, approaching atan(0.11923) = 6.8° far away.
const LD08_OFFSET_X_MM = 5.9;
const LD08_OFFSET_Y_MM = -20.14;
const LD08_SLOPE = 0.11923;

/** The correction added to the counter-clockwise angle for raw distance d, radians. */
export function lds02ShiftRad(distanceMm: number): number {
  return Math.atan((distanceMm * LD08_SLOPE + LD08_OFFSET_Y_MM) / (distanceMm + LD08_OFFSET_X_MM));
}

/**
 * One LD08 point in REP 103: angle in the lidar frame, radians in (−π, π], and range in
 * metres from the turntable's axis. A raw distance of 0 (no return; the driver filters these
 * before transforming) gives range 0.
 */
export function lds02ToRep103(deviceAngleDeg: number, distanceMm: number): { angleRad: number; rangeM: number } {
  if (!(distanceMm > 0)) return { angleRad: wrapAngle(-deviceAngleDeg * DEG), rangeM: 0 };
  const x = distanceMm + LD08_OFFSET_X_MM;
  const y = distanceMm * LD08_SLOPE + LD08_OFFSET_Y_MM;
  return { angleRad: wrapAngle(-deviceAngleDeg * DEG + Math.atan(y / x)), rangeM: Math.hypot(x, y) / 1000 };
}

/**
 * The raw distance (mm) the LD08 reports for a point at `rangeMm` from its axis: the inverse
 * of lds02ToRep103's range, (d + ox)² + (k·d + oy)² = r². Null when no distance gives it
 * (closer than the laser's offset from the axis, about 21 mm).
 */
export function lds02RawDistanceForRange(rangeMm: number): number | null {
  const a = 1 + LD08_SLOPE * LD08_SLOPE;
  const b = 2 * (LD08_OFFSET_X_MM + LD08_SLOPE * LD08_OFFSET_Y_MM);
  const c = LD08_OFFSET_X_MM * LD08_OFFSET_X_MM + LD08_OFFSET_Y_MM * LD08_OFFSET_Y_MM - rangeMm * rangeMm;
  const disc = b * b - 4 * a * c;
  if (!(disc >= 0)) return null;
  const d = (-b + Math.sqrt(disc)) / (2 * a);
  return d > 0 ? d : null;
}

// =====================================================================================
// Revolutions
// =====================================================================================

/** One measurement in REP 103: lidar frame, counter-clockwise radians (−π, π], metres (0 = no return). */
export interface LdsSample {
  angleRad: number;
  rangeM: number;
}

export interface LdsRevolution {
  samples: LdsSample[];
  /** Host time the revolution's first packet arrived, ms. */
  startMs: number;
  /** The device's own speed report, revolutions per second (0 if it reported none). */
  deviceRateHz: number;
}

/**
 * Cuts LDS-01 packets into revolutions: packet 0 (index 0xA0) starts one, packet 59 completes
 * it. A revolution whose start was not seen (the port opened mid-revolution) is dropped; one
 * whose packets stopped before 59 (packets rejected) is handed on when the next starts, its
 * missing readings simply absent.
 */
export class Lds01RevolutionAssembler {
  private current: { samples: LdsSample[]; startMs: number; rpmSum: number; packets: number; whole: boolean } | null = null;
  private lastIndex = -1;

  reset(): void {
    this.current = null;
    this.lastIndex = -1;
  }

  push(p: Lds01Packet, atMs: number): LdsRevolution | null {
    let done: LdsRevolution | null = null;
    if (this.current === null || p.index <= this.lastIndex) {
      if (this.current?.whole) done = this.finish(this.current);
      // Whole when it starts at packet 0, or right after a revolution we saw end.
      this.current = { samples: [], startMs: atMs, rpmSum: 0, packets: 0, whole: p.index === 0 || this.current !== null };
    }
    const cur = this.current;
    this.lastIndex = p.index;
    cur.rpmSum += lds01Rpm(p);
    cur.packets++;
    for (let r = 0; r < p.readings.length; r++) {
      cur.samples.push({ angleRad: lds01ReadingAngleRad(p.index * LDS01_READINGS_PER_PACKET + r), rangeM: p.readings[r]!.rangeMm / 1000 });
    }
    if (p.index === LDS01_PACKETS_PER_REV - 1 && cur.whole) {
      done = this.finish(cur);
      cur.whole = false; // handed on; the next packet starts a new one
    }
    return done;
  }

  private finish(c: { samples: LdsSample[]; startMs: number; rpmSum: number; packets: number }): LdsRevolution {
    return { samples: c.samples, startMs: c.startMs, deviceRateHz: c.packets > 0 ? c.rpmSum / c.packets / 60 : 0 };
  }
}

/**
 * Cuts LDS-02 frames into revolutions where the device angle wraps from near 360° back to near
 * 0° (LiPkg::AssemblePacket: a drop of more than 350°; we take more than 180°, which also
 * survives a lost frame around the wrap). Points before the first wrap (a partial revolution)
 * are dropped. A revolution is stamped with the arrival of the frame holding its first point.
 */
export class Lds02RevolutionAssembler {
  private current: { samples: LdsSample[]; startMs: number; speedSum: number; frames: number } | null = null;
  private lastAngle: number | null = null;

  reset(): void {
    this.current = null;
    this.lastAngle = null;
  }

  push(f: Lds02Frame, atMs: number): LdsRevolution[] {
    const out: LdsRevolution[] = [];
    let counted = false;
    for (const p of f.points) {
      if (this.lastAngle !== null && p.angleDeg - this.lastAngle < -180) {
        if (this.current) out.push(this.finish(this.current));
        this.current = { samples: [], startMs: atMs, speedSum: 0, frames: 0 };
        counted = false;
      }
      this.lastAngle = p.angleDeg;
      const cur = this.current;
      if (!cur) continue;
      if (!counted) {
        cur.speedSum += f.speedDegPerS;
        cur.frames++;
        counted = true;
      }
      const s = lds02ToRep103(p.angleDeg, p.distanceMm);
      cur.samples.push(s);
    }
    return out;
  }

  private finish(c: { samples: LdsSample[]; startMs: number; speedSum: number; frames: number }): LdsRevolution {
    return { samples: c.samples, startMs: c.startMs, deviceRateHz: c.frames > 0 ? c.speedSum / c.frames / 360 : 0 };
  }
}
