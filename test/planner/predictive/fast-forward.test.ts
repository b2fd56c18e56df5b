import { describe, expect, it } from 'vitest';
import { fastForward } from '../../../src/planner/predictive';
import type { FastForwardInput } from '../../../src/planner/predictive';

const base = (over: Partial<FastForwardInput> = {}): FastForwardInput => ({
  measured: { pose: { x: 0, y: 0, theta: 0 }, v: 0.5, w: 0, a: 0, alpha: 0 },
  receivedAt: 10.0,
  latency: { sensorAge: 0.05, planningTime: 0.03, commandTransit: 0.02 },
  now: 10.0,
  commands: [{ sentAt: 9.0, v: 0.5, w: 0 }],
  ...over,
});

describe('fastForward', () => {
  it('moves a robot at constant speed by speed × total latency', () => {
    const r = fastForward(base());
    // measured at 9.95, plan acts at 10.05: 0.1 s at 0.5 m/s.
    expect(r.measuredAt).toBeCloseTo(9.95, 12);
    expect(r.time).toBeCloseTo(10.05, 12);
    expect(r.horizon).toBeCloseTo(0.1, 12);
    expect(r.state.pose.x).toBeCloseTo(0.05, 9);
    expect(r.state.pose.y).toBeCloseTo(0, 12);
    expect(r.state.v).toBe(0.5);
  });

  it('follows a constant arc exactly', () => {
    const v = 0.4;
    const w = 0.8;
    const r = fastForward(
      base({
        measured: { pose: { x: 1, y: 2, theta: 0.3 }, v, w, a: 0, alpha: 0 },
        latency: { sensorAge: 0.1, planningTime: 0.2, commandTransit: 0.1 },
        commands: [{ sentAt: 9.5, v, w }],
      }),
    );
    const T = 0.4;
    const R = v / w;
    expect(r.state.pose.theta).toBeCloseTo(0.3 + w * T, 9);
    expect(r.state.pose.x).toBeCloseTo(1 + R * (Math.sin(0.3 + w * T) - Math.sin(0.3)), 9);
    expect(r.state.pose.y).toBeCloseTo(2 - R * (Math.cos(0.3 + w * T) - Math.cos(0.3)), 9);
  });

  it('applies a command in flight from the moment it arrives (velocity steps)', () => {
    // Stop sent at 9.99, arrives at 10.01; the robot moves at 0.5 m/s from 9.95 to 10.01.
    const r = fastForward(base({ commands: [{ sentAt: 9.0, v: 0.5, w: 0 }, { sentAt: 9.99, v: 0, w: 0 }] }));
    expect(r.commandsApplied).toBe(1);
    expect(r.state.v).toBe(0);
    expect(r.state.pose.x).toBeCloseTo(0.5 * 0.06, 9);
  });

  it('brakes with jerk-limited tracking when the base limits are given', () => {
    const tracking = { aMax: 1, alphaMax: 2, jerkMax: 100, yawJerkMax: 100 };
    const r = fastForward(
      base({
        latency: { sensorAge: 0, planningTime: 0.6, commandTransit: 0 },
        commands: [{ sentAt: 10.0, v: 0, w: 0 }],
        tracking,
      }),
    );
    // Nearly constant 1 m/s² braking from 0.5 m/s: stops after ≈ 0.51 s having covered ≈ 0.125 m.
    expect(r.state.v).toBeCloseTo(0, 2);
    expect(r.state.pose.x).toBeGreaterThan(0.12);
    expect(r.state.pose.x).toBeLessThan(0.13);
    expect(Math.abs(r.state.a)).toBeLessThanOrEqual(1 + 1e-9);
  });

  it('uses the command acting at measurement time, not later ones, before they arrive', () => {
    const r = fastForward(
      base({
        measured: { pose: { x: 0, y: 0, theta: 0 }, v: 0.2, w: 0, a: 0, alpha: 0 },
        commands: [
          { sentAt: 9.9, v: 0.2, w: 0 },
          { sentAt: 10.2, v: 1.0, w: 0 }, // after the plan takes effect: irrelevant
        ],
      }),
    );
    expect(r.commandsApplied).toBe(0);
    expect(r.state.pose.x).toBeCloseTo(0.02, 9);
  });

  it('does not move when the plan takes effect before the measurement (no negative time)', () => {
    const r = fastForward(base({ receivedAt: 11, latency: { sensorAge: 0, planningTime: 0, commandTransit: 0 } }));
    expect(r.horizon).toBe(0);
    expect(r.state.pose.x).toBe(0);
  });
});
