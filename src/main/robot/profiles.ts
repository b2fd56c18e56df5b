/**
 * Robot and lidar profiles from files: the built-in ones in resources/robots/ (bases) and
 * resources/robots/lidars/ (lidars), and a user's own in their profiles folder (the same
 * layout; a user file with a built-in's name replaces it). Every file is validated; a broken
 * one is named with why, and the others still load.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { z } from 'zod';
import { BASE_DRIVERS, LIDAR_DRIVERS, type LidarProfile, type ProfileCatalog, type RobotProfile } from '../../shared/robots';

const positive = z.number().finite().positive();
const usbId = z.object({
  vendorId: z.string().regex(/^[0-9a-fA-F]{4}$/).transform((s) => s.toLowerCase()),
  productId: z.string().regex(/^[0-9a-fA-F]{4}$/).transform((s) => s.toLowerCase()),
  what: z.string().min(1),
});
const options = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({});

/**
 * A robot's odometry error (OdometryErrorParams in src/shared/robots.ts: units and meaning
 * there). A term left out is 0 (a perfect encoder in that respect); unknown keys are refused so
 * a misspelt term is not silently perfect. Bounds keep a typo from making a robot absurd: scales
 * within ±50 %, curvature within ±1 rad/m, spreads and slip non-negative. Scenario files take
 * the same object for their `drift`.
 */
const scaleError = z.number().finite().min(-0.5).max(0.5).default(0);
const spread = z.number().finite().min(0).max(1).default(0);
export const odometryErrorSchema = z.strictObject({
  systematic: z.strictObject({ distanceScale: scaleError, rotationScale: scaleError, curvature: z.number().finite().min(-1).max(1).default(0) }).prefault({}),
  random: z.strictObject({ distancePerSqrtM: spread, distancePerSqrtRad: spread, headingPerSqrtRad: spread, headingPerSqrtM: spread }).prefault({}),
  slip: z.strictObject({
    accelThreshold: z.number().finite().min(0).default(0),
    ratioPerAccel: z.number().finite().min(0).max(10).default(0),
    turnInPlace: spread,
    variation: z.number().finite().min(0).max(2).default(0),
  }).prefault({}),
});

const robotFile = z.strictObject({
  title: z.string().min(1),
  driver: z.enum(BASE_DRIVERS),
  baudRate: z.number().int().positive(),
  body: z.strictObject({ footprintLength: positive, footprintWidth: positive, footprintCenterOffsetX: z.number().finite(), wheelBase: positive }),
  limits: z.strictObject({
    maxLinearVelocity: positive, maxAngularVelocity: positive, maxLinearAccel: positive,
    maxAngularAccel: positive, maxLinearJerk: positive, maxAngularJerk: positive,
  }),
  drive: z.enum(['differential', 'skid-steer', 'ackermann']),
  reverses: z.boolean(),
  watchdog: z.strictObject({ timeoutS: positive, action: z.string().min(1) }).nullable(),
  safeStop: z.string().min(1),
  lidar: z.strictObject({
    model: z.string().min(1),
    mount: z.strictObject({ x: z.number().finite(), y: z.number().finite(), yaw: z.number().finite() }),
  }).nullable(),
  usb: z.array(usbId).default([]),
  options,
  odometryError: odometryErrorSchema.optional(),
});

const lidarFile = z.strictObject({
  title: z.string().min(1),
  driver: z.enum(LIDAR_DRIVERS),
  baudRate: z.number().int().positive(),
  beams: z.number().int().min(8).max(8192),
  rangeMin: z.number().finite().nonnegative(),
  rangeMax: positive,
  rateHz: positive,
  usb: z.array(usbId).default([]),
  options,
}).refine((l) => l.rangeMax > l.rangeMin, { message: 'rangeMax must exceed rangeMin' });

/** The built-in profiles folder, under the project's resources. */
export function builtinProfilesDir(resourcesDir: string): string {
  return join(resourcesDir, 'robots');
}

/** Where a user's own profiles live (copy a built-in file here and edit it). */
export function userProfilesDir(): string {
  const base = process.env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'foresight', 'robots');
}

function issues(err: z.ZodError): string {
  return err.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`).join('; ');
}

/** One robot profile file; throws with the file's name and what is wrong. */
export function readRobotProfile(path: string, source = path): RobotProfile {
  const parsed = robotFile.safeParse(readJson(path));
  if (!parsed.success) throw new Error(`${path}: ${issues(parsed.error)}`);
  return { name: basename(path, '.json'), ...parsed.data, source };
}

/** One lidar profile file; throws with the file's name and what is wrong. */
export function readLidarProfile(path: string, source = path): LidarProfile {
  const parsed = lidarFile.safeParse(readJson(path));
  if (!parsed.success) throw new Error(`${path}: ${issues(parsed.error)}`);
  return { name: basename(path, '.json'), ...parsed.data, source };
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${path}: not valid JSON (${(err as Error).message})`);
  }
}

function jsonFiles(dir: string): string[] {
  try {
    return readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => join(dir, f));
  } catch {
    return [];
  }
}

/** Built-in profiles, then the user's (which replace built-ins of the same name). */
export function loadProfiles(dirs: { builtin: string; user?: string | null }): ProfileCatalog {
  const robots = new Map<string, RobotProfile>();
  const lidars = new Map<string, LidarProfile>();
  const problems: string[] = [];
  const layers: [string, string][] = [[dirs.builtin, 'built-in']];
  if (dirs.user && existsSync(dirs.user)) layers.push([dirs.user, 'user']);
  for (const [dir, kind] of layers) {
    for (const file of jsonFiles(dir)) {
      try {
        const p = readRobotProfile(file, kind === 'built-in' ? 'built-in' : file);
        robots.set(p.name, p);
      } catch (err) {
        problems.push((err as Error).message);
      }
    }
    for (const file of jsonFiles(join(dir, 'lidars'))) {
      try {
        const p = readLidarProfile(file, kind === 'built-in' ? 'built-in' : file);
        lidars.set(p.name, p);
      } catch (err) {
        problems.push((err as Error).message);
      }
    }
  }
  // A robot naming a lidar that is not known is still usable (connect another lidar, or
  // none); the operator is told.
  for (const r of robots.values()) {
    if (r.lidar && !lidars.has(r.lidar.model)) problems.push(`${r.source === 'built-in' ? r.name : r.source}: lidar '${r.lidar.model}' is not a known lidar profile`);
  }
  return { robots: [...robots.values()], lidars: [...lidars.values()], problems };
}

/** A robot by profile name, or by the path of a profile file. */
export function findRobotProfile(catalog: ProfileCatalog, nameOrPath: string): RobotProfile {
  const found = catalog.robots.find((r) => r.name === nameOrPath);
  if (found) return found;
  if (nameOrPath.endsWith('.json')) return readRobotProfile(resolve(nameOrPath));
  throw new Error(`No robot profile '${nameOrPath}'. Known: ${catalog.robots.map((r) => r.name).join(', ')} (or give a profile file's path)`);
}

/** A lidar by profile name, or by the path of a profile file. */
export function findLidarProfile(catalog: ProfileCatalog, nameOrPath: string): LidarProfile {
  const found = catalog.lidars.find((l) => l.name === nameOrPath);
  if (found) return found;
  if (nameOrPath.endsWith('.json')) return readLidarProfile(resolve(nameOrPath));
  throw new Error(`No lidar profile '${nameOrPath}'. Known: ${catalog.lidars.map((l) => l.name).join(', ')} (or give a profile file's path)`);
}

/** The built-in catalog of a checkout (tests, CLI without a user folder). */
export function builtinCatalog(resourcesDir: string): ProfileCatalog {
  return loadProfiles({ builtin: builtinProfilesDir(resourcesDir) });
}
