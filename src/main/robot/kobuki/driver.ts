/**
 * Yujin Kobuki (TurtleBot 2) base on its USB port (FTDI FT232R, 115200 8N1), speaking the
 * Kobuki serial protocol of src/shared/protocols/kobuki.ts (from kobuki_core's protocol
 * appendix). The host does what kobuki_core (kobuki-base/kobuki_core src/driver/kobuki.cpp,
 * diff_drive.cpp) and kobuki_ros do:
 *
 *  - connect: the robot streams feedback by itself at 50 Hz from power-on; send Request Extra
 *    (hardware, firmware, unique device id, as Kobuki::init does) and wait for the first valid
 *    Basic Sensor Data. The version answers are awaited a little longer (re-asked with every
 *    frame until they come, as kobuki_core does) and said in the robot's name; a firmware of
 *    another major version than 1 is refused, as kobuki_core refuses it;
 *  - every command period (50 ms): Base Control with the (v, w) → (speed, radius) mapping of
 *    DiffDrive::velocityCommands (straight: radius 0; on the spot: radius 1);
 *  - odometry with every Basic Sensor Data (50 Hz): distance from the uint16 encoders (2578.33
 *    ticks a wheel turn, r = 0.035 m, b = 0.23 m), heading from the factory-calibrated gyro
 *    (Inertial Sensor, 0.01°; kobuki_ros use_imu_heading, its default), rates over the
 *    firmware's ms clock; REP 103 in `odom`, which starts where the robot was at the first
 *    frame and carries on across reconnects: after a short gap in which the board's clock ran
 *    on (it was not restarted) the counters are differenced across the gap, so motion while
 *    the cable was out is kept (the robot keeps driving, see below); otherwise they are
 *    re-anchored and the pose continues from where it was;
 *  - status at 2 Hz and at once on a change: battery from 0.1 V units (percent as kobuki_core's
 *    Battery estimates it, low below its 14.0 V), Fault.Bumper while a bumper is pressed,
 *    Fault.MotorOvercurrent on the over-current flags (the board cuts motor power above 3 A);
 *    wheel drop, cliff and over-current are also said in words, once each time they appear;
 *  - stop and close: Base Control speed 0, radius 0.
 *
 * What the robot does by itself when commands stop: nothing is documented. The firmware is
 * closed, the public protocol has no timeout field, kobuki_core resends the last command with
 * every frame it receives, and the only command timeout in Yujin's stack is kobuki_ros's host
 * side `cmd_vel_timeout` (0.6 s). So the driver assumes the robot keeps driving on its last
 * Base Control (the profile's `watchdog: null`) and always leaves it with an explicit stop.
 */
import { Fault, type OdometryMsg, type StatusMsg } from '../../../shared/protocol';
import {
  KOBUKI_BATTERY,
  KOBUKI_COMPATIBLE_FIRMWARE_MAJOR,
  KOBUKI_TICKS_PER_METRE,
  KOBUKI_WHEEL_BASE,
  KobukiCliff,
  KobukiFrameDecoder,
  KobukiOdometry,
  KobukiOvercurrent,
  KobukiRequestFlag,
  KobukiWheelDrop,
  batteryPercent,
  decodeFeedback,
  encodeBaseControl,
  encodeFrame,
  encodeRequestExtra,
  formatVersion,
  timestampDeltaMs,
  velocityToBaseControl,
  type KobukiBasicSensorData,
  type KobukiFeedback,
  type KobukiInertialData,
  type KobukiVersion,
} from '../../../shared/protocols/kobuki';
import type { RobotCapabilities } from '../driver';
import { RobotIncompatible, TransportBaseDriver, profileCapabilities, type BaseDriverOptions } from '../base-driver';

/** Status messages are sent this often when nothing changes, ms. */
const STATUS_PERIOD_MS = 500;
/** After the first sensor data, how long connect waits for the version answers, ms (a few 20 ms frames). */
const VERSION_WAIT_MS = 300;
/** After a reconnect, the board's clock must have run on by the host's gap to within this, ms. */
const CLOCK_AGREEMENT_MS = 250;
const ALL_VERSION_FLAGS = KobukiRequestFlag.HardwareVersion | KobukiRequestFlag.FirmwareVersion | KobukiRequestFlag.UniqueDeviceId;

interface Versions {
  hardware: KobukiVersion | null;
  firmware: KobukiVersion | null;
  udid: [number, number, number] | null;
}

export class KobukiDriver extends TransportBaseDriver {
  protected readonly driverName = 'kobuki';
  private readonly decoder = new KobukiFrameDecoder();
  private readonly odometry = new KobukiOdometry(KOBUKI_WHEEL_BASE);
  private versions: Versions = { hardware: null, firmware: null, udid: null };
  /** Resolves the connect-time wait for versions once all three are known. */
  private versionsKnown: (() => void) | null = null;
  private sensorsSeen = false;
  /** A frame has decoded in this session: bytes skipped before it are the tail of one sent before we listened. */
  private framed = false;
  /** Set by a reconnect: the first frame decides whether the counters carried on across the gap. */
  private resuming = false;

  constructor(options: BaseDriverOptions) {
    // Base Control is a stateless write: a changed command goes out at once (20 ms apart at most), the stream every 50 ms.
    super({ ...options, timing: { commandPeriodMs: 50, changeIntervalMs: 20, ...options.timing } });
  }
  /** Host time of the newest frame, ms (kept across sessions). */
  private lastFrameHostMs: number | null = null;
  private flags = { bumper: 0, wheelDrop: 0, cliff: 0, overCurrent: 0 };
  private lastStatus: { atMs: number; key: string } = { atMs: -Infinity, key: '' };

  // ── Session ──────────────────────────────────────────────────────────────────────────

  protected override resetSession(): void {
    this.decoder.reset();
    // The pose carries on; whether the counters do is decided at the first frame (countersRanOn).
    this.resuming = this.lastFrameHostMs !== null;
    this.framed = false;
    this.versions = { hardware: null, firmware: null, udid: null };
    this.sensorsSeen = false;
    this.flags = { bumper: 0, wheelDrop: 0, cliff: 0, overCurrent: 0 };
    this.lastStatus = { atMs: -Infinity, key: '' };
  }

  protected async start(): Promise<void> {
    this.sendFrame(encodeRequestExtra(ALL_VERSION_FLAGS));
    await this.untilAnswered(
      this.timing.startTimeoutMs,
      `no sensor data from a Kobuki on ${this.transport.endpoint} within ${this.timing.startTimeoutMs} ms (is it switched on, with the mode switch in runtime, not download?)`,
    );
    if (!this.haveAllVersions()) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.versionsKnown = null;
          resolve();
        }, VERSION_WAIT_MS);
        this.versionsKnown = () => {
          clearTimeout(timer);
          this.versionsKnown = null;
          resolve();
        };
      });
    }
    const fw = this.versions.firmware;
    if (fw && fw.major !== KOBUKI_COMPATIBLE_FIRMWARE_MAJOR) {
      // kobuki.cpp shuts down on a major mismatch: the protocol may differ.
      throw new RobotIncompatible(
        `the Kobuki runs firmware ${formatVersion(fw)}, whose protocol this driver does not know (major version ${KOBUKI_COMPATIBLE_FIRMWARE_MAJOR} expected); flash a 1.x firmware (kobuki.readthedocs.io, Firmware)`,
      );
    }
  }

  protected override describe(): RobotCapabilities {
    const caps = profileCapabilities(this.profile, this.driverName);
    const said: string[] = [];
    if (this.versions.hardware) said.push(`hardware ${formatVersion(this.versions.hardware)}`);
    if (this.versions.firmware) said.push(`firmware ${formatVersion(this.versions.firmware)}`);
    if (this.versions.udid) said.push(`id ${this.versions.udid.join('-')}`);
    if (said.length > 0) caps.spec = { ...caps.spec, name: `${caps.spec.name} (${said.join(', ')})` };
    return caps;
  }

  // ── Commands ─────────────────────────────────────────────────────────────────────────

  protected writeVelocity(v: number, w: number): void {
    this.sendFrame(encodeBaseControl(velocityToBaseControl(v, w, KOBUKI_WHEEL_BASE)));
  }

  protected writeStop(): void {
    // The protocol has no stop opcode: a zero Base Control is the hardest stop there is.
    this.sendFrame(encodeBaseControl({ speed: 0, radius: 0 }));
  }

  protected leave(): void {
    this.sendFrame(encodeBaseControl({ speed: 0, radius: 0 }));
  }

  private sendFrame(subPayload: Uint8Array): void {
    this.write(encodeFrame([subPayload]));
  }

  // ── Feedback ─────────────────────────────────────────────────────────────────────────

  protected receive(bytes: Uint8Array): void {
    for (const ev of this.decoder.push(bytes)) {
      if (ev.kind === 'bad') {
        if (ev.reason !== 'garbage' || this.framed) this.badFrame(ev.reason, ev.detail, ev.reason === 'checksum');
        continue;
      }
      this.framed = true;
      const fb = decodeFeedback(ev.subPayloads);
      for (const m of fb.malformed) this.badFrame('sub-payload-length', `sub-payload id ${m.id} carries ${m.length} data bytes, not the protocol's; skipped`);
      this.noteVersions(fb);
      if (fb.basic) this.onSensors(fb.basic, fb.inertial);
    }
  }

  private noteVersions(fb: KobukiFeedback): void {
    if (fb.hardwareVersion) this.versions.hardware = fb.hardwareVersion;
    if (fb.firmwareVersion) this.versions.firmware = fb.firmwareVersion;
    if (fb.udid) this.versions.udid = fb.udid;
    if (this.haveAllVersions()) this.versionsKnown?.();
  }

  private haveAllVersions(): boolean {
    return this.versions.hardware !== null && this.versions.firmware !== null && this.versions.udid !== null;
  }

  private onSensors(basic: KobukiBasicSensorData, inertial: KobukiInertialData | null): void {
    if (this.resuming) {
      this.resuming = false;
      if (!this.countersRanOn(basic)) this.odometry.rebase();
    }
    const pose = this.odometry.update(basic, inertial);
    this.lastFrameHostMs = this.nowMs();
    if (!this.sensorsSeen) {
      this.sensorsSeen = true;
      this.answered();
    }
    if (this.versionsKnown) {
      // Still connecting: ask again each cycle until the answers come, as kobuki_core does.
      const missing =
        (this.versions.hardware ? 0 : KobukiRequestFlag.HardwareVersion) |
        (this.versions.firmware ? 0 : KobukiRequestFlag.FirmwareVersion) |
        (this.versions.udid ? 0 : KobukiRequestFlag.UniqueDeviceId);
      if (missing) this.sendFrame(encodeRequestExtra(missing));
    }
    if (!this.isConnected) {
      this.heard();
      return;
    }
    const odom: OdometryMsg = { type: 'odometry', x: pose.x, y: pose.y, theta: pose.theta, v: pose.v, w: pose.w, lastCommandSeq: -1 };
    this.publish(odom);
    this.sayNewFlags(basic);
    this.publishStatus(basic);
  }

  /**
   * Whether the encoders and gyro can be differenced across the gap since the last frame of
   * the previous session: the board's ms clock ran on by the host's gap (mod 65536; a restarted
   * board starts again from 0), and neither wheel can have turned further than the int16
   * tick delta tells apart (at most the profile's speeds, with a margin), nor did.
   */
  private countersRanOn(basic: KobukiBasicSensorData): boolean {
    const lastStamp = this.odometry.lastStampMs;
    if (lastStamp === null || this.lastFrameHostMs === null) return false;
    const gapMs = this.nowMs() - this.lastFrameHostMs;
    const boardGapMs = timestampDeltaMs(basic.timestampMs, lastStamp);
    const clockError = Math.abs(((((boardGapMs - Math.round(gapMs)) % 65536) + 65536 + 32768) % 65536) - 32768);
    if (clockError > CLOCK_AGREEMENT_MS) return false;
    const l = this.profile.limits;
    const reach = 1.2 * (l.maxLinearVelocity + (l.maxAngularVelocity * KOBUKI_WHEEL_BASE) / 2) * (gapMs / 1000) + 0.05;
    if (reach >= 32767 / KOBUKI_TICKS_PER_METRE) return false;
    const travel = this.odometry.wheelTravelTo(basic);
    return travel !== null && Math.abs(travel.left) <= reach && Math.abs(travel.right) <= reach;
  }

  /** Wheel drop, cliff and over-current in words, once each time one appears. */
  private sayNewFlags(b: KobukiBasicSensorData): void {
    const risen = (now: number, before: number) => now & ~before;
    const drop = risen(b.wheelDrop, this.flags.wheelDrop);
    if (drop) {
      const which = sides(drop, { left: KobukiWheelDrop.Left, right: KobukiWheelDrop.Right });
      this.fault('kobuki-wheel-drop', `the Kobuki's ${which} wheel${drop === (KobukiWheelDrop.Left | KobukiWheelDrop.Right) ? 's have' : ' has'} dropped: it is lifted or over an edge`, { wheelDrop: b.wheelDrop });
    }
    const cliff = risen(b.cliff, this.flags.cliff);
    if (cliff) {
      const which = sides(cliff, { left: KobukiCliff.Left, centre: KobukiCliff.Centre, right: KobukiCliff.Right });
      this.fault('kobuki-cliff', `the Kobuki's ${which} cliff sensor${countBits(cliff) > 1 ? 's see' : ' sees'} no floor ahead`, { cliff: b.cliff });
    }
    const oc = risen(b.overCurrent, this.flags.overCurrent);
    if (oc) {
      const which = sides(oc, { left: KobukiOvercurrent.Left, right: KobukiOvercurrent.Right });
      this.fault('kobuki-overcurrent', `the Kobuki's ${which} wheel motor${countBits(oc) > 1 ? 's draw' : ' draws'} too much current; the board cuts motor power`, { overCurrent: b.overCurrent });
    }
    this.flags = { bumper: b.bumper, wheelDrop: b.wheelDrop, cliff: b.cliff, overCurrent: b.overCurrent };
  }

  private publishStatus(b: KobukiBasicSensorData): void {
    const voltage = b.battery / 10;
    let faults = 0;
    if (b.bumper) faults |= Fault.Bumper;
    if (b.overCurrent) faults |= Fault.MotorOvercurrent;
    if (voltage <= KOBUKI_BATTERY.low) faults |= Fault.LowBattery;
    const key = `${faults}/${b.wheelDrop}/${b.cliff}`;
    const now = this.nowMs();
    if (key === this.lastStatus.key && now - this.lastStatus.atMs < STATUS_PERIOD_MS) return;
    this.lastStatus = { atMs: now, key };
    const status: StatusMsg = {
      type: 'status',
      batteryVoltage: voltage,
      batteryPercent: Math.round(batteryPercent(voltage, b.charger)),
      faults,
      estopPressed: false,
      // "Motor Overload Detection: disables power on detecting high current (>3A)" (docs, Specifications).
      motorsEnabled: b.overCurrent === 0,
    };
    this.publish(status);
  }
}

function sides(bits: number, names: Record<string, number>): string {
  const on = Object.entries(names).filter(([, bit]) => bits & bit).map(([name]) => name);
  return on.length <= 1 ? (on[0] ?? 'unknown') : `${on.slice(0, -1).join(', ')} and ${on[on.length - 1]}`;
}

function countBits(x: number): number {
  let n = 0;
  for (let b = x; b; b &= b - 1) n++;
  return n;
}
