// MetricsRecorder: engine epochs in, batched transactions out — by size, by time, on flush() — and a heartbeat
// while nothing is written.

import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resolveConfig } from '../../../engine/config';
import type { EpochMetrics } from '../../../engine/train';
import { epochRows, MetricsRecorder, openStore, snakeCase, type Store } from '../../../electron/store/index';
import { tempDir } from './helpers';

const dir = tempDir();
let n = 0;
let store: Store;
let runId: string;
beforeEach(() => {
  store = openStore({ path: join(dir, `rec-${n++}.db`) });
  runId = store.createRun(resolveConfig({})).id;
});
afterEach(() => store.close());

const epoch = (e: number, over: Partial<EpochMetrics> = {}): EpochMetrics => ({ epoch: e, trainCost: 1 / (e + 1), trainAccuracy: 0.5, testCost: 0.7, testAccuracy: 0.6, elapsedMs: e * 2, ...over });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('epoch metrics → rows', () => {
  it('makes one row per numeric field under its snake_case name, skipping null ones', () => {
    expect(snakeCase('trainCost')).toBe('train_cost');
    expect(snakeCase('gradNormL2')).toBe('grad_norm_l2');
    const rows = epochRows({ ...epoch(4, { testCost: null, testAccuracy: null }), gradNorm: 3 } as EpochMetrics, 99);
    expect(rows).toEqual([
      { key: 'train_cost', step: 4, value: 0.2, ts: 99 },
      { key: 'train_accuracy', step: 4, value: 0.5, ts: 99 },
      { key: 'elapsed_ms', step: 4, value: 8, ts: 99 },
      { key: 'grad_norm', step: 4, value: 3, ts: 99 },
    ]);
  });
});

describe('MetricsRecorder', () => {
  it('commits a batch once it holds flushEveryRows rows — one appendMetrics (one transaction) per batch, never per epoch', () => {
    const spy = vi.spyOn(store, 'appendMetrics');
    const batches: { rows: number; lastStep: number }[] = [];
    const rec = new MetricsRecorder(store, runId, { flushEveryRows: 20, flushEveryMs: 60_000, onFlush: (b) => batches.push(b) });
    for (let e = 0; e < 10; e++) rec.record(epoch(e)); // 50 rows
    expect(batches).toEqual([{ rows: 20, lastStep: 3 }, { rows: 20, lastStep: 7 }]);
    expect(rec.pending).toBe(10);
    expect(rec.lastCommittedStep).toBe(7);
    expect(rec.flush()).toBe(10);
    expect(spy).toHaveBeenCalledTimes(3);
    expect(store.readMetrics(runId).length).toBe(50);
    expect(store.getRun(runId).epochsDone).toBe(10);
    rec.close();
  });

  it('commits within flushEveryMs even when the batch is small (timer, and on the next record)', async () => {
    const rec = new MetricsRecorder(store, runId, { flushEveryMs: 30 });
    rec.record(epoch(0));
    expect(store.readMetrics(runId).length).toBe(0);
    await sleep(120);
    expect(store.readMetrics(runId).length).toBe(5);
    // a loop that never yields still commits: the time is checked on each record
    const start = Date.now();
    let e = 1;
    while (Date.now() - start < 80) rec.record(epoch(e++));
    expect(rec.lastCommittedStep).toBeGreaterThan(0);
    rec.close();
    expect(store.readMetrics(runId, { keys: ['train_cost'] }).length).toBe(e);
  });

  it('keeps the run’s heartbeat fresh while nothing is recorded (a paused run is alive)', async () => {
    store.db.prepare('UPDATE runs SET heartbeat_at = 0 WHERE id = ?').run(runId);
    const rec = new MetricsRecorder(store, runId, { heartbeatMs: 20 });
    await sleep(100);
    expect(store.getRun(runId).writer!.heartbeatAt).toBeGreaterThan(Date.now() - 1000);
    rec.close();
  });

  it('finish() commits what is buffered, then ends the run; a closed recorder takes nothing more', () => {
    const rec = new MetricsRecorder(store, runId, { flushEveryMs: 60_000 });
    rec.record(epoch(0));
    rec.record(epoch(1));
    const run = rec.finish({ status: 'finished', epochs: 2, finalCost: 0.4, trainAccuracy: 1, testCost: null, testAccuracy: null, costHistory: [1, 0.5], msPerEpoch: 1, backend: { name: 'cpu', mode: 'js', precision: 'float64', reason: '' } });
    expect(run.status).toBe('finished');
    expect(store.readMetrics(runId).length).toBe(10);
    expect(() => rec.record(epoch(2))).toThrow(`MetricsRecorder for run ${runId} is closed`);
  });

  it('a timer flush that fails is reported, and a deleted run stops the timers', async () => {
    const errors: string[] = [];
    const rec = new MetricsRecorder(store, runId, { flushEveryMs: 10, onError: (e) => errors.push(e.message) });
    store.deleteRun(runId, { force: true });
    rec.record(epoch(0));
    await sleep(60);
    expect(errors.length).toBe(1);
    expect(errors[0]).toMatch(/there is no run with id/);
  });

  it('validates its options and run', () => {
    expect(() => new MetricsRecorder(store, runId, { flushEveryMs: 0 })).toThrow('MetricsRecorder: options.flushEveryMs must be ≥ 1, got 0');
    expect(() => new MetricsRecorder(store, 'no-such-run')).toThrow(/MetricsRecorder: there is no run with id "no-such-run"/);
    const rec = new MetricsRecorder(store, runId);
    expect(() => rec.recordRows([{ key: 'x', step: 1.5, value: 1 }])).toThrow('MetricsRecorder.recordRows: rows[0].step must be an integer ≥ 0, got 1.5');
    rec.close();
  });
});
