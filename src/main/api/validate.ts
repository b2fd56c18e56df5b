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

const connect = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('serial'), path: z.string().min(1).max(256), baud: z.number().int().min(300).max(12_000_000) }).strict(),
  z.object({ kind: z.literal('tcp'), host: z.string().min(1).max(253), port: z.number().int().min(1).max(65535) }).strict(),
  z.object({ kind: z.literal('sim'), seed: z.number().int().min(0).max(2 ** 31 - 1).optional() }).strict(),
]);

const none = z.null().or(z.undefined()).transform(() => null);

/** One request schema per method. */
const REQUEST_SCHEMAS: { [M in ApiMethodName]: z.ZodType<ApiMethods[M]['req'], unknown> } = {
  listPorts: none,
  getMap: none,
  getSnapshot: none,
  connect,
  disconnect: none,
  teleop: z.object({ linear: unit, angular: unit }).strict(),
  emergencyStop: none,
  releaseEmergencyStop: none,
  setGoal: pose,
  cancelGoal: none,
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
