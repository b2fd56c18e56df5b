/** The fault detectors of src/main/core/faults.ts, on synthetic frames (times passed in). */
import { describe, expect, it } from 'vitest';
import { FaultMonitor, OdometryJumpDetector, RobotClockMonitor, assessScan } from '../../../src/main/core/faults';
import type { OdometryMsg, RobotMessage } from '../../../src/shared/protocol';

const odom = (x: number, y = 0, theta = 0): OdometryMsg => ({ type: 'odometry', x, y, theta, v: 0, w: 0, lastCommandSeq: 0 });

/** Frames every 20 ms from host time 1000 ms, robot clock = host + 5 s, delivered `delayMs` late. */
function frames(n: number, opts: { startMs?: number; offsetMs?: number; delayMs?: (i: number) => number; seq0?: number } = {}) {
  const start = opts.startMs ?? 1000;
  const offset = opts.offsetMs ?? 5000;
  return Array.from({ length: n }, (_, i) => {
    const sentMs = start + i * 20;
    return { seq: (opts.seq0 ?? 0) + i, timestampUs: Math.round((sentMs + offset) * 1000), receivedAtMs: sentMs + (opts.delayMs?.(i) ?? 1) };
  });
}

describe('RobotClockMonitor', () => {
  it('accepts a steady stream with delivery jitter up to the stale bound', () => {
    const m = new RobotClockMonitor();
    const verdicts = frames(500, { delayMs: (i) => (i % 7) * 60 + (i % 50 === 0 ? 600 : 0) }).map((f) => m.check(f).kind);
    expect(verdicts.every((k) => k === 'ok')).toBe(true);
    expect(m.offsetMs).toBe(5000); // the promptest delivery (frame 0, no delay)
  });

  it('drops a replayed frame (same seq and time) and a frame stamped far in the past', () => {
    const m = new RobotClockMonitor();
    const fs = frames(100);
    for (const f of fs.slice(0, 60)) m.check(f);
    expect(m.check({ ...fs[30]!, receivedAtMs: fs[59]!.receivedAtMs + 5 })).toMatchObject({ kind: 'stale', fault: { kind: 'stale-frame', message: expect.stringContaining('repeated frame') } });
    const old = { seq: 9999, timestampUs: fs[0]!.timestampUs - 3_000_000, receivedAtMs: fs[59]!.receivedAtMs + 6 };
    expect(m.check(old)).toMatchObject({ kind: 'stale', fault: { message: expect.stringMatching(/stamped 4\.\d s in the past/) } });
    // The stream goes on undisturbed.
    expect(fs.slice(60).map((f) => m.check(f).kind).every((k) => k === 'ok')).toBe(true);
  });

  it('confirms a jump back after three consecutive frames, reports it in plain words, and re-bases', () => {
    const m = new RobotClockMonitor();
    for (const f of frames(50)) m.check(f);
    const after = frames(50, { startMs: 2000, offsetMs: 5000 - 30_000, seq0: 50 });
    const kinds = after.slice(0, 3).map((f) => m.check(f));
    expect(kinds[0]!.kind).toBe('stale');
    expect(kinds[1]!.kind).toBe('suspect');
    expect(kinds[2]).toMatchObject({ kind: 'jump', fault: { kind: 'robot-clock-jump', message: expect.stringMatching(/^Robot clock jumped back 30\.0 s; motion stopped/) } });
    expect(after.slice(3).map((f) => m.check(f).kind).every((k) => k === 'ok')).toBe(true);
  });

  it('confirms a jump ahead (which delivery delay can never explain)', () => {
    const m = new RobotClockMonitor();
    for (const f of frames(150)) m.check(f); // past the start-up grace
    const after = frames(5, { startMs: 4000, offsetMs: 5000 + 3_600_000, seq0: 150 }).map((f) => m.check(f));
    expect(after.map((v) => v.kind)).toEqual(['suspect', 'suspect', 'jump', 'ok', 'ok']);
    expect(after[2]).toMatchObject({ fault: { message: expect.stringContaining('jumped ahead 60.0 min') } });
  });
});

describe('OdometryJumpDetector', () => {
  const limits = { maxLinearVelocity: 1, maxAngularVelocity: 2 };

  it('accepts motion within the limits (with slack) and flags a pose that moved too far too fast', () => {
    const d = new OdometryJumpDetector(limits);
    let t = 0;
    for (let i = 0; i < 50; i++) expect(d.check(odom(i * 0.02, 0, i * 0.02), (t += 20_000), 0).kind).toBe('ok'); // 1 m/s, 1 rad/s
    const jump = d.check(odom(1.0 + 2.5), (t += 20_000), 1234);
    expect(jump).toMatchObject({ kind: 'fault', fault: { kind: 'odometry-jump', atMs: 1234, message: expect.stringMatching(/^Odometry jumped 2\.\d\d m in 20 ms \(at most 0\.08 m possible\)/) } });
    // The new pose is the new reference: reported once.
    expect(d.check(odom(3.52), (t += 20_000), 0).kind).toBe('ok');
  });

  it('flags a heading jump, and NaN or infinite values', () => {
    const d = new OdometryJumpDetector(limits);
    d.check(odom(0, 0, 0), 0, 0);
    expect(d.check(odom(0, 0, 1.5), 20_000, 0)).toMatchObject({ kind: 'fault', fault: { message: expect.stringMatching(/Odometry jumped 86° in 20 ms/) } });
    expect(d.check({ ...odom(0), x: Number.NaN }, 40_000, 0)).toMatchObject({ kind: 'fault', fault: { kind: 'odometry-invalid' } });
    expect(d.check({ ...odom(0), w: Number.POSITIVE_INFINITY }, 60_000, 0)).toMatchObject({ kind: 'fault', fault: { kind: 'odometry-invalid' } });
  });

  it('does not judge across a long gap or out-of-order stamps', () => {
    const d = new OdometryJumpDetector(limits);
    d.check(odom(0), 0, 0);
    expect(d.check(odom(5), 2_000_000, 0).kind).toBe('ok');
    expect(d.check(odom(9), 1_000_000, 0).kind).toBe('ok');
  });
});

describe('assessScan', () => {
  it('counts each kind of invalid beam and calls a mostly invalid scan unusable', () => {
    const ranges = new Float32Array(360).map((_, i) => (i % 4 <= 1 ? NaN : i % 4 === 2 ? -1 : 3));
    const h = assessScan({ ranges, rangeMin: 0.05, rangeMax: 8 });
    expect(h).toMatchObject({ beams: 360, nan: 180, infinite: 0, negative: 90, outOfRange: 0, invalid: 270, usable: false });
    expect(h.message).toBe('The lidar cannot see: 270 of 360 beams are invalid (180 NaN, 90 negative); motion stopped');
    const ok = assessScan({ ranges: new Float32Array(360).map((_, i) => (i < 100 ? NaN : i < 110 ? 20 : 3)), rangeMin: 0.05, rangeMax: 8 });
    expect(ok).toMatchObject({ nan: 100, outOfRange: 10, usable: true, message: '' });
    expect(assessScan({ ranges: new Float32Array(0), rangeMin: 0, rangeMax: 8 }).usable).toBe(false);
  });

  it('reads no-return (+Infinity) and too-close (−Infinity) beams as measurements, per REP 117', () => {
    // An open room: nothing within range in most directions is not a blind lidar.
    const open = assessScan({ ranges: new Float32Array(360).map((_, i) => (i < 300 ? Infinity : 5)), rangeMin: 0.05, rangeMax: 8 });
    expect(open).toMatchObject({ infinite: 300, invalid: 0, usable: true });
    const touching = assessScan({ ranges: new Float32Array(360).fill(-Infinity), rangeMin: 0.05, rangeMax: 8 });
    expect(touching).toMatchObject({ infinite: 360, invalid: 0, usable: true });
  });
});

describe('FaultMonitor', () => {
  const hello = { maxLinearVelocity: 1, maxAngularVelocity: 2 };
  const at = (i: number, msg: RobotMessage, offsetMs = 5000) => ({ seq: i, timestampUs: Math.round((1000 + i * 20 + offsetMs) * 1000), receivedAtMs: 1000 + i * 20 + 1, msg });

  it('holds motion for holdMs after a fault, then releases it', () => {
    const m = new FaultMonitor({ holdMs: 1000 });
    m.onHello(hello);
    for (let i = 0; i < 10; i++) expect(m.onFrame(at(i, odom(0)))).toEqual({ apply: true, fault: null });
    expect(m.holding(1200)).toBeNull();
    const v = m.onFrame(at(10, odom(5)));
    expect(v).toMatchObject({ apply: true, fault: { kind: 'odometry-jump' } });
    expect(m.holding(1201 + 200)).toMatchObject({ kind: 'odometry-jump' });
    expect(m.holding(1201 + 1001)).toBeNull();
  });

  it('does not apply an unusable scan, a NaN pose, or a replayed frame', () => {
    const m = new FaultMonitor();
    m.onHello(hello);
    const scan = (v: number): RobotMessage => ({ type: 'laser-scan', angleMin: 0, angleIncrement: 0.01, timeIncrement: 0, rangeMin: 0.05, rangeMax: 8, ranges: new Float32Array(100).fill(v) });
    expect(m.onFrame(at(0, scan(3))).apply).toBe(true);
    expect(m.onFrame(at(1, scan(Number.NaN)))).toMatchObject({ apply: false, fault: { kind: 'scan-invalid' } });
    expect(m.onFrame(at(2, { ...odom(0), theta: Number.NaN }))).toMatchObject({ apply: false, fault: { kind: 'odometry-invalid' } });
    const f = at(3, odom(0));
    expect(m.onFrame(f).apply).toBe(true);
    expect(m.onFrame({ ...f, receivedAtMs: f.receivedAtMs + 30 })).toMatchObject({ apply: false, fault: { kind: 'stale-frame' } });
  });
});
