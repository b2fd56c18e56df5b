/**
 * The LDS-01 and LDS-02 emulators on a stepped simulator (no pty): what they stream, when,
 * and that it says what the simulator saw, in each device's own angle convention.
 */
import { describe, expect, it } from 'vitest';
import { builtinCatalog, findLidarProfile, findRobotProfile } from '../../../src/main/robot/profiles';
import {
  LDS01_CMD_START, LDS01_CMD_STOP, Lds01Decoder, Lds02Decoder, lds01ReadingAngleRad, lds02ToRep103, type Lds01Packet, type Lds02Frame,
} from '../../../src/shared/protocols/lds';
import { Lds01Emulator, Lds02Emulator } from '../../../src/sim/emulators/lds';
import { SimRig } from '../../../src/sim/emulators/emulator';
import { robotParamsFor } from '../../../src/sim/emulators/profile-params';
import { SimCore, type SimScan } from '../../../src/sim/sim-core';
import { roomGrid } from '../helpers';

const catalog = builtinCatalog('resources');
const robot = findRobotProfile(catalog, 'turtlebot3-burger');

/**
 * A 4 × 3 m room (walls one 5 cm cell thick), the robot at (1.2, 1.0) facing +x, no range
 * noise. The lidar sits 3.2 cm behind base_link, so from it: the front wall 2.78 m ahead, the
 * right wall 0.95 m, the left wall 1.95 m, the back wall 1.12 m behind.
 */
function setup(lidarName: 'lds-01' | 'lds-02') {
  const lidar = findLidarProfile(catalog, lidarName);
  const core = new SimCore({
    map: roomGrid(4, 3),
    seed: 1,
    baseRobot: robotParamsFor(robot, lidar),
    robot: { lidar: { rangeNoiseSigma: 0 } },
    startPose: { x: 1.2, y: 1.0, theta: 0 },
  });
  return { core, lidar };
}

function collect() {
  const chunks: { t: number; bytes: Uint8Array }[] = [];
  return { chunks, sink: (core: SimCore) => ({ write: (bytes: Uint8Array) => chunks.push({ t: core.time, bytes: bytes.slice() }) }) };
}

/** The simulator's range at a REP 103 angle: its nearest beam. */
function truth(scan: SimScan, angleRad: number): number {
  const n = scan.ranges.length;
  const j = ((Math.round((angleRad - scan.angleMin) / scan.angleIncrement) % n) + n) % n;
  return scan.ranges[j]!;
}

describe('Lds01Emulator', () => {
  it("is silent until 'b', then streams 60 packets a revolution spread over the next revolution; 'e' stops it", () => {
    const { core, lidar } = setup('lds-01');
    const emu = new Lds01Emulator(core, lidar);
    const { chunks, sink } = collect();
    emu.attach(sink(core));
    const rig = new SimRig(core, [emu]);
    rig.advanceTo(0.6);
    expect(chunks).toHaveLength(0);
    expect(emu.running).toBe(false);

    emu.receive(Uint8Array.of(0x00, LDS01_CMD_START)); // other bytes are ignored
    expect(emu.commands).toEqual([LDS01_CMD_START]);
    const startedAt = core.time;
    rig.advanceTo(startedAt + 1.0);
    const dec = new Lds01Decoder({ checksum: 'strict' });
    const packets: { t: number; p: Lds01Packet }[] = [];
    for (const c of chunks) for (const p of dec.push(c.bytes)) packets.push({ t: c.t, p });
    expect(dec.stats.rejected).toBe(0);
    // 5 revolutions a second (300 rpm): the first snapshot after 'b' starts the stream.
    expect(packets.length).toBeGreaterThanOrEqual(4 * 60);
    expect(packets.length).toBeLessThanOrEqual(5 * 60);
    expect(packets[0]!.p.index).toBe(0);
    expect(packets.every(({ p }, i) => p.index === i % 60)).toBe(true);
    expect(packets[0]!.p.speedRaw).toBe(3000);
    // Packet n goes out (n + 1)/60 of a revolution after the snapshot: 30 packets in the first tenth of a second.
    const t0 = packets[0]!.t - 0.01;
    const early = packets.filter(({ t }) => t <= t0 + 0.1 + 1e-9).length;
    expect(early).toBeGreaterThanOrEqual(29);
    expect(early).toBeLessThanOrEqual(31);
    const lastOfFirst = packets[59]!.t;
    expect(lastOfFirst - packets[0]!.t).toBeGreaterThan(0.17);

    emu.receive(Uint8Array.of(LDS01_CMD_STOP));
    const sent = emu.packetsSent;
    rig.advanceTo(core.time + 0.5);
    expect(emu.packetsSent).toBe(sent);
    expect(emu.running).toBe(false);
  });

  it('says what the simulator saw: reading k at −(k+1)°, the wall ahead ahead and the left wall on the left', () => {
    const { core, lidar } = setup('lds-01');
    const emu = new Lds01Emulator(core, lidar, { streamsAtPowerUp: true });
    const { chunks, sink } = collect();
    emu.attach(sink(core));
    new SimRig(core, [emu]).advanceTo(0.61);
    const dec = new Lds01Decoder({ checksum: 'strict' });
    const packets = chunks.flatMap((c) => dec.push(c.bytes));
    expect(packets.length).toBeGreaterThanOrEqual(60);
    const scan = core.latestScan()!;
    const reading = (k: number): number => packets[Math.floor(k / 6)]!.readings[k % 6]!.rangeMm / 1000;
    for (let k = 0; k < 360; k++) {
      const want = truth(scan, lds01ReadingAngleRad(k));
      if (Number.isFinite(want)) expect(Math.abs(reading(k) - want)).toBeLessThan(0.001);
      else expect(reading(k)).toBe(0);
    }
    expect(reading(359)).toBeCloseTo(2.78, 1); // k = 359: straight ahead
    expect(reading(89)).toBeCloseTo(0.95, 1); // −90°: right
    expect(reading(269)).toBeCloseTo(1.95, 1); // +90°: left
    expect(reading(179)).toBeCloseTo(1.12, 1); // behind
  });

  it('writes nothing when silent or detached, and keeps its motor state across a detach', () => {
    const { core, lidar } = setup('lds-01');
    const emu = new Lds01Emulator(core, lidar, { streamsAtPowerUp: true });
    const { chunks, sink } = collect();
    const s = sink(core);
    emu.attach(s);
    emu.silent = true;
    const rig = new SimRig(core, [emu]);
    rig.advanceTo(0.5);
    expect(chunks).toHaveLength(0);
    emu.silent = false;
    emu.detach(s);
    rig.advanceTo(1.0);
    expect(chunks).toHaveLength(0);
    emu.attach(s);
    rig.advanceTo(1.5);
    expect(chunks.length).toBeGreaterThan(0);
    expect(emu.running).toBe(true);
  });
});

describe('Lds02Emulator', () => {
  it('streams from power-up at the fixed 2300 Hz sample rate, 12 samples a frame, whatever the host sends', () => {
    const { core, lidar } = setup('lds-02');
    const emu = new Lds02Emulator(core, lidar);
    const { chunks, sink } = collect();
    emu.attach(sink(core));
    emu.receive(Uint8Array.of(LDS01_CMD_STOP, 0x00)); // one-way device: nothing it hears matters
    const rig = new SimRig(core, [emu]);
    rig.advanceTo(0.2); // the first snapshot
    const before = emu.framesSent;
    rig.advanceTo(1.2);
    // 2300 / 12 = 191.7 frames a second.
    expect(emu.framesSent - before).toBeGreaterThanOrEqual(191);
    expect(emu.framesSent - before).toBeLessThanOrEqual(192);
    const dec = new Lds02Decoder();
    const frames = chunks.flatMap((c) => dec.push(c.bytes));
    expect(dec.stats.rejected).toBe(0);
    expect(frames).toHaveLength(emu.framesSent);
    expect(frames.every((f) => f.speedDegPerS === 1800)).toBe(true);
    // Timestamps in ms, 12/2300 s apart.
    const dt = (frames[10]!.timestampMs - frames[0]!.timestampMs) / 10;
    expect(dt).toBeCloseTo((12 / 2300) * 1000, 0);
  });

  it('says what the simulator saw once the LD08 correction is applied, and turns clockwise from straight ahead', () => {
    const { core, lidar } = setup('lds-02');
    const emu = new Lds02Emulator(core, lidar);
    const { chunks, sink } = collect();
    emu.attach(sink(core));
    new SimRig(core, [emu]).advanceTo(0.8);
    const frames: Lds02Frame[] = new Lds02Decoder().push(chunks.reduce((all, c) => {
      const out = new Uint8Array(all.length + c.bytes.length);
      out.set(all);
      out.set(c.bytes, all.length);
      return out;
    }, new Uint8Array(0)));
    const scan = core.latestScan()!;
    const errors: number[] = [];
    for (const f of frames) {
      for (const p of f.points) {
        expect(p.distanceMm).toBeGreaterThan(0); // a closed room: every sample returns
        const { angleRad, rangeM } = lds02ToRep103(p.angleDeg, p.distanceMm);
        errors.push(Math.abs(rangeM - truth(scan, angleRad)));
      }
    }
    expect(errors.length).toBeGreaterThan(1000);
    // Within the millimetre the frame carries, but for the rare sample whose corrected ray meets
    // the step between two beams of the snapshot: it reads between the two.
    expect(errors.filter((e) => e < 0.0015).length / errors.length).toBeGreaterThan(0.99);
    expect(Math.max(...errors)).toBeLessThan(0.02);
    // Device angles rise (clockwise) and wrap once a revolution, at the snapshots.
    const starts = frames.map((f) => f.startAngle);
    const wraps = starts.filter((a, i) => i > 0 && a < starts[i - 1]!).length;
    expect(wraps).toBeGreaterThanOrEqual(2);
    expect(wraps).toBeLessThanOrEqual(3);
    // Device 0° corrected lands just left of ahead, on the front wall; device 90° on the right wall.
    const near = (deg: number) => frames.flatMap((f) => f.points).find((p) => Math.abs(p.angleDeg - deg) < 0.4)!;
    const ahead = lds02ToRep103(near(0).angleDeg, near(0).distanceMm);
    expect(ahead.angleRad).toBeGreaterThan(0);
    expect(ahead.rangeM).toBeCloseTo(2.79, 1);
    const right = lds02ToRep103(near(90).angleDeg, near(90).distanceMm);
    expect(right.angleRad).toBeLessThan(-Math.PI / 2 + 0.2);
    expect(right.rangeM).toBeCloseTo(0.95, 1);
  });
});
