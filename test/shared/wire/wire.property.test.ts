/**
 * Property-based tests of the wire codec (src/shared/wire, fast-check): round trips of every message over
 * arbitrary field values, COBS, and the stream decoder under arbitrary and corrupted input.
 * Seeds are fixed so a failure reproduces; fast-check prints the counterexample.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FrameDecoder,
  HELLO_NAME_MAX_BYTES,
  MAX_SCAN_BEAMS,
  MAX_WIRE_BYTES,
  decodeFrameBody,
  encodeFrameBody,
  encodeWire,
  type DecodeResult,
  cobsDecode,
  cobsEncode,
  type FrameErrorReason,
} from '../../../src/shared/wire';
import type { LinkMessage } from '../../../src/shared/protocol';

const SEED = 0x5eed_f00d;
const params = (numRuns: number): fc.Parameters<unknown> => ({ seed: SEED, numRuns });

// ── Arbitraries ─────────────────────────────────────────────────────────────────────────

/** Any binary32 value, including ±0, ±Infinity, subnormals and NaN: what a robot may put on the wire. */
const f32 = fc.float();
const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
/** u64 fields are JS numbers on the host: exact up to 2^53 − 1. */
const u64 = fc.maxSafeNat();
const utf8 = new TextEncoder();
/** Names whose UTF-8 fits the 32-byte field (longer names are truncated by design). */
const helloName = fc.string({ unit: 'grapheme', maxLength: 16 }).filter((s) => utf8.encode(s).length <= HELLO_NAME_MAX_BYTES);

const hello = fc.record({
  type: fc.constant('hello' as const), protocolVersion: u8, name: helloName,
  footprintLength: f32, footprintWidth: f32, footprintCenterOffsetX: f32, wheelBase: f32,
  maxLinearVelocity: f32, maxAngularVelocity: f32, maxLinearAccel: f32, maxAngularAccel: f32,
  maxLinearJerk: f32, maxAngularJerk: f32, panMin: f32, panMax: f32, panMaxRate: f32, panMaxAccel: f32,
  lidarBeams: u16, lidarAngleMin: f32, lidarAngleIncrement: f32, lidarRangeMin: f32, lidarRangeMax: f32,
  lidarRateHz: f32, lidarMountX: f32, lidarMountY: f32, lidarMountYaw: f32,
});
const odometry = fc.record({ type: fc.constant('odometry' as const), x: f32, y: f32, theta: f32, v: f32, w: f32, lastCommandSeq: u16 });
const laserScan = fc.record({
  type: fc.constant('laser-scan' as const), angleMin: f32, angleIncrement: f32, timeIncrement: f32, rangeMin: f32, rangeMax: f32,
  // Mostly small scans (fast), sometimes the full 1000 beams (the largest frame there is).
  ranges: fc.oneof(
    { weight: 9, arbitrary: fc.float32Array({ maxLength: 64 }) },
    { weight: 1, arbitrary: fc.float32Array({ minLength: MAX_SCAN_BEAMS, maxLength: MAX_SCAN_BEAMS }) },
  ),
});
const status = fc.record({ type: fc.constant('status' as const), batteryVoltage: f32, batteryPercent: u8, faults: u32, estopPressed: fc.boolean(), motorsEnabled: fc.boolean() });
const screenState = fc.record({ type: fc.constant('screen-state' as const), panAngle: f32, panVelocity: f32 });
const pong = fc.record({ type: fc.constant('pong' as const), pingSeq: u16, hostTimeUs: u64, robotRxTimeUs: u64 });
const velocityCommand = fc.record({ type: fc.constant('velocity-command' as const), v: f32, w: f32 });
const screenCommand = fc.record({ type: fc.constant('screen-command' as const), panAngle: f32, maxRate: f32 });
const stop = fc.record({ type: fc.constant('stop' as const), reason: u8 });
const ping = fc.record({ type: fc.constant('ping' as const), requestHello: fc.boolean() });

const ARBITRARY_BY_TYPE: Record<LinkMessage['type'], fc.Arbitrary<LinkMessage>> = {
  hello, odometry, 'laser-scan': laserScan, status, 'screen-state': screenState, pong,
  'velocity-command': velocityCommand, 'screen-command': screenCommand, stop, ping,
};
const anyMessage: fc.Arbitrary<LinkMessage> = fc.oneof(...Object.values(ARBITRARY_BY_TYPE));
const anyFrame = fc.record({ msg: anyMessage, seq: u16, timestampUs: u64 });

/** Byte arrays that stress COBS: zero-heavy, zero-free runs around the 254-byte group size, and random. */
const cobsData = fc.oneof(
  fc.uint8Array({ maxLength: 600 }),
  fc.array(fc.constantFrom(0, 1, 0xff), { maxLength: 600 }).map((a) => Uint8Array.from(a)),
  fc.integer({ min: 0, max: 1100 }).chain((n) => fc.uint8Array({ minLength: n, maxLength: n, min: 1 })),
  fc.constantFrom(253, 254, 255, 508, 509).map((n) => new Uint8Array(n).fill(7)),
);

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Results in a comparable form (Float32Array views and error details included). */
function comparable(results: DecodeResult[]): unknown[] {
  return results.map((r) => (r.ok ? { ok: true, frame: r.frame } : { ok: false, reason: r.reason, detail: r.detail }));
}

// ── Round trips ─────────────────────────────────────────────────────────────────────────

describe('wire round trip', () => {
  for (const [type, arbitrary] of Object.entries(ARBITRARY_BY_TYPE)) {
    it(`decodes exactly what was encoded: ${type}`, () => {
      fc.assert(
        fc.property(arbitrary, u16, u64, (msg, seq, timestampUs) => {
          // The generated values are binary32 already, so the round trip must be exact
          // (toEqual tells -0 from 0 and treats NaN as equal to NaN).
          const body = decodeFrameBody(encodeFrameBody(msg, seq, timestampUs));
          expect(body).toEqual({ ok: true, frame: { version: 1, seq, timestampUs, msg } });
          const stream = new FrameDecoder().push(encodeWire(msg, seq, timestampUs));
          expect(comparable(stream)).toEqual([{ ok: true, frame: { version: 1, seq, timestampUs, msg } }]);
        }),
        params(type === 'laser-scan' ? 150 : 300),
      );
    });
  }

  it('rounds doubles to the nearest binary32 (Math.fround), never to something else', () => {
    fc.assert(
      fc.property(fc.double(), fc.double(), (v, w) => {
        const r = decodeFrameBody(encodeFrameBody({ type: 'velocity-command', v, w }, 0, 0));
        expect(r).toEqual({ ok: true, frame: { version: 1, seq: 0, timestampUs: 0, msg: { type: 'velocity-command', v: Math.fround(v), w: Math.fround(w) } } });
      }),
      params(500),
    );
  });
});

describe('COBS', () => {
  it('round-trips any bytes, never emits 0x00, and stays within its overhead bound', () => {
    fc.assert(
      fc.property(cobsData, (data) => {
        const enc = cobsEncode(data);
        expect(enc.includes(0)).toBe(false);
        expect(enc.length).toBeLessThanOrEqual(data.length + Math.ceil(data.length / 254) + 1);
        expect(cobsDecode(enc)).toEqual(data);
      }),
      params(1000),
    );
  });

  it('decodes arbitrary blocks without throwing: null, or fewer bytes than the block', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (block) => {
        const dec = cobsDecode(block);
        if (dec === null) return;
        // A block with a 0x00 inside is never COBS; a valid one always carries at least one code byte.
        expect(block.includes(0)).toBe(false);
        if (block.length > 0) expect(dec.length).toBeLessThan(block.length);
      }),
      params(1000),
    );
  });
});

// ── The stream decoder under hostile input ─────────────────────────────────────────────

/** Arbitrary streams: random bytes, long zero-free runs, valid frames and fragments of them, mixed. */
const hostileStream = fc
  .array(
    fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.integer({ min: 1, max: MAX_WIRE_BYTES + 600 }).map((n) => new Uint8Array(n).fill(0x55)),
      anyFrame.map(({ msg, seq, timestampUs }) => encodeWire(msg, seq, timestampUs)),
      fc.tuple(anyFrame, fc.nat()).map(([{ msg, seq, timestampUs }, cut]) => {
        const w = encodeWire(msg, seq, timestampUs);
        return w.subarray(0, cut % w.length);
      }),
    ),
    { maxLength: 12 },
  )
  .map(concat);

describe('FrameDecoder under arbitrary bytes', () => {
  it('never throws, accounts for every byte, and reports at most one result per block', () => {
    fc.assert(
      fc.property(hostileStream, (stream) => {
        const decoder = new FrameDecoder();
        const results = decoder.push(stream);
        expect(decoder.stats.bytes).toBe(stream.length);
        const zeros = stream.reduce((n, b) => n + (b === 0 ? 1 : 0), 0);
        const oversize = results.filter((r) => !r.ok && r.reason === 'oversize').length;
        // A result per closed non-empty block, plus one for each block abandoned as oversize.
        expect(results.length - oversize).toBeLessThanOrEqual(zeros);
        expect(decoder.stats.frames + decoder.errorCount()).toBe(results.length);
      }),
      params(400),
    );
  });

  it('buffers no more than MAX_WIRE_BYTES: a longer block is abandoned at the bound, the next one decodes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 * MAX_WIRE_BYTES }), fc.integer({ min: 1, max: 255 }), anyFrame, (length, fill, f) => {
        const decoder = new FrameDecoder();
        // Fed one byte at a time: the oversize report must come exactly when the bound is crossed.
        let reportedAt = -1;
        for (let i = 0; i < length; i++) {
          const r = decoder.push(new Uint8Array([fill]));
          if (r.length > 0) {
            expect(reportedAt).toBe(-1);
            expect(r).toMatchObject([{ ok: false, reason: 'oversize' }]);
            reportedAt = i;
          }
        }
        expect(reportedAt).toBe(length > MAX_WIRE_BYTES ? MAX_WIRE_BYTES : -1);
        const after = decoder.push(concat([new Uint8Array([0]), encodeWire(f.msg, f.seq, f.timestampUs)]));
        const good = after.filter((r) => r.ok);
        expect(good).toHaveLength(1);
        expect(after[after.length - 1]).toEqual({ ok: true, frame: { version: 1, seq: f.seq, timestampUs: f.timestampUs, msg: f.msg } });
      }),
      params(60),
    );
  });

  it('gives the same results however the stream is split', () => {
    fc.assert(
      fc.property(hostileStream, fc.array(fc.nat(), { maxLength: 20 }), (stream, cutsRaw) => {
        const wholeDecoder = new FrameDecoder();
        const whole = wholeDecoder.push(stream);
        const cuts = [...new Set(cutsRaw.map((c) => (stream.length === 0 ? 0 : c % stream.length)))].sort((a, b) => a - b);
        const split = new FrameDecoder();
        const pieces: DecodeResult[] = [];
        let from = 0;
        for (const c of [...cuts, stream.length]) {
          pieces.push(...split.push(stream.subarray(from, c)));
          from = c;
        }
        expect(comparable(pieces)).toEqual(comparable(whole));
        expect(split.stats).toEqual(wholeDecoder.stats);
      }),
      params(300),
    );
  });

  it('resynchronizes: after any garbage, a delimiter and a valid frame decode that frame', () => {
    fc.assert(
      fc.property(hostileStream, anyFrame, (garbage, f) => {
        const decoder = new FrameDecoder();
        decoder.push(garbage);
        const results = decoder.push(concat([new Uint8Array([0]), encodeWire(f.msg, f.seq, f.timestampUs)]));
        expect(results[results.length - 1]).toEqual({ ok: true, frame: { version: 1, seq: f.seq, timestampUs: f.timestampUs, msg: f.msg } });
      }),
      params(300),
    );
  });
});

// ── Single bit flips ────────────────────────────────────────────────────────────────────

/**
 * Where a flipped bit lands in the wire decides what the decoder can see:
 *  - 'data':  a data byte that stays non-zero → the frame body differs in exactly one bit;
 *             CRC-16/CCITT detects every single-bit error, so the frame must be rejected.
 *  - 'split': a data byte that becomes 0x00 → a delimiter in the middle: two broken blocks.
 *  - 'code':  a COBS code byte → the zeros of the body move; several body bytes change.
 *  - 'delim': the trailing delimiter → the frame merges with whatever follows.
 */
type FlipSite = 'data' | 'split' | 'code' | 'delim';

function codeByteOffsets(cobs: Uint8Array): Set<number> {
  const codes = new Set<number>();
  for (let at = 0; at < cobs.length; at += cobs[at]!) codes.add(at);
  return codes;
}

function classifyFlip(wire: Uint8Array, byteIndex: number, bit: number): FlipSite {
  if (byteIndex === wire.length - 1) return 'delim';
  if (codeByteOffsets(wire.subarray(0, wire.length - 1)).has(byteIndex)) return 'code';
  return (wire[byteIndex]! ^ (1 << bit)) === 0 ? 'split' : 'data';
}

describe('single bit flips', () => {
  it('are never accepted when they hit a data byte, and never cost more than the frame they hit', () => {
    const outcomes: Record<FlipSite, { flips: number; accepted: number; reasons: Partial<Record<FrameErrorReason, number>> }> = {
      data: { flips: 0, accepted: 0, reasons: {} }, split: { flips: 0, accepted: 0, reasons: {} },
      code: { flips: 0, accepted: 0, reasons: {} }, delim: { flips: 0, accepted: 0, reasons: {} },
    };
    fc.assert(
      fc.property(anyFrame, fc.nat(), fc.integer({ min: 0, max: 7 }), anyFrame, (f, at, bit, next) => {
        const wire = encodeWire(f.msg, f.seq, f.timestampUs);
        const byteIndex = at % wire.length;
        const site = classifyFlip(wire, byteIndex, bit);
        const flipped = wire.slice();
        flipped[byteIndex]! ^= 1 << bit;
        // The flipped frame, then an idle delimiter (a sender that pads, or the next frame's
        // leading 0x00), then a good frame: the good frame must come through whatever the flip did.
        const nextWire = encodeWire(next.msg, next.seq, next.timestampUs);
        const results = new FrameDecoder().push(concat([flipped, new Uint8Array([0]), nextWire]));
        const last = results[results.length - 1]!;
        expect(last).toEqual({ ok: true, frame: { version: 1, seq: next.seq, timestampUs: next.timestampUs, msg: next.msg } });
        const fromFlipped = results.slice(0, -1);
        const o = outcomes[site];
        o.flips++;
        for (const r of fromFlipped) {
          if (r.ok) o.accepted++;
          else o.reasons[r.reason] = (o.reasons[r.reason] ?? 0) + 1;
        }
        if (site === 'data') {
          expect(fromFlipped).toHaveLength(1);
          expect(fromFlipped[0]).toMatchObject({ ok: false, reason: 'crc' });
        }
      }),
      params(3000),
    );
    // One line for the record: how the decoder saw the flips that CRC alone does not cover.
    console.log(`bit flips by site: ${JSON.stringify(outcomes)}`);
    expect(outcomes.data.flips).toBeGreaterThan(1000);
    expect(outcomes.code.flips + outcomes.delim.flips).toBeGreaterThan(0);
    // Flips outside data bytes change several body bytes at once; CRC-16 still lets only about
    // one in 65 536 through, so over a few hundred such flips none should pass.
    expect(outcomes.split.accepted + outcomes.code.accepted + outcomes.delim.accepted).toBe(0);
  });

  it('exhaustively: every bit of a velocity command and an odometry frame, flipped, is rejected', () => {
    const frames = [
      encodeWire({ type: 'velocity-command', v: 0.5, w: -0.25 }, 0x1234, 987_654_321),
      encodeWire({ type: 'odometry', x: 1.5, y: -2.25, theta: 0.5, v: 0.25, w: -0.125, lastCommandSeq: 0x0100 }, 7, 1_000_000),
      encodeWire({ type: 'stop', reason: 0 }, 0, 0),
    ];
    let flips = 0;
    for (const wire of frames) {
      for (let i = 0; i < wire.length; i++) {
        for (let bit = 0; bit < 8; bit++) {
          const flipped = wire.slice();
          flipped[i]! ^= 1 << bit;
          const results = new FrameDecoder().push(concat([flipped, new Uint8Array([0])]));
          expect(results.every((r) => !r.ok)).toBe(true);
          flips++;
        }
      }
    }
    expect(flips).toBeGreaterThan(8 * 60);
  });
});
