/**
 * 2D laser graph SLAM (Cartographer/Karto-like), pure and deterministic.
 *
 * Frames: `map` (the optimised graph), a `local` frame per trajectory (where scan-to-submap
 * tracking runs: continuous, never jumps), `odom`, `base_link`, `laser` (at `mount`). SI units.
 *
 * Front end, every scan:
 * 1. Predict base_link in `local` from the odometry increment since the last scan.
 * 2. Match the scan against the older of the two active submaps: an exhaustive correlative
 *    search over a small window (±15 cm, ±20°: catches odometry slips), then
 *    Levenberg–Marquardt on the bicubic grid with a pull toward the prediction. How hard
 *    the prediction pulls is learnt online: the running median of |prediction − map-only
 *    match| on scans the map pins well says how good this robot's odometry is, so a robot
 *    with good wheels keeps straight in corridors (where the map cannot say how far it
 *    went) and one whose odometry slips, or counts reversing as driving forward, is left to
 *    the map. No per-robot tuning.
 * 3. After enough motion (0.2 m, 10°) or time (5 s) the scan becomes a graph node and is
 *    inserted into both active submaps (40 nodes each, overlapping by half, so the matched
 *    submap is never fresh). A submap is a probability grid whose frame IS its first
 *    (anchor) node's base_link frame, so every constraint is node-to-node.
 *
 * Back end:
 * - Edges: node → next node (the local matching's relative pose, stiff: it is what keeps
 *   nearby scans mutually consistent), anchor → node for each submap a node went into
 *   (soft), and loop closures anchor → node.
 * - Loop closures: every third node, finished submaps near the node's map pose and not next
 *   to it along the trajectory are searched by branch-and-bound over a window that grows
 *   with the distance driven since the last closure (1 m + 10 % of it up to 6 m; 10° + 1°/m
 *   up to 40°). A match must score high — 0.6 mean probability, or 90 % of what the node's
 *   own local match scored where that is lower (clutter, sparse scans), never below 0.45 —
 *   and pin both translational directions (a featureless corridor does not).
 *   Small corrections (≤ 0.3 m, 3°) enter directly; a larger one needs another node's
 *   match implying the same correction, then the graph is optimised at once and the group
 *   is undone if it does not fit (its own edges left unsatisfied or earlier closures broken).
 *   Loop edges carry a dynamic-covariance-scaling kernel, so a wrong one that got through
 *   costs a bounded amount instead of bending the map.
 * - Sparse Levenberg–Marquardt (block Cholesky, minimum-degree ordering) when closures are
 *   pending, at most every `optimizeEveryNodes` nodes (bounded cost), and once more before
 *   poses, the graph or the map are read.
 *
 * Every scan, node or not, gets a map pose: its local pose corrected by the map ← local
 * correction of the nodes before and after it (interpolated by scan count).
 */
import { normalizeAngle, type Pose2D } from '../../shared/geometry';
import type { OccupancyGrid } from '../../shared/grid';
import { PrecomputedGrids, BranchAndBoundScratch, branchAndBound } from './branch-and-bound';
import { occupancyFromNodes } from './occupancy';
import { DEFAULT_MAPPER_OPTIONS, type MapperOptions } from './options';
import { PoseGraphOptimizer, type OptimizerEdge } from './pose-graph-optimizer';
import { ProbabilityGrid } from './probability-grid';
import { between, clonePose, compose, IDENTITY, interpolatePose, inverse } from './se2';
import { scanToPoints, type ScanPoints } from './scan-points';
import { agreement, correlativeSearch, MatchScratch, refinePose, type MatchPoints } from './scan-matcher';
import type { Covariance3, Mapper, MappingUpdate, PoseGraphData, PoseGraphEdge, PoseGraphNode, RangeScan, ScanInput } from './types';

interface NodeState {
  id: number;
  time: number;
  /** base_link in its trajectory's local frame (tracking result, never revised). */
  local: Pose2D;
  odom: Pose2D;
  mount: Pose2D;
  scan: RangeScan;
  points: ScanPoints;
  /** Which trajectory (local frame) the node belongs to; restored nodes are trajectory 0. */
  trajectory: number;
  /** Index of its scan among all scans fed (restored nodes: their order in the saved graph). */
  record: number;
  /** Mean probability its scan scored against its own submap (NaN: not matched). */
  localScore: number;
}

interface ScanRecord {
  time: number;
  local: Pose2D;
  trajectory: number;
  /** Last node of the same trajectory at or before this scan (−1 before its first). */
  node: number;
  /** The scan became node `node`. */
  isNode: boolean;
}

class Submap {
  readonly members: number[] = [];
  finished = false;
  /** Sum of member positions in the submap frame (for its centre). */
  sumX = 0;
  sumY = 0;
  pre: PrecomputedGrids | null = null;
  lastUsed = 0;
  constructor(
    readonly id: number,
    readonly anchor: number,
    readonly grid: ProbabilityGrid,
  ) {}
  centre(): { x: number; y: number } {
    const n = Math.max(1, this.members.length);
    return { x: this.sumX / n, y: this.sumY / n };
  }
}

/** Extra counters beyond `Mapper.stats()`, for benches and the CLI. */
export interface MapperDiagnostics {
  loopSearches: number;
  optimizations: number;
  optimizationMs: number;
  edges: number;
  submaps: number;
}

interface PendingClosure {
  node: number;
  sm: Submap;
  /** Node in the submap (anchor) frame. */
  rel: Pose2D;
  score: number;
  conditioning: number;
  jump: number;
  jumpTheta: number;
  correction: Pose2D;
}

/** One accepted loop closure, for diagnostics. */
export interface LoopClosureRecord {
  node: number;
  submap: number;
  anchor: number;
  /** Index of its edge in the graph. */
  edge: number;
  score: number;
  /** Weakest / strongest translational stiffness of the match. */
  conditioning: number;
  /** How far the match moved the node from its estimate at the time, m and rad. */
  jump: number;
  jumpTheta: number;
}

/** Options for a mapper that extends a saved graph. */
export interface RestoreOptions {
  /** Where base_link is believed to be in the map at the first new scan (default: the last node's pose). */
  initialPose?: Pose2D;
  /** Half-widths of the first relocalisation search around it (m, rad). */
  relocalizeLinearWindow?: number;
  relocalizeAngularWindow?: number;
  /** Scans tried before giving up and mapping on from `initialPose` (loosely attached). */
  relocalizeAttempts?: number;
}

export class GraphMapper implements Mapper {
  readonly options: Readonly<MapperOptions>;
  private readonly nodes: NodeState[] = [];
  private readonly submaps: Submap[] = [];
  /** Active submaps of the current trajectory: [older (matched against), newer]. */
  private active: Submap[] = [];
  private readonly optimizer = new PoseGraphOptimizer();
  private readonly edgeKinds: PoseGraphEdge['kind'][] = [];
  private readonly records: ScanRecord[] = [];
  private readonly matchScratch = new MatchScratch();
  private readonly bnbScratch = new BranchAndBoundScratch();

  private trajectoryId = 0;
  /** map ← local of the current trajectory. */
  private mapFromLocal: Pose2D = IDENTITY;
  private lastLocal: Pose2D | null = null;
  private lastOdom: Pose2D | null = null;
  private lastNodeLocal: Pose2D | null = null;
  private lastNodeTime = 0;
  private lastNode = -1;
  private scans = 0;
  /** Distance driven (m) since a loop closure was last accepted: sets the loop search window. */
  private travelSinceClosure = 0;
  /** Running median of |odometry prediction − map-only match| per scan, m. */
  private odomResidual = 0.01;
  private loopClosures = 0;
  private rejectedLoopClosures = 0;
  private pendingConstraints = 0;
  private nodesSinceOptimization = 0;
  private useCounter = 0;
  private cacheBytes = 0;
  private readonly closureLog: LoopClosureRecord[] = [];
  /** Loop-closure matches with a large correction, waiting for confirmation. */
  private pending: PendingClosure[] = [];
  private readonly diag: MapperDiagnostics = { loopSearches: 0, optimizations: 0, optimizationMs: 0, edges: 0, submaps: 0 };
  /** Injected clock for diagnostics only (ms); results never depend on it. */
  private readonly clock: (() => number) | undefined;

  /** Restored-map relocalisation state (null when mapping from scratch or once localised). */
  private relocalize: { hint: Pose2D; linear: number; angular: number; attempt: number; attempts: number; firstOdom: Pose2D | null } | null = null;
  private firstNewNode: number;

  constructor(options: Partial<MapperOptions> = {}, clock?: () => number) {
    this.options = { ...DEFAULT_MAPPER_OPTIONS, ...options };
    this.clock = clock;
    this.firstNewNode = 0;
  }

  /**
   * A mapper that continues a saved graph: the saved nodes become frozen submaps (chunks of
   * consecutive nodes, as the live mapper makes them), the saved edges stay in the graph,
   * and new scans are first localised against the saved submaps (branch-and-bound around
   * `initialPose`, then everywhere), then extend the same graph.
   */
  static fromPoseGraph(data: PoseGraphData, options: Partial<MapperOptions> = {}, restore: RestoreOptions = {}, clock?: () => number): GraphMapper {
    if (data.format !== 'foresight-pose-graph' || data.version !== 1) throw new Error(`not a Foresight pose graph (format ${String(data.format)}, version ${String(data.version)})`);
    const m = new GraphMapper(options, clock);
    m.restore(data, restore);
    return m;
  }

  private restore(data: PoseGraphData, restore: RestoreOptions): void {
    const o = this.options;
    const idOf = new Map<number, number>();
    for (const n of data.nodes) {
      const id = this.nodes.length;
      idOf.set(n.id, id);
      const scan: RangeScan = { ...n.scan, ranges: Float32Array.from(n.scan.ranges) };
      const pose = clonePose(n.pose);
      this.nodes.push({ id, time: n.time, local: pose, odom: clonePose(n.odom), mount: clonePose(n.mount), scan, points: this.points(scan, n.mount), trajectory: 0, record: this.records.length, localScore: Number.NaN });
      this.optimizer.addVariable(pose.x, pose.y, pose.theta, id === 0);
      this.records.push({ time: n.time, local: pose, trajectory: 0, node: id, isNode: true });
    }
    for (const e of data.edges) {
      const from = idOf.get(e.from);
      const to = idOf.get(e.to);
      if (from === undefined || to === undefined) throw new Error(`pose graph edge ${e.from} → ${e.to} names a node that is not in the graph`);
      this.addEdge(from, to, e.relative, e.information, e.kind, e.kernel ?? 'none', e.kernelScale ?? 1);
    }
    // Frozen submaps: nodes [kN, kN + 2N), anchored at their first node.
    const N = o.nodesPerSubmap;
    for (let start = 0; start < this.nodes.length; start += N) {
      const anchor = this.nodes[start]!;
      const sm = new Submap(this.submaps.length, anchor.id, new ProbabilityGrid(o.resolution, o.hitProbability, o.missProbability));
      for (let k = start; k < Math.min(this.nodes.length, start + 2 * N); k++) this.insertInto(sm, this.nodes[k]!, between(anchor.local, this.nodes[k]!.local));
      sm.finished = true;
      sm.grid.crop();
      this.submaps.push(sm);
    }
    const last = this.nodes[this.nodes.length - 1];
    this.trajectoryId = 1;
    this.firstNewNode = this.nodes.length;
    if (last) {
      this.relocalize = {
        hint: restore.initialPose ? clonePose(restore.initialPose) : last.local,
        linear: restore.relocalizeLinearWindow ?? 3,
        angular: restore.relocalizeAngularWindow ?? Math.PI,
        attempt: 0,
        attempts: restore.relocalizeAttempts ?? 20,
        firstOdom: null,
      };
    }
  }

  private now(): number {
    return this.clock ? this.clock() : 0;
  }

  private points(scan: RangeScan, mount: Pose2D): ScanPoints {
    const o = this.options;
    return scanToPoints(scan, mount, { maxRange: o.maxRange, noReturnFreeRange: o.noReturnFreeRange, matchPointSpacing: o.matchPointSpacing, maxMatchPoints: o.maxMatchPoints });
  }

  private static matchPoints(p: ScanPoints): MatchPoints {
    return { x: p.matchX, y: p.matchY, count: p.matchCount, maxRange: p.maxMatchRange };
  }

  addScan(input: ScanInput): MappingUpdate {
    const o = this.options;
    this.scans++;
    const odom = clonePose(input.odom);
    const points = this.points(input.scan, input.mount);
    const time = input.scan.time;

    if (this.relocalize) return this.relocalizeScan(input, odom, points);

    // 1. Prediction in the local frame from the odometry increment.
    const predicted = this.lastLocal && this.lastOdom ? compose(this.lastLocal, between(this.lastOdom, odom)) : odom;
    let local = predicted;
    let score = 0;
    let localScore = Number.NaN;
    const enough = points.hitCount >= o.minPoints;

    // 2. Scan-to-submap matching.
    const target = this.active[0];
    if (target && enough && target.members.length > 0) {
      const anchorLocal = this.nodes[target.anchor]!.local;
      const prior = between(anchorLocal, predicted);
      const mp = GraphMapper.matchPoints(points);
      const coarse = correlativeSearch(
        target.grid,
        mp,
        prior,
        { linearWindow: o.localLinearWindow, angularWindow: o.localAngularWindow, translationPenalty: o.localTranslationPenalty, rotationPenalty: o.localRotationPenalty, stepRange: o.localStepRange },
        this.matchScratch,
      );
      const fine = refinePose(target.grid, mp, coarse.pose, prior, {
        occupiedWeight: o.refineOccupiedWeight,
        translationWeight: this.translationTrust(target.grid, mp, coarse.pose, prior),
        rotationWeight: o.refineRotationWeight,
        maxIterations: o.refineIterations,
      });
      if (fine.score >= o.localMinScore) {
        local = compose(anchorLocal, fine.pose);
        score = agreement(target.grid, mp, fine.pose);
        localScore = fine.score;
      }
    }
    this.lastLocal = local;
    this.lastOdom = odom;

    // 3. Node?
    let addedNode = false;
    let closures = 0;
    if (enough) {
      const moved = this.lastNodeLocal ? between(this.lastNodeLocal, local) : null;
      if (!moved || Math.hypot(moved.x, moved.y) >= o.nodeMinTranslation || Math.abs(moved.theta) >= o.nodeMinRotation || time - this.lastNodeTime >= o.nodeMaxInterval) {
        closures = this.addNode(time, local, odom, input, points, localScore);
        addedNode = true;
      }
    }
    this.records.push({ time, local, trajectory: this.trajectoryId, node: this.lastNode >= 0 && this.nodes[this.lastNode]!.trajectory === this.trajectoryId ? this.lastNode : -1, isNode: addedNode });
    const pose = compose(this.mapFromLocal, local);
    return { pose, mapFromOdom: compose(pose, inverse(odom)), addedNode, loopClosures: closures, matchScore: score };
  }

  /**
   * Weight of the pull toward the odometry prediction in the local refinement (1/m).
   *
   * Tracks how far odometry's predictions land from where the map alone puts the scan — a
   * running median (multiplicative steps of 1 %) over scans where the map-only match scores
   * well and pins both translational directions — takes out the map-only match's own jitter
   * (`matchNoise`) and returns adaptiveTranslationTrust / σ_odometry. Without
   * `adaptiveOdometryTrust`, the fixed refineTranslationWeight.
   */
  private translationTrust(grid: ProbabilityGrid, mp: MatchPoints, start: Pose2D, prior: Pose2D): number {
    const o = this.options;
    if (!o.adaptiveOdometryTrust) return o.refineTranslationWeight;
    const free = refinePose(grid, mp, start, prior, { occupiedWeight: o.refineOccupiedWeight, translationWeight: 0.2, rotationWeight: o.refineRotationWeight, maxIterations: o.refineIterations });
    if (free.score >= 0.5 && translationalConditioning(free.hessian) > 0.25) {
      const d = between(prior, free.pose);
      this.odomResidual *= Math.hypot(d.x, d.y) > this.odomResidual ? 1.01 : 1 / 1.01;
      this.odomResidual = Math.min(0.2, Math.max(0.001, this.odomResidual));
    }
    const sigma = Math.sqrt(Math.max(this.odomResidual ** 2 - o.matchNoise ** 2, o.minOdometryNoise ** 2));
    return o.adaptiveTranslationTrust / sigma;
  }

  /** Adds a node at `local`, inserts it into the active submaps, searches loop closures. */
  private addNode(time: number, local: Pose2D, odom: Pose2D, input: ScanInput, points: ScanPoints, localScore: number): number {
    const o = this.options;
    const id = this.nodes.length;
    const node: NodeState = { id, time, local, odom, mount: clonePose(input.mount), scan: input.scan, points, trajectory: this.trajectoryId, record: this.records.length, localScore };
    this.nodes.push(node);
    const global = compose(this.mapFromLocal, local);
    this.optimizer.addVariable(global.x, global.y, global.theta, id === 0);

    // Sequential constraint from the previous node of this trajectory.
    if (this.lastNode >= 0 && this.nodes[this.lastNode]!.trajectory === this.trajectoryId) {
      const step = between(this.nodes[this.lastNode]!.local, local);
      this.travelSinceClosure += Math.hypot(step.x, step.y);
      this.addEdge(this.lastNode, id, step, diagInfo(o.sequentialSigmaXY, o.sequentialSigmaTheta), 'odometry');
    }
    // A new submap starts at this node when the newest active one is half full (or none yet).
    const newest = this.active[this.active.length - 1];
    if (!newest || newest.members.length >= o.nodesPerSubmap) {
      const sm = new Submap(this.submaps.length, id, new ProbabilityGrid(o.resolution, o.hitProbability, o.missProbability));
      this.submaps.push(sm);
      this.active.push(sm);
    }
    for (const sm of this.active) {
      const anchor = this.nodes[sm.anchor]!;
      const rel = between(anchor.local, local);
      this.insertInto(sm, node, rel);
      if (sm.anchor !== id) this.addEdge(sm.anchor, id, rel, diagInfo(o.submapSigmaXY, o.submapSigmaTheta), 'match');
    }
    // The older active submap is finished at twice the count.
    if (this.active.length > 1 && this.active[0]!.members.length >= 2 * o.nodesPerSubmap) {
      const done = this.active.shift()!;
      done.finished = true;
      done.grid.crop();
    }
    this.lastNode = id;
    this.lastNodeLocal = local;
    this.lastNodeTime = time;
    this.nodesSinceOptimization++;

    let closures = 0;
    if (this.pending.length > 0) this.pending = this.pending.filter((p) => id - p.node <= o.loopPendingNodes);
    if (id % o.loopEveryNodes === 0) closures = this.searchLoopClosures(node);
    if (this.pendingConstraints > 0 && this.nodesSinceOptimization >= o.optimizeEveryNodes) this.optimize();
    return closures;
  }

  private insertInto(sm: Submap, node: NodeState, rel: Pose2D): void {
    sm.grid.insert(node.points, rel);
    sm.members.push(node.id);
    sm.sumX += rel.x;
    sm.sumY += rel.y;
  }

  private addEdge(from: number, to: number, rel: Pose2D, information: Covariance3 | readonly number[], kind: PoseGraphEdge['kind'], kernel: PoseGraphEdge['kernel'] = 'none', kernelScale = 1): number {
    const edge: OptimizerEdge = {
      from,
      to,
      x: rel.x,
      y: rel.y,
      theta: rel.theta,
      information: Array.from(information),
      kernel: kernel ?? 'none',
      kernelScale,
    };
    this.optimizer.addEdge(edge);
    this.edgeKinds.push(kind);
    return this.optimizer.edges.length - 1;
  }

  /** Current map pose of node `id` (optimised, or as initialised since). */
  private nodeGlobal(id: number): Pose2D {
    return this.optimizer.pose(id);
  }

  private precomputed(sm: Submap): PrecomputedGrids {
    sm.lastUsed = ++this.useCounter;
    if (sm.pre) return sm.pre;
    sm.pre = new PrecomputedGrids(sm.grid, this.options.loopDepth);
    this.cacheBytes += sm.pre.bytes;
    // Evict least recently used pyramids beyond the budget.
    while (this.cacheBytes > this.options.precomputationCacheBytes) {
      let victim: Submap | null = null;
      for (const s of this.submaps) if (s.pre && s !== sm && (!victim || s.lastUsed < victim.lastUsed)) victim = s;
      if (!victim) break;
      this.cacheBytes -= victim.pre!.bytes;
      victim.pre = null;
    }
    return sm.pre;
  }

  /** Searches finished submaps near `node` for loop closures; returns how many were accepted. */
  private searchLoopClosures(node: NodeState): number {
    const o = this.options;
    const g = this.nodeGlobal(node.id);
    // The window grows with the distance driven since the map last closed a loop: that is
    // how far dead reckoning and scan matching alone have carried the estimate. Candidates
    // are looked for as much farther out.
    const travel = this.travelSinceClosure;
    const linear = Math.min(o.loopLinearWindow, o.loopMinLinearWindow + o.loopWindowGrowth * travel);
    const angular = Math.min(o.loopAngularWindow, o.loopMinAngularWindow + o.loopAngularWindowGrowth * travel);
    const radius = o.loopSearchRadius + linear;
    const oldestActive = this.active[0]?.id ?? this.submaps.length;
    const candidates: { sm: Submap; d: number }[] = [];
    for (const sm of this.submaps) {
      if (!sm.finished || sm.members.length === 0) continue;
      if (this.nodes[sm.anchor]!.trajectory === node.trajectory && sm.id >= oldestActive - o.loopMinSubmapGap) continue;
      const anchorGlobal = this.nodeGlobal(sm.anchor);
      const c = compose(anchorGlobal, { x: sm.centre().x, y: sm.centre().y, theta: 0 });
      const d = Math.hypot(c.x - g.x, c.y - g.y);
      if (d > radius) continue;
      // The robot must stand (give or take the window) inside the area the submap saw.
      const inSubmap = between(anchorGlobal, g);
      const grid = sm.grid;
      const res = grid.resolution;
      if (
        inSubmap.x < grid.originX + grid.minCol * res - linear ||
        inSubmap.x > grid.originX + (grid.maxCol + 1) * res + linear ||
        inSubmap.y < grid.originY + grid.minRow * res - linear ||
        inSubmap.y > grid.originY + (grid.maxRow + 1) * res + linear
      ) {
        continue;
      }
      candidates.push({ sm, d });
    }
    candidates.sort((a, b) => a.d - b.d);
    let accepted = 0;
    const mp = GraphMapper.matchPoints(node.points);
    // Bounded cost per node: a wide search costs about (window area × angle range), so
    // fewer submaps are searched as the window grows (the nearest first; the next nodes
    // try the others).
    const cost = (linear * linear * angular) / (o.loopMinLinearWindow * o.loopMinLinearWindow * o.loopMinAngularWindow);
    const count = Math.max(1, Math.min(o.loopMaxCandidates, Math.floor(o.loopSearchBudget / cost)));
    for (const { sm } of candidates.slice(0, count)) {
      if (this.tryLoopClosure(node, sm, mp, g, linear, angular)) accepted++;
    }
    return accepted;
  }

  /**
   * Branch-and-bound of `node`'s scan in submap `sm` around its current estimate `g`
   * (map frame), then continuous refinement and the acceptance checks. Adds the edge.
   */
  private tryLoopClosure(node: NodeState, sm: Submap, mp: MatchPoints, g: Pose2D, linear: number, angular: number): boolean {
    const o = this.options;
    this.diag.loopSearches++;
    const anchorGlobal = this.nodeGlobal(sm.anchor);
    const centre = between(anchorGlobal, g);
    // How well a scan can match at all depends on the place and the sensor (clutter, how
    // densely the submaps were filled): where the node's own local match scored low, a
    // closure may score as low, down to a floor.
    const minScore = Number.isFinite(node.localScore) ? Math.max(o.loopMinScoreFloor, Math.min(o.loopMinScore, o.loopRelativeScore * node.localScore)) : o.loopMinScore;
    const found = branchAndBound(this.precomputed(sm), mp, centre, { linearWindow: linear, angularWindow: angular, minScore, stepRange: o.loopStepRange }, this.bnbScratch);
    if (!found) return false;
    const fine = refinePose(sm.grid, mp, found.pose, found.pose, {
      occupiedWeight: o.refineOccupiedWeight,
      translationWeight: o.loopRefineTranslationWeight,
      rotationWeight: o.loopRefineRotationWeight,
      maxIterations: o.refineIterations,
    });
    const conditioning = translationalConditioning(fine.hessian);
    if (fine.score < minScore || conditioning < o.loopMinConditioning) {
      this.rejectedLoopClosures++;
      return false;
    }
    const jump = between(centre, fine.pose);
    const candidate: PendingClosure = {
      node: node.id,
      sm,
      rel: fine.pose,
      score: fine.score,
      conditioning,
      jump: Math.hypot(jump.x, jump.y),
      jumpTheta: jump.theta,
      // The map-frame correction this match implies for the node.
      correction: compose(compose(anchorGlobal, fine.pose), inverse(g)),
    };
    if (candidate.jump <= o.loopTrustedJump && Math.abs(candidate.jumpTheta) <= o.loopTrustedJumpTheta) {
      this.acceptClosures([candidate], o.loopKernelScale);
      return true;
    }
    // A large correction must be confirmed: other recent matches (other nodes) implying the
    // same correction. A single aliased match (a corridor's next door) rarely repeats
    // consistently; a true loop after drift does, node after node.
    const here = this.nodeGlobal(this.lastNode);
    const moved = compose(candidate.correction, here);
    const agreeing = this.pending.filter((p) => {
      const q = compose(p.correction, here);
      return Math.hypot(q.x - moved.x, q.y - moved.y) <= o.loopConsistencyLinear && Math.abs(normalizeAngle(q.theta - moved.theta)) <= o.loopConsistencyAngular;
    });
    const nodes = new Set([candidate.node, ...agreeing.map((p) => p.node)]);
    if (nodes.size < o.loopConfirmations) {
      this.pending.push(candidate);
      return false;
    }
    this.pending = this.pending.filter((p) => !agreeing.includes(p));
    const group = [...agreeing, candidate];
    // The group is trusted as far as it was checked: its kernel admits its own correction
    // (a fixed kernel would treat a true loop after drift as an outlier and ignore it).
    const biggest = Math.max(...group.map((c) => Math.max(c.jump / o.loopSigmaXY, Math.abs(c.jumpTheta) / o.loopSigmaTheta)));
    const saved = this.optimizer.snapshot();
    const savedTravel = this.travelSinceClosure;
    const before = this.loopResiduals();
    const edges = this.acceptClosures(group, Math.max(o.loopKernelScale, 1.5 * biggest));
    // The estimate was far off: optimise now, then check the map agrees with the correction.
    this.optimize();
    if (!this.consistentAfter(edges, before)) {
      for (const e of edges) this.optimizer.edges[e]!.disabled = true;
      this.optimizer.restore(saved);
      this.loopClosures -= edges.length;
      this.rejectedLoopClosures += edges.length;
      this.closureLog.splice(this.closureLog.length - edges.length, edges.length);
      this.travelSinceClosure = savedTravel;
      this.updateCorrection();
      return false;
    }
    return true;
  }

  /** χ² of every enabled loop edge now (edge index → χ²). */
  private loopResiduals(): Map<number, number> {
    const m = new Map<number, number>();
    this.optimizer.edges.forEach((e, k) => {
      if (this.edgeKinds[k] === 'loop' && !e.disabled) m.set(k, this.optimizer.edgeChi2(e));
    });
    return m;
  }

  /**
   * After optimising with a confirmed group of closures: the group must be satisfied (its
   * edges near their noise level) without turning loop closures that fitted before into
   * misfits. Either failing means the group fought the rest of the map: it was wrong.
   */
  private consistentAfter(group: number[], before: Map<number, number>): boolean {
    const o = this.options;
    const k2 = o.loopKernelScale * o.loopKernelScale;
    const chi = group.map((e) => this.optimizer.edgeChi2(this.optimizer.edges[e]!)).sort((a, b) => a - b);
    if (chi[chi.length >> 1]! > 4 * k2) return false;
    let broken = 0;
    for (const [e, was] of before) {
      if (was <= k2 && this.optimizer.edgeChi2(this.optimizer.edges[e]!) > 4 * k2) broken++;
    }
    return broken <= Math.max(2, group.length >> 1);
  }

  private acceptClosures(group: PendingClosure[], kernelScale: number): number[] {
    const o = this.options;
    const edges: number[] = [];
    for (const c of group) {
      const e = this.addEdge(c.sm.anchor, c.node, c.rel, diagInfo(o.loopSigmaXY, o.loopSigmaTheta), 'loop', o.loopKernel, kernelScale);
      edges.push(e);
      this.closureLog.push({ node: c.node, submap: c.sm.id, anchor: c.sm.anchor, edge: e, score: c.score, conditioning: c.conditioning, jump: c.jump, jumpTheta: c.jumpTheta });
      this.travelSinceClosure = 0;
      this.loopClosures++;
      this.pendingConstraints++;
    }
    return edges;
  }

  /** Optimises the graph and moves the current trajectory's map ← local correction. */
  private optimize(): void {
    const t0 = this.now();
    this.optimizer.optimize({ maxIterations: this.options.optimizeIterations, relativeTolerance: 1e-6 });
    this.diag.optimizations++;
    this.diag.optimizationMs += this.now() - t0;
    this.pendingConstraints = 0;
    this.nodesSinceOptimization = 0;
    this.updateCorrection();
  }

  /** map ← local of the current trajectory from its newest node's optimised pose. */
  private updateCorrection(): void {
    if (this.lastNode < 0) return;
    const n = this.nodes[this.lastNode]!;
    if (n.trajectory === this.trajectoryId) this.mapFromLocal = compose(this.nodeGlobal(n.id), inverse(n.local));
  }

  /** Runs a pending optimisation (closures found since the last one). */
  private flush(): void {
    if (this.pendingConstraints > 0) this.optimize();
  }

  /**
   * Restored map, not yet localised: search the saved submaps for this scan, first around
   * the hint, then everywhere; once found, start a new trajectory attached by that match.
   */
  private relocalizeScan(input: ScanInput, odom: Pose2D, points: ScanPoints): MappingUpdate {
    const r = this.relocalize!;
    const o = this.options;
    if (!r.firstOdom) r.firstOdom = odom;
    // Where the hint says we are now: the hint was for the first new scan.
    const guess = compose(r.hint, between(r.firstOdom, odom));
    const fallback = (score: number): MappingUpdate => {
      // Local frame of the coming trajectory = odom; its map pose is fixed once localised.
      this.records.push({ time: input.scan.time, local: odom, trajectory: this.trajectoryId, node: -1, isNode: false });
      return { pose: guess, mapFromOdom: compose(guess, inverse(odom)), addedNode: false, loopClosures: 0, matchScore: score, localized: false };
    };
    if (points.hitCount < o.minPoints) return fallback(0);
    const mp = GraphMapper.matchPoints(points);
    let best: { sm: Submap; pose: Pose2D; score: number } | null = null;
    // Near the hint first (cheap), then every submap over its whole extent.
    const tries: { sm: Submap; centre: Pose2D; linear: number }[] = [];
    for (const sm of this.submaps) {
      const ag = this.nodeGlobal(sm.anchor);
      const c = compose(ag, { x: sm.centre().x, y: sm.centre().y, theta: 0 });
      if (Math.hypot(c.x - guess.x, c.y - guess.y) <= o.loopSearchRadius) tries.push({ sm, centre: between(ag, guess), linear: r.linear });
    }
    for (const t of tries) {
      const f = branchAndBound(this.precomputed(t.sm), mp, t.centre, { linearWindow: t.linear, angularWindow: r.angular, minScore: Math.max(o.loopMinScore, best?.score ?? 0), stepRange: o.loopStepRange }, this.bnbScratch);
      if (f && (!best || f.score > best.score)) best = { sm: t.sm, pose: f.pose, score: f.score };
    }
    // The whole-map search is costly: on the first try and every fifth after.
    if (!best && r.attempt % 5 === 0) {
      for (const sm of this.submaps) {
        if (tries.some((t) => t.sm === sm)) continue;
        const g = sm.grid;
        const cx = g.originX + (g.width * g.resolution) / 2;
        const cy = g.originY + (g.height * g.resolution) / 2;
        const half = (Math.max(g.width, g.height) * g.resolution) / 2;
        const f = branchAndBound(this.precomputed(sm), mp, { x: cx, y: cy, theta: 0 }, { linearWindow: half, angularWindow: Math.PI, minScore: Math.max(o.loopMinScore, best?.score ?? 0), stepRange: o.loopStepRange }, this.bnbScratch);
        if (f && (!best || f.score > best.score)) best = { sm, pose: f.pose, score: f.score };
      }
    }
    if (best) {
      const fine = refinePose(best.sm.grid, mp, best.pose, best.pose, {
        occupiedWeight: o.refineOccupiedWeight,
        translationWeight: o.loopRefineTranslationWeight,
        rotationWeight: o.loopRefineRotationWeight,
        maxIterations: o.refineIterations,
      });
      if (fine.score >= o.loopMinScore && translationalConditioning(fine.hessian) >= o.loopMinConditioning) {
        const global = compose(this.nodeGlobal(best.sm.anchor), fine.pose);
        return this.startTrajectory(input, odom, points, global, { sm: best.sm, rel: fine.pose }, agreement(best.sm.grid, mp, fine.pose));
      }
    }
    r.attempt++;
    if (r.attempt < r.attempts) return fallback(0);
    // Give up: map on from the guess, tied to the last saved node by a very weak constraint
    // so the graph stays one connected problem.
    return this.startTrajectory(input, odom, points, guess, null, 0);
  }

  private startTrajectory(input: ScanInput, odom: Pose2D, points: ScanPoints, global: Pose2D, link: { sm: Submap; rel: Pose2D } | null, score: number): MappingUpdate {
    this.relocalize = null;
    // Local frame of the new trajectory = odom; map ← local from the localised pose.
    this.mapFromLocal = compose(global, inverse(odom));
    this.lastLocal = odom;
    this.lastOdom = odom;
    const id = this.nodes.length;
    const closures = this.addNode(input.scan.time, odom, odom, input, points, Number.NaN);
    if (link) {
      this.addEdge(link.sm.anchor, id, link.rel, diagInfo(this.options.loopSigmaXY, this.options.loopSigmaTheta), 'loop', this.options.loopKernel, this.options.loopKernelScale);
      this.loopClosures++;
    } else {
      const last = this.firstNewNode - 1;
      this.addEdge(last, id, between(this.nodeGlobal(last), global), diagInfo(100, Math.PI), 'odometry');
    }
    this.pendingConstraints++;
    this.optimize();
    this.records.push({ time: input.scan.time, local: odom, trajectory: this.trajectoryId, node: id, isNode: true });
    const pose = compose(this.mapFromLocal, odom);
    return { pose, mapFromOdom: compose(pose, inverse(odom)), addedNode: true, loopClosures: closures + (link ? 1 : 0), matchScore: score };
  }

  occupancyGrid(resolution = this.options.resolution): OccupancyGrid {
    this.flush();
    return occupancyFromNodes(
      this.nodes.map((n) => ({ pose: this.nodeGlobal(n.id), points: n.points })),
      resolution,
    );
  }

  trajectory(): { time: number; pose: Pose2D }[] {
    this.flush();
    // map ← local correction of every node, interpolated between the nodes around a scan.
    const corr = this.nodes.map((n) => compose(this.nodeGlobal(n.id), inverse(n.local)));
    const out: { time: number; pose: Pose2D }[] = new Array<{ time: number; pose: Pose2D }>(this.records.length);
    // Next node of the same trajectory strictly after each record (backward pass).
    const nextOf = new Int32Array(this.records.length);
    let next = -1;
    for (let i = this.records.length - 1; i >= 0; i--) {
      const r = this.records[i]!;
      if (i + 1 < this.records.length && this.records[i + 1]!.trajectory !== r.trajectory) next = -1;
      nextOf[i] = next;
      if (r.isNode) next = r.node;
    }
    for (let i = 0; i < this.records.length; i++) {
      const r = this.records[i]!;
      const b = nextOf[i]! >= 0 ? this.nodes[nextOf[i]!]! : null;
      let c: Pose2D;
      if (r.node < 0) c = b ? corr[b.id]! : this.mapFromLocal;
      else if (r.isNode || !b) c = corr[r.node]!;
      else {
        // By scan count, not time: log clocks can step backwards (the Intel log does).
        const a = this.nodes[r.node]!;
        c = interpolatePose(corr[a.id]!, corr[b.id]!, (i - a.record) / (b.record - a.record));
      }
      out[i] = { time: r.time, pose: compose(c, r.local) };
    }
    return out;
  }

  poseGraph(): PoseGraphData {
    this.flush();
    const nodes: PoseGraphNode[] = this.nodes.map((n) => ({
      id: n.id,
      time: n.time,
      pose: this.nodeGlobal(n.id),
      odom: { ...n.odom },
      mount: { ...n.mount },
      scan: jsonSafeScan(n.scan),
    }));
    const edges: PoseGraphEdge[] = [];
    this.optimizer.edges.forEach((e, k) => {
      if (e.disabled) return;
      edges.push({
        from: e.from,
        to: e.to,
        relative: { x: e.x, y: e.y, theta: e.theta },
        information: Array.from(e.information) as unknown as Covariance3,
        kind: this.edgeKinds[k]!,
        ...(e.kernel !== 'none' ? { kernel: e.kernel, kernelScale: e.kernelScale } : {}),
      });
    });
    return { format: 'foresight-pose-graph', version: 1, nodes, edges };
  }

  stats(): { scans: number; nodes: number; loopClosures: number; rejectedLoopClosures: number } {
    return { scans: this.scans, nodes: this.nodes.length, loopClosures: this.loopClosures, rejectedLoopClosures: this.rejectedLoopClosures };
  }

  /** Accepted loop closures with the χ² of their edge at the current poses (after the kernel's view). */
  loopClosureLog(): (LoopClosureRecord & { chi2: number })[] {
    return this.closureLog.map((r) => ({ ...r, chi2: this.optimizer.edgeChi2(this.optimizer.edges[r.edge]!) }));
  }

  diagnostics(): MapperDiagnostics {
    return { ...this.diag, edges: this.optimizer.edges.length, submaps: this.submaps.length };
  }
}

/** Finite stand-in for an unbounded rangeMax in saved graphs (JSON has no ∞), m. */
const SAVED_RANGE_MAX = 1e9;

/**
 * The scan as plain JSON-safe numbers with its meaning kept: JSON turns NaN and ±∞ into
 * null, so "no return within range" (≥ rangeMax, +∞) is written as rangeMax itself and "no
 * reading" (NaN, −∞) as 0, which lies below rangeMin and is dropped as before.
 */
function jsonSafeScan(scan: RangeScan): RangeScan {
  const rangeMax = Number.isFinite(scan.rangeMax) ? scan.rangeMax : SAVED_RANGE_MAX;
  const ranges = Array.from(scan.ranges, (r) => (Number.isNaN(r) || r === Number.NEGATIVE_INFINITY ? 0 : r >= rangeMax ? rangeMax : r));
  return { ...scan, ranges, rangeMax };
}

/**
 * Weakest / strongest eigenvalue of the 2×2 translational block of a match Hessian: near 0
 * when the map does not pin one direction (a corridor), 1 when it pins both equally.
 */
export function translationalConditioning(h: Float64Array): number {
  const tr = h[0]! + h[4]!;
  const det = h[0]! * h[4]! - h[1]! * h[1]!;
  const disc = Math.sqrt(Math.max(0, (tr * tr) / 4 - det));
  const lMax = tr / 2 + disc;
  return lMax > 0 ? Math.max(0, tr / 2 - disc) / lMax : 0;
}

/** Diagonal information matrix from standard deviations (m, rad). */
export function diagInfo(sigmaXY: number, sigmaTheta: number): Covariance3 {
  const t = 1 / (sigmaXY * sigmaXY);
  return [t, 0, 0, 0, t, 0, 0, 0, 1 / (sigmaTheta * sigmaTheta)];
}

/** A mapper with the default (or overridden) parameters. `clock` (ms) only feeds diagnostics. */
export function createMapper(options: Partial<MapperOptions> = {}, clock?: () => number): GraphMapper {
  return new GraphMapper(options, clock);
}
