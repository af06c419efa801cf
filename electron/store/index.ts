// The run store: one SQLite database (better-sqlite3) that the app, browser mode and the command line share.
// Plain Node; no Electron import — the app passes app.getPath('userData') as dataDir.
//
//   const store = openStore({ dataDir });            // or { path: '--db PATH' }; openStoreOrRecover() in the app
//   store.recoverInterrupted();                      // at start-up: runs whose process died → 'interrupted'
//   const run = store.createRun(config, { backend: info });
//   const rec = new MetricsRecorder(store, run.id);  // trainer.run({ onEpoch: (m) => rec.record(m) })
//   rec.finish(result, trainer.params());            // → finished | stopped | failed, with final weights
//   listRuns(store, { sort: 'finalCost' }); loadCurves(store, ids, { maxPoints: 1000 }); diffParams(store, ids);
//
// Failures are StoreError with a code to branch on (errors.ts). Opening: OPEN, READONLY, LOCKED, TOO_NEW, CORRUPT,
// NOT_OURS — one line naming the file and the way out, the file untouched. Working: NOT_FOUND, INVALID, STATE,
// BUSY (another program holds the lock; nothing written; retry — isTransient(e)), READONLY, CORRUPT, FULL, IO —
// one line naming no path. A host with an event loop opens with a small busyTimeoutMs and retries BUSY itself.

export { StoreError, fromSqlite, isTransient, type StoreErrorCode } from './errors';
export {
  APP_DIR_NAME,
  DB_FILE_NAME,
  DEFAULT_BUSY_TIMEOUT_MS,
  defaultDataDir,
  openStore,
  openStoreOrRecover,
  resolveDbPath,
  type OpenStoreOptions,
  type RecoveredStore,
  type RecoverOptions,
} from './db';
export { APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION, migrate, type Migration } from './migrations';
export { METRIC_KEY, STANDARD_KEYS, decodeValue, encodeValue, epochRows, snakeCase, type MetricRow } from './metrics';
export { MetricsRecorder, type RecorderOptions } from './recorder';
export {
  RUN_ORIGINS,
  RUN_STATUSES,
  Store,
  pidAlive,
  reasonLine,
  runDurationMs,
  type BackendRecord,
  type ImportRunInput,
  type InterruptedRun,
  type RunLineage,
  type RunOrigin,
  type RunOutcome,
  type RunRecord,
  type RunState,
  type RunSummary,
} from './store';
export {
  CURVE_SQL,
  RUN_SORTS,
  configsOf,
  countRuns,
  diffParams,
  downsampleMinMax,
  flattenConfig,
  listRuns,
  listRunsSql,
  loadCurves,
  readableConfig,
  settingApplies,
  type ConfigValue,
  type Curve,
  type ListRunsQuery,
  type LoadCurvesOptions,
  type ParamDiff,
  type RunFilter,
  type RunSort,
} from './compare';
export { decodeParams, encodeParams, type ParamShape } from './weights';
export {
  SWEEP_STATUSES,
  createSweep,
  deleteSweep,
  findSweep,
  finishSweep,
  getSweep,
  heartbeatSweep,
  linkRun,
  listSweeps,
  pruneRun,
  recoverInterruptedSweeps,
  resolveSweepId,
  sweepIdsOf,
  sweepRuns,
  type SweepRecord,
  type SweepRun,
  type SweepState,
} from './sweeps';
