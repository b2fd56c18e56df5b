/**
 * Simulated people: a crowd that walks between places (rooms) and scripted people driven
 * by a scenario. Reactive people steer with the social force model (Helbing & Molnár
 * 1995, with Moussaïd-style anisotropy and a short anticipation of relative motion, and
 * a keep-right bias that breaks head-on deadlocks); non-reactive scripted people follow
 * their polyline exactly at their speed, so scenario timing is exact.
 * Map frame, metres, seconds.
 */
import type { Vec2 } from '../shared/geometry';
import { normalizeAngle } from '../shared/geometry';
import type { PeopleNav } from './people-nav';
import type { SimRandom } from './random';
import { closestPointOnBox, type CircleShape, type EllipseShape, type OrientedBox } from './shapes';
import type { World } from './world';

/** A person a scenario places and moves along given waypoints. */
export interface ScriptedPersonSpec {
  /** Ground-truth id; assigned when omitted. */
  id?: number;
  /** Path in the map frame, metres. The person appears at the first point at `startTime`. */
  waypoints: Vec2[];
  /** Walking speed, m/s (realistic: 0.8–1.4). 0 for someone who just stands. */
  speed: number;
  /** Sim time the person appears, seconds (default 0). */
  startTime?: number;
  /** Seconds to stand at each intermediate waypoint (default 0). */
  dwell?: number;
  /** After the last waypoint: stand there (default), vanish, loop to the first, or walk back. */
  atEnd?: 'stay' | 'vanish' | 'loop' | 'reverse';
  /**
   * Steer around the robot, walls and others with the social force model (true), or follow
   * the path exactly, oblivious (false, default: exact timing for scenario design).
   */
  reactive?: boolean;
  /** Facing when standing before the first move, radians, map frame. */
  facing?: number;
}

/** People who wander between places (rooms) on their own. */
export interface CrowdConfig {
  count: number;
  /** Places people walk between (map frame). Default: spread-out free points of the map. */
  places?: Vec2[];
  /** Preferred walking speed range, m/s (default [0.8, 1.4]). */
  speedRange?: [number, number];
  /** Time spent at each reached place, seconds (default [1, 6]). */
  dwellRange?: [number, number];
  /** People start at least this far from the robot's start, metres (default 1.5). */
  minStartDistanceFromRobot?: number;
}

/** Ground truth of one person. */
export interface PersonTruth {
  id: number;
  kind: 'crowd' | 'scripted';
  /** Body centre, map frame, metres. */
  x: number;
  y: number;
  /** Velocity, map frame, m/s. */
  vx: number;
  vy: number;
  /** Facing, radians, map frame. */
  heading: number;
  /** Body radius used for contact with the robot, metres. */
  radius: number;
  /** Leg centres (map frame) as the lidar sees them. */
  legs: [Vec2, Vec2];
}

/** The robot as people perceive it: its footprint and velocity. */
export interface RobotForPeople {
  footprint: OrientedBox;
  vx: number;
  vy: number;
}

/** Body radius for contact, metres. */
export const PERSON_RADIUS = 0.22;
/** Lidar cross-section of one leg at shin height, metres. */
export const LEG_RADIUS = 0.06;
const LEG_HALF_SPACING = 0.09;
const STRIDE_LENGTH = 1.3; // m per full gait cycle (two steps)
const SWING_AMPLITUDE = 0.2; // m, fore–aft leg offset at full walking speed
const TORSO_HALF_DEPTH = 0.13;
const TORSO_HALF_WIDTH = 0.23;

// Social force parameters (m/s², m). Agents: Helbing-style exponential repulsion.
const RELAXATION_TIME = 0.5;
const AGENT_STRENGTH = 2.2;
const AGENT_RANGE = 0.32;
const ANISOTROPY = 0.35;
const WALL_STRENGTH = 3.0;
const WALL_RANGE = 0.12;
const ROBOT_STRENGTH = 3.5;
const ROBOT_RANGE = 0.4;
/** People keep this much extra space from a robot, metres. */
const ROBOT_MARGIN = 0.2;
const ANTICIPATION_HORIZON = 1.2; // s

interface Person {
  id: number;
  kind: 'crowd' | 'scripted';
  present: boolean;
  reactive: boolean;
  x: number;
  y: number;
  vx: number;
  vy: number;
  heading: number;
  preferredSpeed: number;
  gaitPhase: number;
  /** Remaining route; the person heads for waypoints[index]. */
  waypoints: Vec2[];
  index: number;
  dwellUntil: number;
  /** Crowd: index of the place being walked to. */
  placeIndex: number;
  spec: ScriptedPersonSpec | null;
  /** Stuck detection: when and how far from the waypoint the last check was. */
  checkTime: number;
  checkDistance: number;
  replans: number;
}

export class People {
  private readonly people: Person[] = [];
  private nextId = 1;
  private readonly places: Vec2[];
  private readonly speedRange: [number, number];
  private readonly dwellRange: [number, number];

  constructor(
    private readonly world: World,
    private readonly nav: PeopleNav,
    private readonly rng: SimRandom,
    crowd: CrowdConfig | undefined,
    scripted: ScriptedPersonSpec[],
    robotStart: Vec2,
  ) {
    this.speedRange = crowd?.speedRange ?? [0.8, 1.4];
    this.dwellRange = crowd?.dwellRange ?? [1, 6];
    this.places = crowd && crowd.count > 0 ? (crowd.places?.filter((p) => nav.isWalkable(p.x, p.y)) ?? this.samplePlaces(14)) : [];
    for (const spec of scripted) this.add(spec);
    if (crowd && crowd.count > 0 && this.places.length >= 2) this.spawnCrowd(crowd.count, robotStart, crowd.minStartDistanceFromRobot ?? 1.5);
  }

  /** Adds a scripted person at sim time `now`; returns its id. It appears at `spec.startTime`. */
  add(spec: ScriptedPersonSpec, now = 0): number {
    if (spec.waypoints.length === 0) throw new RangeError('a scripted person needs at least one waypoint');
    const id = spec.id ?? this.nextId;
    if (this.people.some((p) => p.id === id)) throw new RangeError(`person id ${id} is taken`);
    this.nextId = Math.max(this.nextId, id + 1);
    const first = spec.waypoints[0]!;
    const second = spec.waypoints[1];
    const heading = spec.facing ?? (second ? Math.atan2(second.y - first.y, second.x - first.x) : 0);
    const moving = second !== undefined && spec.speed > 0;
    this.people.push({
      id,
      kind: 'scripted',
      present: (spec.startTime ?? 0) <= now,
      reactive: spec.reactive ?? false,
      x: first.x,
      y: first.y,
      // Scripted people enter already walking, so their timing is what the script says.
      vx: moving ? spec.speed * Math.cos(heading) : 0,
      vy: moving ? spec.speed * Math.sin(heading) : 0,
      heading,
      preferredSpeed: spec.speed,
      gaitPhase: 0,
      waypoints: spec.waypoints.map((p) => ({ x: p.x, y: p.y })),
      index: Math.min(1, spec.waypoints.length - 1),
      dwellUntil: -Infinity,
      placeIndex: -1,
      spec,
      checkTime: spec.startTime ?? 0,
      checkDistance: Infinity,
      replans: 0,
    });
    return id;
  }

  /** True when a person with this id exists and is present. */
  has(id: number): boolean {
    return this.people.some((p) => p.id === id && p.present);
  }

  remove(id: number): boolean {
    const i = this.people.findIndex((p) => p.id === id);
    if (i < 0) return false;
    this.people.splice(i, 1);
    return true;
  }

  /** Advances everyone by dt seconds, ending at sim time t + dt. */
  step(t: number, dt: number, robot: RobotForPeople): void {
    for (const p of this.people) {
      if (!p.present && p.spec && (p.spec.startTime ?? 0) <= t && p.index >= 0) p.present = true;
    }
    // Forces first from a consistent snapshot, then integrate: the order of people does not matter.
    const accel: Array<[number, number]> = [];
    for (const p of this.people) accel.push(p.present && p.reactive ? this.socialForce(p, t, robot) : [0, 0]);
    for (let i = 0; i < this.people.length; i++) {
      const p = this.people[i]!;
      if (!p.present) continue;
      if (p.reactive) this.integrateReactive(p, accel[i]!, t, dt);
      else this.integrateScripted(p, t, dt);
      const speed = Math.hypot(p.vx, p.vy);
      if (speed > 0.15) {
        const want = Math.atan2(p.vy, p.vx);
        const turn = normalizeAngle(want - p.heading);
        const maxTurn = 5 * dt;
        p.heading = normalizeAngle(p.heading + Math.max(-maxTurn, Math.min(maxTurn, turn)));
      }
      p.gaitPhase = (p.gaitPhase + (2 * Math.PI * speed * dt) / STRIDE_LENGTH) % (2 * Math.PI);
    }
    for (let i = this.people.length - 1; i >= 0; i--) if (this.people[i]!.index < 0) this.people.splice(i, 1);
  }

  /** Ground truth of everyone present, ordered by id. */
  truth(): PersonTruth[] {
    return this.people
      .filter((p) => p.present)
      .map((p) => ({
        id: p.id,
        kind: p.kind,
        x: p.x,
        y: p.y,
        vx: p.vx,
        vy: p.vy,
        heading: p.heading,
        radius: PERSON_RADIUS,
        legs: legCentres(p),
      }))
      .sort((a, b) => a.id - b.id);
  }

  /** Shapes the lidar sees: two leg circles per person, or one torso ellipse. */
  scanShapes(model: 'legs' | 'body'): { circles: CircleShape[]; ellipses: EllipseShape[] } {
    const circles: CircleShape[] = [];
    const ellipses: EllipseShape[] = [];
    for (const p of this.people) {
      if (!p.present) continue;
      if (model === 'legs') {
        for (const leg of legCentres(p)) circles.push({ x: leg.x, y: leg.y, radius: LEG_RADIUS });
      } else {
        ellipses.push({ x: p.x, y: p.y, yaw: p.heading, semiMajorAlong: TORSO_HALF_DEPTH, semiAcross: TORSO_HALF_WIDTH });
      }
    }
    return { circles, ellipses };
  }

  /** The places the crowd walks between. */
  crowdPlaces(): readonly Vec2[] {
    return this.places;
  }

  // --- crowd -------------------------------------------------------------------------

  private samplePlaces(count: number): Vec2[] {
    const g = this.world.grid;
    const places: Vec2[] = [];
    for (let attempt = 0; attempt < 4000 && places.length < count; attempt++) {
      const x = g.origin.x + this.rng.uniform(0, g.width * g.resolution);
      const y = g.origin.y + this.rng.uniform(0, g.height * g.resolution);
      if (!this.nav.isWalkable(x, y) || this.world.cellDistanceAt(x, y) < 0.6) continue;
      if (places.some((q) => Math.hypot(q.x - x, q.y - y) < 2.0)) continue;
      places.push({ x, y });
    }
    return places;
  }

  private spawnCrowd(count: number, robotStart: Vec2, minFromRobot: number): void {
    for (let k = 0; k < count; k++) {
      let placed = false;
      for (let attempt = 0; attempt < 200 && !placed; attempt++) {
        const placeIndex = this.rng.int(this.places.length);
        const base = this.places[placeIndex]!;
        const x = base.x + this.rng.uniform(-0.6, 0.6);
        const y = base.y + this.rng.uniform(-0.6, 0.6);
        if (!this.nav.isWalkable(x, y)) continue;
        if (Math.hypot(x - robotStart.x, y - robotStart.y) < minFromRobot) continue;
        if (this.people.some((q) => Math.hypot(q.x - x, q.y - y) < 0.8)) continue;
        const id = this.nextId++;
        const person: Person = {
          id,
          kind: 'crowd',
          present: true,
          reactive: true,
          x,
          y,
          vx: 0,
          vy: 0,
          heading: this.rng.uniform(-Math.PI, Math.PI),
          preferredSpeed: this.rng.uniform(this.speedRange[0], this.speedRange[1]),
          gaitPhase: this.rng.uniform(0, 2 * Math.PI),
          waypoints: [],
          index: 0,
          // Stagger departures so the crowd does not move in lockstep.
          dwellUntil: this.rng.uniform(0, 3),
          placeIndex,
          spec: null,
          checkTime: 0,
          checkDistance: Infinity,
          replans: 0,
        };
        this.people.push(person);
        placed = true;
      }
    }
  }

  /** Picks the next place for a crowd person and routes there; stands still when none is reachable. */
  private chooseGoal(p: Person, t: number): void {
    for (let attempt = 0; attempt < 6; attempt++) {
      let next = this.rng.int(this.places.length - 1);
      if (next >= p.placeIndex && p.placeIndex >= 0) next++;
      const goal = this.places[next]!;
      const route = this.nav.route({ x: p.x, y: p.y }, goal);
      if (route && route.length > 0) {
        p.placeIndex = next;
        p.waypoints = route;
        p.index = 0;
        p.preferredSpeed = this.rng.uniform(this.speedRange[0], this.speedRange[1]);
        p.checkTime = t;
        p.checkDistance = Infinity;
        p.replans = 0;
        return;
      }
    }
    p.waypoints = [];
    p.dwellUntil = t + 2;
  }

  // --- motion ------------------------------------------------------------------------

  /** Desired velocity toward the current waypoint (zero while dwelling or done). */
  private desiredVelocity(p: Person, t: number): [number, number] {
    if (t < p.dwellUntil || p.waypoints.length === 0 || p.index >= p.waypoints.length) return [0, 0];
    const target = p.waypoints[p.index]!;
    const dx = target.x - p.x;
    const dy = target.y - p.y;
    const d = Math.hypot(dx, dy);
    if (d < 1e-6) return [0, 0];
    const last = p.index === p.waypoints.length - 1;
    // Slow into the final point instead of orbiting it.
    const speed = last ? p.preferredSpeed * Math.min(1, d / 0.6) : p.preferredSpeed;
    return [(speed * dx) / d, (speed * dy) / d];
  }

  private socialForce(p: Person, t: number, robot: RobotForPeople): [number, number] {
    const [dvx, dvy] = this.desiredVelocity(p, t);
    let fx = (dvx - p.vx) / RELAXATION_TIME;
    let fy = (dvy - p.vy) / RELAXATION_TIME;
    // Facing for anisotropy: where the person wants to go, else where they look.
    const dn = Math.hypot(dvx, dvy);
    const ex = dn > 1e-6 ? dvx / dn : Math.cos(p.heading);
    const ey = dn > 1e-6 ? dvy / dn : Math.sin(p.heading);

    for (const q of this.people) {
      if (q === p || !q.present) continue;
      let rx = p.x - q.x;
      let ry = p.y - q.y;
      if (rx * rx + ry * ry > 16) continue;
      const rvx = p.vx - q.vx;
      const rvy = p.vy - q.vy;
      const rv2 = rvx * rvx + rvy * rvy;
      const tca = rv2 > 1e-6 ? Math.max(0, Math.min(ANTICIPATION_HORIZON, -(rx * rvx + ry * rvy) / rv2)) : 0;
      // Anticipation: repel from where the pair will be closest, weighted toward now.
      rx += 0.5 * rvx * tca;
      ry += 0.5 * rvy * tca;
      const d = Math.max(1e-3, Math.hypot(rx, ry));
      const nx = rx / d;
      const ny = ry / d;
      const cosPhi = -(ex * nx + ey * ny);
      const weight = ANISOTROPY + ((1 - ANISOTROPY) * (1 + cosPhi)) / 2;
      const mag = AGENT_STRENGTH * Math.exp((2 * PERSON_RADIUS - d) / AGENT_RANGE) * weight;
      fx += mag * nx;
      fy += mag * ny;
      // Someone oncoming or standing in front: step aside rather than push head-on.
      if (cosPhi > 0.6 && (p.vx * q.vx + p.vy * q.vy < 0 || Math.hypot(q.vx, q.vy) < 0.2)) {
        const [sx, sy] = this.sidestep(p, ex, ey, q.x, q.y, PERSON_RADIUS, t);
        fx += 0.6 * mag * sx;
        fy += 0.6 * mag * sy;
      }
    }

    {
      const cp = closestPointOnBox(p.x, p.y, robot.footprint);
      let rx = p.x - cp.x;
      let ry = p.y - cp.y;
      const rvx = p.vx - robot.vx;
      const rvy = p.vy - robot.vy;
      const rv2 = rvx * rvx + rvy * rvy;
      const tca = rv2 > 1e-6 ? Math.max(0, Math.min(ANTICIPATION_HORIZON, -(rx * rvx + ry * rvy) / rv2)) : 0;
      rx += 0.5 * rvx * tca;
      ry += 0.5 * rvy * tca;
      const d = Math.hypot(rx, ry);
      if (d < 4) {
        const nx = d > 1e-6 ? rx / d : p.x - robot.footprint.x;
        const ny = d > 1e-6 ? ry / d : p.y - robot.footprint.y;
        const mag = ROBOT_STRENGTH * Math.exp((PERSON_RADIUS + ROBOT_MARGIN - d) / ROBOT_RANGE);
        fx += mag * nx;
        fy += mag * ny;
        const cosPhi = -(ex * nx + ey * ny);
        if (cosPhi > 0.6) {
          const fp = robot.footprint;
          const [sx, sy] = this.sidestep(p, ex, ey, fp.x, fp.y, Math.max(fp.length, fp.width) / 2, t);
          fx += 0.8 * mag * sx;
          fy += 0.8 * mag * sy;
        }
      }
    }

    const wall = this.world.proximity(p.x, p.y, t);
    if (wall.distance < 1.0) {
      const mag = WALL_STRENGTH * Math.exp((PERSON_RADIUS - wall.distance) / WALL_RANGE);
      fx += mag * wall.awayX;
      fy += mag * wall.awayY;
    }
    return [fx, fy];
  }

  /**
   * Unit direction to step aside from an obstacle ahead (centre (ox, oy), half width
   * `half`). Keep to the side the person is already clearly on; otherwise take the side
   * with the wider gap between the obstacle and the walls, and on a tie the right, as
   * pedestrians conventionally do.
   */
  private sidestep(p: Person, ex: number, ey: number, ox: number, oy: number, half: number, t: number): [number, number] {
    const leftX = -ey;
    const leftY = ex;
    const lateral = (p.x - ox) * leftX + (p.y - oy) * leftY;
    if (Math.abs(lateral) > 0.25) return lateral > 0 ? [leftX, leftY] : [-leftX, -leftY];
    const probe = half + PERSON_RADIUS + 0.1;
    const roomLeft = this.world.proximity(ox + probe * leftX, oy + probe * leftY, t).distance;
    const roomRight = this.world.proximity(ox - probe * leftX, oy - probe * leftY, t).distance;
    return roomLeft > roomRight + 0.05 ? [leftX, leftY] : [-leftX, -leftY];
  }

  private integrateReactive(p: Person, [ax, ay]: [number, number], t: number, dt: number): void {
    p.vx += ax * dt;
    p.vy += ay * dt;
    const cap = Math.min(1.8, Math.max(0.3, 1.3 * p.preferredSpeed));
    const speed = Math.hypot(p.vx, p.vy);
    if (speed > cap) {
      p.vx *= cap / speed;
      p.vy *= cap / speed;
    }
    let nx = p.x + p.vx * dt;
    let ny = p.y + p.vy * dt;
    // Walls are hard: never let a body centre get closer than half a body to one.
    const wall = this.world.proximity(nx, ny, t);
    if (wall.distance < PERSON_RADIUS * 0.5) {
      const into = p.vx * -wall.awayX + p.vy * -wall.awayY;
      if (into > 0) {
        p.vx += into * wall.awayX;
        p.vy += into * wall.awayY;
      }
      nx = p.x + p.vx * dt;
      ny = p.y + p.vy * dt;
      if (this.world.proximity(nx, ny, t).distance < PERSON_RADIUS * 0.5) {
        nx = p.x;
        ny = p.y;
      }
    }
    p.x = nx;
    p.y = ny;
    this.advanceRoute(p, t + dt);
  }

  /** Exact polyline following at the scripted speed. */
  private integrateScripted(p: Person, t: number, dt: number): void {
    if (t < p.dwellUntil || p.preferredSpeed <= 0 || p.index >= p.waypoints.length) {
      p.vx = 0;
      p.vy = 0;
      if (t >= p.dwellUntil) this.advanceRoute(p, t + dt);
      return;
    }
    let budget = p.preferredSpeed * dt;
    const x0 = p.x;
    const y0 = p.y;
    while (budget > 1e-12 && p.index < p.waypoints.length && p.index >= 0) {
      const target = p.waypoints[p.index]!;
      const dx = target.x - p.x;
      const dy = target.y - p.y;
      const d = Math.hypot(dx, dy);
      if (d <= budget) {
        p.x = target.x;
        p.y = target.y;
        budget -= d;
        if (!this.arrive(p, t + dt)) break;
        if (t + dt < p.dwellUntil) break;
      } else {
        p.x += (dx / d) * budget;
        p.y += (dy / d) * budget;
        budget = 0;
      }
    }
    p.vx = (p.x - x0) / dt;
    p.vy = (p.y - y0) / dt;
  }

  /** Reactive people: switch waypoints when close, detect being stuck, pick new goals. */
  private advanceRoute(p: Person, t: number): void {
    if (t < p.dwellUntil) return;
    if (p.kind === 'crowd' && (p.waypoints.length === 0 || p.index >= p.waypoints.length)) {
      this.chooseGoal(p, t);
      return;
    }
    if (p.index >= p.waypoints.length) {
      if (p.spec) this.arrive(p, t);
      return;
    }
    const target = p.waypoints[p.index]!;
    const d = Math.hypot(target.x - p.x, target.y - p.y);
    const last = p.index === p.waypoints.length - 1;
    if (d < (last ? 0.25 : 0.45) && p.reactive) {
      this.arrive(p, t);
      return;
    }
    if (p.reactive && t - p.checkTime > 4) {
      if (d > p.checkDistance - 0.3 && p.kind === 'crowd') {
        // No progress (blocked by the robot or a knot of people): route again, or give up on this goal.
        p.replans++;
        if (p.replans > 2) {
          p.waypoints = [];
          p.dwellUntil = t + this.rng.uniform(0.5, 2);
        } else {
          const route = this.nav.route({ x: p.x, y: p.y }, p.waypoints[p.waypoints.length - 1]!);
          if (route && route.length > 0) {
            p.waypoints = route;
            p.index = 0;
          }
        }
      }
      p.checkTime = t;
      p.checkDistance = d;
    }
  }

  /**
   * Called when a person reaches waypoints[index]. Returns true when they keep walking
   * (a next waypoint exists and no dwell started), false otherwise.
   */
  private arrive(p: Person, t: number): boolean {
    const n = p.waypoints.length;
    if (p.kind === 'crowd') {
      if (p.index < n - 1) {
        p.index++;
        return true;
      }
      p.waypoints = [];
      p.index = 0;
      p.dwellUntil = t + this.rng.uniform(this.dwellRange[0], this.dwellRange[1]);
      return false;
    }
    const spec = p.spec!;
    if (p.index < n - 1) {
      p.index++;
      if (spec.dwell && spec.dwell > 0) {
        p.dwellUntil = t + spec.dwell;
        return false;
      }
      return true;
    }
    switch (spec.atEnd ?? 'stay') {
      case 'stay':
        p.index = n; // done: stand
        return false;
      case 'vanish':
        p.present = false;
        p.index = -1; // removed after this step
        return false;
      case 'loop':
        p.index = 0;
        return n > 1;
      case 'reverse':
        p.waypoints.reverse();
        p.index = Math.min(1, n - 1);
        return n > 1;
    }
  }
}

/** Leg centres: side by side when standing, swinging fore and aft with the gait when walking. */
function legCentres(p: Person): [Vec2, Vec2] {
  const speed = Math.hypot(p.vx, p.vy);
  const swing = SWING_AMPLITUDE * Math.min(1, speed / 1.2) * Math.sin(p.gaitPhase);
  const c = Math.cos(p.heading);
  const s = Math.sin(p.heading);
  const at = (fwd: number, left: number): Vec2 => ({ x: p.x + c * fwd - s * left, y: p.y + s * fwd + c * left });
  return [at(swing, LEG_HALF_SPACING), at(-swing, -LEG_HALF_SPACING)];
}
