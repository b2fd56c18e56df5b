import { describe, expect, it } from 'vitest';
import {
  AnswerType, Cmd, RevolutionAssembler, ScanNodeDecoder, SendMode, beamIndex, decodeNode, describeDevice, encodeDescriptor, encodeMotorPwm,
  encodeNode, encodeRequest, gridLayout, nodeProblem, parseDescriptor, parseHealth, parseInfo, revolutionToScan, takeResponse,
} from '../../../../src/main/robot/rplidar/protocol';

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);

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
    expect([...encodeMotorPwm(660)]).toEqual([0xa5, 0xf0, 0x02, 0x94, 0x02, 0xa5 ^ 0xf0 ^ 0x02 ^ 0x94 ^ 0x02]);
    expect(0xa5 ^ 0xf0 ^ 0x02 ^ 0x94 ^ 0x02).toBe(0xc1);
    expect([...encodeMotorPwm(0)]).toEqual([0xa5, 0xf0, 0x02, 0x00, 0x00, 0x57]);
  });
});

describe('RPLIDAR answers', () => {
  it('parses response descriptors: 30-bit length, 2-bit mode, type', () => {
    // The SCAN descriptor as the datasheet gives it.
    expect(parseDescriptor(bytes(0xa5, 0x5a, 0x05, 0x00, 0x00, 0x40, 0x81))).toEqual({ length: 5, mode: SendMode.Loop, type: AnswerType.Measurement });
    expect(parseDescriptor(bytes(0xa5, 0x5a, 0x14, 0x00, 0x00, 0x00, 0x04))).toEqual({ length: 20, mode: SendMode.Single, type: AnswerType.DevInfo });
    expect(parseDescriptor(bytes(0xa5, 0x5a, 0x03, 0x00, 0x00))).toBeNull();
    expect(parseDescriptor(bytes(0xa5, 0x5b, 0x03, 0x00, 0x00, 0x00, 0x06))).toBeNull();
    expect([...encodeDescriptor({ length: 5, mode: 1, type: 0x81 })]).toEqual([0xa5, 0x5a, 0x05, 0x00, 0x00, 0x40, 0x81]);
  });

  it('parses INFO and HEALTH and names the device', () => {
    const info = parseInfo(bytes(0x18, 29, 1, 7, ...Array.from({ length: 16 }, (_, i) => i * 17)));
    expect(info).toMatchObject({ model: 0x18, firmwareMajor: 1, firmwareMinor: 29, hardware: 7 });
    expect(info.serial).toBe('00112233445566778899AABBCCDDEEFF');
    expect(describeDevice(info)).toBe('RPLIDAR A1M8 (model 0x18) fw 1.29 hw 7 S/N 00112233445566778899AABBCCDDEEFF');
    expect(parseHealth(bytes(2, 0x34, 0x12))).toEqual({ status: 2, errorCode: 0x1234 });
  });

  it('takes an answer after stray bytes, and waits for an incomplete one', () => {
    const answer = bytes(0x00, 0x25, 0xa5, 0x5a, 0x03, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x99);
    const r = takeResponse(answer, AnswerType.DevHealth)!;
    expect([...r.payload]).toEqual([0, 0, 0]);
    expect([...r.rest]).toEqual([0x99]);
    expect(takeResponse(answer.subarray(0, 10), AnswerType.DevHealth)).toBeNull();
  });
});

describe('RPLIDAR SCAN nodes', () => {
  it('decodes quality, start flag, angle (q6) and distance (q2)', () => {
    // quality 15, S=1: 15<<2 | 0<<1 | 1 = 0x3D; angle 90° = q6 5760 = 0x1680: (5760<<1)|1 = 0x2D01; 1000 mm = q2 4000 = 0x0FA0.
    const raw = bytes(0x3d, 0x01, 0x2d, 0xa0, 0x0f);
    expect(nodeProblem(raw, 0)).toBeNull();
    const n = decodeNode(raw);
    expect(n).toMatchObject({ start: true, quality: 15, angleDeg: 90, distanceM: 1 });
    // 90° clockwise in the device's convention is the right side: −π/2 in REP 103.
    expect(n.angleRad).toBeCloseTo(-Math.PI / 2, 12);
    expect(decodeNode(encodeNode({ start: false, quality: 10, angleDeg: 270, distanceM: 2.5 })).angleRad).toBeCloseTo(Math.PI / 2, 12);
    expect(decodeNode(encodeNode({ start: false, quality: 10, angleDeg: 180, distanceM: 2.5 })).angleRad).toBeCloseTo(Math.PI, 12);
    expect(decodeNode(encodeNode({ start: false, quality: 10, angleDeg: 0, distanceM: 0.25 }))).toMatchObject({ angleRad: 0, distanceM: 0.25 });
  });

  it('rejects nodes whose start flags agree or whose check bit is clear', () => {
    expect(nodeProblem(bytes(0x3f, 0x01, 0x2d, 0xa0, 0x0f), 0)).toBe('start-flag'); // S = !S = 1
    expect(nodeProblem(bytes(0x3c, 0x01, 0x2d, 0xa0, 0x0f), 0)).toBe('start-flag'); // S = !S = 0
    expect(nodeProblem(bytes(0x3d, 0x00, 0x2d, 0xa0, 0x0f), 0)).toBe('check-bit');
    expect(nodeProblem(bytes(0x3e, 0xff, 0xff, 0xa0, 0x0f), 0)).toBe('angle');
  });

  it('decodes a stream in any chunking, and resyncs after garbage, counting it', () => {
    const nodes = Array.from({ length: 40 }, (_, i) => encodeNode({ start: i % 20 === 0, quality: 30, angleDeg: (i % 20) * 18, distanceM: 1 + i / 100 }));
    const clean = new Uint8Array(nodes.length * 5);
    nodes.forEach((n, i) => clean.set(n, i * 5));
    for (const size of [1, 2, 3, 7, 200]) {
      const dec = new ScanNodeDecoder();
      const out = [];
      for (let o = 0; o < clean.length; o += size) out.push(...dec.push(clean.subarray(o, o + size)));
      expect(out.length).toBe(40);
      expect(out[39]!.distanceM).toBeCloseTo(1.39, 9);
      expect(dec.stats.rejected).toBe(0);
    }
    // Garbage between nodes 10 and 11, and node 25 corrupted.
    const parts = nodes.map((n) => n.slice());
    parts[25]![1] = parts[25]![1]! & 0xfe;
    const dirty = [...parts.slice(0, 11), bytes(0xff, 0x03, 0x00), ...parts.slice(11)];
    const dec = new ScanNodeDecoder();
    const out = dirty.flatMap((p) => dec.push(p));
    expect(out.length).toBe(39);
    expect(out.map((n) => n.distanceM.toFixed(2))).not.toContain('1.25');
    expect(out[out.length - 1]!.distanceM).toBeCloseTo(1.39, 9);
    expect(dec.stats.rejected).toBe(2);
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
});
