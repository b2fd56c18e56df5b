/**
 * The RPLIDAR codec at the byte level: requests and descriptors as the protocol PDF shows
 * them, SCAN nodes, and legacy express capsules built by hand with the checksum rule
 * (XOR of bytes 2-83, split over the two sync bytes' low nibbles) and the angle rule
 * θk = ω(i) + AngleDiff(ω(i), ω(i+1))/32 · k − dθk.
 */
import { describe, expect, it } from 'vitest';
import {
  AnswerType, CAPSULE_BYTES, Cmd, ExpressCapsuleDecoder, RequestDecoder, RevolutionAssembler, ScanNodeDecoder, SendMode, WIRE_RANGE_MAX_M,
  angleDiffQ6, capsuleChecksum, capsuleProblem, decodeCapsule, decodeNode, describeDevice, encodeAccBoardFlagRequest,
  encodeCapsule, encodeDescriptor, encodeExpressScan, encodeMotorPwm, encodeMotorRpm, encodeNode, encodeRequest, expandCapsule, findDescriptor,
  modelName, motorControlByModel, nodeProblem, parseAccBoardFlag, parseDescriptor, parseHealth, parseInfo, radToDeviceAngle,
  rangeLimits, revolutionToScan, supportsLegacyExpress, takeResponse, type CapsuleSample, type DeviceInfo,
} from '../../../src/shared/protocols/rplidar';
import { beamIndex, gridLayout } from '../../../src/shared/protocols/scan-grid';

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);
const info = (model: number, major: number, minor: number): DeviceInfo => ({ model, firmwareMajor: major, firmwareMinor: minor, hardware: 0, serial: '00'.repeat(16) });

describe('RPLIDAR requests', () => {
  it('frames commands without payload as A5 cmd', () => {
    expect([...encodeRequest(Cmd.Stop)]).toEqual([0xa5, 0x25]);
    expect([...encodeRequest(Cmd.Reset)]).toEqual([0xa5, 0x40]);
    expect([...encodeRequest(Cmd.Scan)]).toEqual([0xa5, 0x20]);
    expect([...encodeRequest(Cmd.GetInfo)]).toEqual([0xa5, 0x50]);
    expect([...encodeRequest(Cmd.GetHealth)]).toEqual([0xa5, 0x52]);
  });

  it('frames payload commands with size and an XOR checksum over every byte before it', () => {
    // SET_MOTOR_PWM 660 = 0x0294: A5 F0 02 94 02, checksum A5^F0^02^94^02 = 0xC1.
    expect([...encodeMotorPwm(660)]).toEqual([0xa5, 0xf0, 0x02, 0x94, 0x02, 0xc1]);
    expect([...encodeMotorPwm(0)]).toEqual([0xa5, 0xf0, 0x02, 0x00, 0x00, 0x57]);
    // EXPRESS_SCAN, legacy mode: the PDF's example request A5 82 05 00 00 00 00 00 22.
    expect([...encodeExpressScan()]).toEqual([0xa5, 0x82, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x22]);
    // HQ_MOTOR_SPEED_CTRL 600 rpm = 0x0258; GET_ACC_BOARD_FLAG with its reserved u32.
    expect([...encodeMotorRpm(600)]).toEqual([0xa5, 0xa8, 0x02, 0x58, 0x02, 0x55]);
    expect([...encodeAccBoardFlagRequest()]).toEqual([0xa5, 0xff, 0x04, 0x00, 0x00, 0x00, 0x00, 0x5e]);
  });

  it('parses requests on the device side in any chunking, dropping bad checksums and garbage', () => {
    const stream = bytes(0x00, 0x13, ...encodeRequest(Cmd.Stop), ...encodeExpressScan(), 0xa5, 0xf0, 0x02, 0x94, 0x02, 0xc2, ...encodeMotorPwm(660), ...encodeRequest(Cmd.GetHealth));
    for (const size of [1, 2, 5, stream.length]) {
      const dec = new RequestDecoder();
      const got = [];
      for (let o = 0; o < stream.length; o += size) got.push(...dec.push(stream.subarray(o, o + size)));
      expect(got.map((r) => r.cmd)).toEqual([Cmd.Stop, Cmd.ExpressScan, Cmd.SetMotorPwm, Cmd.GetHealth]);
      expect([...got[1]!.payload]).toEqual([0, 0, 0, 0, 0]);
      expect([...got[2]!.payload]).toEqual([0x94, 0x02]);
      expect(dec.badChecksums).toBe(1);
    }
  });
});

describe('RPLIDAR answers', () => {
  it('parses response descriptors: 30-bit length, 2-bit mode, type', () => {
    // The SCAN and EXPRESS_SCAN descriptors as the PDF gives them.
    expect(parseDescriptor(bytes(0xa5, 0x5a, 0x05, 0x00, 0x00, 0x40, 0x81))).toEqual({ length: 5, mode: SendMode.Loop, type: AnswerType.Measurement });
    expect(parseDescriptor(bytes(0xa5, 0x5a, 0x54, 0x00, 0x00, 0x40, 0x82))).toEqual({ length: 84, mode: SendMode.Loop, type: AnswerType.MeasurementCapsuled });
    expect(parseDescriptor(bytes(0xa5, 0x5a, 0x14, 0x00, 0x00, 0x00, 0x04))).toEqual({ length: 20, mode: SendMode.Single, type: AnswerType.DevInfo });
    expect(parseDescriptor(bytes(0xa5, 0x5a, 0x03, 0x00, 0x00))).toBeNull();
    expect(parseDescriptor(bytes(0xa5, 0x5b, 0x03, 0x00, 0x00, 0x00, 0x06))).toBeNull();
    expect([...encodeDescriptor({ length: 84, mode: 1, type: 0x82 })]).toEqual([0xa5, 0x5a, 0x54, 0x00, 0x00, 0x40, 0x82]);
  });

  it('parses INFO, HEALTH and the accessory-board flag, and names the device as the SDK does', () => {
    const a1 = parseInfo(bytes(0x18, 29, 1, 7, ...Array.from({ length: 16 }, (_, i) => i * 17)));
    expect(a1).toMatchObject({ model: 0x18, firmwareMajor: 1, firmwareMinor: 29, hardware: 7 });
    expect(a1.serial).toBe('00112233445566778899AABBCCDDEEFF');
    expect(describeDevice(a1)).toBe('RPLIDAR A1M8 (model 0x18) fw 1.29 hw 7 S/N 00112233445566778899AABBCCDDEEFF');
    expect(parseHealth(bytes(2, 0x34, 0x12))).toEqual({ status: 2, errorCode: 0x1234 });
    expect(parseAccBoardFlag(bytes(0x01, 0, 0, 0))).toBe(1);
    // GetModelNameStringByModelID: A from major 1, C from 4, S from 6, T from 9, M from 12.
    expect([0x18, 0x28, 0x31, 0x41, 0x61, 0x71, 0x82, 0x91, 0xc1].map(modelName)).toEqual(['A1M8', 'A2M8', 'A3M1', 'C1M1', 'S1M1', 'S2M1', 'S3M2', 'T1M1', 'M1M1']);
    expect(modelName(0x05)).toBeNull();
  });

  it('takes an answer after stray bytes, and waits for an incomplete one', () => {
    const answer = bytes(0x00, 0x25, 0xa5, 0x5a, 0x03, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x99);
    const r = takeResponse(answer, AnswerType.DevHealth)!;
    expect([...r.payload]).toEqual([0, 0, 0]);
    expect([...r.rest]).toEqual([0x99]);
    expect(takeResponse(answer.subarray(0, 10), AnswerType.DevHealth)).toBeNull();
    expect(findDescriptor(answer)?.descriptor.type).toBe(AnswerType.DevHealth);
    expect(findDescriptor(bytes(0xa5, 0x5a, 0x05))).toBeNull();
  });
});

describe('RPLIDAR models', () => {
  it('uses legacy express on A-series firmware 1.17 and later only', () => {
    expect(supportsLegacyExpress(info(0x18, 1, 29))).toBe(true);
    expect(supportsLegacyExpress(info(0x18, 1, 17))).toBe(true);
    expect(supportsLegacyExpress(info(0x18, 1, 16))).toBe(false);
    expect(supportsLegacyExpress(info(0x28, 1, 24))).toBe(true);
    expect(supportsLegacyExpress(info(0x41, 1, 2))).toBe(false); // C1: dense capsules only
    expect(supportsLegacyExpress(info(0x71, 1, 2))).toBe(false); // S2: dense capsules only
  });

  it('drives the motor as the SDK does: DTR for the A1, ask the board for majors 2-5, rpm from the S-series', () => {
    expect([0x18, 0x28, 0x31, 0x41, 0x61, 0x71].map(motorControlByModel)).toEqual(['dtr', 'ask', 'ask', 'ask', 'rpm', 'rpm']);
  });

  it('caps the range at what the 14-bit mm / u16 q2 distances can carry', () => {
    expect(rangeLimits(0x18)).toEqual({ rangeMin: 0.15, rangeMax: 12 });
    expect(rangeLimits(0x41)).toEqual({ rangeMin: 0.05, rangeMax: 12 });
    expect(rangeLimits(0x71)).toEqual({ rangeMin: 0.05, rangeMax: WIRE_RANGE_MAX_M });
    expect(decodeNode(encodeNode({ start: false, quality: 1, angleDeg: 0, distanceM: 16.38 })).distanceM).toBeCloseTo(16.38, 6);
    expect(decodeNode(encodeNode({ start: false, quality: 1, angleDeg: 0, distanceM: 17 })).distanceM).toBe(0); // too far for u16 q2: no return
  });
});

describe('RPLIDAR SCAN nodes', () => {
  it('decodes quality, start flag, angle (q6) and distance (q2)', () => {
    // quality 15, S=1: 15<<2 | 0<<1 | 1 = 0x3D; angle 90° = q6 5760: (5760<<1)|1 = 0x2D01; 1000 mm = q2 4000 = 0x0FA0.
    const raw = bytes(0x3d, 0x01, 0x2d, 0xa0, 0x0f);
    expect(nodeProblem(raw, 0)).toBeNull();
    const n = decodeNode(raw);
    expect(n).toMatchObject({ start: true, quality: 15, angleDeg: 90, distanceM: 1 });
    // 90° clockwise in the device's convention is the right side: −π/2 in REP 103.
    expect(n.angleRad).toBeCloseTo(-Math.PI / 2, 12);
    expect(decodeNode(encodeNode({ start: false, quality: 10, angleDeg: 270, distanceM: 2.5 })).angleRad).toBeCloseTo(Math.PI / 2, 12);
    expect(decodeNode(encodeNode({ start: false, quality: 10, angleDeg: 180, distanceM: 2.5 })).angleRad).toBeCloseTo(Math.PI, 12);
    expect(decodeNode(encodeNode({ start: false, quality: 10, angleDeg: 0, distanceM: 0.25 }))).toMatchObject({ angleRad: 0, distanceM: 0.25 });
    // And back: the left (+π/2) is 270° clockwise.
    expect(radToDeviceAngle(Math.PI / 2)).toBeCloseTo(270, 9);
    expect(radToDeviceAngle(-Math.PI / 2)).toBeCloseTo(90, 9);
    expect(radToDeviceAngle(0)).toBe(0);
  });

  it('rejects nodes whose start flags agree or whose check bit is clear', () => {
    expect(nodeProblem(bytes(0x3f, 0x01, 0x2d, 0xa0, 0x0f), 0)).toBe('start-flag'); // S = !S = 1
    expect(nodeProblem(bytes(0x3c, 0x01, 0x2d, 0xa0, 0x0f), 0)).toBe('start-flag'); // S = !S = 0
    expect(nodeProblem(bytes(0x3d, 0x00, 0x2d, 0xa0, 0x0f), 0)).toBe('check-bit');
    expect(nodeProblem(bytes(0x3e, 0xff, 0xff, 0xa0, 0x0f), 0)).toBe('angle');
  });

  it('decodes a stream in any chunking, and resyncs after garbage, counting it', () => {
    // Two revolutions of 180 nodes, 2° apart, 1 m + 1 mm per node.
    const nodes = Array.from({ length: 360 }, (_, i) => encodeNode({ start: i % 180 === 0, quality: 30, angleDeg: (i % 180) * 2, distanceM: 1 + i / 1000 }));
    const clean = new Uint8Array(nodes.length * 5);
    nodes.forEach((n, i) => clean.set(n, i * 5));
    const index = (n: { distanceM: number }) => Math.round((n.distanceM - 1) * 1000);
    for (const size of [1, 2, 3, 7, 2000]) {
      const dec = new ScanNodeDecoder();
      const out = [];
      for (let o = 0; o < clean.length; o += size) out.push(...dec.push(clean.subarray(o, o + size)));
      // Each node waits for the next to validate: the last one is still held.
      expect(out.map(index)).toEqual([...Array(359).keys()]);
      expect(out.filter((n) => n.start).length).toBe(2);
      expect(dec.stats.rejected).toBe(0);
    }
    // Garbage between nodes 10 and 11, and node 25 corrupted: each costs the node before it too.
    const parts = nodes.map((n) => n.slice());
    parts[25]![1] = parts[25]![1]! & 0xfe;
    const dirty = [...parts.slice(0, 11), bytes(0xff, 0x03, 0x00), ...parts.slice(11)];
    const dec = new ScanNodeDecoder();
    const out = dirty.flatMap((p) => dec.push(p));
    expect(out.map(index)).toEqual([...Array(359).keys()].filter((i) => ![10, 24, 25].includes(i)));
    expect(dec.stats.rejected).toBe(2);
  });

  it('resyncs only on two neighbouring nodes, so a misaligned stream yields no bogus nodes', () => {
    // 2000 nodes 1° apart, one byte lost at the start: every window is misaligned until the
    // decoder slides back into step; whatever it emits must be a real node.
    const nodes = Array.from({ length: 2000 }, (_, i) => encodeNode({ start: i % 360 === 0, quality: 47, angleDeg: i % 360, distanceM: 1 + (i % 360) / 1000 }));
    const all = new Uint8Array(nodes.length * 5);
    nodes.forEach((n, i) => all.set(n, i * 5));
    // Knock one byte out of every 50th node.
    const damaged: number[] = [];
    for (let i = 0; i < all.length; i++) if (!(i % 250 === 3)) damaged.push(all[i]!);
    const dec = new ScanNodeDecoder();
    const out = dec.push(Uint8Array.from(damaged));
    expect(out.length).toBeGreaterThan(1800);
    for (const n of out) expect(n.distanceM * 1000 - 1000).toBeCloseTo(n.angleDeg, 6);
    expect(dec.stats.rejected).toBe(40);
  });

  it('assembles revolutions at start flags and bins them on a fixed grid in metres', () => {
    const asm = new RevolutionAssembler();
    const revs = [];
    // A partial revolution first (dropped), then two full ones.
    const angles = [300, 330, ...[0, 90, 180, 270].flatMap((a) => [a, a + 45]), 0];
    for (const [i, a] of angles.entries()) {
      const rev = asm.push(decodeNode(encodeNode({ start: a === 0 && i > 0, quality: 20, angleDeg: a, distanceM: a === 180 ? 0 : 1 + a / 1000 })));
      if (rev) revs.push(rev);
    }
    expect(revs.length).toBe(1);
    expect(revs[0]!.nodes.length).toBe(8);
    const scan = revolutionToScan(revs[0]!, { beams: 360, rangeMin: 0.15, rangeMax: 12, durationS: 0.18 });
    const { angleMin, angleIncrement } = gridLayout(360);
    expect(scan).toMatchObject({ type: 'laser-scan', angleMin, angleIncrement, rangeMin: 0.15, rangeMax: 12 });
    expect(scan.timeIncrement).toBeCloseTo(0.18 / 360, 12);
    expect(scan.ranges[beamIndex(0, 360)]).toBeCloseTo(1, 6);
    expect(scan.ranges[beamIndex(-Math.PI / 2, 360)]).toBeCloseTo(1.09, 6);
    expect(scan.ranges[beamIndex(Math.PI / 2, 360)]).toBeCloseTo(1.27, 6);
    expect(scan.ranges[beamIndex(Math.PI, 360)]).toBe(Infinity); // distance 0: no return
    expect(scan.ranges[beamIndex(Math.PI / 8, 360)]).toBe(Infinity); // no node there
    expect(angleMin + 359 * angleIncrement).toBeCloseTo(Math.PI, 12);
    expect(beamIndex(-Math.PI, 360)).toBe(359);
  });

  it('also cuts where the angle falls back by more than half a turn, when the start node was lost', () => {
    const asm = new RevolutionAssembler();
    const node = (angleDeg: number, start = false) => decodeNode(encodeNode({ start, quality: 20, angleDeg, distanceM: 1 }));
    const revs = [0, 90, 180, 270, 359].map((a) => asm.push(node(a, a === 0)));
    // The next turn's start node (0°) is lost; 2° comes first: the turn still ends here.
    expect(asm.push(node(2))?.nodes.map((n) => n.angleDeg)).toEqual([0, 90, 180, 270, 359]);
    expect(revs.every((r) => r === null)).toBe(true);
    // A little jitter backwards is not a new turn.
    expect([asm.push(node(90)), asm.push(node(89)), asm.push(node(180))]).toEqual([null, null, null]);
  });
});

/**
 * A capsule built byte by byte: ω = 10.5° (q6 672 = 0x02A0, S = 0); cabin 0 holds 1000 mm with
 * dθ1 = 25 q3 (0b01_1001: low nibble 9 in the offsets byte, top bits 01 in distance_angle_1)
 * and no return with dθ2 = 3 q3; cabins 1-15 hold 2000 mm twice with dθ = 16 q3 (2°, top bits
 * 01, low nibbles 0). The checksum, XOR of bytes 2-83, is 0x35: 5 in byte 0's low nibble, 3 in byte 1's.
 */
function handBuiltCapsule(): Uint8Array {
  const body = [0xa0, 0x02, 0xa1, 0x0f, 0x00, 0x00, 0x39];
  for (let c = 1; c < 16; c++) body.push(0x41, 0x1f, 0x41, 0x1f, 0x00);
  let sum = 0;
  for (const b of body) sum ^= b;
  expect(sum).toBe(0x35);
  return bytes(0xa0 | (sum & 0xf), 0x50 | (sum >> 4), ...body);
}

describe('RPLIDAR legacy express capsules', () => {
  it('decodes a hand-built capsule: sync nibbles, checksum, start angle, distances and compensations', () => {
    const raw = handBuiltCapsule();
    expect(raw.length).toBe(CAPSULE_BYTES);
    expect([raw[0], raw[1]]).toEqual([0xa5, 0x53]);
    expect(capsuleChecksum(raw)).toBe(0x35);
    expect(capsuleProblem(raw)).toBeNull();
    const c = decodeCapsule(raw);
    expect(c.newScan).toBe(false);
    expect(c.startAngleQ6).toBe(672);
    expect(c.samples[0]).toEqual({ distanceMm: 1000, compensationQ3: 25 });
    expect(c.samples[1]).toEqual({ distanceMm: 0, compensationQ3: 3 });
    for (let k = 2; k < 32; k++) expect(c.samples[k]).toEqual({ distanceMm: 2000, compensationQ3: 16 });
    // Encoding it again gives the same bytes.
    expect([...encodeCapsule(c)]).toEqual([...raw]);
  });

  it('places the samples between this start angle and the next, minus the compensation', () => {
    const c = decodeCapsule(handBuiltCapsule());
    // Next capsule at ω = 42.5°: AngleDiff 32°, 1° per sample.
    const nodes = expandCapsule(c, 42.5 * 64);
    expect(nodes.length).toBe(32);
    expect(nodes[0]).toMatchObject({ angleDeg: 10.5 - 25 / 8, distanceM: 1, quality: 0x2f, start: false });
    expect(nodes[1]).toMatchObject({ angleDeg: 11.5 - 3 / 8, distanceM: 0, quality: 0 });
    for (let k = 2; k < 32; k++) expect(nodes[k]!.angleDeg).toBe(10.5 + k - 2);
    // Device degrees clockwise → REP 103: 7.375° clockwise is −7.375° counter-clockwise.
    expect(nodes[0]!.angleRad).toBeCloseTo((-7.375 * Math.PI) / 180, 12);
  });

  it('takes AngleDiff through 360° when the turn wraps, and wraps the sample angles', () => {
    expect(angleDiffQ6(350 * 64, 6 * 64)).toBe(16 * 64);
    expect(angleDiffQ6(6 * 64, 350 * 64)).toBe(344 * 64);
    const samples: CapsuleSample[] = Array.from({ length: 32 }, () => ({ distanceMm: 500, compensationQ3: 0 }));
    const nodes = expandCapsule({ newScan: false, startAngleQ6: 350 * 64, samples }, 6 * 64);
    expect(nodes.map((n) => n.angleDeg).slice(18, 22)).toEqual([359, 359.5, 0, 0.5]);
  });

  it('reads dθ unsigned, as the SDK does: 0b111000 is 7°, subtracted', () => {
    const samples: CapsuleSample[] = Array.from({ length: 32 }, (_, k) => ({ distanceMm: 700, compensationQ3: k === 0 ? 56 : 0 }));
    const raw = encodeCapsule({ newScan: false, startAngleQ6: 100 * 64, samples });
    expect(raw[4]! & 0x3).toBe(0b11); // the top two bits of dθ1 ride in distance_angle_1
    expect(raw[8]! & 0xf).toBe(0b1000);
    expect(expandCapsule(decodeCapsule(raw), 132 * 64)[0]!.angleDeg).toBe(93);
  });

  it('rejects bad sync nibbles, a bad checksum and an impossible start angle', () => {
    const raw = handBuiltCapsule();
    expect(capsuleProblem(Uint8Array.from(raw, (b, i) => (i === 0 ? 0xb5 : b)))).toBe('sync');
    expect(capsuleProblem(Uint8Array.from(raw, (b, i) => (i === 1 ? 0x43 : b)))).toBe('sync');
    expect(capsuleProblem(Uint8Array.from(raw, (b, i) => (i === 50 ? b ^ 0x01 : b)))).toBe('checksum');
    expect(capsuleProblem(Uint8Array.from(raw, (b, i) => (i === 1 ? 0x54 : b)))).toBe('checksum'); // checksum high nibble off by one
    const far = encodeCapsule({ newScan: false, startAngleQ6: 0, samples: decodeCapsule(raw).samples });
    far[3] = 0x7f; // ω = 0x7F00 q6 > 360°
    let sum = 0;
    for (let i = 2; i < CAPSULE_BYTES; i++) sum ^= far[i]!;
    far[0] = 0xa0 | (sum & 0xf);
    far[1] = 0x50 | (sum >> 4);
    expect(capsuleProblem(far)).toBe('angle');
  });

  /** A stream of capsules turning 1° per sample (ω = 32° apart), 360 samples a revolution from 0°, 1000 + index mm. */
  function stream(count: number, firstS = true): Uint8Array[] {
    return Array.from({ length: count }, (_, i) => encodeCapsule({
      newScan: firstS && i === 0,
      startAngleQ6: ((32 * i) % 360) * 64,
      samples: Array.from({ length: 32 }, (_, k) => ({ distanceMm: 1000 + ((32 * i + k) % 360), compensationQ3: 0 })),
    }));
  }

  it('decodes a capsule stream in any chunking, one capsule late, cutting revolutions where the angle drops', () => {
    const capsules = stream(30);
    const all = new Uint8Array(capsules.length * CAPSULE_BYTES);
    capsules.forEach((c, i) => all.set(c, i * CAPSULE_BYTES));
    for (const size of [1, 5, 83, 84, 85, all.length]) {
      const dec = new ExpressCapsuleDecoder();
      const nodes = [];
      for (let o = 0; o < all.length; o += size) nodes.push(...dec.push(all.subarray(o, o + size)));
      // The last capsule waits for its successor.
      expect(nodes.length).toBe(29 * 32);
      expect(dec.stats).toMatchObject({ nodes: 29 * 32, rejected: 0, skippedBytes: 0 });
      nodes.forEach((n, j) => {
        expect(n.angleDeg).toBe(j % 360);
        expect(n.distanceM).toBeCloseTo((1000 + (j % 360)) / 1000, 9);
        expect(n.start).toBe(j > 0 && j % 360 === 0);
      });
    }
  });

  it('drops a corrupt capsule and its predecessor, never mis-placing a sample, and counts it', () => {
    const capsules = stream(20);
    capsules[6] = capsules[6]!.slice();
    capsules[6]![30] ^= 0x40; // checksum no longer matches
    const dec = new ExpressCapsuleDecoder();
    const nodes = capsules.flatMap((c) => dec.push(c));
    expect(dec.stats.rejected).toBe(1);
    expect(dec.droppedCapsules).toBe(1);
    // Capsules 5 (waiting for 6) and 6 are lost; 7 waits for 8 and goes on.
    expect(nodes.length).toBe((19 - 2) * 32);
    for (const n of nodes) expect(n.distanceM * 1000 - 1000).toBeCloseTo(n.angleDeg, 6);
    expect(nodes.filter((n) => n.start).length).toBe(1);
  });

  it('resyncs after stray bytes, and breaks the chain on a lost capsule or a new S flag', () => {
    const capsules = stream(12);
    const dec = new ExpressCapsuleDecoder();
    const nodes = [
      ...dec.push(bytes(0x13, 0xa7, 0x00)), // garbage before the first capsule
      ...capsules.slice(0, 4).flatMap((c) => dec.push(c)),
      ...capsules.slice(5, 8).flatMap((c) => dec.push(c)), // capsule 4 never arrived: a 64° span
      ...dec.push(stream(1)[0]!), // the device restarted its angle (S = 1)
      ...capsules.slice(1, 3).flatMap((c) => dec.push(c)),
    ];
    expect(dec.stats.rejected).toBe(1);
    expect(dec.stats.skippedBytes).toBe(3);
    // Capsules 0-2 decode (3 waits for 4, which is missing: dropped), 5-6 decode, 7 is cut off by S, the restart's 0 and 1 decode, 2 waits.
    expect(nodes.length).toBe((3 + 2 + 2) * 32);
    for (const n of nodes) expect(n.distanceM * 1000 - 1000).toBeCloseTo(n.angleDeg, 6);
    expect(dec.droppedCapsules).toBe(2);
  });
});
