// Sweeps in the core: a spec (electron/sweeps) → trials → ordinary runs, each started through the core's own
// runs.start (so a trial is recorded, exported and shown as any run, and equals `backprop-lab train` with the same
// options), at most `parallel` at once. ASHA is fed from each trial's committed metrics (the 'run.metrics'
// events) and prunes through the core (pruneRun: the run ends 'pruned' with the rung in its reason). Progress —
// trials done / running / pruned, the best so far, an ETA — goes out as 'sweep.progress'.
//
// Where a trial trains is a TrialExecutor: here, this core's own trainers. A queue (BullMQ) executor plugs in
// the same way (electron/sweeps/queue.ts) and records its trials through the same store functions.

import { availableParallelism } from 'node:os';
import { resolveConfig, type RunConfig } from '../../engine/config';
import type { EpochMetrics, FinalMetrics } from '../../engine/train';
import {
  COMMANDS,
  type CommandPayload,
  type RunId,
  type RunStatus,
  type RunStatusEvent,
  type StartedSweep,
  type SweepDetail,
  type SweepInfo,
  type SweepProgressEvent,
  type SweepTrialInfo,
} from '../contract';
import { MAX_NAME_LENGTH } from '../limits';
import {
  createSweep,
  deleteSweep,
  finishSweep,
  getSweep,
  heartbeatSweep,
  linkRun,
  listSweeps,
  sweepRuns,
  type SweepRecord,
} from '../store/index';
import { Asha, epochsSaved } from '../sweeps/asha';
import { countTrials } from '../sweeps/trials';
import { generateTrials, optionsToConfig, parseSweepSpec, SweepSpecError, sweepSpecToJson, trialLabel, type AshaMetric, type SweepSpec, type Trial } from '../sweeps/index';
import { DEFAULT_MAX_LIVE_RUNS, type CoreContext, type Handler, type Handlers } from './context';
import { CoreError, retryBusy } from './errors';
import { pruneRun } from './runs';

/** What a sweep needs to start one trial's run here: the core's runs.start. */
export type StartRun = Handler<'runs.start'>;

/** A trial handed to an executor was taken back before it started (the sweep stopped). */
export class TrialCancelled extends Error {}

/**
 * Where trials train. The local one starts them through this core's runs.start; the queue's
 * (electron/sweeps/queue.ts) hands them to BullMQ workers and records them here. Either way a started trial is a
 * run in this store, linked to its sweep, whose committed metrics and end reach the event stream as 'run.metrics'
 * and 'run.status' — which is all the sweep's pool and ASHA look at.
 */
export interface TrialExecutor {
  /** The queue's URL without credentials, or null locally. */
  readonly queue: string | null;
  /** Trials handed over at once; null: the sweep's --parallel. */
  readonly slots: number | null;
  /** Starts the trial; resolves with its run's id once the run is in the store, linked to the sweep. */
  start(sweepId: string, trialIndex: number, payload: CommandPayload<'runs.start'>): Promise<RunId>;
  /** Stops the run as 'pruned' with this reason. */
  prune(runId: RunId, reason: string): Promise<void>;
  /** Stops the run (recorded as stopped). */
  stop(runId: RunId): Promise<void>;
  /** Takes back the trials handed over but not started: their start() rejects with TrialCancelled. */
  cancelPending(): Promise<void>;
  close(): Promise<void>;
}

/** Makes the queue executor for a sweep (electron/sweeps/queue.ts, loaded only when a sweep asks for a queue). */
export type QueueExecutorFactory = (ctx: CoreContext, url: string) => Promise<TrialExecutor>;

function localExecutor(ctx: CoreContext, startRun: StartRun): TrialExecutor {
  return {
    queue: null,
    slots: null,
    async start(sweepId, trialIndex, payload) {
      for (;;) {
        try {
          const { runId } = await startRun(payload);
          await retryBusy(() => linkRun(ctx.store, runId, sweepId, trialIndex, null));
          return runId;
        } catch (e) {
          // another run took the slot (the host's live-run limit): wait a moment, then try again
          if (!(e instanceof CoreError && e.code === 'limit')) throw e;
          await new Promise<void>((r) => setTimeout(r, 250));
        }
      }
    },
    prune: (runId, reason) => pruneRun(ctx, runId, reason),
    stop: async (runId) => void (await ctx.trainers.stop(runId).catch(() => undefined)),
    cancelPending: async () => undefined,
    close: async () => undefined,
  };
}

/** A trial as the pool tracks it. */
interface TrialState {
  trial: Trial;
  config: RunConfig;
  runId: RunId | null;
  status: RunStatus | 'pending';
  epochs: number;
  final: FinalMetrics | null;
  reason: string | null;
  /** Its runs.start is under way. */
  starting: boolean;
}

/** A sweep this core is running. */
interface LiveSweep {
  id: string;
  spec: SweepSpec;
  metric: AshaMetric;
  trials: TrialState[];
  byRun: Map<RunId, TrialState>;
  asha: Asha | null;
  parallel: number;
  executor: TrialExecutor;
  next: number;
  stopping: boolean;
  startedAt: number;
  epochsTrained: number;
  lastProgress: number;
  startError: string | null;
  heartbeat: ReturnType<typeof setInterval>;
  done: Promise<void>;
  resolveDone(): void;
  /** The text of each CSV file the trials read, by path. */
  csvTexts: Record<string, string>;
}

/** Progress events while trials train: at most one per this many ms (each trial's start and end always sends one). */
const PROGRESS_EVERY_MS = 500;

/** The metric a sweep ranks its trials by: ASHA's, else the test cost (the training cost without a test set). */
function sweepMetric(spec: SweepSpec, config: RunConfig): AshaMetric {
  if (spec.asha) return spec.asha.metric;
  return config.data.testSize > 0 ? 'testCost' : 'cost';
}

const lowerIsBetter = (m: AshaMetric) => m === 'cost' || m === 'testCost';

function finalValue(f: FinalMetrics | null, metric: AshaMetric): number | null {
  if (!f) return null;
  const v = metric === 'cost' ? f.finalCost : metric === 'testCost' ? f.testCost : metric === 'testAccuracy' ? f.testAccuracy : f.trainAccuracy;
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/**
 * A trial's run configuration: its options as `train` reads them (electron/sweeps/options.ts), resolved the same
 * way. When several trials train at once and the trial leaves the backend to 'auto', it trains on 'cpu' (the
 * float64 reference, the numbers 'auto' gives on a CPU host): no trial spends its start timing gpu.js, and the
 * trials do not contend for a GPU. Threads: runs.start gives a run started beside others its share of the cores
 * (one thread each on two cores), so trials do not oversubscribe them; the first trial of a sweep, started alone,
 * may take more and gives them back as the thread governor (engine/backends/threads.ts) finds they stop paying.
 */
export function trialConfig(trial: Trial, parallel: number): RunConfig {
  const config = resolveConfig(optionsToConfig(trial.options));
  if (parallel > 1 && !('backend' in trial.options) && config.backend === 'auto') return { ...config, backend: 'cpu' };
  return config;
}

export function sweepHandlers(ctx: CoreContext, startRun: StartRun, queueExecutor?: QueueExecutorFactory): Pick<Handlers, 'sweeps.start' | 'sweeps.get' | 'sweeps.list' | 'sweeps.stop' | 'sweeps.delete'> {
  const { store, events } = ctx;
  const live = new Map<string, LiveSweep>();

  // every run's metrics and end reach the sweep that owns it
  events.subscribe((event, payload) => {
    if (event === 'run.metrics') {
      const { runId, metrics } = payload as { runId: RunId; metrics: EpochMetrics[] };
      for (const s of live.values()) {
        const t = s.byRun.get(runId);
        if (t) onMetrics(s, t, metrics);
      }
    } else if (event === 'run.status') {
      const e = payload as RunStatusEvent;
      if (e.status === 'running' || e.status === 'paused') return;
      for (const s of live.values()) {
        const t = s.byRun.get(e.runId);
        if (t && (t.status === 'running' || t.status === 'paused')) onEnd(s, t, e);
      }
    }
  }, ['run.metrics', 'run.status']);

  function onMetrics(s: LiveSweep, t: TrialState, metrics: EpochMetrics[]): void {
    for (const m of metrics) {
      if (m.epoch + 1 > t.epochs) {
        s.epochsTrained += m.epoch + 1 - t.epochs;
        t.epochs = m.epoch + 1;
      }
      if (!s.asha || s.stopping) continue;
      const was = s.asha.prunedAt(t.trial.index);
      const d = s.asha.reportMetrics(t.trial.index, m);
      if (d !== 'continue' && !was && t.runId) void s.executor.prune(t.runId, d.reason).catch(() => undefined);
    }
    progress(s, false);
  }

  function onEnd(s: LiveSweep, t: TrialState, e: RunStatusEvent): void {
    t.status = e.status;
    t.epochs = Math.max(t.epochs, e.epoch);
    t.final = e.final ?? null;
    t.reason = e.reason ?? null;
    progress(s, true);
    fill(s);
  }

  /** Starts trials while there are free slots; ends the sweep when nothing is left to run. */
  function fill(s: LiveSweep): void {
    const busy = (t: TrialState) => t.starting || t.status === 'running' || t.status === 'paused';
    let free = s.parallel - s.trials.filter(busy).length;
    while (!s.stopping && free > 0 && s.next < s.trials.length) {
      const t = s.trials[s.next++]!;
      free--;
      void startTrial(s, t);
    }
    if (!s.trials.some(busy) && (s.stopping || s.next >= s.trials.length)) end(s);
  }

  async function startTrial(s: LiveSweep, t: TrialState): Promise<void> {
    t.starting = true;
    try {
      const payload = COMMANDS['runs.start'].payload.parse({
        config: t.config,
        name: `${s.spec.name} #${t.trial.index + 1}: ${trialLabel(t.trial.params)}`.slice(0, MAX_NAME_LENGTH),
        fitArchitecture: !('arch' in t.trial.options),
        ...(t.config.data.kind === 'csv' ? { csvText: csvTextOf(s, t) } : {}),
      }) as CommandPayload<'runs.start'>;
      const runId = await s.executor.start(s.id, t.trial.index, payload);
      t.runId = runId;
      t.status = 'running';
      s.byRun.set(runId, t);
      if (s.stopping) void s.executor.stop(runId);
    } catch (e) {
      if (!(e instanceof TrialCancelled)) {
        t.status = 'failed';
        t.reason = (e as Error).message.split('\n')[0]!;
        s.startError ??= t.reason;
        recordFailedStart(s, t);
      }
    } finally {
      t.starting = false;
    }
    progress(s, true);
    fill(s);
  }

  /** A trial that never trained (its start was refused, a worker refused it) is still a run: failed, with why. */
  function recordFailedStart(s: LiveSweep, t: TrialState): void {
    try {
      const rec = store.createRun(t.config, { name: `${s.spec.name} #${t.trial.index + 1}: ${trialLabel(t.trial.params)}`.slice(0, MAX_NAME_LENGTH) });
      store.failRun(rec.id, t.reason ?? 'the trial could not start', { epochs: 0 });
      linkRun(store, rec.id, s.id, t.trial.index, null);
      t.runId = rec.id;
      events.emit('runs.changed', { runId: rec.id, change: 'created' });
    } catch {
      // the store refuses (locked, full): the sweep's progress and end still say the trial failed
    }
  }

  function csvTextOf(s: LiveSweep, t: TrialState): string {
    const path = t.config.data.csv?.path ?? '';
    const text = s.csvTexts[path];
    if (text === undefined) throw new CoreError('invalid_config', `trial ${t.trial.index + 1} reads the CSV file ${path}, whose text the sweep was not given; send it in csvTexts`);
    return text;
  }

  function best(s: LiveSweep): { t: TrialState; value: number } | null {
    let b: { t: TrialState; value: number } | null = null;
    for (const t of s.trials) {
      if (t.status !== 'finished' || !t.runId) continue;
      const v = finalValue(t.final, s.metric);
      if (v === null) continue;
      if (!b || (lowerIsBetter(s.metric) ? v < b.value : v > b.value)) b = { t, value: v };
    }
    return b;
  }

  function saved(s: LiveSweep): number {
    const maxEpochs = s.spec.asha?.maxEpochs ?? 0;
    return s.asha ? epochsSaved(maxEpochs, s.trials.map((t) => ({ status: t.status, epochs: t.epochs }))) : 0;
  }

  function snapshot(s: LiveSweep, status: SweepProgressEvent['status']): SweepProgressEvent {
    const ended = (t: TrialState) => t.status !== 'pending' && t.status !== 'running' && t.status !== 'paused';
    const b = best(s);
    // the pace so far (epochs per ms, all trials together) over the epochs left if every remaining trial ran to the end
    const elapsed = Date.now() - s.startedAt;
    const left = s.trials.reduce((n, t) => n + (ended(t) ? 0 : Math.max(0, t.config.training.epochs - t.epochs)), 0);
    const etaMs = status !== 'running' ? 0 : s.epochsTrained > 0 && elapsed > 0 ? Math.round(left / (s.epochsTrained / elapsed)) : null;
    return {
      sweepId: s.id,
      status,
      total: s.trials.length,
      done: s.trials.filter(ended).length,
      running: s.trials.filter((t) => t.status === 'running' || t.status === 'paused').length,
      pruned: s.trials.filter((t) => t.status === 'pruned').length,
      failed: s.trials.filter((t) => t.status === 'failed').length,
      best: b ? { runId: b.t.runId!, trialIndex: b.t.trial.index, metric: s.metric, value: b.value } : null,
      etaMs,
      epochsSaved: saved(s),
    };
  }

  function progress(s: LiveSweep, force: boolean): void {
    const now = Date.now();
    if (!force && now - s.lastProgress < PROGRESS_EVERY_MS) return;
    s.lastProgress = now;
    events.emit('sweep.progress', snapshot(s, 'running'));
  }

  function end(s: LiveSweep): void {
    if (!live.has(s.id)) return;
    live.delete(s.id);
    clearInterval(s.heartbeat);
    const allFailed = s.trials.length > 0 && s.trials.every((t) => t.status === 'failed' || t.status === 'pending');
    // trials cut off by the host shutting down leave the sweep interrupted
    const cut = s.trials.some((t) => t.status === 'interrupted');
    const status = s.stopping ? 'stopped' : cut ? 'interrupted' : allFailed ? 'failed' : 'finished';
    const error =
      status === 'stopped' ? 'stopped by the user' : status === 'interrupted' ? 'interrupted: the host shut down while trials trained' : status === 'failed' ? (s.startError ?? 'every trial failed') : null;
    // the queue's connections are closed before the sweep's end goes out (a command that exits then leaves nothing open)
    void s.executor
      .close()
      .catch(() => undefined)
      .then(() => retryBusy(() => finishSweep(store, s.id, { status, error, epochsSaved: saved(s) })))
      .catch((e: unknown) => console.error(`backprop-lab: could not record the end of sweep ${s.id}: ${(e as Error).message}`))
      .finally(() => {
        events.emit('sweep.progress', { ...snapshot(s, status), ...(error && status === 'failed' ? { error } : {}) });
        s.resolveDone();
      });
  }

  async function start(p: CommandPayload<'sweeps.start'>): Promise<StartedSweep> {
    let spec: SweepSpec;
    try {
      spec = parseSweepSpec(p.spec);
    } catch (e) {
      if (e instanceof SweepSpecError) throw new CoreError('invalid_config', `the sweep spec: ${e.problems.join('; ')}`);
      throw e;
    }
    const trials = generateTrials(spec);
    let executor: TrialExecutor;
    if (p.queue !== undefined) {
      if (!queueExecutor) throw new CoreError('unsupported', 'this host cannot run sweeps on a queue; run the sweep locally or with backprop-lab sweep --queue');
      try {
        executor = await queueExecutor(ctx, p.queue);
      } catch (e) {
        // no Redis client, an unreachable Redis, a bad URL: one line saying so
        if (e instanceof CoreError) throw e;
        throw new CoreError('unsupported', (e as Error).message);
      }
    } else executor = localExecutor(ctx, startRun);
    const maxLive = ctx.deps.maxLiveRuns ?? DEFAULT_MAX_LIVE_RUNS;
    const parallel = Math.max(1, Math.min(executor.slots ?? Math.min(p.parallel ?? availableParallelism(), maxLive), trials.length));
    const states: TrialState[] = trials.map((trial) => ({ trial, config: trialConfig(trial, parallel), runId: null, status: 'pending', epochs: 0, final: null, reason: null, starting: false }));
    const record = await retryBusy(() => createSweep(store, { name: spec.name, spec: sweepSpecToJson(spec), trials: countTrials(spec), queue: executor.queue }));
    let resolveDone!: () => void;
    const done = new Promise<void>((r) => (resolveDone = r));
    const s: LiveSweep = {
      id: record.id,
      spec,
      metric: sweepMetric(spec, states[0]!.config),
      trials: states,
      byRun: new Map(),
      asha: spec.asha ? new Asha(spec.asha) : null,
      parallel,
      executor,
      next: 0,
      stopping: false,
      startedAt: Date.now(),
      epochsTrained: 0,
      lastProgress: 0,
      startError: null,
      heartbeat: setInterval(() => {
        try {
          heartbeatSweep(store, record.id);
        } catch {
          // a locked database: the next beat will do
        }
      }, 5000),
      done,
      resolveDone,
      csvTexts: p.csvTexts ?? {},
    };
    s.heartbeat.unref?.();
    live.set(s.id, s);
    progress(s, true);
    fill(s);
    return { sweepId: s.id, name: spec.name, trials: trials.length, parallel };
  }

  async function stop(p: CommandPayload<'sweeps.stop'>): Promise<SweepProgressEvent> {
    const s = live.get(p.sweepId);
    if (!s) {
      const rec = getSweep(store, p.sweepId);
      throw new CoreError('conflict', rec.status === 'running' ? `sweep ${p.sweepId} is running in another process; stop it there` : `sweep ${p.sweepId} has already ${rec.status}`);
    }
    s.stopping = true;
    await s.executor.cancelPending().catch(() => undefined);
    await Promise.all(s.trials.filter((t) => t.runId && (t.status === 'running' || t.status === 'paused')).map((t) => s.executor.stop(t.runId!).catch(() => undefined)));
    fill(s);
    await s.done;
    return snapshot(s, 'stopped');
  }

  function detail(p: CommandPayload<'sweeps.get'>): SweepDetail {
    const rec = getSweep(store, p.sweepId);
    const spec = parseSweepSpec(rec.spec);
    const trials = generateTrials(spec);
    const runs = new Map(sweepRuns(store, rec.id).map((r) => [r.trialIndex, r]));
    const liveSweep = live.get(rec.id);
    const infos: SweepTrialInfo[] = trials.map((t) => {
      const r = runs.get(t.index);
      const state = liveSweep?.trials[t.index];
      return {
        trialIndex: t.index,
        runId: r?.id ?? null,
        status: r ? (r.status as RunStatus) : ((state?.status === 'failed' ? 'failed' : 'pending') as SweepTrialInfo['status']),
        params: t.params,
        epochs: r?.epochsDone ?? 0,
        finalCost: r?.finalCost ?? null,
        testCost: r?.testCost ?? null,
        testAccuracy: r?.testAccuracy ?? null,
        worker: r?.worker ?? null,
        reason: r?.error ?? state?.reason ?? null,
      };
    });
    const metric = sweepMetric(spec, resolveConfig(optionsToConfig(trials[0]?.options ?? {})));
    const value = (t: SweepTrialInfo) => (metric === 'cost' ? t.finalCost : metric === 'testCost' ? t.testCost : metric === 'testAccuracy' ? t.testAccuracy : runs.get(t.trialIndex)?.trainAccuracy ?? null);
    let b: SweepTrialInfo | null = null;
    for (const t of infos) {
      const v = value(t);
      if (t.status !== 'finished' || v === null) continue;
      const bv = b ? value(b)! : null;
      if (bv === null || (lowerIsBetter(metric) ? v < bv : v > bv)) b = t;
    }
    return { sweep: info(rec), trials: infos, best: b, metric };
  }

  return {
    'sweeps.start': start,
    'sweeps.stop': stop,
    'sweeps.get': detail,
    'sweeps.list': (p) => listSweeps(store, p.limit !== undefined ? { limit: p.limit } : {}).map(info),
    'sweeps.delete': async (p) => {
      if (live.has(p.sweepId)) throw new CoreError('conflict', `sweep ${p.sweepId} is running; stop it first (sweeps.stop)`);
      if (getSweep(store, p.sweepId).status === 'running') throw new CoreError('conflict', `sweep ${p.sweepId} is running in another process; stop it there first`);
      const r = await retryBusy(() => deleteSweep(store, p.sweepId, { deleteRuns: p.deleteRuns, force: true }));
      for (const runId of r.deletedRuns) events.emit('runs.changed', { runId, change: 'deleted' });
      return { deleted: p.sweepId, deletedRuns: r.deletedRuns };
    },
  };
}

function info(r: SweepRecord): SweepInfo {
  return { ...r };
}
