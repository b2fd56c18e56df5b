/**
 * Validation of every payload that crosses into the main side (IPC or WebSocket). The
 * schemas mirror the types in src/shared/api.ts; `satisfies` keeps the two in step.
 */
import { z } from 'zod';
import { API_METHOD_NAMES, type ApiMethodName, type ApiMethods } from '../../shared/api';

/** A finite number: NaN and ±Infinity never reach the core. */
const finite = z.number().finite();
const unit = finite.min(-1).max(1);

const pose = z.object({ x: finite, y: finite, theta: finite }).strict();

const profileName = z.string().min(1).max(200);
const lidar = z
  .object({
    model: profileName,
    path: z.string().min(1).max(256).optional(),
    baud: z.number().int().min(300).max(12_000_000).optional(),
    mount: z.object({ x: z.number().min(-5).max(5), y: z.number().min(-5).max(5), yaw: z.number().min(-Math.PI).max(Math.PI) }).strict().optional(),
  })
  .strict()
  .optional();
const robotChoice = { lidar, robot: profileName.optional(), allowAutonomyWithoutDeadman: z.boolean().optional(), initialPose: pose.optional() };
const connect = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('serial'), path: z.string().min(1).max(256), baud: z.number().int().min(300).max(12_000_000).optional(), ...robotChoice }).strict(),
  z.object({ kind: z.literal('tcp'), host: z.string().min(1).max(253), port: z.number().int().min(1).max(65535), ...robotChoice }).strict(),
  z.object({ kind: z.literal('sim'), seed: z.number().int().min(0).max(2 ** 31 - 1).optional(), ...robotChoice }).strict(),
]);

const mapName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a map name is 1–64 letters, digits, ".", "-" or "_", starting with a letter or digit');

const none = z.null().or(z.undefined()).transform(() => null);

// ── review and zones ──
const runId = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const runRef = z.object({ runId }).strict();
const shortText = (max: number) => z.string().max(max);
/** A polygon in the map frame: 3…500 vertices, flat [x0, y0, …], coordinates within ±100 km. */
const polygon = z.array(finite.min(-1e5).max(1e5)).min(6).max(1000).refine((a) => a.length % 2 === 0, 'polygon needs x, y pairs');
const zoneInput = z.object({
  id: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
  name: z.string().trim().min(1).max(80),
  kind: z.enum(['keep-out', 'slow']),
  slowSpeed: finite.min(0.01).max(10).nullable().optional(),
  polygon,
}).strict();

/** One request schema per method. */
const REQUEST_SCHEMAS: { [M in ApiMethodName]: z.ZodType<ApiMethods[M]['req'], unknown> } = {
  listPorts: none,
  listProfiles: none,
  getMap: none,
  getSnapshot: none,
  connect,
  disconnect: none,
  teleop: z.object({ linear: unit, angular: unit }).strict(),
  emergencyStop: none,
  releaseEmergencyStop: none,
  setGoal: pose,
  setRobotPose: pose,
  cancelGoal: none,
  startMapping: z.object({ extend: z.boolean() }).strict(),
  // A map name becomes a file name: letters, digits, dot, dash, underscore; no path.
  saveMap: z.object({ name: mapName }).strict(),
  listMaps: none,
  loadMap: z.object({ name: mapName }).strict(),
  setLocalization: z.object({ mode: z.enum(['on', 'global', 'off']) }).strict(),
  setSpeedLimit: z.object({ fraction: z.number().finite().min(0.05).max(1) }).strict(),
  listRuns: z.object({ search: shortText(200).optional(), tag: shortText(80).optional() }).strict().nullable().or(z.undefined()).transform((q) => q ?? null),
  getRun: runRef,
  renameRun: z.object({ runId, name: shortText(200) }).strict(),
  tagRun: z.object({ runId, tags: z.array(shortText(80)).max(50) }).strict(),
  deleteRun: runRef,
  getRunTimeline: runRef,
  getRunFrame: z.object({ runId, t: finite }).strict(),
  getRunSeries: z.object({ runId, points: z.number().int().min(10).max(5000).optional() }).strict(),
  getIncidents: runRef,
  listZones: none,
  saveZone: zoneInput,
  deleteZone: z.object({ id: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER) }).strict(),
  getHeatmap: z.object({ cellSize: finite.min(0.05).max(10).optional() }).strict().nullable().or(z.undefined()).transform((q) => q ?? null),
};

export type ValidatedRequest =
  | { ok: true; method: ApiMethodName; req: ApiMethods[ApiMethodName]['req'] }
  | { ok: false; error: string };

/** Checks a method name and its payload from an untrusted sender. */
export function validateRequest(method: unknown, req: unknown): ValidatedRequest {
  if (typeof method !== 'string' || !(API_METHOD_NAMES as readonly string[]).includes(method)) {
    return { ok: false, error: `unknown API method ${JSON.stringify(String(method)).slice(0, 80)}` };
  }
  const name = method as ApiMethodName;
  const parsed = REQUEST_SCHEMAS[name].safeParse(req);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    return { ok: false, error: `invalid ${name} request${where}: ${issue?.message ?? 'rejected'}` };
  }
  return { ok: true, method: name, req: parsed.data };
}
