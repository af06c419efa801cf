// The sweep machine's side of a queued sweep, without Redis: the core's sweep pool over an executor built on
// QueuedTrials (what electron/sweeps/queue.ts wires to BullMQ's events), with the workers' reports played by the
// test. A trial's run is created when a worker starts it, linked with the worker's name; a trial retried on another
// worker after the first stalled is recorded once (the same run, the new worker, the old attempt's late metrics
// ignored); an end reported twice is written once; ASHA's prune goes to the executor and a pruned end is recorded
// as pruned.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../engine/config';
import type { EpochMetrics } from '../../../engine/train';
import type { CommandPayload, RunId, SweepProgressEvent } from '../../../electron/contract';
import { createCore } from '../../../electron/core/index';
import type { TrialExecutor } from '../../../electron/core/sweeps';
import { openStore, sweepRuns } from '../../../electron/store/index';
import { QueuedTrials, type TrialProgress, type TrialResult } from '../../../electron/sweeps/queue';

const dir = mkdtempSync(join(tmpdir(), 'bplab-queued-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

const BACKEND = { name: 'cpu', mode: 'wasm-simd-f64', precision: 'float64', reason: 'test' } as const;
const metrics = (from: number, to: number, cost: (e: number) => number): EpochMetrics[] =>
  Array.from({ length: to - from }, (_, i) => ({ epoch: from + i, trainCost: cost(from + i), trainAccuracy: 0.5, testCost: cost(from + i), testAccuracy: 0.5, elapsedMs: i }));
const final = (cost: number) => ({ finalCost: cost, trainAccuracy: 0.9, testCost: cost, testAccuracy: 0.9, msPerEpoch: 0.1 });

function setup() {
  const store = openStore({ path: join(dir, `runs-${n++}.db`) });
  let trials!: QueuedTrials;
  const queued: { jobId: string; index: number; payload: CommandPayload<'runs.start'> }[] = [];
  const prunes: { runId: RunId; reason: string }[] = [];
  const waiters: Array<() => void> = [];
  const wake = () => waiters.splice(0).forEach((w) => w());
  const executor = (url: string): TrialExecutor => ({
    queue: url,
    slots: Number.MAX_SAFE_INTEGER,
    start(sweepId, index, payload) {
      const jobId = `${sweepId}-t${index}`;
      const started = trials.add(jobId, sweepId, index, payload);
      queued.push({ jobId, index, payload });
      wake();
      return started;
    },
    prune: async (runId, reason) => {
      prunes.push({ runId, reason });
      wake();
    },
    stop: async () => undefined,
    cancelPending: async () => undefined,
    close: () => trials.settled(),
  });
  const core = createCore({
    store,
    host: 'cli',
    version: 'test',
    queueExecutor: async (ctx, url) => {
      trials = new QueuedTrials(ctx);
      return executor(url);
    },
  });
  const progress: SweepProgressEvent[] = [];
  const runIds = new Map<number, RunId>();
  core.subscribe((event, payload) => {
    if (event === 'sweep.progress') progress.push(payload as SweepProgressEvent);
    if (event === 'runs.changed') wake();
    wake();
  });
  const until = async (ok: () => boolean) => {
    while (!ok()) await new Promise<void>((r) => waiters.push(r));
  };
  /** A worker's report, as BullMQ's QueueEvents would deliver it. */
  const report = async (jobId: string, data: TrialProgress) => {
    trials.progress(jobId, data);
    await trials.settled();
  };
  const end = async (jobId: string, r: TrialResult) => {
    trials.completed(jobId, JSON.stringify(r)); // QueueEvents gives the return value as JSON text
    await trials.settled();
  };
  return { store, core, queued, prunes, progress, runIds, until, report, end, trials: () => trials };
}

describe('a queued sweep on the sweep machine', () => {
  it('records each trial once with its worker: a trial retried after its worker stalled keeps one run; a second end changes nothing', async () => {
    const t = setup();
    const spec = { base: { epochs: 10, samples: 40 }, grid: { lr: [0.1, 0.2] } };
    const r = await t.core.invoke('sweeps.start', { spec, queue: 'redis://queue:6379' });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.parallel).toBe(2); // every trial on the queue at once
    await t.until(() => t.queued.length === 2);
    const [a, b] = t.queued;
    const config = resolveConfig({ training: { epochs: 10, learningRate: 0.1 }, data: { samples: 40 } });

    // trial 1: w1 starts it and dies after 5 epochs; w2 trains it from the start
    await t.report(a!.jobId, { kind: 'started', worker: 'w1', attempt: 'w1#0', config, backend: BACKEND });
    await t.report(a!.jobId, { kind: 'metrics', worker: 'w1', attempt: 'w1#0', metrics: metrics(0, 5, (e) => 1 / (e + 1)) });
    await t.report(a!.jobId, { kind: 'started', worker: 'w2', attempt: 'w2#1', config, backend: BACKEND });
    // w1 was only slow: what it still sends is not this run's any more
    await t.report(a!.jobId, { kind: 'metrics', worker: 'w1', attempt: 'w1#0', metrics: metrics(5, 10, () => 999) });
    await t.report(a!.jobId, { kind: 'metrics', worker: 'w2', attempt: 'w2#1', metrics: metrics(0, 10, (e) => 1 / (e + 1)) });
    await t.end(a!.jobId, { status: 'finished', epoch: 10, final: final(0.1), params: null, worker: 'w2' });
    await t.end(a!.jobId, { status: 'failed', epoch: 3, reason: 'a late duplicate', params: null, worker: 'w1' });

    // trial 2 on w2 throughout
    await t.report(b!.jobId, { kind: 'started', worker: 'w2', attempt: 'w2#0', config: { ...config, training: { ...config.training, learningRate: 0.2 } }, backend: BACKEND });
    await t.report(b!.jobId, { kind: 'metrics', worker: 'w2', attempt: 'w2#0', metrics: metrics(0, 10, (e) => 2 / (e + 1)) });
    await t.end(b!.jobId, { status: 'finished', epoch: 10, final: final(0.2), params: null, worker: 'w2' });

    await t.until(() => t.progress.some((p) => p.status !== 'running'));
    const last = t.progress[t.progress.length - 1]!;
    expect(last).toMatchObject({ status: 'finished', done: 2, failed: 0 });
    const runs = sweepRuns(t.store, r.value.sweepId);
    expect(runs.map((x) => [x.trialIndex, x.worker, x.status, x.epochsDone])).toEqual([
      [0, 'w2', 'finished', 10],
      [1, 'w2', 'finished', 10],
    ]);
    const costs = t.store.readMetrics(runs[0]!.id, { keys: ['train_cost'] }).map((m) => m.value);
    expect(costs).toEqual(Array.from({ length: 10 }, (_, e) => 1 / (e + 1)));
    const got = await t.core.invoke('sweeps.get', { sweepId: r.value.sweepId });
    expect(got.ok && got.value.sweep.queue).toBe('redis://queue:6379');
    expect(got.ok && got.value.trials.map((x) => x.worker)).toEqual(['w2', 'w2']);
    await t.core.close();
    t.store.close();
  });

  it('ASHA’s prune goes to the executor, and the worker’s pruned end is recorded as pruned', async () => {
    const t = setup();
    const spec = { base: { epochs: 100, samples: 40 }, grid: { lr: [0.1, 0.2] }, asha: { metric: 'cost', min_epochs: 5, reduction: 2 } };
    const r = await t.core.invoke('sweeps.start', { spec, queue: 'redis://queue:6379' });
    if (!r.ok) throw new Error(r.error.message);
    await t.until(() => t.queued.length === 2);
    const [a, b] = t.queued;
    const config = resolveConfig({ training: { epochs: 100 }, data: { samples: 40 } });
    await t.report(a!.jobId, { kind: 'started', worker: 'w1', attempt: 'a', config, backend: BACKEND });
    await t.report(b!.jobId, { kind: 'started', worker: 'w2', attempt: 'b', config, backend: BACKEND });
    await t.report(a!.jobId, { kind: 'metrics', worker: 'w1', attempt: 'a', metrics: metrics(0, 8, () => 0.3) });
    // b is worse at rung 1 (epoch 5): ASHA stops it through the executor
    await t.report(b!.jobId, { kind: 'metrics', worker: 'w2', attempt: 'b', metrics: metrics(0, 8, () => 0.6) });
    await t.until(() => t.prunes.length === 1);
    const bRun = t.prunes[0]!.runId;
    expect(t.trials().jobOf(bRun)).toBe(b!.jobId);
    expect(t.prunes[0]!.reason).toMatch(/^pruned at rung 1 \(epoch 5\): cost 0\.6 not in the top 1\/2 of 2 trials at that rung$/);
    await t.end(b!.jobId, { status: 'pruned', epoch: 8, reason: t.prunes[0]!.reason, final: final(0.6), params: null, worker: 'w2' });
    await t.report(a!.jobId, { kind: 'metrics', worker: 'w1', attempt: 'a', metrics: metrics(8, 100, () => 0.2) });
    await t.end(a!.jobId, { status: 'finished', epoch: 100, final: final(0.2), params: null, worker: 'w1' });
    await t.until(() => t.progress.some((p) => p.status !== 'running'));
    expect(t.store.getRun(bRun)).toMatchObject({ status: 'pruned', epochsDone: 8, error: t.prunes[0]!.reason });
    const got = await t.core.invoke('sweeps.get', { sweepId: r.value.sweepId });
    if (!got.ok) throw new Error(got.error.message);
    expect(got.value.sweep).toMatchObject({ status: 'finished', epochsSaved: 92 });
    expect(got.value.best!.worker).toBe('w1');
    await t.core.close();
    t.store.close();
  });

  it('a worker that refuses the job (another version) fails the trial with its reason', async () => {
    const t = setup();
    const r = await t.core.invoke('sweeps.start', { spec: { base: { epochs: 5 }, grid: { lr: [0.1] } }, queue: 'redis://queue:6379' });
    if (!r.ok) throw new Error(r.error.message);
    await t.until(() => t.queued.length === 1);
    t.trials().failed(t.queued[0]!.jobId, 'worker w9 runs Backprop Lab 9.9.9 but the sweep runs test; run the same version on every machine');
    await t.until(() => t.progress.some((p) => p.status !== 'running'));
    const got = await t.core.invoke('sweeps.get', { sweepId: r.value.sweepId });
    if (!got.ok) throw new Error(got.error.message);
    expect(got.value.sweep.status).toBe('failed');
    expect(got.value.sweep.error).toContain('runs Backprop Lab 9.9.9 but the sweep runs test');
    // recorded as a failed run of the sweep, with the worker's reason
    expect(got.value.trials[0]).toMatchObject({ status: 'failed', epochs: 0 });
    expect(got.value.trials[0]!.reason).toContain('runs Backprop Lab 9.9.9');
    expect(t.store.getRun(got.value.trials[0]!.runId!).status).toBe('failed');
    await t.core.close();
    t.store.close();
  });
});
