import { describe, expect, it } from 'vitest';
import { ReactiveSafety, scanToPoints } from '../../../src/planner/reactive';
import type { ReactiveInput, ScanPoints } from '../../../src/planner/reactive';

const footprint = { length: 0.5, width: 0.4, centerOffsetX: 0 };
const limits = { aMax: 1.0, alphaMax: 3.0 };

/** A wall across the path at x = wallX (base_link), points every 1 cm from y = −1 to 1. */
function wallAhead(wallX: number, stamp = 0): ScanPoints {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let y = -1; y <= 1.0001; y += 0.01) {
    xs.push(wallX);
    ys.push(y);
  }
  return { stamp, xs, ys };
}

function input(scan: ScanPoints, v: number, w = 0, now = scan.stamp + 0.02): ReactiveInput {
  return { scan, now, command: { v, w }, footprint, limits };
}

describe('ReactiveSafety', () => {
  it('stops on a stale scan, whatever the command', () => {
    const rs = new ReactiveSafety();
    const d = rs.check(input({ stamp: 0, xs: [], ys: [] }, 0.5, 0, 0.201));
    expect(d.action).toBe('stop');
    expect(d.reason).toBe('stale-scan');
    expect(d.command).toEqual({ v: 0, w: 0 });
    const fresh = rs.check(input({ stamp: 0, xs: [], ys: [] }, 0.5, 0, 0.199));
    expect(fresh.action).toBe('pass');
  });

  it('passes a command with nothing in the window, and ignores points outside it', () => {
    const rs = new ReactiveSafety();
    const d = rs.check(input(wallAhead(1.5), 0.8));
    expect(d.action).toBe('pass');
    expect(d.reason).toBe('clear');
    expect(d.pointsInWindow).toBe(0);
    expect(d.command).toEqual({ v: 0.8, w: 0 });
  });

  it('ignores obstacles behind when driving forward', () => {
    const rs = new ReactiveSafety();
    const d = rs.check(input(wallAhead(-0.4), 0.8));
    expect(d.action).toBe('pass');
  });

  it('stops when a point is inside the footprint, and says which', () => {
    const rs = new ReactiveSafety();
    const d = rs.check(input({ stamp: 0, xs: [0.1, 0.9], ys: [0.05, 0] }, 0.3));
    expect(d.action).toBe('stop');
    expect(d.reason).toBe('inside-footprint');
    expect(d.zone).toBe('footprint');
    expect(d.points).toEqual([{ x: 0.1, y: 0.05 }]);
  });

  it('reports the time to collision of a wall ahead', () => {
    const rs = new ReactiveSafety();
    // Front at 0.25, margin 0.03: contact after 0.9 − 0.28 = 0.62 m, at 0.5 m/s → 1.24 s.
    const d = rs.check(input(wallAhead(0.9), 0.5));
    expect(d.ttc).toBeCloseTo(1.24, 2);
    expect(d.points.length).toBeGreaterThan(0);
    for (const p of d.points) expect(p.x).toBeCloseTo(0.9, 6);
  });

  it('scales speed down continuously and monotonically as a wall gets closer, then stops', () => {
    const rs = new ReactiveSafety();
    let prev = Infinity;
    let stoppedAt = NaN;
    let lastMoving = NaN;
    for (let wallX = 1.0; wallX >= 0.27; wallX -= 0.002) {
      const d = rs.check(input(wallAhead(wallX), 0.8));
      const v = d.command.v;
      expect(v).toBeLessThanOrEqual(prev + 1e-9);
      if (d.action === 'stop') {
        if (Number.isNaN(stoppedAt)) stoppedAt = wallX;
        expect(d.reason).toBe('ttc');
        expect(v).toBe(0);
      } else {
        expect(Number.isNaN(stoppedAt)).toBe(true); // never resumes once stopped
        // No step: 2 mm closer changes the command by little.
        if (Number.isFinite(prev)) expect(prev - v).toBeLessThan(0.03);
        lastMoving = v;
      }
      prev = v;
    }
    expect(Number.isNaN(stoppedAt)).toBe(false);
    expect(stoppedAt).toBeGreaterThan(0.28); // stops before contact
    expect(lastMoving).toBeLessThan(0.05); // the final stop is a small step only
  });

  it('keeps the commanded arc when scaling (v and w scaled alike)', () => {
    const rs = new ReactiveSafety();
    const d = rs.check(input(wallAhead(0.75), 0.6, 0.3));
    expect(d.action).toBe('scale');
    expect(d.command.w / d.command.v).toBeCloseTo(0.5, 9);
  });

  it('stops a robot driving at a wall before it touches (closed loop at 50 Hz)', () => {
    const rs = new ReactiveSafety();
    const dt = 0.02;
    let x = 0; // robot position along x; the wall is at x = 0.95 in the world
    let v = 0.8;
    let stopped = false;
    for (let i = 0; i < 200; i++) {
      const d = rs.check(input(wallAhead(0.95 - x, i * dt), 0.8, 0, i * dt + 0.01));
      // The base follows the guarded command within its deceleration limit.
      const target = d.command.v;
      v = target < v ? Math.max(target, v - limits.aMax * dt) : Math.min(target, v + limits.aMax * dt);
      x += v * dt;
      expect(x + 0.25).toBeLessThan(0.95); // the front never reaches the wall
      if (d.action === 'stop') stopped = true;
    }
    expect(stopped).toBe(true);
    expect(v).toBe(0);
  });

  it('guards a spin in place next to a wall (the corners sweep into it)', () => {
    const rs = new ReactiveSafety();
    const xs: number[] = [];
    const ys: number[] = [];
    for (let x = -1; x <= 1; x += 0.01) {
      xs.push(x);
      ys.push(0.24); // wall 4 cm beside the left side; corners reach 0.32 from the centre
    }
    const d = rs.check({ ...input({ stamp: 0, xs, ys }, 0, 1.0), source: 'teleop' });
    expect(d.source).toBe('teleop');
    expect(d.action).toBe('stop');
    expect(d.ttc).toBeLessThan(0.25);
  });

  it('lets the robot drive away from an obstacle it is already close to', () => {
    const rs = new ReactiveSafety();
    // Point 1 cm off the back: inside the margin, but driving forward moves away from it.
    const d = rs.check(input({ stamp: 0, xs: [-0.26], ys: [0] }, 0.5));
    expect(d.action).toBe('pass');
  });

  it('refuses non-finite commands', () => {
    const rs = new ReactiveSafety();
    const d = rs.check(input(wallAhead(0.9), Number.NaN));
    expect(d.action).toBe('stop');
    expect(d.reason).toBe('invalid-input');
  });
});

describe('scanToPoints', () => {
  it('places beams in base_link and skips invalid ranges', () => {
    const r = scanToPoints([1, Number.POSITIVE_INFINITY, 2, 0], -Math.PI / 2, Math.PI / 2, 5, { x: 0.1, y: 0, yaw: 0 });
    expect(r.count).toBe(2);
    expect(r.stamp).toBe(5);
    expect(r.xs[0]).toBeCloseTo(0.1, 12);
    expect(r.ys[0]).toBeCloseTo(-1, 12);
    expect(r.xs[1]).toBeCloseTo(0.1, 12);
    expect(r.ys[1]).toBeCloseTo(2, 12);
  });
});
