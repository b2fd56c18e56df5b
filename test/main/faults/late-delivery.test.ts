/**
 * Late delivery is not a robot clock jump (issue 14): frames held up for 1.1 s (the console
 * stalled, the link hiccuped) carry on the robot's own timeline; a clock that went back does
 * not. Also the silence watch that leaves the console's own stalls out of the robot's silence.
 */
import { describe, expect, it } from 'vitest';
import { RobotClockMonitor } from '../../../src/main/core/faults';
import { SilenceWatch } from '../../../src/main/link/silence';

/** A 50 Hz robot on a clock `offsetMs` ahead of the host, from host time `fromMs`. */
function frames(seq0: number, fromRobotMs: number, n: number, arrive: (i: number) => number): { seq: number; timestampUs: number; receivedAtMs: number }[] {
  return Array.from({ length: n }, (_, i) => ({ seq: seq0 + i, timestampUs: (fromRobotMs + i * 20) * 1000, receivedAtMs: arrive(i) }));
}

describe('RobotClockMonitor: late frames and jumped clocks', () => {
  it('reports a 1.1 s late burst once, as late, and never as a jump; fresh frames are used again at once', () => {
    const m = new RobotClockMonitor();
    const host0 = 10_000;
    const robot0 = 500_000; // robot clock ahead of the host by 490 s
    for (const f of frames(0, robot0, 150, (i) => host0 + i * 20)) expect(m.check(f).kind).toBe('ok');
    // The console stalls 1.1 s: the 55 frames sent meanwhile are read at once afterwards.
    const stallEnd = host0 + 150 * 20 + 1100;
    const burst = frames(150, robot0 + 150 * 20, 55, (i) => stallEnd + i * 0.05).map((f) => m.check(f));
    expect(burst.some((v) => v.kind === 'jump')).toBe(false);
    const said = burst.filter((v) => v.kind === 'stale');
    expect(said).toHaveLength(1);
    expect(said[0]!.kind === 'stale' && said[0]!.fault.detail.cause).toBe('late');
    // The newest frames of the burst are within a second: used.
    expect(burst[burst.length - 1]!.kind).toBe('ok');
    for (const f of frames(205, robot0 + 205 * 20, 20, (i) => stallEnd + 5 + i * 20)) expect(m.check(f).kind).toBe('ok');
  });

  it('still reports a clock that went back 1.1 s as a jump within three frames', () => {
    const m = new RobotClockMonitor();
    for (const f of frames(0, 500_000, 150, (i) => 10_000 + i * 20)) m.check(f);
    const back = frames(150, 500_000 + 150 * 20 - 1100, 3, (i) => 10_000 + (150 + i) * 20).map((f) => m.check(f));
    // The first is said as a stale frame, the second confirms, the third declares the jump.
    expect(back.map((v) => v.kind)).toEqual(['stale', 'suspect', 'jump']);
  });

  it('takes a clock that keeps running late at its own pace (it lost time) as a jump after lateConfirmMs', () => {
    const m = new RobotClockMonitor({ lateConfirmMs: 1000 });
    for (const f of frames(0, 500_000, 150, (i) => 10_000 + i * 20)) m.check(f);
    // From now on the robot's frames come in real time but 1.5 s behind the old offset, with no gap in robot time.
    const verdicts = frames(150, 500_000 + 150 * 20, 80, (i) => 10_000 + 150 * 20 + 1500 + i * 20).map((f) => m.check(f).kind);
    expect(verdicts[0]).toBe('stale');
    expect(verdicts).toContain('jump');
    expect(verdicts.indexOf('jump')).toBeGreaterThanOrEqual(50);
  });
});

describe('SilenceWatch', () => {
  it('leaves a stall of the console out of the silence, and counts a real silence in full', () => {
    const w = new SilenceWatch(20, 100);
    w.reset(0);
    for (let t = 20; t <= 200; t += 20) w.check(t);
    w.heard(200);
    // The loop is blocked from 200 to 1000 ms: the first check after it is 800 ms late.
    const afterStall = w.check(1000);
    expect(afterStall.wallMs).toBe(800);
    expect(afterStall.silentMs).toBeLessThan(100);
    // Nothing arrives for 500 more ms while the loop runs on time: that silence counts.
    let s = afterStall;
    for (let t = 1020; t <= 1500; t += 20) s = w.check(t);
    expect(s.silentMs).toBeGreaterThanOrEqual(500);
    // Timer jitter (checks 40–60 ms apart) is not a stall.
    for (let t = 1520; t <= 2000; t += 20) w.check(t);
    w.heard(2000);
    for (let t = 2050; t <= 2500; t += 50) s = w.check(t);
    expect(s.silentMs).toBe(500);
  });
});
