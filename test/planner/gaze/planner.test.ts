import { describe, expect, it } from 'vitest';
import { GazePlanner, gazeLeadTimes, type GazeInput, type GazeOutput, type GazePerson, type GazeSample } from '../../../src/planner/gaze/index';
import { angleDiff, normalizeAngle } from '../../../src/shared/geometry';
import { LIMITS, leftTurnPath, poseOn, track, trajectoryFrom, type Path } from './helpers';

/**
 * Closed loop on a path: the planner runs at 10 Hz on the path's future, the screen follows
 * `panCommandAt` at 50 Hz exactly. Returns the 50 Hz log and every output.
 */
function drive(path: Path, seconds: number, people: (t: number) => GazePerson[] = () => [], planner = new GazePlanner()) {
  const log: (GazeSample & { rate: number })[] = [];
  const outputs: GazeOutput[] = [];
  let pan = 0;
  let rate = 0;
  for (let k = 0; k * 0.02 <= seconds + 1e-9; k++) {
    const t = k * 0.02;
    const pose = poseOn(path, t);
    if (k % 5 === 0) {
      const input: GazeInput = { now: t, robotPose: pose, pan: { angle: pan, rate }, trajectory: trajectoryFrom(path, t), people: people(t), limits: LIMITS };
      outputs.push(planner.update(input));
    }
    const c = planner.panCommandAt(t)!;
    pan = c.angle;
    rate = c.rate;
    log.push({ t, heading: pose.theta, pan, rate });
  }
  return { log, outputs };
}

describe('GazePlanner limits', () => {
  it('keeps pan angle, rate and acceleration within the limits, even for targets behind and jumping sides', () => {
    const planner = new GazePlanner();
    const straight = leftTurnPath(0.5, 1, 0);
    // A person who jumps around the robot, including behind it, every 0.7 s.
    const spots = [
      [2, 0.1],
      [-2, 0.3],
      [0.5, -2],
      [-1, -0.05],
      [0.3, 2],
    ];
    const people = (t: number): GazePerson[] => {
      const [x, y] = spots[Math.floor(t / 0.7) % spots.length];
      const p = poseOn(straight, t);
      return [{ track: track(1, p.x + x, p.y + y, 0, 0, t), risk: 1 }];
    };
    const tight = { ...LIMITS, panMin: -1.5, panMax: 1.5 };
    const log: { t: number; angle: number; rate: number }[] = [];
    for (let k = 0; k <= 500; k++) {
      const t = k * 0.02;
      const prev = log[log.length - 1];
      if (k % 5 === 0) {
        planner.update({ now: t, robotPose: poseOn(straight, t), pan: { angle: prev?.angle ?? 0, rate: prev?.rate ?? 0 }, trajectory: trajectoryFrom(straight, t), people: people(t), limits: tight });
      }
      const c = planner.panCommandAt(t)!;
      log.push({ t, angle: c.angle, rate: c.rate });
    }
    let moved = 0;
    for (let i = 1; i < log.length; i++) {
      const a = log[i];
      const b = log[i - 1];
      expect(a.angle).toBeLessThanOrEqual(tight.panMax + 1e-9);
      expect(a.angle).toBeGreaterThanOrEqual(tight.panMin - 1e-9);
      expect(Math.abs(a.angle - b.angle) / 0.02).toBeLessThanOrEqual(tight.panMaxRate + 1e-6);
      expect(Math.abs(a.rate)).toBeLessThanOrEqual(tight.panMaxRate + 1e-6);
      expect(Math.abs(a.rate - b.rate) / 0.02).toBeLessThanOrEqual(tight.panMaxAccel + 1e-6);
      moved += Math.abs(a.angle - b.angle);
    }
    expect(moved).toBeGreaterThan(3); // it did swing about
  });
});

describe('GazePlanner look-ahead', () => {
  it('looks at a point on the trajectory about 1 s ahead when driving at 2 m/s', () => {
    const path = leftTurnPath(2, 1, 0);
    const planner = new GazePlanner();
    const out = planner.update({ now: 2, robotPose: poseOn(path, 2), pan: { angle: 0, rate: 0 }, trajectory: trajectoryFrom(path, 2), people: [], limits: LIMITS });
    expect(out.reason.kind).toBe('lookahead');
    const ahead = poseOn(path, 3);
    expect(Math.hypot(out.gazeTarget.x - ahead.x, out.gazeTarget.y - ahead.y)).toBeLessThan(0.1);
    if (out.reason.kind === 'lookahead') expect(out.reason.time).toBeCloseTo(3, 1);
  });

  it('at walking pace looks farther along the trajectory, at least 2 m away, still on it', () => {
    // 0.7 m/s: 2 m is 2.9 s ahead, within the 3 s trajectory (slower, it lies past its end).
    const path = leftTurnPath(0.7, 1.2, Math.PI / 2);
    const planner = new GazePlanner();
    const now = 2.5;
    const out = planner.update({ now, robotPose: poseOn(path, now), pan: { angle: 0, rate: 0 }, trajectory: trajectoryFrom(path, now), people: [], limits: LIMITS });
    const here = poseOn(path, now);
    expect(Math.hypot(out.gazeTarget.x - here.x, out.gazeTarget.y - here.y)).toBeGreaterThanOrEqual(2 - 1e-6);
    // On the path: some path sample lies within 5 cm of it.
    let nearest = Infinity;
    for (let i = 0; i < path.xs.length; i++) nearest = Math.min(nearest, Math.hypot(path.xs[i] - out.gazeTarget.x, path.ys[i] - out.gazeTarget.y));
    expect(nearest).toBeLessThan(0.05);
    // 2 m ahead reaches into the bend that starts at 4 s: the target pan is already left.
    expect(out.targetPan).toBeGreaterThan(0.1);
  });

  it('looks straight ahead without a plan', () => {
    const planner = new GazePlanner();
    const out = planner.update({ now: 0, robotPose: { x: 1, y: 2, theta: 1 }, pan: { angle: 0.5, rate: 0 }, trajectory: null, people: [], limits: LIMITS });
    expect(out.reason.kind).toBe('straight-ahead');
    expect(out.targetPan).toBeCloseTo(0, 9);
  });

  it('turns the screen at least 0.5 s before the body in a planned 90° left turn', () => {
    const path = leftTurnPath(0.5, 1.2, Math.PI / 2);
    const { log } = drive(path, 10);
    const leads = gazeLeadTimes(log);
    expect(leads).toHaveLength(1);
    expect(leads[0].turn).toBeCloseTo(Math.PI / 2, 1);
    expect(leads[0].leadTime).not.toBeNull();
    expect(leads[0].leadTime!).toBeGreaterThanOrEqual(0.5);
    // And it ends looking where the robot goes (straight ahead on the new heading).
    expect(Math.abs(log[log.length - 1].pan)).toBeLessThan(0.05);
  });

  it('with a look-ahead of only 1 s and no distance floor the lead is shorter (why the floor exists)', () => {
    const path = leftTurnPath(0.8, 1.5, Math.PI / 2);
    const floor = gazeLeadTimes(drive(path, 10).log)[0].leadTime!;
    const bare = gazeLeadTimes(drive(path, 10, () => [], new GazePlanner({ minLookaheadDistance: 0 })).log)[0].leadTime ?? -Infinity;
    expect(floor).toBeGreaterThanOrEqual(0.5);
    expect(bare).toBeLessThan(floor - 0.3);
  });
});

describe('GazePlanner attention', () => {
  it('attends to a high-risk person, holds with hysteresis through a dip, and returns to the trajectory', () => {
    const path = leftTurnPath(0.3, 1, 0, 100, 20);
    // Person standing 2 m ahead, 1.5 m to the left; risk rises, dips briefly to a middling
    // value (above release, below attend), then falls away.
    const risk = (t: number) => (t < 1 ? 0 : t < 3 ? 0.8 : t < 3.5 ? 0.35 : t < 5 ? 0.8 : 0);
    const people = (t: number): GazePerson[] => [{ track: track(7, 2.5, 1.5, 0, 0, t), risk: risk(t) }];
    const { outputs } = drive(path, 7, people);
    const at = (t: number) => outputs[Math.round(t / 0.1)];
    expect(at(0.5).reason.kind).toBe('lookahead');
    expect(at(1.2).reason).toMatchObject({ kind: 'person', personId: 7 });
    expect(at(3.2).reason).toMatchObject({ kind: 'person', personId: 7 }); // hysteresis: 0.35 keeps it
    expect(at(4.5).reason).toMatchObject({ kind: 'person', personId: 7 });
    expect(at(5.5).reason.kind).toBe('lookahead');
    // While attending, the target points at the person.
    const o = at(2);
    const pose = poseOn(path, 2);
    const bearing = Math.atan2(1.5 - pose.y, 2.5 - pose.x);
    expect(Math.abs(angleDiff(normalizeAngle(pose.theta + o.targetPan), bearing))).toBeLessThan(1e-6);
    // Switching on and off only once each: no flicker.
    const kinds = outputs.map((x) => x.reason.kind);
    const switches = kinds.filter((k, i) => i > 0 && k !== kinds[i - 1]).length;
    expect(switches).toBe(2);
  });

  it('prefers the riskier of two people, but only switches for a clear margin after the dwell', () => {
    const path = leftTurnPath(0.3, 1, 0, 100, 20);
    const people = (t: number): GazePerson[] => [
      { track: track(1, 2, 1.5, 0, 0, t), risk: 0.6 },
      // Person 2 edges above person 1 (not by the margin), then clearly above.
      { track: track(2, 2, -1.5, 0, 0, t), risk: t < 2 ? 0.0 : t < 4 ? 0.7 : 1.0 },
    ];
    const { outputs } = drive(path, 6, people);
    const at = (t: number) => outputs[Math.round(t / 0.1)].reason;
    expect(at(1)).toMatchObject({ kind: 'person', personId: 1 });
    expect(at(3)).toMatchObject({ kind: 'person', personId: 1 }); // 0.7 vs 0.6: within the margin
    expect(at(5)).toMatchObject({ kind: 'person', personId: 2 }); // 1.0 vs 0.6: switch
  });

  it('announces a large turn ahead instead of watching the person it yields to', () => {
    // A 90° left turn begins at 4 s; a high-risk person stands ahead to the right.
    const path = leftTurnPath(0.5, 1.2, Math.PI / 2);
    const people = (t: number): GazePerson[] => [{ track: track(5, 3, -1.5, 0, 0, t), risk: 0.9 }];
    const { outputs, log } = drive(path, 10, people);
    const at = (t: number) => outputs[Math.round(t / 0.1)]!;
    expect(at(1).reason).toMatchObject({ kind: 'person', personId: 5 }); // turn still beyond the horizon
    expect(at(3.5).reason.kind).toBe('lookahead'); // the turn is within 3 s: show it
    const leads = gazeLeadTimes(log);
    expect(leads).toHaveLength(1);
    expect(leads[0]!.leadTime!).toBeGreaterThanOrEqual(0.5);
    // Without the precedence the screen stays on the person and never leads the turn.
    const watching = drive(path, 10, people, new GazePlanner({ announceTurn: Infinity }));
    expect(gazeLeadTimes(watching.log)[0]!.leadTime ?? -Infinity).toBeLessThan(0.5);
  });

  it('attends to someone the trajectory is about to pass close by, even at low risk', () => {
    const path = leftTurnPath(0.8, 1, 0, 100, 20);
    // Standing 0.5 m beside the path, 1.2 m ahead (1.5 s away): passing cue, no risk.
    const people = (): GazePerson[] => [{ track: track(3, 0.8 + 1.2, 0.5, 0, 0, 0), risk: 0 }];
    const planner = new GazePlanner();
    const out = planner.update({ now: 1, robotPose: poseOn(path, 1), pan: { angle: 0, rate: 0 }, trajectory: trajectoryFrom(path, 1), people: people(), limits: LIMITS });
    expect(out.reason).toMatchObject({ kind: 'person', personId: 3 });
    // Far from the path (3 m aside), the same person is not attended.
    const far = new GazePlanner().update({
      now: 1,
      robotPose: poseOn(path, 1),
      pan: { angle: 0, rate: 0 },
      trajectory: trajectoryFrom(path, 1),
      people: [{ track: track(3, 2.4, 3, 0, 0, 0), risk: 0 }],
      limits: LIMITS,
    });
    expect(far.reason.kind).toBe('lookahead');
  });
});
