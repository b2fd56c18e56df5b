/**
 * Hostile-robot fuzzer over the real serial path: a pseudo-terminal pair, a RobotLink over
 * SerialTransport on the slave, and on the master a robot that completes the handshake and
 * then interleaves valid frames with garbage, truncated, oversized, replayed, bit-flipped and
 * otherwise bad frames at the highest rate the link keeps up with.
 *
 * Exact accounting: every injected unit ends with the 0x00 delimiter, so the decoder's blocks
 * are exactly the non-empty runs between zeros of the injected stream. Each block's fate is
 * predicted when it is made (oversize, COBS, CRC, …); a bad unit that would by chance decode
 * is regenerated, so the link's counters must match the prediction reason by reason.
 *
 * "No motion from a bad frame": bad frames are built from poison messages (odometry with
 * v = 0.9 m/s and a pose 4 km away, scans that show an empty world, a VelocityCommand sent the
 * wrong way). The owner of the link echoes the velocity of every odometry frame it receives
 * as its command, the way a controller would act on telemetry; valid odometry says v = 0. So
 * a poison frame that got through would put a non-zero VelocityCommand on the wire, and the
 * robot end checks every command it receives.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import {
  FrameDecoder,
  MAX_SCAN_BEAMS,
  MAX_WIRE_BYTES,
  decodeFrameBody,
  encodeFrameBody,
  encodeWire,
  cobsDecode,
  cobsEncode,
  crc16,
  type FrameErrorReason,
} from '../../../src/shared/wire';
import { RobotLink, type LinkCounters, type ReceivedFrame } from '../../../src/main/link/robot-link';
import { SerialTransport } from '../../../src/main/link/serial-transport';
import { createPseudoTerminal, type PseudoTerminal } from '../../../src/sim/pty';
import { PROTOCOL_VERSION, type LinkMessage, type RobotMessage } from '../../../src/shared/protocol';
import { FaultMonitor } from '../../../src/main/core/faults';
import { testHello } from '../link/scripted-robot';

export type BadReason = FrameErrorReason | 'wrong-direction';

export type UnitKind =
  | 'valid' | 'replay' | 'garbage' | 'truncated' | 'oversize-run' | 'oversize-scan' | 'bit-flip'
  | 'crc-corrupt' | 'wrong-direction' | 'unknown-type' | 'bad-payload' | 'version';

export interface FuzzReport {
  bytes: number;
  /** Units written, by kind. */
  units: Record<UnitKind, number>;
  /** Valid frames injected (replays included: they are valid frames). */
  validFramesInjected: number;
  /** Bad blocks injected, by the reason the decoder must give. */
  badInjected: Record<BadReason, number>;
  badInjectedTotal: number;
  /** The link's counters over the fuzz (after the handshake). */
  counted: { frames: number; crcErrors: number; badFrames: number; byReason: Record<BadReason, number> };
  /** Frames the link delivered that carry a poison value: must be 0. */
  poisonDelivered: number;
  /** Non-zero VelocityCommands the robot received: must be 0. */
  nonZeroCommands: number;
  /** VelocityCommands the robot received during the fuzz (the stream kept going). */
  commandsReceived: number;
  /** Replayed frames the link delivered (it has no replay check: they are valid frames). */
  replaysDelivered: number;
  /** Of those, the ones the fault monitor (src/main/core/faults.ts) dropped. */
  replaysDropped: number;
  /** Non-replayed valid frames the fault monitor dropped: false alarms, must be 0. */
  validDropped: number;
  /** Link state changes during the fuzz (must be none: the link stayed connected). */
  stateChanges: string[];
  /** The good frame sent after the last bad one was delivered. */
  resyncedAtEnd: boolean;
  seconds: number;
  heapBeforeBytes: number;
  heapAfterBytes: number;
  /** Heap samples (after GC) during the run, bytes. */
  heapSamples: number[];
}

export interface FuzzOptions {
  totalBytes: number;
  seed?: number;
  /** Most bytes written but not yet read by the link. Default 32 KiB. */
  maxInFlightBytes?: number;
  /** Bytes per write to the pty. Default 8 KiB. */
  chunkBytes?: number;
  /** Called about every 10 % with bytes written. */
  onProgress?: (bytes: number) => void;
}

/** A garbage-collected heap size, bytes (GC exposed at runtime if node was not started with it). */
export function heapAfterGc(): number {
  const g = (globalThis as { gc?: () => void }).gc ?? exposeGc();
  g();
  g();
  return process.memoryUsage().heapUsed;
}

function exposeGc(): () => void {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  (globalThis as { gc?: () => void }).gc = gc;
  return gc;
}

/** mulberry32: small, fast, seedable; the fuzz must be reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const POISON_V = 0.9;
const POISON_X = 4000;
const POISON_RANGE = 77;
const ROBOT_TYPES = new Set(['hello', 'odometry', 'laser-scan', 'status', 'screen-state', 'pong']);

function isPoison(msg: LinkMessage): boolean {
  switch (msg.type) {
    case 'odometry': return msg.v === Math.fround(POISON_V) || msg.x === POISON_X;
    case 'laser-scan': return msg.ranges.length > 0 && msg.ranges[0] === POISON_RANGE;
    case 'status': return msg.batteryVoltage === POISON_X;
    default: return false;
  }
}

/** What the decoder will say about one block (bytes between delimiters). */
function predictBlock(block: Uint8Array): 'ok' | BadReason {
  if (block.length > MAX_WIRE_BYTES) return 'oversize';
  const body = cobsDecode(block);
  if (!body) return 'cobs';
  const r = decodeFrameBody(body);
  if (!r.ok) return r.reason;
  return ROBOT_TYPES.has(r.frame.msg.type) ? 'ok' : 'wrong-direction';
}

function blocksOf(unit: Uint8Array): Uint8Array[] {
  const blocks: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i < unit.length; i++) {
    if (unit[i] !== 0) continue;
    if (i > start) blocks.push(unit.subarray(start, i));
    start = i + 1;
  }
  if (start < unit.length) throw new Error('fuzz unit must end with a delimiter');
  return blocks;
}

function withDelimiter(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  return out;
}

/** A frame body with a valid CRC over arbitrary header and payload bytes. */
function rawFrame(version: number, type: number, seq: number, timestampUs: number, payload: Uint8Array): Uint8Array {
  const body = new Uint8Array(12 + payload.length + 2);
  const view = new DataView(body.buffer);
  view.setUint8(0, version);
  view.setUint8(1, type);
  view.setUint16(2, seq & 0xffff, true);
  view.setBigUint64(4, BigInt(timestampUs), true);
  body.set(payload, 12);
  view.setUint16(body.length - 2, crc16(body, 0, body.length - 2), true);
  return withDelimiter(cobsEncode(body));
}

/** Builds the injected stream, one unit at a time, keeping the ledger. */
class UnitFactory {
  readonly units = Object.fromEntries(
    (['valid', 'replay', 'garbage', 'truncated', 'oversize-run', 'oversize-scan', 'bit-flip', 'crc-corrupt', 'wrong-direction', 'unknown-type', 'bad-payload', 'version'] as const).map((k) => [k, 0]),
  ) as Record<UnitKind, number>;
  readonly badInjected: Record<BadReason, number> = { cobs: 0, 'too-short': 0, oversize: 0, crc: 0, version: 0, 'unknown-type': 0, 'bad-payload': 0, 'wrong-direction': 0 };
  validFrames = 0;
  private seq = 1000;
  private readonly recentValid: Uint8Array[] = [];
  /** A version-mismatch frame was sent and no valid frame since (three in a row end the session). */
  private versionPending = false;
  private readonly rand: () => number;

  constructor(seed: number, private readonly robotNowUs: () => number) {
    this.rand = prng(seed);
  }

  private int(n: number): number {
    return Math.floor(this.rand() * n);
  }

  private randomBytes(n: number, nonZero: boolean): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = nonZero ? 1 + this.int(255) : this.int(256);
    return out;
  }

  private validMessage(): RobotMessage {
    switch (this.int(4)) {
      case 0: return { type: 'status', batteryVoltage: 12.5, batteryPercent: 80, faults: 0, estopPressed: false, motorsEnabled: true };
      case 1: return { type: 'screen-state', panAngle: 0.25, panVelocity: 0 };
      case 2: return { type: 'laser-scan', angleMin: -Math.PI, angleIncrement: Math.PI / 180, timeIncrement: 0, rangeMin: 0.05, rangeMax: 8, ranges: new Float32Array(1 + this.int(200)).fill(3) };
      default: return { type: 'odometry', x: 1, y: 2, theta: 0.5, v: 0, w: 0, lastCommandSeq: 0 };
    }
  }

  private poisonMessage(): RobotMessage {
    switch (this.int(3)) {
      case 0: return { type: 'laser-scan', angleMin: -Math.PI, angleIncrement: Math.PI / 180, timeIncrement: 0, rangeMin: 0.05, rangeMax: 100, ranges: new Float32Array(8 + this.int(200)).fill(POISON_RANGE) };
      case 1: return { type: 'status', batteryVoltage: POISON_X, batteryPercent: 1, faults: 0, estopPressed: false, motorsEnabled: true };
      default: return { type: 'odometry', x: POISON_X, y: -POISON_X, theta: 3, v: POISON_V, w: POISON_V, lastCommandSeq: 0 };
    }
  }

  private nextSeq(): number {
    return this.seq++ & 0xffff;
  }

  /** The next unit: bytes ending with 0x00, with its predicted blocks recorded. */
  next(): Uint8Array {
    // The session must not end: never a second version frame without a valid one in between.
    const roll = this.rand();
    if (roll < 0.4 || (this.versionPending && roll >= 0.97)) return this.valid();
    if (roll < 0.48) return this.replay();
    if (roll < 0.56) return this.bad('garbage', () => withDelimiter(this.randomBytes(1 + this.int(300), false)));
    if (roll < 0.64) return this.bad('truncated', () => {
      const wire = encodeWire(this.poisonMessage(), this.nextSeq(), this.robotNowUs());
      return withDelimiter(wire.subarray(0, 1 + this.int(wire.length - 2)));
    });
    if (roll < 0.655) return this.bad('oversize-run', () => withDelimiter(this.randomBytes(MAX_WIRE_BYTES + 1 + this.int(4000), true)));
    if (roll < 0.665) return this.bad('oversize-scan', () => this.oversizeScan());
    if (roll < 0.78) return this.bad('bit-flip', () => {
      const wire = encodeWire(this.poisonMessage(), this.nextSeq(), this.robotNowUs());
      // Any bit of the frame, the delimiter included (the unit gets a delimiter of its own).
      const at = this.int(wire.length);
      wire[at]! ^= 1 << this.int(8);
      return withDelimiter(wire);
    });
    if (roll < 0.89) return this.bad('crc-corrupt', () => {
      // A whole poison frame whose CRC (last two body bytes) is off by a non-zero xor.
      const body = encodeFrameBody(this.poisonMessage(), this.nextSeq(), this.robotNowUs());
      body[body.length - 1 - this.int(2)]! ^= 1 + this.int(255);
      return withDelimiter(cobsEncode(body));
    });
    if (roll < 0.93) return this.bad('wrong-direction', () => encodeWire({ type: 'velocity-command', v: POISON_V, w: POISON_V }, this.nextSeq(), this.robotNowUs()));
    if (roll < 0.95) return this.bad('unknown-type', () => rawFrame(PROTOCOL_VERSION, 0x40 + this.int(0x40), this.nextSeq(), this.robotNowUs(), this.randomBytes(this.int(20), false)));
    if (roll < 0.97) return this.bad('bad-payload', () => {
      // Odometry one byte short (22 bytes expected).
      return rawFrame(PROTOCOL_VERSION, 0x02, this.nextSeq(), this.robotNowUs(), this.randomBytes(21, false));
    });
    this.versionPending = true;
    return this.bad('version', () => encodeWire(this.poisonMessage(), this.nextSeq(), this.robotNowUs(), PROTOCOL_VERSION + 1));
  }

  /** Starts the ledger afresh (after the warm-up), forgetting warm-up frames as replay sources. */
  resetLedger(): void {
    this.units.valid = 0;
    this.validFrames = 0;
    this.recentValid.length = 0;
  }

  valid(): Uint8Array {
    const seq = this.nextSeq();
    const ts = this.robotNowUs();
    const wire = encodeWire(this.validMessage(), seq, ts);
    this.recentValid.push(wire);
    if (this.recentValid.length > 64) this.recentValid.shift();
    this.units.valid++;
    this.validFrames++;
    this.versionPending = false;
    return wire;
  }

  private replay(): Uint8Array {
    const pick = this.recentValid[this.int(this.recentValid.length)];
    if (!pick) return this.valid();
    this.units.replay++;
    this.validFrames++;
    this.versionPending = false;
    return pick;
  }

  /** A 1001-beam scan with a valid CRC: the frame fits, the beam count does not. */
  private oversizeScan(): Uint8Array {
    const beams = MAX_SCAN_BEAMS + 1;
    const payload = new Uint8Array(22 + beams * 4);
    const view = new DataView(payload.buffer);
    view.setFloat32(12, 0.05, true);
    view.setFloat32(16, 100, true);
    view.setUint16(20, beams, true);
    for (let i = 0; i < beams; i++) view.setFloat32(22 + i * 4, POISON_RANGE, true);
    return rawFrame(PROTOCOL_VERSION, 0x03, this.nextSeq(), this.robotNowUs(), payload);
  }

  private bad(kind: UnitKind, make: () => Uint8Array): Uint8Array {
    for (;;) {
      const unit = make();
      const fates = blocksOf(unit).map(predictBlock);
      // A bad unit that would decode (CRC passes by chance, about 1 in 65 536) is remade:
      // the ledger must be exact, and "no good frame from a bad unit" must hold by construction.
      if (fates.includes('ok')) continue;
      for (const f of fates as BadReason[]) this.badInjected[f]++;
      this.units[kind]++;
      return unit;
    }
  }
}

/** Runs the fuzz; resolves with the report (assertions are the caller's). */
export async function runSerialFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const seed = options.seed ?? 0xf022;
  const maxInFlight = options.maxInFlightBytes ?? 32 * 1024;
  const chunkBytes = options.chunkBytes ?? 8 * 1024;
  const robotNowUs = (): number => Math.round((performance.now() + 7_000_000) * 1000);

  const pty: PseudoTerminal = await createPseudoTerminal();
  const transport = new SerialTransport({ path: pty.path });
  const link = new RobotLink({ transport });
  const cleanup = async (): Promise<void> => {
    await link.dispose();
    await pty.close();
  };

  try {
    // The robot end: answers the handshake, then only listens (the fuzzer does the talking).
    const fromHost = new FrameDecoder();
    let commandsReceived = 0;
    let nonZeroCommands = 0;
    let robotSeq = 0;
    pty.onData((chunk) => {
      for (const r of fromHost.push(chunk)) {
        if (!r.ok) continue;
        const msg = r.frame.msg;
        if (msg.type === 'ping' && msg.requestHello) pty.write(encodeWire(testHello(PROTOCOL_VERSION), robotSeq++, robotNowUs()));
        if (msg.type === 'velocity-command') {
          commandsReceived++;
          if (msg.v !== 0 || msg.w !== 0) nonZeroCommands++;
        }
      }
    });

    // The owner: acts on telemetry (echoes odometry velocity as its command) and runs the
    // fault monitor on every frame as the core would. Nothing per frame is kept (heap must stay flat).
    const monitor = new FaultMonitor({ holdMs: 0 });
    let poisonDelivered = 0;
    let collecting = false;
    let replaysDropped = 0;
    let replaysDelivered = 0;
    let validDropped = 0;
    const lastDelivered = { seq: -1, timestampUs: -1 };
    const recentKeys = new Set<string>();
    const recentOrder: string[] = [];
    link.on('frame', (frame) => {
      if (isPoison(frame.msg)) poisonDelivered++;
      const key = `${frame.seq}:${frame.timestampUs}`;
      const isReplay = recentKeys.has(key);
      if (!isReplay) {
        recentKeys.add(key);
        recentOrder.push(key);
        if (recentOrder.length > 2048) recentKeys.delete(recentOrder.shift()!);
      }
      const verdict = monitor.onFrame(frame as ReceivedFrame & { msg: RobotMessage });
      if (collecting) {
        lastDelivered.seq = frame.seq;
        lastDelivered.timestampUs = frame.timestampUs;
        if (isReplay) replaysDelivered++;
          if (!verdict.apply) {
          if (isReplay) replaysDropped++;
          else validDropped++;
        }
      }
      if (verdict.apply && frame.msg.type === 'odometry') link.setVelocity({ v: frame.msg.v, w: frame.msg.w });
    });

    link.connect();
    for (let i = 0; i < 500 && link.state !== 'connected'; i++) await new Promise((r) => setTimeout(r, 10));
    if (link.state !== 'connected') throw new Error(`link did not connect over ${pty.path}: ${link.message}`);
    const stateChanges: string[] = [];
    link.on('state', (s) => stateChanges.push(`${s.state}: ${s.message}`));

    let bytesRead = 0;
    transport.onData((c) => { bytesRead += c.length; });
    const countersBefore: LinkCounters = link.getCounters();

    const factory = new UnitFactory(seed, robotNowUs);
    // Warm up (JIT, and every bounded ring of the owner and the fault monitor filled), then
    // measure: what the heap does after this is what the link does.
    const WARMUP_FRAMES = 3000;
    for (let i = 0; i < WARMUP_FRAMES; i += 100) {
      const batch: Uint8Array[] = [];
      for (let j = 0; j < 100; j++) batch.push(factory.valid());
      pty.write(concat(batch));
      await waitFor(() => link.getCounters().frames >= countersBefore.frames + i + 100, 10_000);
    }
    const afterWarmup = link.getCounters();
    factory.resetLedger();
    const baseline = { ...afterWarmup, byReason: { ...afterWarmup.byReason } };
    bytesRead = 0;
    collecting = true;

    const heapBeforeBytes = heapAfterGc();
    const heapSamples: number[] = [];
    const started = performance.now();
    let written = 0;
    let nextProgress = options.totalBytes / 10;
    let nextHeapSample = options.totalBytes / 8;
    while (written < options.totalBytes) {
      const parts: Uint8Array[] = [];
      let size = 0;
      while (size < chunkBytes) {
        const unit = factory.next();
        parts.push(unit);
        size += unit.length;
      }
      const chunk = concat(parts);
      // Back-pressure: keep the pty and the link's queue short so frame timestamps stay current.
      while (written - bytesRead > maxInFlight) await new Promise((r) => setImmediate(r));
      pty.write(chunk);
      written += chunk.length;
      if (written >= nextProgress) {
        options.onProgress?.(written);
        nextProgress += options.totalBytes / 10;
      }
      if (written >= nextHeapSample) {
        heapSamples.push(heapAfterGc());
        nextHeapSample += options.totalBytes / 8;
      }
    }
    // One last good frame: the link must be in sync after everything above.
    const finalFrame = factory.valid();
    pty.write(finalFrame);
    written += finalFrame.length;
    await waitFor(() => bytesRead >= written, 30_000);
    // Let the last frame's listeners run.
    await new Promise((r) => setTimeout(r, 20));
    const seconds = (performance.now() - started) / 1000;
    const heapAfterBytes = heapAfterGc();

    const after = link.getCounters();
    const byReason = Object.fromEntries(
      Object.entries(after.byReason).map(([k, v]) => [k, v - baseline.byReason[k as BadReason]]),
    ) as Record<BadReason, number>;

    const finalDecoded = new FrameDecoder().push(finalFrame)[0];
    const resyncedAtEnd = finalDecoded?.ok === true
      && lastDelivered.seq === finalDecoded.frame.seq && lastDelivered.timestampUs === finalDecoded.frame.timestampUs;

    return {
      bytes: written,
      units: factory.units,
      validFramesInjected: factory.validFrames,
      badInjected: factory.badInjected,
      badInjectedTotal: Object.values(factory.badInjected).reduce((a, b) => a + b, 0),
      counted: {
        frames: after.frames - baseline.frames,
        crcErrors: after.crcErrors - baseline.crcErrors,
        badFrames: after.badFrames - baseline.badFrames,
        byReason,
      },
      poisonDelivered,
      nonZeroCommands,
      commandsReceived,
      replaysDelivered,
      replaysDropped,
      validDropped,
      stateChanges: [...stateChanges],
      resyncedAtEnd,
      seconds,
      heapBeforeBytes,
      heapAfterBytes,
      heapSamples,
    };
  } finally {
    await cleanup();
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

async function waitFor(cond: () => boolean, timeoutMs: number): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > until) throw new Error(`fuzz: condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
}
