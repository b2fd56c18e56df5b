/**
 * The RPLIDAR emulator on a stepped simulator (no pty): what it answers, what it streams and
 * when, and that the stream says exactly what the simulator saw, in the device's clockwise
 * degrees — decoded with the shared codec, revolution by revolution against the simulator's
 * own scans.
 */
import { describe, expect, it } from 'vitest';
import { builtinCatalog, findLidarProfile, findRobotProfile } from '../../../src/main/robot/profiles';
import {
  AnswerType, CAPSULE_BYTES, Cmd, DESCRIPTOR_BYTES, ExpressCapsuleDecoder, RevolutionAssembler, ScanNodeDecoder, WIRE_RANGE_MAX_M,
  capsuleProblem, decodeCapsule, describeDevice, encodeAccBoardFlagRequest, encodeExpressScan, encodeMotorPwm, encodeMotorRpm,
  encodeRequest, parseAccBoardFlag, parseHealth, parseInfo, takeResponse, type ScanNode,
} from '../../../src/shared/protocols/rplidar';
import type { OccupancyGrid } from '../../../src/shared/grid';
import { RplidarEmulator, type RplidarEmulatorOptions } from '../../../src/sim/emulators/rplidar';
import { robotParamsFor } from '../../../src/sim/emulators/profile-params';
import { SimCore, type SimScan } from '../../../src/sim/sim-core';
import { fillRect, roomGrid } from '../helpers';

const catalog = builtinCatalog('resources');
const robot = findRobotProfile(catalog, 'kobuki'); // its lidar sits on base_link (mount 0, 0, 0)

/**
 * An 8 × 6 m room (walls one 5 cm cell thick) with a box on the robot's left: the robot at
 * (2, 3) facing +x sees the front wall 5.95 m ahead, the right wall 2.95 m, the box 0.8 m
 * on its left, the back wall 1.95 m behind.
 */
function roomWithBoxOnTheLeft(): OccupancyGrid {
  const map = roomGrid(8, 6);
  fillRect(map, 1.8, 2.2, 3.8, 4.0);
  return map;
}

function setup(lidarName: string, options: RplidarEmulatorOptions = {}, map = roomWithBoxOnTheLeft()) {
  const lidar = findLidarProfile(catalog, lidarName);
  const core = new SimCore({ map, seed: 1, baseRobot: robotParamsFor(robot, lidar), startPose: { x: 2, y: 3, theta: 0 } });
  const emu = new RplidarEmulator(core, lidar, options);
  const chunks: { t: number; bytes: Uint8Array }[] = [];
  emu.attach({ write: (bytes) => chunks.push({ t: core.time, bytes: bytes.slice() }) });
  const scans: SimScan[] = [];
  /** Steps the simulator as SimRig does, 10 ms at a time, keeping its scans as the ground truth. */
  const run = (seconds: number) => {
    const end = core.time + seconds;
    while (core.time < end - 1e-9) {
      const r = core.step(0.01);
      emu.afterStep(r);
      scans.push(...r.scans);
    }
  };
  /** Everything sent since the last take. */
  const take = () => concat(chunks.splice(0).map((c) => c.bytes));
  return { core, emu, lidar, chunks, scans, run, take };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/** The simulator's beam nearest a REP 103 angle. */
function simBeam(scan: SimScan, angleRad: number): number {
  const n = scan.ranges.length;
  return ((Math.round((angleRad - scan.angleMin) / scan.angleIncrement) % n) + n) % n;
}

/**
 * How a revolution differs from the simulator's scan: beams never met, met twice, nodes off
 * their beam's angle, and distances off by more than `tolM` (no return expected as 0).
 */
function compare(nodes: ScanNode[], scan: SimScan, tolM: number) {
  const met = new Uint16Array(scan.ranges.length);
  let offAngle = 0;
  let offRange = 0;
  for (const n of nodes) {
    const i = simBeam(scan, n.angleRad);
    met[i]!++;
    const beamAngle = scan.angleMin + i * scan.angleIncrement;
    if (Math.abs(Math.atan2(Math.sin(n.angleRad - beamAngle), Math.cos(n.angleRad - beamAngle))) > 1e-3) offAngle++;
    const r = scan.ranges[i]!;
    const expected = Number.isFinite(r) && r > 0 && r <= WIRE_RANGE_MAX_M ? r : 0;
    if (Math.abs(n.distanceM - expected) > tolM) offRange++;
  }
  return { missing: met.filter((m) => m === 0).length, doubled: met.filter((m) => m > 1).length, offAngle, offRange };
}

function revolutionsOf(nodes: ScanNode[]): ScanNode[][] {
  const asm = new RevolutionAssembler();
  const revs: ScanNode[][] = [];
  for (const n of nodes) {
    const rev = asm.push(n);
    if (rev) revs.push(rev.nodes);
  }
  return revs;
}

const nodeAt = (rev: ScanNode[], angleDeg: number) => rev.find((n) => Math.abs(n.angleDeg - angleDeg) < 1e-6)!;

describe('RplidarEmulator answers', () => {
  it('answers GET_INFO with its profile\'s model and GET_HEALTH, after garbage and in any chunking', () => {
    const expected: Record<string, [number, string]> = {
      'rplidar-a1': [0x18, 'A1M8'], 'rplidar-a2': [0x28, 'A2M8'], 'rplidar-c1': [0x41, 'C1M1'], 'rplidar-s2': [0x71, 'S2M1'],
    };
    for (const [name, [model, label]] of Object.entries(expected)) {
      const { emu, take } = setup(name);
      const request = Uint8Array.of(0x00, 0x77, ...encodeRequest(Cmd.GetInfo), ...encodeRequest(Cmd.GetHealth));
      for (const b of request) emu.receive(Uint8Array.of(b));
      const bytes = take();
      const info = parseInfo(takeResponse(bytes, AnswerType.DevInfo)!.payload);
      expect(info.model).toBe(model);
      expect(describeDevice(info)).toContain(`RPLIDAR ${label} (model 0x${model.toString(16)})`);
      expect(parseHealth(takeResponse(bytes, AnswerType.DevHealth)!.payload)).toEqual({ status: 0, errorCode: 0 });
      expect(emu.commands).toEqual([Cmd.GetInfo, Cmd.GetHealth]);
    }
  });

  it('answers GET_ACC_BOARD_FLAG only on the models the SDK asks (A2/A3, C1), and ignores a request with a bad checksum', () => {
    const flag = (name: string) => {
      const { emu, take } = setup(name);
      emu.receive(encodeAccBoardFlagRequest());
      const r = takeResponse(take(), AnswerType.AccBoardFlag);
      return r ? parseAccBoardFlag(r.payload) : null;
    };
    expect(flag('rplidar-a2')).toBe(1); // Slamtec's adapter drives the A2 motor by PWM
    expect(flag('rplidar-c1')).toBe(0);
    expect(flag('rplidar-a1')).toBeNull();
    expect(flag('rplidar-s2')).toBeNull();

    const { emu } = setup('rplidar-a2');
    const pwm = encodeMotorPwm(500);
    pwm[pwm.length - 1] ^= 0xff;
    emu.receive(pwm);
    expect(emu.motorPwm).toBe(0);
    emu.receive(encodeMotorPwm(500));
    expect(emu.motorPwm).toBe(500);
  });
});

describe('RplidarEmulator SCAN', () => {
  it('streams each simulated revolution as 5-byte nodes over the following revolution, clockwise from the front, left at 270°', () => {
    const { emu, scans, chunks, run, take } = setup('rplidar-a1');
    run(0.5);
    expect(take().length).toBe(0); // nothing until asked
    emu.receive(encodeRequest(Cmd.Scan));
    expect([...take()]).toEqual([0xa5, 0x5a, 0x05, 0x00, 0x00, 0x40, 0x81]);
    expect(emu.mode).toBe('scan');
    const scanAt = scans.length;
    run(1.2);

    // Spread over the revolution (A1: 360 beams at 5.5 Hz, ~20 nodes per 10 ms step), never a
    // burst (the simulator's revolutions start on 10 ms steps, so one step can carry a few more).
    expect(Math.max(...chunks.map((c) => c.bytes.length))).toBeLessThanOrEqual(5 * 26);
    const dec = new ScanNodeDecoder();
    const revs = revolutionsOf(dec.push(take()));
    expect(dec.stats.rejected).toBe(0);
    const truth = scans.slice(scanAt);
    expect(revs.length).toBeGreaterThanOrEqual(4);
    revs.forEach((rev, k) => {
      expect(rev.length).toBe(360);
      expect(rev[0]).toMatchObject({ start: true, angleDeg: 0 });
      // Clockwise: the device angle only grows within a revolution.
      for (let j = 1; j < rev.length; j++) expect(rev[j]!.angleDeg).toBeGreaterThan(rev[j - 1]!.angleDeg);
      // The k-th revolution is the simulator's k-th scan after SCAN, to the q2 quarter-millimetre.
      expect(compare(rev, truth[k]!, 0.00026)).toEqual({ missing: 0, doubled: 0, offAngle: 0, offRange: 0 });
    });
    // Left is left: 270° clockwise (+π/2 in REP 103) meets the box 0.8 m away, 90° the right wall.
    const rev = revs[1]!;
    expect(nodeAt(rev, 270).distanceM).toBeCloseTo(0.8, 1);
    expect(nodeAt(rev, 90).distanceM).toBeCloseTo(2.95, 1);
    expect(nodeAt(rev, 0).distanceM).toBeCloseTo(5.95, 1);
    expect(nodeAt(rev, 180).distanceM).toBeCloseTo(1.95, 1);
    expect(nodeAt(rev, 270).angleRad).toBeCloseTo(Math.PI / 2, 9);
  });

  it('sends the nodes of a revolution no earlier than the simulator captured it and within the revolution after', () => {
    const { emu, scans, chunks, run } = setup('rplidar-c1'); // 10 Hz
    emu.receive(encodeRequest(Cmd.Scan));
    chunks.splice(0);
    run(0.6);
    const firstScan = scans[0]!;
    let sent = 0;
    for (const c of chunks) {
      // Node n of the first revolution goes out at about n/360 of the way round.
      const before = sent;
      sent += c.bytes.length / 5;
      if (before >= 360) break;
      expect(c.t).toBeGreaterThan(firstScan.time);
      expect(c.t).toBeLessThanOrEqual(firstScan.time + 0.1 + 1e-9);
      expect(Math.abs(before / 360 - (c.t - 0.01 - firstScan.time) * 10)).toBeLessThan(0.15);
    }
  });

  it('sends no return (0) for what the simulator saw too close, too far, or beyond the 16.383 m the format carries', () => {
    // The S2 sees 30 m; in a 20 m long room the front wall is 17.95 m away.
    const { emu, scans, run, take } = setup('rplidar-s2', {}, roomGrid(20, 6));
    emu.receive(encodeRequest(Cmd.Scan));
    take();
    const scanAt = scans.length;
    run(0.35);
    const revs = revolutionsOf(new ScanNodeDecoder().push(take()));
    expect(revs[0]!.length).toBe(720); // the S2 profile: 720 beams, 0.5° apart
    const front = scans[scanAt]!.ranges[simBeam(scans[scanAt]!, 0)]!;
    expect(front).toBeGreaterThan(17.8);
    expect(nodeAt(revs[0]!, 0).distanceM).toBe(0);
    expect(nodeAt(revs[0]!, 0.5).distanceM).toBe(0);
    expect(compare(revs[0]!, scans[scanAt]!, 0.00026)).toEqual({ missing: 0, doubled: 0, offAngle: 0, offRange: 0 });
  });
});

describe('RplidarEmulator EXPRESS_SCAN', () => {
  it('answers with legacy capsules on the A-series: S on the first, ω dθ ahead, the same revolutions to the millimetre', () => {
    const { emu, scans, run, take } = setup('rplidar-a1');
    emu.receive(encodeExpressScan());
    const descriptor = take();
    expect([...descriptor]).toEqual([0xa5, 0x5a, 0x54, 0x00, 0x00, 0x40, 0x82]);
    expect(emu.mode).toBe('express');
    const scanAt = scans.length;
    run(1.2);
    const bytes = take();
    expect(bytes.length % CAPSULE_BYTES).toBe(0);
    const capsules = Array.from({ length: bytes.length / CAPSULE_BYTES }, (_, i) => bytes.subarray(i * CAPSULE_BYTES, (i + 1) * CAPSULE_BYTES));
    expect(capsules.length).toBeGreaterThan(50);
    capsules.forEach((c, i) => {
      expect(capsuleProblem(c)).toBeNull();
      const d = decodeCapsule(c);
      expect(d.newScan).toBe(i === 0);
      expect(d.samples.every((s) => s.compensationQ3 === 16)).toBe(true); // 2°
    });
    // The first capsule holds the first revolution's first 32 samples, from 0°: ω = 0° + 2°.
    expect(decodeCapsule(capsules[0]!).startAngleQ6).toBe(2 * 64);

    const dec = new ExpressCapsuleDecoder();
    const nodes = dec.push(bytes);
    expect(dec.stats.rejected).toBe(0);
    // The first samples carry no start (nothing before them): revolutions begin at the first wrap.
    expect(nodes[0]!.angleDeg).toBe(0);
    const revs = revolutionsOf(nodes);
    expect(revs.length).toBeGreaterThanOrEqual(4);
    revs.forEach((rev, k) => {
      expect(rev[0]!.angleDeg).toBe(0);
      // Distances in whole millimetres.
      expect(compare(rev, scans[scanAt + 1 + k]!, 0.0005)).toEqual({ missing: 0, doubled: 0, offAngle: 0, offRange: 0 });
    });
    expect(nodeAt(revs[0]!, 270).distanceM).toBeCloseTo(0.8, 1);
  });

  it('ignores EXPRESS_SCAN on the C1 and S2 (their express modes are dense capsules), and on an A1 older than firmware 1.17', () => {
    for (const [name, options] of [['rplidar-c1', {}], ['rplidar-s2', {}], ['rplidar-a1', { info: { model: 0x18, firmwareMajor: 1, firmwareMinor: 15, hardware: 5, serial: '00'.repeat(16) } }]] as const) {
      const { emu, run, take } = setup(name, options);
      emu.receive(encodeExpressScan());
      run(0.3);
      expect(take().length).toBe(0);
      expect(emu.mode).toBe('idle');
      expect(emu.commands).toEqual([Cmd.ExpressScan]);
    }
    // A working mode other than the legacy one (0) is not emulated either.
    const { emu, run, take } = setup('rplidar-a2');
    emu.receive(encodeMotorPwm(600));
    emu.receive(encodeExpressScan(2));
    run(0.3);
    expect(take().length).toBe(0);
  });
});

describe('RplidarEmulator motor and states', () => {
  it('turns an A2\'s accessory-board motor only while SET_MOTOR_PWM is above 0, and records an S2\'s rpm', () => {
    const { emu, run, take } = setup('rplidar-a2');
    emu.receive(encodeRequest(Cmd.Scan));
    expect(take().length).toBe(DESCRIPTOR_BYTES);
    run(0.4);
    expect(take().length).toBe(0); // scanning, but the motor is stopped
    emu.receive(encodeMotorPwm(600));
    run(0.4);
    expect(new ScanNodeDecoder().push(take()).length).toBeGreaterThan(300);
    emu.receive(encodeMotorPwm(0));
    run(0.3);
    expect(take().length).toBe(0);

    const s2 = setup('rplidar-s2');
    s2.emu.receive(encodeMotorRpm(600));
    expect(s2.emu.motorRpm).toBe(600);
    s2.emu.receive(encodeMotorRpm(0));
    s2.emu.receive(encodeRequest(Cmd.Scan));
    s2.run(0.3);
    expect(s2.take().length).toBe(DESCRIPTOR_BYTES); // rpm 0: the head stands still
  });

  it('stops streaming on STOP and on RESET (which also forgets the motor speed)', () => {
    const { emu, run, take } = setup('rplidar-a2');
    emu.receive(encodeMotorPwm(600));
    emu.receive(encodeRequest(Cmd.Scan));
    run(0.3);
    expect(take().length).toBeGreaterThan(DESCRIPTOR_BYTES);
    emu.receive(encodeRequest(Cmd.Stop));
    run(0.3);
    expect(take().length).toBe(0);
    expect(emu.mode).toBe('idle');
    emu.receive(encodeExpressScan());
    run(0.3);
    expect(take().length).toBeGreaterThan(CAPSULE_BYTES);
    emu.receive(encodeRequest(Cmd.Reset));
    expect(emu.mode).toBe('idle');
    expect(emu.motorPwm).toBe(0);
    run(0.3);
    expect(take().length).toBe(0);
  });

  it('refuses to scan with a health error, and answers nothing at all while silent', () => {
    const sick = setup('rplidar-a1', { health: { status: 2, errorCode: 0x8001 } });
    sick.emu.receive(encodeRequest(Cmd.GetHealth));
    expect(parseHealth(takeResponse(sick.take(), AnswerType.DevHealth)!.payload)).toEqual({ status: 2, errorCode: 0x8001 });
    sick.emu.receive(encodeRequest(Cmd.Scan));
    sick.emu.receive(encodeExpressScan());
    sick.run(0.4);
    expect(sick.take().length).toBe(0);
    expect(sick.emu.mode).toBe('idle');

    const quiet = setup('rplidar-a1');
    quiet.emu.receive(encodeRequest(Cmd.Scan));
    quiet.run(0.3);
    expect(quiet.take().length).toBeGreaterThan(0);
    quiet.emu.silent = true;
    quiet.emu.receive(encodeRequest(Cmd.GetInfo));
    quiet.run(0.3);
    expect(quiet.take().length).toBe(0);
  });

  it('corrupts every Nth node or capsule on request, and the codec rejects exactly those', () => {
    const scan = setup('rplidar-a1', { corruptEvery: 37 });
    scan.emu.receive(encodeRequest(Cmd.Scan));
    scan.take();
    scan.run(1);
    const nodeDecoder = new ScanNodeDecoder();
    nodeDecoder.push(scan.take());
    expect(scan.emu.corruptedSent).toBeGreaterThan(20);
    expect(nodeDecoder.stats.rejected).toBe(scan.emu.corruptedSent);

    const express = setup('rplidar-a1', { corruptEvery: 7 });
    express.emu.receive(encodeExpressScan());
    express.take();
    express.run(1);
    const capsuleDecoder = new ExpressCapsuleDecoder();
    capsuleDecoder.push(express.take());
    expect(express.emu.corruptedSent).toBeGreaterThan(5);
    expect(capsuleDecoder.stats.rejected).toBe(express.emu.corruptedSent);
  });
});
