/**
 * SimCore: the simulated robot and its world as a pure stepping function. No timers, no
 * wall clock, no Node APIs: time advances only through `step(dt)`, randomness only from
 * the seed, so two runs with the same config and the same calls are identical. The
 * firmware endpoint (SimRobot), the scenario runner and BARN all drive it.
 *
 * Frames (REP 105): ground truth is in `map`. By default (`drift` off) the simulated odometry
 * has no drift and the `odom` frame coincides with `map`, so odometry equals the ground-truth
 * pose. With drift on (see ./drift), the odometry is what the encoders report: it starts at
 * (0, 0, 0) in its own `odom` frame where the robot stands and drifts with the robot's odometry
 * error; GroundTruth.trueMapFromOdom is map←odom as a perfect localizer would find it.
 * Robot velocities are in base_link. Units SI; sim time in seconds from the start.
 */
import type { OccupancyGrid } from '../shared/grid';
import { composePose, invertPose, normalizeAngle, type Pose2D, type Vec2 } from '../shared/geometry';
import { integrateArc } from './arc';
import { resolveDrift, type DriftSetting } from './drift';
import { applyBeamFaults, hasBeamFaults, type LidarFaultParams } from './lidar-faults';
import { OdometryErrorModel } from './odometry-error';
import { PeopleNav } from './people-nav';
import { People, type CrowdConfig, type PersonTruth, type ScriptedPersonSpec } from './people';
import { brakeToZero, stepJerkLimited, stepPan, type PanState, type RampState } from './profile';
import { SimRandom } from './random';
import { HOME_ROBOT, resolveRobotParams, type RobotParams, type RobotParamsOverrides } from './robot-params';
import { pointBoxDistance, rayCircle, rayEllipse, type CircleShape, type OrientedBox } from './shapes';
import { World, type WorldBox } from './world';

export { integrateArc } from './arc';

/** A box obstacle: oriented rectangle, optionally present only for [appearAt, disappearAt) s. */
export interface BoxSpec extends OrientedBox {
  id?: number;
  appearAt?: number;
  disappearAt?: number;
}

export interface SimConfig {
  /** Static world (walls, furniture). */
  map: OccupancyGrid;
  /** Seed of every random stream (lidar noise, crowd). */
  seed: number;
  /** Robot description; overrides are merged onto `baseRobot` (default HOME_ROBOT). */
  baseRobot?: RobotParams;
  robot?: RobotParamsOverrides;
  /** Initial base_link pose in the map frame (default: the free spot nearest the map centre, heading 0). */
  startPose?: Pose2D;
  /** Exact circle obstacles, e.g. BARN cylinders (radius 0.075 m). */
  circles?: CircleShape[];
  /** Box obstacles, possibly appearing at a given time. */
  boxes?: BoxSpec[];
  /** Self-driven people walking between places. */
  crowd?: CrowdConfig;
  /** Scenario-driven people. */
  people?: ScriptedPersonSpec[];
  /** Internal integration step, seconds (default 0.01); `step(dt)` subdivides to it. */
  maxSubstep?: number;
  /** Battery charge at start, percent (default 95). */
  batteryPercent?: number;
  /**
   * Odometry drift and lidar faults (default 'off': odometry = ground truth, `odom` ≡ `map`,
   * Gaussian range noise only). See DriftSetting in ./drift.
   */
  drift?: DriftSetting;
}

/** One lidar revolution, captured at a single instant (no motion skew). */
export interface SimScan {
  /** Sim time of capture, seconds. */
  time: number;
  /** Ranges in metres, beam i at angleMin + i·angleIncrement in the lidar frame. +Infinity: no return within rangeMax; −Infinity: closer than rangeMin (REP 117). */
  ranges: Float32Array;
  angleMin: number;
  angleIncrement: number;
  rangeMin: number;
  rangeMax: number;
  /** Ground-truth lidar pose in the map frame at capture. */
  lidarPose: Pose2D;
  /** Ground-truth base_link pose in the map frame at capture. */
  robotPose: Pose2D;
}

export type ContactKind = 'grid' | 'circle' | 'box' | 'person';

/** A collision: the start of a contact between the footprint and something. */
export interface CollisionEvent {
  time: number;
  kind: ContactKind;
  /** Person id for `person` contacts. */
  personId?: number;
  pose: Pose2D;
}

/** Everything true about the simulated world at one instant, for scoring. */
export interface GroundTruth {
  time: number;
  /** base_link in the map frame. */
  robotPose: Pose2D;
  /** Measured body velocity (m/s, rad/s, base_link). */
  robotVelocity: { v: number; w: number };
  /** Footprint rectangle in the map frame. */
  footprint: OrientedBox;
  pan: { angle: number; rate: number };
  people: PersonTruth[];
  /** Boxes present now. */
  boxes: WorldBox[];
  /** What the footprint touches now (static contacts block motion; people do not). */
  contacts: ContactKind[];
  /** Collisions since start (contact onsets). */
  collisionCount: number;
  collisions: readonly CollisionEvent[];
  /** Footprint to nearest static obstacle / nearest person's body, metres (0 in contact). */
  clearance: { static: number; people: number };
  /** Minimum of the above since start. */
  minClearance: { static: number; people: number };
  /** Distance from the footprint to the nearest person's centre, now and the minimum since start (m). */
  personCentreDistance: number;
  minPersonCentreDistance: number;
  /**
   * map←odom as it truly is now: the pose of the `odom` frame in `map`, so that
   * trueMapFromOdom ∘ odometry pose = robotPose. Identity with drift off (`odom` ≡ `map`).
   * With drift on it starts at the start pose and wanders as the odometry drifts (truth ∘
   * odom⁻¹ at each instant): what a localizer's map_to_odom is scored against.
   */
  trueMapFromOdom: Pose2D;
}

/**
 * Odometry as the firmware reports it: base_link in `odom` (m, m, rad) and the body velocity
 * (m/s, rad/s). Drift off: `odom` ≡ `map` and this is the truth. Drift on: the encoders'
 * account, from (0, 0, 0) at start; velocities carry the systematic error and slip, not the
 * random walk.
 */
export interface SimOdometry {
  x: number;
  y: number;
  theta: number;
  v: number;
  w: number;
  lastCommandSeq: number;
}

export interface SimStatus {
  batteryVoltage: number;
  batteryPercent: number;
  /** Fault bits as in shared/protocol Fault. */
  faults: number;
  estopPressed: boolean;
  motorsEnabled: boolean;
}

/** What happened during one `step`. */
export interface StepResult {
  /** Lidar revolutions completed during the step (usually 0 or 1). */
  scans: SimScan[];
  collisions: CollisionEvent[];
}

// Fault bits, mirrored from shared/protocol (kept literal so SimCore has no protocol dependency).
const FAULT_LOW_BATTERY = 1 << 3;
const FAULT_BUMPER = 1 << 4;
const FAULT_COMMAND_WATCHDOG = 1 << 5;
const NO_CIRCLES: readonly CircleShape[] = [];
/** A contact ends once the footprint is this far from what it touched, metres. */
const CONTACT_RELEASE = 0.01;

export class SimCore {
  readonly params: RobotParams;
  readonly world: World;
  readonly people: People;
  private readonly maxSubstep: number;
  private readonly lidarNoise: SimRandom;
  private readonly onDemandNoise: SimRandom;
  /** The encoders, with drift on; null: odometry is the truth. */
  private readonly encoders: OdometryErrorModel | null;
  /** Lidar faults with drift on (null: none), and their own streams for stepped and on-demand scans. */
  private readonly lidarFaults: LidarFaultParams | null;
  private readonly lidarFaultRandom: SimRandom;
  private readonly onDemandFaultRandom: SimRandom;

  private t = 0;
  private pose: Pose2D;
  private v = 0;
  private w = 0;
  private readonly linear: RampState = { value: 0, rate: 0 };
  private readonly angular: RampState = { value: 0, rate: 0 };
  private targetV = 0;
  private targetW = 0;
  private commandActive = false;
  /** Braking after a Stop, until a command asks for motion. */
  private braking = false;
  private lastCommandTime = -Infinity;
  private lastCommandSeq = 0;
  private watchdogTripped = false;
  private readonly pan: PanState = { angle: 0, rate: 0 };
  private panTarget = 0;
  private panRate: number;
  private nextScanTime: number;
  private lastScan: SimScan | null = null;
  private readonly batteryStart: number;

  private contacts: ContactKind[] = [];
  /** The static obstacle the footprint is pressed against, held until it backs off by CONTACT_RELEASE. */
  private staticContact: 'grid' | 'circle' | 'box' | null = null;
  private readonly personContacts = new Set<number>();
  private readonly collisionLog: CollisionEvent[] = [];
  private clearanceNow = { static: Infinity, people: Infinity };
  private readonly clearanceMin = { static: Infinity, people: Infinity };
  private personCentreNow = Infinity;
  private personCentreMin = Infinity;

  constructor(readonly config: SimConfig) {
    this.params = resolveRobotParams(config.baseRobot ?? HOME_ROBOT, config.robot);
    this.maxSubstep = config.maxSubstep ?? 0.01;
    this.world = new World(config.map, config.circles);
    this.pose = config.startPose ? { ...config.startPose, theta: normalizeAngle(config.startPose.theta) } : this.freeSpotNearCentre();
    for (const b of config.boxes ?? []) this.world.addBox(b);
    this.people = new People(this.world, new PeopleNav(this.world), SimRandom.stream(config.seed, 'people'), config.crowd, config.people ?? [], this.pose);
    this.lidarNoise = SimRandom.stream(config.seed, 'lidar');
    this.onDemandNoise = SimRandom.stream(config.seed, 'lidar-on-demand');
    // Drift draws from streams of its own, so switching it on leaves every other draw as it was.
    const drift = resolveDrift(config.drift, this.params);
    this.encoders = drift ? new OdometryErrorModel(drift.odometry, this.params.wheelBase, SimRandom.stream(config.seed, 'odometry')) : null;
    const faults = drift?.lidar;
    this.lidarFaults = faults && (hasBeamFaults(faults) || faults.revolutionDrop > 0) ? faults : null;
    this.lidarFaultRandom = SimRandom.stream(config.seed, 'lidar-faults');
    this.onDemandFaultRandom = SimRandom.stream(config.seed, 'lidar-faults-on-demand');
    this.panRate = this.params.panMaxRate;
    this.nextScanTime = 1 / this.params.lidar.rateHz;
    this.batteryStart = config.batteryPercent ?? 95;
    this.updateContactsAndClearance([]);
  }

  /** The grid cell nearest the map centre where the footprint fits with 0.1 m to spare. */
  private freeSpotNearCentre(): Pose2D {
    const g = this.config.map;
    const need = Math.hypot(this.params.footprintLength / 2 + Math.abs(this.params.footprintCenterOffsetX), this.params.footprintWidth / 2) + 0.1;
    const cx = g.width / 2;
    const cy = g.height / 2;
    let best = -1;
    let bestD = Infinity;
    for (let row = 0; row < g.height; row++) {
      for (let col = 0; col < g.width; col++) {
        const i = row * g.width + col;
        if (this.world.cellDistance[i]! <= need) continue;
        const d = (col + 0.5 - cx) ** 2 + (row + 0.5 - cy) ** 2;
        if (d < bestD) {
          bestD = d;
          best = i;
        }
      }
    }
    if (best < 0) return { x: g.origin.x + cx * g.resolution, y: g.origin.y + cy * g.resolution, theta: 0 };
    return { x: g.origin.x + ((best % g.width) + 0.5) * g.resolution, y: g.origin.y + (Math.floor(best / g.width) + 0.5) * g.resolution, theta: 0 };
  }

  /** Sim time, seconds since start. */
  get time(): number {
    return this.t;
  }

  // --- commands ----------------------------------------------------------------------

  /**
   * Sets the body velocity target (m/s, rad/s, base_link), clamped to the limits. Renews
   * the command watchdog: motors stop by themselves `commandTimeout` s later unless
   * another command arrives. Non-finite values are rejected (returns false, nothing changes).
   * `seq` is the command's link sequence number, echoed in odometry.
   */
  setCommand(v: number, w: number, seq?: number): boolean {
    if (!Number.isFinite(v) || !Number.isFinite(w)) return false;
    const p = this.params;
    this.targetV = Math.max(-p.maxLinearVelocity, Math.min(p.maxLinearVelocity, v));
    if (v !== 0 || w !== 0) this.braking = false;
    this.targetW = Math.max(-p.maxAngularVelocity, Math.min(p.maxAngularVelocity, w));
    this.commandActive = true;
    this.lastCommandTime = this.t;
    this.watchdogTripped = false;
    if (seq !== undefined) this.lastCommandSeq = seq & 0xffff;
    return true;
  }

  /**
   * Brake (the Foresight protocol's Stop): the motors decelerate at `brakeDecel`, without the
   * controller's ramp, and hold still until a command asks for motion again (zero commands
   * that follow keep braking).
   */
  brake(): void {
    this.stop();
    this.braking = true;
  }

  /** Stop: velocity target zero now (decelerating within the limits) until the next command. */
  stop(): void {
    this.targetV = 0;
    this.targetW = 0;
    this.commandActive = false;
  }

  /** Screen pan target (rad, base_link, clamped to the pan limits) and rate cap (rad/s; ≤ 0: the maximum). */
  setScreenCommand(panAngle: number, maxRate: number): boolean {
    if (!Number.isFinite(panAngle) || Number.isNaN(maxRate)) return false;
    const p = this.params;
    this.panTarget = Math.max(p.panMin, Math.min(p.panMax, panAngle));
    this.panRate = maxRate > 0 ? Math.min(maxRate, p.panMaxRate) : p.panMaxRate;
    return true;
  }

  // --- scenario hooks ----------------------------------------------------------------

  /** Adds a scripted person (appears at `spec.startTime`); returns its id. */
  addPerson(spec: ScriptedPersonSpec): number {
    return this.people.add(spec, this.t);
  }

  removePerson(id: number): boolean {
    return this.people.remove(id);
  }

  /** Adds a box obstacle (present from `appearAt`, default now or earlier); returns its id. */
  addBox(box: BoxSpec): number {
    const id = this.world.addBox(box);
    this.updateContactsAndClearance([]);
    return id;
  }

  removeBox(id: number): boolean {
    const removed = this.world.removeBox(id);
    this.updateContactsAndClearance([]);
    return removed;
  }

  /**
   * Drops a box in the robot's path: its near face `distance` metres ahead of the footprint's
   * front edge, aligned with the robot, appearing now. Returns its id.
   */
  dropBoxAhead(distance = 1.0, size: { length: number; width: number } = { length: 0.4, width: 0.4 }): number {
    const p = this.params;
    const ahead = p.footprintCenterOffsetX + p.footprintLength / 2 + distance + size.length / 2;
    const c = Math.cos(this.pose.theta);
    const s = Math.sin(this.pose.theta);
    return this.addBox({ x: this.pose.x + c * ahead, y: this.pose.y + s * ahead, yaw: this.pose.theta, ...size, appearAt: this.t });
  }

  /**
   * Moves the robot (a scenario reset or "kidnap"); velocities are zeroed. With drift off the
   * odometry jumps with it (`odom` ≡ `map`); with drift on the encoders saw nothing, so the
   * odometry stays and trueMapFromOdom jumps instead.
   */
  teleport(pose: Pose2D): void {
    this.pose = { ...pose, theta: normalizeAngle(pose.theta) };
    this.v = this.w = 0;
    this.encoders?.carried();
    this.linear.value = this.linear.rate = this.angular.value = this.angular.rate = 0;
    this.updateContactsAndClearance([]);
  }

  // --- stepping ----------------------------------------------------------------------

  /** Advances the world by dt seconds (split into substeps of at most `maxSubstep`). */
  step(dt: number): StepResult {
    const result: StepResult = { scans: [], collisions: [] };
    if (!(dt > 0)) return result;
    const n = Math.max(1, Math.ceil(dt / this.maxSubstep - 1e-9));
    const h = dt / n;
    for (let k = 0; k < n; k++) this.substep(h, result);
    return result;
  }

  private substep(h: number, result: StepResult): void {
    const p = this.params;
    // Command watchdog: firmware semantics, checked before the motors move.
    if (this.commandActive && this.t - this.lastCommandTime >= p.commandTimeout - 1e-9) {
      this.targetV = 0;
      this.targetW = 0;
      this.commandActive = false;
      this.watchdogTripped = true;
    }
    if (this.braking) {
      const brake = p.brakeDecel ?? p.maxLinearAccel;
      brakeToZero(this.linear, brake, h);
      brakeToZero(this.angular, (brake / p.maxLinearAccel) * p.maxAngularAccel, h);
    } else {
      stepJerkLimited(this.linear, this.targetV, p.maxLinearAccel, p.maxLinearJerk, h);
      stepJerkLimited(this.angular, this.targetW, p.maxAngularAccel, p.maxAngularJerk, h);
    }
    // First-order actuator lag (exact discretization): the wheels follow the setpoint.
    const alpha = 1 - Math.exp(-h / p.actuatorTimeConstant);
    const vBefore = this.v;
    this.v += (this.linear.value - this.v) * alpha;
    this.w += (this.angular.value - this.w) * alpha;

    const previous = this.pose;
    const next = integrateArc(previous, this.v, this.w, h);
    const tNext = this.t + h;
    const blockedAtNext = this.world.footprintContact(this.footprintAt(next), tNext);
    let moved = true;
    if (blockedAtNext && !this.world.footprintContact(this.footprintAt(previous), tNext)) {
      // Hitting something solid: the robot stays put and the motors stall.
      this.v = this.w = 0;
      this.linear.value = this.linear.rate = this.angular.value = this.angular.rate = 0;
      moved = false;
    } else {
      this.pose = next;
    }
    const staticContact = blockedAtNext;
    // The encoders count this step's motion (a stalled robot's wheels do not turn).
    this.encoders?.advance({ ds: moved ? this.v * h : 0, dTheta: moved ? this.w * h : 0, v: this.v, w: this.w, accel: (this.v - vBefore) / h, h });

    const c = Math.cos(this.pose.theta);
    const s = Math.sin(this.pose.theta);
    this.people.step(this.t, h, { footprint: this.footprintAt(this.pose), vx: this.v * c, vy: this.v * s });
    stepPan(this.pan, this.panTarget, this.panRate, p.panMaxAccel, h);
    this.t = tNext;

    this.updateContactsAndClearance(result.collisions, staticContact);

    if (this.t >= this.nextScanTime - 1e-9) {
      // A revolution lost on the way (drift on) is measured but never arrives, so the noise of
      // the revolutions that do arrive is what it would have been.
      const lost = this.lidarFaults !== null && this.lidarFaults.revolutionDrop > 0 && this.lidarFaultRandom.next() < this.lidarFaults.revolutionDrop;
      const scan = this.captureScan(this.lidarNoise, this.lidarFaultRandom);
      if (!lost) {
        this.lastScan = scan;
        result.scans.push(scan);
      }
      this.nextScanTime += 1 / p.lidar.rateHz;
    }
  }

  private updateContactsAndClearance(events: CollisionEvent[], blocked: 'grid' | 'circle' | 'box' | null = null): void {
    const fp = this.footprintAt(this.pose);
    const touching = blocked ?? this.world.footprintContact(fp, this.t);
    const staticClear = touching ? 0 : this.world.footprintClearance(fp, this.t);
    // Hysteresis: a robot pushing against a wall stalls a hair short of it; that is still the
    // same contact, not a new collision every step.
    if (touching) {
      if (!this.staticContact) {
        const e: CollisionEvent = { time: this.t, kind: touching, pose: { ...this.pose } };
        this.collisionLog.push(e);
        events.push(e);
      }
      this.staticContact = touching;
    } else if (staticClear > CONTACT_RELEASE) {
      this.staticContact = null;
    }
    const contacts: ContactKind[] = this.staticContact ? [this.staticContact] : [];
    let peopleClear = Infinity;
    let centreMin = Infinity;
    for (const person of this.people.truth()) {
      const d = pointBoxDistance(person.x, person.y, fp);
      centreMin = Math.min(centreMin, d);
      peopleClear = Math.min(peopleClear, Math.max(0, d - person.radius));
      if (d < person.radius) {
        if (!this.personContacts.has(person.id)) {
          const e: CollisionEvent = { time: this.t, kind: 'person', personId: person.id, pose: { ...this.pose } };
          this.collisionLog.push(e);
          events.push(e);
          this.personContacts.add(person.id);
        }
      } else if (d > person.radius + CONTACT_RELEASE) {
        this.personContacts.delete(person.id);
      }
    }
    for (const id of [...this.personContacts]) if (!this.people.has(id)) this.personContacts.delete(id);
    if (this.personContacts.size > 0) contacts.push('person');
    this.contacts = contacts;
    this.clearanceNow = { static: staticClear, people: peopleClear };
    this.clearanceMin.static = Math.min(this.clearanceMin.static, staticClear);
    this.clearanceMin.people = Math.min(this.clearanceMin.people, peopleClear);
    this.personCentreNow = centreMin;
    this.personCentreMin = Math.min(this.personCentreMin, centreMin);
  }

  // --- sensing -----------------------------------------------------------------------

  /** The last lidar revolution completed by `step` (10 Hz by default), or null before the first. */
  latestScan(): SimScan | null {
    return this.lastScan;
  }

  /**
   * A scan of the world as it is now, on demand. Uses its own noise stream, so calling it
   * never changes what `step` produces. With drift on it has the beam faults too, but is never
   * lost.
   */
  scan(): SimScan {
    return this.captureScan(this.onDemandNoise, this.onDemandFaultRandom);
  }

  private captureScan(noise: SimRandom, faultRandom: SimRandom): SimScan {
    const lidar = this.params.lidar;
    const c = Math.cos(this.pose.theta);
    const s = Math.sin(this.pose.theta);
    const lidarPose: Pose2D = {
      x: this.pose.x + c * lidar.mountX - s * lidar.mountY,
      y: this.pose.y + s * lidar.mountX + c * lidar.mountY,
      theta: normalizeAngle(this.pose.theta + lidar.mountYaw),
    };
    const ox = lidarPose.x;
    const oy = lidarPose.y;
    const reach = lidar.rangeMax;
    const beams = lidar.beams;
    const dirX = new Float64Array(beams);
    const dirY = new Float64Array(beams);
    const hit = new Float64Array(beams);
    const boxes = this.world.activeBoxes(this.t);
    for (let i = 0; i < beams; i++) {
      const angle = lidarPose.theta + lidar.angleMin + i * lidar.angleIncrement;
      dirX[i] = Math.cos(angle);
      dirY[i] = Math.sin(angle);
      hit[i] = this.world.raycast(ox, oy, dirX[i]!, dirY[i]!, reach, boxes, NO_CIRCLES);
    }
    // Circles (cylinders, legs) only touch the few beams inside their angular extent, so
    // test those beams instead of every circle against every beam.
    const fullTurn = Math.round((2 * Math.PI) / lidar.angleIncrement);
    const splat = (k: CircleShape): void => {
      const dx = k.x - ox;
      const dy = k.y - oy;
      const d = Math.hypot(dx, dy);
      if (d - k.radius > reach) return;
      if (d <= k.radius) {
        hit.fill(0);
        return;
      }
      const bearing = Math.atan2(dy, dx) - lidarPose.theta - lidar.angleMin;
      const half = Math.asin(k.radius / d);
      const i0 = Math.ceil((bearing - half) / lidar.angleIncrement);
      const i1 = Math.floor((bearing + half) / lidar.angleIncrement);
      for (let j = i0; j <= i1; j++) {
        const i = ((j % fullTurn) + fullTurn) % fullTurn;
        if (i >= beams) continue;
        const tHit = rayCircle(ox, oy, dirX[i]!, dirY[i]!, k);
        if (tHit < hit[i]!) hit[i] = tHit;
      }
    };
    for (const k of this.world.circles) splat(k);
    const shapes = this.people.scanShapes(lidar.personModel);
    for (const k of shapes.circles) splat(k);
    for (const e of shapes.ellipses) {
      for (let i = 0; i < beams; i++) {
        const tHit = rayEllipse(ox, oy, dirX[i]!, dirY[i]!, e);
        if (tHit < hit[i]!) hit[i] = tHit;
      }
    }
    const ranges = new Float32Array(beams);
    for (let i = 0; i < beams; i++) {
      const d = hit[i]!;
      if (!(d <= reach)) {
        ranges[i] = Infinity;
        continue;
      }
      const r = d + noise.normal(lidar.rangeNoiseSigma);
      ranges[i] = r > reach ? Infinity : r < lidar.rangeMin ? -Infinity : r;
    }
    if (this.lidarFaults && hasBeamFaults(this.lidarFaults)) {
      applyBeamFaults(ranges, { hit, dirX, dirY, rangeMin: lidar.rangeMin, rangeMax: reach }, this.lidarFaults, faultRandom);
    }
    return {
      time: this.t,
      ranges,
      angleMin: lidar.angleMin,
      angleIncrement: lidar.angleIncrement,
      rangeMin: lidar.rangeMin,
      rangeMax: lidar.rangeMax,
      lidarPose,
      robotPose: { ...this.pose },
    };
  }

  // --- state -------------------------------------------------------------------------

  /** Footprint rectangle of base_link pose `pose`, in the map frame. */
  footprintAt(pose: Pose2D): OrientedBox {
    const p = this.params;
    return {
      x: pose.x + Math.cos(pose.theta) * p.footprintCenterOffsetX,
      y: pose.y + Math.sin(pose.theta) * p.footprintCenterOffsetX,
      yaw: pose.theta,
      length: p.footprintLength,
      width: p.footprintWidth,
    };
  }

  /** Whether the odometry is the encoders' drifting account (drift on) rather than the ground truth. */
  get odometryDrifts(): boolean {
    return this.encoders !== null;
  }

  /** What the firmware reports now (see SimOdometry: the truth with drift off, the encoders' account with it on). */
  odometry(): SimOdometry {
    const e = this.encoders;
    if (e) return { x: e.pose.x, y: e.pose.y, theta: e.pose.theta, v: e.v, w: e.w, lastCommandSeq: this.lastCommandSeq };
    return { x: this.pose.x, y: this.pose.y, theta: this.pose.theta, v: this.v, w: this.w, lastCommandSeq: this.lastCommandSeq };
  }

  /** Motor-controller setpoints (after accel/jerk limiting, before actuator lag) and targets. */
  driveState(): { targetV: number; targetW: number; setpointV: number; setpointW: number; accelV: number; accelW: number; commandActive: boolean } {
    return {
      targetV: this.targetV,
      targetW: this.targetW,
      setpointV: this.linear.value,
      setpointW: this.angular.value,
      accelV: this.linear.rate,
      accelW: this.angular.rate,
      commandActive: this.commandActive,
    };
  }

  screenState(): { panAngle: number; panVelocity: number } {
    return { panAngle: this.pan.angle, panVelocity: this.pan.rate };
  }

  status(): SimStatus {
    const percent = Math.max(0, this.batteryStart - this.t / 108); // about 3 h from full
    let faults = 0;
    if (this.watchdogTripped) faults |= FAULT_COMMAND_WATCHDOG;
    if (this.contacts.some((k) => k !== 'person')) faults |= FAULT_BUMPER;
    if (percent < 15) faults |= FAULT_LOW_BATTERY;
    return { batteryVoltage: 13.2 + (3.6 * percent) / 100, batteryPercent: Math.round(percent), faults, estopPressed: false, motorsEnabled: true };
  }

  groundTruth(): GroundTruth {
    return {
      time: this.t,
      robotPose: { ...this.pose },
      robotVelocity: { v: this.v, w: this.w },
      footprint: this.footprintAt(this.pose),
      pan: { angle: this.pan.angle, rate: this.pan.rate },
      people: this.people.truth(),
      boxes: this.world.activeBoxes(this.t),
      contacts: [...this.contacts],
      collisionCount: this.collisionLog.length,
      collisions: this.collisionLog,
      clearance: { ...this.clearanceNow },
      minClearance: { ...this.clearanceMin },
      personCentreDistance: this.personCentreNow,
      minPersonCentreDistance: this.personCentreMin,
      trueMapFromOdom: this.encoders ? composePose(this.pose, invertPose(this.encoders.pose)) : { x: 0, y: 0, theta: 0 },
    };
  }

  /** The places the crowd walks between (map frame). */
  crowdPlaces(): readonly Vec2[] {
    return this.people.crowdPlaces();
  }
}
