// A run's life in the core: start (configuration checked, memory worked out, a worker prepared, the run created in
// the store, training begun), pause/resume/step/stop, and what the trainer reports — recorded through the run's
// Recording and sent out as events — until its end is written.

import { availableParallelism } from 'node:os';
import { resolveConfig, type DeepPartial, type RunConfig } from '../../engine/config';
import { paramsFromPlain } from '../trainer/snapshot';
import type { CommandPayload, ParamJSON, RunId, RunStatusEvent } from '../contract';
import { pruneRun as pruneStoredRun, StoreError, type RunOutcome, type Store } from '../store/index';
import type { RunEnd, TrainerListener } from '../trainer/host';
import { DEFAULT_MAX_LIVE_RUNS, type CoreContext, type Handlers } from './context';
import { CoreError, retryBusy } from './errors';
import { Recording } from './recording';

/** The trainer's reports → the run's recording and the event stream. */
export function trainerListener(ctx: () => CoreContext): TrainerListener {
  return {
    metrics(runId, metrics) {
      const rec = ctx().recordings.get(runId);
      if (rec) rec.add(metrics);
      else ctx().events.emit('run.metrics', { runId, metrics });
    },
    phase(runId, phase, epoch) {
      if (phase === 'paused') ctx().recordings.get(runId)?.flushCheckpoints();
      ctx().events.emit('run.status', { runId, status: phase, epoch });
      ctx().events.emit('runs.changed', { runId, change: 'updated' });
    },
    checkpoint(runId, epoch, params) {
      ctx().recordings.get(runId)?.checkpoint(epoch, params);
    },
    snapshot(_runId, snapshot) {
      ctx().events.emit('run.snapshot', snapshot);
    },
    ended(runId, end) {
      void endRun(ctx(), runId, end);
    },
  };
}

/** Writes how a run ended (after its last epochs), then tells the front ends — the end event comes last. */
async function endRun(ctx: CoreContext, runId: RunId, end: RunEnd): Promise<void> {
  // a stop asked for by pruneRun ends the run as 'pruned', with the rung in its reason
  const pruned = end.status === 'stopped' ? ctx.prunes.get(runId) : undefined;
  ctx.prunes.delete(runId);
  if (pruned) end = { ...end, reason: pruned };
  const rec = ctx.recordings.get(runId);
  if (rec) {
    await rec.end(() => recordEnd(ctx.store, runId, end, pruned !== undefined));
    ctx.recordings.delete(runId);
  }
  const event: RunStatusEvent = {
    runId,
    status: pruned ? 'pruned' : end.status,
    epoch: end.epoch,
    ...(end.reason ? { reason: end.reason } : {}),
    ...(end.final ? { final: end.final } : {}),
    ...(end.diverged ? { diverged: true } : {}),
    ...(rec?.lost ? { recordingLost: rec.lost } : {}),
  };
  ctx.events.emit('run.status', event);
  ctx.events.emit('runs.changed', { runId, change: 'updated' });
}

/** finished / stopped with metrics and weights; failed with the reason; interrupted is left to start-up recovery. */
export function recordEnd(store: Store, runId: RunId, end: RunEnd, pruned = false): void {
  const params = end.params ? paramsFromPlain(end.params) : undefined;
  try {
    if (end.status === 'interrupted') return; // the store's start-up recovery marks it, keeping every epoch
    if (end.status === 'failed' || !end.final || !Number.isFinite(end.final.finalCost)) {
      store.failRun(runId, end.reason ?? 'the run failed', { epochs: end.epoch });
      return;
    }
    // the store's record of an end: the figures, without the cost history (the metrics table holds it)
    const result: RunOutcome = { status: end.status, epochs: end.epoch, ...end.final!, ...(end.reason ? { reason: end.reason } : {}) };
    if (end.status === 'finished') store.finishRun(runId, result, params);
    else if (pruned) pruneStoredRun(store, runId, { result, ...(params ? { params } : {}), reason: end.reason! });
    else store.stopRun(runId, { result, ...(params ? { params } : {}), reason: end.reason ?? `stopped by the user at epoch ${end.epoch}` });
    // with the final weights, what `train --continue` starts from
    if (end.state) store.saveTrainerState(runId, end.epoch, end.state);
  } catch (e) {
    // a run deleted while it trained has nothing left to update
    if (!(e instanceof StoreError && e.code === 'NOT_FOUND')) throw e;
  }
}

/**
 * Stops a training run as 'pruned' (a sweep's trial stopped early by ASHA), recorded with `reason`, which names
 * the rung. A run that ends another way first (it finished, failed) keeps that end; a run not training here is
 * left alone.
 */
export async function pruneRun(ctx: CoreContext, runId: RunId, reason: string): Promise<void> {
  const live = ctx.trainers.state(runId);
  if (!live || (live.status !== 'running' && live.status !== 'paused')) return;
  ctx.prunes.set(runId, reason);
  await ctx.trainers.stop(runId);
}

/** Checks imported parameters against the architecture before a worker is started with them. */
export function checkParamsFit(params: readonly ParamJSON[], config: RunConfig): void {
  const arch = config.architecture;
  if (params.length !== arch.length * 2) {
    throw new CoreError('invalid_config', `initialParams has ${params.length} matrices but the architecture needs ${arch.length * 2} (W1, b1, …, W${arch.length}, b${arch.length})`);
  }
  arch.forEach((l, i) => {
    const W = params[2 * i]!, b = params[2 * i + 1]!;
    if (W.name !== `W${i + 1}` || W.rows !== l.output_dim || W.cols !== l.input_dim) {
      throw new CoreError('invalid_config', `initialParams[${2 * i}] must be W${i + 1} of shape ${l.output_dim}×${l.input_dim}, got ${W.name} ${W.rows}×${W.cols}`);
    }
    if (b.name !== `b${i + 1}` || b.rows !== l.output_dim || b.cols !== 1) {
      throw new CoreError('invalid_config', `initialParams[${2 * i + 1}] must be b${i + 1} of shape ${l.output_dim}×1, got ${b.name} ${b.rows}×${b.cols}`);
    }
  });
}

/** A configuration with `over`'s fields over `base`'s (nested objects merged, lists such as the architecture replaced). */
function overlay(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (base === null || over === null || typeof base !== 'object' || typeof over !== 'object' || Array.isArray(base) || Array.isArray(over)) return over;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over as Record<string, unknown>)) out[k] = overlay(out[k], v);
  return out;
}

/** What runs.start's `from` makes of a stored run: the configuration to train, and the trainer state to continue. */
function startFrom(store: Store, p: CommandPayload<'runs.start'>): { config: DeepPartial<RunConfig>; state?: string; parent: { id: RunId; origin: 'continue' | 'clone' | 'rerun' } } {
  const from = p.from!;
  const parent = store.findRun(from.runId);
  if (!parent) throw new CoreError('not_found', `there is no run with id ${from.runId}`);
  const parentRef = { id: parent.id, origin: from.mode };
  const overrides = p.config as Record<string, unknown>;
  if (from.mode === 'rerun') {
    if (Object.keys(overrides).length > 0) throw new CoreError('invalid_config', `a re-run repeats run ${parent.id}'s configuration as it was; to change ${Object.keys(overrides).join(', ')}, clone it instead (from.mode 'clone')`);
    if (from.epochs !== undefined) throw new CoreError('invalid_config', `from.epochs is for continuing a run; a re-run trains run ${parent.id}'s ${parent.config.training.epochs} epochs`);
    return { config: parent.config, parent: parentRef };
  }
  if (from.mode === 'clone') {
    if (from.epochs !== undefined) throw new CoreError('invalid_config', 'from.epochs is for continuing a run; a clone takes config.training.epochs');
    return { config: overlay(parent.config, overrides) as DeepPartial<RunConfig>, parent: parentRef };
  }
  const saved = store.trainerState(parent.id);
  if (!saved) {
    throw new CoreError('conflict', `run ${parent.id} (${parent.status}) has no saved trainer state to continue from (a run recorded before continuing existed, or one that failed); clone it instead (from.mode 'clone') to train its configuration anew`);
  }
  if ((overrides['training'] as Record<string, unknown> | undefined)?.['epochs'] !== undefined) {
    throw new CoreError('invalid_config', 'continuing a run takes from.epochs (the epochs to add), not config.training.epochs');
  }
  if (overrides['architecture'] !== undefined) throw new CoreError('invalid_config', `a continued run keeps run ${parent.id}'s architecture; clone it to train another`);
  const more = from.epochs ?? parent.config.training.epochs;
  const merged = overlay(parent.config, overrides) as RunConfig;
  return { config: { ...merged, training: { ...merged.training, epochs: saved.epoch + more } }, state: saved.state, parent: parentRef };
}

export function runHandlers(ctx: CoreContext): Pick<Handlers, 'runs.start' | 'runs.pause' | 'runs.resume' | 'runs.step' | 'runs.stop'> {
  const { store, trainers, events } = ctx;
  const maxLive = ctx.deps.maxLiveRuns ?? DEFAULT_MAX_LIVE_RUNS;

  async function start(p: CommandPayload<'runs.start'>) {
    if (p.from && (p.initialParams || p.fitArchitecture)) {
      throw new CoreError('invalid_config', 'from starts from a stored run; it does not take initialParams or fitArchitecture');
    }
    const origin = p.from ? startFrom(store, p) : null;
    const config = resolveConfig((origin ? origin.config : p.config) as Parameters<typeof resolveConfig>[0]);
    if (config.data.kind === 'csv' && p.csvText === undefined) {
      throw new CoreError('invalid_config', 'data.kind is csv but no csvText was sent; load the CSV file first');
    }
    if (p.initialParams && !p.fitArchitecture) checkParamsFit(p.initialParams, config);
    const live = trainers.active().length;
    if (live >= maxLive) {
      throw new CoreError('limit', `${live} runs are already training here (the limit is ${maxLive}); stop or wait for one of them, or raise the limit (backprop-lab serve --max-runs N)`);
    }
    // the cores are shared: with other runs training here, this one gets its share (one thread on two cores), so
    // runs (and sweep trials) never oversubscribe them; alone, it may use every core when that pays
    const threads = live > 0 ? Math.max(1, Math.floor(availableParallelism() / (live + 1))) : undefined;
    const prepared = await trainers.prepare({
      ...(threads !== undefined ? { threads } : {}),
      config,
      ...(p.csvText !== undefined ? { csvText: p.csvText } : {}),
      ...(p.initialParams ? { params: p.initialParams } : {}),
      ...(origin?.state ? { state: origin.state } : {}),
      ...(p.fitArchitecture ? { fitArchitecture: true } : {}),
      ...(ctx.deps.memoryLimitBytes !== undefined ? { memoryLimitBytes: ctx.deps.memoryLimitBytes } : {}),
    });
    // the worker may have fitted the architecture to the data: what it will train is what the store records
    const used = prepared.config;
    let runId: RunId, name: string;
    try {
      if (p.initialParams && p.fitArchitecture) checkParamsFit(p.initialParams, used);
      ({ id: runId, name } = await retryBusy(() => {
        const rec = store.createRun(used, {
          ...(p.name?.trim() ? { name: p.name } : {}),
          backend: prepared.backend,
          ...(p.tags ? { tags: p.tags } : {}),
          ...(p.notes ? { notes: p.notes } : {}),
          ...(origin ? { parent: origin.parent } : {}),
        });
        // the starting weights, so that exports (.py) repeat a run that did not begin at init_layers(seed)
        if (p.initialParams) store.saveCheckpoint(rec.id, 0, paramsFromPlain(p.initialParams));
        return rec;
      }));
    } catch (e) {
      prepared.abort();
      throw e;
    }
    ctx.recordings.set(runId, new Recording(store, runId, (metrics) => events.emit('run.metrics', { runId, metrics }), ctx.deps.recording));
    const paused = Boolean(p.startPaused);
    prepared.go(runId, { paused });
    events.emit('runs.changed', { runId, change: 'created' });
    return { runId, name, backend: prepared.backend, status: paused ? ('paused' as const) : ('running' as const), config: used };
  }

  /** A control command for a run without a worker here: not found, or not training in this app. */
  async function control<T>(runId: RunId, f: () => Promise<T>): Promise<T> {
    if (!trainers.has(runId)) {
      const rec = store.findRun(runId);
      if (!rec) throw new CoreError('not_found', `there is no run with id ${runId}`);
      throw new CoreError('conflict', rec.status === 'running' ? `run ${runId} is training in another process; control it there` : `run ${runId} has ${rec.status}; start a new run to train again`);
    }
    return f();
  }

  return {
    'runs.start': start,
    'runs.pause': (p) => control(p.runId, () => trainers.pause(p.runId)),
    'runs.resume': (p) => control(p.runId, () => trainers.resume(p.runId)),
    'runs.step': (p) => control(p.runId, () => trainers.step(p.runId)),
    'runs.stop': (p) => control(p.runId, async () => (p.prune ? (await pruneRun(ctx, p.runId, p.prune), trainers.state(p.runId)!) : trainers.stop(p.runId))),
  };
}
