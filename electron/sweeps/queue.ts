// Sweeps on many machines: BullMQ on Redis. The sweep machine puts each trial on the queue "backprop-lab-trials"
// as a job (the core's runs.start payload, the sweep's version); `backprop-lab worker` processes take jobs, train
// them through their own core over an in-memory store, and send back through the job's progress: 'started' (the
// worker's name, the configuration it trains, the backend), then batches of epoch metrics; the job's return value
// is how the run ended, with its final weights. The sweep machine records every trial in its own store as it goes
// (a run linked to its sweep with the worker's name), so its pool and ASHA see the same 'run.metrics' and
// 'run.status' events as for a local trial. ASHA's prune and the sweep's stop go back to the worker as a
// `control` field in the job's data, which the worker reads with each batch.
//
// A worker that dies mid-trial: its lock expires, BullMQ's stalled-job check puts the job back, another worker
// trains it from the start; its 'started' re-links the same run (same trial → same configuration → the same
// numbers, bit for bit, so the epochs it writes again are the same), so the trial is recorded once. A worker of
// another version refuses a job (UnrecoverableError): the trial fails with that reason.
//
// BullMQ needs a Redis client: the `ioredis` package. Without it, or without a reachable Redis, a sweep or a
// worker stops with one line within 10 s.

import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import type { EpochMetrics, FinalMetrics } from '../../engine/train';
import type { BackendInfo, CommandPayload, ParamJSON, RunConfig, RunId, RunStatusEvent } from '../contract';
import type { CoreContext } from '../core/context';
import { CoreError, retryBusy, type Core } from '../core/index';
import { Recording } from '../core/recording';
import { recordEnd } from '../core/runs';
import { TrialCancelled, type TrialExecutor } from '../core/sweeps';
import { linkRun, type Store } from '../store/index';
import { paramsToPlain } from '../trainer/snapshot';

/** The queue every sweep and worker share. */
export const QUEUE_NAME = 'backprop-lab-trials';
/** How long connecting to Redis may take before the command gives up with a message. */
export const CONNECT_TIMEOUT_MS = 10_000;

/** A trial on the queue. */
export interface TrialJob {
  /** The Backprop Lab version of the sweep machine; a worker of another version refuses the job. */
  version: string;
  sweepId: string;
  trialIndex: number;
  /** The core's runs.start payload, as the local pool would send it. */
  start: CommandPayload<'runs.start'>;
  /** Set by the sweep machine: stop the trial, recorded as pruned (ASHA) or stopped (the sweep was stopped). */
  control?: { action: 'prune' | 'stop'; reason?: string };
}

/** What a worker sends through the job's progress. */
export type TrialProgress =
  | { kind: 'started'; worker: string; attempt: string; config: RunConfig; backend: BackendInfo }
  | { kind: 'metrics'; worker: string; attempt: string; metrics: EpochMetrics[] };

/** The job's return value: how the run ended. */
export interface TrialResult {
  status: 'finished' | 'stopped' | 'pruned' | 'failed' | 'interrupted';
  epoch: number;
  reason?: string;
  final?: FinalMetrics;
  diverged?: boolean;
  params: ParamJSON[] | null;
  worker: string;
}

/** A queue that cannot be used: one line with the way out. */
export class QueueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueueError';
  }
}

/** redis://user:secret@host:6379/0 → redis://host:6379/0 (what the store and messages show). */
export function publicUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//');
  }
}

type BullMQ = typeof import('bullmq');

/** BullMQ, once the Redis client it needs (ioredis) is known to be installed. */
async function loadBullMQ(): Promise<BullMQ> {
  try {
    createRequire(import.meta.url).resolve('ioredis');
  } catch {
    throw new QueueError('the queue needs the ioredis package (BullMQ’s Redis client), which is not installed; install it (npm install ioredis) or run the sweep without --queue');
  }
  return import('bullmq');
}

/** The connection options BullMQ gets for a redis:// URL: fail fast instead of retrying for ever. */
function connection(url: string): Record<string, unknown> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new QueueError(`--queue ${url}: not a URL; give redis://HOST:PORT`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new QueueError(`--queue ${publicUrl(url)}: give a redis://HOST:PORT (or rediss://) URL`);
  return { url, connectTimeout: CONNECT_TIMEOUT_MS, maxRetriesPerRequest: null, enableOfflineQueue: true };
}

/** Waits until the queue's Redis answers, or throws QueueError after CONNECT_TIMEOUT_MS. */
async function reachable(client: Promise<unknown>, url: string): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new QueueError(`cannot reach Redis at ${publicUrl(url)} within ${CONNECT_TIMEOUT_MS / 1000} s; start redis-server there, or check --queue`)), CONNECT_TIMEOUT_MS);
  });
  try {
    const c = (await Promise.race([client, timeout])) as { ping?: () => Promise<unknown> };
    if (c.ping) await Promise.race([c.ping(), timeout]);
  } catch (e) {
    if (e instanceof QueueError) throw e;
    throw new QueueError(`cannot reach Redis at ${publicUrl(url)}: ${(e as Error).message}; start redis-server there, or check --queue`);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The sweep machine's executor: each trial becomes a job; its run is created here when a worker starts it, and
 * recorded from the worker's progress.
 */
export async function queueExecutor(ctx: CoreContext, url: string): Promise<TrialExecutor> {
  const { Queue, QueueEvents, Job } = await loadBullMQ();
  const conn = connection(url);
  const queue = new Queue(QUEUE_NAME, { connection: conn });
  const events = new QueueEvents(QUEUE_NAME, { connection: conn });
  queue.on('error', () => undefined);
  events.on('error', () => undefined);
  try {
    await reachable(queue.waitUntilReady(), url);
    await reachable(events.waitUntilReady(), url);
  } catch (e) {
    await Promise.allSettled([queue.close(), events.close()]);
    throw e;
  }

  const trials = new QueuedTrials(ctx);
  events.on('progress', ({ jobId, data }) => trials.progress(jobId, data));
  events.on('completed', ({ jobId, returnvalue }) => trials.completed(jobId, returnvalue));
  events.on('failed', ({ jobId, failedReason }) => trials.failed(jobId, failedReason));

  async function control(runId: RunId, c: NonNullable<TrialJob['control']>): Promise<void> {
    const jobId = trials.jobOf(runId);
    if (!jobId) return;
    const job = await Job.fromId<TrialJob>(queue, jobId);
    if (job) await job.updateData({ ...job.data, control: c });
  }

  return {
    queue: publicUrl(url),
    // every trial goes on the queue at once: the workers' --concurrency decides how many train
    slots: Number.MAX_SAFE_INTEGER,
    start(sweepId, trialIndex, payload) {
      const jobId = jobIdOf(sweepId, trialIndex);
      const started = trials.add(jobId, sweepId, trialIndex, payload);
      const data: TrialJob = { version: ctx.deps.version, sweepId, trialIndex, start: payload };
      queue
        .add('trial', data, { jobId, attempts: 1, removeOnComplete: true, removeOnFail: true })
        .catch((e: unknown) => trials.cancel(jobId, new QueueError(`could not put trial ${trialIndex + 1} on the queue: ${(e as Error).message}`)));
      return started;
    },
    prune: (runId, reason) => control(runId, { action: 'prune', reason }),
    stop: (runId) => control(runId, { action: 'stop' }),
    async cancelPending() {
      for (const jobId of trials.unstarted()) {
        const job = await Job.fromId<TrialJob>(queue, jobId);
        // a job a worker took in the meantime is stopped as it starts
        if (job && (await job.getState()) === 'waiting') await job.remove().catch(() => undefined);
        else if (job) await job.updateData({ ...job.data, control: { action: 'stop' } });
        trials.cancel(jobId, new TrialCancelled('the sweep was stopped'));
      }
    },
    async close() {
      await trials.settled();
      await Promise.allSettled([events.close(), queue.close()]);
    },
  };
}

/**
 * The sweep machine's record of its queued trials, from what the queue reports of each job (progress, completed,
 * failed): a trial's run is created here when a worker starts it (linked to the sweep with the worker's name),
 * its metrics go through the core's Recording (so they reach the event stream once committed, as a local run's
 * do), and its end is written once. A job retried on another worker after the first stalled re-links the same run
 * to the new worker and ignores what the old attempt still sends. Separate from BullMQ so it is tested without it.
 */
export class QueuedTrials {
  private readonly jobs = new Map<string, Pending>();
  private readonly byRun = new Map<RunId, string>();
  /** Each job's reports are handled in the order they came. */
  private readonly chains = new Map<string, Promise<void>>();

  constructor(private readonly ctx: CoreContext) {}

  /** A trial put on the queue as `jobId`; resolves with its run's id once a worker has started it. */
  add(jobId: string, sweepId: string, trialIndex: number, payload: CommandPayload<'runs.start'>): Promise<RunId> {
    return new Promise<RunId>((resolve, reject) => {
      this.jobs.set(jobId, { sweepId, trialIndex, payload, resolve, reject, runId: null, attempt: null, recording: null, ended: false });
    });
  }

  progress(jobId: string, data: unknown): void {
    const p = this.jobs.get(jobId);
    if (!p || p.ended || typeof data !== 'object' || data === null) return;
    this.inOrder(jobId, () => this.onProgress(p, data as TrialProgress));
  }

  completed(jobId: string, returnvalue: unknown): void {
    const p = this.jobs.get(jobId);
    if (!p || p.ended) return;
    const r = (typeof returnvalue === 'string' ? JSON.parse(returnvalue) : returnvalue) as TrialResult;
    this.inOrder(jobId, () => this.onEnd(p, r));
  }

  failed(jobId: string, reason: string): void {
    const p = this.jobs.get(jobId);
    if (!p || p.ended) return;
    this.inOrder(jobId, () => this.onEnd(p, { status: 'failed', epoch: 0, reason, params: null, worker: p.attempt ?? '' }));
  }

  /** The job of a started trial's run. */
  jobOf(runId: RunId): string | undefined {
    return this.byRun.get(runId);
  }

  /** Jobs no worker has started yet. */
  unstarted(): string[] {
    return [...this.jobs].filter(([, p]) => !p.runId && !p.ended).map(([id]) => id);
  }

  /** Gives up a trial no worker has started: its add() rejects with `why`. */
  cancel(jobId: string, why: Error): void {
    const p = this.jobs.get(jobId);
    if (!p || p.runId || p.ended) return;
    p.ended = true;
    p.reject(why);
  }

  /** Resolves once every report received so far is handled. */
  async settled(): Promise<void> {
    await Promise.all([...this.chains.values()]);
  }

  private inOrder(jobId: string, f: () => Promise<void>): void {
    const next = (this.chains.get(jobId) ?? Promise.resolve()).then(f).catch((e: unknown) => console.error(`backprop-lab: trial ${jobId}: ${(e as Error).message}`));
    this.chains.set(jobId, next);
  }

  private async onProgress(p: Pending, m: TrialProgress): Promise<void> {
    const { ctx } = this;
    if (m.kind === 'started') {
      p.attempt = m.attempt;
      if (!p.runId) {
        const rec = await retryBusy(() => ctx.store.createRun(m.config, { ...(p.payload.name ? { name: p.payload.name } : {}), backend: m.backend }));
        const runId = rec.id;
        p.runId = runId;
        this.byRun.set(runId, jobIdOf(p.sweepId, p.trialIndex));
        p.recording = new Recording(ctx.store, runId, (metrics) => ctx.events.emit('run.metrics', { runId, metrics }), ctx.deps.recording);
        await retryBusy(() => linkRun(ctx.store, runId, p.sweepId, p.trialIndex, m.worker));
        ctx.events.emit('runs.changed', { runId, change: 'created' });
        p.resolve(runId);
      } else {
        // retried on another worker after the first one stalled: the same run (the same trial trains to the same
        // numbers, so the epochs it sends again overwrite equal values), now that worker's
        const runId = p.runId;
        await retryBusy(() => linkRun(ctx.store, runId, p.sweepId, p.trialIndex, m.worker));
      }
      return;
    }
    // metrics of an earlier attempt (a worker presumed dead that still talks) are not this run's
    if (m.attempt !== p.attempt || !p.recording) return;
    p.recording.add(m.metrics);
  }

  private async onEnd(p: Pending, r: TrialResult): Promise<void> {
    if (p.ended) return; // BullMQ may report an end twice (a retried job): the first one counts
    p.ended = true;
    const { ctx } = this;
    if (!p.runId) {
      p.reject(new CoreError('internal', r.reason ?? `the trial ${r.status} before a worker started it`));
      return;
    }
    const runId = p.runId;
    const pruned = r.status === 'pruned';
    const end = { status: pruned ? ('stopped' as const) : (r.status as Exclude<TrialResult['status'], 'pruned'>), epoch: r.epoch, params: r.params, ...(r.reason ? { reason: r.reason } : {}), ...(r.final ? { final: r.final } : {}), ...(r.diverged ? { diverged: true } : {}) };
    const rec = p.recording;
    if (rec) await rec.end(() => recordEnd(ctx.store, runId, end, pruned));
    const event: RunStatusEvent = {
      runId,
      status: r.status,
      epoch: r.epoch,
      ...(r.reason ? { reason: r.reason } : {}),
      ...(r.final ? { final: r.final } : {}),
      ...(r.diverged ? { diverged: true } : {}),
      ...(rec?.lost ? { recordingLost: rec.lost } : {}),
    };
    ctx.events.emit('run.status', event);
    ctx.events.emit('runs.changed', { runId, change: 'updated' });
  }
}

interface Pending {
  sweepId: string;
  trialIndex: number;
  payload: CommandPayload<'runs.start'>;
  resolve(runId: RunId): void;
  reject(e: Error): void;
  runId: RunId | null;
  attempt: string | null;
  recording: Recording | null;
  ended: boolean;
}

function jobIdOf(sweepId: string, trialIndex: number): string {
  return `${sweepId}-t${trialIndex}`;
}

export interface WorkerOptions {
  url: string;
  /** Trials trained at once. */
  concurrency: number;
  /** The worker's name, recorded with each trial it trains. Default host:pid. */
  name?: string;
  /** This worker's Backprop Lab version. */
  version: string;
  /** The store `core` writes (in memory): the final weights are read from it. */
  store: Store;
  /** How long a job's lock lasts without renewal: a dead worker's trial goes back to the queue after about this. */
  lockMs?: number;
  log?(line: string): void;
}

/** A running worker: close() stops taking jobs and ends the trials it trains (they go back to the queue). */
export interface QueueWorker {
  readonly name: string;
  close(): Promise<void>;
}

/** Takes trials from the queue and trains them through `core` (an in-memory store: workers need no database). */
export async function startWorker(core: Core, o: WorkerOptions): Promise<QueueWorker> {
  const { Worker, Queue, Job, UnrecoverableError } = await loadBullMQ();
  const conn = connection(o.url);
  const name = o.name ?? `${hostname()}:${process.pid}`;
  const log = o.log ?? (() => undefined);
  const queue = new Queue(QUEUE_NAME, { connection: conn });
  queue.on('error', () => undefined);
  try {
    await reachable(queue.waitUntilReady(), o.url);
  } catch (e) {
    await queue.close().catch(() => undefined);
    throw e;
  }
  const lockMs = o.lockMs ?? 10_000;

  const worker = new Worker<TrialJob, TrialResult>(
    QUEUE_NAME,
    async (job) => {
      const d = job.data;
      if (d.version !== o.version) {
        throw new UnrecoverableError(`worker ${name} runs Backprop Lab ${o.version} but the sweep runs ${d.version}; run the same version on every machine`);
      }
      if (d.control) throw new UnrecoverableError('the sweep was stopped before this trial started');
      const attempt = `${name}#${job.attemptsMade}#${Date.now()}`;
      const started = await core.invoke('runs.start', d.start);
      if (!started.ok) throw new UnrecoverableError(started.error.message);
      const runId = started.value.runId;
      log(`trial ${d.trialIndex + 1} of sweep ${d.sweepId.slice(0, 8)} started (run ${runId.slice(0, 8)})`);
      let chain: Promise<unknown> = job.updateProgress({ kind: 'started', worker: name, attempt, config: started.value.config, backend: started.value.backend } satisfies TrialProgress);
      let lastCheck = 0;
      let acted = false;
      const ended = new Promise<RunStatusEvent>((resolve) => {
        const off = core.subscribe((event, payload) => {
          if (event === 'run.metrics' && (payload as { runId: string }).runId === runId) {
            const metrics = (payload as { metrics: EpochMetrics[] }).metrics;
            chain = chain.then(() => job.updateProgress({ kind: 'metrics', worker: name, attempt, metrics } satisfies TrialProgress)).catch(() => undefined);
            // the sweep machine's prune or stop, read with the batches (at most every 100 ms)
            if (!acted && Date.now() - lastCheck > 100) {
              lastCheck = Date.now();
              chain = chain
                .then(async () => {
                  const fresh = await Job.fromId<TrialJob>(queue, job.id!);
                  const c = fresh?.data.control;
                  if (!c || acted) return;
                  acted = true;
                  // this worker's core records the prune (or stop); the sweep machine records it from the result
                  await core.invoke('runs.stop', { runId, ...(c.action === 'prune' ? { prune: c.reason ?? 'pruned by the sweep' } : {}) });
                })
                .catch(() => undefined);
            }
          } else if (event === 'run.status') {
            const e = payload as RunStatusEvent;
            if (e.runId === runId && e.status !== 'running' && e.status !== 'paused') {
              off();
              resolve(e);
            }
          }
        });
      });
      const e = await ended;
      await chain;
      const weights = o.store.findRun(runId) ? o.store.getWeights(runId) : null;
      const result: TrialResult = {
        status: e.status as TrialResult['status'],
        epoch: e.epoch,
        ...(e.reason ? { reason: e.reason } : {}),
        ...(e.final ? { final: e.final } : {}),
        ...(e.diverged ? { diverged: true } : {}),
        params: weights ? paramsToPlain(weights) : null,
        worker: name,
      };
      log(`trial ${d.trialIndex + 1} of sweep ${d.sweepId.slice(0, 8)} ${e.status} after ${e.epoch} epochs`);
      return result;
    },
    { connection: conn, concurrency: o.concurrency, lockDuration: lockMs, stalledInterval: Math.max(1000, Math.floor(lockMs / 2)), maxStalledCount: 3, name },
  );
  worker.on('error', (e) => log(`queue error: ${e.message}`));
  return {
    name,
    async close() {
      await worker.close(true).catch(() => undefined);
      await queue.close().catch(() => undefined);
    },
  };
}
