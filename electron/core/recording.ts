// The one recording path of a run: the trainer's metrics batches go into the store's MetricsRecorder (one
// transaction per batch, a heartbeat while nothing is written, so another process's start-up recovery knows the run
// is alive), and each epoch reaches the event stream once it is committed — the dashboard never shows an epoch
// the store lacks. A database locked by another program costs nothing: the rows wait and the recorder tries again
// (its writes never busy-wait long), training goes on. Only a database that refuses for good (a full disk, a file
// made read-only) loses the recording — then the events still flow and the run's end says so.
// Periodic checkpoints (the weights every 1 % of the epochs, electron/trainer/checkpoints.ts) wait in memory for up to
// CHECKPOINT_HOLD_MS (a short run writes them after its last epoch, not during its training), are written at a pause,
// are kept while the database is locked and tried again, and are all written before the run's end.

import type { Params } from '../../engine/init';
import type { EpochMetrics } from '../../engine/train';
import type { RunId } from '../contract';
import { MetricsRecorder, type Store } from '../store/index';
import { CHECKPOINT_HOLD_MS } from '../trainer/checkpoints';
import { isTransient, oneLine, retryBusy } from './errors';

export interface RecordingOptions {
  /** Longest time a metrics batch waits for its transaction. Default 50 ms. */
  flushEveryMs?: number;
  /** How often a run with nothing to write tells the store it is alive. Default 5 s. */
  heartbeatMs?: number;
  /** How long the end of a run waits for a locked database before its record is given up. Default 60 s. */
  endWaitMs?: number;
  /** How long a checkpoint waits in memory before it is written. Default CHECKPOINT_HOLD_MS. */
  checkpointHoldMs?: number;
}

export class Recording {
  private readonly recorder: MetricsRecorder;
  /** Recorded, not yet committed: their events go out with the commit. */
  private pending: EpochMetrics[] = [];
  /** Checkpoints not yet written (held, or the database was locked). */
  private checkpoints: Array<{ epoch: number; params: Params }> = [];
  /** When the oldest of them arrived (performance.now()). */
  private heldSince = 0;
  /** Why the store's record of this run is incomplete, once it is. */
  lost: string | null = null;

  constructor(
    private readonly store: Store,
    readonly runId: RunId,
    private readonly emit: (metrics: EpochMetrics[]) => void,
    private readonly opts: RecordingOptions = {},
  ) {
    this.recorder = new MetricsRecorder(store, runId, {
      flushEveryMs: opts.flushEveryMs ?? 50,
      heartbeatMs: opts.heartbeatMs ?? 5000,
      onFlush: ({ lastStep }) => this.committed(lastStep),
      onError: (e) => this.failed(e),
    });
  }

  /** A batch of consecutive epochs from the trainer. */
  add(metrics: EpochMetrics[]): void {
    if (this.lost) return this.emit(metrics);
    for (const m of metrics) {
      this.pending.push(m);
      try {
        this.recorder.record(m); // buffered even when the commit it triggers fails
      } catch (e) {
        this.failed(e as Error);
        if (this.lost) return;
      }
    }
  }

  /** A periodic checkpoint: the weights after `epoch` epochs (never 0: epoch 0 is a run's given starting weights). */
  checkpoint(epoch: number, params: Params): void {
    if (this.lost) return;
    if (!(Number.isSafeInteger(epoch) && epoch >= 1)) throw new Error(`a periodic checkpoint’s epoch must be a whole number ≥ 1, got ${epoch}`);
    if (this.checkpoints.length === 0) this.heldSince = performance.now();
    this.checkpoints.push({ epoch, params });
    this.writeHeld(false);
  }

  /** Writes the waiting checkpoints now (the run paused: what it has is there to look at). */
  flushCheckpoints(): void {
    this.writeHeld(true);
  }

  /** Writes the waiting checkpoints once the oldest has waited checkpointHoldMs (or `now`); a locked database waits. */
  private writeHeld(now: boolean): void {
    if (this.lost || this.checkpoints.length === 0) return;
    if (!now && performance.now() - this.heldSince < (this.opts.checkpointHoldMs ?? CHECKPOINT_HOLD_MS)) return;
    try {
      this.writeCheckpoints();
    } catch (e) {
      this.failed(e as Error);
    }
  }

  /** Writes the waiting checkpoints, oldest first; a locked database leaves the rest waiting (and throws). */
  private writeCheckpoints(): void {
    while (this.checkpoints.length > 0) {
      const c = this.checkpoints[0]!;
      this.store.saveCheckpoint(this.runId, c.epoch, c.params);
      this.checkpoints.shift();
    }
  }

  /**
   * Commits what is buffered, then writes the run's end with `write` — each retried while the database is locked,
   * for up to endWaitMs. Every epoch's event has gone out when this resolves.
   */
  async end(write: () => void): Promise<void> {
    const wait = this.opts.endWaitMs ?? 60_000;
    if (!this.lost) {
      try {
        await retryBusy(() => this.recorder.close(), wait);
        await retryBusy(() => this.writeCheckpoints(), wait);
      } catch (e) {
        this.lose(`the last epochs could not be written: ${oneLine((e as Error).message)}`);
      }
    }
    this.release();
    if (this.lost) return;
    try {
      await retryBusy(write, wait);
    } catch (e) {
      this.lose(`the run's end could not be written: ${oneLine((e as Error).message)}`);
    }
  }

  private committed(lastStep: number): void {
    this.writeHeld(false); // a commit went through: a lock that held them back is gone
    let k = 0;
    while (k < this.pending.length && this.pending[k]!.epoch <= lastStep) k++;
    if (k === 0) return;
    const done = this.pending.splice(0, k);
    this.emit(done);
  }

  private failed(e: Error): void {
    if (isTransient(e)) return; // the rows stay in the recorder; its timer tries again
    this.lose(`the run database refused its metrics: ${oneLine(e.message)}`);
  }

  private lose(why: string): void {
    if (this.lost) return;
    this.lost = why;
    this.checkpoints = [];
    try {
      this.recorder.close(); // stops its timers; the flush inside may fail again
    } catch {
      // that failure is the reason we are here
    }
    this.release();
  }

  /** Sends the events of epochs that will not be committed (the recording was lost). */
  private release(): void {
    if (this.pending.length === 0) return;
    const rest = this.pending;
    this.pending = [];
    this.emit(rest);
  }
}
