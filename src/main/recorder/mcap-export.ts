/**
 * Exports a recorded run to MCAP so it opens in Foxglove or Lichtblick.
 *
 * Messages are JSON (`json` message encoding) described by JSON Schema (`jsonschema`
 * schema encoding): Foxglove's well-known schemas from @foxglove/schemas where one fits,
 * small schemas of our own otherwise. Log time = publish time = host receive/send time.
 *
 * Topics (see MCAP_TOPICS):
 *   /map           foxglove.Grid             occupancy grid (map), at the run's start and whenever it changed
 *   /tf            foxglove.FrameTransform   odom→base_link per odometry, map→odom per localization update
 *   /odom          foxglove.PoseInFrame      robot pose in odom
 *   /scan          foxglove.LaserScan        frame base_link, origin at the lidar mount
 *   /plan/global   foxglove.PosesInFrame     guidance path (map), when it changed
 *   /plan/chosen   foxglove.PosesInFrame     chosen local trajectory (map), per planner cycle
 *   /plan/candidates foxglove.SceneUpdate    candidate sample as lines (map)
 *   /plan/cycle    foresight.PlannerCycle    cycle time, cost, candidate count
 *   /people        foxglove.SceneUpdate      people and predicted futures (map)
 *   /safety        foxglove.Log              safety actions with their reasons
 *   /events        foxglove.Log              operator actions, link events, other records
 *   /cmd_vel, /cmd_screen, /cmd_stop         foresight.* command schemas
 *   /robot/status, /robot/screen             foresight.* robot state schemas
 * Metadata records: `foresight.run` (the run summary), `foresight.robot` (the Hello, the
 * robot description) and `foxglove` (`deviceName`: the robot's name, which Foxglove's data
 * platform files the recording under; the last `foxglove` record of a file counts).
 *
 * The map: the run database holds no occupancy grid (review draws the console's current
 * map), so the caller passes the map(s) the run was driven on (`maps`; the CLI resolves
 * `--map` and the run's own load-map / save-map events, see run-maps.ts). The grid keeps
 * the ROS nav_msgs/OccupancyGrid convention: one INT8 field `occupancy`, 0 free, 100
 * occupied, 1…99 occupancy in percent, −1 unknown (our 255 read as a signed byte), row 0 at
 * the origin (smallest y), rows along +y, `cell_size` = resolution (m), pose = the map
 * corner of cell (0, 0) in `map`.
 *
 * Chunks (1 MiB before compression, @mcap/core's default) are compressed with zstd
 * (@foxglove/wasm-zstd, the codec Foxglove itself uses): a 7.5-minute mostly idle run goes
 * from 49.6 MB to 9.9 MB. Repeated telemetry compresses to almost nothing; what remains is
 * mostly the lidar's range noise and the candidate polylines. Readers need a zstd
 * decompress handler (mcapDecompressHandlers() gives one for @mcap/core).
 */
import { McapWriter, type IWritable } from '@mcap/core';
import * as schemas from '@foxglove/schemas/jsonschema';
import { closeSync, fstatSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import type { OccupancyGrid } from '../../shared/grid';
import type { HelloMsg, ScreenStateMsg, StatusMsg } from '../../shared/protocol';
import type { RecordKind, RecordedGeneric, RecordedOperatorAction, RecordedRecord } from '../../shared/recording';
import type { RunStore } from './run-store';
import { MAP_RECORD_TYPE } from './map-record';

/** Topic → schema name, in the order channels are registered. */
export const MCAP_TOPICS = {
  '/map': 'foxglove.Grid',
  '/tf': 'foxglove.FrameTransform',
  '/odom': 'foxglove.PoseInFrame',
  '/scan': 'foxglove.LaserScan',
  '/plan/global': 'foxglove.PosesInFrame',
  '/plan/chosen': 'foxglove.PosesInFrame',
  '/plan/candidates': 'foxglove.SceneUpdate',
  '/plan/cycle': 'foresight.PlannerCycle',
  '/people': 'foxglove.SceneUpdate',
  '/safety': 'foxglove.Log',
  '/events': 'foxglove.Log',
  '/cmd_vel': 'foresight.VelocityCommand',
  '/cmd_screen': 'foresight.ScreenCommand',
  '/cmd_stop': 'foresight.StopCommand',
  '/robot/status': 'foresight.RobotStatus',
  '/robot/screen': 'foresight.ScreenState',
} as const;
export type McapTopic = keyof typeof MCAP_TOPICS;

export interface McapExportOptions {
  /**
   * Include the candidate samples (/plan/candidates). Default true. They are most of an
   * export's size (≈ 60 %: 50 lines per planner cycle as JSON), so leaving them out
   * shrinks the file a lot; the topic is then present and empty.
   */
  candidates?: boolean;
  /**
   * Occupancy grids to publish on /map, e.g. the map the run was driven on and the maps
   * loaded or saved during it (run-maps.ts resolves those). Default: none.
   */
  maps?: readonly ExportMap[];
  /** Chunk compression. Default 'zstd'; 'none' writes plain chunks (for readers without zstd). */
  compression?: McapCompression;
  /**
   * zstd level, 1…19. Default 3 (zstd's own default): level 9 makes a run's file about 10 %
   * smaller for about twice the export time.
   */
  zstdLevel?: number;
}

export type McapCompression = 'zstd' | 'none';

/** An occupancy grid to publish on /map. */
export interface ExportMap {
  /** When it took effect, s (host clock); null: from the run's start. Published at max(t, run start). */
  t: number | null;
  /** Its name (map library name or file), for the grid's metadata record. */
  name: string;
  /** The grid, map frame (src/shared/grid.ts conventions). */
  grid: OccupancyGrid;
}

export interface McapExportResult {
  path: string;
  /** Messages written per topic (every topic listed, 0 when none). */
  messageCounts: Record<McapTopic, number>;
  messageCount: number;
  /** Size of the written file, bytes. */
  bytes: number;
  /** Chunk payloads before and after compression, bytes (equal with compression 'none'). */
  chunkBytes: { uncompressed: number; compressed: number };
  compression: McapCompression;
}

const time = { type: 'object', properties: { sec: { type: 'integer' }, nsec: { type: 'integer' } }, required: ['sec', 'nsec'] };
const own = (title: string, description: string, properties: Record<string, unknown>) => ({
  title, description, type: 'object', properties: { timestamp: time, ...properties }, required: ['timestamp', ...Object.keys(properties)],
});
const number = (description: string) => ({ type: 'number', description });
const integer = (description: string) => ({ type: 'integer', description });

const OWN_SCHEMAS: Record<string, object> = {
  'foresight.PlannerCycle': own('foresight.PlannerCycle', 'One local-planner cycle', {
    cycle_time_s: number('Wall time of the cycle, s'),
    chosen_cost: { type: ['number', 'null'], description: 'Cost of the chosen trajectory' },
    candidate_count: integer('Candidates evaluated'),
    extra: { type: 'object', additionalProperties: { type: 'number' }, description: 'Extra figures (stage timings, s)' },
  }),
  'foresight.VelocityCommand': own('foresight.VelocityCommand', 'Body velocity command sent to the robot (base_link)', {
    seq: integer('Link sequence number'), v: number('Forward speed, m/s'), w: number('Yaw rate, rad/s'),
  }),
  'foresight.ScreenCommand': own('foresight.ScreenCommand', 'Screen (head) pan command', {
    seq: integer('Link sequence number'), pan_angle: number('Target pan relative to base_link x, rad'), max_rate: number('Rate limit, rad/s'),
  }),
  'foresight.StopCommand': own('foresight.StopCommand', 'Stop command', {
    seq: integer('Link sequence number'), reason: integer('0 operator, 1 safety, 2 link loss, 3 shutdown'),
  }),
  'foresight.RobotStatus': own('foresight.RobotStatus', 'Robot status', {
    battery_voltage: number('V'), battery_percent: integer('0–100, 255 unknown'), faults: integer('Fault bits'),
    estop_pressed: { type: 'boolean' }, motors_enabled: { type: 'boolean' },
  }),
  'foresight.ScreenState': own('foresight.ScreenState', 'Screen (head) pan state', {
    pan_angle: number('rad, relative to base_link x'), pan_velocity: number('rad/s'),
  }),
};

function schemaFor(name: string): object {
  if (name.startsWith('foxglove.')) {
    const s = (schemas as Record<string, object>)[name.slice('foxglove.'.length)];
    if (!s) throw new Error(`@foxglove/schemas has no ${name}`);
    return s;
  }
  return OWN_SCHEMAS[name]!;
}

/** Host seconds → MCAP nanoseconds, exact to the microsecond (no 2^53 overflow). */
function toNs(t: number): bigint {
  const sec = Math.floor(t);
  const nsec = Math.round((t - sec) * 1e6) * 1000;
  return BigInt(sec) * 1_000_000_000n + BigInt(nsec);
}
function stamp(t: number): { sec: number; nsec: number } {
  const ns = toNs(t);
  return { sec: Number(ns / 1_000_000_000n), nsec: Number(ns % 1_000_000_000n) };
}
/** Rounds to 0.1 mm / 0.1 mrad: the recorded float32 values carry no more, and JSON stays short. */
const r4 = (v: number): number => Math.round(v * 1e4) / 1e4;
/** Rounds to 1 mm: candidate and predicted polylines are stored at 1 mm. */
const r3 = (v: number): number => Math.round(v * 1e3) / 1e3;
/**
 * Quaternion of a yaw `theta` (rad), components rounded to 1e-7 (a yaw error below 3e-7
 * rad, far under what odometry or localization resolve): the last ten digits of a double
 * cost ~10 bytes per component per message and compress badly.
 */
function yawQuat(theta: number): { x: number; y: number; z: number; w: number } {
  return { x: 0, y: 0, z: Math.round(Math.sin(theta / 2) * 1e7) / 1e7, w: Math.round(Math.cos(theta / 2) * 1e7) / 1e7 };
}
function pose(x: number, y: number, theta: number) {
  return { position: { x: r4(x), y: r4(y), z: 0 }, orientation: yawQuat(theta) };
}
/** Poses along a flat [x0, y0, …] polyline, heading along the segment. */
function polylinePoses(points: readonly number[]) {
  const n = points.length >>> 1;
  const out = [];
  for (let i = 0; i < n; i++) {
    const j = Math.min(i + 1, n - 1);
    const k = j === i ? Math.max(0, i - 1) : i;
    const heading = n > 1 ? Math.atan2(points[j * 2 + 1]! - points[k * 2 + 1]!, points[j * 2]! - points[k * 2]!) : 0;
    out.push(pose(points[i * 2]!, points[i * 2 + 1]!, heading));
  }
  return out;
}
function linePoints(points: readonly number[]) {
  const out = [];
  for (let i = 0; i + 1 < points.length; i += 2) out.push({ x: r3(points[i]!), y: r3(points[i + 1]!), z: 0 });
  return out;
}
const identityPose = { position: { x: 0, y: 0, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } };
const LOG = { DEBUG: 1, INFO: 2, WARNING: 3, ERROR: 4 } as const;
/** foxglove.NumericType INT8 (PackedElementField.type). */
const NUMERIC_INT8 = 2;

type Zstd = typeof import('@foxglove/wasm-zstd');
let zstdModule: Promise<Zstd> | null = null;
/**
 * The zstd codec, loaded on first use: its WebAssembly compiles asynchronously (a few tens
 * of ms), and a console that never exports should not pay for it at start-up.
 */
export function loadZstd(): Promise<Zstd> {
  zstdModule ??= import('@foxglove/wasm-zstd')
    .then(async (m) => {
      // CommonJS module: under Node's ESM loader its exports arrive as `default`.
      const zstd = ((m as { default?: Zstd }).default ?? m) as Zstd;
      await zstd.isLoaded;
      return zstd;
    })
    .catch((err: unknown) => {
      zstdModule = null; // let a later export try again
      throw err;
    });
  return zstdModule;
}

/**
 * Decompress handlers for @mcap/core's readers (McapIndexedReader / McapStreamReader) that
 * cover every compression this exporter writes.
 */
export async function mcapDecompressHandlers(): Promise<Record<string, (buffer: Uint8Array, decompressedSize: bigint) => Uint8Array>> {
  const zstd = await loadZstd();
  return { zstd: (buffer, size) => zstd.decompress(buffer, Number(size)) };
}

/** A foxglove.Grid message for `grid` at time `t` (s), in `map` (see the header for the encoding). */
export function gridMessage(grid: OccupancyGrid, t: number): object {
  if (grid.data.length !== grid.width * grid.height) {
    throw new Error(`map grid has ${grid.data.length} cells, expected ${grid.width} × ${grid.height}`);
  }
  return {
    timestamp: stamp(t),
    frame_id: 'map',
    // Corner of cell (0, 0) in map; the grid is axis-aligned with map (OccupancyGrid has no yaw).
    pose: { position: { x: grid.origin.x, y: grid.origin.y, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } },
    column_count: grid.width,
    cell_size: { x: grid.resolution, y: grid.resolution },
    row_stride: grid.width,
    cell_stride: 1,
    // Same bytes as our grid: 0…100 unchanged, unknown 255 reads as −1 in INT8 (ROS's value).
    fields: [{ name: 'occupancy', offset: 0, type: NUMERIC_INT8 }],
    data: Buffer.from(grid.data.buffer, grid.data.byteOffset, grid.data.byteLength).toString('base64'),
  };
}

function sameGrid(a: OccupancyGrid, b: OccupancyGrid): boolean {
  if (a.width !== b.width || a.height !== b.height || a.resolution !== b.resolution || a.origin.x !== b.origin.x || a.origin.y !== b.origin.y) return false;
  return Buffer.compare(Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength), Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength)) === 0;
}

/** A file as MCAP's IWritable (synchronous writes; the CLI and review export are not latency-bound). */
class FileWritable implements IWritable {
  private offset = 0n;
  constructor(private readonly fd: number) {}
  async write(buffer: Uint8Array): Promise<void> {
    let done = 0;
    while (done < buffer.byteLength) done += writeSync(this.fd, buffer, done, buffer.byteLength - done);
    this.offset += BigInt(buffer.byteLength);
  }
  position(): bigint {
    return this.offset;
  }
}

/** Lazily merges per-kind time-ordered iterators into one time-ordered stream. */
function* mergeStreams(streams: Iterator<RecordedRecord>[]): Generator<RecordedRecord> {
  const heads = streams.map((s) => s.next());
  for (;;) {
    let best = -1;
    for (let i = 0; i < heads.length; i++) {
      const h = heads[i]!;
      if (!h.done && (best < 0 || h.value.t < (heads[best]!.value as RecordedRecord).t)) best = i;
    }
    if (best < 0) return;
    yield heads[best]!.value as RecordedRecord;
    heads[best] = streams[best]!.next();
  }
}

const EXPORTED_KINDS: RecordKind[] = [
  'robot-message', 'odometry', 'map-to-odom', 'laser-scan', 'command', 'planner-cycle', 'candidates', 'guidance-path',
  'predictions', 'safety', 'operator', 'link', 'generic',
];

/**
 * Writes run `runId` of `store` to an MCAP file at `path` (replacing it). The file appears
 * only when complete: it is written beside `path` and renamed into place.
 * Throws NoSuchRunError for an unknown run.
 */
export async function exportRunToMcap(store: RunStore, runId: number, path: string, options: McapExportOptions = {}): Promise<McapExportResult> {
  const run = store.getRun(runId);
  const compression = options.compression ?? 'zstd';
  const zstdLevel = options.zstdLevel ?? 3;
  if (!Number.isInteger(zstdLevel) || zstdLevel < 1 || zstdLevel > 19) throw new RangeError(`zstd level must be an integer 1…19 (got ${zstdLevel})`);
  // Before the file is opened: a codec that cannot load leaves nothing behind.
  const zstd = compression === 'zstd' ? await loadZstd() : null;
  const maps = [...(options.maps ?? [])]
    .map((m) => ({ ...m, at: Math.max(m.t ?? run.startedAt, run.startedAt) }))
    .sort((a, b) => a.at - b.at);
  for (const m of maps) gridMessage(m.grid, m.at); // a malformed grid fails here, before any output
  const chunkBytes = { uncompressed: 0, compressed: 0 };
  const partial = `${path}.partial-${process.pid}`;
  const fd = openSync(partial, 'w');
  let fdOpen = true;
  try {
    const writer = new McapWriter({
      writable: new FileWritable(fd), useStatistics: true, useChunks: true, useMessageIndex: true, useChunkIndex: true, useSummaryOffsets: true,
      compressChunk: (data) => {
        chunkBytes.uncompressed += data.byteLength;
        if (!zstd) {
          chunkBytes.compressed += data.byteLength;
          return { compression: '', compressedData: data };
        }
        const compressedData = zstd.compress(data, zstdLevel);
        chunkBytes.compressed += compressedData.byteLength;
        return { compression: 'zstd', compressedData };
      },
    });
    await writer.start({ profile: '', library: 'foresight' });

    const schemaIds = new Map<string, number>();
    const channelIds = {} as Record<McapTopic, number>;
    const counts = {} as Record<McapTopic, number>;
    for (const [topic, schemaName] of Object.entries(MCAP_TOPICS) as [McapTopic, string][]) {
      let schemaId = schemaIds.get(schemaName);
      if (schemaId === undefined) {
        schemaId = await writer.registerSchema({ name: schemaName, encoding: 'jsonschema', data: new TextEncoder().encode(JSON.stringify(schemaFor(schemaName))) });
        schemaIds.set(schemaName, schemaId);
      }
      channelIds[topic] = await writer.registerChannel({ topic, schemaId, messageEncoding: 'json', metadata: new Map() });
      counts[topic] = 0;
    }

    await writer.addMetadata({
      name: 'foresight.run',
      metadata: new Map([
        ['id', String(run.id)], ['name', run.name], ['robot', run.robotName], ['source', run.source],
        ['started_at', String(run.startedAt)], ['ended_at', String(run.endedAt ?? '')], ['outcome', run.outcome ?? 'recording'],
        ['distance_m', String(run.distanceM)], ['tags', run.tags.join(',')],
      ]),
    });
    // Foxglove's data platform files an imported recording under the device named here
    // (creating the device when it is new). No deviceId: that is Foxglove's own id, which
    // the console does not know.
    if (run.robotName.trim() !== '') await writer.addMetadata({ name: 'foxglove', metadata: new Map([['deviceName', run.robotName]]) });

    const encoder = new TextEncoder();
    const seq = new Map<McapTopic, number>();
    const emit = async (topic: McapTopic, t: number, message: unknown): Promise<void> => {
      const n = (seq.get(topic) ?? 0) + 1;
      seq.set(topic, n);
      const ns = toNs(t);
      await writer.addMessage({ channelId: channelIds[topic], sequence: n, logTime: ns, publishTime: ns, data: encoder.encode(JSON.stringify(message)) });
      counts[topic]++;
    };

    // Maps go out in time order among the records, each when it took effect; the same grid
    // again (e.g. the same map reloaded) is not repeated.
    let nextMap = 0;
    let shownMap: OccupancyGrid | null = null;
    const emitMapsUntil = async (t: number): Promise<void> => {
      for (; nextMap < maps.length && maps[nextMap]!.at <= t; nextMap++) {
        const m = maps[nextMap]!;
        if (shownMap && sameGrid(shownMap, m.grid)) continue;
        shownMap = m.grid;
        await emit('/map', m.at, gridMessage(m.grid, m.at));
        await writer.addMetadata({
          name: 'foresight.map',
          metadata: new Map([
            ['name', m.name], ['published_at', String(m.at)], ['width', String(m.grid.width)], ['height', String(m.grid.height)],
            ['resolution_m', String(m.grid.resolution)], ['origin_x_m', String(m.grid.origin.x)], ['origin_y_m', String(m.grid.origin.y)],
          ]),
        });
      }
    };

    let hello: HelloMsg | null = null;
    const kinds = options.candidates === false ? EXPORTED_KINDS.filter((k) => k !== 'candidates') : EXPORTED_KINDS;
    const streams = kinds.map((k) => store.iterateKind(runId, k));
    for (const r of mergeStreams(streams)) {
      await emitMapsUntil(r.t);
      const ts = stamp(r.t);
      switch (r.kind) {
        case 'robot-message': {
          const m = r.msg;
          if (m.type === 'hello') {
            hello = m;
            await writer.addMetadata({ name: 'foresight.robot', metadata: new Map(Object.entries(m).map(([k, v]) => [k, String(v)])) });
          } else if (m.type === 'status') {
            const s = m as StatusMsg;
            await emit('/robot/status', r.t, {
              timestamp: ts, battery_voltage: s.batteryVoltage, battery_percent: s.batteryPercent, faults: s.faults,
              estop_pressed: s.estopPressed, motors_enabled: s.motorsEnabled,
            });
          } else if (m.type === 'screen-state') {
            const s = m as ScreenStateMsg;
            await emit('/robot/screen', r.t, { timestamp: ts, pan_angle: s.panAngle, pan_velocity: s.panVelocity });
          }
          break;
        }
        case 'odometry':
          await emit('/tf', r.t, {
            timestamp: ts, parent_frame_id: 'odom', child_frame_id: 'base_link',
            translation: { x: r4(r.x), y: r4(r.y), z: 0 }, rotation: yawQuat(r.theta),
          });
          await emit('/odom', r.t, { timestamp: ts, frame_id: 'odom', pose: pose(r.x, r.y, r.theta) });
          break;
        case 'map-to-odom':
          await emit('/tf', r.t, {
            timestamp: ts, parent_frame_id: 'map', child_frame_id: 'odom',
            translation: { x: r4(r.x), y: r4(r.y), z: 0 }, rotation: yawQuat(r.theta),
          });
          break;
        case 'laser-scan':
          await emit('/scan', r.t, {
            timestamp: ts, frame_id: 'base_link',
            pose: hello ? pose(hello.lidarMountX, hello.lidarMountY, hello.lidarMountYaw) : identityPose,
            start_angle: r.angleMin,
            end_angle: r.angleMin + r.angleIncrement * Math.max(0, r.ranges.length - 1),
            // Non-finite ranges cannot be JSON; 0 is below range_min, which viewers treat as no return.
            ranges: Array.from(r.ranges, (v) => (Number.isFinite(v) ? r4(v) : 0)),
            intensities: [],
          });
          break;
        case 'command':
          if (r.type === 'velocity') await emit('/cmd_vel', r.t, { timestamp: ts, seq: r.seq, v: r.v, w: r.w });
          else if (r.type === 'screen') await emit('/cmd_screen', r.t, { timestamp: ts, seq: r.seq, pan_angle: r.panAngle, max_rate: r.maxRate });
          else if (r.type === 'stop') await emit('/cmd_stop', r.t, { timestamp: ts, seq: r.seq, reason: r.stopReason });
          // Pings are link heartbeats, not commands worth a topic.
          break;
        case 'planner-cycle':
          await emit('/plan/chosen', r.t, { timestamp: ts, frame_id: 'map', poses: polylinePoses(r.chosen) });
          await emit('/plan/cycle', r.t, {
            // Cycle time to the microsecond: the clock it was measured with resolves no better.
            timestamp: ts, cycle_time_s: Math.round(r.cycleTimeS * 1e6) / 1e6, chosen_cost: r.chosenCost, candidate_count: r.candidateCount, extra: r.extra,
          });
          break;
        case 'candidates':
          await emit('/plan/candidates', r.t, {
            deletions: [{ timestamp: ts, type: 1, id: '' }],
            entities: [{
              timestamp: ts, frame_id: 'map', id: 'candidates', lifetime: { sec: 0, nsec: 0 }, frame_locked: false, metadata: [],
              arrows: [], cubes: [], spheres: [], cylinders: [], texts: [], triangles: [], models: [],
              lines: r.candidates.map((c) => ({
                type: 0, pose: identityPose, thickness: 0.01, scale_invariant: false, points: linePoints(c.points),
                color: { r: 0.6, g: 0.6, b: 0.9, a: 0.5 }, colors: [], indices: [],
              })),
            }],
          });
          break;
        case 'guidance-path':
          await emit('/plan/global', r.t, { timestamp: ts, frame_id: 'map', poses: polylinePoses(r.points) });
          break;
        case 'predictions':
          await emit('/people', r.t, {
            deletions: [{ timestamp: ts, type: 1, id: '' }],
            entities: r.people.map((p) => ({
              timestamp: ts, frame_id: 'map', id: `person-${p.id}`, lifetime: { sec: 0, nsec: 0 }, frame_locked: false,
              metadata: [{ key: 'risk', value: p.risk.toFixed(3) }, { key: 'speed_m_s', value: Math.hypot(p.vx, p.vy).toFixed(3) }],
              arrows: [], cubes: [], spheres: [], texts: [], triangles: [], models: [],
              cylinders: [{
                pose: pose(p.x, p.y, Math.atan2(p.vy, p.vx)), size: { x: 0.5, y: 0.5, z: 1.7 }, bottom_scale: 1, top_scale: 1,
                color: { r: 1, g: 0.5 * (1 - p.risk), b: 0.2, a: 0.7 },
              }],
              lines: p.futures.map((f) => ({
                type: 0, pose: identityPose, thickness: 0.03, scale_invariant: false, points: linePoints(f.points),
                color: { r: 1, g: 0.6, b: 0.2, a: Math.max(0.15, Math.min(1, f.probability)) }, colors: [], indices: [],
              })),
            })),
          });
          break;
        case 'safety':
          await emit('/safety', r.t, {
            timestamp: ts, level: r.action === 'stop' ? LOG.WARNING : r.action === 'scale' ? LOG.INFO : LOG.DEBUG,
            message: `${r.action}${r.action === 'scale' ? ` ×${r.scale.toFixed(2)}` : ''}: ${r.reason}${r.ttc !== null ? ` (ttc ${r.ttc.toFixed(2)} s)` : ''}`,
            name: 'safety', file: r.zone ?? '', line: 0,
          });
          break;
        case 'operator': {
          await emit('/events', r.t, {
            timestamp: ts, level: r.action === 'emergency-stop' ? LOG.WARNING : LOG.INFO,
            message: operatorWords(r), name: 'operator', file: '', line: 0,
          });
          break;
        }
        case 'link':
          await emit('/events', r.t, {
            timestamp: ts, level: r.event === 'lost' || r.event === 'incompatible' ? LOG.ERROR : r.event === 'bad-frame' ? LOG.WARNING : LOG.INFO,
            message: `link ${r.event}: ${r.message}${r.reason ? ` (${r.reason})` : ''}`, name: 'link', file: '', line: 0,
          });
          break;
        case 'generic': {
          // The run's maps go out on /map (from `maps`), not as text.
          if (r.type === MAP_RECORD_TYPE) break;
          const words = genericWords(r);
          await emit('/events', r.t, { timestamp: ts, level: words.level, message: words.message, name: words.name, file: '', line: 0 });
          break;
        }
      }
    }
    await emitMapsUntil(Infinity);
    await writer.end();
    const bytes = fstatSync(fd).size;
    closeSync(fd);
    fdOpen = false;
    renameSync(partial, path);
    const messageCount = Object.values(counts).reduce((a, b) => a + b, 0);
    return { path, messageCounts: counts, messageCount, bytes, chunkBytes, compression };
  } finally {
    if (fdOpen) closeSync(fd);
    rmSync(partial, { force: true });
  }
}

/** An operator action in plain words for Foxglove's Log panel ("operator set-goal (2.00, 4.60, 90°)"). */
function operatorWords(r: RecordedOperatorAction): string {
  const parts = [`operator ${r.action}`];
  if (r.goal) parts.push(`(${r.goal.x.toFixed(2)}, ${r.goal.y.toFixed(2)}, ${Math.round((r.goal.theta * 180) / Math.PI)}°)`);
  if (r.teleop) parts.push(`linear ${r.teleop.linear.toFixed(2)} angular ${r.teleop.angular.toFixed(2)}`);
  if (r.detail) parts.push(r.detail);
  return parts.join(' ');
}

/**
 * A generic record as a log line: a fault by its own message (its figures stay in the run
 * log), anything else as its type and data.
 */
function genericWords(r: RecordedGeneric): { level: (typeof LOG)[keyof typeof LOG]; message: string; name: string } {
  const d = r.data as { kind?: unknown; message?: unknown } | null;
  if (r.type === 'fault' && d && typeof d.message === 'string') {
    const kind = typeof d.kind === 'string' ? d.kind : 'fault';
    return { level: kind.endsWith('-recovered') ? LOG.INFO : LOG.ERROR, message: d.message, name: kind };
  }
  return { level: LOG.INFO, message: `${r.type}: ${JSON.stringify(r.data)}`, name: r.type };
}
