/**
 * The robot link's wire codec, protocol v1 (docs/protocol.md): typed messages ⇄ payloads
 * (payload.ts) ⇄ frames with header and CRC ⇄ COBS blocks on the wire (framing.ts). Pure
 * TypeScript on Uint8Array/DataView: the console's link, the simulated robot, the tests and
 * the vector generator all use this one implementation.
 */
export { cobsDecode, cobsEncode } from './cobs';
export { crc16 } from './crc16';
export {
  CRC_BYTES,
  FrameDecoder,
  HEADER_BYTES,
  MAX_FRAME_BYTES,
  MAX_WIRE_BYTES,
  decodeFrameBody,
  emptyDecoderStats,
  encodeFrameBody,
  encodeWire,
  type DecodeResult,
  type DecoderStats,
  type FrameErrorReason,
} from './framing';
export {
  HELLO_NAME_MAX_BYTES,
  MAX_SCAN_BEAMS,
  decodePayload,
  encodePayload,
  messageTypeId,
  type PayloadErrorReason,
  type PayloadResult,
} from './payload';
export { ByteQueue } from './byte-queue';
