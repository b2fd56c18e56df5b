/**
 * The one API contract between the console's main side and its renderer, served by both
 * hosts (Electron IPC through the preload, and the web host's WebSocket). Call sites use
 * `ForesightApi`; only the transports use the channel names below.
 *
 * Positions are in the `map` frame, metres; angles radians; times seconds (host clock)
 * unless a field says otherwise.
 */
import type { Pose2D, Twist2D } from './geometry';
import type { RunSummary } from './recording';
import type { Incident } from './incidents';
import type { ProfileCatalog } from './robots';

/** Serial port as listed by discovery. */
export interface PortInfo {
  path: string;
  /** Human label (manufacturer, product), when known. */
  label: string;
  /** How it was found: the OS listing, or a scan of /dev when the listing is unavailable. */
  source: 'system' | 'scan' | 'simulator';
  /** USB vendor and product id (hex, lower case), when the port is a USB device and they could be read. */
  vendorId?: string;
  productId?: string;
  /**
   * What the USB ids suggest is behind the port: a robot profile and/or lidar profiles, with
   * what the chip is ("OpenCR (STM32 virtual COM port)"). Several lidars share one chip
   * (a CP210x is on RPLIDARs and on the LDS adapter), so `lidars` may name more than one.
   */
  proposal?: { robot?: string; lidars?: string[]; what: string };
}

/** A lidar on its own port, merged into the robot (base_link mount: metres, metres, radians). */
export interface LidarAttachment {
  /** Lidar profile name, e.g. 'rplidar-a1', 'lds-01' (see `foresight robots`). */
  model: string;
  /** Serial device; for a simulated robot, omitted (the simulator starts that lidar too). */
  path?: string;
  /** Line rate; default the lidar profile's. */
  baud?: number;
  /** Where it sits on the robot; default the robot profile's lidar mount, else 0,0,0. */
  mount?: { x: number; y: number; yaw: number };
}

export type ConnectRequest = (
  /** Baud default: the robot profile's. */
  | { kind: 'serial'; path: string; baud?: number }
  | { kind: 'tcp'; host: string; port: number }
  /** Start the built-in simulator, speaking the robot profile's protocol, and connect to it. */
  | { kind: 'sim'; seed?: number }
) & {
  /** Robot profile name (see `foresight robots`); default 'foresight', the reference firmware. */
  robot?: string;
  /** A separate lidar whose scans replace the base's own. */
  lidar?: LidarAttachment;
  /**
   * The operator accepts autonomy on a robot that has no firmware dead-man (it keeps driving
   * if the console stops sending, e.g. a pulled USB cable). Without it, goals are refused on
   * such robots; teleop is always allowed.
   */
  allowAutonomyWithoutDeadman?: boolean;
  /**
   * Where the robot stands on the map when it connects (map frame). Robots other than the
   * simulator start their odometry at zero wherever they are: without it, the robot is
   * placed at the map's origin.
   */
  initialPose?: Pose2D;
};

export type CommandResult = { ok: true } | { ok: false; error: string };

export type LinkState =
  | 'disconnected' // no robot selected
  | 'connecting' // opening the port / socket
  | 'handshaking' // open, waiting for Hello
  | 'connected'
  | 'lost' // was connected; silent or gone; reconnecting by itself
  | 'incompatible'; // the robot speaks another protocol version

export interface LinkStatus {
  state: LinkState;
  /** What the operator should read: "Link lost: no data for 500 ms, reconnecting…". */
  message: string;
  /** Port path or host:port, when one is selected. */
  endpoint: string | null;
  rttMs: number | null;
  /** Robot clock minus host clock, ms (NTP-style estimate). */
  clockOffsetMs: number | null;
  /** Frames per second received over the last second. */
  frameRateHz: number;
  crcErrors: number;
  /** All other rejected frames (COBS, length, unknown type, version). */
  badFrames: number;
  reconnects: number;
}

/** What the robot said about itself at handshake. */
export interface RobotInfo {
  name: string;
  protocolVersion: number;
  footprint: { length: number; width: number; centerOffsetX: number };
  wheelBase: number;
  maxLinearVelocity: number;
  maxAngularVelocity: number;
  panMin: number;
  panMax: number;
  /** Which driver speaks to it ('foresight-link', 'sim', …); absent in old recordings. */
  driver?: string;
  /** Where its scans come from. */
  lidar?: 'none' | 'onboard' | 'separate';
  /** What the robot does by itself when commands stop arriving, in plain words. */
  whenCommandsStop?: string;
}

/** Static map for display: an OccupancyGrid with its cells base64-encoded. */
export interface MapPayload {
  name: string;
  width: number;
  height: number;
  resolution: number;
  origin: { x: number; y: number };
  /** base64 of width·height bytes, row 0 = smallest y; 0 free, 100 occupied, 255 unknown. */
  dataBase64: string;
}

export type MotionSource = 'idle' | 'teleop' | 'autonomy';

export interface SafetyState {
  action: 'pass' | 'scale' | 'stop';
  reason: string;
  /** Time to collision along the commanded arc, s; null when none within the window. */
  ttc: number | null;
  /** Speed scale applied, 0…1. */
  scale: number;
}

/** A trajectory for display: flat [x0, y0, x1, y1, …] in the map frame. */
export interface TrajectoryView {
  points: number[];
  cost: number;
}

export interface PersonView {
  id: number;
  x: number;
  y: number;
  vx: number;
  vy: number;
  /** Collision risk the planner assigns this person, 0…1. */
  risk: number;
  /** Predicted futures, each flat [x0, y0, …], with probability. */
  futures: { probability: number; points: number[] }[];
}

/**
 * Where the robot's map pose comes from and how much to trust it. `mode` 'off': odometry
 * placed where the operator (or the simulator) said the robot stood, drifting as odometry does;
 * 'localize': a particle filter on the loaded map corrects map → odom after every scan;
 * 'mapping': the map itself is being built while driving (SLAM).
 */
export interface LocalizationView {
  mode: 'off' | 'localize' | 'mapping';
  /** 'odometry' in mode off; otherwise the estimator's verdict. */
  quality: 'odometry' | 'localized' | 'uncertain' | 'lost' | 'not-initialized';
  /** Plain words for the status bar ("localized, 94 % of the scan matches the map"). */
  reason: string;
  /** Position uncertainty as a 1-σ ellipse in the map frame: semi-axes (m), major-axis angle (rad); null when unknown. */
  ellipse: { major: number; minor: number; angle: number } | null;
  /** Heading 1-σ, rad; null when unknown. */
  headingSigma: number | null;
  /** Fraction of the scan's beams that agree with the map, 0..1; null when unknown. */
  agreement: number | null;
  /** Particles in use (localize). */
  particles: number | null;
  /** Mapping progress (mapping). */
  mapping: { scans: number; nodes: number; loopClosures: number } | null;
  /** Time the estimator took for the newest scan, ms. */
  updateMs: number | null;
}

/** No estimator: the map pose is odometry as placed (a console without localization, a recorded run). */
export const ODOMETRY_ONLY: LocalizationView = {
  mode: 'off', quality: 'odometry', reason: 'Odometry only (no localization): the pose drifts as the wheels slip',
  ellipse: null, headingSigma: null, agreement: null, particles: null, mapping: null, updateMs: null,
};

/** A map on disk the console can load (ROS map_server YAML + image, and its pose graph when it was built here). */
export interface MapFileInfo {
  name: string;
  /** The YAML file's path. */
  path: string;
  /** 'built-in' (shipped) or 'user' (saved by the operator). */
  source: 'built-in' | 'user';
  /** Whether the pose graph was saved beside it (the map can be extended). */
  extendable: boolean;
}

/** Live state pushed to the renderer at ≤ 30 Hz. */
export interface ConsoleSnapshot {
  /** Host time, s. */
  t: number;
  link: LinkStatus;
  robot: RobotInfo | null;
  /** Robot pose in the map frame; null until odometry arrives. */
  pose: Pose2D | null;
  /** Measured body velocity. */
  velocity: Twist2D;
  /** Command last sent to the robot, after safety. */
  command: Twist2D;
  motion: MotionSource;
  emergencyStop: boolean;
  battery: { voltage: number; percent: number | null } | null;
  /** Robot fault names, e.g. "lidar", "bumper". */
  faults: string[];
  /** Screen pan relative to base_link, rad; null when unknown. */
  screenPan: number | null;
  /** Newest scan as map-frame points, flat [x0, y0, …]. */
  scan: number[];
  /** Age of the newest scan, ms. */
  scanAgeMs: number | null;
  safety: SafetyState | null;
  goal: Pose2D | null;
  /** Guidance path, flat [x0, y0, …]. */
  globalPath: number[];
  /** A sample of the local planner's candidates. */
  candidates: TrajectoryView[];
  chosen: TrajectoryView | null;
  people: PersonView[];
  /** Where the screen is looking, map frame; null when not planned. */
  gazeTarget: { x: number; y: number } | null;
  /** Plain-words status line for the operator ("Goal reached", "Path blocked, replanning"). */
  notice: string | null;
  localization: LocalizationView;
  /**
   * The operator's speed limit: a fraction (0.05…1) of the robot's limits (linear and angular
   * alike), applied in main to teleop and autonomy. Held by the console, so a reload keeps it.
   */
  speedLimit: number;
  recording: RecordingView;
}

/** Whether this console is writing the run log, for the always-visible recording indicator. */
export interface RecordingView {
  /**
   * 'recording': a run is open and being written; 'ready': the run log is open, a run starts
   * when a robot connects; 'off': nothing is being recorded (see `reason`).
   */
  state: 'recording' | 'ready' | 'off';
  /** The run being written, when recording. */
  runId: number | null;
  /** Why nothing is recorded, in plain words (no run log configured, the database refused, …). */
  reason: string | null;
}

/** Events the operator should see once (toasts / log), besides the continuous snapshot. */
export interface ConsoleEvent {
  t: number;
  level: 'info' | 'warn' | 'error';
  message: string;
}

/**
 * Teleop input, normalized: `linear` and `angular` in [−1, 1] of the robot's limits.
 * Dead-man semantics: the main side stops teleop motion if no input arrives for 300 ms,
 * so the renderer repeats input while a key or stick is held and sends zeros on release.
 */
export interface TeleopInput {
  linear: number;
  angular: number;
}

/** Request/response of each API method. */
export interface ApiMethods {
  listPorts: { req: null; res: PortInfo[] };
  /** Robot and lidar profiles (built-in and the user's), for the connection panel. */
  listProfiles: { req: null; res: ProfileCatalog };
  getMap: { req: null; res: MapPayload | null };
  getSnapshot: { req: null; res: ConsoleSnapshot };
  connect: { req: ConnectRequest; res: CommandResult };
  disconnect: { req: null; res: CommandResult };
  teleop: { req: TeleopInput; res: CommandResult };
  emergencyStop: { req: null; res: CommandResult };
  releaseEmergencyStop: { req: null; res: CommandResult };
  setGoal: { req: Pose2D; res: CommandResult };
  /** Where the robot is on the map now (map frame): odometry carries on from there. */
  setRobotPose: { req: Pose2D; res: CommandResult };
  cancelGoal: { req: null; res: CommandResult };
  /** Start building a new map while driving, or extend the loaded one (when it was built here). */
  startMapping: { req: { extend: boolean }; res: CommandResult };
  /** Save the map being built (PGM + YAML + pose graph) under a name in the user's maps folder. */
  saveMap: { req: { name: string }; res: { ok: true; path: string } | { ok: false; error: string } };
  listMaps: { req: null; res: MapFileInfo[] };
  /** Load a map by name and localize on it (from the robot's placement, else globally). */
  loadMap: { req: { name: string }; res: CommandResult };
  /** Localization on the current map: on (pose from the placement, else global), global (pose unknown), or off (odometry only). */
  setLocalization: { req: { mode: 'on' | 'global' | 'off' }; res: CommandResult };
  /** The operator's speed limit, a fraction 0.05…1 of the robot's limits, for teleop and autonomy. */
  setSpeedLimit: { req: { fraction: number }; res: CommandResult };
  // ── review (recorded runs) and zones: see ReviewApiMethods ──
  listRuns: ReviewApiMethods['listRuns'];
  getRun: ReviewApiMethods['getRun'];
  renameRun: ReviewApiMethods['renameRun'];
  tagRun: ReviewApiMethods['tagRun'];
  deleteRun: ReviewApiMethods['deleteRun'];
  getRunTimeline: ReviewApiMethods['getRunTimeline'];
  getRunFrame: ReviewApiMethods['getRunFrame'];
  getRunSeries: ReviewApiMethods['getRunSeries'];
  getIncidents: ReviewApiMethods['getIncidents'];
  listZones: ReviewApiMethods['listZones'];
  saveZone: ReviewApiMethods['saveZone'];
  deleteZone: ReviewApiMethods['deleteZone'];
  getHeatmap: ReviewApiMethods['getHeatmap'];
}
export type ApiMethodName = keyof ApiMethods;

/** Pushed from main to renderer. */
export interface ApiEvents {
  snapshot: ConsoleSnapshot;
  event: ConsoleEvent;
  /** The static map changed (new robot, new map). */
  map: MapPayload | null;
}
export type ApiEventName = keyof ApiEvents;

export type Unsubscribe = () => void;

/** What the renderer holds: the same object whichever host serves it. */
export interface ForesightApi {
  invoke<M extends ApiMethodName>(method: M, req: ApiMethods[M]['req']): Promise<ApiMethods[M]['res']>;
  on<E extends ApiEventName>(event: E, listener: (payload: ApiEvents[E]) => void): Unsubscribe;
}

/** The review and zone methods (served by src/main/review/handlers.ts). */
export const REVIEW_API_METHOD_NAMES: readonly ReviewApiMethodName[] = [
  'listRuns', 'getRun', 'renameRun', 'tagRun', 'deleteRun', 'getRunTimeline', 'getRunFrame', 'getRunSeries',
  'getIncidents', 'listZones', 'saveZone', 'deleteZone', 'getHeatmap',
];

/** Every method name, for transports that validate names at runtime. */
export const API_METHOD_NAMES: readonly ApiMethodName[] = [
  'listPorts', 'listProfiles', 'getMap', 'getSnapshot', 'connect', 'disconnect', 'teleop',
  'emergencyStop', 'releaseEmergencyStop', 'setGoal', 'setRobotPose', 'cancelGoal',
  'startMapping', 'saveMap', 'listMaps', 'loadMap', 'setLocalization', 'setSpeedLimit',
  ...REVIEW_API_METHOD_NAMES,
];
export const API_EVENT_NAMES: readonly ApiEventName[] = ['snapshot', 'event', 'map'];

/** Transport channel names: used only inside the preload, the Electron host and the web host. */
export const IPC_CHANNELS = { invoke: 'foresight:invoke', event: 'foresight:event' } as const;
/** Web host WebSocket path; the access token is the `token` query parameter. */
export const WS_PATH = '/api';

/** Web host WebSocket messages (JSON). */
export type WsClientMessage = { id: number; method: ApiMethodName; req: unknown };
export type WsServerMessage =
  | { id: number; ok: true; res: unknown }
  | { id: number; ok: false; error: string }
  | { event: ApiEventName; payload: unknown };

// ─────────────────────────────────────────────────────────────────────────────────────────
// Review of recorded runs, operator zones and the intervention heatmap.
// Times `t` are host-clock seconds (Unix epoch) as recorded; positions in the `map` frame, m.
// ─────────────────────────────────────────────────────────────────────────────────────────

/** Run list filter: free text (name, robot, source, outcome, tags, id) and one tag. */
export interface RunListQuery {
  search?: string;
  tag?: string;
}

export type RunRef = { runId: number };

/** What a timeline marker stands for. */
export type TimelineMarkerKind = 'incident' | 'link-loss' | 'emergency-stop' | 'safety-stop';

/** A marker on the review timeline. */
export interface TimelineMarker {
  /** Stable within the run: "incident:3", "estop:1042.12". */
  id: string;
  kind: TimelineMarkerKind;
  /** Host clock, s. */
  t: number;
  /** Short label for the marker's tooltip: "Safety stop", "Link lost 1.4 s". */
  label: string;
  /** For incident markers: the incident's id (see getIncidents). */
  incidentId?: number;
  /** How long the condition lasted, s, when known (a link loss until reconnect, a stop until it cleared). */
  durationS?: number;
}

export interface RunTimeline {
  runId: number;
  /** Host clock, s. */
  startT: number;
  endT: number;
  durationS: number;
  markers: TimelineMarker[];
}

/** A ConsoleSnapshot-shaped view of a recorded run at instant `t` (`snapshot.t === t`). */
export interface RunFrame {
  runId: number;
  /** The instant asked for, host clock, s. */
  t: number;
  snapshot: ConsoleSnapshot;
}

/**
 * Time series for plots, on one common time base (bucketed): `t[i]` is a bucket's centre,
 * each series holds the bucket's aggregate or null when the bucket has no sample.
 */
export interface RunSeries {
  runId: number;
  /** Host clock, s. */
  t: number[];
  /** Mean |v| of odometry in the bucket, m/s. */
  speed: (number | null)[];
  /** Nearest scan return in the bucket (from the lidar), m. */
  clearance: (number | null)[];
  /** Longest planner cycle in the bucket, ms. */
  cycleMs: (number | null)[];
  /** Highest person risk in the bucket, 0…1. */
  risk: (number | null)[];
  /**
   * Where the run went, map frame, m: the box around every recorded robot position and every
   * goal the operator set (what review fits when the run opens); null when it has neither.
   */
  extent: { minX: number; minY: number; maxX: number; maxY: number } | null;
}

/** An operator-drawn zone, obeyed by every planning layer. Polygon in the map frame, m. */
export interface Zone {
  id: number;
  name: string;
  kind: 'keep-out' | 'slow';
  /** Speed limit inside a slow zone, m/s; null for keep-out. */
  slowSpeed: number | null;
  /** Flat [x0, y0, x1, y1, …], at least 3 vertices, not closed (last ≠ first). */
  polygon: number[];
  /** Host clock, s. */
  createdAt: number;
  updatedAt: number;
}

/** saveZone: without `id` creates, with `id` replaces. */
export interface ZoneInput {
  id?: number;
  name: string;
  kind: Zone['kind'];
  slowSpeed?: number | null;
  polygon: number[];
}

export type SaveZoneResult = { ok: true; zone: Zone } | { ok: false; error: string };

/** Where interventions and stops happen over all runs, as counts on a grid in the map frame. */
export interface HeatmapView {
  /** Cell size, m. */
  cellSize: number;
  /** Map-frame position of cell (0, 0)'s lower-left corner, m. */
  origin: { x: number; y: number };
  width: number;
  height: number;
  /** Row-major counts, row 0 = smallest y; length width·height. */
  counts: number[];
  /** Largest count (0 when empty). */
  max: number;
  /** Events counted, and runs they came from. */
  events: number;
  runs: number;
}

export interface ReviewApiMethods {
  listRuns: { req: RunListQuery | null; res: RunSummary[] };
  getRun: { req: RunRef; res: RunSummary };
  renameRun: { req: RunRef & { name: string }; res: CommandResult };
  /** Replaces the run's tags. */
  tagRun: { req: RunRef & { tags: string[] }; res: CommandResult };
  /** Deletes a finished run and all its records (the UI confirms first). */
  deleteRun: { req: RunRef; res: CommandResult };
  getRunTimeline: { req: RunRef; res: RunTimeline };
  getRunFrame: { req: RunRef & { t: number }; res: RunFrame };
  /** `points`: buckets on the time base (default 1500, at most 5000). */
  getRunSeries: { req: RunRef & { points?: number }; res: RunSeries };
  /** The run's incidents, explained, in time order (ids from 1). */
  getIncidents: { req: RunRef; res: Incident[] };
  listZones: { req: null; res: Zone[] };
  saveZone: { req: ZoneInput; res: SaveZoneResult };
  deleteZone: { req: { id: number }; res: CommandResult };
  /** `cellSize` m (default 0.5). */
  getHeatmap: { req: { cellSize?: number } | null; res: HeatmapView };
}
export type ReviewApiMethodName = keyof ReviewApiMethods;
