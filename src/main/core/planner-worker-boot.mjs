// Starts the TypeScript planner worker under tsx (the CLI and web host run from sources).
// The Electron build bundles planner-worker.js instead and does not use this file.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
