// The TypeScript codec against the shared link vectors (the C side runs the same file in
// c-vectors.test.ts). Floats compare bit for bit (Object.is, so NaN equals NaN and 0 ≠ -0).
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import {
  FrameDecoder, MAX_FRAME_BYTES, MAX_SCAN_BEAMS, MAX_WIRE_BYTES, HELLO_NAME_MAX_BYTES,
  cobsDecode, cobsEncode, crc16, decodeFrameBody, encodeFrameBody, encodeWire,
} from '../../src/shared/wire';
import { MsgType, PROTOCOL_VERSION, type LinkMessage } from '../../src/shared/protocol';
import { REPO_ROOT, fromHex, loadVectors, messageOf, toHex } from './vectors';

const vectors = loadVectors();

function sameFloat(a: number, b: number): boolean {
  return Object.is(Math.fround(a), Math.fround(b));
}

/** Field-by-field comparison; floats bit-exact. Returns the mismatching fields. */
function diffMessages(got: LinkMessage, want: LinkMessage): string[] {
  const bad: string[] = [];
  const g = got as unknown as Record<string, unknown>;
  const w = want as unknown as Record<string, unknown>;
  const keys = new Set([...Object.keys(g), ...Object.keys(w)]);
  for (const k of keys) {
    const a = g[k];
    const b = w[k];
    if (a instanceof Float32Array && b instanceof Float32Array) {
      if (a.length !== b.length || a.some((x, i) => !sameFloat(x, b[i]!))) bad.push(k);
    } else if (typeof a === 'number' && typeof b === 'number') {
      if (!Object.is(a, b) && !sameFloat(a, b)) bad.push(k);
    } else if (a !== b) bad.push(k);
  }
  return bad;
}

describe('link vectors: file', () => {
  it('matches the codec constants', () => {
    expect(vectors.protocol_version).toBe(PROTOCOL_VERSION);
    expect(vectors.limits).toMatchObject({
      max_frame_bytes: MAX_FRAME_BYTES,
      max_wire_bytes: MAX_WIRE_BYTES,
      max_scan_beams: MAX_SCAN_BEAMS,
      hello_name_max_bytes: HELLO_NAME_MAX_BYTES,
    });
  });

  it('covers every message type', () => {
    const ids = new Set(vectors.frames.map((f) => f.type_id));
    for (const id of Object.values(MsgType)) expect(ids.has(id), `type 0x${id.toString(16)}`).toBe(true);
  });

  it('covers every decoder error', () => {
    const errors = new Set(vectors.negative.map((n) => n.error));
    for (const name of vectors.error_names) expect(errors.has(name), name).toBe(true);
  });

  it('is what the generator writes today (run npx tsx scripts/gen-link-vectors.ts if not)', () => {
    execFileSync(process.execPath, ['--import', 'tsx', 'scripts/gen-link-vectors.ts', '--check'], { cwd: REPO_ROOT, stdio: 'pipe' });
  });
});

describe('link vectors: CRC and COBS', () => {
  it.each(vectors.crc)('crc $name', (v) => {
    expect(crc16(fromHex(v.data_hex))).toBe(v.crc);
  });
  it.each(vectors.cobs)('cobs $name', (v) => {
    expect(toHex(cobsEncode(fromHex(v.decoded_hex)))).toBe(v.encoded_hex);
    expect(toHex(cobsDecode(fromHex(v.encoded_hex))!)).toBe(v.decoded_hex);
  });
});

describe('link vectors: frames', () => {
  it.each(vectors.frames)('$name', (v) => {
    const msg = messageOf(v);
    expect(msg.type).toBe(v.type);
    // Decodes to the stated header and message, through the stream decoder.
    const dec = new FrameDecoder();
    const out = dec.push(fromHex(v.wire_hex));
    expect(out.length).toBe(1);
    const res = out[0]!;
    if (!res.ok) throw new Error(`decode failed: ${res.reason}: ${res.detail}`);
    expect(res.frame.version).toBe(PROTOCOL_VERSION);
    expect(res.frame.seq).toBe(v.seq);
    expect(res.frame.timestampUs).toBe(v.timestamp_us);
    expect(diffMessages(res.frame.msg, msg)).toEqual([]);
    // The body is the stated frame.
    expect(toHex(cobsDecode(fromHex(v.wire_hex).subarray(0, -1))!)).toBe(v.frame_hex);
    expect(decodeFrameBody(fromHex(v.frame_hex)).ok).toBe(true);
    // Re-encodes to the same bytes, from the decoded message and from the vector's values.
    expect(toHex(encodeFrameBody(res.frame.msg, res.frame.seq, res.frame.timestampUs))).toBe(v.frame_hex);
    expect(toHex(encodeWire(msg, v.seq, v.timestamp_us))).toBe(v.wire_hex);
  });
});

describe('link vectors: negative', () => {
  it.each(vectors.negative)('$name is rejected as $error', (v) => {
    const dec = new FrameDecoder();
    const out = dec.push(fromHex(v.wire_hex));
    expect(out.map((r) => (r.ok ? 'ok' : r.reason))).toEqual([v.error]);
    expect(dec.stats.frames).toBe(0);
    expect(dec.errorCount()).toBe(1);
  });
});

describe('link vectors: streams', () => {
  it.each(vectors.streams)('$name', (v) => {
    const wire = fromHex(v.wire_hex);
    // Whole, and byte by byte: the outcome must not depend on how the bytes arrive.
    for (const chunked of [false, true]) {
      const dec = new FrameDecoder();
      const out = chunked ? Array.from(wire).flatMap((b) => dec.push(new Uint8Array([b]))) : dec.push(wire);
      expect(out.map((r) => (r.ok ? 'ok' : r.reason))).toEqual(v.results);
      const good = out.filter((r) => r.ok).map((r) => (r.ok ? toHex(encodeFrameBody(r.frame.msg, r.frame.seq, r.frame.timestampUs, r.frame.version)) : ''));
      expect(good).toEqual(v.frames_hex);
    }
  });
});
