/**
 * The TurtleBot3 lidars as the simulator's devices: LDS-01 (HLS-LFCD2) and LDS-02 (LD08),
 * each streaming the simulator's scans in its own packets, written from the same public
 * sources as the codecs in src/shared/protocols/lds.ts (ROBOTIS hls_lfcd_lds_driver and
 * ld08_driver).
 *
 * The simulator captures one revolution per 1/rateHz as an instant snapshot (`result.scans`,
 * REP 103 in the lidar frame). A real head measures while it turns, so each emulator plays
 * that snapshot out over the following revolution: a measurement is sent once the head has
 * passed it, in the device's own angle convention (both turn clockwise). Time is the
 * simulator's only.
 */
import {
  LDS01_CMD_START, LDS01_CMD_STOP, LDS01_PACKETS_PER_REV, LDS01_READINGS_PER_PACKET, LDS02_POINTS_PER_FRAME, LDS02_SAMPLE_HZ,
  encodeLds01Packet, encodeLds02Frame, lds01ReadingAngleRad, lds02PointAngles, lds02RawDistanceForRange, lds02ShiftRad, wrapAngle,
  type Lds01Reading,
} from '../../shared/protocols/lds';
import type { LidarProfile } from '../../shared/robots';
import type { SimCore, SimScan, StepResult } from '../sim-core';
import type { ByteSink } from '../sim-robot';
import type { DeviceEmulator } from './emulator';

const DEG = Math.PI / 180;
/** Slack for comparing sim times that are sums of steps, s. */
const TIME_EPS = 1e-9;

/** The range of the snapshot's beam nearest `angleRad` (REP 103): metres, ±Infinity for none. */
function rangeAt(scan: SimScan, angleRad: number): number {
  const fullTurn = Math.round((2 * Math.PI) / scan.angleIncrement);
  let j = Math.round((angleRad - scan.angleMin) / scan.angleIncrement);
  j = ((j % fullTurn) + fullTurn) % fullTurn;
  return j < scan.ranges.length ? scan.ranges[j]! : Infinity;
}

/** A return the device can report, mm, or 0 (nothing within range, or closer than it sees). */
function toMm(rangeM: number): number {
  return Number.isFinite(rangeM) && rangeM > 0 ? Math.min(0xffff, Math.round(rangeM * 1000)) : 0;
}

/** Made-up but plausible signal strength: stronger up close, 0 without a return. */
function intensityFor(mm: number): number {
  return mm > 0 ? Math.round(Math.min(4000, 400_000 / Math.max(100, mm))) : 0;
}

export interface Lds01EmulatorOptions {
  /**
   * Firmware from 2017.10 on streams from power-up; older units wait for 'b'
   * (hlds_laser_segment_publisher.cpp: the command "is not required after firmware upgrade
   * (2017.10)"). Default false: the older behaviour, which also proves a driver sends 'b'.
   */
  streamsAtPowerUp?: boolean;
}

/**
 * LDS-01: 'b' starts the motor and the stream, 'e' stops both (other bytes are ignored). While
 * running, each revolution is 60 packets of 6 readings, packet n sent once the head has turned
 * through its readings, i.e. at (n + 1)/60 of a revolution after the snapshot.
 */
export class Lds01Emulator implements DeviceEmulator {
  /** Motor and stream on. */
  running: boolean;
  /** When true nothing is written (a wedged device, or its TX wire broken). */
  silent = false;
  /** 'b' and 'e' bytes received, in order. */
  readonly commands: number[] = [];
  packetsSent = 0;
  private sink: ByteSink | null = null;
  private pending: { due: number; bytes: Uint8Array }[] = [];
  private readonly rpm: number;

  constructor(
    private readonly core: SimCore,
    private readonly profile: LidarProfile,
    options: Lds01EmulatorOptions = {},
  ) {
    this.running = options.streamsAtPowerUp ?? false;
    this.rpm = profile.rateHz * 60;
  }

  attach(sink: ByteSink): void {
    this.sink = sink;
  }

  detach(sink?: ByteSink): void {
    if (!sink || sink === this.sink) this.sink = null;
  }

  receive(bytes: Uint8Array): void {
    for (const b of bytes) {
      if (b === LDS01_CMD_START) {
        this.commands.push(b);
        this.running = true;
      } else if (b === LDS01_CMD_STOP) {
        this.commands.push(b);
        this.running = false;
        this.pending = [];
      }
    }
  }

  afterStep(result: StepResult): void {
    this.flush(this.core.time);
    for (const scan of result.scans) {
      this.flush(Infinity); // a revolution never overlaps the next
      if (this.running) this.schedule(scan);
    }
    this.flush(this.core.time);
  }

  private schedule(scan: SimScan): void {
    const period = 1 / this.profile.rateHz;
    for (let n = 0; n < LDS01_PACKETS_PER_REV; n++) {
      const readings: Lds01Reading[] = [];
      for (let r = 0; r < LDS01_READINGS_PER_PACKET; r++) {
        const mm = toMm(rangeAt(scan, lds01ReadingAngleRad(n * LDS01_READINGS_PER_PACKET + r)));
        readings.push({ intensity: intensityFor(mm), rangeMm: mm, reserved: 0 });
      }
      this.pending.push({ due: scan.time + ((n + 1) / LDS01_PACKETS_PER_REV) * period, bytes: encodeLds01Packet({ index: n, rpm: this.rpm, readings }) });
    }
  }

  private flush(until: number): void {
    let k = 0;
    while (k < this.pending.length && this.pending[k]!.due <= until + TIME_EPS) k++;
    if (k === 0) return;
    const due = this.pending.splice(0, k);
    if (this.silent || !this.sink) return;
    for (const p of due) {
      this.sink.write(p.bytes);
      this.packetsSent++;
    }
  }
}

/** Far-field angle correction of the LD08 (atan 0.11923), a second guess where the first finds nothing. */
const LD08_FAR_SHIFT = Math.atan(0.11923);

/**
 * LDS-02: streams from power-up, whatever the host sends. The head turns clockwise at
 * 360·rateHz °/s and samples at a fixed 2300 Hz; every 12 samples make a frame, sent once its
 * last sample is taken. Device angle 0 is passed at each snapshot, so a revolution of the
 * device is exactly one snapshot. Each sample reports the raw distance the LD08 would: the
 * distance whose corrected point (lds02ToRep103) lands on the snapshot at the corrected angle,
 * found by a few fixed-point steps because the correction depends on the distance.
 */
export class Lds02Emulator implements DeviceEmulator {
  /** When true nothing is written (a wedged device, or its TX wire broken). */
  silent = false;
  framesSent = 0;
  private sink: ByteSink | null = null;
  /** Sim time the head passed device angle 0 at the first snapshot. */
  private anchor: number | null = null;
  private nextSample = 0;
  /** The two newest snapshots: a frame may straddle a revolution boundary. */
  private scans: SimScan[] = [];
  private readonly degPerS: number;
  /** 0.01° between samples, as the frame encodes it. */
  private readonly stepAngle: number;

  constructor(
    private readonly core: SimCore,
    profile: LidarProfile,
  ) {
    this.degPerS = 360 * profile.rateHz;
    this.stepAngle = Math.round((this.degPerS / LDS02_SAMPLE_HZ) * 100);
  }

  attach(sink: ByteSink): void {
    this.sink = sink;
  }

  detach(sink?: ByteSink): void {
    if (!sink || sink === this.sink) this.sink = null;
  }

  /** One-way device: the host's bytes go nowhere. */
  receive(_bytes: Uint8Array): void {}

  afterStep(result: StepResult): void {
    for (const scan of result.scans) {
      this.scans.push(scan);
      if (this.scans.length > 2) this.scans.shift();
      this.anchor ??= scan.time;
    }
    if (this.anchor === null) return;
    for (;;) {
      const lastSampleAt = this.anchor + (this.nextSample + LDS02_POINTS_PER_FRAME - 1) / LDS02_SAMPLE_HZ;
      if (lastSampleAt > this.core.time + TIME_EPS) break;
      const frame = this.frame(this.nextSample);
      this.nextSample += LDS02_POINTS_PER_FRAME;
      if (this.silent || !this.sink) continue;
      this.sink.write(frame);
      this.framesSent++;
    }
  }

  private frame(first: number): Uint8Array {
    const anchor = this.anchor!;
    const t0 = first / LDS02_SAMPLE_HZ;
    const startAngle = Math.round(((this.degPerS * t0) % 360) * 100) % 36000;
    // The angles the host will decode, so every distance is measured where it will be drawn.
    const angles = lds02PointAngles(startAngle, (startAngle + (LDS02_POINTS_PER_FRAME - 1) * this.stepAngle) % 36000);
    const points = angles.map((deg, i) => {
      const mm = this.rawDistance(this.snapshotAt(anchor + (first + i) / LDS02_SAMPLE_HZ), deg);
      return { distanceMm: mm, confidence: mm > 0 ? 200 : 0 };
    });
    return encodeLds02Frame({ speedDegPerS: this.degPerS, startAngle, stepAngle: this.stepAngle, timestampMs: (anchor + t0) * 1000, points });
  }

  /** The newest snapshot taken by sim time t. */
  private snapshotAt(t: number): SimScan {
    for (let k = this.scans.length - 1; k > 0; k--) if (this.scans[k]!.time <= t + TIME_EPS) return this.scans[k]!;
    return this.scans[0]!;
  }

  /** Raw LD08 distance (mm, 0 = no return) for the sample at device angle `deg` (clockwise). */
  private rawDistance(scan: SimScan, deg: number): number {
    const base = -deg * DEG;
    let angle = wrapAngle(base);
    let range = rangeAt(scan, angle);
    if (!(Number.isFinite(range) && range > 0)) {
      angle = wrapAngle(base + LD08_FAR_SHIFT);
      range = rangeAt(scan, angle);
    }
    // Iterate on the whole millimetres the frame carries, so the angle the host computes from
    // the reported distance is the angle whose range was reported; stop when that holds. Where
    // the corrected ray falls on the step between two beams of the snapshot the iteration
    // flips between them: the point is on the step, so report the distance between the two.
    let d = 0;
    let before = -1;
    for (let k = 0; k < 6; k++) {
      if (!(Number.isFinite(range) && range > 0)) return 0;
      const raw = lds02RawDistanceForRange(range * 1000);
      if (raw === null) return 0;
      const next = Math.min(0xffff, Math.round(raw));
      if (next === d) break;
      if (next === before) return Math.round((next + d) / 2);
      before = d;
      d = next;
      angle = wrapAngle(base + lds02ShiftRad(d));
      const nextRange = rangeAt(scan, angle);
      if (nextRange === range) break;
      range = nextRange;
    }
    return d;
  }
}
