/**
 * An RPLIDAR emulator on the master side of a real pseudo-terminal, written from the public
 * protocol (Slamtec rplidar_sdk: sl_lidar_protocol.h, sl_lidar_cmd.h): answers GET_HEALTH and
 * GET_INFO, streams standard-SCAN nodes of a scripted room while scanning, honours STOP and
 * SET_MOTOR_PWM. DTR cannot be seen through a pty, so the A1 motor line is not emulated.
 *
 * The room, in the device's own convention (degrees clockwise from its forward direction):
 * `room(angleDeg)` gives the distance in metres, 0 for no return.
 */
import { createPseudoTerminal, type PseudoTerminal } from '../../../../src/sim/pty';
import {
  AnswerType, Cmd, CMD_HAS_PAYLOAD, SYNC, SendMode, encodeDescriptor, encodeHealth, encodeInfo, encodeNode, type DeviceHealth, type DeviceInfo,
} from '../../../../src/main/robot/rplidar/protocol';

export interface EmulatorOptions {
  info?: DeviceInfo;
  health?: DeviceHealth;
  /** Revolutions per second. Default 5.5. */
  rateHz?: number;
  /** Nodes per revolution. Default 400. */
  nodesPerRev?: number;
  room?: (angleDeg: number) => number;
  /** Corrupt every Nth node (check bit cleared) and put a stray byte after it. 0: never. */
  corruptEvery?: number;
}

export const A1_INFO: DeviceInfo = { model: 0x18, firmwareMajor: 1, firmwareMinor: 29, hardware: 7, serial: '0123456789ABCDEF0123456789ABCDEF' };

/** A wall 1.0 m straight ahead (±15°), a box 0.5 m off the right side (80°–100° clockwise), no return behind (170°–190°), 2.0 m elsewhere. */
export function scriptedRoom(angleDeg: number): number {
  const a = ((angleDeg % 360) + 360) % 360;
  if (a <= 15 || a >= 345) return 1.0;
  if (a >= 80 && a <= 100) return 0.5;
  if (a >= 170 && a <= 190) return 0;
  return 2.0;
}

export class RplidarEmulator {
  /** Requests received, as command bytes. */
  readonly commands: number[] = [];
  motorPwm = 0;
  scanning = false;
  /** When true nothing is sent at all (a wedged or unplugged device whose port stays open). */
  silent = false;
  health: DeviceHealth;
  corruptEvery: number;
  corruptedSent = 0;
  private readonly info: DeviceInfo;
  private readonly rateHz: number;
  private readonly nodesPerRev: number;
  private readonly room: (angleDeg: number) => number;
  private rx: number[] = [];
  private timer: ReturnType<typeof setInterval> | null = null;
  private scanStartMs = 0;
  private nodesSent = 0;

  private constructor(readonly pty: PseudoTerminal, options: EmulatorOptions) {
    this.info = options.info ?? A1_INFO;
    this.health = options.health ?? { status: 0, errorCode: 0 };
    this.rateHz = options.rateHz ?? 5.5;
    this.nodesPerRev = options.nodesPerRev ?? 400;
    this.room = options.room ?? scriptedRoom;
    this.corruptEvery = options.corruptEvery ?? 0;
    pty.onData((chunk) => this.onRequestBytes(chunk));
  }

  static async create(options: EmulatorOptions = {}): Promise<RplidarEmulator> {
    return new RplidarEmulator(await createPseudoTerminal(), options);
  }

  get path(): string {
    return this.pty.path;
  }

  async close(): Promise<void> {
    this.stopScan();
    await this.pty.close();
  }

  private send(bytes: Uint8Array): void {
    if (!this.silent && !this.pty.closed) this.pty.write(bytes);
  }

  private onRequestBytes(chunk: Buffer): void {
    for (const b of chunk) this.rx.push(b);
    for (;;) {
      const at = this.rx.indexOf(SYNC);
      if (at < 0) { this.rx = []; return; }
      if (at > 0) this.rx.splice(0, at);
      if (this.rx.length < 2) return;
      const cmd = this.rx[1]!;
      let used = 2;
      if (cmd & CMD_HAS_PAYLOAD) {
        if (this.rx.length < 3) return;
        const size = this.rx[2]!;
        if (this.rx.length < 4 + size) return;
        let sum = 0;
        for (let i = 0; i < 3 + size; i++) sum ^= this.rx[i]!;
        used = 4 + size;
        if (sum !== this.rx[3 + size]) { this.rx.splice(0, 1); continue; }
        if (cmd === Cmd.SetMotorPwm && size >= 2) this.motorPwm = this.rx[3]! | (this.rx[4]! << 8);
      }
      this.rx.splice(0, used);
      this.commands.push(cmd);
      this.handle(cmd);
    }
  }

  private handle(cmd: number): void {
    if (this.silent) return;
    switch (cmd) {
      case Cmd.Stop:
      case Cmd.Reset:
        this.stopScan();
        break;
      case Cmd.GetHealth:
        this.send(concat(encodeDescriptor({ length: 3, mode: SendMode.Single, type: AnswerType.DevHealth }), encodeHealth(this.health)));
        break;
      case Cmd.GetInfo:
        this.send(concat(encodeDescriptor({ length: 20, mode: SendMode.Single, type: AnswerType.DevInfo }), encodeInfo(this.info)));
        break;
      case Cmd.Scan:
      case Cmd.ForceScan:
        if (this.health.status === 2) break; // a device in error does not scan
        this.stopScan();
        this.send(encodeDescriptor({ length: 5, mode: SendMode.Loop, type: AnswerType.Measurement }));
        this.startScan();
        break;
      default:
        break;
    }
  }

  private startScan(): void {
    this.scanning = true;
    this.scanStartMs = performance.now();
    this.nodesSent = 0;
    this.timer = setInterval(() => this.stream(), 20);
  }

  private stopScan(): void {
    this.scanning = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Sends the nodes due since the scan started, as one chunk. */
  private stream(): void {
    const due = Math.floor(((performance.now() - this.scanStartMs) / 1000) * this.rateHz * this.nodesPerRev);
    const parts: Uint8Array[] = [];
    for (; this.nodesSent < due; this.nodesSent++) {
      const k = this.nodesSent % this.nodesPerRev;
      // A little jitter in angle, as a real head gives; the first node of a revolution carries S.
      const angleDeg = ((k + 0.3 * Math.sin(this.nodesSent)) * 360) / this.nodesPerRev;
      const a = ((angleDeg % 360) + 360) % 360;
      const node = encodeNode({ start: k === 0, quality: 47, angleDeg: a, distanceM: this.room(a) });
      if (this.corruptEvery > 0 && this.nodesSent % this.corruptEvery === this.corruptEvery - 1 && k !== 0) {
        node[1] = node[1]! & 0xfe; // check bit cleared
        parts.push(node, Uint8Array.of(0xff));
        this.corruptedSent++;
        continue;
      }
      parts.push(node);
    }
    if (parts.length > 0) this.send(concat(...parts));
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}
