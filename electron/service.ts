// The host's command handlers, one per contract command: validate the payload with the contract's schema, call
// the run store and the TrainerHost, and answer { ok: true, value } or { ok: false, error: { code, message } } —
// never a thrown exception. Also turns what the trainers report into store writes (one transaction per metrics
// batch) and events. No Electron here: main.ts (IPC) and server.ts (WebSocket) both serve this object.

import { ArchitectureError, parameterCount, validateArchitecture } from '../engine/architecture';
import { BackendUnavailableError, releaseBackend, type BackendFactory } from '../engine/backends/index';
import { NODE_BACKENDS } from './backends';
import { ConfigError, defaultConfig, resolveConfig, type RunConfig } from '../engine/config';
import { DatasetError, loadData, parseCsv, type Samples } from '../engine/datasets/index';
import { ImportError } from '../engine/export/errors';
import { notebookScript } from '../engine/export/notebook';
import { readNpz, writeNpz, type ImportedWeights as EngineImported } from '../engine/export/npz';
import { exportOnnx } from '../engine/export/onnx';
import { parseWeightsJSON, stringifyWeights } from '../engine/export/weights-json';
import type { Params } from '../engine/init';
import type { EpochMetrics, TrainResult } from '../engine/train';
import {
  COMMANDS,
  MAX_COMPARE,
  MAX_CSV_TEXT,
  MAX_IMPORT_BYTES,
  METRIC_KEYS,
  isCommandName,
  type AppInfo,
  type CommandError,
  type CommandInput,
  type CommandName,
  type CommandPayload,
  type CommandResult,
  type Curve,
  type ErrorCode,
  type EventName,
  type EventPayload,
  type ExportFormat,
  type MetricKey,
  type ParamJSON,
  type Result,
  type RunCurves,
  type RunDetail,
  type RunId,
  type RunSummary,
} from './contract';
import { diffParams, epochRows, listRuns, loadCurves, snakeCase, StoreError, type RunRecord, type RunSummary as StoreSummary, type Store } from './store/index';
import { TrainerError, TrainerHost, type RunEnd, type SpawnWorker, type TrainerHostOptions, type TrainerListener } from './trainer/host';
import { paramsFromPlain, paramsToPlain } from './trainer/snapshot';
import type { ServiceEndpoint } from './transport';
import type { Unsubscribe } from './preload-api';

/** A failure with a contract error code, thrown inside a handler and returned as { ok: false, error }. */
export class ServiceError extends Error {
  constructor(readonly code: ErrorCode, message: string) {
    super(message);
    this.name = 'ServiceError';
  }
}

/** Fans events out to every subscriber (the IPC wiring, each WebSocket connection, tests). */
export class EventHub {
  private readonly listeners = new Set<(event: EventName, payload: unknown) => void>();

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    for (const l of [...this.listeners]) {
      try {
        l(event, payload);
      } catch {
        // one subscriber's failure (a closed window) must not keep the event from the others
      }
    }
  }

  subscribe(listener: (event: EventName, payload: unknown) => void): Unsubscribe {
    const wrapped = (e: EventName, p: unknown) => listener(e, p);
    this.listeners.add(wrapped);
    return () => void this.listeners.delete(wrapped);
  }
}

export interface ServiceDeps {
  /** The open run store (electron/store). The caller opens it, runs recoverInterrupted() and closes it. */
  store: Store;
  /** Which bridge serves this service, reported by app.info. */
  host: 'desktop' | 'browser';
  /** The app's version (app.getVersion() in Electron, package.json's in browser mode). */
  version: string;
  /** How training workers start (tests inject a fake); default: worker threads. */
  spawn?: SpawnWorker;
  /** Trainer timing (metrics and snapshot intervals, grid size). */
  trainer?: Omit<TrainerHostOptions, 'listener' | 'spawn'>;
  /** Backends app.info reports on (default: the engine's list). */
  backends?: BackendFactory[];
  /** How often a paused run tells the store it is alive (ms; default 60 s). */
  heartbeatMs?: number;
}

/** The service: a ServiceEndpoint (for the transports) with a typed invoke and its own lifetime. */
export interface Service extends ServiceEndpoint {
  invoke<C extends CommandName>(command: C, payload: CommandInput<C>): Promise<Result<CommandResult<C>>>;
  readonly events: EventHub;
  readonly trainers: TrainerHost;
  /** Stops every training worker (their runs become 'interrupted' at the store's next start-up recovery). */
  close(): Promise<void>;
}

type Handlers = { [C in CommandName]: (payload: CommandPayload<C>) => Promise<CommandResult<C>> | CommandResult<C> };

/** Contract metric names ↔ the store's keys: trainCost ↔ train_cost. */
const KEY_TO_STORE = Object.fromEntries(METRIC_KEYS.map((k) => [k, snakeCase(k)])) as Record<MetricKey, string>;
const KEY_FROM_STORE = Object.fromEntries(METRIC_KEYS.map((k) => [snakeCase(k), k])) as Record<string, MetricKey>;

const PREVIEW_POINTS = 5000;

/** Builds the service over a store; it owns a TrainerHost whose reports it records and forwards as events. */
export function createService(deps: ServiceDeps): Service {
  const { store } = deps;
  const events = new EventHub();

  const listener: TrainerListener = {
    metrics(runId, metrics) {
      // one transaction for the whole batch, then one event: the UI never sees an epoch the store lacks
      const now = Date.now();
      const rows = [];
      for (const m of metrics) for (const r of epochRows(m, now)) rows.push(r);
      store.appendMetrics(runId, rows);
      events.emit('run.metrics', { runId, metrics });
    },
    phase(runId, phase, epoch) {
      events.emit('run.status', { runId, status: phase, epoch });
      events.emit('runs.changed', { runId, change: 'updated' });
    },
    snapshot(_runId, snapshot) {
      events.emit('run.snapshot', snapshot);
    },
    ended(runId, end) {
      recordEnd(store, runId, end);
      events.emit('run.status', {
        runId,
        status: end.status,
        epoch: end.epoch,
        ...(end.reason ? { reason: end.reason } : {}),
        ...(end.final ? { final: end.final } : {}),
      });
      events.emit('runs.changed', { runId, change: 'updated' });
    },
  };
  const trainers = new TrainerHost({ listener, ...(deps.spawn ? { spawn: deps.spawn } : {}), ...(deps.trainer ?? {}) });

  // A paused run writes nothing; its heartbeat keeps another process's start-up recovery from calling it dead.
  const beat = setInterval(() => {
    for (const id of trainers.active()) {
      try {
        if (trainers.state(id)?.status === 'paused') store.heartbeat(id);
      } catch {
        // deleted meanwhile, or the database is busy: the next beat tries again
      }
    }
  }, deps.heartbeatMs ?? 60_000);
  beat.unref?.();

  let backendsInfo: Promise<AppInfo['backends']> | null = null;

  /** The contract's summary of a stored run: live status, architecture and duration added. */
  const summary = (s: StoreSummary, architecture: string): RunSummary => {
    const live = trainers.state(s.id);
    return {
      ...s,
      status: live?.status === 'paused' && s.status === 'running' ? 'paused' : s.status,
      architecture,
      durationMs: s.endedAt !== null && s.startedAt !== null ? s.endedAt - s.startedAt : null,
    };
  };
  const detail = (r: RunRecord): RunDetail => {
    const { writer: _w, weights: _ws, metricKeys: _k, ...rest } = r;
    return { ...summary(rest, dims(r.config)), config: r.config };
  };

  /** The weights to inspect a run that has no live worker: its stored final parameters. */
  const ensureWorker = async (runId: RunId) => {
    if (trainers.has(runId)) return;
    const rec = store.getRun(runId);
    const params = store.getWeights(runId);
    if (!params) {
      throw new ServiceError('conflict', `run ${runId} (${rec.status}) has no stored weights to inspect${rec.status === 'running' ? '; it is training in another process' : ''}`);
    }
    if (rec.config.data.kind === 'csv') {
      throw new ServiceError('conflict', `run ${runId} trained on a CSV file whose data is not stored; inspect it while its worker is alive, or start a new run from its weights`);
    }
    await trainers.attach(runId, { config: rec.config, params: paramsToPlain(params) });
  };

  const handlers: Handlers = {
    'app.info': async () => {
      backendsInfo ??= probeBackends(deps.backends ?? NODE_BACKENDS);
      return {
        version: deps.version,
        host: deps.host,
        backends: await backendsInfo,
        defaultConfig: defaultConfig(),
        limits: { maxCsvText: MAX_CSV_TEXT, maxImportBytes: MAX_IMPORT_BYTES, maxCompare: MAX_COMPARE },
      };
    },

    'runs.start': async (p) => {
      const config = resolveConfig(p.config as Parameters<typeof resolveConfig>[0]);
      if (config.data.kind === 'csv' && p.csvText === undefined) {
        throw new ServiceError('invalid_config', 'data.kind is csv but no csvText was sent; load the CSV file first');
      }
      if (p.initialParams) checkParamsFit(p.initialParams, config);
      const prepared = await trainers.prepare({
        config,
        ...(p.csvText !== undefined ? { csvText: p.csvText } : {}),
        ...(p.initialParams ? { params: p.initialParams } : {}),
      });
      let rec: RunRecord;
      try {
        rec = store.createRun(config, { ...(p.name?.trim() ? { name: p.name } : {}), backend: prepared.backend });
      } catch (e) {
        prepared.abort();
        throw e;
      }
      const paused = Boolean(p.startPaused);
      prepared.go(rec.id, { paused });
      events.emit('runs.changed', { runId: rec.id, change: 'created' });
      return { runId: rec.id, backend: prepared.backend, status: paused ? 'paused' : 'running' };
    },
    'runs.pause': (p) => control(p.runId, () => trainers.pause(p.runId)),
    'runs.resume': (p) => control(p.runId, () => trainers.resume(p.runId)),
    'runs.step': (p) => control(p.runId, () => trainers.step(p.runId)),
    'runs.stop': (p) => control(p.runId, () => trainers.stop(p.runId)),

    'runs.list': (p) => {
      const f = p.filter ?? {};
      const status = f.status === 'paused' ? 'running' : f.status;
      const rows = listRuns(store, {
        ...(f.name ? { name: f.name } : {}),
        ...(f.tag?.trim() ? { tag: f.tag.trim() } : {}),
        ...(f.dataset ? { dataset: f.dataset } : {}),
        ...(status ? { status } : {}),
        ...(p.sort ? { sort: p.sort.by, ...(p.sort.dir ? { order: p.sort.dir } : {}) } : {}),
        limit: p.limit ?? 500,
        offset: p.offset ?? 0,
      });
      const arch = architectures(store, rows.map((r) => r.id));
      const out = rows.map((r) => summary(r, arch.get(r.id) ?? ''));
      return f.status ? out.filter((r) => r.status === f.status) : out;
    },
    'runs.get': (p) => {
      const rec = store.getRun(p.runId);
      const keys = METRIC_KEYS.filter((k) => rec.metricKeys.includes(KEY_TO_STORE[k]));
      const curves = keys.length ? curvesOf(store, [p.runId], keys, p.maxPoints ?? 2000)[p.runId]! : {};
      return { run: detail(rec), curves };
    },
    'runs.curves': (p) => curvesOf(store, p.runIds, p.keys ?? ['trainCost', 'testCost'], p.maxPoints ?? 2000),
    'runs.diff': (p) => {
      const d = diffParams(store, p.runIds, { onlyDifferences: Boolean(p.onlyDifferences) });
      const recs = p.runIds.map((id) => store.getRun(id));
      const weightDistances: Array<{ a: RunId; b: RunId; distance: number }> = [];
      const weights = new Map<string, Params | null>();
      const w = (id: string) => {
        if (!weights.has(id)) weights.set(id, store.getWeights(id));
        return weights.get(id)!;
      };
      for (let i = 0; i < recs.length; i++) {
        for (let j = i + 1; j < recs.length; j++) {
          const a = recs[i]!, b = recs[j]!;
          if (a.config.init.seed !== b.config.init.seed || JSON.stringify(a.config.architecture) !== JSON.stringify(b.config.architecture)) continue;
          const wa = w(a.id), wb = w(b.id);
          if (wa && wb) weightDistances.push({ a: a.id, b: b.id, distance: paramDistance(wa, wb) });
        }
      }
      return {
        runIds: p.runIds,
        rows: d.rows.map((r) => ({ path: r.path, values: r.values.map((v) => (v === undefined ? null : v)), differs: r.differs })),
        final: recs.map((r) => ({
          id: r.id,
          name: r.name,
          status: summary(r, '').status,
          finalCost: r.finalCost,
          trainAccuracy: r.trainAccuracy,
          testCost: r.testCost,
          testAccuracy: r.testAccuracy,
          epochsDone: r.epochsDone,
        })),
        weightDistances,
      };
    },
    'runs.rename': (p) => edited(store.renameRun(p.runId, p.name)),
    'runs.tag': (p) => edited(store.setTags(p.runId, p.tags)),
    'runs.note': (p) => edited(store.setNotes(p.runId, p.notes)),
    'runs.delete': async (p) => {
      store.getRun(p.runId); // NOT_FOUND before anything is stopped
      await trainers.release(p.runId);
      store.deleteRun(p.runId);
      events.emit('runs.changed', { runId: p.runId, change: 'deleted' });
      return { deleted: p.runId };
    },
    'runs.export': (p) => exportRun(store, p.runId, p.format),
    'runs.importWeights': (p) => {
      const bytes = Buffer.from(p.base64, 'base64');
      if (bytes.length > MAX_IMPORT_BYTES) throw new ServiceError('import_failed', `${p.filename} is larger than the ${MAX_IMPORT_BYTES / 1024 / 1024} MiB import limit`);
      const name = p.filename.split(/[\\/]/).pop() || 'the file';
      const arch = p.architecture ? validateArchitecture(p.architecture) : undefined;
      let w: EngineImported;
      if (/\.npz$/i.test(name)) w = readNpz(new Uint8Array(bytes), { fileName: name, ...(arch ? { architecture: arch } : {}) });
      else if (/\.json$/i.test(name)) w = parseWeightsJSON(new Uint8Array(bytes), { fileName: name });
      else throw new ServiceError('import_failed', `${name}: import weights from a .json or .npz file`);
      if (arch && JSON.stringify(arch) !== JSON.stringify(w.architecture)) {
        throw new ServiceError('import_failed', `${name} holds weights for ${dims({ architecture: w.architecture } as RunConfig)} (${w.architecture.map((l) => l.activation).join(', ')}), not for the design's ${dims({ architecture: arch } as RunConfig)}; change the design or load its own architecture`);
      }
      return {
        architecture: w.architecture,
        params: paramsToPlain(w.params),
        config: w.config ?? null,
        parameterCount: parameterCount(w.architecture),
      };
    },

    'data.preview': (p) => {
      const data = { ...p.data };
      if (data.kind === 'csv' && !data.csv?.path) data.csv = { path: 'data.csv', ...(data.csv ?? {}) };
      const spec = resolveConfig({ data } as Parameters<typeof resolveConfig>[0]).data;
      if (spec.kind === 'csv' && p.csvText === undefined) throw new ServiceError('invalid_config', 'data.kind is csv but no csvText was sent');
      const split = loadData(spec, p.csvText);
      const range: Array<[number, number]> = [];
      for (let f = 0; f < split.features; f++) {
        let lo = Infinity, hi = -Infinity;
        for (const s of [split.train, split.test]) for (let i = 0; i < s.n; i++) {
          const v = s.X[i * s.features + f]!;
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
        range.push(lo <= hi ? [lo, hi] : [0, 0]);
      }
      return {
        features: split.features,
        classes: split.classes,
        featureNames: split.featureNames,
        classNames: split.classNames,
        train: points(split.train),
        test: points(split.test),
        totalTrain: split.train.n,
        totalTest: split.test.n,
        range,
      };
    },
    'data.parseCsv': (p) => {
      const columns = csvHeader(p.text);
      try {
        const d = parseCsv(p.text, { ...(p.labelColumn ? { labelColumn: p.labelColumn } : {}) });
        return {
          ok: true,
          columns,
          labelColumn: p.labelColumn ?? columns[columns.length - 1] ?? null,
          rows: d.samples.n,
          featureNames: d.featureNames,
          classNames: d.classNames,
          errors: [],
        };
      } catch (e) {
        if (!(e instanceof DatasetError)) throw e;
        return { ok: false, columns, labelColumn: null, rows: 0, featureNames: [], classNames: [], errors: [e.message] };
      }
    },

    'net.inspect': async (p) => {
      await ensureWorker(p.runId);
      return trainers.inspect(p.runId, p.point);
    },
    'net.gradCheck': async (p) => {
      await ensureWorker(p.runId);
      return trainers.gradCheck(p.runId, { maxPerParam: p.maxPerParam ?? 20, samples: p.samples ?? 256 });
    },
  };

  /** A control command for a run without a worker here: not found, or not training in this app. */
  async function control<T>(runId: RunId, f: () => Promise<T>): Promise<T> {
    if (!trainers.has(runId)) {
      const rec = store.findRun(runId);
      if (!rec) throw new ServiceError('not_found', `there is no run with id ${runId}`);
      throw new ServiceError('conflict', rec.status === 'running' ? `run ${runId} is training in another process; control it there` : `run ${runId} has ${rec.status}; start a new run to train again`);
    }
    return f();
  }

  function edited(rec: RunRecord): RunSummary {
    events.emit('runs.changed', { runId: rec.id, change: 'updated' });
    return detail(rec);
  }

  async function call(command: string, payload: unknown): Promise<Result<unknown>> {
    if (!isCommandName(command)) {
      return { ok: false, error: { code: 'unknown_command', message: `unknown command ${JSON.stringify(String(command)).slice(0, 80)}` } };
    }
    const parsed = COMMANDS[command].payload.safeParse(payload ?? {});
    if (!parsed.success) return { ok: false, error: { code: 'invalid_payload', message: describeIssues(command, parsed.error.issues) } };
    try {
      const handler = handlers[command] as (p: unknown) => unknown;
      return { ok: true, value: await handler(parsed.data) };
    } catch (e) {
      return { ok: false, error: toError(e) };
    }
  }

  return {
    call,
    invoke: (command, payload) => call(command, payload) as never,
    subscribe: (l) => events.subscribe(l),
    events,
    trainers,
    async close() {
      clearInterval(beat);
      await trainers.close();
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------

/** Writes how a run ended: finished / stopped with metrics and weights, failed with the reason. */
function recordEnd(store: Store, runId: RunId, end: RunEnd): void {
  const params = end.params ? paramsFromPlain(end.params) : undefined;
  const result = (status: TrainResult['status']) =>
    ({
      status,
      epochs: end.epoch,
      finalCost: end.final!.finalCost,
      trainAccuracy: end.final!.trainAccuracy,
      testCost: end.final!.testCost,
      testAccuracy: end.final!.testAccuracy,
      ...(end.reason ? { reason: end.reason } : {}),
    }) as TrainResult;
  try {
    if (end.status === 'interrupted') return; // the store's start-up recovery marks it, keeping every epoch
    if (end.status === 'failed' || !end.final || !Number.isFinite(end.final.finalCost)) {
      store.failRun(runId, end.reason ?? 'the run failed', { epochs: end.epoch });
    } else if (end.status === 'finished') store.finishRun(runId, result('finished'), params);
    else store.stopRun(runId, { result: result('stopped'), ...(params ? { params } : {}), reason: end.reason ?? `stopped by the user at epoch ${end.epoch}` });
  } catch (e) {
    // a run deleted while it trained has nothing left to update
    if (!(e instanceof StoreError && e.code === 'NOT_FOUND')) throw e;
  }
}

/** Checks imported parameters against the architecture before a worker is started with them. */
function checkParamsFit(params: readonly ParamJSON[], config: RunConfig): void {
  const arch = config.architecture;
  if (params.length !== arch.length * 2) {
    throw new ServiceError('invalid_config', `initialParams has ${params.length} matrices but the architecture needs ${arch.length * 2} (W1, b1, …, W${arch.length}, b${arch.length})`);
  }
  arch.forEach((l, i) => {
    const W = params[2 * i]!, b = params[2 * i + 1]!;
    if (W.name !== `W${i + 1}` || W.rows !== l.output_dim || W.cols !== l.input_dim) {
      throw new ServiceError('invalid_config', `initialParams[${2 * i}] must be W${i + 1} of shape ${l.output_dim}×${l.input_dim}, got ${W.name} ${W.rows}×${W.cols}`);
    }
    if (b.name !== `b${i + 1}` || b.rows !== l.output_dim || b.cols !== 1) {
      throw new ServiceError('invalid_config', `initialParams[${2 * i + 1}] must be b${i + 1} of shape ${l.output_dim}×1, got ${b.name} ${b.rows}×${b.cols}`);
    }
  });
}

/** "2-25-50-50-25-1" */
function dims(config: Pick<RunConfig, 'architecture'>): string {
  const a = config.architecture;
  return a.length ? [a[0]!.input_dim, ...a.map((l) => l.output_dim)].join('-') : '';
}

/** Layer widths of the listed runs, read in one query (the store's summary has no config). */
function architectures(store: Store, ids: string[]): Map<string, string> {
  const out = new Map<string, string>();
  if (ids.length === 0) return out;
  const rows = store.db
    .prepare("SELECT id, json_extract(config, '$.architecture') AS arch FROM runs WHERE id IN (SELECT value FROM json_each(?))")
    .all(JSON.stringify(ids)) as Array<{ id: string; arch: string | null }>;
  for (const r of rows) {
    try {
      out.set(r.id, dims({ architecture: JSON.parse(r.arch ?? '[]') }));
    } catch {
      out.set(r.id, '');
    }
  }
  return out;
}

function curvesOf(store: Store, ids: string[], keys: readonly MetricKey[], maxPoints: number): Record<RunId, RunCurves> {
  const out: Record<RunId, RunCurves> = {};
  for (const id of ids) out[id] = {};
  for (const c of loadCurves(store, ids, { keys: keys.map((k) => KEY_TO_STORE[k]), maxPoints })) {
    const key = KEY_FROM_STORE[c.key];
    if (key && c.total > 0) out[c.runId]![key] = { step: c.steps, value: c.values, total: c.total } satisfies Curve;
  }
  return out;
}

/** ‖θa − θb‖₂ over every parameter. */
function paramDistance(a: Params, b: Params): number {
  let s = 0;
  a.forEach((p, i) => {
    const q = b[i]!.data;
    for (let k = 0; k < p.data.length; k++) s += (p.data[k]! - q[k]!) ** 2;
  });
  return Math.sqrt(s);
}

/** At most PREVIEW_POINTS points, evenly strided, as plain arrays. */
function points(s: Samples): { X: number[]; y: number[]; n: number } {
  const stride = Math.max(1, Math.ceil(s.n / PREVIEW_POINTS));
  const X: number[] = [], y: number[] = [];
  for (let i = 0; i < s.n; i += stride) {
    for (let f = 0; f < s.features; f++) X.push(s.X[i * s.features + f]!);
    y.push(s.y[i]!);
  }
  return { X, y, n: y.length };
}

/** The header row's names (RFC 4180 quotes), for the CSV dialog even when the file has errors further down. */
function csvHeader(text: string): string[] {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (i < text.length && /[\r\n]/.test(text[i]!)) i++;
  const out: string[] = [];
  let field = '', quoted = false;
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field.trim() === '') (quoted = true), (field = '');
    else if (c === ',') out.push(field.trim()), (field = '');
    else if (c === '\n' || c === '\r') break;
    else field += c;
    if (out.length > 10_000) break;
  }
  out.push(field.trim());
  return out.length === 1 && out[0] === '' ? [] : out;
}

const SLUG = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'run';

function exportRun(store: Store, runId: RunId, format: ExportFormat): { filename: string; mime: string; base64: string } {
  const rec = store.getRun(runId);
  const base = `${SLUG(rec.name)}-${rec.id.slice(0, 8)}`;
  const file = (ext: string, mime: string, bytes: Uint8Array | string) => ({
    filename: `${base}.${ext}`,
    mime,
    base64: Buffer.from(typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes).toString('base64'),
  });
  if (format === 'metrics-csv') return file('csv', 'text/csv', metricsCsv(store, rec));
  if (format === 'py') return file('py', 'text/x-python', notebookScript(rec.config, { title: rec.name }));
  const params = store.getWeights(runId);
  if (!params) {
    throw new ServiceError('conflict', `run ${runId} (${rec.status}) has no stored weights to export${rec.status === 'failed' ? ': it failed, so its weights were not kept' : ''}; metrics CSV and the notebook script are available`);
  }
  const w = { architecture: rec.config.architecture, params, config: rec.config };
  if (format === 'json') {
    const metrics = { status: rec.status, epochs: rec.epochsDone, finalCost: rec.finalCost, trainAccuracy: rec.trainAccuracy, testCost: rec.testCost, testAccuracy: rec.testAccuracy };
    return file('json', 'application/json', stringifyWeights({ ...w, metrics }));
  }
  if (format === 'npz') return file('npz', 'application/zip', writeNpz(w));
  return file('onnx', 'application/octet-stream', exportOnnx(w));
}

/** epoch,train_cost,train_accuracy,test_cost,test_accuracy,elapsed_ms — one line per epoch; NaN written as NaN. */
function metricsCsv(store: Store, rec: RunRecord): string {
  const keys = [...METRIC_KEYS.map((k) => KEY_TO_STORE[k]).filter((k) => rec.metricKeys.includes(k)), ...rec.metricKeys.filter((k) => !KEY_FROM_STORE[k])];
  const byStep = new Map<number, Map<string, number>>();
  for (const r of store.readMetrics(rec.id, { keys })) {
    let row = byStep.get(r.step);
    if (!row) byStep.set(r.step, (row = new Map()));
    row.set(r.key, r.value);
  }
  const lines = [['epoch', ...keys].join(',')];
  for (const step of [...byStep.keys()].sort((a, b) => a - b)) {
    const row = byStep.get(step)!;
    lines.push([step, ...keys.map((k) => (row.has(k) ? String(row.get(k)) : ''))].join(','));
  }
  return lines.join('\n') + '\n';
}

async function probeBackends(factories: BackendFactory[]): Promise<AppInfo['backends']> {
  // one entry per choice (a Node host offers a threaded and a one-thread cpu): available if any of them starts
  const byName = new Map<string, { available: boolean; details: string[] }>();
  for (const f of factories) {
    const entry = byName.get(f.name) ?? { available: false, details: [] };
    byName.set(f.name, entry);
    try {
      const b = await f.create();
      entry.available = true;
      entry.details.push(`${b.mode} (${b.precision})`);
      await releaseBackend(b);
    } catch (e) {
      entry.details.push((e as Error).message);
    }
  }
  return [...byName].map(([name, e]) => ({ name: name as BackendFactory['name'], available: e.available, detail: e.details.join('; ') }));
}

/** "runs.start: config.training.learningRate: Too small: expected number to be >0" (the first three issues). */
function describeIssues(command: string, issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): string {
  const parts = issues.slice(0, 3).map((i) => {
    const path = i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
    return path ? `${path}: ${i.message}` : i.message;
  });
  return `${command}: ${parts.join('; ')}${issues.length > 3 ? ` (and ${issues.length - 3} more)` : ''}`;
}

/** Any thrown value → the error the caller sees; a bug becomes 'internal' with its message. */
export function toError(e: unknown): CommandError {
  if (e instanceof ServiceError || e instanceof TrainerError) return { code: e.code, message: e.message };
  if (e instanceof StoreError) {
    const code: ErrorCode = e.code === 'NOT_FOUND' ? 'not_found' : e.code === 'INVALID' ? 'invalid_payload' : e.code === 'STATE' ? 'conflict' : 'internal';
    return { code, message: e.message };
  }
  if (e instanceof ImportError) return { code: 'import_failed', message: e.message };
  if (e instanceof ConfigError || e instanceof ArchitectureError || e instanceof DatasetError || e instanceof BackendUnavailableError) {
    return { code: 'invalid_config', message: e.message };
  }
  return { code: 'internal', message: e instanceof Error ? e.message : String(e) };
}

/** The service's Result as a value, for callers that prefer a throw (tests, the CLI). */
export function unwrap<T>(r: Result<T>): T {
  if (r.ok) return r.value;
  throw new ServiceError(r.error.code, r.error.message);
}

export type { EpochMetrics };
