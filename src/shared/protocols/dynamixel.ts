/**
 * DYNAMIXEL Protocol 2.0 packets: pure encoding and a streaming decoder, no I/O. Used by the
 * TurtleBot3 driver (host side, instruction packets out, status packets in) and by its
 * OpenCR emulator (the other way round).
 *
 * Written from the ROBOTIS e-Manual, "DYNAMIXEL Protocol 2.0"
 * (https://emanual.robotis.com/docs/en/dxl/protocol2/), checked against ROBOTIS'
 * Dynamixel2Arduino (src/dxl_c/protocol.cpp, the library the OpenCR firmware answers with):
 *
 *   Instruction: FF FF FD 00 | ID | LEN_L LEN_H | INST | PARAM… | CRC_L CRC_H
 *   Status:      FF FF FD 00 | ID | LEN_L LEN_H | 55 | ERR | PARAM… | CRC_L CRC_H
 *
 * - Header FF FF FD, then the reserved byte 00 (FD there is never a header: see stuffing).
 * - ID 0–252, 254 broadcast (253 and 255 are invalid).
 * - LEN (u16 LE) counts everything after itself: instruction, error, stuffed params, CRC.
 * - Byte stuffing over instruction…params: wherever FF FF FD occurs an extra FD is inserted
 *   (FF FF FD → FF FF FD FD), so a header never appears inside a packet; LEN counts the
 *   stuffed bytes and the CRC is taken over the stuffed packet.
 * - CRC-16, polynomial 0x8005 (x¹⁶ + x¹⁵ + x² + 1), initial value 0, not reflected, no final
 *   XOR (CRC-16/BUYPASS), over every byte from the header to the last param; sent LE.
 * - Status error byte: bit 7 is the Alert flag (a hardware error, see the device's Hardware
 *   Error Status), bits 0–6 the error number of this packet (1 result fail … 7 access error).
 *
 * Byte order of every multi-byte field and param is little-endian.
 */
import { ByteQueue } from '../wire/byte-queue';

export const HEADER = [0xff, 0xff, 0xfd] as const;
export const RESERVED = 0x00;
export const BROADCAST_ID = 0xfe;
/** Highest ID a device may have (253 = 0xFD is reserved so an ID can never complete a header). */
export const MAX_ID = 0xfc;

/** Instruction bytes (e-Manual, "Instruction"). */
export const Instruction = {
  Ping: 0x01,
  Read: 0x02,
  Write: 0x03,
  RegWrite: 0x04,
  Action: 0x05,
  FactoryReset: 0x06,
  Reboot: 0x08,
  Clear: 0x10,
  ControlTableBackup: 0x20,
  Status: 0x55,
  SyncRead: 0x82,
  SyncWrite: 0x83,
  FastSyncRead: 0x8a,
  BulkRead: 0x92,
  BulkWrite: 0x93,
  FastBulkRead: 0x9a,
} as const;

/** Error numbers in bits 0–6 of a status packet's error byte (e-Manual, "Error"). */
export const StatusError = {
  None: 0x00,
  ResultFail: 0x01,
  InstructionError: 0x02,
  CrcError: 0x03,
  DataRangeError: 0x04,
  DataLengthError: 0x05,
  DataLimitError: 0x06,
  AccessError: 0x07,
} as const;

/** Bit 7 of the error byte: the device has a hardware error (overheat, overload, voltage…). */
export const ALERT_BIT = 0x80;

/** Bytes around the params: header 3, reserved, ID, LEN 2, instruction, CRC 2. */
export const INSTRUCTION_OVERHEAD = 10;
/** Status packets also carry the error byte. */
export const STATUS_OVERHEAD = 11;

// ── CRC ────────────────────────────────────────────────────────────────────────────────

const CRC_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x8005) & 0xffff : (crc << 1) & 0xffff;
    table[i] = crc;
  }
  return table;
})();

/** CRC-16 (poly 0x8005, init 0, MSB first) of `bytes[start, end)`, continuing from `crc`. */
export function crc16(bytes: Uint8Array, start = 0, end = bytes.length, crc = 0): number {
  let c = crc & 0xffff;
  for (let i = start; i < end; i++) c = ((c << 8) ^ CRC_TABLE[((c >> 8) ^ bytes[i]!) & 0xff]!) & 0xffff;
  return c;
}

// ── Byte stuffing ──────────────────────────────────────────────────────────────────────

/** Inserts FD after every FF FF FD in `body` (instruction…params of one packet). */
export function stuff(body: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (const b of body) {
    out.push(b);
    const n = out.length;
    if (n >= 3 && out[n - 3] === 0xff && out[n - 2] === 0xff && out[n - 1] === 0xfd) out.push(0xfd);
  }
  return Uint8Array.from(out);
}

/** Removes the FD that stuffing put after every FF FF FD (the inverse of `stuff`). */
export function unstuff(body: Uint8Array): Uint8Array {
  const out: number[] = [];
  // After a stuffed FD is removed the next byte is data even if it is FD again: the original
  // FF FF FD FD travels as FF FF FD FD FD. (Dynamixel2Arduino's parser would remove both FDs;
  // the DYNAMIXEL SDK and this follow the e-Manual's rule.)
  let removed = false;
  for (const b of body) {
    const n = out.length;
    if (!removed && b === 0xfd && n >= 3 && out[n - 3] === 0xff && out[n - 2] === 0xff && out[n - 1] === 0xfd) {
      removed = true;
      continue;
    }
    removed = false;
    out.push(b);
  }
  return Uint8Array.from(out);
}

// ── Encoding ───────────────────────────────────────────────────────────────────────────

function assemble(id: number, body: Uint8Array): Uint8Array {
  const stuffed = stuff(body);
  const length = stuffed.length + 2; // + CRC
  if (length > 0xffff) throw new RangeError('DYNAMIXEL packet longer than LEN can say (65535)');
  const out = new Uint8Array(7 + length);
  out.set(HEADER, 0);
  out[3] = RESERVED;
  out[4] = id;
  out[5] = length & 0xff;
  out[6] = length >> 8;
  out.set(stuffed, 7);
  const crc = crc16(out, 0, out.length - 2);
  out[out.length - 2] = crc & 0xff;
  out[out.length - 1] = crc >> 8;
  return out;
}

function checkId(id: number): void {
  if (!Number.isInteger(id) || id < 0 || (id > MAX_ID && id !== BROADCAST_ID)) throw new RangeError(`DYNAMIXEL ID ${id} is not 0–252 or 254`);
}

/** An instruction packet from the host. */
export function encodeInstruction(id: number, instruction: number, params: ArrayLike<number> = []): Uint8Array {
  checkId(id);
  const body = new Uint8Array(1 + params.length);
  body[0] = instruction;
  body.set(params, 1);
  return assemble(id, body);
}

/** A status packet from a device: `error` is the whole error byte (Alert bit included). */
export function encodeStatus(id: number, error: number, params: ArrayLike<number> = []): Uint8Array {
  checkId(id);
  const body = new Uint8Array(2 + params.length);
  body[0] = Instruction.Status;
  body[1] = error;
  body.set(params, 2);
  return assemble(id, body);
}

export function encodePing(id: number): Uint8Array {
  return encodeInstruction(id, Instruction.Ping);
}

/** READ `length` bytes from control-table address `address`: params address u16 LE, length u16 LE. */
export function encodeRead(id: number, address: number, length: number): Uint8Array {
  return encodeInstruction(id, Instruction.Read, [address & 0xff, address >> 8, length & 0xff, length >> 8]);
}

/** WRITE `data` at control-table address `address`: params address u16 LE, data. */
export function encodeWrite(id: number, address: number, data: ArrayLike<number>): Uint8Array {
  const params = new Uint8Array(2 + data.length);
  params[0] = address & 0xff;
  params[1] = address >> 8;
  params.set(data, 2);
  return encodeInstruction(id, Instruction.Write, params);
}

// ── Decoding ───────────────────────────────────────────────────────────────────────────

export interface InstructionPacket {
  kind: 'instruction';
  id: number;
  instruction: number;
  /** Unstuffed. */
  params: Uint8Array;
}

export interface StatusPacket {
  kind: 'status';
  id: number;
  /** The whole error byte: `& 0x7f` the error number, `& ALERT_BIT` the Alert flag. */
  error: number;
  /** Unstuffed. */
  params: Uint8Array;
}

export type DynamixelPacket = InstructionPacket | StatusPacket;

/** Why bytes were dropped. */
export type DynamixelFrameError =
  /** Bytes before a header. */
  | 'garbage'
  /** ID 253 or 255 after a header. */
  | 'bad-id'
  /** LEN below the minimum (3, or 4 for status) or above the decoder's limit. */
  | 'bad-length'
  /** The CRC did not match. */
  | 'crc';

export type DynamixelDecodeEvent =
  | { type: 'packet'; packet: DynamixelPacket; /** Bytes on the wire. */ bytes: number }
  | { type: 'error'; reason: DynamixelFrameError; detail: string; /** Bytes dropped. */ bytes: number };

export interface DynamixelDecoderOptions {
  /**
   * Largest LEN accepted. Protocol 2.0 allows 65535, but a corrupt LEN would make the
   * decoder wait for that many bytes; a reader sets the longest packet it can expect
   * (the OpenCR firmware's packet buffer is 2048 bytes). Default 1024.
   */
  maxLength?: number;
}

export interface DynamixelDecoderStats {
  packets: number;
  crcErrors: number;
  /** Frames dropped for bad ID or length. */
  malformed: number;
  garbageBytes: number;
}

/**
 * Finds packets in a byte stream arriving in any chunking. Resynchronises on garbage: a
 * header is FF FF FD 00 (stuffing guarantees that never occurs inside a packet), and a frame
 * that fails its checks drops only its first byte, so a real header inside it is still found.
 * A truncated frame waits for more bytes; the next packet's bytes then fail its CRC and the
 * scan resumes inside them.
 */
export class DynamixelDecoder {
  private readonly queue = new ByteQueue(1 << 16);
  private readonly maxLength: number;
  private readonly counters: DynamixelDecoderStats = { packets: 0, crcErrors: 0, malformed: 0, garbageBytes: 0 };

  constructor(options: DynamixelDecoderOptions = {}) {
    this.maxLength = Math.min(0xffff, options.maxLength ?? 1024);
  }

  /** Bytes held back waiting for the rest of a frame. */
  get pending(): number {
    return this.queue.length;
  }

  stats(): DynamixelDecoderStats {
    return { ...this.counters };
  }

  reset(): void {
    this.queue.clear();
  }

  push(bytes: Uint8Array): DynamixelDecodeEvent[] {
    this.queue.push(bytes);
    const events: DynamixelDecodeEvent[] = [];
    let garbage = 0;
    const flushGarbage = () => {
      if (garbage === 0) return;
      this.counters.garbageBytes += garbage;
      events.push({ type: 'error', reason: 'garbage', detail: `${garbage} byte(s) outside any packet`, bytes: garbage });
      garbage = 0;
    };
    const q = this.queue;
    for (;;) {
      // Skip to the next FF FF FD 00, keeping a possible partial header at the end.
      let start = 0;
      while (start + 4 <= q.length && !(q.at(start) === 0xff && q.at(start + 1) === 0xff && q.at(start + 2) === 0xfd && q.at(start + 3) === RESERVED)) start++;
      if (start + 4 > q.length) {
        // No complete header: drop what cannot be the start of one.
        let keep = Math.min(3, q.length);
        while (keep > 0 && !isHeaderPrefix(q, q.length - keep, keep)) keep--;
        garbage += q.length - keep;
        q.drop(q.length - keep);
        break;
      }
      garbage += start;
      q.drop(start);
      if (q.length < 7) break;
      const id = q.at(4);
      if (id > MAX_ID && id !== BROADCAST_ID) {
        flushGarbage();
        this.counters.malformed++;
        events.push({ type: 'error', reason: 'bad-id', detail: `ID 0x${hex(id)} after a header`, bytes: 1 });
        q.drop(1);
        continue;
      }
      const length = q.at(5) | (q.at(6) << 8);
      if (length < 3 || length > this.maxLength) {
        flushGarbage();
        this.counters.malformed++;
        events.push({ type: 'error', reason: 'bad-length', detail: `LEN ${length} (3–${this.maxLength} accepted)`, bytes: 1 });
        q.drop(1);
        continue;
      }
      const total = 7 + length;
      if (q.length < total) break;
      const frame = q.peek(total);
      const want = frame[total - 2]! | (frame[total - 1]! << 8);
      const got = crc16(frame, 0, total - 2);
      if (want !== got) {
        flushGarbage();
        this.counters.crcErrors++;
        events.push({ type: 'error', reason: 'crc', detail: `CRC 0x${hex(want, 4)}, computed 0x${hex(got, 4)} (ID ${id}, LEN ${length})`, bytes: 1 });
        q.drop(1);
        continue;
      }
      const body = unstuff(frame.subarray(7, total - 2));
      const instruction = body[0]!;
      if (instruction === Instruction.Status && body.length < 2) {
        flushGarbage();
        this.counters.malformed++;
        events.push({ type: 'error', reason: 'bad-length', detail: `status packet without an error byte (ID ${id})`, bytes: total });
        q.drop(total);
        continue;
      }
      flushGarbage();
      q.drop(total);
      this.counters.packets++;
      const packet: DynamixelPacket =
        instruction === Instruction.Status
          ? { kind: 'status', id, error: body[1]!, params: body.slice(2) }
          : { kind: 'instruction', id, instruction, params: body.slice(1) };
      events.push({ type: 'packet', packet, bytes: total });
    }
    flushGarbage();
    return events;
  }
}

function isHeaderPrefix(q: ByteQueue, from: number, n: number): boolean {
  const prefix = [0xff, 0xff, 0xfd];
  for (let i = 0; i < n; i++) if (q.at(from + i) !== prefix[i]) return false;
  return true;
}

function hex(n: number, digits = 2): string {
  return n.toString(16).toUpperCase().padStart(digits, '0');
}

/** The error byte of a status packet in words, e.g. "access error" or "alert + data range error". */
export function describeStatusError(error: number): string {
  const names: Record<number, string> = {
    [StatusError.ResultFail]: 'result fail',
    [StatusError.InstructionError]: 'instruction error',
    [StatusError.CrcError]: 'CRC error',
    [StatusError.DataRangeError]: 'data range error',
    [StatusError.DataLengthError]: 'data length error',
    [StatusError.DataLimitError]: 'data limit error',
    [StatusError.AccessError]: 'access error',
  };
  const num = error & 0x7f;
  const parts: string[] = [];
  if (error & ALERT_BIT) parts.push('alert (hardware error)');
  if (num !== 0) parts.push(names[num] ?? `error 0x${hex(num)}`);
  return parts.length ? parts.join(' + ') : 'no error';
}
