/**
 * Runs the mapper over a CARMEN log as fast as it goes and scores the final optimised
 * trajectory against a relations file. Shared by `foresight slam-eval`, the bench and the
 * integration test, so all three measure the same thing.
 */
import { performance } from 'node:perf_hooks';
import type { Pose2D } from '../../../shared/geometry';
import { createMapper, type GraphMapper, type MapperDiagnostics } from '../../../planner/slam/graph-mapper';
import type { MapperOptions } from '../../../planner/slam/options';
import { carmenRangeScan, type CarmenLog } from './carmen-log';
import { evaluateRelations, type Relation, type RelationErrors } from './relations';

export interface SlamRun {
  mapper: GraphMapper;
  /** Scans fed. */
  scans: number;
  /** Log time spanned by the fed scans, s. */
  logSeconds: number;
  /** Wall time of all addScan calls plus the final optimisation, s. */
  wallSeconds: number;
  /** Wall time of each addScan call, ms. */
  perScanMs: Float64Array;
  /**
   * Robot (base_link) pose in map at every fed scan, by exact ipc_timestamp text. The
   * relations give the pose at t2 "in the robot frame at t1", and the benchmark's raw-odometry
   * check reproduces with the robot poses (FLASER odom fields: fr079 median 0.067 m) but not
   * with the laser poses (0.077 m), so robot poses are what the metric compares.
   */
  poses: Map<string, Pose2D>;
  /** Poses the mapper returned (one per fed scan). */
  trajectoryLength: number;
  stats: ReturnType<GraphMapper['stats']>;
  diagnostics: MapperDiagnostics;
}

/** Feeds the first `limit` scans (all by default) to a fresh mapper. */
export function runMapperOnLog(log: CarmenLog, options: Partial<MapperOptions> = {}, limit = log.scans.length): SlamRun {
  const mapper = createMapper(options, () => performance.now());
  const count = Math.min(limit, log.scans.length);
  const perScanMs = new Float64Array(count);
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const s = log.scans[i]!;
    const a = performance.now();
    mapper.addScan({ scan: carmenRangeScan(s), odom: s.odom, mount: s.mount });
    perScanMs[i] = performance.now() - a;
  }
  const trajectory = mapper.trajectory(); // runs the last pending optimisation
  const wallSeconds = (performance.now() - t0) / 1000;
  const poses = new Map<string, Pose2D>();
  for (let i = 0; i < count; i++) poses.set(log.scans[i]!.timeText, trajectory[i]!.pose);
  const logSeconds = count > 1 ? log.scans[count - 1]!.time - log.scans[0]!.time : 0;
  return { mapper, scans: count, logSeconds, wallSeconds, perScanMs, poses, trajectoryLength: trajectory.length, stats: mapper.stats(), diagnostics: mapper.diagnostics() };
}

/** Relations whose both timestamps are among the first `count` scans of the log. */
export function relationsWithin(relations: readonly Relation[], log: CarmenLog, count: number): Relation[] {
  const inside = new Set<string>();
  for (let i = 0; i < Math.min(count, log.scans.length); i++) inside.add(log.scans[i]!.timeText);
  return relations.filter((r) => inside.has(r.t1) && inside.has(r.t2));
}

/** Raw odometry as the estimate (the benchmark's sanity baseline): robot pose from FLASER's odom fields. */
export function odometryPoses(log: CarmenLog): Map<string, Pose2D> {
  const m = new Map<string, Pose2D>();
  for (const s of log.scans) m.set(s.timeText, s.odom);
  return m;
}

export function scoreRun(run: SlamRun, relations: readonly Relation[]): RelationErrors {
  return evaluateRelations(relations, run.poses);
}
