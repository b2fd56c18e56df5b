/**
 * The emulated Kobuki mainboard, stepped by hand: the 50 Hz feedback stream and what it
 * carries (encoders from the simulated wheels, gyro, the sub-payloads a host must skip),
 * Base Control followed as the firmware's conversion table says (straight, on the spot, arcs,
 * reversing), Request Extra answered once, hostile command bytes never obeyed, the uint16
 * wrap of encoders and clock, and no dead-man: the last command is held.
 */
import { describe, expect, it } from 'vitest';
import { builtinCatalog, findRobotProfile } from '../../../src/main/robot/profiles';
import { normalizeAngle, type Pose2D } from '../../../src/shared/geometry';
import {
  KOBUKI_TICKS_PER_METRE, KobukiFrameDecoder, KobukiRequestFlag, KobukiWheelDrop, decodeFeedback, encodeBaseControl, encodeFrame, encodeRequestExtra,
  encodeSubPayload, encoderDeltaTicks, velocityToBaseControl, type KobukiFeedback,
} from '../../../src/shared/protocols/kobuki';
import { SimRig } from '../../../src/sim/emulators/emulator';
import { KobukiEmulator, type KobukiEmulatorOptions } from '../../../src/sim/emulators/kobuki';
import { robotParamsFor } from '../../../src/sim/emulators/profile-params';
import { SimCore } from '../../../src/sim/sim-core';
import { roomGrid } from '../helpers';

const KOBUKI = findRobotProfile(builtinCatalog('resources'), 'kobuki');

function mainboard(options: KobukiEmulatorOptions = {}, startPose: Pose2D = { x: 2, y: 3, theta: 0.5 }) {
  const core = new SimCore({ map: roomGrid(8, 6), seed: 1, baseRobot: robotParamsFor(KOBUKI, null), startPose });
  const emu = new KobukiEmulator(core, KOBUKI, options);
  const rig = new SimRig(core, [emu]);
  const decoder = new KobukiFrameDecoder();
  const feedback: KobukiFeedback[] = [];
  const ids: number[][] = [];
  let writes = 0;
  emu.attach({
    write: (b) => {
      writes++;
      for (const ev of decoder.push(b)) {
        if (ev.kind !== 'frame') throw new Error(`bad frame from the emulator: ${ev.detail}`);
        ids.push(ev.subPayloads.map((s) => s.id));
        feedback.push(decodeFeedback(ev.subPayloads));
      }
    },
  });
  const run = (seconds: number) => {
    const end = core.time + seconds;
    while (core.time < end - 1e-9) rig.stepOnce();
  };
  const drive = (v: number, w: number) => emu.receive(encodeFrame([encodeBaseControl(velocityToBaseControl(v, w))]));
  const last = () => feedback[feedback.length - 1]!;
  return { core, emu, rig, feedback, ids, run, drive, last, writes: () => writes };
}

describe('KobukiEmulator feedback stream', () => {
  it('streams one frame every 20 ms with the default sub-payloads, whether or not anyone commands it', () => {
    const { feedback, ids, run } = mainboard();
    run(1);
    expect(feedback).toHaveLength(50);
    // Basic Sensor Data, docking IR, inertial, cliff, current, raw gyro, general purpose input.
    expect(ids[0]).toEqual([1, 3, 4, 5, 6, 13, 16]);
    expect(feedback[0]!.skipped).toEqual([3, 13, 16]);
    expect(feedback.every((f) => f.malformed.length === 0 && f.basic && f.inertial && f.cliffAdc && f.current)).toBe(true);
    const stamps = feedback.map((f) => f.basic!.timestampMs);
    for (let i = 1; i < stamps.length; i++) expect(stamps[i]! - stamps[i - 1]!).toBe(20);
    // Battery in 0.1 V from the simulated pack (95 % → about 16.6 V), nothing pressed or dropped.
    expect(feedback[0]!.basic).toMatchObject({ bumper: 0, wheelDrop: 0, cliff: 0, charger: 0, overCurrent: 0 });
    expect(feedback[0]!.basic!.battery).toBeGreaterThanOrEqual(164);
    expect(feedback[0]!.basic!.battery).toBeLessThanOrEqual(168);
    expect(feedback[0]!.hardwareVersion).toBeNull(); // versions only on request
  });

  it('answers Request Extra once, in the next frame', () => {
    const { emu, feedback, run } = mainboard({ firmwareVersion: { major: 1, minor: 1, patch: 4 } });
    run(0.1);
    emu.receive(encodeFrame([encodeRequestExtra(KobukiRequestFlag.HardwareVersion | KobukiRequestFlag.FirmwareVersion | KobukiRequestFlag.UniqueDeviceId)]));
    const n = feedback.length;
    run(0.1);
    expect(feedback[n]).toMatchObject({ hardwareVersion: { major: 1, minor: 0, patch: 4 }, firmwareVersion: { major: 1, minor: 1, patch: 4 }, udid: [97713968, 842422349, 1361404194] });
    expect(feedback.slice(n + 1).every((f) => f.hardwareVersion === null && f.udid === null)).toBe(true);
    emu.receive(encodeFrame([encodeRequestExtra(KobukiRequestFlag.FirmwareVersion)]));
    run(0.02);
    expect(feedback[feedback.length - 1]).toMatchObject({ hardwareVersion: null, firmwareVersion: { major: 1, minor: 1, patch: 4 }, udid: null });
    expect(emu.requests).toEqual([0x0b, 0x02]);
  });

  it('stops streaming while silent, and sets injected flags', () => {
    const { emu, feedback, run, last } = mainboard();
    run(0.2);
    emu.silent = true;
    const n = feedback.length;
    run(0.5);
    expect(feedback.length).toBe(n);
    emu.silent = false;
    emu.inject.wheelDrop = KobukiWheelDrop.Left;
    run(0.1);
    expect(last().basic!.wheelDrop).toBe(KobukiWheelDrop.Left);
  });
});

describe('KobukiEmulator follows Base Control', () => {
  it('drives straight on radius 0: both encoders count the distance, the heading holds', () => {
    const { core, emu, feedback, run, drive, last } = mainboard();
    run(0.1);
    const before = last().basic!;
    const start = core.odometry();
    drive(0.3, 0);
    expect(emu.lastBaseControl).toEqual({ speed: 300, radius: 0 });
    run(3);
    const o = core.odometry();
    expect(o.v).toBeCloseTo(0.3, 2);
    expect(Math.abs(o.w)).toBeLessThan(1e-6);
    expect(o.theta).toBeCloseTo(start.theta, 6);
    const dist = Math.hypot(o.x - start.x, o.y - start.y);
    const b = last().basic!;
    const dl = encoderDeltaTicks(b.leftEncoder, before.leftEncoder) / KOBUKI_TICKS_PER_METRE;
    const dr = encoderDeltaTicks(b.rightEncoder, before.rightEncoder) / KOBUKI_TICKS_PER_METRE;
    // Within the tick or two the 20 ms sample can lag the last step.
    expect(Math.abs(dl - dist)).toBeLessThan(0.008);
    expect(Math.abs(dr - dist)).toBeLessThan(0.008);
    expect(b.leftPwm).toBeGreaterThan(0);
    expect(feedback.length).toBeGreaterThan(150);
  });

  it('turns on the spot on radius 1: counter-clockwise for positive speed, wheels opposite, gyro follows', () => {
    for (const sign of [1, -1]) {
      const { core, run, drive, last, emu } = mainboard();
      run(0.1);
      const gyro0 = last().inertial!.angle;
      const enc0 = last().basic!;
      const start = core.odometry();
      drive(0, sign * 1.0);
      expect(emu.lastBaseControl).toEqual({ speed: sign * 115, radius: 1 });
      run(1.5);
      const o = core.odometry();
      expect(o.w).toBeCloseTo(sign * 1.0, 2);
      expect(Math.hypot(o.x - start.x, o.y - start.y)).toBeLessThan(1e-6);
      const turned = normalizeAngle(o.theta - start.theta);
      expect(Math.sign(turned)).toBe(sign);
      // Gyro heading in 0.01°, rate too.
      const gyroTurn = normalizeAngle(((last().inertial!.angle - gyro0) / 100) * (Math.PI / 180));
      expect(Math.abs(gyroTurn - turned)).toBeLessThan(0.03);
      expect(last().inertial!.angleRate).toBeCloseTo(sign * 5729.6, -1);
      const b = last().basic!;
      const dl = encoderDeltaTicks(b.leftEncoder, enc0.leftEncoder);
      const dr = encoderDeltaTicks(b.rightEncoder, enc0.rightEncoder);
      expect(Math.sign(dr)).toBe(sign);
      expect(dl).toBeCloseTo(-dr, -1);
    }
  });

  it('follows arcs both ways, forwards and backwards, at the asked (v, w)', () => {
    for (const [v, w] of [[0.2, 0.5], [0.2, -0.5], [-0.2, 0.5], [-0.15, -0.3]] as const) {
      const { core, run, drive } = mainboard();
      drive(v, w);
      run(2);
      const o = core.odometry();
      expect(o.v).toBeCloseTo(v, 2);
      expect(o.w).toBeCloseTo(w, 2);
    }
  });

  it('holds the last command: no dead-man, not even when the host goes away', () => {
    const { core, emu, run, drive } = mainboard({}, { x: 1, y: 1, theta: 0.6 });
    drive(0.2, 0);
    run(1);
    emu.detach();
    run(5);
    expect(core.odometry().v).toBeCloseTo(0.2, 3);
    expect(core.driveState().targetV).toBeCloseTo(0.2, 6);
  });

  it('stops on Base Control 0, 0', () => {
    const { core, run, drive } = mainboard();
    drive(0.3, 0.4);
    run(1);
    drive(0, 0);
    run(1.5);
    expect(Math.abs(core.odometry().v)).toBeLessThan(1e-3);
    expect(Math.abs(core.odometry().w)).toBeLessThan(1e-3);
  });

  it('never obeys a bad frame: corrupt checksum, wrong Base Control length, truncated, garbage', () => {
    const { core, emu, run } = mainboard();
    const good = encodeFrame([encodeBaseControl({ speed: 300, radius: 0 })]);
    const corrupt = good.slice();
    corrupt[5] ^= 0x40;
    // Checksum right, but Base Control with 3 data bytes instead of 4.
    const short = encodeFrame([encodeSubPayload(1, Uint8Array.of(0x2c, 0x01, 0x00))]);
    emu.receive(corrupt);
    emu.receive(short);
    emu.receive(good.subarray(0, 7));
    emu.receive(Uint8Array.of(0x13, 0x37, 0xaa, 0x55, 0x01)); // finishes the truncated frame with garbage
    run(1);
    expect(Math.abs(core.odometry().v)).toBeLessThan(1e-6);
    expect(emu.baseControls).toEqual([]);
    expect(emu.badFrames).toBeGreaterThanOrEqual(3);
    emu.receive(good);
    run(1);
    expect(core.odometry().v).toBeCloseTo(0.3, 2);
  });
});

describe('KobukiEmulator counters', () => {
  it('wraps encoders and the ms clock at 65536 as the uint16 fields do', () => {
    const { run, drive, feedback } = mainboard({ encoderStart: { left: 65400, right: 200 }, clockStartMs: 65300 });
    drive(0.3, 0); // forwards: the left counter wraps upwards
    run(1);
    const lefts = feedback.map((f) => f.basic!.leftEncoder);
    expect(lefts[0]).toBeGreaterThanOrEqual(65400);
    expect(lefts.some((l) => l < 1000)).toBe(true);
    const stamps = feedback.map((f) => f.basic!.timestampMs);
    expect(stamps[0]).toBe(65320);
    expect(stamps.some((t) => t < 1000)).toBe(true);
    drive(-0.3, 0); // backwards: the right counter (near 0 + ~3500) keeps counting down
    run(3); // the profile's 0.5 m/s² takes 1.2 s to reverse from +0.3 to −0.3 m/s
    const rights = feedback.map((f) => f.basic!.rightEncoder);
    expect(rights[rights.length - 1]!).toBeGreaterThan(60000);
  });

  it('presses the bumper when the body is against a wall', () => {
    const { run, drive, last } = mainboard({}, { x: 7.3, y: 3, theta: 0 });
    drive(0.3, 0);
    run(3);
    expect(last().basic!.bumper).not.toBe(0);
  });
});
