/**
 * Scenario files (`resources/scenarios/*.json`): a world, a start, a goal, people and events
 * for a closed-loop run. Validated on load; a broken file gets a message naming the field.
 */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { z } from 'zod';
import type { Pose2D } from '../../shared/geometry';
import { odometryErrorSchema } from '../robot/profiles';

const finite = z.number().finite();
const pose = z.object({ x: finite, y: finite, theta: finite.default(0) });
const point = z.object({ x: finite, y: finite });

/**
 * Starts a person by situation rather than by clock: they appear once the robot's base_link
 * first comes within `robotWithinM` of `of` (map frame, metres); their `startTime` then
 * counts from that moment (s). Keeps an encounter an encounter whatever speed the planner
 * drives at.
 */
const trigger = z.object({ robotWithinM: finite.positive(), of: point });

const person = z.object({
  trigger: trigger.optional(),
  waypoints: z.array(point).min(1),
  speed: finite.min(0).max(3),
  startTime: finite.min(0).optional(),
  dwell: finite.min(0).optional(),
  atEnd: z.enum(['stay', 'vanish', 'loop', 'reverse']).optional(),
  reactive: z.boolean().optional(),
  facing: finite.optional(),
});

/**
 * A ready-made encounter (see `scenarioPeople` in src/sim): crossing, oncoming and
 * overtaking are placed relative to the scenario's start pose (`ahead` along its heading,
 * `left` to its left, metres); doorway groups and people stepping out of a room are given
 * in the map frame. Times are sim seconds, speeds m/s.
 */
const encounterTiming = { speed: finite.min(0).max(3).optional(), startTime: finite.min(0).optional(), reactive: z.boolean().optional(), trigger: trigger.optional() };
const encounter = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('crossing'), ahead: finite, halfWidth: finite.positive().optional(), fromLeft: z.boolean().optional(), ...encounterTiming }),
  z.object({ kind: z.literal('oncoming'), ahead: finite, left: finite.optional(), length: finite.positive().optional(), ...encounterTiming }),
  z.object({ kind: z.literal('overtaking'), behind: finite, left: finite.optional(), length: finite.positive().optional(), ...encounterTiming }),
  z.object({ kind: z.literal('doorway-group'), center: point, across: finite, count: z.number().int().min(1).max(8).optional(), spacing: finite.positive().optional(), trigger: trigger.optional() }),
  z.object({ kind: z.literal('stepping-out'), inside: point, door: point, outside: point, ...encounterTiming }),
]);

const box = z.object({
  center: point,
  length: finite.positive(),
  width: finite.positive(),
  theta: finite.default(0),
  appearAt: finite.min(0).optional(),
  disappearAt: finite.min(0).optional(),
});

const event = z.discriminatedUnion('kind', [
  /** A box appears this far straight ahead of the robot (the surprise-box test). */
  z.object({ kind: z.literal('box-ahead'), at: finite.min(0), distanceM: finite.positive(), size: finite.positive().default(0.4) }),
]);

/** A probability, per beam or per revolution; left out: 0. */
const probability = finite.min(0).max(1).default(0);

/**
 * Sensing imperfections for the run (DriftSetting in src/sim/drift.ts): "off" (the default:
 * odometry is the truth, `odom` ≡ `map`), "typical" (the robot's own odometry error from its
 * profile, and typical lidar faults), or term by term: `odometry` is "typical" or the same
 * object as a robot profile's `odometryError` (terms left out are 0), `lidar` is "typical" or
 * { dropout, dropoutFar, dropoutGrazing, spurious, revolutionDrop } (probabilities, left out: 0).
 * Anything but "off" starts the odometry at (0, 0, 0) in its own `odom` frame.
 */
const drift = z.union([
  z.enum(['off', 'typical']),
  z.strictObject({
    odometry: z.union([z.literal('typical'), odometryErrorSchema], { error: 'expected "typical" or { "systematic", "random", "slip" } as in a robot profile' }).optional(),
    lidar: z
      .union([
        z.literal('typical'),
        z.strictObject({ dropout: probability, dropoutFar: probability, dropoutGrazing: probability, spurious: probability, revolutionDrop: probability }),
      ], { error: 'expected "typical" or { "dropout", "dropoutFar", "dropoutGrazing", "spurious", "revolutionDrop" }' })
      .optional(),
  }),
], { error: 'expected "off", "typical" or { "odometry": …, "lidar": … }' });

export const scenarioSchema = z.object({
  name: z.string().min(1),
  description: z.string().default(''),
  /** map_server YAML relative to the scenario file, or "apartment" for the built-in map. */
  map: z.string().default('apartment'),
  seed: z.number().int().min(0).default(1),
  start: pose,
  goal: pose,
  goalToleranceM: finite.positive().default(0.2),
  timeLimitS: finite.positive().default(120),
  people: z.array(person).default([]),
  /** Ready-made encounters (see `encounter`), added to `people`. */
  encounters: z.array(encounter).default([]),
  crowd: z.object({ count: z.number().int().min(0).max(50) }).optional(),
  boxes: z.array(box).default([]),
  events: z.array(event).default([]),
  /** Odometry drift and lidar faults (see `drift`); "off" unless the file says otherwise. */
  drift: drift.default('off'),
  /** What the run must show: used by the suite's test. */
  expect: z
    .object({
      /** Expect at least one global replan (dead ends). */
      replan: z.boolean().optional(),
      /** Nobody closer than this to the footprint, metres. */
      minPersonClearanceM: finite.optional(),
      /** Every body turn larger than 45° led by the screen by at least this much, seconds. */
      minGazeLeadS: finite.optional(),
    })
    .default({}),
});

export type ScenarioTrigger = z.infer<typeof trigger>;

/** A scenario's drift setting, as the simulator's SimConfig.drift takes it. */
export type ScenarioDrift = z.infer<typeof drift>;

export type Scenario = z.infer<typeof scenarioSchema> & { file: string; mapYaml: string | null };

export type ScenarioLoad = { ok: true; scenario: Scenario } | { ok: false; message: string };

export async function loadScenarioFile(file: string): Promise<ScenarioLoad> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    return { ok: false, message: `cannot read scenario ${file}: ${(err as Error).message}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, message: `scenario ${file} is not valid JSON: ${(err as Error).message}` };
  }
  const parsed = scenarioSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, message: `scenario ${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}` };
  }
  const s = parsed.data;
  const mapYaml = s.map === 'apartment' ? null : isAbsolute(s.map) ? s.map : join(dirname(file), s.map);
  return { ok: true, scenario: { ...s, file, mapYaml } };
}

export function poseOf(p: { x: number; y: number; theta: number }): Pose2D {
  return { x: p.x, y: p.y, theta: p.theta };
}
