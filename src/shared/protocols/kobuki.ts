/**
 * The Yujin Kobuki (TurtleBot 2) serial protocol, from its public specification:
 *
 *  - kobuki_core's protocol appendix (docs "Serial Protocol", kobuki-base/kobuki_documentation
 *    doc/protocol.rst; formerly "Appendix : Protocol Specification" of kobuki_driver), and
 *  - kobuki_core itself (kobuki-base/kobuki_core): src/driver/kobuki.cpp (PacketFinder::checkSum,
 *    Kobuki::spin, fixPayload), include/kobuki_core/packets/*.hpp (sub-payload layouts),
 *    src/driver/command.cpp (command layouts), src/driver/diff_drive.cpp (velocityCommands:
 *    (v, w) → speed/radius, and the encoder odometry), src/driver/battery.cpp (battery percent),
 *    doc "Conversions" (ticks per metre) and "Specifications" (115200 8N1, 50 Hz stream).
 *
 * One frame, both directions (commands to the robot, feedback from it):
 *
 *     0xAA 0x55 | length (1 byte) | payload (length bytes) | checksum (1 byte)
 *
 * The checksum is the XOR of the length byte and every payload byte, so XOR-ing the length,
 * payload and checksum together gives 0. The payload is a run of sub-payloads, each
 * `id (1) | length (1) | data (length)`; multi-byte fields are little-endian. The robot streams
 * one feedback frame every 20 ms (50 Hz) carrying Basic Sensor Data, Inertial Sensor Data and
 * the rest, plus any extra sub-payloads the host requested in the previous cycle.
 *
 * Pure: no Node APIs. Used by the driver (src/main/robot/kobuki) and by the emulated firmware
 * (src/sim/emulators/kobuki.ts).
 */
import { ByteQueue } from '../wire/byte-queue';

export const KOBUKI_HEADER_0 = 0xaa;
export const KOBUKI_HEADER_1 = 0x55;
/** The spec's smallest payload: one sub-payload with one data byte (id, length, data). */
export const KOBUKI_MIN_PAYLOAD = 3;
/** The length field is one byte. */
export const KOBUKI_MAX_PAYLOAD = 255;

/** Distance between the wheel centres, m (doc "Conversions": bias 230 mm). */
export const KOBUKI_WHEEL_BASE = 0.23;
/** Wheel radius, m (doc "Conversions": 35 mm). */
export const KOBUKI_WHEEL_RADIUS = 0.035;
/**
 * Encoder ticks per metre of wheel travel (doc "Conversions": 11724.41658029856 tick/m; from
 * 52 ticks a motor turn, 6545/132 gearing, so 2578.33 ticks a wheel turn, and r = 35 mm;
 * diff_drive.cpp tick_to_rad 0.002436916871363930187454).
 */
export const KOBUKI_TICKS_PER_METRE = 11724.41658029856;
/** Feedback stream rate, Hz (doc "Specifications": sensor data rate 50 Hz). */
export const KOBUKI_STREAM_HZ = 50;
/** The firmware major version kobuki_core speaks to (firmware.cpp COMPATIBLE_MAJOR_VERSION). */
export const KOBUKI_COMPATIBLE_FIRMWARE_MAJOR = 1;

/** Command sub-payload ids (protocol "Command Identifiers"). */
export const KobukiCommandId = {
  BaseControl: 1,
  Sound: 3,
  SoundSequence: 4,
  RequestExtra: 9,
  GeneralPurposeOutput: 12,
  SetControllerGain: 13,
  GetControllerGain: 14,
} as const;

/** Feedback sub-payload ids (protocol "Feedback Identifiers"; payload_headers.hpp). */
export const KobukiFeedbackId = {
  BasicSensorData: 1,
  DockingIr: 3,
  InertialSensor: 4,
  Cliff: 5,
  Current: 6,
  HardwareVersion: 10,
  FirmwareVersion: 11,
  RawGyro: 13,
  GeneralPurposeInput: 16,
  UniqueDeviceId: 19,
  ControllerInfo: 21,
} as const;

/** Request Extra flags (protocol "Request Extra"). */
export const KobukiRequestFlag = {
  HardwareVersion: 0x01,
  FirmwareVersion: 0x02,
  UniqueDeviceId: 0x08,
} as const;

/** Bits of the Basic Sensor Data flag bytes (protocol "Basic Sensor Data"; core_sensors.hpp Flags). */
export const KobukiBumper = { Right: 0x01, Centre: 0x02, Left: 0x04 } as const;
export const KobukiWheelDrop = { Right: 0x01, Left: 0x02 } as const;
export const KobukiCliff = { Right: 0x01, Centre: 0x02, Left: 0x04 } as const;
export const KobukiOvercurrent = { Left: 0x01, Right: 0x02 } as const;
/** Charger byte: the low nibble is the state, 0x10 says the source is the adapter (else the dock). */
export const KobukiCharger = { Discharging: 0, Charged: 2, Charging: 6, StateMask: 0x0f, Adapter: 0x10 } as const;

// ── Little-endian fields ─────────────────────────────────────────────────────────────

function u16(b: Uint8Array, i: number): number {
  return b[i]! | (b[i + 1]! << 8);
}
function s16(b: Uint8Array, i: number): number {
  return (u16(b, i) << 16) >> 16;
}
function u32(b: Uint8Array, i: number): number {
  return (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
}
function putU16(b: Uint8Array, i: number, v: number): void {
  b[i] = v & 0xff;
  b[i + 1] = (v >>> 8) & 0xff;
}
function putU32(b: Uint8Array, i: number, v: number): void {
  putU16(b, i, v & 0xffff);
  putU16(b, i + 2, (v >>> 16) & 0xffff);
}

/** Nearest integer, halves away from zero (so +x and −x encode symmetrically). */
function roundHalfAway(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}
/** Clamps to the signed 16-bit range of the Base Control fields. */
function toInt16(x: number): number {
  return Math.max(-32768, Math.min(32767, roundHalfAway(x)));
}

// ── Frames ────────────────────────────────────────────────────────────────────────────

/** One sub-payload: its id and its data (without the id and length bytes). */
export interface KobukiSubPayload {
  id: number;
  data: Uint8Array;
}

/** `id | length | data` as bytes. */
export function encodeSubPayload(id: number, data: Uint8Array): Uint8Array {
  if (data.length > KOBUKI_MAX_PAYLOAD - 2) throw new RangeError(`Kobuki sub-payload ${id} is ${data.length} bytes; at most ${KOBUKI_MAX_PAYLOAD - 2} fit`);
  const out = new Uint8Array(2 + data.length);
  out[0] = id;
  out[1] = data.length;
  out.set(data, 2);
  return out;
}

/** XOR of the bytes: the checksum of `length | payload`. */
export function xorChecksum(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let cs = 0;
  for (let i = start; i < end; i++) cs ^= bytes[i]!;
  return cs;
}

/** A whole frame from encoded sub-payloads (see `encodeSubPayload` and the builders below). */
export function encodeFrame(subPayloads: readonly Uint8Array[]): Uint8Array {
  const length = subPayloads.reduce((n, s) => n + s.length, 0);
  if (length < KOBUKI_MIN_PAYLOAD || length > KOBUKI_MAX_PAYLOAD) throw new RangeError(`Kobuki payload of ${length} bytes; the length byte holds ${KOBUKI_MIN_PAYLOAD}–${KOBUKI_MAX_PAYLOAD}`);
  const out = new Uint8Array(4 + length);
  out[0] = KOBUKI_HEADER_0;
  out[1] = KOBUKI_HEADER_1;
  out[2] = length;
  let at = 3;
  for (const s of subPayloads) {
    out.set(s, at);
    at += s.length;
  }
  out[at] = xorChecksum(out, 2, at);
  return out;
}

/**
 * Splits a payload into sub-payloads, skipping none: every id, known or not, is framed by its
 * own length byte (kobuki.cpp fixPayload skips unknown ids by it). A sub-payload that claims
 * more bytes than the payload has left, or a lone trailing byte, makes the payload malformed.
 */
export function splitSubPayloads(payload: Uint8Array): { ok: true; subPayloads: KobukiSubPayload[] } | { ok: false; detail: string } {
  const subPayloads: KobukiSubPayload[] = [];
  let at = 0;
  while (at < payload.length) {
    if (payload.length - at < 2) return { ok: false, detail: `1 stray byte after the last sub-payload (at offset ${at})` };
    const id = payload[at]!;
    const length = payload[at + 1]!;
    if (at + 2 + length > payload.length) {
      return { ok: false, detail: `sub-payload id ${id} claims ${length} data bytes but only ${payload.length - at - 2} are left in the frame` };
    }
    subPayloads.push({ id, data: payload.subarray(at + 2, at + 2 + length) });
    at += 2 + length;
  }
  return { ok: true, subPayloads };
}

export type KobukiBadFrameReason = 'garbage' | 'checksum' | 'length';

export type KobukiDecodeEvent =
  | { kind: 'frame'; subPayloads: KobukiSubPayload[] }
  | { kind: 'bad'; reason: KobukiBadFrameReason; detail: string };

export interface KobukiDecoderStats {
  frames: number;
  checksumErrors: number;
  lengthErrors: number;
  garbageBytes: number;
}

/**
 * Streaming frame decoder: bytes in any chunking, whole checked frames out. Resynchronises by
 * scanning for `AA 55`; a frame that fails its checksum (a corrupt byte, a wrong or truncated
 * length) is dropped one byte at a time, so a good frame hiding behind a bad length byte is
 * still found. A frame whose checksum holds but whose sub-payloads do not add up to its
 * length is dropped whole ('length'). Each bad frame is reported once: the bytes skipped
 * from it to the next good frame are part of the same fault.
 */
export class KobukiFrameDecoder {
  private readonly queue = new ByteQueue(8192);
  /**
   * Set from a bad frame until the next good one: the bytes skipped meanwhile (the rest of the
   * bad frame, false headers inside it) are the same fault, not reported or counted again.
   */
  private resyncing = false;
  readonly stats: KobukiDecoderStats = { frames: 0, checksumErrors: 0, lengthErrors: 0, garbageBytes: 0 };

  /** Bytes held waiting for the rest of a frame. */
  get pending(): number {
    return this.queue.length;
  }

  reset(): void {
    this.queue.clear();
    this.resyncing = false;
  }

  push(bytes: Uint8Array): KobukiDecodeEvent[] {
    this.queue.push(bytes);
    const out: KobukiDecodeEvent[] = [];
    const q = this.queue;
    for (;;) {
      // Resync: drop everything before the next `AA 55` (keeping a trailing 0xAA: its 0x55 may follow).
      let skip = 0;
      while (skip < q.length && !(q.at(skip) === KOBUKI_HEADER_0 && (skip + 1 >= q.length || q.at(skip + 1) === KOBUKI_HEADER_1))) skip++;
      if (skip > 0) {
        q.drop(skip);
        if (!this.resyncing) {
          this.stats.garbageBytes += skip;
          out.push({ kind: 'bad', reason: 'garbage', detail: `${skip} byte${skip === 1 ? '' : 's'} outside any frame, skipped` });
        }
      }
      if (q.length < 3) return out;
      const length = q.at(2);
      if (length < KOBUKI_MIN_PAYLOAD) {
        if (!this.resyncing) {
          this.stats.lengthErrors++;
          out.push({ kind: 'bad', reason: 'length', detail: `length byte ${length} is below the spec's minimum of ${KOBUKI_MIN_PAYLOAD}` });
          this.resyncing = true;
        }
        q.drop(1);
        continue;
      }
      const total = 3 + length + 1;
      if (q.length < total) return out;
      const frame = q.peek(total);
      if (xorChecksum(frame, 2, total) !== 0) {
        if (!this.resyncing) {
          const expected = xorChecksum(frame, 2, total - 1);
          this.stats.checksumErrors++;
          out.push({ kind: 'bad', reason: 'checksum', detail: `checksum 0x${hex(frame[total - 1]!)} ≠ 0x${hex(expected)} over a ${length}-byte payload` });
          this.resyncing = true;
        }
        // One byte only: a good frame may start inside what a corrupt length byte claimed.
        q.drop(1);
        continue;
      }
      // Copy: the queue's view is only valid until the next push.
      const payload = frame.slice(3, 3 + length);
      q.drop(total);
      this.resyncing = false;
      const split = splitSubPayloads(payload);
      if (!split.ok) {
        this.stats.lengthErrors++;
        out.push({ kind: 'bad', reason: 'length', detail: split.detail });
        continue;
      }
      this.stats.frames++;
      out.push({ kind: 'frame', subPayloads: split.subPayloads });
    }
  }
}

function hex(b: number): string {
  return b.toString(16).padStart(2, '0');
}

// ── Commands (host → robot) ────────────────────────────────────────────────────────────

/** Base Control: arc speed (mm/s) and radius (mm), both int16 (protocol "Base Control"). */
export interface KobukiBaseControl {
  speed: number;
  radius: number;
}

/** The Base Control sub-payload (id 1, 4 bytes: speed int16, radius int16). */
export function encodeBaseControl(c: KobukiBaseControl): Uint8Array {
  const data = new Uint8Array(4);
  putU16(data, 0, toInt16(c.speed) & 0xffff);
  putU16(data, 2, toInt16(c.radius) & 0xffff);
  return encodeSubPayload(KobukiCommandId.BaseControl, data);
}

/** The Request Extra sub-payload (id 9, 2 bytes of KobukiRequestFlag). */
export function encodeRequestExtra(flags: number): Uint8Array {
  const data = new Uint8Array(2);
  putU16(data, 0, flags);
  return encodeSubPayload(KobukiCommandId.RequestExtra, data);
}

const STRAIGHT_EPSILON = 1e-4; // diff_drive.cpp: epsilon for "no rotation" and "no translation"

/**
 * Body velocity (v m/s, w rad/s, base_link, REP 103: w > 0 turns left) → Base Control, the
 * way kobuki_core's DiffDrive::velocityCommands does it and the protocol's conversion table
 * says:
 *
 *  - straight (|w| < 1e-4): speed = v, radius 0;
 *  - on the spot (|v| < 1e-4, or the radius rounds to ±1 mm or less): speed = w·b/2, radius 1
 *    (the speed of the right wheel; positive turns counter-clockwise);
 *  - an arc: radius = v/w (positive: centre on the left), and speed is the outer wheel's
 *    speed, (radius ± b/2)·w (+ for radius > 0, − for radius < 0).
 *
 * Two deliberate differences from kobuki_core at the edges of the int16 fields, where it
 * truncates: values are rounded, a radius that rounds to ±1 mm is sent as the documented pure
 * rotation (kobuki_core can send −1, whose meaning the spec leaves open), and a radius beyond
 * ±32767 mm (a nearly straight arc) is sent as the widest representable arc when that is closer
 * to the asked turn rate than going straight, else as straight.
 */
export function velocityToBaseControl(v: number, w: number, wheelBase = KOBUKI_WHEEL_BASE): KobukiBaseControl {
  if (!Number.isFinite(v) || !Number.isFinite(w)) return { speed: 0, radius: 0 };
  const halfBaseMm = (wheelBase * 1000) / 2;
  const vMm = v * 1000;
  if (Math.abs(w) < STRAIGHT_EPSILON) return { speed: toInt16(vMm), radius: 0 };
  const radiusMm = vMm / w;
  if (Math.abs(v) < STRAIGHT_EPSILON || Math.abs(roundHalfAway(radiusMm)) <= 1) return { speed: toInt16(halfBaseMm * w), radius: 1 };
  if (Math.abs(radiusMm) > 32767) {
    // The widest arc the field holds turns at |v|/(32767 mm + b/2).
    const widestW = Math.abs(vMm) / (32767 + halfBaseMm);
    if (Math.abs(w) < widestW / 2) return { speed: toInt16(vMm), radius: 0 };
    const radius = Math.sign(radiusMm) * 32767;
    // Keep the asked linear speed: the firmware drives the centre at speed·R/(R ± b/2).
    return { speed: toInt16((vMm * (radius + Math.sign(radius) * halfBaseMm)) / radius), radius };
  }
  const radius = roundHalfAway(radiusMm);
  return { speed: toInt16((radius + Math.sign(radius) * halfBaseMm) * w), radius };
}

/**
 * Base Control → body velocity, as the firmware follows it (the inverse of the conversion
 * table): radius 0 drives straight at `speed`; radius ±1 turns on the spot with the wheels at
 * ±speed (w = speed/(b/2); the spec documents +1, and −1 is taken as its mirror); any other
 * radius drives the arc whose outer wheel runs at `speed`: w = speed/(R ± b/2), v = w·R.
 */
export function baseControlToVelocity(c: KobukiBaseControl, wheelBase = KOBUKI_WHEEL_BASE): { v: number; w: number } {
  const halfBaseMm = (wheelBase * 1000) / 2;
  if (c.radius === 0) return { v: c.speed / 1000, w: 0 };
  if (Math.abs(c.radius) === 1) return { v: 0, w: (Math.sign(c.radius) * c.speed) / halfBaseMm };
  const w = c.speed / (c.radius + Math.sign(c.radius) * halfBaseMm);
  return { v: (w * c.radius) / 1000, w };
}

/** What a command frame asked for, in order. */
export type KobukiCommand =
  | { kind: 'base-control'; speed: number; radius: number }
  | { kind: 'request-extra'; flags: number }
  | { kind: 'other'; id: number; data: Uint8Array };

/**
 * The commands in a frame's sub-payloads (the firmware's side). A Base Control or Request
 * Extra of the wrong length is reported as malformed and not obeyed.
 */
export function decodeCommands(subPayloads: readonly KobukiSubPayload[]): { commands: KobukiCommand[]; malformed: { id: number; length: number }[] } {
  const commands: KobukiCommand[] = [];
  const malformed: { id: number; length: number }[] = [];
  for (const { id, data } of subPayloads) {
    if (id === KobukiCommandId.BaseControl) {
      if (data.length === 4) commands.push({ kind: 'base-control', speed: s16(data, 0), radius: s16(data, 2) });
      else malformed.push({ id, length: data.length });
    } else if (id === KobukiCommandId.RequestExtra) {
      if (data.length === 2) commands.push({ kind: 'request-extra', flags: u16(data, 0) });
      else malformed.push({ id, length: data.length });
    } else {
      commands.push({ kind: 'other', id, data });
    }
  }
  return { commands, malformed };
}

// ── Feedback (robot → host) ──────────────────────────────────────────────────────────────

/** Basic Sensor Data (id 1, 15 bytes; protocol "Basic Sensor Data", core_sensors.hpp). */
export interface KobukiBasicSensorData {
  /** Firmware clock, ms, wraps at 65536. */
  timestampMs: number;
  /** KobukiBumper bits. */
  bumper: number;
  /** KobukiWheelDrop bits. */
  wheelDrop: number;
  /** KobukiCliff bits. */
  cliff: number;
  /** Accumulated ticks, uint16 wrapping; increasing is forward for both wheels. */
  leftEncoder: number;
  rightEncoder: number;
  /** Signed PWM applied to each motor; negative is backwards. */
  leftPwm: number;
  rightPwm: number;
  /** Button bits (0x01 B0, 0x02 B1, 0x04 B2). */
  buttons: number;
  /** KobukiCharger state and source. */
  charger: number;
  /** Battery voltage, 0.1 V. */
  battery: number;
  /** KobukiOvercurrent bits. */
  overCurrent: number;
}

/** Inertial Sensor Data (id 4, 7 bytes): z-axis gyro heading and rate, factory calibrated. */
export interface KobukiInertialData {
  /** Heading, 0.01° (int16), zero wherever the gyro started. */
  angle: number;
  /** Rate, 0.01°/s (int16). */
  angleRate: number;
}

export interface KobukiVersion {
  major: number;
  minor: number;
  patch: number;
}

/** What one feedback frame carried, decoded; ids the console does not read are listed and skipped. */
export interface KobukiFeedback {
  basic: KobukiBasicSensorData | null;
  inertial: KobukiInertialData | null;
  /** Cliff PSD ADC readings (id 5): right, centre, left; 0–4095. */
  cliffAdc: [number, number, number] | null;
  /** Motor currents (id 6), 10 mA: left, right. */
  current: [number, number] | null;
  hardwareVersion: KobukiVersion | null;
  firmwareVersion: KobukiVersion | null;
  /** Unique Device ID (id 19): three uint32. */
  udid: [number, number, number] | null;
  /** Ids skipped by their length (docking IR, raw gyro, general purpose input, unknown…). */
  skipped: number[];
  /** Known ids whose length is not the spec's: skipped, and worth reporting. */
  malformed: { id: number; length: number }[];
}

/**
 * The pre-1.1.2 firmwares sent versions as a 2-byte number (hardware.hpp, firmware.cpp map
 * the ones that existed); anything else of that form is unknown.
 */
const LEGACY_VERSIONS: Record<number, Record<number, KobukiVersion>> = {
  [KobukiFeedbackId.HardwareVersion]: { 104: { major: 1, minor: 0, patch: 4 } },
  [KobukiFeedbackId.FirmwareVersion]: {
    123: { major: 1, minor: 0, patch: 0 },
    110: { major: 1, minor: 1, patch: 0 },
    10100: { major: 1, minor: 1, patch: 0 },
    111: { major: 1, minor: 1, patch: 1 },
    10101: { major: 1, minor: 1, patch: 1 },
  },
};

function decodeVersion(id: number, data: Uint8Array): KobukiVersion | null {
  // Protocol "Hardware/Firmware Version": patch, minor, major, unused.
  if (data.length === 4) return { major: data[2]!, minor: data[1]!, patch: data[0]! };
  if (data.length === 2) return LEGACY_VERSIONS[id]?.[u16(data, 0)] ?? null;
  return null;
}

export function formatVersion(v: KobukiVersion): string {
  return `${v.major}.${v.minor}.${v.patch}`;
}

/** Reads a feedback frame's sub-payloads; sub-payloads of unexpected length are skipped and listed. */
export function decodeFeedback(subPayloads: readonly KobukiSubPayload[]): KobukiFeedback {
  const fb: KobukiFeedback = { basic: null, inertial: null, cliffAdc: null, current: null, hardwareVersion: null, firmwareVersion: null, udid: null, skipped: [], malformed: [] };
  for (const { id, data } of subPayloads) {
    const bad = () => fb.malformed.push({ id, length: data.length });
    switch (id) {
      case KobukiFeedbackId.BasicSensorData:
        if (data.length !== 15) bad();
        else
          fb.basic = {
            timestampMs: u16(data, 0),
            bumper: data[2]!,
            wheelDrop: data[3]!,
            cliff: data[4]!,
            leftEncoder: u16(data, 5),
            rightEncoder: u16(data, 7),
            leftPwm: (data[9]! << 24) >> 24,
            rightPwm: (data[10]! << 24) >> 24,
            buttons: data[11]!,
            charger: data[12]!,
            battery: data[13]!,
            overCurrent: data[14]!,
          };
        break;
      case KobukiFeedbackId.InertialSensor:
        if (data.length !== 7) bad();
        else fb.inertial = { angle: s16(data, 0), angleRate: s16(data, 2) };
        break;
      case KobukiFeedbackId.Cliff:
        if (data.length !== 6) bad();
        else fb.cliffAdc = [u16(data, 0), u16(data, 2), u16(data, 4)];
        break;
      case KobukiFeedbackId.Current:
        // kobuki_core reads two bytes (current.hpp), as the length 2 in the protocol table says.
        if (data.length !== 2) bad();
        else fb.current = [data[0]!, data[1]!];
        break;
      case KobukiFeedbackId.HardwareVersion:
      case KobukiFeedbackId.FirmwareVersion: {
        const v = decodeVersion(id, data);
        if (!v) bad();
        else if (id === KobukiFeedbackId.HardwareVersion) fb.hardwareVersion = v;
        else fb.firmwareVersion = v;
        break;
      }
      case KobukiFeedbackId.UniqueDeviceId:
        if (data.length !== 12) bad();
        else fb.udid = [u32(data, 0), u32(data, 4), u32(data, 8)];
        break;
      default:
        fb.skipped.push(id);
    }
  }
  return fb;
}

// ── Feedback builders (the firmware's side) ─────────────────────────────────────────────

export function encodeBasicSensorData(d: KobukiBasicSensorData): Uint8Array {
  const b = new Uint8Array(15);
  putU16(b, 0, d.timestampMs & 0xffff);
  b[2] = d.bumper;
  b[3] = d.wheelDrop;
  b[4] = d.cliff;
  putU16(b, 5, d.leftEncoder & 0xffff);
  putU16(b, 7, d.rightEncoder & 0xffff);
  b[9] = d.leftPwm & 0xff;
  b[10] = d.rightPwm & 0xff;
  b[11] = d.buttons;
  b[12] = d.charger;
  b[13] = d.battery;
  b[14] = d.overCurrent;
  return encodeSubPayload(KobukiFeedbackId.BasicSensorData, b);
}

export function encodeInertialData(d: KobukiInertialData): Uint8Array {
  const b = new Uint8Array(7); // angle, rate, 3 unused bytes
  putU16(b, 0, toInt16(d.angle) & 0xffff);
  putU16(b, 2, toInt16(d.angleRate) & 0xffff);
  return encodeSubPayload(KobukiFeedbackId.InertialSensor, b);
}

export function encodeCliffAdc(adc: readonly [number, number, number]): Uint8Array {
  const b = new Uint8Array(6);
  adc.forEach((v, i) => putU16(b, 2 * i, v));
  return encodeSubPayload(KobukiFeedbackId.Cliff, b);
}

export function encodeCurrent(current: readonly [number, number]): Uint8Array {
  return encodeSubPayload(KobukiFeedbackId.Current, Uint8Array.of(current[0] & 0xff, current[1] & 0xff));
}

export function encodeVersion(id: typeof KobukiFeedbackId.HardwareVersion | typeof KobukiFeedbackId.FirmwareVersion, v: KobukiVersion): Uint8Array {
  return encodeSubPayload(id, Uint8Array.of(v.patch, v.minor, v.major, 0));
}

export function encodeUdid(udid: readonly [number, number, number]): Uint8Array {
  const b = new Uint8Array(12);
  udid.forEach((v, i) => putU32(b, 4 * i, v));
  return encodeSubPayload(KobukiFeedbackId.UniqueDeviceId, b);
}

// ── Odometry ───────────────────────────────────────────────────────────────────────────

/** Ticks moved between two uint16 encoder readings, wrap-around included (−32768…32767). */
export function encoderDeltaTicks(now: number, before: number): number {
  return ((now - before) << 16) >> 16;
}

/** Milliseconds between two uint16 firmware timestamps (time only runs forward). */
export function timestampDeltaMs(now: number, before: number): number {
  return (now - before) & 0xffff;
}

/** Gyro heading or rate in 0.01° units → radians. */
export function centidegreesToRadians(x: number): number {
  return (x / 100) * (Math.PI / 180);
}

function wrapAngle(a: number): number {
  return a - 2 * Math.PI * Math.floor((a + Math.PI) / (2 * Math.PI));
}

/** A pose and body velocity in the odom frame (REP 103), m, rad, m/s, rad/s. */
export interface KobukiPose {
  x: number;
  y: number;
  theta: number;
  v: number;
  w: number;
}

/**
 * Dead reckoning from Basic Sensor Data, as kobuki_core and kobuki_ros do it: distance from
 * the encoder deltas (uint16 wrap-around, ticks per metre from the gearing), heading from the
 * factory-calibrated gyro when the Inertial Sensor sub-payload is there (kobuki_ros
 * use_imu_heading, its default; the first gyro reading is heading zero, kobuki.cpp
 * heading_offset) and from the wheels otherwise; rates over the firmware's own clock. The
 * odom frame starts where the robot was at the first reading.
 */
export class KobukiOdometry {
  private pose: KobukiPose = { x: 0, y: 0, theta: 0, v: 0, w: 0 };
  private last: { left: number; right: number; stampMs: number } | null = null;
  /** Gyro reading (rad) that corresponds to heading `theta` = 0 in odom. */
  private gyroOffset: number | null = null;

  constructor(
    private readonly wheelBase = KOBUKI_WHEEL_BASE,
    private readonly ticksPerMetre = KOBUKI_TICKS_PER_METRE,
  ) {}

  get current(): KobukiPose {
    return { ...this.pose };
  }

  /**
   * Each wheel's travel (m) from the last reading to `basic`, or null before the first: lets
   * a host check a reading after a gap before trusting the delta across it.
   */
  wheelTravelTo(basic: KobukiBasicSensorData): { left: number; right: number } | null {
    if (!this.last) return null;
    return {
      left: encoderDeltaTicks(basic.leftEncoder, this.last.left) / this.ticksPerMetre,
      right: encoderDeltaTicks(basic.rightEncoder, this.last.right) / this.ticksPerMetre,
    };
  }

  /** The firmware clock of the last reading, ms, or null before the first. */
  get lastStampMs(): number | null {
    return this.last?.stampMs ?? null;
  }

  /**
   * The counters cannot be trusted across a gap (the robot restarted, or moved further than
   * the uint16 encoders can tell): the next reading is a new baseline for ticks and gyro, and
   * the pose carries on from where it was.
   */
  rebase(): void {
    this.last = null;
    this.gyroOffset = null;
    this.pose.v = 0;
    this.pose.w = 0;
  }

  update(basic: KobukiBasicSensorData, inertial: KobukiInertialData | null): KobukiPose {
    const gyro = inertial ? centidegreesToRadians(inertial.angle) : null;
    if (gyro !== null && this.gyroOffset === null) this.gyroOffset = gyro - this.pose.theta;
    const last = this.last;
    this.last = { left: basic.leftEncoder, right: basic.rightEncoder, stampMs: basic.timestampMs };
    if (!last) return this.current;

    const dLeft = encoderDeltaTicks(basic.leftEncoder, last.left) / this.ticksPerMetre;
    const dRight = encoderDeltaTicks(basic.rightEncoder, last.right) / this.ticksPerMetre;
    const ds = (dLeft + dRight) / 2;
    const dThetaWheels = (dRight - dLeft) / this.wheelBase;
    const theta = gyro !== null ? wrapAngle(gyro - this.gyroOffset!) : wrapAngle(this.pose.theta + dThetaWheels);
    const dTheta = wrapAngle(theta - this.pose.theta);
    // Along the chord of the arc: the mean heading over the step.
    const mid = this.pose.theta + dTheta / 2;
    this.pose.x += ds * Math.cos(mid);
    this.pose.y += ds * Math.sin(mid);
    this.pose.theta = theta;
    const dt = timestampDeltaMs(basic.timestampMs, last.stampMs) / 1000;
    if (dt > 0) {
      this.pose.v = ds / dt;
      this.pose.w = inertial ? centidegreesToRadians(inertial.angleRate) : dThetaWheels / dt;
    }
    return this.current;
  }
}

// ── Battery ───────────────────────────────────────────────────────────────────────────

/** kobuki_core battery.cpp defaults: full (capacity), low and dangerous voltages, V. */
export const KOBUKI_BATTERY = { capacity: 16.5, low: 14.0, dangerous: 13.2 } as const;

/**
 * Battery percent from voltage as kobuki_core estimates it: 5 % at the dangerous voltage,
 * 100 % at capacity, linear between, clamped; 100 when the charger says charged.
 */
export function batteryPercent(voltage: number, charger: number): number {
  if ((charger & KobukiCharger.StateMask) === KobukiCharger.Charged) return 100;
  const b = KOBUKI_BATTERY;
  const percent = (95 * (voltage - b.dangerous)) / (b.capacity - b.dangerous) + 5;
  return Math.max(0, Math.min(100, percent));
}
