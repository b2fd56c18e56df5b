/**
 * The navigation stack: everything between a goal and a trajectory, in one pure object so
 * the live console (in a worker thread at 10 Hz), the scenario runner and BARN (in process,
 * on virtual time) run exactly the same code.
 *
 * Per cycle: integrate the scan into the live obstacle layer (skipping points that belong
 * to tracked people, who are predicted rather than mapped), detect and track people,
 * predict their futures, replan the global path when needed (new goal, path blocked, no
 * progress, periodically), and choose a local trajectory from the fast-forwarded state.
 * Frames: everything is in `map`; times are seconds on the caller's clock.
 */
import type { Pose2D, Twist2D, Vec2 } from '../../shared/geometry';
import { angleDiff, circumscribedRadius, distance } from '../../shared/geometry';
import type { OccupancyGrid } from '../../shared/grid';
import type { PersonPrediction, PersonTrack } from '../../shared/people';
import { Costmap, COST_INSCRIBED, COST_UNKNOWN, costForDistance, inflationForFootprint, type ScanEndpoint } from '../grid';
import { createGlobalPlanner, planningGridFromCosts, type GlobalPlanFailureReason } from '../global';
import {
  LocalPlanner,
  type CandidateSample,
  type LocalPlannerConfig,
  type RobotLimits,
  type RobotState,
  type Trajectory,
} from '../local';
import { detectPeople, PersonTracker } from '../perception';
import { agentFromTrack, createPredictor, type PredictorConfig, type Predictor } from '../predict';
import { rasterizeKeepOut, ZoneSet, zoneLimits, type ZoneShape } from './zones';

export interface NavigationConfig {
  predictor: PredictorConfig;
  localPlanner: Partial<LocalPlannerConfig>;
  /** Extra inflation beyond the footprint for the global path, metres. */
  inflationMarginM: number;
  /** How strongly the global path keeps away from obstacles (0 = shortest). */
  globalCostWeight: number;
  /** Replan the global path at least this often while a goal is active, s. */
  replanPeriodS: number;
  /** No progress toward the goal for this long → replan (once per such period); twice as long → fail, s. */
  noProgressS: number;
  /** Progress smaller than this does not count, metres (along the path) or radians (turning onto the goal heading at the goal). */
  progressEpsilonM: number;
  /** A blocked path is replanned at most this often, s (a failed replan keeps the old path). */
  minReplanIntervalS: number;
  /**
   * Scan hits this close to a static obstacle are that obstacle (range noise around a
   * wall face), not a new one: they are not marked in the live layer, metres.
   */
  staticExplainedM: number;
  /** Scan points within this distance of a tracked person are not mapped, metres. */
  personClearanceM: number;
  /**
   * Waiting for people is not being stuck: while someone is within `yieldRangeM` of the
   * robot (walking or standing, e.g. a group chatting in the doorway it needs), the
   * no-progress clock stands still, for at most `yieldPatienceS` per stall; after that the
   * robot replans round them as it would round anything else. Metres, seconds.
   */
  yieldRangeM: number;
  yieldPatienceS: number;
  /**
   * Keep to the right: the local planner follows the guidance path moved up to this far to
   * its right (a lane, see LocalPlannerInput.keepRightM), so people coming the other way
   * or overtaking find the left side free, metres; 0: follow the path itself. Always, not
   * only once someone is seen: someone overtaking is seen about a second before passing,
   * too late to change lanes smoothly (people-overtaking came within 0.24 m that way).
   */
  keepRightM: number;
  /** Local planner failures in a row before giving up, cycles. */
  maxLocalFailures: number;
  /**
   * A track that stays within 0.15 m of one place for this long is mapped as an obstacle
   * and no longer predicted, s (Infinity: never). A 2D scan cannot tell a box from a
   * standing torso; something that has not moved for seconds is safest treated as a thing
   * the robot must go round, and it is predicted again as soon as it moves off.
   */
  staticTrackAfterS: number;
  /**
   * A track also counts as standing (mapped, predicted standing) once it has stayed within
   * 0.15 m of one place for `standingAfterS` with its estimated speed below
   * `standingSpeedMps` at every update: something that never walked gets no walking
   * futures (a box that appears ahead is not a person about to move), s and m/s.
   */
  standingAfterS: number;
  standingSpeedMps: number;
  /** Let people detection run (off: people are plain obstacles). */
  perception: boolean;
  /** Treat unknown map cells as free (a map built as the robot goes, e.g. BARN). */
  unknownIsFree: boolean;
}

export const DEFAULT_NAVIGATION_CONFIG: NavigationConfig = {
  predictor: {},
  localPlanner: {},
  inflationMarginM: 0.05,
  globalCostWeight: 1.5,
  replanPeriodS: 4,
  noProgressS: 6,
  progressEpsilonM: 0.15,
  minReplanIntervalS: 0.5,
  staticExplainedM: 0.08,
  staticTrackAfterS: 2,
  standingAfterS: 0.2,
  standingSpeedMps: 0.2,
  personClearanceM: 0.4,
  yieldRangeM: 1.5,
  yieldPatienceS: 15,
  keepRightM: 0.4,
  maxLocalFailures: 30,
  perception: true,
  unknownIsFree: false,
};

export type GoalFailureReason = GlobalPlanFailureReason | 'no-progress' | 'local-planner';

export type GoalResult = { ok: true } | { ok: false; reason: GoalFailureReason; message: string };

export type NavStatus = 'idle' | 'active' | 'reached' | 'failed';

export interface NavCycleInput {
  /** Time at which `state` holds (the plan's effect time), seconds. */
  now: number;
  /** Fast-forwarded robot state, map frame. */
  state: RobotState;
  /** Newest scan: beam ends in the map frame (hits and no-return maxima) and the sensor position. */
  scan: { sensor: Vec2; endpoints: readonly ScanEndpoint[]; time: number } | null;
  /** Seed of this cycle's sampling. */
  seed: number;
  /**
   * The operator's speed limit for this cycle (m/s, rad/s), below the robot's limits; absent
   * when none. Candidates are sampled within it, so the plan is one the robot will follow.
   */
  speedCap?: { v: number; w: number };
}

export interface NavCycleOutput {
  status: NavStatus;
  /** Plain words for the operator, or null. */
  message: string | null;
  goal: Pose2D | null;
  /** Trajectory to follow from `now` (chosen, or a quick stop), or null when idle. */
  trajectory: Trajectory | null;
  command: Twist2D;
  globalPath: Vec2[];
  sample: CandidateSample[];
  candidatesEvaluated: number;
  /** Probability of a collision within the horizon on the chosen trajectory. */
  collisionProbability: number;
  tracks: PersonTrack[];
  predictions: PersonPrediction[];
  /** Collision risk the chosen trajectory carries per person id, 0…1. */
  personRisk: Map<number, number>;
  replanned: boolean;
  /** Why the global path was replanned this cycle, or null. */
  replanReason: ReplanReason | null;
}

/** What makes the stack replan: a blocked path, no progress, or the periodic refresh. */
export type ReplanReason = 'path-blocked' | 'no-progress' | 'periodic';

export interface RobotDescription {
  limits: RobotLimits;
}

export class NavigationStack {
  readonly config: NavigationConfig;
  readonly costmap: Costmap;
  private readonly local: LocalPlanner;
  private readonly tracker = new PersonTracker();
  private readonly predictor: Predictor;
  private readonly staticField;
  private goal: Pose2D | null = null;
  private status: NavStatus = 'idle';
  private message: string | null = null;
  private path: Vec2[] = [];
  /** Clearance the current path was planned with (see LocalPlannerInput.guidanceClearance), metres; null: the usual fit. */
  private pathClearance: number | null = null;
  private lastReplan = -Infinity;
  private lastNoProgressReplan = -Infinity;
  /**
   * Progress watch: the least remaining path length seen (metres), the least heading error
   * seen while at the goal position (radians), and when either last improved (s).
   */
  private progress = { bestRemaining: Infinity, bestHeading: Infinity, at: 0, yielded: 0 };
  /** Time of the previous cycle, s (yield time is counted between cycles). */
  private lastCycleAt: number | null = null;
  private localFailures = 0;
  private needReplan = false;
  /** Plan with room to turn (see replan) for the rest of this goal. */
  private wideForGoal = false;
  /** Per track id: where and since when it has stayed put (map frame, s). */
  private readonly anchors = new Map<number, { x: number; y: number; since: number; slowSince: number; standing: boolean }>();

  constructor(
    map: OccupancyGrid,
    readonly robot: RobotDescription,
    config: Partial<NavigationConfig> = {},
  ) {
    this.config = { ...DEFAULT_NAVIGATION_CONFIG, ...config };
    const grid = this.config.unknownIsFree ? { ...map, data: map.data.map((v) => (v === 255 ? 0 : v)) } : map;
    this.costmap = new Costmap(grid, {
      inflation: inflationForFootprint(robot.limits.footprint, { marginM: this.config.inflationMarginM }),
    });
    this.staticField = this.costmap.distanceField();
    this.local = new LocalPlanner(this.config.localPlanner);
    this.predictor = createPredictor(this.config.predictor);
  }

  get currentGoal(): Pose2D | null {
    return this.goal;
  }

  /** Sets a goal and plans the global path from `from` at once; a goal that cannot be reached fails here, typed. */
  setGoal(goal: Pose2D, from: Pose2D, now: number): GoalResult {
    this.goal = goal;
    this.local.reset();
    this.localFailures = 0;
    this.progress = { bestRemaining: Infinity, bestHeading: Infinity, at: now, yielded: 0 };
    this.lastCycleAt = null;
    this.lastNoProgressReplan = -Infinity;
    this.wideForGoal = false;
    const res = this.replan(from, now);
    if (!res.ok) {
      this.goal = null;
      this.status = 'failed';
      this.message = res.message;
      return res;
    }
    this.status = 'active';
    this.message = null;
    return { ok: true };
  }

  cancel(message: string | null = null): void {
    this.goal = null;
    this.path = [];
    this.status = 'idle';
    this.message = message;
    this.local.reset();
  }

  /** Operator zones in force (see zones.ts). */
  private zones = new ZoneSet();

  /**
   * Operator zones, map frame, replacing the previous ones: keep-out polygons become static
   * obstacles of the costmap (so the global path and every local candidate keep the
   * footprint out), slow zones cap the local planner's speed (zoneLimits, each cycle). An
   * active goal is replanned on the next cycle.
   */
  setZones(zones: readonly ZoneShape[]): void {
    this.zones = new ZoneSet(zones);
    this.costmap.setKeepOut(this.zones.keepOut.length > 0 ? rasterizeKeepOut(this.zones, this.costmap) : null);
    this.needReplan = true;
  }

  /**
   * Plans the guidance path. `wide`: after the robot made no progress on the current way,
   * plan only through cells where the footprint can turn (clearance above its circumscribed
   * radius), so a squeeze the local planner could not take is avoided; if that finds no
   * way, plan as usual.
   */
  private replan(from: Pose2D, now: number, wide = false): GoalResult {
    const goal = this.goal;
    if (!goal) return { ok: true };
    this.lastReplan = now;
    this.needReplan = false;
    const cm = this.costmap;
    const costs = cm.costs();
    const grid = planningGridFromCosts(cm, costs, { allowUnknown: this.config.unknownIsFree });
    let res: ReturnType<ReturnType<typeof createGlobalPlanner>['plan']> | null = null;
    let clearance: number | null = null;
    if (wide) {
      const turnRadius = circumscribedRadius(this.robot.limits.footprint);
      const turnCost = costForDistance(turnRadius, cm.config.inflation);
      const blocked = grid.blocked.slice();
      for (let i = 0; i < blocked.length; i++) if (costs[i]! >= turnCost && costs[i]! !== COST_UNKNOWN) blocked[i] = 1;
      const wideGrid = { ...grid, blocked };
      const wideRes = createGlobalPlanner(wideGrid, { costWeight: this.config.globalCostWeight }).plan({ start: this.freeStart(from, grid.blocked), goal });
      if (wideRes.ok) {
        res = wideRes;
        clearance = turnRadius;
      }
    }
    if (!res) {
      const planner = createGlobalPlanner(grid, { costWeight: this.config.globalCostWeight });
      res = planner.plan({ start: this.freeStart(from, grid.blocked), goal });
    }
    if (!res.ok) {
      const what: Record<GlobalPlanFailureReason, string> = {
        'start-occupied': 'The robot is inside an obstacle or too close to one to plan from here',
        'goal-occupied': 'That goal is inside an obstacle or too close to one for the robot to fit',
        'no-path': 'No path leads to that goal',
        timeout: 'Planning took too long',
        cancelled: 'Planning was cancelled',
      };
      return { ok: false, reason: res.reason, message: `${what[res.reason]} (${res.message})` };
    }
    const path = res.path.slice();
    // End exactly at the goal (the search ends at its cell centre).
    path[path.length - 1] = { x: goal.x, y: goal.y };
    this.path = path;
    this.pathClearance = clearance;
    // The progress watch measures along the new way from here; its clock keeps running, so
    // only the robot's own motion counts as progress, not a switch to a shorter-looking way.
    this.progress.bestRemaining = remainingAlongPath(path, from);
    return { ok: true };
  }

  /**
   * The robot may start inside the inflation (it drove close to a wall): plan from the
   * nearest free cell within half a metre instead of refusing.
   */
  private freeStart(from: Pose2D, blocked: Uint8Array): Vec2 {
    const cm = this.costmap;
    const col = Math.floor((from.x - cm.origin.x) / cm.resolution);
    const row = Math.floor((from.y - cm.origin.y) / cm.resolution);
    const free = (c: number, r: number): boolean => c >= 0 && r >= 0 && c < cm.width && r < cm.height && blocked[r * cm.width + c] === 0;
    if (free(col, row)) return from;
    const maxRing = Math.ceil(0.5 / cm.resolution);
    for (let ring = 1; ring <= maxRing; ring++) {
      let best: Vec2 | null = null;
      let bestD = Infinity;
      for (let dr = -ring; dr <= ring; dr++) {
        for (let dc = -ring; dc <= ring; dc++) {
          if (Math.max(Math.abs(dr), Math.abs(dc)) !== ring || !free(col + dc, row + dr)) continue;
          const p = { x: cm.origin.x + (col + dc + 0.5) * cm.resolution, y: cm.origin.y + (row + dr + 0.5) * cm.resolution };
          const d = distance(p, from);
          if (d < bestD) {
            bestD = d;
            best = p;
          }
        }
      }
      if (best) return best;
    }
    return from;
  }

  /**
   * True when the guidance path ahead of the robot runs through a cell where the robot does
   * not fit (cost ≥ inscribed: a new obstacle, since the path was planned around the old
   * ones). Checked from the robot's projection on the path onward (the stretch behind it
   * no longer matters), skipping only the footprint's own circle: the robot may stand in
   * the inflation of a wall it drove close to, and that is not a blocked path.
   */
  private pathBlocked(from: Vec2): boolean {
    const path = this.path;
    if (path.length < 2) return false;
    const cm = this.costmap;
    const costs = cm.costs();
    const step = cm.resolution;
    const skip = circumscribedRadius(this.robot.limits.footprint);
    const { segment, along } = projectOntoPath(path, from);
    for (let i = segment; i < path.length - 1; i++) {
      const a = path[i]!;
      const b = path[i + 1]!;
      const len = distance(a, b);
      const n = Math.max(1, Math.ceil(len / step));
      const k0 = i === segment ? Math.floor((along / Math.max(len, 1e-9)) * n) : 0;
      for (let k = k0; k <= n; k++) {
        const x = a.x + ((b.x - a.x) * k) / n;
        const y = a.y + ((b.y - a.y) * k) / n;
        if (Math.hypot(x - from.x, y - from.y) < skip) continue;
        const col = Math.floor((x - cm.origin.x) / cm.resolution);
        const row = Math.floor((y - cm.origin.y) / cm.resolution);
        if (col < 0 || row < 0 || col >= cm.width || row >= cm.height) continue;
        if (costs[row * cm.width + col]! >= COST_INSCRIBED) return true;
      }
    }
    return false;
  }

  /**
   * Progress toward the goal, as the stack judges it: remaining length along the guidance
   * path from the robot's projection (plus the hop onto the path), metres, and — at the
   * goal position — the heading error still to turn away, radians. Straight-line distance
   * would call a detour around a wall regress, and turning in place at the goal nothing.
   */
  private progressState(pose: Pose2D, goal: Pose2D): { remaining: number; heading: number } {
    const remaining = remainingAlongPath(this.path, pose);
    const atGoal = distance(pose, goal) <= this.local.config.goalTolerance * 2;
    return { remaining, heading: atGoal ? Math.abs(angleDiff(pose.theta, goal.theta)) : Infinity };
  }

  private updatePerception(input: NavCycleInput): { tracks: PersonTrack[]; predictions: PersonPrediction[] } {
    const scan = input.scan;
    if (!this.config.perception || !scan) return { tracks: this.tracker.confirmedTracks(), predictions: [] };
    const hits = scan.endpoints.filter((e) => e.hit !== false);
    const xs = new Float64Array(hits.length);
    const ys = new Float64Array(hits.length);
    hits.forEach((p, i) => {
      xs[i] = p.x;
      ys[i] = p.y;
    });
    const detections = detectPeople({ xs, ys }, input.state.pose, this.staticField);
    const all = this.tracker.update(detections, scan.time);
    const still = new Set(all.filter((t) => this.stayedPut(t, scan.time)).map((t) => t.id));
    const tracks = all.filter((t) => !still.has(t.id));
    for (const id of [...this.anchors.keys()]) if (!all.some((t) => t.id === id)) this.anchors.delete(id);
    // Tracks that stayed put are mapped (the global planner must go round them) and still
    // predicted, standing where they are: a standing person keeps their personal space
    // in the local planner's cost; mapped only, they were as close as a box may be.
    const agents = all.map((t) =>
      still.has(t.id)
        ? { id: t.id, xs: [t.x], ys: [t.y], vx: 0, vy: 0, positionSigma: t.positionSigma }
        : agentFromTrack(t, this.tracker.recentPath(t.id, 0.4, 8) ?? undefined),
    );
    const predictions = agents.length > 0 ? this.predictor.predict({ t0: scan.time, historyDt: 0.4, agents, obstacles: this.staticField }) : [];
    return { tracks, predictions };
  }

  /**
   * True once a track has stayed within 0.15 m of one place for staticTrackAfterS, or for
   * standingAfterS with its speed below standingSpeedMps at every update since. Once
   * standing, a track stays standing until it is 0.3 m from where it stood or walks (speed
   * above standingSpeedMps): seen from another side, a box's estimated centre shifts by
   * more than 0.15 m, and a box that flickers between standing and walking is alternately
   * mapped and cleared.
   */
  private stayedPut(t: PersonTrack, now: number): boolean {
    const slow = Math.hypot(t.vx, t.vy) < this.config.standingSpeedMps;
    const a = this.anchors.get(t.id);
    const moved = a ? Math.hypot(t.x - a.x, t.y - a.y) : Infinity;
    if (a && a.standing && slow && moved <= 0.3) return true;
    if (!a || moved > 0.15) {
      this.anchors.set(t.id, { x: t.x, y: t.y, since: now, slowSince: slow ? now : Infinity, standing: false });
      return false;
    }
    if (!slow) a.slowSince = Infinity;
    else if (a.slowSince === Infinity) a.slowSince = now;
    a.standing = now - a.since >= this.config.staticTrackAfterS || now - a.slowSince >= this.config.standingAfterS;
    return a.standing;
  }

  cycle(input: NavCycleInput): NavCycleOutput {
    const { tracks, predictions } = this.updatePerception(input);
    if (input.scan) {
      const clearance = this.config.personClearanceM;
      const explained = this.config.staticExplainedM;
      // Hits the static map explains (a wall seen with range noise) would only thicken the
      // walls by a cell, narrowing doorways; people are predicted, not mapped. Both still
      // clear the cells their beams cross.
      const endpoints = input.scan.endpoints.map((e) =>
        e.hit === false ||
        (this.staticField.distanceAt(e.x, e.y) > explained && tracks.every((t) => Math.hypot(e.x - t.x, e.y - t.y) > clearance))
          ? e
          : { x: e.x, y: e.y, hit: false },
      );
      this.costmap.obstacles.integrateScan(input.scan.sensor, endpoints);
    }
    const out: NavCycleOutput = {
      status: this.status,
      message: this.message,
      goal: this.goal,
      trajectory: null,
      command: { v: 0, w: 0 },
      globalPath: this.path,
      sample: [],
      candidatesEvaluated: 0,
      collisionProbability: 0,
      tracks,
      predictions,
      personRisk: new Map(),
      replanned: false,
      replanReason: null,
    };
    const goal = this.goal;
    if (!goal || this.status !== 'active') return out;
    const pose = input.state.pose;
    const now = input.now;

    // Progress watch: stuck for noProgressS → replan (once per period); twice → fail.
    const p = this.progressState(pose, goal);
    const eps = this.config.progressEpsilonM;
    if (p.remaining < this.progress.bestRemaining - eps || p.heading < this.progress.bestHeading - eps) {
      this.progress = { bestRemaining: Math.min(p.remaining, this.progress.bestRemaining), bestHeading: Math.min(p.heading, this.progress.bestHeading), at: now, yielded: 0 };
    }
    const sinceLast = this.lastCycleAt === null ? 0 : Math.max(0, Math.min(1, now - this.lastCycleAt));
    this.lastCycleAt = now;
    if (this.progress.yielded < this.config.yieldPatienceS && this.someoneNear(pose)) {
      this.progress.yielded = Math.min(this.config.yieldPatienceS, this.progress.yielded + sinceLast);
    }
    const stuckFor = now - this.progress.at - this.progress.yielded;
    if (stuckFor > 2 * this.config.noProgressS) {
      this.status = 'failed';
      this.message = `No progress toward the goal for ${Math.round(stuckFor)} s; giving up`;
      this.goal = null;
      return { ...out, status: this.status, message: this.message, goal: null };
    }
    let reason: ReplanReason | null = null;
    if (stuckFor > this.config.noProgressS && now - this.lastNoProgressReplan > this.config.noProgressS) {
      reason = 'no-progress';
      this.lastNoProgressReplan = now;
    } else if (this.needReplan || now - this.lastReplan > this.config.replanPeriodS) reason = 'periodic';
    else if (now - this.lastReplan >= this.config.minReplanIntervalS && this.pathBlocked(pose)) reason = 'path-blocked';

    if (reason) {
      // Once the robot got stuck on a way, keep planning with room to turn for this goal.
      if (reason === 'no-progress') this.wideForGoal = true;
      const res = this.replan(pose, now, this.wideForGoal);
      out.replanned = true;
      out.replanReason = reason;
      if (!res.ok) {
        // Keep the old path for now: a person standing in a doorway blocks it only for a while.
        this.message = `Replanning failed: ${res.message}`;
      } else {
        this.message = null;
      }
      out.globalPath = this.path;
    }

    const field = this.localField(pose);
    const result = this.local.plan({
      start: input.state,
      now,
      limits: capLimits(zoneLimits(this.robot.limits, this.zones, input.state.pose), input.speedCap),
      guidancePath: this.path,
      ...(this.pathClearance !== null ? { guidanceClearance: this.pathClearance } : {}),
      ...(this.config.keepRightM > 0 ? { keepRightM: this.config.keepRightM } : {}),
      goal,
      obstacles: field,
      people: predictions,
      seed: input.seed,
    });
    if (!result.ok) {
      this.localFailures++;
      out.trajectory = result.fallback ?? null;
      out.message = `Local planner: ${result.message}`;
      if (this.localFailures >= this.config.maxLocalFailures) {
        this.status = 'failed';
        this.message = `Stuck: ${result.message}`;
        this.goal = null;
        out.status = 'failed';
        out.message = this.message;
      }
      return out;
    }
    this.localFailures = 0;
    out.trajectory = result.chosen;
    out.command = result.command;
    out.sample = result.sample;
    out.candidatesEvaluated = result.candidatesEvaluated;
    out.collisionProbability = result.chosen.collisionProbability;
    out.personRisk = personRisks(result.chosen, predictions, circumscribedRadius(this.robot.limits.footprint));
    out.message = this.message;
    if (result.goalReached && Math.abs(input.state.v) < 0.05) {
      this.status = 'reached';
      this.message = 'Goal reached';
      this.goal = null;
      out.status = 'reached';
      out.message = this.message;
      out.goal = null;
    }
    return out;
  }

  /** True when a confirmed track (walking or standing) is within yieldRangeM of the robot. */
  private someoneNear(pose: Pose2D): boolean {
    const r = this.config.yieldRangeM;
    return this.tracker.confirmedTracks().some((t) => Math.hypot(t.x - pose.x, t.y - pose.y) <= r);
  }

  /**
   * Obstacle distance for the local planner: a window of the costmap (static + live) around
   * the robot, large enough that no candidate leaves it within the horizon.
   */
  private localField(pose: Pose2D) {
    const horizon = this.local.config.horizon;
    const reach = this.robot.limits.vMax * horizon + circumscribedRadius(this.robot.limits.footprint) + 0.5;
    return this.costmap.window(pose, Math.max(6, 2 * reach)).distance;
  }
}

/**
 * Per-person risk on a trajectory: the largest probability-weighted Gaussian overlap between
 * the robot (a disc of `radius`) and each predicted future at the same instant.
 */
export function personRisks(traj: Trajectory, predictions: readonly PersonPrediction[], radius: number): Map<number, number> {
  const risks = new Map<number, number>();
  for (const p of predictions) {
    let worst = 0;
    for (const f of p.futures) {
      for (let k = 0; k < f.xs.length; k++) {
        const t = p.t0 + (k + 1) * p.dt;
        const i = Math.round((t - traj.t0) / traj.dt);
        if (i < 0 || i >= traj.count) continue;
        const d2 = (traj.xs[i]! - f.xs[k]!) ** 2 + (traj.ys[i]! - f.ys[k]!) ** 2;
        const s2 = f.sigmas[k]! ** 2 + (radius + 0.25) ** 2 / 4;
        worst = Math.max(worst, f.probability * Math.exp(-d2 / (2 * s2)));
      }
    }
    risks.set(p.trackId, Math.min(1, worst));
  }
  return risks;
}

/** Segment index and distance along it of the point of `path` nearest `p` (map frame, metres). */
export function projectOntoPath(path: readonly Vec2[], p: Vec2): { segment: number; along: number; offset: number } {
  let best = { segment: 0, along: 0, offset: Infinity };
  for (let i = 0; i < path.length - 1; i++) {
    const a = path[i]!;
    const b = path[i + 1]!;
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const len = Math.hypot(dx, dy);
    const u = len > 1e-9 ? Math.max(0, Math.min(len, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len)) : 0;
    const off = len > 1e-9 ? Math.hypot(p.x - a.x - (u * dx) / len, p.y - a.y - (u * dy) / len) : Math.hypot(p.x - a.x, p.y - a.y);
    if (off < best.offset - 1e-9) best = { segment: i, along: u, offset: off };
  }
  return best;
}

/** Length of `path` from the point nearest `p` to its end, plus the hop from `p` onto it, metres. */
export function remainingAlongPath(path: readonly Vec2[], p: Vec2): number {
  if (path.length === 0) return 0;
  if (path.length === 1) return distance(p, path[0]!);
  const { segment, along, offset } = projectOntoPath(path, p);
  let rest = distance(path[segment]!, path[segment + 1]!) - along;
  for (let i = segment + 1; i < path.length - 1; i++) rest += distance(path[i]!, path[i + 1]!);
  return rest + offset;
}

/** Limits under the operator's speed cap (both directions of travel and turn), or unchanged without one. */
export function capLimits(limits: RobotLimits, cap: { v: number; w: number } | undefined): RobotLimits {
  if (!cap || (cap.v >= limits.vMax && cap.w >= limits.wMax)) return limits;
  const v = Math.min(limits.vMax, cap.v);
  return { ...limits, vMax: v, vMin: Math.max(limits.vMin, -v), wMax: Math.min(limits.wMax, cap.w) };
}
