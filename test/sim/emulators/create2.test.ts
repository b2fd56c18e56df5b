/**
 * The Create 2 emulator against the Open Interface spec, stepped by hand: modes and which
 * commands each hears, Drive Direct held forever (no dead-man), the 15 ms checksummed stream,
 * encoder counts at 508.8 a turn of a 72 mm wheel rolling over at 65536, bumps from the
 * simulator's contacts, Safe mode's own stops on wheel drops and cliffs, Stop and Reset.
 */
import { describe, expect, it } from 'vitest';
import { builtinCatalog, findRobotProfile } from '../../../src/main/robot/profiles';
import {
  BumpBits, METRES_PER_COUNT, OiMode, StreamDecoder, encodeDrive, encodeDriveDirect, encodePauseResumeStream, encodeQueryList, encodeSafe,
  encodeStart, encodeStop, encodeStream, encodeFull, encodeReset, encoderDelta, type StreamEvent,
} from '../../../src/shared/protocols/create2';
import { SimCore } from '../../../src/sim/sim-core';
import { SimRig } from '../../../src/sim/emulators/emulator';
import { robotParamsFor } from '../../../src/sim/emulators/profile-params';
import { Create2Emulator, type Create2EmulatorOptions } from '../../../src/sim/emulators/create2';
import { roomGrid } from '../helpers';

const profile = findRobotProfile(builtinCatalog('resources'), 'create2');
const B = profile.body.wheelBase;

function setup(options: Create2EmulatorOptions = {}, startPose = { x: 2, y: 3, theta: 0 }) {
  const core = new SimCore({ map: roomGrid(8, 6), seed: 1, baseRobot: robotParamsFor(profile, null), startPose });
  const emu = new Create2Emulator(core, profile, options);
  const rig = new SimRig(core, [emu]);
  const out: number[] = [];
  emu.attach({ write: (b) => out.push(...b) });
  return {
    core,
    emu,
    send: (...chunks: Uint8Array[]) => chunks.forEach((c) => emu.receive(c)),
    run: (seconds: number) => rig.advanceTo(core.time + seconds),
    /** Bytes the robot sent since the last call. */
    take: (): Uint8Array => Uint8Array.from(out.splice(0)),
  };
}

const frames = (events: StreamEvent[]) => events.filter((e): e is Extract<StreamEvent, { kind: 'frame' }> => e.kind === 'frame').map((e) => e.values);

describe('Create2Emulator modes', () => {
  it('is Off at power-up and hears nothing but Start', () => {
    const { core, emu, send, run, take } = setup();
    send(encodeSafe(), encodeStream([35]), encodeDriveDirect(200, 200));
    run(0.5);
    expect(emu.mode).toBe(OiMode.Off);
    expect(take().length).toBe(0);
    expect(core.odometry().v).toBe(0);

    send(encodeStart());
    expect(emu.mode).toBe(OiMode.Passive);
  });

  it('streams in Passive but does not drive until Safe or Full', () => {
    const { core, emu, send, run, take } = setup();
    send(encodeStart(), encodeStream([35]), encodeDriveDirect(200, 200));
    run(0.5);
    expect(core.odometry().v).toBe(0);
    const d = new StreamDecoder([35]);
    const got = frames(d.push(take()));
    expect(got.length).toBeGreaterThan(25);
    expect(got.every((v) => v.get(35) === OiMode.Passive)).toBe(true);

    send(encodeSafe(), encodeDriveDirect(200, 200));
    run(1);
    expect(emu.mode).toBe(OiMode.Safe);
    expect(core.odometry().v).toBeCloseTo(0.2, 3);
    expect(frames(d.push(take())).at(-1)!.get(35)).toBe(OiMode.Safe);

    send(encodeFull());
    expect(emu.mode).toBe(OiMode.Full);
    send(encodeStart()); // back to Passive: the OI stops driving the wheels
    run(1);
    expect(emu.mode).toBe(OiMode.Passive);
    expect(core.odometry().v).toBeCloseTo(0, 3);
  });

  it('Stop (173) turns the OI Off: stream ends, wheels stop, commands are ignored until Start', () => {
    const { core, emu, send, run, take } = setup();
    send(encodeStart(), encodeSafe(), encodeStream([7, 35]), encodeDriveDirect(300, 300));
    run(1);
    expect(take().length).toBeGreaterThan(0);
    send(encodeStop());
    expect(emu.mode).toBe(OiMode.Off);
    expect(emu.streaming).toBe(false);
    take();
    send(encodeDriveDirect(300, 300), encodeSafe(), encodePauseResumeStream(true));
    run(1);
    expect(take().length).toBe(0);
    expect(core.odometry().v).toBeCloseTo(0, 3);
    expect(emu.mode).toBe(OiMode.Off);

    send(encodeStart(), encodePauseResumeStream(true));
    run(0.1);
    expect(emu.mode).toBe(OiMode.Passive);
    expect(take().length).toBeGreaterThan(0); // the list survived Stop; Resume restarts it
  });

  it('Reset (7) also returns to Off and forgets the stream', () => {
    const { emu, send, run, take } = setup();
    send(encodeStart(), encodeStream([35]));
    run(0.1);
    send(encodeReset());
    take();
    run(0.2);
    expect(emu.mode).toBe(OiMode.Off);
    expect(take().length).toBe(0);
    expect(emu.streamPackets).toEqual([]);
  });
});

describe('Create2Emulator driving', () => {
  it('holds Drive Direct (right, left mm/s) forever: no dead-man', () => {
    const { core, emu, send, run } = setup();
    send(encodeStart(), encodeSafe(), encodeDriveDirect(250, 150));
    run(1);
    const expected = { v: 0.2, w: 0.1 / B };
    expect(core.odometry().v).toBeCloseTo(expected.v, 3);
    expect(core.odometry().w).toBeCloseTo(expected.w, 3);
    // Nothing more from the host for 8 s (the simulator's own watchdog is off for this robot).
    run(8);
    expect(core.odometry().v).toBeCloseTo(expected.v, 3);
    expect(core.odometry().w).toBeCloseTo(expected.w, 3);
    expect(emu.wheelSpeeds).toEqual({ right: 250, left: 150 });
  });

  it('keeps driving when the host goes away (cable pulled)', () => {
    const { core, emu, send, run } = setup();
    send(encodeStart(), encodeSafe(), encodeDriveDirect(100, 100));
    emu.detach();
    run(3);
    expect(core.odometry().v).toBeCloseTo(0.1, 3);
    expect(emu.mode).toBe(OiMode.Safe);
  });

  it('Drive (137): straight, radius, and the in-place special radii', () => {
    const { core, send, run } = setup();
    send(encodeStart(), encodeSafe(), encodeDrive(200, 32767));
    run(1);
    expect(core.odometry().v).toBeCloseTo(0.2, 3);
    expect(core.odometry().w).toBeCloseTo(0, 6);
    send(encodeDrive(200, 1000)); // radius 1 m to the left: w = v / r
    run(1);
    expect(core.odometry().v).toBeCloseTo(0.2, 3);
    expect(core.odometry().w).toBeCloseTo(0.2, 3);
    send(encodeDrive(100, -1)); // in place, clockwise: wheels at ±100 mm/s
    run(1);
    expect(core.odometry().v).toBeCloseTo(0, 3);
    expect(core.odometry().w).toBeCloseTo(-0.2 / B, 3);
  });
});

describe('Create2Emulator stream and encoders', () => {
  it('sends the requested packets every 15 ms, each frame checksummed', () => {
    const { send, run, take } = setup();
    const ids = [7, 9, 10, 11, 12, 21, 22, 23, 25, 26, 35, 43, 44];
    send(encodeStart(), encodeSafe(), encodeStream(ids));
    run(1.5);
    const bytes = take();
    const d = new StreamDecoder(ids);
    const got = frames(d.push(bytes));
    expect(d.stats.errors).toBe(0);
    expect(d.stats.skippedBytes).toBe(0);
    expect(got.length).toBeGreaterThanOrEqual(99);
    expect(got.length).toBeLessThanOrEqual(101);
    expect(bytes.length).toBe(got.length * 35);
    const v = got.at(-1)!;
    expect(v.get(35)).toBe(OiMode.Safe);
    expect(v.get(22)).toBeGreaterThan(14000); // mV
    expect(v.get(23)).toBeLessThan(0); // discharging
    expect(v.get(26)).toBe(3000);
    expect(v.get(25)! / v.get(26)!).toBeCloseTo(0.95, 2);
    expect(v.get(7)).toBe(0);
  });

  it('counts 508.8 per turn of a 72 mm wheel, sampled at each frame’s own 15 ms instant', () => {
    const { core, emu, send, run, take } = setup();
    send(encodeStart(), encodeSafe(), encodeStream([43, 44]), encodeDriveDirect(200, 200));
    run(1); // up to speed
    const d = new StreamDecoder([43, 44]);
    frames(d.push(take()));
    const x0 = core.odometry().x;
    const c0 = emu.encoderCounts();
    run(2);
    const travelled = core.odometry().x - x0;
    const c1 = emu.encoderCounts();
    expect(encoderDelta(c0.left, c1.left) * METRES_PER_COUNT).toBeCloseTo(travelled, 3);
    expect(encoderDelta(c0.right, c1.right) * METRES_PER_COUNT).toBeCloseTo(travelled, 3);
    // 0.2 m/s × 15 ms = 6.75 counts a frame: every frame moved 6 or 7, never 4.5 or 9 (a 10/20 ms step pattern).
    const got = frames(d.push(take()));
    const deltas = got.slice(1).map((v, i) => encoderDelta(got[i]!.get(43)!, v.get(43)!));
    expect(new Set(deltas)).toEqual(new Set([6, 7]));
    expect(deltas.reduce((a, b) => a + b, 0) / deltas.length).toBeCloseTo(6.75, 1);
  });

  it('turns in place with opposite counts (right forward for a left turn)', () => {
    const { core, emu, send, run } = setup();
    send(encodeStart(), encodeSafe(), encodeDriveDirect(100, -100));
    run(0.5);
    const th0 = core.odometry().theta;
    const c0 = emu.encoderCounts();
    run(1);
    const turned = core.odometry().theta - th0;
    const c1 = emu.encoderCounts();
    expect(turned).toBeGreaterThan(0.5);
    expect(encoderDelta(c0.right, c1.right) * METRES_PER_COUNT).toBeCloseTo((turned * B) / 2, 3);
    expect(encoderDelta(c0.left, c1.left) * METRES_PER_COUNT).toBeCloseTo((-turned * B) / 2, 3);
  });

  it('rolls the 16-bit counts over at 65536 and back under 0', () => {
    const { send, run, take } = setup({ initialEncoderCounts: { left: 65400, right: 100 } });
    send(encodeStart(), encodeSafe(), encodeStream([43, 44]), encodeDriveDirect(-300, 300)); // right back, left forward
    run(2);
    const got = frames(new StreamDecoder([43, 44]).push(take()));
    const left = got.map((v) => v.get(43)!);
    const right = got.map((v) => v.get(44)!);
    expect(left[0]).toBeGreaterThanOrEqual(65400);
    expect(left.at(-1)).toBeLessThan(1000); // wrapped past 65535
    expect(right.at(-1)).toBeGreaterThan(64000); // wrapped under 0
    // Differences stay small and one-signed across the roll-over.
    for (let i = 1; i < got.length; i++) {
      expect(encoderDelta(left[i - 1]!, left[i]!)).toBeGreaterThanOrEqual(0);
      expect(encoderDelta(left[i - 1]!, left[i]!)).toBeLessThan(15);
      expect(encoderDelta(right[i - 1]!, right[i]!)).toBeLessThanOrEqual(0);
    }
  });

  it('Pause/Resume Stream keeps the packet list', () => {
    const { emu, send, run, take } = setup();
    send(encodeStart(), encodeStream([35, 43]));
    run(0.1);
    send(encodePauseResumeStream(false));
    take();
    run(0.5);
    expect(take().length).toBe(0);
    send(encodePauseResumeStream(true));
    run(0.1);
    expect(emu.streamPackets).toEqual([35, 43]);
    expect(frames(new StreamDecoder([35, 43]).push(take())).length).toBeGreaterThan(4);
  });

  it('answers Query List (the spec example [149][2][7][13]) and Sensors with bare data bytes', () => {
    const { emu, send, take } = setup();
    send(encodeStart());
    emu.setWheelDrops({ right: true });
    send(encodeQueryList([7, 13]));
    expect([...take()]).toEqual([BumpBits.WheelDropRight, 0]);
    send(Uint8Array.from([142, 35])); // Sensors: OI mode
    expect([...take()]).toEqual([OiMode.Passive]);
    send(Uint8Array.from([142, 3])); // group 3: packets 21–26, 10 bytes
    expect(take().length).toBe(10);
  });

  it('ignores garbage, unknown opcodes and a Stream naming a packet the OI does not have', () => {
    const { core, emu, send, run, take } = setup();
    send(Uint8Array.from([0, 1, 2, 255, 200]), encodeStart(), Uint8Array.from([148, 2, 35, 99]));
    run(0.2);
    expect(emu.mode).toBe(OiMode.Passive);
    expect(emu.streaming).toBe(false);
    expect(take().length).toBe(0);
    // A command split across chunks still arrives whole.
    const dd = encodeDriveDirect(150, 150);
    send(encodeSafe(), dd.subarray(0, 2));
    send(dd.subarray(2));
    run(1);
    expect(core.odometry().v).toBeCloseTo(0.15, 3);
  });
});

describe('Create2Emulator sensors and Safe mode', () => {
  it('sets both bump bits while the simulated robot presses against a wall', () => {
    // The room's east wall is at x = 7.95 m; the Create's front is 0.174 m ahead of its centre.
    const { core, send, run, take } = setup({}, { x: 7.5, y: 3, theta: 0 });
    send(encodeStart(), encodeSafe(), encodeDriveDirect(200, 200));
    send(encodeQueryList([7]));
    expect([...take()]).toEqual([0]);
    run(3);
    expect(core.groundTruth().contacts).toContain('grid');
    send(encodeQueryList([7]));
    expect([...take()]).toEqual([BumpBits.BumpLeft | BumpBits.BumpRight]);
  });

  it('in Safe mode a wheel drop stops the robot and drops to Passive; Full mode drives on', () => {
    const { core, emu, send, run } = setup();
    send(encodeStart(), encodeSafe(), encodeDriveDirect(200, 200));
    run(1);
    emu.setWheelDrops({ left: true });
    run(1);
    expect(emu.mode).toBe(OiMode.Passive);
    expect(core.odometry().v).toBeCloseTo(0, 3);
    send(encodeDriveDirect(200, 200)); // ignored in Passive
    run(0.5);
    expect(core.odometry().v).toBeCloseTo(0, 3);

    send(encodeFull(), encodeDriveDirect(200, 200));
    run(1);
    expect(emu.mode).toBe(OiMode.Full);
    expect(core.odometry().v).toBeCloseTo(0.2, 3);
  });

  it('in Safe mode a cliff stops it while driving forward, not while backing straight away', () => {
    const { core, emu, send, run } = setup();
    send(encodeStart(), encodeSafe(), encodeDriveDirect(-150, -150));
    emu.setCliffs({ frontLeft: true });
    run(1);
    expect(emu.mode).toBe(OiMode.Safe);
    expect(core.odometry().v).toBeCloseTo(-0.15, 3);
    send(encodeDriveDirect(150, 150));
    run(1);
    expect(emu.mode).toBe(OiMode.Passive);
    expect(core.odometry().v).toBeCloseTo(0, 3);

    emu.setCliffs({ frontLeft: false });
    send(encodeSafe(), encodeDriveDirect(150, 150));
    run(1);
    expect(emu.mode).toBe(OiMode.Safe);
    expect(core.odometry().v).toBeCloseTo(0.15, 3);
  });
});
