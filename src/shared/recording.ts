/**
 * Recorded runs: the shapes the recorder writes and the review API returns. Pure types,
 * shared by the main side (src/main/recorder) and the renderer's review UI.
 *
 * Times `t` are seconds on the host clock (Unix epoch); fields ending in `Us` are
 * microseconds on the clock they name. Positions in metres, angles in radians, frames as
 * stated per field.
 */
import type { Pose2D, Twist2D } from './geometry';
import type { PersonView, SafetyState } from './api';
import type {
  HelloMsg, PongMsg, ScreenStateMsg, StatusMsg,
} from './protocol';

/** How a run ended. `interrupted`: the console died mid-run (set when the database is next opened). */
export type RunOutcome = 'completed' | 'goal-reached' | 'aborted' | 'link-lost' | 'failed' | 'interrupted';

/** One row of the run list. */
export interface RunSummary {
  id: number;
  /** Operator-given name; empty until renamed. */
  name: string;
  robotName: string;
  /** Where the robot was reached: "serial:/dev/ttyACM0", "tcp:host:port", "sim", "scenario:FILE". */
  source: string;
  /** Host clock, s. */
  startedAt: number;
  /** Host clock, s; null while the run is being recorded. */
  endedAt: number | null;
  /** endedAt − startedAt, or time of the newest record − startedAt while recording, s. */
  durationS: number;
  /** Path length of the odometry, m. */
  distanceM: number;
  /** Null while recording. */
  outcome: RunOutcome | null;
  /** Incidents detected in the run (detection lands with the review work; 0 until then). */
  incidents: number;
  tags: string[];
}

/** Odometry as received: pose in `odom`, body velocity in `base_link`. */
export interface RecordedOdometry {
  kind: 'odometry';
  /** Host receive time, s. */
  t: number;
  /** Robot send time, µs (robot clock). */
  robotTimeUs: number;
  /** Link sequence number of the frame. */
  seq: number;
  x: number;
  y: number;
  theta: number;
  v: number;
  w: number;
  lastCommandSeq: number;
}

/** One lidar revolution as received; angles in the lidar frame. */
export interface RecordedScan {
  kind: 'laser-scan';
  t: number;
  robotTimeUs: number;
  seq: number;
  angleMin: number;
  angleIncrement: number;
  timeIncrement: number;
  rangeMin: number;
  rangeMax: number;
  ranges: Float32Array;
}

/** Low-rate robot messages (hello, status, screen-state, pong), stored as decoded. */
export interface RecordedRobotMessage {
  kind: 'robot-message';
  t: number;
  robotTimeUs: number;
  seq: number;
  msg: HelloMsg | StatusMsg | ScreenStateMsg | PongMsg;
}

export type RecordedCommandType = 'velocity' | 'screen' | 'stop' | 'ping';

/** A command the host sent. Fields that do not apply to `type` are null. */
export interface RecordedCommand {
  kind: 'command';
  /** Host send time, s. */
  t: number;
  seq: number;
  type: RecordedCommandType;
  /** velocity: m/s and rad/s in base_link. */
  v: number | null;
  w: number | null;
  /** screen: target pan, rad relative to base_link x; rate limit rad/s. */
  panAngle: number | null;
  maxRate: number | null;
  /** stop: StopReason code. */
  stopReason: number | null;
}

/** One sampled candidate of a planner cycle. */
export interface RecordedCandidate {
  /** Total cost. */
  cost: number;
  /** Cost terms, in the order of the cycle's `termNames`. */
  terms: number[];
  /** Flat [x0, y0, …], map frame, m (decimated for storage). */
  points: number[];
}

/** One local-planner cycle. */
export interface RecordedPlannerCycle {
  kind: 'planner-cycle';
  t: number;
  /** Wall time the cycle took, s. */
  cycleTimeS: number;
  /** Chosen trajectory, flat [x0, y0, …], map frame; empty when none. */
  chosen: number[];
  chosenCost: number | null;
  /** Start state the plan was made from (fast-forwarded), map frame. */
  start: Pose2D | null;
  goal: Pose2D | null;
  /** Candidates evaluated this cycle (all, not only the sampled ones). */
  candidateCount: number;
  /** Free-form extra figures (e.g. stage timings, s). */
  extra: Record<string, number>;
}

/** The candidate sample of one planner cycle (its own record so it can be shed first under disk pressure). */
export interface RecordedCandidateSample {
  kind: 'candidates';
  /** Time of the planner cycle it belongs to, s. */
  t: number;
  termNames: string[];
  candidates: RecordedCandidate[];
}

/** A guidance (global) path, recorded when it changes. */
export interface RecordedGuidancePath {
  kind: 'guidance-path';
  t: number;
  /** Flat [x0, y0, …], map frame; empty when cleared. */
  points: number[];
}

/** People and their predicted futures, as the live view showed them. */
export interface RecordedPredictions {
  kind: 'predictions';
  t: number;
  people: PersonView[];
}

/** A decision of the reactive safety loop, with its reason. */
export interface RecordedSafetyAction {
  kind: 'safety';
  t: number;
  action: SafetyState['action'];
  /** Plain words: "person 0.4 m ahead in the stop zone". */
  reason: string;
  /** Time to collision, s; null when none within the window. */
  ttc: number | null;
  /** Speed scale applied, 0…1. */
  scale: number;
  /** Command before safety (base_link). */
  requested: Twist2D | null;
  /** Command after safety (base_link). */
  commanded: Twist2D | null;
  /** Zone name and triggering points (base_link, flat [x0, y0, …]), when known. */
  zone: string | null;
  points: number[];
}

export type OperatorActionType =
  | 'teleop' | 'set-goal' | 'cancel-goal' | 'emergency-stop' | 'release-emergency-stop' | 'connect' | 'disconnect'
  /** The operator placed the robot on the map (the pose is in `goal`'s fields). */
  | 'set-robot-pose'
  /** Maps: `detail` says which ('new'/'extend', the saved path, the loaded name, the localization mode). */
  | 'start-mapping' | 'save-map' | 'load-map' | 'set-localization'
  /** The operator's speed limit changed (`detail`: "60 %"). */
  | 'set-speed-limit';

export interface RecordedOperatorAction {
  kind: 'operator';
  t: number;
  action: OperatorActionType;
  /** Teleop input normalized to [−1, 1] of the robot's limits. */
  teleop?: { linear: number; angular: number };
  goal?: Pose2D;
  /** Connect target etc. */
  detail?: string;
}

export type LinkEventType = 'connected' | 'lost' | 'reconnected' | 'bad-frame' | 'incompatible' | 'disconnected';

export interface RecordedLinkEvent {
  kind: 'link';
  t: number;
  event: LinkEventType;
  /** Plain words for the operator. */
  message: string;
  /** For bad frames: the decoder's reason (e.g. "crc"). */
  reason?: string;
}

/** Pose of `odom` in `map` (localization), recorded when it changes. */
export interface RecordedMapToOdom {
  kind: 'map-to-odom';
  t: number;
  x: number;
  y: number;
  theta: number;
}

/** A record kind this version does not type (future kinds). `data` is JSON. */
export interface RecordedGeneric {
  kind: 'generic';
  t: number;
  /** The caller's kind name, e.g. "gaze". */
  type: string;
  data: unknown;
}

export type RecordedRecord =
  | RecordedOdometry | RecordedScan | RecordedRobotMessage | RecordedCommand | RecordedPlannerCycle
  | RecordedCandidateSample | RecordedGuidancePath | RecordedPredictions | RecordedSafetyAction
  | RecordedOperatorAction | RecordedLinkEvent | RecordedMapToOdom | RecordedGeneric;
export type RecordKind = RecordedRecord['kind'];

/** What the map view needs to draw a run at instant `t`: the newest of each at or before `t`. */
export interface RunStateAt {
  runId: number;
  /** The instant asked for, s. */
  t: number;
  robot: HelloMsg | null;
  odometry: RecordedOdometry | null;
  mapToOdom: RecordedMapToOdom | null;
  scan: RecordedScan | null;
  status: StatusMsg | null;
  screen: ScreenStateMsg | null;
  command: RecordedCommand | null;
  plannerCycle: RecordedPlannerCycle | null;
  /** The sample belonging to `plannerCycle` (same t), when kept. */
  candidates: RecordedCandidateSample | null;
  guidancePath: RecordedGuidancePath | null;
  predictions: RecordedPredictions | null;
  safety: RecordedSafetyAction | null;
}

/** Recorder health, shown by the console. */
export interface RecorderStatus {
  state: 'idle' | 'recording' | 'degraded' | 'closed';
  /** One line for the status bar: "recording: ok", "recording: degraded — disk full; 1234 records dropped". */
  message: string;
  runId: number | null;
  /** Records waiting in memory (not yet handed to the writer). */
  queuedRecords: number;
  /** Records handed to the writer and not yet committed. */
  inFlightRecords: number;
  writtenRecords: number;
  /** Records dropped since the recorder opened, by what they were. */
  droppedRecords: { candidates: number; bulk: number; telemetry: number; events: number };
  /** The last write error, plain words; null when none. */
  lastError: string | null;
}
