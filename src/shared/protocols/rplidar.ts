/**
 * Slamtec RPLIDAR serial protocol: pure encoding and decoding, no I/O, shared by the driver
 * (src/main/robot/rplidar) and the emulator (src/sim/emulators/rplidar.ts). Written from the
 * public protocol: Slamtec's rplidar_sdk (sdk/include/sl_lidar_protocol.h, sl_lidar_cmd.h,
 * sdk/src/sl_lidar_driver.cpp, sdk/src/dataunpacker/unpacker/handler_capsules.cpp) and the
 * "RPLIDAR Interface Protocol and Application Notes" (LR001, v2.x, §4 "Express Scan").
 *
 * - Request: `A5 cmd`; commands with bit 0x80 set carry `size payload… checksum`, where the
 *   checksum is the XOR of every byte before it (sync byte, cmd, size, payload).
 * - Response descriptor: `A5 5A`, a u32 LE whose low 30 bits are the answer length and top
 *   2 bits the send mode (1 = a stream of answers until STOP), then the answer type.
 * - GET_INFO (0x50) answers type 0x04, 20 bytes: model, firmware minor, major, hardware, 16-byte serial.
 * - GET_HEALTH (0x52) answers type 0x06, 3 bytes: status (0 good, 1 warning, 2 error), error code u16 LE.
 * - SCAN (0x20) answers type 0x81 in stream mode with 5-byte nodes: byte0 = quality<<2 | !S<<1 | S,
 *   bytes1-2 = angle_q6<<1 | check bit (always 1), bytes3-4 = distance_q2 (mm × 4), LE.
 * - EXPRESS_SCAN (0x82, payload working_mode u8, working_flags u16, param u16; all 0 asks for
 *   the legacy express mode) answers type 0x82 in stream mode with 84-byte capsules: see
 *   `decodeCapsule` / `expandCapsule`.
 * - GET_ACC_BOARD_FLAG (0xFF, payload u32 0) answers type 0xFF, u32: bit 0 = the adapter can
 *   drive the motor by SET_MOTOR_PWM (0xF0, u16). HQ_MOTOR_SPEED_CTRL (0xA8, u16 rpm) is the
 *   S-series' own motor speed command.
 *
 * Angles on the wire are clockwise degrees seen from above, 0 at the device's forward
 * direction; everything decoded here also carries the REP 103 angle (counter-clockwise
 * radians in the lidar frame).
 *
 * HQ, ultra (0x84), dense (0x85) and ultra-dense (0x86) capsules are not implemented.
 */
import type { LaserScanMsg } from '../protocol';
import { ByteQueue } from '../wire/byte-queue';
import { binToGrid } from './scan-grid';

export const SYNC = 0xa5;
export const SYNC2 = 0x5a;
export const CMD_HAS_PAYLOAD = 0x80;

/** Command bytes, sl_lidar_cmd.h. */
export const Cmd = {
  Stop: 0x25,
  Reset: 0x40,
  Scan: 0x20,
  ForceScan: 0x21,
  GetInfo: 0x50,
  GetHealth: 0x52,
  /** Added in firmware 1.17. */
  ExpressScan: 0x82,
  /** S-series (model major ≥ 6): motor speed in rpm. */
  HqMotorSpeedCtrl: 0xa8,
  /** A2/A3 on an accessory board that can drive the motor. */
  SetMotorPwm: 0xf0,
  GetAccBoardFlag: 0xff,
} as const;

/** Answer types, sl_lidar_cmd.h. */
export const AnswerType = {
  DevInfo: 0x04,
  DevHealth: 0x06,
  Measurement: 0x81,
  /** Legacy express capsules (firmware 1.17+). */
  MeasurementCapsuled: 0x82,
  AccBoardFlag: 0xff,
} as const;

/** Send mode of a response descriptor: one answer, or answers until STOP. */
export const SendMode = { Single: 0, Loop: 1 } as const;

export const HealthStatus = { Good: 0, Warning: 1, Error: 2 } as const;

// --- requests ----------------------------------------------------------------------------

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

const u16 = (v: number): [number, number] => [v & 0xff, (v >> 8) & 0xff];

/** SET_MOTOR_PWM (A2/A3 with the accessory board): payload u16 LE, 0 stops the motor. */
export function encodeMotorPwm(pwm: number): Uint8Array {
  const v = Math.max(0, Math.min(1023, Math.round(pwm)));
  return encodeRequest(Cmd.SetMotorPwm, Uint8Array.of(...u16(v)));
}

/** HQ_MOTOR_SPEED_CTRL (S-series): payload u16 LE rpm, 0 stops the motor. */
export function encodeMotorRpm(rpm: number): Uint8Array {
  const v = Math.max(0, Math.min(0xffff, Math.round(rpm)));
  return encodeRequest(Cmd.HqMotorSpeedCtrl, Uint8Array.of(...u16(v)));
}

/**
 * EXPRESS_SCAN: sl_lidar_payload_express_scan_t { working_mode u8, working_flags u16, param u16 }.
 * Working mode 0 is the legacy express mode, answered with 0x82 capsules.
 */
export function encodeExpressScan(workingMode = 0, workingFlags = 0, param = 0): Uint8Array {
  return encodeRequest(Cmd.ExpressScan, Uint8Array.of(workingMode & 0xff, ...u16(workingFlags), ...u16(param)));
}

/** GET_ACC_BOARD_FLAG: sl_lidar_payload_acc_board_flag_t { reserved u32 = 0 }. */
export function encodeAccBoardFlagRequest(): Uint8Array {
  return encodeRequest(Cmd.GetAccBoardFlag, new Uint8Array(4));
}

export interface Request {
  cmd: number;
  payload: Uint8Array;
}

/**
 * The device's side of the request framing: takes host bytes in any chunking, returns whole
 * requests. Bytes before a sync byte are skipped; a payload request whose checksum does not
 * match is dropped (its sync byte is skipped and the search goes on), as is one that cannot
 * be complete.
 */
export class RequestDecoder {
  private readonly q = new ByteQueue(4096);
  /** Payload requests dropped for a bad checksum. */
  badChecksums = 0;

  reset(): void {
    this.q.clear();
  }

  push(bytes: Uint8Array): Request[] {
    this.q.push(bytes);
    const out: Request[] = [];
    for (;;) {
      let skip = 0;
      while (skip < this.q.length && this.q.at(skip) !== SYNC) skip++;
      this.q.drop(skip);
      if (this.q.length < 2) break;
      const cmd = this.q.at(1);
      if ((cmd & CMD_HAS_PAYLOAD) === 0) {
        out.push({ cmd, payload: new Uint8Array(0) });
        this.q.drop(2);
        continue;
      }
      if (this.q.length < 3) break;
      const size = this.q.at(2);
      if (this.q.length < 4 + size) break;
      const frame = this.q.peek(4 + size);
      let sum = 0;
      for (let i = 0; i < 3 + size; i++) sum ^= frame[i]!;
      if (sum !== frame[3 + size]) {
        this.badChecksums++;
        this.q.drop(1);
        continue;
      }
      out.push({ cmd, payload: frame.slice(3, 3 + size) });
      this.q.drop(4 + size);
    }
    return out;
  }
}

// --- response descriptors and single answers ---------------------------------------------

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
export const ACC_BOARD_FLAG_BYTES = 4;
/** sl_lidar_response_acc_board_flag_t.support_flag bit: SET_MOTOR_PWM drives the motor. */
export const ACC_BOARD_MOTOR_CTRL = 0x1;

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

export function parseAccBoardFlag(p: Uint8Array): number {
  if (p.length < ACC_BOARD_FLAG_BYTES) throw new RangeError(`acc board flag is ${ACC_BOARD_FLAG_BYTES} bytes, got ${p.length}`);
  return (p[0]! | (p[1]! << 8) | (p[2]! << 16) | (p[3]! << 24)) >>> 0;
}

export function encodeAccBoardFlag(flag: number): Uint8Array {
  return Uint8Array.of(flag & 0xff, (flag >>> 8) & 0xff, (flag >>> 16) & 0xff, (flag >>> 24) & 0xff);
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

/** The first descriptor anywhere in `buf`, whatever its type, and the bytes after it. */
export function findDescriptor(buf: Uint8Array): { descriptor: ResponseDescriptor; rest: Uint8Array } | null {
  for (let o = 0; o + DESCRIPTOR_BYTES <= buf.length; o++) {
    const d = parseDescriptor(buf, o);
    if (d) return { descriptor: d, rest: buf.slice(o + DESCRIPTOR_BYTES) };
  }
  return null;
}

// --- models ------------------------------------------------------------------------------

/**
 * Product series by model major (model >> 4), as sl_lidar_driver.cpp
 * ParseLIDARMajorTypeByModelID: 1-3 A (triangulation), 4-5 C, 6-8 S, 9-11 T, 12+ M (DTOF).
 */
export type ModelSeries = 'A' | 'C' | 'S' | 'T' | 'M' | 'unknown';

export function modelSeries(model: number): ModelSeries {
  const major = model >> 4;
  if (major >= 12) return 'M';
  if (major >= 9) return 'T';
  if (major >= 6) return 'S';
  if (major >= 4) return 'C';
  if (major >= 1) return 'A';
  return 'unknown';
}

/** The SDK's model name: "A1M8", "C1M1", "S2M1" (GetModelNameStringByModelID). */
export function modelName(model: number): string | null {
  const major = model >> 4;
  const minor = model & 0xf;
  const first: Record<ModelSeries, number> = { A: 0, C: 4, S: 6, T: 9, M: 12, unknown: 0 };
  const series = modelSeries(model);
  if (series === 'unknown') return null;
  const n = series === 'A' ? major : major - first[series] + 1;
  return `${series}${n}M${minor}`;
}

/** "RPLIDAR A1M8 (model 0x18) fw 1.29 hw 7 S/N …". */
export function describeDevice(info: DeviceInfo): string {
  const name = modelName(info.model);
  const hex = info.model.toString(16).padStart(2, '0');
  return `RPLIDAR ${name ? `${name} ` : ''}(model 0x${hex}) fw ${info.firmwareMajor}.${String(info.firmwareMinor).padStart(2, '0')} hw ${info.hardware} S/N ${info.serial}`;
}

/**
 * The longest distance the SCAN node (u16 distance_q2) and legacy express cabin (14-bit mm)
 * formats can carry, m: 16383 mm. A device that sees farther (S2: 30 m) reports farther only
 * in its dense capsule modes, so in these two formats a return beyond this is "no return".
 */
export const WIRE_RANGE_MAX_M = 16.383;

/**
 * Range limits by model, from Slamtec's datasheets, capped at what the wire formats here can
 * carry: A1/A2 0.15–12 m, A3 0.15–25 m (16.383 on this wire), C1 0.05–12 m, S1 0.10–40 m,
 * S2 0.05–30 m (both 16.383 here); anything else falls back to the A1 figures.
 */
export function rangeLimits(model: number): { rangeMin: number; rangeMax: number } {
  const major = model >> 4;
  const cap = (rangeMin: number, rangeMax: number) => ({ rangeMin, rangeMax: Math.min(rangeMax, WIRE_RANGE_MAX_M) });
  if (major === 3) return cap(0.15, 25);
  if (major === 4) return cap(0.05, 12);
  if (major === 6) return cap(0.1, 40);
  if (major === 7) return cap(0.05, 30);
  return cap(0.15, 12);
}

/**
 * Whether the device answers EXPRESS_SCAN working mode 0 with legacy 0x82 capsules. The SDK's
 * rule for a device without the configuration commands (sl_lidar_driver.cpp
 * getTypicalScanMode and the v1 SDK's checkExpressScanSupported) is firmware ≥ 1.17; those are
 * all A-series (model major 1-3). The C- and S-series (major ≥ 4) list their own scan modes
 * by GET_LIDAR_CONF, and their express-family modes answer in dense capsules (0x85), which
 * this codec does not decode, so they are held to standard SCAN.
 */
export function supportsLegacyExpress(info: DeviceInfo): boolean {
  return modelSeries(info.model) === 'A' && ((info.firmwareMajor << 8) | info.firmwareMinor) >= ((1 << 8) | 17);
}

/**
 * How the motor is driven, as sl_lidar_driver.cpp checkMotorCtrlSupport / setMotorSpeed:
 * - 'rpm': model major ≥ 6 (S-series and newer): HQ_MOTOR_SPEED_CTRL with an rpm;
 * - 'ask': majors 2-5 (A2, A3, C1): GET_ACC_BOARD_FLAG says whether SET_MOTOR_PWM works
 *   ('pwm'), else the DTR line;
 * - 'dtr': the A1 (major 1): the DTR line of the USB adapter (set = stop, clear = run).
 */
export function motorControlByModel(model: number): 'rpm' | 'ask' | 'dtr' {
  const major = model >> 4;
  if (major >= 6) return 'rpm';
  if (major >= 2) return 'ask';
  return 'dtr';
}

// --- angles and scan nodes ---------------------------------------------------------------

/** Device clockwise degrees → REP 103 counter-clockwise radians in (−π, π]. */
export function deviceAngleToRad(angleDeg: number): number {
  let a = (-angleDeg * Math.PI) / 180;
  while (a <= -Math.PI) a += 2 * Math.PI;
  while (a > Math.PI) a -= 2 * Math.PI;
  return a === 0 ? 0 : a; // no −0
}

/** REP 103 counter-clockwise radians → device clockwise degrees in [0, 360). */
export function radToDeviceAngle(angleRad: number): number {
  const d = ((((-angleRad * 180) / Math.PI) % 360) + 360) % 360;
  return d === 0 || d >= 360 ? 0 : d;
}

/** One measurement, raw and converted: a SCAN node, or a sample of an express capsule. */
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
/** Angles in q6 are below 360° × 64 on a sane device. */
const FULL_TURN_Q6 = 360 * 64;

/** Why a 5-byte candidate is not a node, or null when it is one. */
export function nodeProblem(b: Uint8Array, o: number): 'start-flag' | 'check-bit' | 'angle' | null {
  const b0 = b[o]!;
  if ((b0 & 1) === ((b0 >> 1) & 1)) return 'start-flag';
  if ((b[o + 1]! & 1) !== 1) return 'check-bit';
  const q6 = (b[o + 1]! >> 1) | (b[o + 2]! << 7);
  if (q6 >= FULL_TURN_Q6) return 'angle';
  return null;
}

/** Decodes a node at `b[o]` without validating it (see nodeProblem). */
export function decodeNode(b: Uint8Array, o = 0): ScanNode {
  const b0 = b[o]!;
  const q6 = (b[o + 1]! >> 1) | (b[o + 2]! << 7);
  const q2 = b[o + 3]! | (b[o + 4]! << 8);
  const angleDeg = q6 / 64;
  return { start: (b0 & 1) === 1, quality: b0 >> 2, angleDeg, angleRad: deviceAngleToRad(angleDeg), distanceM: q2 / 4 / 1000 };
}

/**
 * Encodes a node (for emulators and tests): angle in device degrees clockwise, distance in
 * metres (0, or anything the u16 q2 cannot hold, is sent as 0: no return).
 */
export function encodeNode(n: { start: boolean; quality: number; angleDeg: number; distanceM: number }): Uint8Array {
  const q6 = Math.round(n.angleDeg * 64) % FULL_TURN_Q6;
  const raw = Math.round(n.distanceM * 1000 * 4);
  const q2 = raw > 0 && raw <= 0xffff ? raw : 0;
  const s = n.start ? 1 : 0;
  return Uint8Array.of(((n.quality & 0x3f) << 2) | ((1 - s) << 1) | s, ((q6 << 1) | 1) & 0xff, (q6 >> 7) & 0xff, q2 & 0xff, q2 >> 8);
}

export interface NodeDecoderStats {
  /** Measurements decoded. */
  nodes: number;
  /** Corrupt units rejected (nodes or capsules), one per resync episode. */
  rejected: number;
  /** Bytes skipped while resynchronising. */
  skippedBytes: number;
}

/** A streaming decoder of one scan answer's data: chunks of any size in, measurements out. */
export interface MeasurementDecoder {
  readonly stats: NodeDecoderStats;
  reset(): void;
  push(chunk: Uint8Array): ScanNode[];
}

/** Consecutive nodes lie at most this far apart in angle (or 3 of the stream's usual steps, if more), q6. */
const NEIGHBOUR_MIN_STEP_Q6 = 10 * 64;

/** |b − a| through 360°, q6. */
function angleGapQ6(aQ6: number, bQ6: number): number {
  const d = (((bQ6 - aQ6) % FULL_TURN_Q6) + FULL_TURN_Q6) % FULL_TURN_Q6;
  return Math.min(d, FULL_TURN_Q6 - d);
}

const nodeAngleQ6 = (b: Uint8Array, o: number): number => (b[o + 1]! >> 1) | (b[o + 2]! << 7);

/**
 * A streaming SCAN node decoder. The node format has no checksum, only a start-flag pair and
 * a check bit, which a misaligned window passes by chance often (always, for angles on whole
 * degrees), so a candidate must also lie next to the node before it in angle: within 10°, or
 * three times the stream's usual step when that is larger (the head turns ~1° per node).
 * On a bad candidate the decoder slides one byte at a time, and accepts nodes again only once
 * two consecutive candidates validate and are neighbours.
 *
 * A node is only passed on once the candidate after it validates too: the distance bytes
 * carry no check, so a byte lost inside a node's distance shows only at the next node, and
 * the node before a failure is dropped with it (one good node lost per corruption, rather
 * than a bogus range let through).
 */
export class ScanNodeDecoder implements MeasurementDecoder {
  private readonly q = new ByteQueue(65536);
  private syncing = false;
  private lastQ6: number | null = null;
  /** The last node, held until the candidate after it validates. */
  private held: ScanNode | null = null;
  /** Running mean of the angle step between consecutive nodes, q6 (0 until known). */
  private stepQ6 = 0;
  readonly stats: NodeDecoderStats = { nodes: 0, rejected: 0, skippedBytes: 0 };

  reset(): void {
    this.q.clear();
    this.syncing = false;
    this.lastQ6 = null;
    this.held = null;
    this.stepQ6 = 0;
  }

  push(chunk: Uint8Array): ScanNode[] {
    this.q.push(chunk);
    const out: ScanNode[] = [];
    for (;;) {
      const need = this.syncing ? 2 * NODE_BYTES : NODE_BYTES;
      if (this.q.length < need) break;
      const b = this.q.peek(need);
      const here = nodeAngleQ6(b, 0);
      const bad = nodeProblem(b, 0) !== null || (this.syncing
        ? nodeProblem(b, NODE_BYTES) !== null || !this.near(here, nodeAngleQ6(b, NODE_BYTES))
        : this.lastQ6 !== null && !this.near(this.lastQ6, here));
      if (bad) {
        if (!this.syncing) this.stats.rejected++;
        this.held = null;
        this.syncing = true;
        this.stats.skippedBytes++;
        this.q.drop(1);
        continue;
      }
      if (this.syncing) this.lastQ6 = null; // no step across the gap
      this.syncing = false;
      const node = decodeNode(b, 0);
      if (this.lastQ6 !== null) {
        const step = angleGapQ6(this.lastQ6, here);
        this.stepQ6 = this.stepQ6 === 0 ? step : 0.9 * this.stepQ6 + 0.1 * step;
      }
      this.lastQ6 = here;
      if (this.held) {
        out.push(this.held);
        this.stats.nodes++;
      }
      this.held = node;
      this.q.drop(NODE_BYTES);
    }
    return out;
  }

  /** Whether two node angles (q6) are close enough to be consecutive measurements. */
  private near(aQ6: number, bQ6: number): boolean {
    return angleGapQ6(aQ6, bQ6) <= Math.max(NEIGHBOUR_MIN_STEP_Q6, 3 * this.stepQ6);
  }
}

// --- legacy express capsules (answer type 0x82) -------------------------------------------

/**
 * One capsule, sl_lidar_response_capsule_measurement_nodes_t, 84 bytes LE:
 *   0      sync 0xA in the high nibble, checksum bits 0-3 in the low nibble
 *   1      sync 0x5 in the high nibble, checksum bits 4-7 in the low nibble
 *   2-3    start_angle_sync_q6: bit 15 S (first capsule after EXPRESS_SCAN), bits 0-14 the
 *          start angle ω in q6 degrees (clockwise)
 *   4-83   16 cabins of 5 bytes: distance_angle_1 u16, distance_angle_2 u16, offset_angles_q3 u8.
 *          Each distance_angle word is distance_mm << 2 | dθ bits 4-5; offset_angles_q3 holds
 *          dθ1 bits 0-3 in its low nibble and dθ2 bits 0-3 in its high nibble.
 * The checksum is the XOR of bytes 2-83.
 *
 * dθ is a 6-bit q3 angle compensation in degrees (0-7.875°). The protocol PDF calls its top
 * bit a sign bit; the SDK (handler_capsules.cpp) reads it unsigned, which is what real
 * devices are decoded with, so this codec does too (they agree below 4°).
 */
export const CAPSULE_BYTES = 84;
export const CABINS_PER_CAPSULE = 16;
export const SAMPLES_PER_CAPSULE = 32;
const CAPSULE_SYNC1 = 0xa;
const CAPSULE_SYNC2 = 0x5;
const CAPSULE_NEW_SCAN = 0x8000;
/** Largest distance a cabin carries, mm (14 bits). */
const CABIN_MAX_MM = 0x3fff;

export interface CapsuleSample {
  /** Millimetres; 0: no return. */
  distanceMm: number;
  /** Angle compensation dθ, q3 degrees (0-63: 0-7.875°). */
  compensationQ3: number;
}

export interface ExpressCapsule {
  /** S: the first capsule after EXPRESS_SCAN (or after the device lost its angle). */
  newScan: boolean;
  /** ω, q6 degrees clockwise, [0, 360 × 64). */
  startAngleQ6: number;
  /** 32 samples in the order they were measured. */
  samples: CapsuleSample[];
}

/** XOR of bytes 2-83 of the capsule at `b[o]`. */
export function capsuleChecksum(b: Uint8Array, o = 0): number {
  let sum = 0;
  for (let i = 2; i < CAPSULE_BYTES; i++) sum ^= b[o + i]!;
  return sum;
}

/** Why 84 bytes at `b[o]` are not a capsule, or null when they are one. */
export function capsuleProblem(b: Uint8Array, o = 0): 'sync' | 'checksum' | 'angle' | null {
  if (b[o]! >> 4 !== CAPSULE_SYNC1 || b[o + 1]! >> 4 !== CAPSULE_SYNC2) return 'sync';
  const received = (b[o]! & 0xf) | ((b[o + 1]! & 0xf) << 4);
  if (received !== capsuleChecksum(b, o)) return 'checksum';
  if (((b[o + 2]! | (b[o + 3]! << 8)) & 0x7fff) >= FULL_TURN_Q6) return 'angle';
  return null;
}

/** Decodes the capsule at `b[o]` without validating it (see capsuleProblem). */
export function decodeCapsule(b: Uint8Array, o = 0): ExpressCapsule {
  const word = b[o + 2]! | (b[o + 3]! << 8);
  const samples: CapsuleSample[] = [];
  for (let c = 0; c < CABINS_PER_CAPSULE; c++) {
    const p = o + 4 + 5 * c;
    const d1 = b[p]! | (b[p + 1]! << 8);
    const d2 = b[p + 2]! | (b[p + 3]! << 8);
    const offsets = b[p + 4]!;
    samples.push(
      { distanceMm: d1 >> 2, compensationQ3: (offsets & 0xf) | ((d1 & 0x3) << 4) },
      { distanceMm: d2 >> 2, compensationQ3: (offsets >> 4) | ((d2 & 0x3) << 4) },
    );
  }
  return { newScan: (word & CAPSULE_NEW_SCAN) !== 0, startAngleQ6: word & 0x7fff, samples };
}

/** Encodes a capsule with its sync nibbles and checksum (for emulators and tests). */
export function encodeCapsule(c: ExpressCapsule): Uint8Array {
  if (c.samples.length !== SAMPLES_PER_CAPSULE) throw new RangeError(`a capsule holds ${SAMPLES_PER_CAPSULE} samples, got ${c.samples.length}`);
  const out = new Uint8Array(CAPSULE_BYTES);
  const word = (((c.startAngleQ6 % FULL_TURN_Q6) + FULL_TURN_Q6) % FULL_TURN_Q6) | (c.newScan ? CAPSULE_NEW_SCAN : 0);
  out[2] = word & 0xff;
  out[3] = word >> 8;
  for (let k = 0; k < CABINS_PER_CAPSULE; k++) {
    const s1 = c.samples[2 * k]!;
    const s2 = c.samples[2 * k + 1]!;
    const mm = (s: CapsuleSample) => (s.distanceMm > 0 && s.distanceMm <= CABIN_MAX_MM ? Math.round(s.distanceMm) : 0);
    const q3 = (s: CapsuleSample) => Math.max(0, Math.min(63, Math.round(s.compensationQ3)));
    const d1 = (mm(s1) << 2) | (q3(s1) >> 4);
    const d2 = (mm(s2) << 2) | (q3(s2) >> 4);
    const p = 4 + 5 * k;
    out[p] = d1 & 0xff;
    out[p + 1] = d1 >> 8;
    out[p + 2] = d2 & 0xff;
    out[p + 3] = d2 >> 8;
    out[p + 4] = (q3(s1) & 0xf) | ((q3(s2) & 0xf) << 4);
  }
  const sum = capsuleChecksum(out);
  out[0] = (CAPSULE_SYNC1 << 4) | (sum & 0xf);
  out[1] = (CAPSULE_SYNC2 << 4) | (sum >> 4);
  return out;
}

/** Start-angle difference ω(i+1) − ω(i) in q6 degrees, through 360° when the turn wrapped (PDF AngleDiff). */
export function angleDiffQ6(fromQ6: number, toQ6: number): number {
  return fromQ6 <= toQ6 ? toQ6 - fromQ6 : FULL_TURN_Q6 + toQ6 - fromQ6;
}

/**
 * The measurements of `capsule`, which need the next capsule's start angle: sample k lies at
 *   θk = ω(i) + AngleDiff(ω(i), ω(i+1)) / 32 · k − dθk
 * (protocol PDF, "Data Processing of the Express Scan Data"). Computed in the SDK's fixed
 * point (q16 degrees, floored to q6) so angles match it to the bit. Start flags are left
 * false: revolutions are found by ExpressCapsuleDecoder.
 */
export function expandCapsule(capsule: ExpressCapsule, nextStartAngleQ6: number): ScanNode[] {
  const incQ16 = angleDiffQ6(capsule.startAngleQ6, nextStartAngleQ6) << 5; // (diff_q6 << 10) / 32
  const startQ16 = capsule.startAngleQ6 << 10;
  const out: ScanNode[] = [];
  for (let k = 0; k < SAMPLES_PER_CAPSULE; k++) {
    const s = capsule.samples[k]!;
    let q6 = Math.floor((startQ16 + k * incQ16 - s.compensationQ3 * (1 << 13)) / 1024);
    q6 = ((q6 % FULL_TURN_Q6) + FULL_TURN_Q6) % FULL_TURN_Q6;
    const angleDeg = q6 / 64;
    out.push({
      start: false,
      // The legacy capsule carries no quality; the SDK reports 0x2F for a return, 0 without.
      quality: s.distanceMm > 0 ? 0x2f : 0,
      angleDeg,
      angleRad: deviceAngleToRad(angleDeg),
      distanceM: s.distanceMm / 1000,
    });
  }
  return out;
}

/**
 * A streaming decoder of legacy express capsules. It hunts for the 0xA/0x5 sync nibbles and
 * takes 84 bytes as a capsule only when the checksum matches; otherwise it slides one byte
 * (counting one rejection per resync episode). A capsule's samples are emitted when the next
 * good capsule arrives, since their angles need its start angle; a bad capsule, an S flag, or
 * an implausible jump of the start angle (a lost capsule: a span half again the previous one)
 * breaks that chain and the pending samples are dropped, as the SDK does.
 *
 * A new revolution starts at the first sample whose angle is smaller than the one before
 * (PDF: "a new scan starts at a measurement point whose raw angle is smaller than previous
 * one"); the compensated angle is used, and a drop must exceed half a turn, so compensation
 * jitter of a few degrees never cuts a revolution.
 */
export class ExpressCapsuleDecoder implements MeasurementDecoder {
  private readonly q = new ByteQueue(65536);
  private syncing = false;
  private pending: ExpressCapsule | null = null;
  private lastSpanQ6 = 0;
  private lastAngleQ6: number | null = null;
  readonly stats: NodeDecoderStats = { nodes: 0, rejected: 0, skippedBytes: 0 };
  /** Capsules whose samples were dropped because the chain broke (gap, S flag, bad neighbour). */
  droppedCapsules = 0;

  reset(): void {
    this.q.clear();
    this.syncing = false;
    this.pending = null;
    this.lastSpanQ6 = 0;
    this.lastAngleQ6 = null;
  }

  push(chunk: Uint8Array): ScanNode[] {
    this.q.push(chunk);
    const out: ScanNode[] = [];
    while (this.q.length >= 2) {
      const head = this.q.peek(2);
      if (head[0]! >> 4 !== CAPSULE_SYNC1 || head[1]! >> 4 !== CAPSULE_SYNC2) {
        this.reject();
        continue;
      }
      if (this.q.length < CAPSULE_BYTES) break;
      const bytes = this.q.peek(CAPSULE_BYTES);
      if (capsuleProblem(bytes, 0) !== null) {
        this.reject();
        continue;
      }
      this.syncing = false;
      const capsule = decodeCapsule(bytes, 0);
      this.q.drop(CAPSULE_BYTES);
      this.take(capsule, out);
    }
    return out;
  }

  private reject(): void {
    if (!this.syncing) {
      this.stats.rejected++;
      // The capsule waiting for its successor cannot be placed now.
      if (this.pending) this.droppedCapsules++;
      this.pending = null;
    }
    this.syncing = true;
    this.stats.skippedBytes++;
    this.q.drop(1);
  }

  private take(capsule: ExpressCapsule, out: ScanNode[]): void {
    const prev = this.pending;
    this.pending = capsule;
    if (!prev) return;
    if (capsule.newScan) {
      this.droppedCapsules++;
      this.lastSpanQ6 = 0;
      return;
    }
    const span = angleDiffQ6(prev.startAngleQ6, capsule.startAngleQ6);
    // The head cannot speed up by half between two capsules: a capsule went missing.
    if (this.lastSpanQ6 > 0 && span > 1.5 * this.lastSpanQ6) {
      this.droppedCapsules++;
      return;
    }
    this.lastSpanQ6 = span;
    for (const node of expandCapsule(prev, capsule.startAngleQ6)) {
      const q6 = Math.round(node.angleDeg * 64);
      node.start = this.lastAngleQ6 !== null && this.lastAngleQ6 - q6 > FULL_TURN_Q6 / 2;
      this.lastAngleQ6 = q6;
      out.push(node);
      this.stats.nodes++;
    }
  }
}

// --- revolutions and the fixed grid -------------------------------------------------------

export interface Revolution {
  nodes: ScanNode[];
}

/**
 * Cuts the node stream into revolutions at start flags, and also where the angle falls back
 * by more than half a turn without one (the start node itself was lost to corruption: two
 * turns must not merge into one scan). Nodes before the first start (a partial revolution)
 * are dropped; each start after that completes one revolution.
 */
export class RevolutionAssembler {
  private current: ScanNode[] | null = null;
  private lastAngleDeg: number | null = null;

  reset(): void {
    this.current = null;
    this.lastAngleDeg = null;
  }

  push(node: ScanNode): Revolution | null {
    const wrapped = this.lastAngleDeg !== null && this.lastAngleDeg - node.angleDeg > 180;
    this.lastAngleDeg = node.angleDeg;
    if (node.start || wrapped) {
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
  return binToGrid(rev.nodes, (n) => ({ angleRad: n.angleRad, rangeM: n.distanceM }), opts);
}
