/** Messages between the console core and the planner worker thread (structured clone). */
import type { Pose2D } from '../../shared/geometry';
import type { OccupancyGrid } from '../../shared/grid';
import type { GoalResult, NavCycleOutput, NavigationConfig } from '../../planner/nav';
import type { RobotLimits, RobotState } from '../../planner/local';
import type { Latencies, SentCommand } from '../../planner/predictive';
import type { ZoneShape } from '../../planner/nav/zones';

export type ToPlanner =
  | { type: 'init'; map: OccupancyGrid; limits: RobotLimits; config: Partial<NavigationConfig> }
  | { type: 'goal'; id: number; goal: Pose2D; from: Pose2D; now: number }
  | { type: 'cancel' }
  /** Operator zones (map frame), replacing the previous ones; the stack replans with them. */
  | { type: 'zones'; zones: ZoneShape[] }
  | {
      type: 'cycle';
      id: number;
      /** Host time the cycle starts, s. */
      now: number;
      measured: RobotState;
      /** Host time the measured state arrived, s. */
      receivedAt: number;
      latency: Latencies;
      commands: SentCommand[];
      /** Newest scan, map frame: beam ends with hit flags, sensor position, scan time (s). */
      scan: { sensorX: number; sensorY: number; xs: Float64Array; ys: Float64Array; hits: Uint8Array; time: number } | null;
      seed: number;
    }
  /** Test hook: makes the worker throw, to exercise crash handling. */
  | { type: 'crash' };

export type FromPlanner =
  | { type: 'ready' }
  /** The worker hit an error it cannot recover from; it exits right after sending this. */
  | { type: 'fatal'; message: string }
  | { type: 'goal-result'; id: number; result: GoalResult }
  | { type: 'cycle-result'; id: number; output: NavCycleOutput; computeS: number };
