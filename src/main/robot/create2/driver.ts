/**
 * iRobot Create 2 (Roomba 600-series Open Interface) base on its serial cable at 115200 baud.
 * Implemented from the iRobot Create 2 Open Interface (OI) Specification; opcodes, packets
 * and the stream decoder in src/shared/protocols/create2.ts.
 *
 * - connect: Start (128, the OI wakes in Passive), Safe (131: drivable, with the robot's own
 *   cliff and wheel-drop stops), then Stream (148) of the packets below, and wait for the first
 *   valid stream frame. Like AutonomyLab's libcreate (src/serial.cpp startReading), the three
 *   are sent again every 500 ms until a frame arrives: a robot that was asleep or mid-reset
 *   may miss the first ones.
 * - odometry per stream frame (the Create streams every 15 ms, ~67 Hz): encoder counts
 *   (43/44, 16-bit, rolling over) differenced modulo 65536, 508.8 counts per turn of a 72 mm
 *   wheel, midpoint differential-drive integration with the profile's wheel base (235 mm);
 *   REP 103 in `odom`, which starts where the robot was at the first connection and carries on
 *   across reconnects: the Create may have driven on while the link was down, so the counts
 *   moved since the last frame before the loss are integrated when they are possible (no wheel
 *   faster than 500 mm/s over the gap), else (the robot was switched off and its counts
 *   restarted) odometry is re-anchored and the gap said. v and w are the wheel travel of
 *   the last 4 frames over the robot time they span (15 ms a frame, frames lost to corruption
 *   counted in), which smooths the 0.44 mm count quantisation (0.03 m/s over one frame).
 * - status at 5 Hz and at once on a change: battery voltage (22), charge/capacity (25/26) as a
 *   percentage, Fault.Bumper while a bumper is pressed (7), Fault.LowBattery under 15 %,
 *   motorsEnabled while the OI is in Safe or Full (35).
 * - wheel drops (7) and cliffs (9–12) are said in words as they appear. In Safe mode the robot
 *   itself stops and falls back to Passive on a cliff while moving forward, a wheel drop, or
 *   a powered charger; the driver sees packet 35 change, says so, drops the held command, and
 *   does not re-enter Safe by itself: the robot stays put until the operator re-arms it
 *   (`reenterSafeMode()`, or a reconnect).
 * - commands every 50 ms: Drive Direct (145), right wheel then left, v ± w·b/2 in mm/s, both
 *   scaled down together when one would exceed ±500 (the commanded curvature is kept).
 * - stop: Drive Direct 0,0. Close: Drive Direct 0,0, Pause Stream (150 0), Stop (173), leaving
 *   the OI Off. The link judged lost while the port is still open (a silent robot): Drive
 *   Direct 0,0 before the port closes.
 *
 * The Create 2 has NO command timeout: it drives on at the last wheel speeds until told
 * otherwise, whatever happens to the host or the cable. The base driver's dead-man sends zero
 * once the console's command is older than `commandHoldMs`, but only while the link is up;
 * the profile says so (watchdog null) and the console asks for an explicit opt-in before
 * autonomy.
 */
import { Fault, type OdometryMsg, type StatusMsg } from '../../../shared/protocol';
import {
  BumpBits, ChargingState, MAX_WHEEL_SPEED_MM_S, METRES_PER_COUNT, OiMode, PacketId, STREAM_PERIOD_S, StreamDecoder, encodeDriveDirect, encodePauseResumeStream,
  encodeSafe, encodeStart, encodeStop, encodeStream, encoderDelta, integrateDifferentialDrive, oiModeName, wheelSpeedsForTwist,
} from '../../../shared/protocols/create2';
import { TransportBaseDriver, type BaseDriverOptions } from '../base-driver';

/**
 * What the driver streams: bumps and wheel drops, the four cliffs, charging state, voltage,
 * current, charge, capacity, OI mode, left and right encoder counts. 13 ids + 19 data bytes:
 * a 35-byte frame every 15 ms (2.3 kB/s of the 11.5 kB/s a 115200 line carries; the spec's
 * ceiling is 172 bytes a frame).
 */
export const CREATE2_STREAM_PACKETS: readonly number[] = [
  PacketId.BumpsWheelDrops,
  PacketId.CliffLeft,
  PacketId.CliffFrontLeft,
  PacketId.CliffFrontRight,
  PacketId.CliffRight,
  PacketId.ChargingState,
  PacketId.Voltage,
  PacketId.Current,
  PacketId.BatteryCharge,
  PacketId.BatteryCapacity,
  PacketId.OiMode,
  PacketId.LeftEncoderCounts,
  PacketId.RightEncoderCounts,
];

/** Start, Safe and Stream are sent again this often until the first frame, ms. */
const RESEND_WAKE_MS = 500;
/** Status messages at least this often, ms (and at once when faults or motors change). */
const STATUS_PERIOD_MS = 200;
/** Frames whose wheel travel makes up v and w. */
const VELOCITY_WINDOW_FRAMES = 4;
/** Battery below this, % → Fault.LowBattery (the Create has no alarm of its own on the OI). */
const LOW_BATTERY_PERCENT = 15;
/** A gap between frames longer than this is measured on the host clock, not counted in frames, ms. */
const LONG_GAP_MS = 75;
/** After connecting, how long the OI may take to report Safe before the driver says it did not, ms. */
const SAFE_GRACE_MS = 500;

const CLIFF_NAMES: readonly [number, string][] = [
  [PacketId.CliffLeft, 'left'],
  [PacketId.CliffFrontLeft, 'front-left'],
  [PacketId.CliffFrontRight, 'front-right'],
  [PacketId.CliffRight, 'right'],
];

/** One frame's sensors in the OI's units. */
export interface Create2Sensors {
  bumps: number;
  /** Names of the cliff sensors seeing a cliff. */
  cliffs: string[];
  chargingState: number;
  voltageMv: number;
  currentMa: number;
  chargeMah: number;
  capacityMah: number;
  mode: number;
  left: number;
  right: number;
}

const drivable = (mode: number | null): boolean => mode === OiMode.Safe || mode === OiMode.Full;

export class Create2Driver extends TransportBaseDriver {
  protected readonly driverName = 'create2';
  private readonly decoder = new StreamDecoder(CREATE2_STREAM_PACKETS);
  private readonly wheelBase: number;
  /**
   * Some Roomba 6xx firmware reports packet 35 one too high (libcreate's "mode report
   * workaround", AutonomyLab/create_robot issue 64); a profile sets `options.oiModeOffByOne`.
   */
  private readonly modeOffByOne: boolean;

  private pose = { x: 0, y: 0, theta: 0 };
  /** Encoder counts odometry last integrated up to, and when they arrived (host ms). */
  private anchor: { left: number; right: number; atMs: number } | null = null;
  /** The first frame of a new session bridges the gap from the anchor of the previous one. */
  private resumed = false;
  private lastFrameMs = -Infinity;
  private skippedAtLastFrame = 0;
  /** Wheel travel (m) of the last frames and the robot time each spans (s). */
  private readonly recent: { left: number; right: number; dt: number }[] = [];
  private mode: number | null = null;
  private everDrivable = false;
  private connectedAtMs = 0;
  private saidNotSafe = false;
  private latest: Create2Sensors | null = null;
  private previous = { wheelDrops: 0, cliffs: new Set<string>() };
  private lastStatusMs = -Infinity;
  private lastStatusKey = '';

  constructor(options: BaseDriverOptions) {
    super({ ...options, timing: { commandPeriodMs: 50, changeIntervalMs: 20, ...options.timing } });
    this.wheelBase = options.profile.body.wheelBase;
    this.modeOffByOne = options.profile.options.oiModeOffByOne === true;
  }

  /**
   * Puts the robot back in Safe mode after it fell to Passive by itself (a cliff, a wheel
   * drop, the charger): the operator's decision, never automatic. The held command is dropped
   * first, so the robot starts again from standstill. False when not connected.
   */
  reenterSafeMode(): boolean {
    if (!this.isConnected) return false;
    this.stop('safety');
    this.write(encodeSafe());
    this.write(encodeDriveDirect(0, 0));
    return true;
  }

  /** The OI mode the robot last reported (packet 35), or null before the first frame. */
  oiMode(): number | null {
    return this.mode;
  }

  /** The last stream frame's readings in the OI's units (current, charge…), for diagnostics. */
  sensors(): Create2Sensors | null {
    return this.latest;
  }

  // ── Session ──────────────────────────────────────────────────────────────────────────

  protected override resetSession(): void {
    this.decoder.reset();
    // Odometry carries on from the same pose; the first frame of the session bridges the gap
    // from the last counts of the previous one, if that travel was possible (publishOdometry).
    this.resumed = this.anchor !== null;
    this.lastFrameMs = -Infinity;
    this.skippedAtLastFrame = this.decoder.stats.skippedBytes;
    this.recent.length = 0;
    this.mode = null;
    this.everDrivable = false;
    this.saidNotSafe = false;
    this.latest = null;
    this.previous = { wheelDrops: 0, cliffs: new Set() };
    this.lastStatusMs = -Infinity;
    this.lastStatusKey = '';
  }

  protected async start(): Promise<void> {
    const wake = (): void => {
      this.write(encodeStart());
      this.write(encodeSafe());
      this.write(encodeStream(CREATE2_STREAM_PACKETS));
    };
    const noAnswer = `no sensor stream from the Create 2 on ${this.transport.endpoint} (is it switched on? press Clean to wake it; the cable must run at 115200 baud)`;
    wake();
    const timer = setInterval(wake, RESEND_WAKE_MS);
    try {
      await this.untilAnswered(this.timing.startTimeoutMs, noAnswer);
    } finally {
      clearInterval(timer);
    }
    this.connectedAtMs = this.nowMs();
  }

  protected receive(bytes: Uint8Array): void {
    for (const event of this.decoder.push(bytes)) {
      if (event.kind === 'error') this.badFrame(`create2-${event.reason}`, event.detail, event.reason === 'checksum');
      else this.onFrame(this.readSensors(event.values));
    }
  }

  // ── Commands ─────────────────────────────────────────────────────────────────────────

  protected writeVelocity(v: number, w: number): void {
    const { rightMmS, leftMmS } = wheelSpeedsForTwist(v, w, this.wheelBase);
    this.write(encodeDriveDirect(rightMmS, leftMmS));
  }

  protected writeStop(): void {
    this.write(encodeDriveDirect(0, 0));
  }

  protected leave(): void {
    this.write(encodeDriveDirect(0, 0));
    this.write(encodePauseResumeStream(false));
    // Off: the OI stops listening to drive commands and the robot is back to being a Roomba.
    this.write(encodeStop());
  }

  // ── Sensors ──────────────────────────────────────────────────────────────────────────

  private readSensors(values: Map<number, number>): Create2Sensors {
    const get = (id: number): number => values.get(id) ?? 0;
    const reportedMode = get(PacketId.OiMode);
    return {
      bumps: get(PacketId.BumpsWheelDrops),
      cliffs: CLIFF_NAMES.filter(([id]) => get(id) !== 0).map(([, name]) => name),
      chargingState: get(PacketId.ChargingState),
      voltageMv: get(PacketId.Voltage),
      currentMa: get(PacketId.Current),
      chargeMah: get(PacketId.BatteryCharge),
      capacityMah: get(PacketId.BatteryCapacity),
      mode: this.modeOffByOne ? Math.max(0, reportedMode - 1) : reportedMode,
      left: get(PacketId.LeftEncoderCounts),
      right: get(PacketId.RightEncoderCounts),
    };
  }

  private onFrame(s: Create2Sensors): void {
    const now = this.nowMs();
    this.latest = s;
    const framesLost = this.framesLostSinceLastFrame(now);
    if (!this.isConnected) {
      // Handshake: the first valid frame answers start(); at the first connection it anchors
      // the encoders (after a reconnect the previous session's anchor stands).
      this.anchor ??= { left: s.left, right: s.right, atMs: now };
      this.lastFrameMs = now;
      this.mode = s.mode;
      if (drivable(s.mode)) this.everDrivable = true;
      this.answered();
      return;
    }
    this.publishOdometry(s, framesLost, now);
    // Hazards first, in the mode the robot was in when it met them (this very frame may
    // already report the Passive mode they caused).
    this.watchHazards(s, this.mode);
    this.watchMode(s, now);
    this.publishStatus(s, now);
  }

  /** Frames missed between the previous good frame and this one (corrupted, or a long gap). */
  private framesLostSinceLastFrame(now: number): number {
    const skipped = this.decoder.stats.skippedBytes - this.skippedAtLastFrame;
    this.skippedAtLastFrame = this.decoder.stats.skippedBytes;
    let lost = Math.round(skipped / this.decoder.frameLength);
    const gapMs = now - this.lastFrameMs;
    // USB adapters deliver frames in bursts (an FTDI latency timer is 16 ms), so short gaps say
    // nothing about lost frames; a long one does.
    if (gapMs > LONG_GAP_MS) lost = Math.max(lost, Math.round(gapMs / (STREAM_PERIOD_S * 1000)) - 1);
    return lost;
  }

  private publishOdometry(s: Create2Sensors, framesLost: number, now: number): void {
    const last = this.anchor;
    this.anchor = { left: s.left, right: s.right, atMs: now };
    this.lastFrameMs = now;
    if (last) {
      const left = encoderDelta(last.left, s.left) * METRES_PER_COUNT;
      const right = encoderDelta(last.right, s.right) * METRES_PER_COUNT;
      let dt = (1 + framesLost) * STREAM_PERIOD_S;
      let possible = true;
      if (this.resumed) {
        dt = Math.max(STREAM_PERIOD_S, (now - last.atMs) / 1000);
        const reach = (MAX_WHEEL_SPEED_MM_S / 1000) * dt + 0.01;
        possible = Math.abs(left) <= reach && Math.abs(right) <= reach;
        if (!possible) {
          this.fault(
            'create2-odometry-gap',
            `The Create 2's wheel counts changed by more than it could have driven while the link was down (was it switched off?): odometry carries on from here without that stretch.`,
            { leftM: Number(left.toFixed(3)), rightM: Number(right.toFixed(3)), gapS: Number(dt.toFixed(2)) },
          );
        }
        this.resumed = false;
      }
      if (possible) {
        this.pose = integrateDifferentialDrive(this.pose, left, right, this.wheelBase);
        this.recent.push({ left, right, dt });
        if (this.recent.length > VELOCITY_WINDOW_FRAMES) this.recent.shift();
      }
    }
    let left = 0;
    let right = 0;
    let dt = 0;
    for (const r of this.recent) {
      left += r.left;
      right += r.right;
      dt += r.dt;
    }
    const msg: OdometryMsg = {
      type: 'odometry',
      x: this.pose.x,
      y: this.pose.y,
      theta: this.pose.theta,
      v: dt > 0 ? (left + right) / 2 / dt : 0,
      w: dt > 0 ? (right - left) / this.wheelBase / dt : 0,
      lastCommandSeq: -1,
    };
    this.publish(msg, now);
  }

  private watchMode(s: Create2Sensors, now: number): void {
    const before = this.mode;
    this.mode = s.mode;
    if (drivable(s.mode)) {
      this.everDrivable = true;
      return;
    }
    if (drivable(before) && s.mode === OiMode.Passive) {
      // The robot stopped itself; make sure nothing resumes the old command after a re-arm.
      this.stop('safety');
      this.fault(
        'create2-passive',
        `The Create 2 stopped itself and left Safe mode for Passive${this.passiveCause(s)}. It ignores drive commands until it is put back in Safe mode (re-arm it from the console, or reconnect).`,
        { mode: oiModeName(s.mode) },
      );
      return;
    }
    if (!this.everDrivable && !this.saidNotSafe && now - this.connectedAtMs > SAFE_GRACE_MS) {
      this.saidNotSafe = true;
      this.fault(
        'create2-not-safe',
        `The Create 2 streams its sensors but stays in ${oiModeName(s.mode)} mode, so it will not drive${this.passiveCause(s)}.`,
        { mode: oiModeName(s.mode) },
      );
    }
  }

  private passiveCause(s: Create2Sensors): string {
    if (s.bumps & (BumpBits.WheelDropLeft | BumpBits.WheelDropRight)) return ' after a wheel drop';
    if (s.cliffs.length > 0) return ` at a cliff (${s.cliffs.join(', ')})`;
    if (s.chargingState >= ChargingState.Reconditioning && s.chargingState <= ChargingState.Waiting) return ' because its charger is connected (Safe mode refuses to drive on the charger)';
    return '';
  }

  private watchHazards(s: Create2Sensors, mode: number | null): void {
    const drops = s.bumps & (BumpBits.WheelDropLeft | BumpBits.WheelDropRight);
    const newDrops = drops & ~this.previous.wheelDrops;
    if (newDrops) {
      const which = newDrops === (BumpBits.WheelDropLeft | BumpBits.WheelDropRight) ? 'both wheels' : newDrops & BumpBits.WheelDropLeft ? 'left wheel' : 'right wheel';
      const safeNote = mode === OiMode.Safe ? ' Safe mode stops it and falls back to Passive.' : mode === OiMode.Full ? ' In Full mode it does NOT stop by itself.' : '';
      this.fault('create2-wheel-drop', `The Create 2's ${which} dropped: it has been lifted or is over an edge.${safeNote}`, { bumps: s.bumps });
    }
    const newCliffs = s.cliffs.filter((c) => !this.previous.cliffs.has(c));
    if (newCliffs.length > 0) {
      const safeNote = mode === OiMode.Safe ? ' Safe mode stops it if it is driving towards it.' : mode === OiMode.Full ? ' In Full mode it does NOT stop by itself.' : '';
      this.fault('create2-cliff', `The Create 2 sees a drop (cliff sensor ${newCliffs.join(', ')}).${safeNote}`, { cliffs: newCliffs.join(',') });
    }
    this.previous = { wheelDrops: drops, cliffs: new Set(s.cliffs) };
  }

  private publishStatus(s: Create2Sensors, now: number): void {
    const percent = s.capacityMah > 0 ? Math.max(0, Math.min(100, Math.round((100 * s.chargeMah) / s.capacityMah))) : 255;
    let faults = 0;
    if (s.bumps & (BumpBits.BumpLeft | BumpBits.BumpRight)) faults |= Fault.Bumper;
    if (percent !== 255 && percent < LOW_BATTERY_PERCENT) faults |= Fault.LowBattery;
    const motorsEnabled = drivable(s.mode);
    const key = `${faults}/${motorsEnabled}`;
    if (key === this.lastStatusKey && now - this.lastStatusMs < STATUS_PERIOD_MS) return;
    this.lastStatusKey = key;
    this.lastStatusMs = now;
    const msg: StatusMsg = {
      type: 'status',
      batteryVoltage: s.voltageMv / 1000,
      batteryPercent: percent,
      faults,
      estopPressed: false,
      motorsEnabled,
    };
    this.publish(msg, now);
  }
}
