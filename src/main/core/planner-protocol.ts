/** Messages between the console core and the planner worker thread (structured clone). */
import type { Pose2D } from '../../shared/geometry';
import type { OccupancyGrid } from '../../shared/grid';
import type { GoalResult, NavCycleOutput, NavigationConfig } from '../../planner/nav';
import type { RobotLimits, RobotState } from '../../planner/local';
import type { ZoneShape } from '../../planner/nav/zones';

export type ToPlanner =
  | { type: 'init'; map: OccupancyGrid; limits: RobotLimits; config: Partial<NavigationConfig> }
  | { type: 'goal'; id: number; goal: Pose2D; from: Pose2D; now: number }
  | { type: 'cancel' }
  /** A new or grown map; the stack is rebuilt on it (zones and goal kept). */
  | { type: 'map'; map: OccupancyGrid }
  /** Operator zones (map frame), replacing the previous ones; the stack replans with them. */
  | { type: 'zones'; zones: ZoneShape[] }
  | {
      type: 'cycle';
      id: number;
      /**
       * The navigation stack's input, already fast-forwarded by the autonomy loop: `now` is
       * the plan's effect time (s) and `state` the robot's state then (map frame). The scan's
       * beam ends (map frame) travel as typed arrays.
       */
      input: {
        now: number;
        state: RobotState;
        seed: number;
        scan: { sensorX: number; sensorY: number; xs: Float64Array; ys: Float64Array; hits: Uint8Array; time: number } | null;
      };
    }
  /** Test hook: makes the worker throw, to exercise crash handling. */
  | { type: 'crash' };

export type FromPlanner =
  | { type: 'ready' }
  /** The worker hit an error it cannot recover from; it exits right after sending this. */
  | { type: 'fatal'; message: string }
  | { type: 'goal-result'; id: number; result: GoalResult }
  /** `goalSerial`: goals received before this cycle was planned (messages arrive in order). */
  | { type: 'cycle-result'; id: number; output: NavCycleOutput; computeS: number; goalSerial: number };
