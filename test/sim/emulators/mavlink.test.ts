/**
 * The MAVLink rover autopilot emulator on sim time, byte for byte: a test ground station
 * built with node-mavlink talks to it directly (no pty). Checks the HEARTBEAT frame against
 * MAVLink 2's own serialisation and checksum rules (X.25 / CRC-16/MCRF4XX over everything
 * after the start byte, then CRC_EXTRA), the command protocol (COMMAND_LONG → COMMAND_ACK),
 * streams in NED, ArduPilot's GUIDED rules and 3 s target timeout, PX4's Offboard rules
 * (proof-of-life stream before OFFBOARD, COM_OF_LOSS_T → Hold), and hostile input.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import {
  MavLinkPacketParser,
  MavLinkPacketSplitter,
  MavLinkProtocolV2,
  common,
  minimal,
  type MavLinkData,
  type MavLinkDataConstructor,
  type MavLinkPacket,
} from 'node-mavlink';
import { builtinCatalog, findRobotProfile } from '../../../src/main/robot/profiles';
import { SimCore } from '../../../src/sim/sim-core';
import { SimRig } from '../../../src/sim/emulators/emulator';
import { robotParamsFor } from '../../../src/sim/emulators/profile-params';
import { MavlinkRoverEmulator } from '../../../src/sim/emulators/mavlink';
import { roomGrid } from '../helpers';

const catalog = builtinCatalog(join(__dirname, '../../../resources'));
const ardupilot = findRobotProfile(catalog, 'ardupilot-rover');
const px4 = findRobotProfile(catalog, 'px4-rover');

/** CRC-16/MCRF4XX as MAVLink's checksum.h defines crc_accumulate (init 0xFFFF), written here from the spec to check the library. */
function x25(bytes: Uint8Array, crcExtra: number): number {
  let crc = 0xffff;
  for (const b of [...bytes, crcExtra]) {
    let tmp = (b ^ (crc & 0xff)) & 0xff;
    tmp = (tmp ^ (tmp << 4)) & 0xff;
    crc = ((crc >> 8) ^ (tmp << 8) ^ (tmp << 3) ^ (tmp >> 4)) & 0xffff;
  }
  return crc;
}

const READ: Record<number, MavLinkDataConstructor<MavLinkData>> = {
  ...minimal.REGISTRY,
  ...common.REGISTRY,
};

/** A ground station (system 255) on the emulator's byte stream. */
function bench(profile = ardupilot, startPose = { x: 2, y: 3, theta: 0.5 }) {
  const core = new SimCore({ map: roomGrid(8, 6), seed: 1, baseRobot: robotParamsFor(profile, null), startPose });
  const emu = new MavlinkRoverEmulator(core, profile);
  const rig = new SimRig(core, [emu]);
  const raw: Buffer[] = [];
  const received: { t: number; header: MavLinkPacket['header']; data: MavLinkData }[] = [];
  const splitter = new MavLinkPacketSplitter();
  const parser = new MavLinkPacketParser();
  emu.attach({
    write: (bytes) => {
      raw.push(Buffer.from(bytes));
      splitter.write(Buffer.from(bytes));
      for (let r = splitter.read(); r !== null; r = splitter.read()) {
        parser.write(r);
        const p = parser.read() as MavLinkPacket;
        const clazz = READ[p.header.msgid];
        if (clazz) received.push({ t: core.time, header: p.header, data: p.protocol.data(p.payload, clazz) });
      }
    },
  });
  const proto = new MavLinkProtocolV2(255, 190);
  let seq = 0;
  const frame = (m: MavLinkData) => proto.serialize(m, seq++ & 0xff);
  const send = (m: MavLinkData) => emu.receive(frame(m));
  const of = <T extends MavLinkData>(clazz: MavLinkDataConstructor<T>) =>
    received.filter((r) => r.data instanceof clazz).map((r) => r.data as T);
  const run = (seconds: number) => rig.advanceTo(core.time + seconds);
  const heartbeat = () => {
    const hb = new minimal.Heartbeat();
    hb.type = minimal.MavType.GCS;
    hb.autopilot = minimal.MavAutopilot.INVALID;
    hb.baseMode = 0 as minimal.MavModeFlag;
    hb.customMode = 0;
    hb.systemStatus = minimal.MavState.ACTIVE;
    hb.mavlinkVersion = 3;
    send(hb);
  };
  /** Sends a COMMAND_LONG and returns the ACK's result for it (or undefined). */
  const command = (c: common.CommandLong): number | undefined => {
    for (const k of ['_param1', '_param2', '_param3', '_param4', '_param5', '_param6', '_param7'] as const) c[k] ??= 0;
    c.confirmation = 0;
    const before = received.length;
    send(c);
    const ack = received.slice(before).map((r) => r.data).find((d): d is common.CommandAck => d instanceof common.CommandAck && d.command === c.command);
    return ack?.result;
  };
  const setMode = (custom: number, sub = 0) => {
    const c = new common.DoSetModeCommand(1, 1);
    c.mode = minimal.MavModeFlag.CUSTOM_MODE_ENABLED;
    c.customMode = custom;
    c.customSubmode = sub;
    return command(c);
  };
  const arm = (on: boolean) => {
    const c = new common.ComponentArmDisarmCommand(1, 1);
    c.arm = on ? 1 : 0;
    c.force = 0;
    return command(c);
  };
  const interval = (id: number, hz: number) => {
    const c = new common.SetMessageIntervalCommand(1, 1);
    c.messageId = id;
    c.interval = hz > 0 ? 1e6 / hz : hz;
    return command(c);
  };
  /** Body velocity (FRD: vx forward, yaw_rate clockwise) + yaw rate, the driver's type_mask 1511. */
  const setpoint = (vx: number, yawRate: number, target = 1, frame = common.MavFrame.BODY_NED) => {
    const m = new common.SetPositionTargetLocalNed();
    m.timeBootMs = Math.round(core.time * 1000);
    m.targetSystem = target;
    m.targetComponent = 1;
    m.coordinateFrame = frame;
    m.typeMask = 1511 as common.PositionTargetTypemask;
    m.x = m.y = m.z = m.vy = m.vz = m.afx = m.afy = m.afz = m.yaw = 0;
    m.vx = vx;
    m.yawRate = yawRate;
    return m;
  };
  return { core, emu, rig, raw, received, frame, send, of, run, heartbeat, command, setMode, arm, interval, setpoint };
}

describe('MavlinkRoverEmulator (ArduPilot Rover)', () => {
  it('sends HEARTBEAT at 1 Hz as MAVLink 2 frames that follow the spec byte for byte', () => {
    const b = bench();
    b.run(3.05);
    const beats = b.of(minimal.Heartbeat);
    expect(beats).toHaveLength(4); // t = 0.01, 1, 2, 3
    expect(beats[0]).toMatchObject({ type: minimal.MavType.GROUND_ROVER, autopilot: minimal.MavAutopilot.ARDUPILOTMEGA, customMode: 0, mavlinkVersion: 3 });
    expect(beats[0]!.baseMode & minimal.MavModeFlag.CUSTOM_MODE_ENABLED).toBeTruthy();
    expect(beats[0]!.baseMode & minimal.MavModeFlag.SAFETY_ARMED).toBe(0);
    // MAVLink 2 frame: STX 0xFD, len 9, incompat 0, compat 0, seq, sysid 1, compid 1, msgid 0 (3 bytes LE),
    // payload in wire order (custom_mode uint32 LE, type, autopilot, base_mode, system_status, mavlink_version), CRC LE.
    const f = b.raw[1]!;
    expect([...f.subarray(0, 10)]).toEqual([0xfd, 9, 0, 0, 1, 1, 1, 0, 0, 0]);
    expect([...f.subarray(10, 19)]).toEqual([0, 0, 0, 0, 10, 3, 1, 3, 3]); // MANUAL, GROUND_ROVER, ARDUPILOTMEGA, CUSTOM_MODE_ENABLED, STANDBY, v3
    expect(f.length).toBe(21);
    expect(f.readUInt16LE(19)).toBe(x25(f.subarray(1, 19), 50)); // HEARTBEAT CRC_EXTRA = 50
  });

  it('answers SET_MESSAGE_INTERVAL and streams LOCAL_POSITION_NED and ATTITUDE in NED at the asked rate', () => {
    const b = bench(ardupilot, { x: 2, y: 3, theta: 0.5 });
    b.heartbeat();
    expect(b.interval(common.LocalPositionNed.MSG_ID, 20)).toBe(common.MavResult.ACCEPTED);
    expect(b.interval(common.Attitude.MSG_ID, 10)).toBe(common.MavResult.ACCEPTED);
    expect(b.interval(common.SysStatus.MSG_ID, 2)).toBe(common.MavResult.ACCEPTED);
    // ArduPilot's stream table has no ODOMETRY.
    expect(b.interval(common.Odometry.MSG_ID, 20)).toBe(common.MavResult.DENIED);
    const acks = b.of(common.CommandAck);
    expect(acks.every((a) => a.targetSystem === 255 && a.targetComponent === 190)).toBe(true);
    b.received.length = 0;
    for (let k = 0; k < 5; k++) {
      b.run(0.2);
      b.heartbeat();
    }
    const lpn = b.of(common.LocalPositionNed);
    const att = b.of(common.Attitude);
    expect(lpn.length).toBeGreaterThanOrEqual(19);
    expect(lpn.length).toBeLessThanOrEqual(21);
    expect(att.length).toBeGreaterThanOrEqual(9);
    expect(att.length).toBeLessThanOrEqual(11);
    expect(b.of(common.SysStatus).length).toBeGreaterThanOrEqual(2);
    expect(b.of(common.SysStatus).length).toBeLessThanOrEqual(3);
    // x north = map x, y east = −map y, yaw clockwise = −theta.
    expect(lpn[0]!.x).toBeCloseTo(2, 5);
    expect(lpn[0]!.y).toBeCloseTo(-3, 5);
    expect(att[0]!.yaw).toBeCloseTo(-0.5, 5);
    const s = b.of(common.SysStatus)[0]!;
    expect(s.voltageBattery).toBe(Math.round(b.core.status().batteryVoltage * 1000));
    expect(s.batteryRemaining).toBe(b.core.status().batteryPercent);
  });

  it('follows body velocity and yaw rate only when armed and in GUIDED, in REP 103 on the simulator', () => {
    const b = bench();
    b.heartbeat();
    // MANUAL and disarmed: a target moves nothing.
    b.send(b.setpoint(0.5, 0));
    b.run(1);
    expect(b.core.odometry().v).toBe(0);
    expect(b.setMode(15)).toBe(common.MavResult.ACCEPTED);
    b.send(b.setpoint(0.5, 0)); // GUIDED but disarmed
    b.run(1);
    expect(b.core.odometry().v).toBe(0);
    expect(b.arm(true)).toBe(common.MavResult.ACCEPTED);
    b.run(1.5);
    expect(b.of(minimal.Heartbeat).at(-1)).toMatchObject({ customMode: 15 });
    expect(b.of(minimal.Heartbeat).at(-1)!.baseMode & minimal.MavModeFlag.SAFETY_ARMED).toBeTruthy();
    // FRD yaw rate +0.3 rad/s is clockwise: REP 103 w = −0.3.
    for (let k = 0; k < 20; k++) {
      b.send(b.setpoint(0.5, 0.3));
      b.run(0.1);
    }
    expect(b.core.odometry().v).toBeCloseTo(0.5, 2);
    expect(b.core.odometry().w).toBeCloseTo(-0.3, 2);
    // Reverse: negative vx with a yaw rate is driving backwards (speed_dir).
    for (let k = 0; k < 30; k++) {
      b.send(b.setpoint(-0.4, 0));
      b.run(0.1);
    }
    expect(b.core.odometry().v).toBeCloseTo(-0.4, 2);
    expect(b.emu.stats.setpointsApplied).toBe(50);
  });

  it('stops 3 s after the last guided target and says so, staying in GUIDED', () => {
    const b = bench();
    b.heartbeat();
    b.setMode(15);
    b.arm(true);
    b.send(b.setpoint(0.6, 0));
    const sentAt = b.core.time;
    // Keep the GCS heartbeat going; no more targets.
    while (b.core.time < sentAt + 2.95) {
      b.run(0.05);
      if (Math.round(b.core.time * 100) % 100 === 0) b.heartbeat();
    }
    expect(b.core.driveState().targetV).toBeCloseTo(0.6, 6);
    expect(b.core.odometry().v).toBeCloseTo(0.6, 2);
    b.run(0.1);
    expect(b.core.driveState().targetV).toBe(0);
    const texts = b.of(common.StatusText);
    expect(texts.map((t) => t.text)).toContain('target not received last 3secs, stopping');
    expect(texts.at(-1)!.severity).toBe(common.MavSeverity.WARNING);
    b.run(1.5);
    expect(Math.abs(b.core.odometry().v)).toBeLessThan(1e-3);
    expect(b.emu.modeName).toBe('GUIDED');
  });

  it('HOLD stops the rover and ignores targets; disarm stops it too', () => {
    const b = bench();
    b.heartbeat();
    b.setMode(15);
    b.arm(true);
    for (let k = 0; k < 10; k++) {
      b.send(b.setpoint(0.5, 0));
      b.run(0.1);
    }
    expect(b.core.odometry().v).toBeGreaterThan(0.4);
    expect(b.setMode(4)).toBe(common.MavResult.ACCEPTED);
    b.send(b.setpoint(0.5, 0));
    b.run(1.5);
    expect(Math.abs(b.core.odometry().v)).toBeLessThan(1e-3);
    expect(b.core.driveState().targetV).toBe(0);
    expect(b.emu.modeName).toBe('HOLD');
    expect(b.setMode(15)).toBe(common.MavResult.ACCEPTED);
    b.send(b.setpoint(0.5, 0));
    b.run(1);
    expect(b.core.odometry().v).toBeGreaterThan(0.4);
    expect(b.arm(false)).toBe(common.MavResult.ACCEPTED);
    b.send(b.setpoint(0.5, 0));
    b.run(1.5);
    expect(Math.abs(b.core.odometry().v)).toBeLessThan(1e-3);
    expect(b.core.driveState().targetV).toBe(0);
    expect(b.emu.armed).toBe(false);
    // A mode the emulated Rover does not have.
    expect(b.setMode(42)).toBe(common.MavResult.FAILED);
  });

  it('refuses to arm with a STATUSTEXT like a failed pre-arm check', () => {
    const b = bench();
    b.emu.refuseArm = { result: common.MavResult.FAILED, text: 'PreArm: Throttle below failsafe' };
    b.heartbeat();
    expect(b.arm(true)).toBe(common.MavResult.FAILED);
    expect(b.emu.armed).toBe(false);
    expect(b.of(common.StatusText).at(-1)).toMatchObject({ text: 'PreArm: Throttle below failsafe', severity: common.MavSeverity.CRITICAL });
  });

  it('drops corrupt, unknown and foreign frames; none of them moves the rover', () => {
    const b = bench();
    b.heartbeat();
    b.setMode(15);
    b.arm(true);
    const good = b.frame(b.setpoint(0.8, 0));
    const badCrc = Buffer.from(good);
    badCrc[badCrc.length - 1]! ^= 0x5a;
    const badPayload = Buffer.from(good);
    badPayload[14]! ^= 0x01; // a flipped bit in vx
    // A well-formed MAVLink 2 frame with a message id no dialect has (0xABCDEF): dropped unchecked.
    const unknown = Buffer.from([0xfd, 4, 0, 0, 7, 255, 190, 0xef, 0xcd, 0xab, 1, 2, 3, 4, 0x12, 0x34]);
    // For system 42, not us.
    const foreign = b.frame(b.setpoint(0.8, 0, 42));
    // Truncated: the first half of a target, then a good heartbeat (the splitter resynchronises).
    const truncated = good.subarray(0, 20);
    const noise = Buffer.from([0x00, 0x13, 0x37, 0xfe, 0x02, 0xff, 0x42]);
    for (const bytes of [badCrc, badPayload, unknown, foreign, noise]) b.emu.receive(bytes);
    b.emu.receive(truncated);
    b.heartbeat();
    b.run(1);
    expect(b.core.odometry().v).toBe(0);
    expect(b.emu.stats.crcErrorsIn).toBeGreaterThanOrEqual(2);
    expect(b.emu.stats.unknownIn).toBeGreaterThanOrEqual(1);
    expect(b.emu.stats.setpointsApplied).toBe(0);
    expect(b.emu.stats.setpoints).toBe(0); // the foreign one is not ours
    // Still listening: good targets in odd chunks move it (the truncated frame fails its CRC once enough bytes arrive).
    for (let k = 0; k < 3; k++) for (let i = 0; i < good.length; i += 5) b.emu.receive(good.subarray(i, i + 5));
    b.run(2);
    expect(b.core.odometry().v).toBeCloseTo(0.8, 2);
    expect(b.emu.stats.setpointsApplied).toBe(3);
    // badCrc, badPayload, the noise's false v1 start byte and the truncated frame fail their CRC; the unknown id is counted apart.
    expect(b.emu.stats.crcErrorsIn).toBeGreaterThanOrEqual(3);
    expect(b.emu.stats.crcErrorsIn + b.emu.stats.unknownIn).toBeGreaterThanOrEqual(5);

    // A false start byte right before good frames (its "length" 0xFD = 253 reaches across them)
    // costs a delay, not the frames: none of the five is lost.
    b.emu.receive(Buffer.concat([Buffer.from([0x55, 0xfd]), good, good, good, good, good]));
    expect(b.emu.stats.setpointsApplied).toBe(8);
  });
});

describe('MavlinkRoverEmulator (PX4)', () => {
  const offboard = (6 << 16) >>> 0;
  const hold = ((4 << 16) | (3 << 24)) >>> 0;

  it('boots in Hold (AUTO.LOITER) and accepts OFFBOARD only after a second of setpoints at > 2 Hz', () => {
    const b = bench(px4);
    b.heartbeat();
    b.run(0.05);
    expect(b.of(minimal.Heartbeat)[0]).toMatchObject({ autopilot: minimal.MavAutopilot.PX4, type: minimal.MavType.GROUND_ROVER, customMode: hold });
    expect(b.setMode(6)).toBe(common.MavResult.TEMPORARILY_REJECTED);
    // 0.6 s of setpoints: not yet.
    for (let k = 0; k < 6; k++) {
      b.send(b.setpoint(0, 0));
      b.run(0.1);
    }
    expect(b.setMode(6)).toBe(common.MavResult.TEMPORARILY_REJECTED);
    // A gap longer than 0.5 s restarts the count.
    b.run(0.7);
    for (let k = 0; k < 8; k++) {
      b.send(b.setpoint(0, 0));
      b.run(0.1);
    }
    expect(b.setMode(6)).toBe(common.MavResult.TEMPORARILY_REJECTED);
    for (let k = 0; k < 4; k++) {
      b.send(b.setpoint(0, 0));
      b.run(0.1);
    }
    expect(b.setMode(6)).toBe(common.MavResult.ACCEPTED);
    expect(b.emu.customMode).toBe(offboard);
    expect(b.arm(true)).toBe(common.MavResult.ACCEPTED);
    for (let k = 0; k < 20; k++) {
      b.send(b.setpoint(0.5, -0.4));
      b.run(0.1);
    }
    expect(b.core.odometry().v).toBeCloseTo(0.5, 2);
    expect(b.core.odometry().w).toBeCloseTo(0.4, 2);
  });

  it('leaves OFFBOARD for Hold COM_OF_LOSS_T (1 s) after the last setpoint and stops', () => {
    const b = bench(px4);
    b.heartbeat();
    for (let k = 0; k < 12; k++) {
      b.send(b.setpoint(0, 0));
      b.run(0.1);
    }
    b.setMode(6);
    b.arm(true);
    for (let k = 0; k < 10; k++) {
      b.run(0.1);
      b.send(b.setpoint(0.5, 0));
    }
    const last = b.core.time;
    b.run(0.95);
    expect(b.emu.customMode).toBe(offboard);
    expect(b.core.driveState().targetV).toBeCloseTo(0.5, 6);
    b.run(0.1);
    expect(b.emu.customMode).toBe(hold);
    expect(b.core.time - last).toBeLessThan(1.1);
    expect(b.core.driveState().targetV).toBe(0);
    b.heartbeat();
    b.run(1.5);
    expect(Math.abs(b.core.odometry().v)).toBeLessThan(1e-3);
    expect(b.of(minimal.Heartbeat).at(-1)!.customMode).toBe(hold);
    expect(b.of(common.StatusText).at(-1)!.severity).toBe(common.MavSeverity.CRITICAL);
    expect(b.emu.armed).toBe(true);
  });

  it('streams ODOMETRY (LOCAL_NED, BODY_FRD) on request and ignores REQUEST_DATA_STREAM', () => {
    const b = bench(px4, { x: 1, y: 2, theta: -0.8 });
    b.heartbeat();
    expect(b.interval(common.Odometry.MSG_ID, 10)).toBe(common.MavResult.ACCEPTED);
    const rds = new common.RequestDataStream();
    rds.targetSystem = 1;
    rds.targetComponent = 1;
    rds.reqStreamId = common.MavDataStream.POSITION;
    rds.reqMessageRate = 10;
    rds.startStop = 1;
    b.send(rds);
    b.run(0.55);
    const odo = b.of(common.Odometry);
    expect(odo.length).toBeGreaterThanOrEqual(5);
    expect(b.of(common.LocalPositionNed)).toHaveLength(0);
    const o = odo[0]!;
    expect(o.frameId).toBe(common.MavFrame.LOCAL_NED);
    expect(o.childFrameId).toBe(common.MavFrame.BODY_FRD);
    expect(o.x).toBeCloseTo(1, 5);
    expect(o.y).toBeCloseTo(-2, 5);
    const [w, , , z] = o.q;
    expect(Math.atan2(2 * w! * z!, 1 - 2 * z! * z!)).toBeCloseTo(0.8, 5); // yaw = −theta
  });
});
