// TrainerHost: owns the training worker threads, one per run, so training never runs on the host's main thread.
// Starts runs in two steps (prepare: the worker builds its Trainer and reports the backend; go: training starts
// under the run id the store gave), relays pause/resume/step/stop within a second, and hands every metrics batch,
// phase change, snapshot and the run's end to a listener. Several runs train at once.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { BackendInfo } from '../../engine/backends/index';
import type { RunConfig } from '../../engine/config';
import type { GradCheckResult } from '../../engine/gradcheck';
import type { Params } from '../../engine/init';
import type { EpochMetrics, FinalMetrics } from '../../engine/train';
import type { InspectResult, LiveState, ParamJSON, RunId, RunSnapshotEvent, RunStatus } from '../contract';
import type { HostToWorker, WorkerEnd, WorkerInit, WorkerToHost } from './protocol';

/** The part of a worker_threads Worker the host uses (a fake in tests). */
export interface WorkerLike {
  postMessage(message: HostToWorker): void;
  on(event: 'message', listener: (message: WorkerToHost) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  terminate(): Promise<number>;
}
export type SpawnWorker = (init: WorkerInit) => WorkerLike;

/**
 * Where the worker's code is. Under tsx or vitest this module is electron/trainer/host.ts and the worker is
 * worker.ts beside it, loaded through dev-worker.mjs (which registers tsx in the thread). In the built app this
 * module is bundled into out/main (index.js, or a chunk one folder down) and electron-vite writes the worker as
 * out/main/trainer-worker.js: the candidates are tried in order.
 */
export function workerEntry(moduleUrl: string = import.meta.url): { files: URL[]; entry?: string } {
  if (moduleUrl.endsWith('.ts')) {
    // file names built at run time, so a bundler does not treat them as assets to emit
    const boot = 'dev-worker.mjs', entry = 'worker.ts';
    return { files: [new URL(boot, moduleUrl)], entry: new URL(entry, moduleUrl).href };
  }
  const built = 'trainer-worker.js';
  return { files: [new URL(built, moduleUrl), new URL(`../${built}`, moduleUrl)] };
}

/** Starts a real worker thread for one run. */
export const spawnThread: SpawnWorker = (init) => {
  const { files, entry } = workerEntry();
  const file = files.find((f) => existsSync(fileURLToPath(f)));
  if (!file) {
    throw new TrainerError('internal', `the training worker is missing (looked for ${files.map((f) => fileURLToPath(f)).join(', ')}); rebuild the app (npx electron-vite build)`);
  }
  return new Worker(file, { workerData: { init, ...(entry ? { entry } : {}) }, name: 'backprop-lab trainer' }) as unknown as WorkerLike;
};

/** A failure the service turns into an error Result; `code` is the contract's. */
export class TrainerError extends Error {
  constructor(readonly code: 'not_found' | 'conflict' | 'invalid_config' | 'internal', message: string) {
    super(message);
    this.name = 'TrainerError';
  }
}

/** How a run ended, as the store records it. */
export interface RunEnd {
  status: 'finished' | 'stopped' | 'failed' | 'interrupted';
  reason?: string;
  epoch: number;
  final?: FinalMetrics;
  /** A failed run that diverged (rather than crashed). */
  diverged?: boolean;
  /** The final parameters (null after a divergence or a crash). */
  params: ParamJSON[] | null;
  /** The trainer's state at the end (engine/state.ts's JSON), to continue the run from. */
  state?: string;
}

/** Where the host reports what its runs do. A throwing `metrics` (say, a full disk) fails that run. */
export interface TrainerListener {
  /** Consecutive epochs since the last batch: at most one call per metricsIntervalMs per run. */
  metrics(runId: RunId, metrics: EpochMetrics[]): void;
  phase(runId: RunId, phase: 'running' | 'paused', epoch: number): void;
  /** A periodic checkpoint: the weights after `epoch` epochs (electron/trainer/checkpoints.ts). */
  checkpoint?(runId: RunId, epoch: number, params: Params): void;
  snapshot(runId: RunId, snapshot: RunSnapshotEvent): void;
  ended(runId: RunId, end: RunEnd): void;
}

export interface TrainerHostOptions {
  listener: TrainerListener;
  spawn?: SpawnWorker;
  /** Default 80 ms: at most 12.5 metrics messages a second per run, however fast it trains. */
  metricsIntervalMs?: number;
  /** Default 250 ms. */
  snapshotIntervalMs?: number;
  /** Default 20 ms. */
  yieldEveryMs?: number;
  /** Default 40. */
  gridSize?: number;
  /** Ended runs whose worker is kept for inspect and the gradient check (least recently used go first). Default 4. */
  keepEnded?: number;
  /**
   * An ended run's worker is kept only when its working memory is at most this (bytes); a bigger one is let go
   * at once, freeing its WebAssembly heap (inspect then starts a small worker on the stored weights). Default 64 MB.
   */
  keepEndedMaxBytes?: number;
  /** How long a control command waits for the worker's answer. Default 10 s. */
  replyTimeoutMs?: number;
  /** How long building the trainer (data, backend) may take. Default 120 s. */
  readyTimeoutMs?: number;
}

export interface StartRequest {
  config: RunConfig;
  csvText?: string;
  params?: ParamJSON[];
  /** Continue from this trainer state (engine/state.ts's JSON). */
  state?: string;
  /** Fit the architecture to the data (its features and classes) before the Trainer is built. */
  fitArchitecture?: boolean;
  /** The most working memory the run may need (bytes). */
  memoryLimitBytes?: number;
  /** The most threads the run may use. */
  threads?: number;
}

/** A worker whose Trainer is built, waiting for its run id. */
export interface PreparedRun {
  backend: BackendInfo;
  /** The configuration the worker will train (the architecture fitted to the data when asked). */
  config: RunConfig;
  totalEpochs: number;
  features: number;
  classes: number;
  /** Starts training (or waits paused at epoch 0) under this run id. */
  go(runId: RunId, opts?: { paused?: boolean }): void;
  /** Ends the worker without a run (e.g. the store refused the run). */
  abort(): void;
}

type Phase = 'starting' | 'running' | 'paused' | 'ended';

interface Live {
  runId: RunId | null;
  worker: WorkerLike;
  phase: Phase;
  endStatus: RunEnd['status'] | null;
  epoch: number;
  /** A run attached only to be inspected: it never trains and reports nothing. */
  inspectOnly: boolean;
  /** The run's working memory as the worker worked it out. */
  memoryBytes: number;
  pending: Map<number, { resolve(v: unknown): void; reject(e: Error): void; timer: ReturnType<typeof setTimeout> }>;
  endWaiters: Array<() => void>;
  lastUsed: number;
  /** Whether its worker was last told to compute running snapshots. */
  snapshots: boolean;
}

export class TrainerHost {
  private readonly runs = new Map<RunId, Live>();
  private readonly unclaimed = new Set<Live>();
  private readonly spawn: SpawnWorker;
  private readonly listener: TrainerListener;
  private nextReq = 1;
  private closed = false;
  /** Whether a run's worker computes running snapshots (runId null: a prepared run not started yet). */
  private wantsSnapshots: (runId: RunId | null) => boolean = () => true;
  private readonly o: Required<Omit<TrainerHostOptions, 'listener' | 'spawn'>>;

  constructor(opts: TrainerHostOptions) {
    this.listener = opts.listener;
    this.spawn = opts.spawn ?? spawnThread;
    this.o = {
      metricsIntervalMs: opts.metricsIntervalMs ?? 80,
      snapshotIntervalMs: opts.snapshotIntervalMs ?? 250,
      yieldEveryMs: opts.yieldEveryMs ?? 20,
      gridSize: opts.gridSize ?? 40,
      keepEnded: opts.keepEnded ?? 4,
      keepEndedMaxBytes: opts.keepEndedMaxBytes ?? 64e6,
      replyTimeoutMs: opts.replyTimeoutMs ?? 10_000,
      readyTimeoutMs: opts.readyTimeoutMs ?? 120_000,
    };
  }

  /**
   * Which runs' workers compute and send running snapshots (the boundary, the neuron maps, the weights, layer
   * health): the core asks for the runs some front end listens to — none for the command line or a service with no
   * page open, a page's own run rather than every trial of a sweep. `wanted(null)` is for prepared runs not started
   * yet. Called again whenever that may have changed; each worker is told when its answer changes.
   */
  setSnapshots(wanted: (runId: RunId | null) => boolean): void {
    this.wantsSnapshots = wanted;
    for (const live of [...this.runs.values(), ...this.unclaimed]) this.tellSnapshots(live);
  }

  private tellSnapshots(live: Live): void {
    const on = this.wantsSnapshots(live.runId);
    if (live.phase === 'ended' || live.snapshots === on) return;
    live.snapshots = on;
    try {
      live.worker.postMessage({ type: 'snapshots', on });
    } catch {
      // a worker exiting: its run ends without it
    }
  }

  /** Spawns a worker and waits until its Trainer is built; a bad config rejects with TrainerError('invalid_config'). */
  async prepare(req: StartRequest): Promise<PreparedRun> {
    const { live, ready } = await this.launch(req);
    live.memoryBytes = ready.memoryBytes;
    return {
      backend: ready.backend,
      config: ready.config,
      totalEpochs: ready.totalEpochs,
      features: ready.features,
      classes: ready.classes,
      go: (runId, opts = {}) => {
        if (!this.unclaimed.delete(live)) throw new TrainerError('conflict', 'this prepared run was already started or aborted');
        if (this.runs.has(runId)) throw new TrainerError('conflict', `run ${runId} already has a worker`);
        live.runId = runId;
        this.runs.set(runId, live);
        live.phase = opts.paused ? 'paused' : 'running';
        // its id is known now: whether anyone watches this run (a page narrowed to its runs had not asked for it)
        this.tellSnapshots(live);
        live.worker.postMessage({ type: 'go', paused: Boolean(opts.paused) });
      },
      abort: () => {
        this.unclaimed.delete(live);
        live.phase = 'ended';
        void live.worker.terminate();
      },
    };
  }

  /**
   * Starts an inspect-only worker for a run that has no live one (it ended and its worker was let go, or it was
   * trained by another process): the network at the given parameters, for inspect and the gradient check.
   */
  async attach(runId: RunId, req: StartRequest): Promise<void> {
    if (this.runs.has(runId)) return;
    const { live } = await this.launch(req);
    this.unclaimed.delete(live);
    if (this.runs.has(runId)) {
      // attached twice at once: keep the first
      void live.worker.terminate();
      return;
    }
    live.runId = runId;
    live.inspectOnly = true;
    live.phase = 'ended';
    live.endStatus = 'finished';
    this.runs.set(runId, live);
    this.evict();
  }

  private async launch(req: StartRequest): Promise<{ live: Live; ready: Extract<WorkerToHost, { type: 'ready' }> }> {
    if (this.closed) throw new TrainerError('conflict', 'the trainer host is shutting down');
    const init: WorkerInit = {
      config: req.config,
      ...(req.csvText !== undefined ? { csvText: req.csvText } : {}),
      ...(req.params ? { params: req.params } : {}),
      ...(req.state ? { state: req.state } : {}),
      ...(req.fitArchitecture ? { fitArchitecture: true } : {}),
      ...(req.memoryLimitBytes !== undefined ? { memoryLimitBytes: req.memoryLimitBytes } : {}),
      ...(req.threads !== undefined ? { threads: req.threads } : {}),
      metricsIntervalMs: this.o.metricsIntervalMs,
      snapshotIntervalMs: this.o.snapshotIntervalMs,
      snapshots: this.wantsSnapshots(null),
      yieldEveryMs: this.o.yieldEveryMs,
      gridSize: this.o.gridSize,
    };
    const worker = this.spawn(init);
    const live: Live = {
      runId: null,
      worker,
      phase: 'starting',
      endStatus: null,
      epoch: 0,
      inspectOnly: false,
      memoryBytes: 0,
      pending: new Map(),
      endWaiters: [],
      lastUsed: Date.now(),
      snapshots: init.snapshots,
    };
    this.unclaimed.add(live);
    const ready = await new Promise<Extract<WorkerToHost, { type: 'ready' }>>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new TrainerError('internal', `the training worker did not start within ${this.o.readyTimeoutMs / 1000} s`));
      }, this.o.readyTimeoutMs);
      let settled = false;
      const settle = (f: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        f();
      };
      worker.on('message', (m: WorkerToHost) => {
        if (m.type === 'ready') settle(() => resolve(m));
        else if (m.type === 'initError') settle(() => reject(new TrainerError(m.code, m.message)));
        else if (settled) this.onMessage(live, m);
      });
      worker.on('error', (e: Error) => {
        settle(() => reject(new TrainerError('internal', `the training worker failed to start: ${e.message}`)));
        this.crashed(live, `the training worker crashed: ${e.message}`);
      });
      worker.on('exit', (code: number) => {
        settle(() => reject(new TrainerError('internal', `the training worker exited (code ${code}) before it was ready`)));
        this.crashed(live, `the training worker exited unexpectedly (code ${code})`);
      });
    }).catch((e: unknown) => {
      this.unclaimed.delete(live);
      live.phase = 'ended';
      void worker.terminate();
      throw e;
    });
    return { live, ready };
  }

  /** True when the run has a worker (training, paused, or kept after its end for inspection). */
  has(runId: RunId): boolean {
    return this.runs.has(runId);
  }

  /** The run's live state, or null when it has no worker. */
  state(runId: RunId): LiveState | null {
    const live = this.runs.get(runId);
    return live ? this.liveState(runId, live) : null;
  }

  /** Run ids currently training or paused. */
  active(): RunId[] {
    return [...this.runs].filter(([, l]) => l.phase === 'running' || l.phase === 'paused').map(([id]) => id);
  }

  async pause(runId: RunId): Promise<LiveState> {
    return this.control(runId, 'pause');
  }

  async resume(runId: RunId): Promise<LiveState> {
    return this.control(runId, 'resume');
  }

  /** Trains exactly one epoch, then stays paused (pausing a running run first). */
  async step(runId: RunId): Promise<LiveState> {
    return this.control(runId, 'step');
  }

  /** Ends the run after its current epoch; resolves once it has ended (status 'stopped', or how it ended anyway). */
  async stop(runId: RunId): Promise<LiveState> {
    const live = this.get(runId);
    if (live.phase === 'ended') return this.liveState(runId, live);
    const ended = new Promise<void>((r) => live.endWaiters.push(r));
    await this.request(live, { type: 'stop', reqId: 0 });
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), this.o.replyTimeoutMs).unref?.());
    if ((await Promise.race([ended, timeout])) === 'timeout') {
      // an epoch that never yields: end it the hard way
      this.finish(live, { status: 'stopped', reason: `stopped by the user at epoch ${live.epoch}`, epoch: live.epoch, params: null });
      void live.worker.terminate();
    }
    return this.liveState(runId, live);
  }

  async inspect(runId: RunId, point: number[]): Promise<InspectResult> {
    return (await this.request(this.get(runId), { type: 'inspect', reqId: 0, point })) as InspectResult;
  }

  async gradCheck(runId: RunId, opts: { maxPerParam: number; samples: number }): Promise<GradCheckResult> {
    return (await this.request(this.get(runId), { type: 'gradCheck', reqId: 0, ...opts }, 300_000)) as GradCheckResult;
  }

  /** A fresh snapshot of the run's network now (e.g. when the UI switches to it). */
  async snapshot(runId: RunId): Promise<RunSnapshotEvent> {
    const s = (await this.request(this.get(runId), { type: 'snapshot', reqId: 0 })) as Omit<RunSnapshotEvent, 'runId'>;
    return { runId, ...s };
  }

  /** Lets the run's worker go (stopping it first if it still trains). */
  async release(runId: RunId): Promise<void> {
    const live = this.runs.get(runId);
    if (!live) return;
    if (live.phase !== 'ended') await this.stop(runId).catch(() => undefined);
    this.runs.delete(runId);
    await live.worker.terminate();
  }

  /** Ends every worker; runs still training or paused end as 'interrupted'. */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.runs.values(), ...this.unclaimed];
    for (const live of all) {
      if (live.runId && live.phase !== 'ended') {
        this.finish(live, { status: 'interrupted', reason: `the host shut down at epoch ${live.epoch}`, epoch: live.epoch, params: null });
      }
      live.phase = 'ended';
    }
    this.runs.clear();
    this.unclaimed.clear();
    await Promise.all(all.map((l) => l.worker.terminate().catch(() => 0)));
  }

  // -------------------------------------------------------------------------------------------------------------

  private get(runId: RunId): Live {
    const live = this.runs.get(runId);
    if (!live) throw new TrainerError('not_found', `run ${runId} has no training worker (it is not training here, or its worker was let go)`);
    live.lastUsed = Date.now();
    return live;
  }

  private liveState(runId: RunId, live: Live): LiveState {
    const status: RunStatus = live.phase === 'ended' ? (live.endStatus ?? 'stopped') : live.phase === 'paused' ? 'paused' : 'running';
    return { runId, status, epoch: live.epoch };
  }

  private async control(runId: RunId, type: 'pause' | 'resume' | 'step'): Promise<LiveState> {
    const live = this.get(runId);
    if (live.phase === 'ended') {
      throw new TrainerError('conflict', `run ${runId} has ${live.endStatus ?? 'ended'}; ${type} applies to a run that is training or paused`);
    }
    const r = (await this.request(live, { type, reqId: 0 })) as { epoch: number; phase: 'running' | 'paused' | 'ended' };
    live.epoch = Math.max(live.epoch, r.epoch);
    if ((live.phase as Phase) !== 'ended' && r.phase !== 'ended') live.phase = r.phase;
    return this.liveState(runId, live);
  }

  private request(live: Live, msg: Exclude<HostToWorker, { type: 'go' }>, timeoutMs = this.o.replyTimeoutMs): Promise<unknown> {
    const reqId = this.nextReq++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        live.pending.delete(reqId);
        reject(new TrainerError('internal', `the training worker did not answer ${msg.type} within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      live.pending.set(reqId, { resolve, reject, timer });
      try {
        live.worker.postMessage({ ...msg, reqId } as HostToWorker);
      } catch (e) {
        clearTimeout(timer);
        live.pending.delete(reqId);
        reject(new TrainerError('internal', `the training worker is gone: ${(e as Error).message}`));
      }
    });
  }

  private onMessage(live: Live, m: WorkerToHost): void {
    const runId = live.runId;
    switch (m.type) {
      case 'reply': {
        const p = live.pending.get(m.reqId);
        if (!p) return;
        live.pending.delete(m.reqId);
        clearTimeout(p.timer);
        if (m.ok) p.resolve(m.value);
        else p.reject(new TrainerError(m.code, m.message));
        return;
      }
      case 'fatal':
        this.crashed(live, `training failed: ${m.message}`);
        void live.worker.terminate();
        return;
    }
    if (!runId || live.inspectOnly) return;
    switch (m.type) {
      case 'metrics': {
        const last = m.metrics[m.metrics.length - 1];
        if (last) live.epoch = Math.max(live.epoch, last.epoch + 1);
        try {
          this.listener.metrics(runId, m.metrics);
        } catch (e) {
          // the batch could not be recorded: stop here rather than train on without a record
          this.finish(live, { status: 'failed', reason: `could not record metrics: ${(e as Error).message}`, epoch: live.epoch, params: null });
          void live.worker.terminate();
          return;
        }
        this.ack(live, 'metrics');
        return;
      }
      case 'checkpoint':
        this.safely(() => this.listener.checkpoint?.(runId, m.epoch, m.params));
        return;
      case 'phase':
        if (live.phase === 'ended') return;
        live.phase = m.phase;
        live.epoch = Math.max(live.epoch, m.epoch);
        this.safely(() => this.listener.phase(runId, m.phase, m.epoch));
        return;
      case 'snapshot':
        if (live.phase === 'ended' && live.endStatus !== 'finished' && live.endStatus !== 'stopped') return;
        this.safely(() => this.listener.snapshot(runId, { runId, ...m.snapshot }));
        this.ack(live, 'snapshot');
        return;
      case 'end':
        this.finish(live, endOf(m.end));
        this.evict();
        return;
    }
  }

  /** Lets the worker send its next batch or snapshot (it holds them back until the host has this one). */
  private ack(live: Live, what: 'metrics' | 'snapshot'): void {
    if (live.phase === 'ended') return;
    try {
      live.worker.postMessage({ type: 'ack', what });
    } catch {
      // the worker is gone; its exit is handled elsewhere
    }
  }

  private finish(live: Live, end: RunEnd): void {
    if (live.endStatus) return;
    live.phase = 'ended';
    live.endStatus = end.status;
    live.epoch = Math.max(live.epoch, end.epoch);
    if (live.runId && !live.inspectOnly) {
      const runId = live.runId;
      this.safely(() => this.listener.ended(runId, end));
    }
    for (const w of live.endWaiters.splice(0)) w();
  }

  private crashed(live: Live, reason: string): void {
    for (const [id, p] of live.pending) {
      clearTimeout(p.timer);
      p.reject(new TrainerError('internal', reason));
      live.pending.delete(id);
    }
    if (live.phase === 'ended' || live.phase === 'starting') {
      live.phase = 'ended';
      if (live.runId) this.runs.delete(live.runId);
      return;
    }
    this.finish(live, { status: 'failed', reason, epoch: live.epoch, params: null });
    if (live.runId) this.runs.delete(live.runId);
  }

  /** Lets every big ended worker go, and keeps at most keepEnded small ones (the least recently used go first). */
  private evict(): void {
    for (const [id, l] of this.runs) {
      if (l.phase === 'ended' && l.memoryBytes > this.o.keepEndedMaxBytes) {
        this.runs.delete(id);
        void l.worker.terminate();
      }
    }
    const ended = [...this.runs].filter(([, l]) => l.phase === 'ended').sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    while (ended.length > this.o.keepEnded) {
      const [id, l] = ended.shift()!;
      this.runs.delete(id);
      void l.worker.terminate();
    }
  }

  private safely(f: () => void): void {
    try {
      f();
    } catch {
      // a listener's failure (an event nobody can receive) must not stop the run
    }
  }
}

function endOf(e: WorkerEnd): RunEnd {
  return {
    status: e.status === 'diverged' ? 'failed' : e.status,
    ...(e.status === 'diverged' ? { diverged: true } : {}),
    ...(e.reason ? { reason: e.reason } : {}),
    epoch: e.epochs,
    ...(e.final ? { final: e.final } : {}),
    params: e.params,
    ...(e.state ? { state: e.state } : {}),
  };
}
