/**
 * The emulated OpenCR (turtlebot3_ros2) byte for byte, stepped by hand: PING/READ/WRITE on ID
 * 200 from its control table, what it ignores (other IDs, broadcasts, bad CRC, unknown
 * instructions, malformed params), cmd_velocity in the firmware's units and limits, the 500 ms
 * heartbeat dead-man as the firmware implements it, torque, and telemetry in firmware units.
 */
import { describe, expect, it } from 'vitest';
import { builtinCatalog, findRobotProfile } from '../../../src/main/robot/profiles';
import {
  DynamixelDecoder, Instruction, StatusError, encodeInstruction, encodePing, encodeRead, encodeWrite, type StatusPacket,
} from '../../../src/shared/protocols/dynamixel';
import {
  CMD_VELOCITY_BLOCK, ControlTable, TELEMETRY_BLOCK, TICK_TO_RAD, VELOCITY_UNIT_MS, WHEEL_RADIUS, cmdVelocityData, decodeTelemetry, encodeField,
  readField, yawFromQuaternion,
} from '../../../src/shared/protocols/turtlebot3';
import type { RobotProfile } from '../../../src/shared/robots';
import type { DriftSetting } from '../../../src/sim/drift';
import { SimRig } from '../../../src/sim/emulators/emulator';
import { robotParamsFor } from '../../../src/sim/emulators/profile-params';
import { Turtlebot3Emulator } from '../../../src/sim/emulators/turtlebot3';
import { SimCore } from '../../../src/sim/sim-core';
import { roomGrid } from '../helpers';

const catalog = builtinCatalog('resources');
const BURGER = findRobotProfile(catalog, 'turtlebot3-burger');
const WAFFLE_PI = findRobotProfile(catalog, 'turtlebot3-waffle-pi');
const ID = 200;

function board(profile: RobotProfile = BURGER, drift?: DriftSetting) {
  const core = new SimCore({ map: roomGrid(8, 6), seed: 1, baseRobot: robotParamsFor(profile, null), startPose: { x: 2, y: 3, theta: 0.5 }, drift });
  const emu = new Turtlebot3Emulator(core, profile);
  const rig = new SimRig(core, [emu]);
  const decoder = new DynamixelDecoder({ maxLength: 4096 });
  const replies: StatusPacket[] = [];
  const raw: Uint8Array[] = [];
  emu.attach({
    write: (b) => {
      raw.push(b.slice());
      for (const ev of decoder.push(b)) if (ev.type === 'packet' && ev.packet.kind === 'status') replies.push(ev.packet);
    },
  });
  let heartbeat = 0;
  /** Sim time of the last heartbeat change, s. */
  let lastBeatAt = -Infinity;
  const send = (bytes: Uint8Array): StatusPacket | null => {
    const before = replies.length;
    emu.receive(bytes);
    return replies.length > before ? replies[replies.length - 1]! : null;
  };
  const beat = () => {
    lastBeatAt = core.time;
    return send(encodeWrite(ID, ControlTable.HEARTBEAT.addr, [(heartbeat = (heartbeat + 1) & 0xff)]));
  };
  const command = (v: number, w: number) => send(encodeWrite(ID, CMD_VELOCITY_BLOCK.addr, cmdVelocityData(v, w)));
  /** Runs the sim for `seconds`, heartbeat every 50 ms if `beating`. */
  const run = (seconds: number, beating = true) => {
    const end = core.time + seconds;
    while (core.time < end - 1e-9) {
      if (beating && Math.round(core.time * 1000) % 50 === 0) beat();
      rig.stepOnce();
    }
  };
  const telemetry = () => decodeTelemetry(send(encodeRead(ID, TELEMETRY_BLOCK.addr, TELEMETRY_BLOCK.length))!.params);
  return { core, emu, rig, send, beat, command, run, telemetry, replies, raw, lastBeatAt: () => lastBeatAt };
}

describe('Turtlebot3Emulator: packets', () => {
  it('answers PING with model number 0x5000 and firmware version 5', () => {
    const b = board();
    b.emu.receive(encodePing(ID));
    // FF FF FD 00 | C8 | 07 00 | 55 | 00 | 00 50 05 | CRC
    expect(Array.from(b.raw[0]!.subarray(0, 12))).toEqual([0xff, 0xff, 0xfd, 0x00, 0xc8, 0x07, 0x00, 0x55, 0x00, 0x00, 0x50, 0x05]);
    expect(b.replies[0]).toEqual({ kind: 'status', id: ID, error: 0, params: Uint8Array.of(0x00, 0x50, 0x05) });
  });

  it('reports the model the profile runs: Burger 1, Waffle Pi 2 (the Waffle firmware)', () => {
    for (const [profile, model] of [[BURGER, 1], [WAFFLE_PI, 2]] as const) {
      const b = board(profile);
      const r = b.send(encodeRead(ID, ControlTable.MODEL_INFORM.addr, 4))!;
      expect(readField(r.params, ControlTable.MODEL_INFORM.addr, ControlTable.MODEL_INFORM)).toBe(model);
    }
  });

  it('answers nothing for other IDs, broadcasts, bad CRC, unknown instructions and malformed params', () => {
    const b = board();
    const badCrc = encodePing(ID);
    badCrc[badCrc.length - 1] ^= 0xff;
    const hostile = [
      encodePing(1),
      encodePing(0xfe),
      encodeRead(0xfe, 10, 4),
      badCrc,
      encodeInstruction(ID, Instruction.Reboot),
      encodeInstruction(ID, Instruction.SyncRead, [132, 0, 4, 0, 1, 2]),
      encodeInstruction(ID, Instruction.Read, [10, 0, 4]), // READ needs 4 param bytes
      encodeInstruction(ID, Instruction.Write, [150, 0]), // WRITE without data
      encodeRead(ID, 0, 2040), // the answer would not fit the 2048-byte packet buffer
      Uint8Array.of(0x12, 0xff, 0xff, 0xfd, 0x00, 0xc8, 0x03), // truncated garbage
    ];
    for (const p of hostile) b.emu.receive(p);
    expect(b.raw).toHaveLength(0);
    const stats = b.emu.stats();
    expect(stats.answered).toBe(0);
    expect(stats.ignored).toBe(8);
    // The board is still in sync after the garbage: the next PING is answered (the truncated frame swallows and fails first).
    b.emu.receive(encodePing(ID));
    b.emu.receive(encodePing(ID));
    expect(b.replies.length).toBeGreaterThanOrEqual(1);
    expect(b.emu.stats().rejected).toBeGreaterThanOrEqual(2);
  });

  it('reads only items lying wholly inside the range, zeros elsewhere, and answers any range that fits', () => {
    const b = board();
    b.beat();
    b.command(0.1, 0);
    // Half of CMD_VEL_LINEAR_X is not the item: zeros, as Dynamixel2Arduino's slave does.
    expect(b.send(encodeRead(ID, 150, 2))!.params).toEqual(Uint8Array.of(0, 0));
    expect(b.send(encodeRead(ID, 150, 4))!.params).toEqual(Uint8Array.of(10, 0, 0, 0));
    // 11..13 lie in MILLIS (10..13): not returned; 19 HEARTBEAT is.
    const r = b.send(encodeRead(ID, 11, 9))!;
    expect(Array.from(r.params.subarray(0, 3))).toEqual([0, 0, 0]);
    expect(r.params[8]).toBe(1);
    expect(b.send(encodeRead(ID, 0, 2037))!.params.length).toBe(2037);
  });

  it('refuses a write to the model information with an access error and keeps the value', () => {
    const b = board();
    const r = b.send(encodeWrite(ID, ControlTable.MODEL_INFORM.addr, encodeField(ControlTable.MODEL_INFORM, 2)))!;
    expect(r.error).toBe(StatusError.AccessError);
    expect(b.emu.read(ControlTable.MODEL_INFORM)).toBe(1);
    const ok = b.send(encodeWrite(ID, ControlTable.HEARTBEAT.addr, [7]))!;
    expect(ok).toEqual({ kind: 'status', id: ID, error: 0, params: new Uint8Array(0) });
  });

  it('unstuffs a write whose data contains FF FF FD', () => {
    const b = board();
    // linear x = −1 (FF FF FF FF), linear y = 0xFD (FD 00 00 00): FF FF FD spans the two items → stuffed on the wire.
    const pkt = encodeWrite(ID, 150, [0xff, 0xff, 0xff, 0xff, 0xfd, 0, 0, 0]);
    expect(pkt.length).toBe(10 + 10 + 1);
    expect(b.send(pkt)!.error).toBe(0);
    expect(b.emu.read(ControlTable.CMD_VEL_LINEAR_X)).toBe(-1);
    expect(b.emu.read(ControlTable.CMD_VEL_LINEAR_Y)).toBe(0xfd);
    expect(b.emu.commandGoal.v).toBeCloseTo(-0.01, 6);
  });
});

describe('Turtlebot3Emulator: driving and the heartbeat dead-man', () => {
  it('drives at cmd_velocity (cm/s, 0.01 rad/s) quantised to the wheels’ DYNAMIXEL units', () => {
    const b = board();
    b.run(0.1);
    b.command(0.2, 0.5);
    b.run(1.5);
    // Wheels: 0.2 ∓ 0.5·0.08 m/s × 1263.63 → 202 and 303 units (truncated) → v 0.19983, w 0.49955.
    expect(b.emu.wheelCommand.v).toBeCloseTo((202 + 303) / 2 / 1263.632956882, 6);
    expect(b.emu.wheelCommand.w).toBeCloseTo((303 - 202) / 1263.632956882 / 0.16, 6);
    expect(b.core.odometry().v).toBeCloseTo(0.1998, 3);
    expect(b.core.odometry().w).toBeCloseTo(0.4996, 3);
  });

  it('clamps cmd_velocity to the model’s limits as the firmware computes them', () => {
    const burger = board(BURGER);
    burger.beat();
    burger.command(1.0, 0);
    expect(burger.emu.commandGoal.v).toBeCloseTo((0.033 * 2 * Math.PI * 61) / 60, 5); // 0.2108 m/s
    burger.command(0, -9);
    expect(burger.emu.commandGoal.w).toBeCloseTo(-(0.033 * 2 * Math.PI * 61) / 60 / 0.08, 5); // 2.635 rad/s
    const waffle = board(WAFFLE_PI);
    waffle.command(0, 9);
    expect(waffle.emu.commandGoal.w).toBeCloseTo((0.033 * 2 * Math.PI * 77) / 60 / 0.1435, 5); // 1.854 rad/s
  });

  it('does not move on cmd_velocity while no heartbeat has been heard', () => {
    const b = board();
    b.command(0.2, 0);
    b.run(1.0, false);
    expect(b.emu.heartbeatConnected).toBe(false);
    expect(b.core.odometry().v).toBe(0);
    expect(b.emu.read(ControlTable.CONNECT_ROS2)).toBe(0);
  });

  it('stops the wheels 500 ms after the heartbeat stops changing, and stays stopped until a new command', () => {
    const b = board();
    b.run(0.1);
    b.command(0.2, 0);
    b.run(1.0);
    expect(b.core.odometry().v).toBeGreaterThan(0.19);
    // The host keeps writing the SAME heartbeat value: that is no heartbeat.
    const lastBeatAt = b.lastBeatAt();
    let stoppedAt: number | null = null;
    while (b.core.time < lastBeatAt + 1.2) {
      if (Math.round(b.core.time * 1000) % 50 === 0) b.send(encodeWrite(ID, ControlTable.HEARTBEAT.addr, [b.emu.read(ControlTable.HEARTBEAT)]));
      b.rig.stepOnce();
      if (stoppedAt === null && b.emu.wheelCommand.v === 0) stoppedAt = b.core.time;
    }
    expect(stoppedAt).not.toBeNull();
    // 500 ms after the change was seen (the next 10 ms step), zeroed at the next 20 ms control tick.
    expect(stoppedAt! - lastBeatAt).toBeGreaterThanOrEqual(0.5);
    expect(stoppedAt! - lastBeatAt).toBeLessThanOrEqual(0.54);
    expect(Math.abs(b.core.odometry().v)).toBeLessThan(0.002);
    expect(b.emu.heartbeatConnected).toBe(false);
    expect(b.telemetry().heartbeatConnected).toBe(false);

    // The heartbeat resumes: connected again, but the old command stays zeroed.
    b.run(0.5);
    expect(b.emu.heartbeatConnected).toBe(true);
    expect(b.emu.wheelCommand.v).toBe(0);
    expect(Math.abs(b.core.odometry().v)).toBeLessThan(0.001);
    expect(b.emu.read(ControlTable.CMD_VEL_LINEAR_X)).toBe(20); // still in the table, not applied
    b.command(0.1, 0);
    b.run(0.5);
    expect(b.core.odometry().v).toBeGreaterThan(0.09);
  });

  it('keeps running when the host goes away, and its dead-man stops the robot', () => {
    const b = board();
    b.run(0.1);
    b.command(0.2, 0);
    b.run(0.6);
    b.emu.detach();
    b.run(0.6, false);
    expect(b.emu.wheelCommand.v).toBe(0);
    b.run(0.5, false);
    expect(Math.abs(b.core.odometry().v)).toBeLessThan(0.002);
  });

  it('does not drive with torque off, and reports it', () => {
    const b = board();
    expect(b.send(encodeWrite(ID, ControlTable.MOTOR_TORQUE.addr, [0]))!.error).toBe(0);
    b.run(0.1);
    b.command(0.2, 0);
    b.run(0.5);
    expect(b.core.odometry().v).toBe(0);
    expect(b.telemetry().torqueEnabled).toBe(false);
    b.send(encodeWrite(ID, ControlTable.MOTOR_TORQUE.addr, [1]));
    b.run(0.5);
    expect(b.core.odometry().v).toBeGreaterThan(0.15);
    expect(b.telemetry().torqueEnabled).toBe(true);
  });
});

describe('Turtlebot3Emulator: telemetry in firmware units', () => {
  it('with drift on, the encoders and IMU tell the drifting odometry, random walk included, not the truth', () => {
    const b = board(WAFFLE_PI, { odometry: { systematic: { distanceScale: 0.05 }, random: { distancePerSqrtM: 0.05 } } });
    const t0 = b.telemetry();
    b.run(0.1);
    b.command(0.2, 0.4);
    b.run(3.0);
    const t = b.telemetry();
    const m = WHEEL_RADIUS * TICK_TO_RAD;
    const travel = ((t.positionLeft - t0.positionLeft + t.positionRight - t0.positionRight) / 2) * m;
    // The odometry's own arc from (0, 0, 0): its chord matches the wheels' account; the truth's does not.
    const end = b.core.odometry();
    const wheelsChord = (2 * travel * Math.sin(end.theta / 2)) / end.theta;
    expect(Math.hypot(end.x, end.y)).toBeCloseTo(wheelsChord, 3);
    expect(Math.abs(travel - 0.2 * 3 * 1.05)).toBeLessThan(0.05);
    expect(yawFromQuaternion(t.orientation)).toBeCloseTo(end.theta, 2);
  });

  it('reports clock, encoders, wheel velocities, IMU and battery consistent with the simulated robot', () => {
    const b = board(WAFFLE_PI);
    const t0 = b.telemetry();
    expect(t0.motorsConnected).toBe(true);
    expect(t0.torqueEnabled).toBe(true);
    expect(t0.deviceStatus).toBe(0);
    expect(yawFromQuaternion(t0.orientation)).toBeCloseTo(0, 6); // yaw since power-up
    const start = b.core.odometry();
    b.run(0.1);
    b.command(0.2, 0.4);
    b.run(2.0);
    const t = b.telemetry();
    const end = b.core.odometry();
    expect(t.millis).toBeGreaterThanOrEqual(2080);
    expect(t.millis).toBeLessThanOrEqual(Math.round(b.core.time * 1000));
    // IMU yaw = heading change since power-up; gyro z = turn rate.
    expect(yawFromQuaternion(t.orientation)).toBeCloseTo(end.theta - start.theta, 2);
    expect(t.gyroZ).toBeCloseTo(end.w, 3);
    // Encoders: mean wheel travel = arc length driven; difference / separation = heading change.
    const m = WHEEL_RADIUS * TICK_TO_RAD;
    const dl = (t.positionLeft - t0.positionLeft) * m;
    const dr = (t.positionRight - t0.positionRight) * m;
    expect((dr - dl) / 0.287).toBeCloseTo(end.theta - start.theta, 2);
    expect((dl + dr) / 2).toBeGreaterThan(0.3);
    // Present velocity in 0.229 rpm units.
    expect(((t.velocityLeft + t.velocityRight) / 2) * VELOCITY_UNIT_MS).toBeCloseTo(end.v, 2);
    expect(t.velocityRight).toBeGreaterThan(t.velocityLeft);
    // Battery: the sim's charge on the firmware's 3S scale.
    const pct = b.core.status().batteryPercent;
    expect(t.batteryVoltage).toBeCloseTo(10.5 + (1.8 * pct) / 100, 1);
    expect(t.batteryPercent).toBeCloseTo(pct, 0);
    expect(t.heartbeatConnected).toBe(true);
  });
});
