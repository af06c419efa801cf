// MetricsRecorder: takes the engine's per-epoch metrics as they come and writes them in batches — one
// transaction every flushEveryMs or flushEveryRows, whichever comes first — and keeps the run's heartbeat
// fresh while it is paused, so start-up recovery on another process knows it is alive.

import type { Params } from '../../engine/init';
import type { EpochMetrics } from '../../engine/train';
import { z } from 'zod';
import { isTransient, StoreError, validate } from './errors';
import { checkRows, epochRows, type MetricRow } from './metrics';
import type { RunOutcome, RunRecord, Store } from './store';

export interface RecorderOptions {
  /** Longest time a recorded epoch waits before it is committed. Default 100 ms. */
  flushEveryMs?: number;
  /** A batch this large is committed at once. Default 5000 rows. */
  flushEveryRows?: number;
  /** How often a recorder with nothing to write tells the store its run is alive. Default 5000 ms. */
  heartbeatMs?: number;
  /** After each committed batch: its size and the highest epoch in it (e.g. to forward the batch to the UI). */
  onFlush?: (batch: { rows: number; lastStep: number }) => void;
  /** A timer-driven flush that failed; its rows stay buffered for the next try. Default: console.error. */
  onError?: (error: Error) => void;
}

const fn = z.custom<(...args: unknown[]) => void>((v) => typeof v === 'function', 'must be a function');
const recorderOptions = z
  .object({
    flushEveryMs: z.number().min(1).max(60_000).default(100),
    flushEveryRows: z.number().int().min(1).max(1_000_000).default(5000),
    heartbeatMs: z.number().min(10).max(600_000).default(5000),
    onFlush: fn.optional(),
    onError: fn.optional(),
  })
  .strict();

/** The longest wait between two tries to commit while another program holds the database's lock. */
const MAX_BACKOFF_MS = 2000;

export class MetricsRecorder {
  private buffer: MetricRow[] = [];
  private lastFlushAt = Date.now();
  /** Last commit or heartbeat: the store's latest sign of life from this recorder. */
  private lastWriteAt = Date.now();
  private flushTimer: ReturnType<typeof setInterval> | null;
  private beatTimer: ReturnType<typeof setInterval> | null;
  private readonly opts: z.output<typeof recorderOptions>;
  private committedStep = -1;
  private closed = false;
  /**
   * After a commit met another program's lock (BUSY): no timer- or record-driven attempt before retryAt, so a long
   * lock costs one short try per backoff period instead of one per epoch. The wait starts at flushEveryMs and
   * doubles up to MAX_BACKOFF_MS (or flushEveryMs when that is longer); a commit resets it. flush() and close()
   * always try.
   */
  private retryAt = 0;
  private backoffMs = 0;

  constructor(readonly store: Store, readonly runId: string, options: RecorderOptions = {}) {
    this.opts = validate(recorderOptions, options, 'MetricsRecorder');
    store.rid(runId, 'MetricsRecorder');
    // unref: a recorder never keeps a process alive; finish()/close() flush what is left
    this.flushTimer = setInterval(() => this.flushQuietly(), this.opts.flushEveryMs);
    this.flushTimer.unref?.();
    this.beatTimer = setInterval(() => this.beat(), this.opts.heartbeatMs);
    this.beatTimer.unref?.();
  }

  /** Buffers one epoch's metrics (train_cost, train_accuracy, test_cost, test_accuracy, elapsed_ms, …). */
  record(m: EpochMetrics): void {
    this.push(epochRows(m));
  }

  /** Buffers arbitrary metric rows (checked now, so a bad row fails here and not in a later batch). */
  recordRows(rows: MetricRow[]): void {
    checkRows(rows, 'MetricsRecorder.recordRows');
    this.push(rows);
  }

  private push(rows: MetricRow[]): void {
    if (this.closed) throw new StoreError('STATE', `MetricsRecorder for run ${this.runId} is closed`);
    for (const r of rows) this.buffer.push(r);
    if (this.retryAt > Date.now()) return; // a lock was met a moment ago: the rows wait, nothing blocks
    // checked here too, not only by the timer: a training loop that rarely yields still commits on time
    if (this.buffer.length >= this.opts.flushEveryRows || Date.now() - this.lastFlushAt >= this.opts.flushEveryMs) this.flush();
  }

  /** Commits the buffered rows now, in one transaction. Returns how many were written. */
  flush(): number {
    this.lastFlushAt = Date.now();
    if (this.buffer.length === 0) return 0;
    const batch = this.buffer;
    this.buffer = [];
    try {
      this.store.appendMetrics(this.runId, batch);
      this.lastWriteAt = Date.now();
    } catch (e) {
      // keep the rows for the next try (a lock held longer than busy_timeout); a deleted or ended run will not take them
      if (!(e instanceof StoreError && (e.code === 'NOT_FOUND' || e.code === 'STATE'))) this.buffer = batch.concat(this.buffer);
      if (isTransient(e)) {
        const cap = Math.max(MAX_BACKOFF_MS, this.opts.flushEveryMs);
        this.backoffMs = Math.min(cap, this.backoffMs ? this.backoffMs * 2 : this.opts.flushEveryMs);
        this.retryAt = Date.now() + this.backoffMs;
      }
      throw e;
    }
    this.backoffMs = 0;
    this.retryAt = 0;
    let last = -1;
    for (const r of batch) if (r.step > last) last = r.step;
    if (last > this.committedStep) this.committedStep = last;
    this.opts.onFlush?.({ rows: batch.length, lastStep: last });
    return batch.length;
  }

  /** The highest epoch committed so far (-1 before the first batch). */
  get lastCommittedStep(): number {
    return this.committedStep;
  }

  /** Rows waiting for the next batch. */
  get pending(): number {
    return this.buffer.length;
  }

  /** Flushes, then ends the run with the engine's result (finished, stopped or failed as it says) and its weights. */
  finish(result: RunOutcome, params?: Params): RunRecord {
    this.close();
    return this.store.finishRun(this.runId, result, params);
  }

  /** Flushes, then ends the run as failed with the reason. */
  fail(reason: string, options: { params?: Params; epochs?: number } = {}): RunRecord {
    this.close();
    return this.store.failRun(this.runId, reason, options);
  }

  /** Flushes, then ends the run as stopped by the user. */
  stop(options: { result?: RunOutcome; params?: Params; reason?: string } = {}): RunRecord {
    this.close();
    return this.store.stopRun(this.runId, options);
  }

  /** Flushes what is buffered and stops the timers (idempotent). The run stays as it is. */
  close(): void {
    if (this.closed) return;
    this.stopTimers();
    this.flush();
    this.closed = true;
  }

  private stopTimers(): void {
    if (this.flushTimer) clearInterval(this.flushTimer);
    if (this.beatTimer) clearInterval(this.beatTimer);
    this.flushTimer = this.beatTimer = null;
  }

  private flushQuietly(): void {
    if (this.retryAt > Date.now()) return;
    try {
      this.flush();
    } catch (e) {
      if (e instanceof StoreError && (e.code === 'NOT_FOUND' || e.code === 'STATE')) this.stopTimers();
      this.report(e as Error);
    }
  }

  private beat(): void {
    if (Date.now() - this.lastWriteAt < this.opts.heartbeatMs / 2) return; // a recent batch already said so
    try {
      this.store.heartbeat(this.runId);
      this.lastWriteAt = Date.now();
    } catch (e) {
      if (e instanceof StoreError && (e.code === 'NOT_FOUND' || e.code === 'STATE')) this.stopTimers();
      this.report(e as Error);
    }
  }

  private report(e: Error): void {
    if (this.opts.onError) this.opts.onError(e);
    else console.error(`metrics recorder for run ${this.runId}: ${e.message}`);
  }
}
