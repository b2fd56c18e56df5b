/**
 * Child process of the crash-safety test: records a simulated run in real time into the
 * database given as argv[2] and reports each record on stdout as "KIND T" (T = host
 * time, s) right after handing it to the recorder, until it is killed.
 */
import { Recorder } from '../../../src/main/recorder/recorder';
import { HELLO, frame } from './fixtures';

const path = process.argv[2]!;
const rec = Recorder.open(path);
const runId = rec.startRun({ robotName: 'crash-bot', source: 'sim' });
let out = `run ${runId}\n`;
const report = (kind: string, t: number): void => {
  out += `${kind} ${t.toFixed(6)}\n`;
};
rec.recordRobotFrame(frame(HELLO, 0, Date.now() / 1000));
let k = 0;
let seq = 1;
// 50 Hz tick like the safety loop: odometry every tick, a command every other, a scan and a
// planner cycle with 50 candidates every fifth.
setInterval(() => {
  const t = Date.now() / 1000;
  rec.recordRobotFrame(frame({ type: 'odometry', x: k * 0.01, y: 0, theta: 0, v: 0.5, w: 0, lastCommandSeq: k }, seq++, t), t);
  report('odometry', t);
  if (k % 2 === 0) {
    rec.recordCommandSent({ version: 1, seq: seq++ & 0xffff, timestampUs: Math.round(t * 1e6), msg: { type: 'velocity-command', v: 0.5, w: 0 } }, t);
    report('command', t);
  }
  if (k % 5 === 0) {
    const ranges = new Float32Array(360).fill(3);
    rec.recordRobotFrame(frame({ type: 'laser-scan', angleMin: -3.14, angleIncrement: 0.0174, timeIncrement: 1e-4, rangeMin: 0.1, rangeMax: 8, ranges }, seq++, t), t);
    report('laser-scan', t);
    const points = Array.from({ length: 60 }, (_, i) => i * 0.05);
    rec.recordPlannerCycle({
      cycleTimeS: 0.01, chosen: { points, cost: 1 },
      candidates: Array.from({ length: 50 }, (_, j) => ({ cost: j, terms: { progress: 1, risk: 0.1 }, points })),
    }, t);
    report('planner-cycle', t);
  }
  k++;
  // One write per tick: the parent sees exactly what was handed over before the kill.
  process.stdout.write(out);
  out = '';
}, 20);
