// Starts a TypeScript worker thread under tsx (the CLI, web host and tests run from sources):
// the planner worker and the recorder's writer thread both start here (src/main/threads.ts).
// The Electron build bundles each thread instead and does not use this file.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
