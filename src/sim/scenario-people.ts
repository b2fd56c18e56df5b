/**
 * Scripted people for scenarios: the classic encounters a home robot must handle, as
 * ScriptedPersonSpec lists. A scenario file can carry a `ScenarioPersonDescription` per
 * encounter (plain JSON) and turn it into people with `scenarioPeople`.
 *
 * Geometry is given relative to a reference pose (usually the robot's start pose in the
 * `map` frame): `ahead` is along its heading, `left` to its left, metres; times are sim
 * seconds; speeds m/s.
 */
import type { Pose2D, Vec2 } from '../shared/geometry';
import type { ScriptedPersonSpec } from './people';

/** A point `ahead` m along the pose's heading and `left` m to its left, map frame. */
export function relativePoint(ref: Pose2D, ahead: number, left: number): Vec2 {
  const c = Math.cos(ref.theta);
  const s = Math.sin(ref.theta);
  return { x: ref.x + c * ahead - s * left, y: ref.y + s * ahead + c * left };
}

export type ScenarioPersonDescription =
  /** Walks across the path `ahead` m in front, from `halfWidth` m on one side to the other. */
  | { kind: 'crossing'; ahead: number; halfWidth?: number; fromLeft?: boolean; speed?: number; startTime?: number; reactive?: boolean }
  /** Starts `ahead` m in front (offset `left`), walks toward and past the robot for `length` m. */
  | { kind: 'oncoming'; ahead: number; left?: number; length?: number; speed?: number; startTime?: number; reactive?: boolean }
  /** Starts `behind` m behind (offset `left`), walks the same way faster and passes. */
  | { kind: 'overtaking'; behind: number; left?: number; length?: number; speed?: number; startTime?: number; reactive?: boolean }
  /** `count` people standing in a doorway at `center` (map frame), spread along `across` (rad). */
  | { kind: 'doorway-group'; center: Vec2; across: number; count?: number; spacing?: number }
  /** Someone hidden in a room walks out through a door into the corridor at `startTime` (map-frame points). */
  | { kind: 'stepping-out'; inside: Vec2; door: Vec2; outside: Vec2; speed?: number; startTime?: number; reactive?: boolean }
  /** Anything else: a raw scripted person. */
  | ({ kind: 'scripted' } & ScriptedPersonSpec);

/** Turns encounter descriptions into scripted people, relative to `ref` (the robot's start pose). */
export function scenarioPeople(ref: Pose2D, descriptions: readonly ScenarioPersonDescription[]): ScriptedPersonSpec[] {
  return descriptions.flatMap((d) => describe(ref, d));
}

function describe(ref: Pose2D, d: ScenarioPersonDescription): ScriptedPersonSpec[] {
  switch (d.kind) {
    case 'crossing': {
      const half = d.halfWidth ?? 3;
      const side = d.fromLeft === false ? -1 : 1;
      return [{
        waypoints: [relativePoint(ref, d.ahead, side * half), relativePoint(ref, d.ahead, -side * half)],
        speed: d.speed ?? 1.2,
        startTime: d.startTime ?? 0,
        atEnd: 'vanish',
        reactive: d.reactive,
      }];
    }
    case 'oncoming': {
      const left = d.left ?? 0;
      const length = d.length ?? d.ahead + 3;
      return [{
        waypoints: [relativePoint(ref, d.ahead, left), relativePoint(ref, d.ahead - length, left)],
        speed: d.speed ?? 1.1,
        startTime: d.startTime ?? 0,
        atEnd: 'vanish',
        reactive: d.reactive ?? true,
      }];
    }
    case 'overtaking': {
      const left = d.left ?? 0.6;
      const length = d.length ?? d.behind + 6;
      return [{
        waypoints: [relativePoint(ref, -d.behind, left), relativePoint(ref, -d.behind + length, left)],
        speed: d.speed ?? 1.4,
        startTime: d.startTime ?? 0,
        atEnd: 'vanish',
        reactive: d.reactive ?? true,
      }];
    }
    case 'doorway-group': {
      const count = d.count ?? 3;
      const spacing = d.spacing ?? 0.55;
      const ux = Math.cos(d.across);
      const uy = Math.sin(d.across);
      const people: ScriptedPersonSpec[] = [];
      for (let k = 0; k < count; k++) {
        const offset = (k - (count - 1) / 2) * spacing;
        const at = { x: d.center.x + ux * offset, y: d.center.y + uy * offset };
        // Facing each other, as a group chatting does.
        const facing = Math.atan2(d.center.y - at.y, d.center.x - at.x) || d.across + Math.PI / 2;
        people.push({ waypoints: [at], speed: 0, facing, atEnd: 'stay' });
      }
      return people;
    }
    case 'stepping-out':
      return [{
        waypoints: [d.inside, d.door, d.outside],
        speed: d.speed ?? 1.0,
        startTime: d.startTime ?? 0,
        atEnd: 'stay',
        reactive: d.reactive,
      }];
    case 'scripted': {
      const { kind: _kind, ...spec } = d;
      return [spec];
    }
  }
}
