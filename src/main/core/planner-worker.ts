/**
 * The planner worker thread: hosts the NavigationStack so 10 Hz planning never blocks the
 * core's safety tick. Each cycle fast-forwards the measured state to when the plan takes
 * effect, then plans from there.
 */
import { parentPort } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { NavigationStack } from '../../planner/nav';
import { fastForward } from '../../planner/predictive';
import type { FromPlanner, ToPlanner } from './planner-protocol';

const port = parentPort;
if (!port) throw new Error('planner-worker must run in a worker thread');

let stack: NavigationStack | null = null;

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
      send({ type: 'ready' });
      return;
    case 'goal':
      if (!stack) return send({ type: 'goal-result', id: msg.id, result: { ok: false, reason: 'no-path', message: 'The planner is not ready yet' } });
      return send({ type: 'goal-result', id: msg.id, result: stack.setGoal(msg.goal, msg.from, msg.now) });
    case 'cancel':
      stack?.cancel();
      return;
    case 'zones':
      // Sent right after 'init' (messages arrive in order), so the stack exists.
      stack?.setZones(msg.zones);
      return;
    case 'crash':
      throw new Error('planner crash requested (test hook)');
    case 'cycle': {
      if (!stack) return;
      const started = performance.now();
      const limits = stack.robot.limits;
      const ff = fastForward({
        measured: msg.measured,
        receivedAt: msg.receivedAt,
        latency: msg.latency,
        now: msg.now,
        commands: msg.commands,
        tracking: { aMax: limits.aMax, alphaMax: limits.alphaMax, jerkMax: limits.jerkMax, yawJerkMax: limits.yawJerkMax },
      });
      const scan = msg.scan
        ? {
            sensor: { x: msg.scan.sensorX, y: msg.scan.sensorY },
            endpoints: Array.from(msg.scan.xs, (x, i) => ({ x, y: msg.scan!.ys[i]!, hit: msg.scan!.hits[i] === 1 })),
            time: msg.scan.time,
          }
        : null;
      const output = stack.cycle({ now: ff.time, state: ff.state, scan, seed: msg.seed });
      // Only a display sample crosses back; the full candidate set stays here.
      output.sample = output.sample.slice(0, 60);
      send({ type: 'cycle-result', id: msg.id, output, computeS: (performance.now() - started) / 1000 });
      return;
    }
  }
}
