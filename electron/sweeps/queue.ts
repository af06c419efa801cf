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
/** How long connecting to Redis may take before the command gives up with a message (the whole command, 10 s). */
export const CONNECT_TIMEOUT_MS = 10_000;
/** The first connection's own bound: under CONNECT_TIMEOUT_MS, leaving time to load BullMQ and say why. */
const PROBE_TIMEOUT_MS = 8_000;

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
type RedisClient = import('ioredis').Redis;
type RedisOptions = import('ioredis').RedisOptions;
type RedisCtor = new (url: string, options: RedisOptions) => RedisClient;

/** How long a connection lost after the start is retried before the command gives up (about). */
export const RECONNECT_GIVE_UP_MS = 20_000;

/**
 * BullMQ and its Redis client. ioredis is CommonJS (the class is module.exports, also its `default` and `Redis`):
 * through import() — Node, tsx and the CLI bundle alike — the namespace's `default` is module.exports, and
 * `Redis` may or may not be lifted out as a named export, so both are tried. BullMQ is given ready-made ioredis
 * clients, never options (its ESM build cannot require() ioredis, and its own defaults retry for ever).
 */
async function loadQueueLibs(): Promise<{ bull: BullMQ; Redis: RedisCtor }> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import('ioredis')) as unknown as Record<string, unknown>;
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' || (e as { code?: string }).code === 'MODULE_NOT_FOUND') {
      throw new QueueError('the queue needs the ioredis package (BullMQ’s Redis client), which is not installed; install it (npm install ioredis) or run the sweep without --queue');
    }
    throw e;
  }
  const def = mod['default'] as Record<string, unknown> | undefined;
  const Redis = [mod['Redis'], def?.['Redis'], def].find((c) => typeof c === 'function') as RedisCtor | undefined;
  if (!Redis) throw new QueueError('the installed ioredis package has no Redis client class; reinstall it (npm install ioredis)');
  return { bull: await import('bullmq'), Redis };
}

/** Checks a --queue URL: redis:// or rediss://. */
function checkUrl(url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new QueueError(`--queue ${url}: not a URL; give redis://HOST:PORT`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new QueueError(`--queue ${publicUrl(url)}: give a redis://HOST:PORT (or rediss://) URL`);
}

/** The message of an ioredis error, on one line (an AggregateError of a dual-stack connect names each address). */
function errorLine(e: unknown): string {
  const err = e as { message?: string; errors?: Array<{ message?: string }>; code?: string };
  const m = err.message || err.errors?.map((x) => x.message).join(', ') || err.code || String(e);
  return m.split('\n')[0]!;
}

/**
 * Connects once, failing fast: one attempt (no retries, no offline queue, a connect timeout), a PING, and
 * QueueError with one line within PROBE_TIMEOUT_MS if Redis does not answer. Only after this do the long-lived
 * connections (which retry a lost connection for a while) open, so an unreachable Redis never hangs a command.
 */
async function probe(Redis: RedisCtor, url: string): Promise<void> {
  const why = (detail: string) => new QueueError(`cannot reach Redis at ${publicUrl(url)} (${detail}); start redis-server there (Redis 6.2 or later), or check --queue`);
  const client = new Redis(url, {
    // our own bound (below) says it first, as one message for a silent port and a black-holed host alike
    connectTimeout: PROBE_TIMEOUT_MS + 1000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    reconnectOnError: () => false,
  });
  let lastError: unknown = null;
  const connected = new Promise<void>((resolve, reject) => {
    client.on('error', (e: unknown) => void (lastError ??= e));
    client.once('ready', () => resolve());
    client.once('end', () => reject(lastError ?? new Error('the connection closed')));
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(why(`no answer within ${PROBE_TIMEOUT_MS / 1000} s`)), PROBE_TIMEOUT_MS);
  });
  const answered = (async () => {
    await connected;
    await client.ping();
  })();
  answered.catch(() => undefined); // when the bound wins, what the closed client says later is moot
  try {
    await Promise.race([answered, timeout]);
  } catch (e) {
    if (e instanceof QueueError) throw e;
    throw why(errorLine(lastError ?? e));
  } finally {
    clearTimeout(timer);
    // (disconnect() on an ended client keeps the process alive two more seconds)
    if (client.status !== 'end') client.disconnect();
  }
}

/**
 * A long-lived connection (the probe has answered): commands wait while a lost connection is retried (BullMQ's
 * blocking reads need maxRetriesPerRequest null), for about RECONNECT_GIVE_UP_MS; then the client ends ('end')
 * and `lost` is called with why.
 */
function longLived(Redis: RedisCtor, url: string, name: string, lost: (why: string) => void): RedisClient {
  let lastError = '';
  const client = new Redis(url, {
    connectionName: name.replace(/[^\w.:#-]/g, '_'),
    connectTimeout: CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    // 0.2, 0.4 … 2 s, then every 2 s: about 20 s in all
    retryStrategy: (times: number) => (times > 15 ? null : Math.min(times * 200, 2000)),
  });
  client.on('error', (e: unknown) => void (lastError = errorLine(e)));
  client.on('end', () => {
    // closing on purpose is no loss
    if (!closing.has(client)) lost(`lost the connection to Redis at ${publicUrl(url)}${lastError ? ` (${lastError})` : ''} and could not reconnect within ${RECONNECT_GIVE_UP_MS / 1000} s`);
  });
  return client;
}

/** Clients being closed on purpose. */
const closing = new WeakSet<RedisClient>();

/** Closes a client we made (BullMQ leaves clients it was given open). */
async function closeClient(c: RedisClient): Promise<void> {
  closing.add(c);
  try {
    if (c.status !== 'end') await bounded(c.quit(), 2000);
  } catch {
    // already gone
  } finally {
    if (c.status !== 'end') c.disconnect();
  }
}

/** Waits for `p` at most `ms` (closing BullMQ's classes on a dead connection must not hang a command). */
async function bounded(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([p.catch(() => undefined), new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

/** `p`, or QueueError saying Redis did not answer within CONNECT_TIMEOUT_MS. */
async function ready(p: Promise<unknown>, url: string): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new QueueError(`Redis at ${publicUrl(url)} answered, then did not get ready within ${CONNECT_TIMEOUT_MS / 1000} s; check it (redis-cli -u URL ping)`)), CONNECT_TIMEOUT_MS);
      }),
    ]);
  } catch (e) {
    if (e instanceof QueueError) throw e;
    throw new QueueError(`Redis at ${publicUrl(url)}: ${errorLine(e)}`);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The sweep machine's executor: each trial becomes a job; its run is created here when a worker starts it, and
 * recorded from the worker's progress.
 */
export async function queueExecutor(ctx: CoreContext, url: string): Promise<TrialExecutor> {
  checkUrl(url);
  const { bull, Redis } = await loadQueueLibs();
  const { Queue, QueueEvents, Job } = bull;
  await probe(Redis, url);
  const trials = new QueuedTrials(ctx);
  const client = longLived(Redis, url, `backprop-lab-sweep:${hostname()}:${process.pid}`, (why) => trials.lost(why));
  const queue = new Queue(QUEUE_NAME, { connection: client });
  queue.on('error', () => undefined);
  let events: InstanceType<BullMQ['QueueEvents']> | null = null;
  try {
    await ready(queue.waitUntilReady(), url);
    // the events from now on: reading from '$' would miss those sent before the first read starts
    const last = await client.xrevrange(queue.keys.events!, '+', '-', 'COUNT', 1);
    events = new QueueEvents(QUEUE_NAME, { connection: client, lastEventId: last[0]?.[0] ?? '0-0' });
    events.on('error', () => undefined);
    await ready(events.waitUntilReady(), url);
  } catch (e) {
    await Promise.all([events && bounded(events.close(), 2000), bounded(queue.close(), 2000)]);
    await closeClient(client);
    throw e;
  }
  const ev = events;
  ev.on('progress', ({ jobId, data }) => trials.progress(jobId, data));
  ev.on('completed', ({ jobId, returnvalue }) => trials.completed(jobId, returnvalue));
  ev.on('failed', ({ jobId, failedReason }) => trials.failed(jobId, failedReason));

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
      await Promise.all([bounded(events.close(), 3000), bounded(queue.close(), 3000)]);
      await closeClient(client);
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

  /**
   * The queue is gone (Redis lost for good): every trial not ended fails with `why` — one not started yet
   * rejects its add(), one training is recorded failed.
   */
  lost(why: string): void {
    for (const [jobId, p] of this.jobs) {
      if (p.ended) continue;
      if (!p.runId) this.cancel(jobId, new QueueError(why));
      else this.inOrder(jobId, () => this.onEnd(p, { status: 'failed', epoch: 0, reason: why, params: null, worker: p.attempt ?? '' }));
    }
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
  /** Resolves with why, if the connection to Redis is lost for good. */
  readonly lost: Promise<string>;
  close(): Promise<void>;
}

/** Takes trials from the queue and trains them through `core` (an in-memory store: workers need no database). */
export async function startWorker(core: Core, o: WorkerOptions): Promise<QueueWorker> {
  checkUrl(o.url);
  const { bull, Redis } = await loadQueueLibs();
  const { Worker, Queue, Job, UnrecoverableError } = bull;
  await probe(Redis, o.url);
  const name = o.name ?? `${hostname()}:${process.pid}`;
  const log = o.log ?? (() => undefined);
  let onLost!: (why: string) => void;
  const lost = new Promise<string>((r) => (onLost = r));
  const client = longLived(Redis, o.url, `backprop-lab-worker:${name}`, (why) => onLost(why));
  const queue = new Queue(QUEUE_NAME, { connection: client });
  queue.on('error', () => undefined);
  const lockMs = o.lockMs ?? 10_000;
  /** Set once close() starts: a trial that ends then (its trainer stopped) goes back to the queue, not to the sweep. */
  let closing = false;

  const worker = new Worker<TrialJob, TrialResult>(
    QUEUE_NAME,
    async (job) => {
      const d = job.data;
      const trial = `trial ${d.trialIndex + 1} of sweep ${d.sweepId.slice(0, 8)}`;
      if (d.version !== o.version) {
        const why = `worker ${name} runs Backprop Lab ${o.version} but the sweep runs ${d.version}; run the same version on every machine`;
        log(`refused ${trial}: ${why}`);
        throw new UnrecoverableError(why);
      }
      if (d.control) throw new UnrecoverableError('the sweep was stopped before this trial started');
      const attempt = `${name}#${job.attemptsMade}#${Date.now()}`;
      const started = await core.invoke('runs.start', d.start);
      if (!started.ok) throw new UnrecoverableError(started.error.message);
      const runId = started.value.runId;
      log(`${trial} started (run ${runId.slice(0, 8)})`);
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
        }, ['run.metrics', 'run.status']);
      });
      const e = await ended;
      await chain;
      // the worker is stopping (its trainers were stopped): no result — the job's lock lapses and another worker
      // trains the trial again
      if (closing) return new Promise<never>(() => undefined);
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
      log(`${trial} ${e.status} after ${e.epoch} epochs`);
      return result;
    },
    { connection: client, concurrency: o.concurrency, lockDuration: lockMs, stalledInterval: Math.max(500, Math.floor(lockMs / 2)), maxStalledCount: 3, name, autorun: false },
  );
  // a Redis that is down says the same every retry: each message once in a row
  let lastLogged = '';
  worker.on('error', (e) => {
    const line = errorLine(e);
    if (line !== lastLogged) log(`queue error: ${(lastLogged = line)}`);
  });
  try {
    await ready(queue.waitUntilReady(), o.url);
    await ready(worker.waitUntilReady(), o.url);
  } catch (e) {
    await Promise.all([bounded(worker.close(true), 2000), bounded(queue.close(), 2000)]);
    await closeClient(client);
    throw e;
  }
  void worker.run().catch((e: unknown) => log(`queue error: ${errorLine(e)}`));
  return {
    name,
    lost,
    async close() {
      closing = true;
      await Promise.all([bounded(worker.close(true), 3000), bounded(queue.close(), 3000)]);
      await closeClient(client);
    },
  };
}
