// Development and tests only: registers tsx in this worker thread, then loads the TypeScript worker entry named
// in workerData.entry. (Node 20 ignores `--import tsx` in a worker's execArgv, so the hook is registered here.)
// The built app never uses this file: electron-vite bundles electron/trainer/worker.ts as out/main/trainer-worker.js.
import { workerData } from 'node:worker_threads';

const { register } = await import('tsx/esm/api');
register();
await import(workerData.entry);
