// What every handler file of the core shares: its dependencies, the store, the trainers, the event stream, the
// recordings of live runs, and the few helpers that turn the store's records into the contract's shapes.

import type { BackendFactory } from '../../engine/backends/index';
import { layerWidths } from '../../engine/architecture';
import type { CommandName, CommandPayload, CommandResult, RunDetail, RunId, RunSummary } from '../contract';
import { runDurationMs, type RunRecord, type RunSummary as StoreSummary, type Store } from '../store/index';
import type { SpawnWorker, TrainerHost, TrainerHostOptions } from '../trainer/host';
import type { EventHub, Subscription } from './events';
import type { Recording, RecordingOptions } from './recording';

export interface CoreDeps {
  /** The open run store (electron/store). The caller opens it, runs recoverInterrupted() and closes it. */
  store: Store;
  /** Which front end serves this core, reported by app.info. */
  host: 'desktop' | 'browser' | 'cli';
  /** The app's version (app.getVersion() in Electron, package.json's elsewhere). */
  version: string;
  /** How training workers start (tests inject a fake); default: worker threads. */
  spawn?: SpawnWorker;
  /** Trainer timing (metrics and snapshot intervals, grid size). */
  trainer?: Omit<TrainerHostOptions, 'listener' | 'spawn'>;
  /** Backends app.info reports on (default: the Node host's list). */
  backends?: BackendFactory[];
  /** Recording timing (batches, heartbeat, how long a run's end waits for a locked database). */
  recording?: RecordingOptions;
  /** Runs that may train (or wait paused) at once; more are refused with a message. Default DEFAULT_MAX_LIVE_RUNS. */
  maxLiveRuns?: number;
  /** Working memory one run may need (bytes); a bigger run is refused before it starts. Default: engine's limit. */
  memoryLimitBytes?: number;
  /**
   * Runs sweep trials on a queue (sweeps.start with `queue`): the command line passes electron/sweeps/queue.ts's
   * queueExecutor. Absent (the desktop app, which ships without BullMQ): such a sweep is refused as unsupported.
   */
  queueExecutor?: (ctx: CoreContext, url: string) => Promise<import('./sweeps').TrialExecutor>;
}

/** Runs that may train at once unless the front end says otherwise (serve --max-runs). */
export const DEFAULT_MAX_LIVE_RUNS = 4;

export interface CoreContext {
  deps: CoreDeps;
  store: Store;
  events: EventHub;
  trainers: TrainerHost;
  /** The recording of every run this core is training. */
  recordings: Map<RunId, Recording>;
  /** Runs being stopped as 'pruned' (a sweep's ASHA), with the reason their record gets (runs.ts pruneRun). */
  prunes: Map<RunId, string>;
}

/** Who sent a command, when a connection did: its event subscription (runs.watch narrows it). */
export type Caller = Pick<Subscription, 'narrow'>;
export type Handler<C extends CommandName> = (payload: CommandPayload<C>, caller?: Caller) => Promise<CommandResult<C>> | CommandResult<C>;
export type Handlers = { [C in CommandName]: Handler<C> };

/** The contract's summary of a stored run: the live status ('paused' lives only in the trainer), layers, duration. */
export function summary(ctx: CoreContext, s: StoreSummary, architecture: string): RunSummary {
  const live = ctx.trainers.state(s.id);
  return {
    ...s,
    status: live?.status === 'paused' && s.status === 'running' ? 'paused' : s.status,
    architecture,
    durationMs: runDurationMs(s),
  };
}

export function detail(ctx: CoreContext, r: RunRecord): RunDetail {
  const { writer: _w, weights: _ws, metricKeys: _k, ...rest } = r;
  return {
    ...summary(ctx, rest, layerWidths(r.config.architecture)),
    config: r.config,
    lineage: r.lineage,
    stoppedEarly: r.stoppedEarly,
    bestEpoch: r.bestEpoch,
    stateEpoch: r.stateEpoch,
  };
}
