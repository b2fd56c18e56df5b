/**
 * The planner worker thread: hosts the NavigationStack so 10 Hz planning never blocks the
 * core's safety tick. It plans from the state the autonomy loop fast-forwarded; it keeps no
 * timing logic of its own.
 */
import { parentPort } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { NavigationStack } from '../../planner/nav';
import type { FromPlanner, ToPlanner } from './planner-protocol';
import { RETURNED_SAMPLE, restack } from './planner-port';
import type { RobotLimits } from '../../planner/local';
import type { NavigationConfig } from '../../planner/nav';
import type { ZoneShape } from '../../planner/nav/zones';
import type { Pose2D } from '../../shared/geometry';

const port = parentPort;
if (!port) throw new Error('planner-worker must run in a worker thread');

let stack: NavigationStack | null = null;
let setup: { limits: RobotLimits; config: Partial<NavigationConfig> } | null = null;
let zones: ZoneShape[] = [];
/** The newest pose a cycle planned from: a goal under way is replanned from it on a new map. */
let lastFrom: { pose: Pose2D; now: number } | null = null;
/** Goals received so far: every cycle answer says how many it was planned after. */
let goalSerial = 0;

function send(msg: FromPlanner): void {
  port!.postMessage(msg);
}

port.on('message', (msg: ToPlanner) => {
  try {
    handle(msg);
  } catch (err) {
    // Tell the core first (it stops the robot at once), then die: the core restarts us.
    send({ type: 'fatal', message: err instanceof Error ? err.message : String(err) });
    process.exit(1);
  }
});

function handle(msg: ToPlanner): void {
  switch (msg.type) {
    case 'init':
      stack = new NavigationStack(msg.map, { limits: msg.limits }, msg.config);
      setup = { limits: msg.limits, config: msg.config };
      send({ type: 'ready' });
      return;
    case 'map':
      if (setup) stack = restack(stack, msg.map, setup.limits, setup.config, zones, lastFrom);
      return;
    case 'goal':
      goalSerial++;
      if (!stack) return send({ type: 'goal-result', id: msg.id, result: { ok: false, reason: 'no-path', message: 'The planner is not ready yet' } });
      return send({ type: 'goal-result', id: msg.id, result: stack.setGoal(msg.goal, msg.from, msg.now) });
    case 'cancel':
      stack?.cancel();
      return;
    case 'zones':
      // Sent right after 'init' (messages arrive in order), so the stack exists.
      zones = msg.zones;
      stack?.setZones(msg.zones);
      return;
    case 'crash':
      throw new Error('planner crash requested (test hook)');
    case 'cycle': {
      if (!stack) return;
      const started = performance.now();
      lastFrom = { pose: msg.input.state.pose, now: msg.input.now };
      const s = msg.input.scan;
      const scan = s
        ? { sensor: { x: s.sensorX, y: s.sensorY }, endpoints: Array.from(s.xs, (x, i) => ({ x, y: s.ys[i]!, hit: s.hits[i] === 1 })), time: s.time }
        : null;
      const output = stack.cycle({ now: msg.input.now, state: msg.input.state, scan, seed: msg.input.seed });
      // Only a display sample crosses back; the full candidate set stays here.
      output.sample = output.sample.slice(0, RETURNED_SAMPLE);
      send({ type: 'cycle-result', id: msg.id, output, computeS: (performance.now() - started) / 1000, goalSerial });
      return;
    }
  }
}
