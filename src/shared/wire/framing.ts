/**
 * Protocol v1 framing: typed messages ⇄ frames ⇄ bytes on the wire. Layout (docs/protocol.md):
 *
 *   wire:    COBS(frame) 0x00
 *   frame:   version u8 | type u8 | seq u16 | timestamp_us u64 | payload | crc16 u16
 *
 * Little-endian throughout; the CRC (CRC-16/CCITT-FALSE) covers version … payload. The
 * payload of each message type is payload.ts.
 */
import { PROTOCOL_VERSION, type LinkFrame, type LinkMessage } from '../protocol';
import { cobsDecode, cobsEncode } from './cobs';
import { crc16 } from './crc16';
import { decodePayload, encodePayload, messageTypeId, u64Bits, type PayloadErrorReason } from './payload';

export const HEADER_BYTES = 12;
export const CRC_BYTES = 2;
/** Largest decoded frame accepted, bytes: a 1000-beam scan fits with room to spare. */
export const MAX_FRAME_BYTES = 4096;
/** Longest wire block (COBS of the largest frame) before the decoder gives up and resyncs. */
export const MAX_WIRE_BYTES = MAX_FRAME_BYTES + Math.ceil(MAX_FRAME_BYTES / 254) + 1;

/** Serializes a message into a frame (no COBS, no delimiter). */
export function encodeFrameBody(msg: LinkMessage, seq: number, timestampUs: number, version = PROTOCOL_VERSION): Uint8Array {
  const payload = encodePayload(msg);
  const crcAt = HEADER_BYTES + payload.length;
  const frame = new Uint8Array(crcAt + CRC_BYTES);
  const view = new DataView(frame.buffer);
  view.setUint8(0, version);
  view.setUint8(1, messageTypeId(msg));
  view.setUint16(2, seq & 0xffff, true);
  view.setBigUint64(4, u64Bits(timestampUs), true);
  frame.set(payload, HEADER_BYTES);
  view.setUint16(crcAt, crc16(frame, 0, crcAt), true);
  return frame;
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
  | PayloadErrorReason; // 'unknown-type', 'bad-payload'

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
  const payload = decodePayload(type, body.subarray(HEADER_BYTES, crcAt));
  if (!payload.ok) return { ok: false, reason: payload.reason, detail: payload.detail };
  return { ok: true, frame: { version, seq, timestampUs, msg: payload.msg } };
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
