/**
 * Where the estimator runs. Live, in a worker thread (`WorkerEstimator`): a loop-closure
 * optimisation may take a few hundred ms and the 50 Hz safety tick must never wait on it.
 * On virtual time (scenarios, evaluations), in process (`InlineEstimator`), answering at once,
 * so a run is deterministic. The core's controller is the same for both.
 */
import { Worker } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { threadEntry } from '../threads';
import { EstimatorEngine, type EstimatorFactories } from './engine';
import { defaultEstimatorFactories } from './factories';
import type { FromEstimator, ToEstimator } from './protocol';

export interface EstimatorPort {
  post(msg: ToEstimator): void;
  onMessage(listener: (msg: FromEstimator) => void): void;
  shutdown(): Promise<void>;
}

/** In process: every message is handled at once (virtual time, tests). */
export class InlineEstimator implements EstimatorPort {
  private readonly engine: EstimatorEngine;
  private listener: (msg: FromEstimator) => void = () => {};

  constructor(factories: EstimatorFactories = defaultEstimatorFactories) {
    this.engine = new EstimatorEngine(factories, () => performance.now() / 1000);
  }

  post(msg: ToEstimator): void {
    let answers: FromEstimator[];
    try {
      answers = this.engine.handle(msg);
    } catch (err) {
      answers = [{ type: 'fatal', message: err instanceof Error ? err.message : String(err) }];
    }
    for (const a of answers) this.listener(a);
  }

  onMessage(listener: (msg: FromEstimator) => void): void {
    this.listener = listener;
  }

  async shutdown(): Promise<void> {}
}

/** In a worker thread (the live console). A worker that dies reports 'fatal' and is not restarted by itself. */
export class WorkerEstimator implements EstimatorPort {
  private worker: Worker | null = null;
  private listener: (msg: FromEstimator) => void = () => {};
  private stopped = false;

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const { url, entry } = threadEntry('estimator-worker.js', new URL('./worker.ts', import.meta.url));
    const worker = new Worker(url, { workerData: entry ? { entry } : undefined });
    this.worker = worker;
    worker.on('message', (msg: FromEstimator) => this.listener(msg));
    worker.on('error', (err) => this.fail(worker, err.message));
    worker.on('exit', (code) => this.fail(worker, `exited with code ${code}`));
    return worker;
  }

  post(msg: ToEstimator): void {
    if (this.stopped) return;
    // Nothing to run: no thread is started for a console that never localizes.
    if (msg.type === 'off' && !this.worker) return;
    this.ensure().postMessage(msg);
  }

  onMessage(listener: (msg: FromEstimator) => void): void {
    this.listener = listener;
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }

  private fail(worker: Worker, message: string): void {
    if (this.worker !== worker || this.stopped) return;
    this.worker = null;
    this.listener({ type: 'fatal', message });
  }
}
