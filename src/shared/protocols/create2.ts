/**
 * The iRobot Create 2 Open Interface (OI): opcodes, sensor packets, the checksummed sensor
 * stream and the encoder arithmetic, as both the Create 2 driver (src/main/robot/create2) and
 * the Create 2 emulator (src/sim/emulators/create2.ts) speak them.
 *
 * Source: "iRobot® Create® 2 Open Interface (OI) Specification based on the iRobot® Roomba®
 * 600" (iRobot, last updated 2016): "Serial Port Settings" (115200 baud 8N1), "Open Interface
 * Modes" (Off, Passive, Safe, Full and Safe mode's safety conditions), the command reference
 * (Start 128, Safe 131, Full 132, Drive 137, Drive Direct 145, Sensors 142, Stream 148, Query
 * List 149, Pause/Resume Stream 150, Stop 173, Reset 7) and "Sensor Packets" (ids, sizes,
 * signedness, units; groups 0–6 and 100–107). Numbers cross-checked against AutonomyLab's
 * libcreate (include/create/types.h, src/data.cpp, include/create/util.h: 508.8 counts per
 * wheel revolution, 72 mm wheels, 235 mm axle on the Create 2), read for the numbers only.
 *
 * On the wire everything is big-endian (high byte first); speeds are mm/s, voltages mV,
 * currents mA, charge mAh. Conversions to SI happen in the driver.
 */
import type { Pose2D } from '../geometry';
import { ByteQueue } from '../wire/byte-queue';

/** The OI's default (and the Create 2 cable's) serial rate, bits/s ("Serial Port Settings"). */
export const OI_BAUD_RATE = 115200;

/** Command opcodes ("Open Interface Command Reference"). */
export const Opcode = {
  /** Resets the robot as if the battery had been reinserted; mode → Off. Always available. */
  Reset: 7,
  /** Starts the OI; mode → Passive. Must precede every other command. */
  Start: 128,
  Baud: 129,
  /** Same effect as Safe (131). */
  Control: 130,
  /** Mode → Safe: drivable, but cliffs, wheel drops and the charger drop it to Passive. */
  Safe: 131,
  /** Mode → Full: drivable with the safety features off. */
  Full: 132,
  Power: 133,
  Spot: 134,
  Clean: 135,
  Max: 136,
  /** [137][velocity hi][lo][radius hi][lo]: mm/s and mm, signed. Safe or Full. */
  Drive: 137,
  Motors: 138,
  Leds: 139,
  Song: 140,
  Play: 141,
  /** [142][packet id]: one packet's data, once. */
  Sensors: 142,
  SeekDock: 143,
  PwmMotors: 144,
  /** [145][right hi][right lo][left hi][left lo]: wheel speeds, mm/s signed, −500…500. Safe or Full. */
  DriveDirect: 145,
  DrivePwm: 146,
  /** [148][n][id 1]…[id n]: stream those packets every 15 ms. */
  Stream: 148,
  /** [149][n][id 1]…[id n]: those packets' data, once. */
  QueryList: 149,
  /** [150][0|1]: pause or resume the stream without forgetting its packet list. */
  PauseResumeStream: 150,
  SchedulingLeds: 162,
  DigitLedsRaw: 163,
  DigitLedsAscii: 164,
  Buttons: 165,
  Schedule: 167,
  SetDayTime: 168,
  /** Stops the OI: streams stop, commands are ignored; mode → Off. */
  Stop: 173,
} as const;

/** OI modes as packet 35 reports them. */
export const OiMode = { Off: 0, Passive: 1, Safe: 2, Full: 3 } as const;
export type OiModeValue = (typeof OiMode)[keyof typeof OiMode];

export function oiModeName(mode: number): string {
  return ['Off', 'Passive', 'Safe', 'Full'][mode] ?? `unknown (${mode})`;
}

/** Sensor packet ids the console uses ("Sensor Packets"). */
export const PacketId = {
  BumpsWheelDrops: 7,
  Wall: 8,
  CliffLeft: 9,
  CliffFrontLeft: 10,
  CliffFrontRight: 11,
  CliffRight: 12,
  VirtualWall: 13,
  Distance: 19,
  Angle: 20,
  ChargingState: 21,
  Voltage: 22,
  Current: 23,
  Temperature: 24,
  BatteryCharge: 25,
  BatteryCapacity: 26,
  CliffFrontLeftSignal: 29,
  ChargingSources: 34,
  OiMode: 35,
  NumberOfStreamPackets: 38,
  RequestedVelocity: 39,
  RequestedRadius: 40,
  RequestedRightVelocity: 41,
  RequestedLeftVelocity: 42,
  LeftEncoderCounts: 43,
  RightEncoderCounts: 44,
  LightBumper: 45,
  Stasis: 58,
} as const;

/** Bits of packet 7 (Bumps and Wheel Drops); bits 4–7 are reserved on the Create 2. */
export const BumpBits = {
  BumpRight: 1 << 0,
  BumpLeft: 1 << 1,
  WheelDropRight: 1 << 2,
  WheelDropLeft: 1 << 3,
} as const;

/** Packet 21 (Charging State). */
export const ChargingState = {
  NotCharging: 0,
  Reconditioning: 1,
  Full: 2,
  Trickle: 3,
  Waiting: 4,
  Fault: 5,
} as const;

export interface PacketSpec {
  id: number;
  name: string;
  /** Data bytes on the wire. */
  bytes: 1 | 2;
  /** Two's complement when true. */
  signed: boolean;
}

// One row per single packet, 7–58: [name, bytes, signed]. Encoder counts 43/44 are read as
// unsigned 0–65535 counts that roll over (only their differences matter; a signed reading of
// the same 16 bits gives the same differences modulo 65536).
const SINGLE_PACKETS: readonly (readonly [number, string, 1 | 2, boolean])[] = [
  [7, 'bumps and wheel drops', 1, false],
  [8, 'wall', 1, false],
  [9, 'cliff left', 1, false],
  [10, 'cliff front left', 1, false],
  [11, 'cliff front right', 1, false],
  [12, 'cliff right', 1, false],
  [13, 'virtual wall', 1, false],
  [14, 'wheel overcurrents', 1, false],
  [15, 'dirt detect', 1, false],
  [16, 'unused', 1, false],
  [17, 'infrared character omni', 1, false],
  [18, 'buttons', 1, false],
  [19, 'distance (mm)', 2, true],
  [20, 'angle (degrees)', 2, true],
  [21, 'charging state', 1, false],
  [22, 'voltage (mV)', 2, false],
  [23, 'current (mA)', 2, true],
  [24, 'temperature (°C)', 1, true],
  [25, 'battery charge (mAh)', 2, false],
  [26, 'battery capacity (mAh)', 2, false],
  [27, 'wall signal', 2, false],
  [28, 'cliff left signal', 2, false],
  [29, 'cliff front left signal', 2, false],
  [30, 'cliff front right signal', 2, false],
  [31, 'cliff right signal', 2, false],
  [32, 'unused', 1, false],
  [33, 'unused', 2, false],
  [34, 'charging sources available', 1, false],
  [35, 'OI mode', 1, false],
  [36, 'song number', 1, false],
  [37, 'song playing', 1, false],
  [38, 'number of stream packets', 1, false],
  [39, 'requested velocity (mm/s)', 2, true],
  [40, 'requested radius (mm)', 2, true],
  [41, 'requested right velocity (mm/s)', 2, true],
  [42, 'requested left velocity (mm/s)', 2, true],
  [43, 'left encoder counts', 2, false],
  [44, 'right encoder counts', 2, false],
  [45, 'light bumper', 1, false],
  [46, 'light bump left signal', 2, false],
  [47, 'light bump front left signal', 2, false],
  [48, 'light bump center left signal', 2, false],
  [49, 'light bump center right signal', 2, false],
  [50, 'light bump front right signal', 2, false],
  [51, 'light bump right signal', 2, false],
  [52, 'infrared character left', 1, false],
  [53, 'infrared character right', 1, false],
  [54, 'left motor current (mA)', 2, true],
  [55, 'right motor current (mA)', 2, true],
  [56, 'main brush motor current (mA)', 2, true],
  [57, 'side brush motor current (mA)', 2, true],
  [58, 'stasis', 1, false],
];

/** Every single (non-group) packet by id. */
export const PACKETS: ReadonlyMap<number, PacketSpec> = new Map(SINGLE_PACKETS.map(([id, name, bytes, signed]) => [id, { id, name, bytes, signed }]));

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Group packets: their data is their members' data back to back, in id order. */
export const PACKET_GROUPS: ReadonlyMap<number, readonly number[]> = new Map([
  [0, range(7, 26)],
  [1, range(7, 16)],
  [2, range(17, 20)],
  [3, range(21, 26)],
  [4, range(27, 34)],
  [5, range(35, 42)],
  [6, range(7, 42)],
  [100, range(7, 58)],
  [101, range(43, 58)],
  [106, range(46, 51)],
  [107, range(54, 58)],
]);

/** The single packets a packet id stands for (itself, or a group's members); [] when unknown. */
export function packetMembers(id: number): readonly number[] {
  if (PACKETS.has(id)) return [id];
  return PACKET_GROUPS.get(id) ?? [];
}

/** Data bytes of a packet or group; undefined for an id the OI does not have. */
export function packetDataBytes(id: number): number | undefined {
  const members = packetMembers(id);
  if (members.length === 0) return undefined;
  return members.reduce((sum, m) => sum + PACKETS.get(m)!.bytes, 0);
}

// ── Timing and geometry ─────────────────────────────────────────────────────────────

/** First byte of every stream frame. */
export const STREAM_HEADER = 19;
/** The stream sends its packets every 15 ms, the rate the robot updates its data (Stream). */
export const STREAM_PERIOD_S = 0.015;
/** Bytes the OI can send in one 15 ms slot at 115200 baud (Stream: 15 ms / 10 bits × 115200). */
export const MAX_STREAM_FRAME_BYTES = 172;
/** Drive Direct's wheel speed range, mm/s. */
export const MAX_WHEEL_SPEED_MM_S = 500;
/** Drive's radius range, mm (±2000; 32767/−32768 mean straight). */
export const MAX_DRIVE_RADIUS_MM = 2000;
/** Encoder counts per wheel revolution (Create 2 spec, packets 43/44; libcreate V_3_TICKS_PER_REV). */
export const COUNTS_PER_REV = 508.8;
/** Drive wheel diameter, m (72.0 mm in the spec's distance-per-count formula). */
export const WHEEL_DIAMETER_M = 0.072;
/** Distance between the drive wheels, m (235 mm, "Roomba Physical Dimensions"). */
export const WHEEL_BASE_M = 0.235;
/** Wheel travel per encoder count, m: π × 72.0 mm / 508.8 ≈ 0.4446 mm. */
export const METRES_PER_COUNT = (Math.PI * WHEEL_DIAMETER_M) / COUNTS_PER_REV;
/** Encoder counts are 16 bits and roll over. */
export const ENCODER_MODULUS = 65536;

// ── Commands (host → robot) ─────────────────────────────────────────────────────────

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);
const hi = (v: number): number => (v >> 8) & 0xff;
const lo = (v: number): number => v & 0xff;
/** Rounds half away from zero, so +x and −x give mirror-image integers (a spin stays a spin). */
const roundSym = (x: number): number => Math.sign(x) * Math.round(Math.abs(x)) + 0;
const clampInt = (x: number, min: number, max: number): number => Math.min(max, Math.max(min, roundSym(Number.isFinite(x) ? x : 0)));

export const encodeStart = (): Uint8Array => bytes(Opcode.Start);
export const encodeSafe = (): Uint8Array => bytes(Opcode.Safe);
export const encodeFull = (): Uint8Array => bytes(Opcode.Full);
export const encodeStop = (): Uint8Array => bytes(Opcode.Stop);
export const encodeReset = (): Uint8Array => bytes(Opcode.Reset);

/**
 * Drive Direct: right wheel then left wheel, mm/s, each clamped to ±500 and rounded; a
 * non-finite speed is sent as 0.
 */
export function encodeDriveDirect(rightMmS: number, leftMmS: number): Uint8Array {
  const r = clampInt(rightMmS, -MAX_WHEEL_SPEED_MM_S, MAX_WHEEL_SPEED_MM_S);
  const l = clampInt(leftMmS, -MAX_WHEEL_SPEED_MM_S, MAX_WHEEL_SPEED_MM_S);
  return bytes(Opcode.DriveDirect, hi(r), lo(r), hi(l), lo(l));
}

/** Drive: average velocity mm/s (±500) and turn radius mm (±2000, or a special value, sent as is). */
export function encodeDrive(velocityMmS: number, radiusMm: number): Uint8Array {
  const v = clampInt(velocityMmS, -MAX_WHEEL_SPEED_MM_S, MAX_WHEEL_SPEED_MM_S);
  const r = clampInt(radiusMm, -32768, 32767);
  return bytes(Opcode.Drive, hi(v), lo(v), hi(r), lo(r));
}

/** Drive's special radii: straight (0x8000 or 0x7FFF), turn in place clockwise (−1) and counter-clockwise (1). */
export const DriveRadius = { Straight: 32767, StraightAlt: -32768, InPlaceClockwise: -1, InPlaceCounterClockwise: 1 } as const;

function checkPacketList(ids: readonly number[]): void {
  if (ids.length > 255) throw new RangeError('at most 255 packet ids');
  for (const id of ids) if (packetDataBytes(id) === undefined) throw new RangeError(`the OI has no sensor packet ${id}`);
}

/** Stream: start streaming these packets (ids or groups) every 15 ms. */
export function encodeStream(ids: readonly number[]): Uint8Array {
  checkPacketList(ids);
  return bytes(Opcode.Stream, ids.length, ...ids);
}

/** Query List: these packets' data, once, in this order, without ids or checksum. */
export function encodeQueryList(ids: readonly number[]): Uint8Array {
  checkPacketList(ids);
  return bytes(Opcode.QueryList, ids.length, ...ids);
}

/** Pause/Resume Stream: false pauses (the packet list is kept), true resumes. */
export function encodePauseResumeStream(resume: boolean): Uint8Array {
  return bytes(Opcode.PauseResumeStream, resume ? 1 : 0);
}

// ── Sensor data (robot → host) ──────────────────────────────────────────────────────

/** Writes one single packet's value at `at` (clamped to its range); returns the bytes written. */
function writePacketValue(id: number, value: number, out: Uint8Array, at: number): number {
  const spec = PACKETS.get(id)!;
  const v = spec.bytes === 1
    ? clampInt(value, spec.signed ? -128 : 0, spec.signed ? 127 : 255)
    : clampInt(value, spec.signed ? -32768 : 0, spec.signed ? 32767 : 65535);
  if (spec.bytes === 1) {
    out[at] = v & 0xff;
    return 1;
  }
  out[at] = hi(v);
  out[at + 1] = lo(v);
  return 2;
}

function readPacketValue(spec: PacketSpec, data: { at(i: number): number }, at: number): number {
  if (spec.bytes === 1) {
    const b = data.at(at);
    return spec.signed && b >= 0x80 ? b - 0x100 : b;
  }
  const u = (data.at(at) << 8) | data.at(at + 1);
  return spec.signed && u >= 0x8000 ? u - 0x10000 : u;
}

/**
 * The data bytes of these packets (what Sensors and Query List answer): each packet's, or
 * each group member's, value from `valueOf` (single packet id → value in the packet's units).
 */
export function encodeSensorData(ids: readonly number[], valueOf: (id: number) => number): Uint8Array {
  checkPacketList(ids);
  const out = new Uint8Array(ids.reduce((n, id) => n + packetDataBytes(id)!, 0));
  let at = 0;
  for (const id of ids) for (const m of packetMembers(id)) at += writePacketValue(m, valueOf(m), out, at);
  return out;
}

/** The stream frame's n-bytes for this packet list: every id plus its data. */
export function streamPayloadLength(ids: readonly number[]): number {
  checkPacketList(ids);
  return ids.reduce((n, id) => n + 1 + packetDataBytes(id)!, 0);
}

/**
 * The checksum byte for bytes[start, end): the 8-bit complement that makes the low byte of
 * the sum of the whole frame, checksum included, 0 (Stream).
 */
export function streamChecksum(data: ArrayLike<number>, start = 0, end = data.length): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum += data[i]!;
  return (0x100 - (sum & 0xff)) & 0xff;
}

/** One stream frame: [19][n-bytes][id 1][data 1]…[id k][data k][checksum]. */
export function encodeStreamFrame(ids: readonly number[], valueOf: (id: number) => number): Uint8Array {
  const n = streamPayloadLength(ids);
  if (n > 255) throw new RangeError(`a stream frame carries at most 255 bytes; these packets need ${n}`);
  const out = new Uint8Array(n + 3);
  out[0] = STREAM_HEADER;
  out[1] = n;
  let at = 2;
  for (const id of ids) {
    out[at++] = id;
    for (const m of packetMembers(id)) at += writePacketValue(m, valueOf(m), out, at);
  }
  out[at] = streamChecksum(out, 0, at);
  return out;
}

export type StreamErrorReason =
  /** The frame's ids and length are right but its bytes do not sum to 0 (corrupted on the line). */
  | 'checksum'
  /** n-bytes is not the requested list's (another stream, or a corrupted byte). */
  | 'length'
  /** A checksummed frame whose packet ids are not the requested ones (unknown or unrequested ids). */
  | 'packet-ids'
  /** A frame cut short: where packet ids belong are other bytes, and the checksum fails. */
  | 'truncated'
  /** Bytes that are not a frame where one was expected. */
  | 'garbage';

export type StreamEvent =
  | { kind: 'frame'; /** Single packet id → value in the packet's units (groups expanded). */ values: Map<number, number> }
  | { kind: 'error'; reason: StreamErrorReason; detail: string };

export interface StreamDecoderStats {
  frames: number;
  errors: number;
  checksumErrors: number;
  /** Bytes dropped while looking for a frame. */
  skippedBytes: number;
}

/**
 * Decodes the sensor stream requested with `encodeStream(requested)`: bytes in any chunking,
 * frames out. A frame is accepted only when it starts with 19, its n-bytes is the requested
 * list's, each packet id sits where the list puts it, and its bytes sum to 0 mod 256 (the
 * spec's alignment rule: "All data chunks start with 19 and end with the 1-byte checksum").
 *
 * Errors are reported where a frame was expected (right after a good one); while hunting for
 * the next header after an error or at start-up, bytes are skipped silently (counted), so a
 * 19 inside packet data is not reported as a broken frame. A frame whose ids and length are
 * right but whose checksum fails is always reported.
 */
export class StreamDecoder {
  readonly stats: StreamDecoderStats = { frames: 0, errors: 0, checksumErrors: 0, skippedBytes: 0 };
  readonly payloadLength: number;
  private readonly queue = new ByteQueue(4096);
  /** Offsets of the packet ids inside the payload, with the spec to read each value. */
  private readonly layout: { id: number; offset: number }[] = [];
  /** True right after a good frame: the next byte must be a header. */
  private synced = false;

  constructor(readonly requested: readonly number[]) {
    if (requested.length === 0) throw new RangeError('a stream needs at least one packet');
    this.payloadLength = streamPayloadLength(requested);
    if (this.payloadLength > 255) throw new RangeError(`a stream frame carries at most 255 bytes; these packets need ${this.payloadLength}`);
    let offset = 0;
    for (const id of requested) {
      this.layout.push({ id, offset });
      offset += 1 + packetDataBytes(id)!;
    }
  }

  /** Bytes of one whole frame: header, n-bytes, payload, checksum. */
  get frameLength(): number {
    return this.payloadLength + 3;
  }

  /** Forgets buffered bytes (a new session). */
  reset(): void {
    this.queue.clear();
    this.synced = false;
  }

  push(chunk: Uint8Array): StreamEvent[] {
    const events: StreamEvent[] = [];
    const q = this.queue;
    q.push(chunk);
    const n = this.payloadLength;
    const frameLength = n + 3;
    const error = (reason: StreamErrorReason, detail: string): void => {
      this.stats.errors++;
      if (reason === 'checksum') this.stats.checksumErrors++;
      events.push({ kind: 'error', reason, detail });
    };
    const skip = (): void => {
      q.drop(1);
      this.stats.skippedBytes++;
      this.synced = false;
    };
    while (q.length > 0) {
      if (q.at(0) !== STREAM_HEADER) {
        if (this.synced) error('garbage', `byte ${q.at(0)} where a stream header (19) was expected; resynchronising`);
        skip();
        continue;
      }
      if (q.length < 2) break;
      if (q.at(1) !== n) {
        if (this.synced) error('length', `n-bytes ${q.at(1)}, expected ${n} for packets [${this.requested.join(', ')}]`);
        skip();
        continue;
      }
      if (q.length < frameLength) break;
      let sum = 0;
      for (let i = 0; i < frameLength; i++) sum += q.at(i);
      const idsInPlace = this.layout.every(({ id, offset }) => q.at(2 + offset) === id);
      if ((sum & 0xff) !== 0) {
        if (idsInPlace) error('checksum', `stream frame sums to ${sum & 0xff}, not 0`);
        else if (this.synced) error('truncated', `stream frame cut short: packet ids not where [${this.requested.join(', ')}] puts them`);
        skip();
        continue;
      }
      if (!idsInPlace) {
        if (!this.synced) {
          skip();
          continue;
        }
        const found = this.layout.map(({ offset }) => q.at(2 + offset));
        error('packet-ids', `stream frame has packet ids [${found.join(', ')}], expected [${this.requested.join(', ')}]`);
        q.drop(frameLength);
        continue;
      }
      const values = new Map<number, number>();
      const view = { at: (i: number) => q.at(i) };
      for (const { id, offset } of this.layout) {
        let at = 2 + offset + 1;
        for (const m of packetMembers(id)) {
          const spec = PACKETS.get(m)!;
          values.set(m, readPacketValue(spec, view, at));
          at += spec.bytes;
        }
      }
      q.drop(frameLength);
      this.synced = true;
      this.stats.frames++;
      events.push({ kind: 'frame', values });
    }
    return events;
  }
}

// ── Commands as the robot reads them (for the emulator) ─────────────────────────────

/** Data bytes after each fixed-length opcode of the Create 2 OI. */
const FIXED_DATA_BYTES: ReadonlyMap<number, number> = new Map([
  [Opcode.Reset, 0], [Opcode.Start, 0], [Opcode.Baud, 1], [Opcode.Control, 0], [Opcode.Safe, 0], [Opcode.Full, 0],
  [Opcode.Power, 0], [Opcode.Spot, 0], [Opcode.Clean, 0], [Opcode.Max, 0], [Opcode.Drive, 4], [Opcode.Motors, 1],
  [Opcode.Leds, 3], [Opcode.Play, 1], [Opcode.Sensors, 1], [Opcode.SeekDock, 0], [Opcode.PwmMotors, 3],
  [Opcode.DriveDirect, 4], [Opcode.DrivePwm, 4], [Opcode.PauseResumeStream, 1], [Opcode.SchedulingLeds, 2],
  [Opcode.DigitLedsRaw, 4], [Opcode.DigitLedsAscii, 4], [Opcode.Buttons, 1], [Opcode.Schedule, 15],
  [Opcode.SetDayTime, 3], [Opcode.Stop, 0],
]);

export interface OiCommand {
  opcode: number;
  data: Uint8Array;
}

/**
 * Splits the host's bytes into OI commands, in any chunking: fixed lengths per opcode; Song
 * (2 + 2 × notes), Stream and Query List (1 + n) by their count byte. A byte that is no
 * opcode is skipped (counted), as the robot would ignore it.
 */
export class CommandDecoder {
  readonly stats = { commands: 0, unknownBytes: 0 };
  private readonly queue = new ByteQueue(4096);

  push(chunk: Uint8Array): OiCommand[] {
    const q = this.queue;
    q.push(chunk);
    const out: OiCommand[] = [];
    while (q.length > 0) {
      const opcode = q.at(0);
      let dataBytes = FIXED_DATA_BYTES.get(opcode);
      if (dataBytes === undefined) {
        if (opcode === Opcode.Stream || opcode === Opcode.QueryList) {
          if (q.length < 2) break;
          dataBytes = 1 + q.at(1);
        } else if (opcode === Opcode.Song) {
          if (q.length < 3) break;
          dataBytes = 2 + 2 * q.at(2);
        } else {
          q.drop(1);
          this.stats.unknownBytes++;
          continue;
        }
      }
      if (q.length < 1 + dataBytes) break;
      out.push({ opcode, data: q.peek(1 + dataBytes).slice(1) });
      q.drop(1 + dataBytes);
      this.stats.commands++;
    }
    return out;
  }
}

/** A signed 16-bit big-endian value from two data bytes. */
export function int16At(data: Uint8Array, at: number): number {
  const u = (data[at]! << 8) | data[at + 1]!;
  return u >= 0x8000 ? u - 0x10000 : u;
}

// ── Wheels and encoders ─────────────────────────────────────────────────────────────

/** Counts folded into the 16-bit range the robot reports, 0…65535. */
export function wrapEncoderCounts(counts: number): number {
  const c = Math.round(counts) % ENCODER_MODULUS;
  return c < 0 ? c + ENCODER_MODULUS : c;
}

/**
 * Counts moved between two readings of a wrapping 16-bit encoder: the difference modulo
 * 65536, taken in −32768…32767 (at 500 mm/s a wheel moves ~17 counts per 15 ms frame, so
 * any real difference is far inside that range).
 */
export function encoderDelta(previous: number, current: number): number {
  const d = (((current - previous) % ENCODER_MODULUS) + ENCODER_MODULUS) % ENCODER_MODULUS;
  return d >= ENCODER_MODULUS / 2 ? d - ENCODER_MODULUS : d;
}

/**
 * Drive Direct wheel speeds (mm/s, right and left) for a body velocity (base_link, m/s and
 * rad/s, REP 103: w > 0 turns left, so the right wheel is faster): v ± w·b/2. When a wheel
 * would exceed 500 mm/s both are scaled by the same factor, so the robot keeps the commanded
 * curvature and only goes slower.
 */
export function wheelSpeedsForTwist(v: number, w: number, wheelBaseM = WHEEL_BASE_M): { rightMmS: number; leftMmS: number } {
  let right = (v + (w * wheelBaseM) / 2) * 1000;
  let left = (v - (w * wheelBaseM) / 2) * 1000;
  if (!Number.isFinite(right) || !Number.isFinite(left)) return { rightMmS: 0, leftMmS: 0 };
  const peak = Math.max(Math.abs(right), Math.abs(left));
  if (peak > MAX_WHEEL_SPEED_MM_S) {
    right *= MAX_WHEEL_SPEED_MM_S / peak;
    left *= MAX_WHEEL_SPEED_MM_S / peak;
  }
  return { rightMmS: roundSym(right), leftMmS: roundSym(left) };
}

/** Body velocity (m/s, rad/s, base_link) of wheel speeds in mm/s. */
export function twistForWheelSpeeds(rightMmS: number, leftMmS: number, wheelBaseM = WHEEL_BASE_M): { v: number; w: number } {
  return { v: (rightMmS + leftMmS) / 2000, w: (rightMmS - leftMmS) / 1000 / wheelBaseM };
}

/**
 * Advances a pose (odom, REP 103) by the wheels' travel (m) over one interval, assuming a
 * constant body velocity within it: heading changes by (r − l)/b, and the centre moves
 * (r + l)/2 along the mid-interval heading (second-order, exact for straight lines and
 * within 0.1 mm per 15 ms frame for any turn the Create can make).
 */
export function integrateDifferentialDrive(pose: Pose2D, leftM: number, rightM: number, wheelBaseM = WHEEL_BASE_M): Pose2D {
  const ds = (rightM + leftM) / 2;
  const dTheta = (rightM - leftM) / wheelBaseM;
  const mid = pose.theta + dTheta / 2;
  let theta = pose.theta + dTheta;
  if (theta > Math.PI) theta -= 2 * Math.PI;
  else if (theta <= -Math.PI) theta += 2 * Math.PI;
  return { x: pose.x + ds * Math.cos(mid), y: pose.y + ds * Math.sin(mid), theta };
}
