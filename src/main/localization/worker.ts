/** The estimator worker thread: hosts an EstimatorEngine (MCL or SLAM) off the core's thread. */
import { parentPort } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { EstimatorEngine } from './engine';
import { defaultEstimatorFactories } from './factories';
import type { ToEstimator } from './protocol';

const port = parentPort;
if (!port) throw new Error('the estimator worker must run in a worker thread');
const engine = new EstimatorEngine(defaultEstimatorFactories, () => performance.now() / 1000);

port.on('message', (msg: ToEstimator) => {
  try {
    for (const answer of engine.handle(msg)) port.postMessage(answer);
  } catch (err) {
    port.postMessage({ type: 'fatal', message: err instanceof Error ? err.message : String(err) });
    process.exit(1);
  }
});
