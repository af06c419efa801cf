// TrainerHost with real worker threads: batching without loss, control latency, several runs at once,
// divergence, snapshots, inspect and the gradient check; and with a fake worker, crashes and failed writes.
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import type { LayerSpec } from '../../engine/architecture';
import { resolveConfig, type DeepPartial, type RunConfig } from '../../engine/config';
import type { EpochMetrics } from '../../engine/train';
import type { RunSnapshotEvent } from '../../electron/contract';
import { TrainerError, TrainerHost, workerEntry, type RunEnd, type TrainerHostOptions, type WorkerLike } from '../../electron/trainer/host';
import type { HostToWorker, WorkerToHost } from '../../electron/trainer/protocol';

const SMALL: LayerSpec[] = [
  { input_dim: 2, output_dim: 8, activation: 'relu' },
  { input_dim: 8, output_dim: 1, activation: 'sigmoid' },
];
const config = (over: DeepPartial<RunConfig> = {}): RunConfig =>
  resolveConfig({ architecture: SMALL, ...over, training: { epochs: 3000, ...(over.training ?? {}) }, data: { samples: 200, ...(over.data ?? {}) } });

/** Records everything a host reports, per run, with arrival times. */
class Recorder {
  metrics = new Map<string, { at: number; batch: EpochMetrics[] }[]>();
  phases: Array<{ runId: string; phase: string; epoch: number }> = [];
  snapshots: RunSnapshotEvent[] = [];
  ends = new Map<string, RunEnd>();
  private waiters: Array<() => void> = [];
  failMetrics = false;
  listener = {
    metrics: (runId: string, batch: EpochMetrics[]) => {
      if (this.failMetrics) throw new Error('disk full');
      const list = this.metrics.get(runId) ?? [];
      list.push({ at: performance.now(), batch });
      this.metrics.set(runId, list);
    },
    phase: (runId: string, phase: 'running' | 'paused', epoch: number) => void this.phases.push({ runId, phase, epoch }),
    snapshot: (_runId: string, s: RunSnapshotEvent) => void this.snapshots.push(s),
    ended: (runId: string, end: RunEnd) => {
      this.ends.set(runId, end);
      for (const w of this.waiters.splice(0)) w();
    },
  };
  epochs(runId: string): number[] {
    return (this.metrics.get(runId) ?? []).flatMap((b) => b.batch.map((m) => m.epoch));
  }
  async ended(runId: string, timeoutMs = 60_000): Promise<RunEnd> {
    const t0 = Date.now();
    while (!this.ends.has(runId)) {
      if (Date.now() - t0 > timeoutMs) throw new Error(`run ${runId} did not end within ${timeoutMs} ms`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 100);
      });
    }
    return this.ends.get(runId)!;
  }
}

const hosts: TrainerHost[] = [];
function makeHost(rec: Recorder, opts: Partial<TrainerHostOptions> = {}): TrainerHost {
  const h = new TrainerHost({ listener: rec.listener, ...opts });
  hosts.push(h);
  return h;
}
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.close()));
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('worker entry', () => {
  it('runs worker.ts through the tsx bootstrap in development and the bundled trainer-worker.js when built', () => {
    const dev = workerEntry('file:///repo/electron/trainer/host.ts');
    expect(dev.files.map((f) => f.href)).toEqual(['file:///repo/electron/trainer/dev-worker.mjs']);
    expect(dev.entry).toBe('file:///repo/electron/trainer/worker.ts');
    const built = workerEntry('file:///app/out/main/index.js');
    expect(built.files[0]!.href).toBe('file:///app/out/main/trainer-worker.js');
    // the host may land in a shared chunk one folder down
    expect(workerEntry('file:///app/out/main/chunks/host-abc.js').files[1]!.href).toBe('file:///app/out/main/trainer-worker.js');
    expect(built.entry).toBeUndefined();
  });
});

describe('TrainerHost with worker threads', () => {
  it('a fast run of 3000 epochs reports every epoch 0..2999 exactly once, in order, in batches', async () => {
    const rec = new Recorder();
    const host = makeHost(rec);
    const run = await host.prepare({ config: config() });
    expect(run.backend.name).toBe('cpu');
    run.go('fast');
    const end = await rec.ended('fast');
    expect(end.status).toBe('finished');
    expect(end.epoch).toBe(3000);
    expect(rec.epochs('fast')).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    // batches, never one message per epoch
    const batches = rec.metrics.get('fast')!;
    expect(batches.length).toBeLessThan(100);
    expect(end.params?.map((p) => p.name)).toEqual(['W1', 'b1', 'W2', 'b2']);
    expect(end.final!.finalCost).toBeGreaterThan(0);
  });

  it('sends at most 20 metrics messages a second per run, however fast it trains', async () => {
    const rec = new Recorder();
    const host = makeHost(rec);
    const run = await host.prepare({ config: config({ training: { epochs: 1_000_000 } }) });
    const t0 = performance.now();
    run.go('rate');
    await sleep(2000);
    await host.stop('rate');
    const seconds = (performance.now() - t0) / 1000;
    const batches = rec.metrics.get('rate')!;
    expect(rec.epochs('rate').length).toBeGreaterThan(1000); // it did train fast
    expect(batches.length).toBeLessThanOrEqual(Math.ceil(20 * seconds) + 1);
    // and every epoch is in some batch
    const epochs = rec.epochs('rate');
    expect(epochs).toEqual(Array.from({ length: epochs.length }, (_, i) => i));
    expect(rec.ends.get('rate')!.epoch).toBe(epochs.length);
  });

  it('pause, step, resume and stop take effect within a second; a step trains exactly one epoch', async () => {
    const rec = new Recorder();
    const host = makeHost(rec);
    const run = await host.prepare({ config: config({ training: { epochs: 1_000_000 } }) });
    run.go('ctl');
    await sleep(300);

    let t = performance.now();
    const paused = await host.pause('ctl');
    expect(performance.now() - t).toBeLessThan(1000);
    expect(paused.status).toBe('paused');
    await sleep(100);
    const atPause = rec.epochs('ctl').length;
    expect(atPause).toBe(paused.epoch); // every epoch before the pause is delivered
    await sleep(300);
    expect(rec.epochs('ctl').length).toBe(atPause); // and nothing trains while paused

    t = performance.now();
    const stepped = await host.step('ctl');
    expect(performance.now() - t).toBeLessThan(1000);
    expect(stepped).toEqual({ runId: 'ctl', status: 'paused', epoch: paused.epoch + 1 });
    await sleep(100);
    expect(rec.epochs('ctl').length).toBe(atPause + 1);
    expect(rec.epochs('ctl').at(-1)).toBe(paused.epoch);

    t = performance.now();
    const resumed = await host.resume('ctl');
    expect(performance.now() - t).toBeLessThan(1000);
    expect(resumed.status).toBe('running');
    await sleep(300);
    expect(rec.epochs('ctl').length).toBeGreaterThan(atPause + 1);

    t = performance.now();
    const stopped = await host.stop('ctl');
    expect(performance.now() - t).toBeLessThan(1000);
    expect(stopped.status).toBe('stopped');
    const end = rec.ends.get('ctl')!;
    expect(end.status).toBe('stopped');
    expect(end.reason).toMatch(/stopped by the user at epoch \d+/);
    expect(end.params).not.toBeNull();
    expect(rec.epochs('ctl')).toEqual(Array.from({ length: end.epoch }, (_, i) => i));
    await expect(host.pause('ctl')).rejects.toMatchObject({ code: 'conflict' });
  });

  it('holds batches back while the host is slow (backpressure): pause still answers within a second, no epoch lost', async () => {
    const rec = new Recorder();
    const slow = { ...rec.listener, metrics: (runId: string, batch: EpochMetrics[]) => {
      const t = performance.now();
      while (performance.now() - t < 150); // a host busy for 150 ms per batch (a slow disk, a starved CPU)
      rec.listener.metrics(runId, batch);
    } };
    const host = makeHost(rec, { listener: slow });
    const run = await host.prepare({ config: config({ training: { epochs: 1_000_000 } }) });
    run.go('slow');
    await sleep(1500);
    const t = performance.now();
    const paused = await host.pause('slow');
    expect(performance.now() - t).toBeLessThan(1000);
    await sleep(400);
    const epochs = rec.epochs('slow');
    expect(epochs.length).toBe(paused.epoch);
    expect(epochs).toEqual(Array.from({ length: epochs.length }, (_, i) => i));
    // fewer, larger batches rather than a queue: about one per 150 ms of host time
    expect(rec.metrics.get('slow')!.length).toBeLessThanOrEqual(Math.ceil(1900 / 150) + 2);
    await host.stop('slow');
  });

  it('a run started paused trains nothing until stepped, and stepping to the last epoch finishes it', async () => {
    const rec = new Recorder();
    const host = makeHost(rec);
    const run = await host.prepare({ config: config({ training: { epochs: 2 } }) });
    run.go('steps', { paused: true });
    await sleep(200);
    expect(rec.epochs('steps')).toEqual([]);
    expect(host.state('steps')).toEqual({ runId: 'steps', status: 'paused', epoch: 0 });
    expect((await host.step('steps')).epoch).toBe(1);
    await host.step('steps');
    const end = await rec.ended('steps');
    expect(end.status).toBe('finished');
    expect(rec.epochs('steps')).toEqual([0, 1]);
  });

  it('trains several runs at once (a small learning-rate sweep), each complete and different', async () => {
    const rec = new Recorder();
    const host = makeHost(rec);
    const lrs = [0.01, 0.05, 0.2];
    const runs = await Promise.all(lrs.map((lr) => host.prepare({ config: config({ training: { epochs: 1500, learningRate: lr } }) })));
    runs.forEach((r, i) => r.go(`lr${i}`));
    expect(host.active().sort()).toEqual(['lr0', 'lr1', 'lr2']);
    const ends = await Promise.all(lrs.map((_, i) => rec.ended(`lr${i}`)));
    for (let i = 0; i < lrs.length; i++) {
      expect(ends[i]!.status).toBe('finished');
      expect(rec.epochs(`lr${i}`)).toEqual(Array.from({ length: 1500 }, (_, k) => k));
    }
    const costs = ends.map((e) => e.final!.finalCost);
    expect(new Set(costs).size).toBe(3);
    expect(costs[2]).toBeLessThan(costs[0]!); // a larger rate gets further in 1500 epochs
  });

  it('a diverging run ends as failed, with the epoch and the reason', async () => {
    const rec = new Recorder();
    const host = makeHost(rec);
    const run = await host.prepare({ config: resolveConfig({ training: { epochs: 5000, learningRate: 100 } }) });
    run.go('boom');
    const end = await rec.ended('boom');
    expect(end.status).toBe('failed');
    expect(end.reason).toMatch(/^diverged at epoch \d+: /);
    expect(end.params).toBeNull();
    const epochs = rec.epochs('boom');
    expect(epochs).toEqual(Array.from({ length: epochs.length }, (_, i) => i));
    expect(epochs.length).toBe(end.epoch);
  });

  it('refuses a configuration the trainer cannot use before any run exists', async () => {
    const rec = new Recorder();
    const host = makeHost(rec);
    const bad = config({ architecture: [{ input_dim: 3, output_dim: 1, activation: 'sigmoid' }] });
    const err = await host.prepare({ config: bad }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrainerError);
    expect(err).toMatchObject({ code: 'invalid_config', message: expect.stringMatching(/input_dim 3 but the data has 2 features/) });
  });

  it('sends snapshots: a 40×40 boundary grid over the data, the weights, gradient norms and dead-ReLU share', async () => {
    const rec = new Recorder();
    const host = makeHost(rec, { snapshotIntervalMs: 50 });
    const run = await host.prepare({ config: config({ training: { epochs: 400 } }) });
    run.go('snap');
    await rec.ended('snap');
    expect(rec.snapshots.length).toBeGreaterThanOrEqual(2);
    // the first is the network as it starts, sent before the first epoch (outside the run's timed epochs)
    const first = rec.snapshots[0]!;
    expect(first.epoch).toBe(0);
    expect(first.boundary!.values).toHaveLength(1600);
    expect(first.weights!.map((w) => w.name)).toEqual(['W1', 'b1', 'W2', 'b2']);
    expect(first.layers.map((l) => l.gradNormW)).toEqual([0, 0]); // no update yet
    const last = rec.snapshots.at(-1)!;
    expect(last.runId).toBe('snap');
    expect(last.epoch).toBe(400);
    const b = last.boundary!;
    expect(b.size).toBe(40);
    expect(b.kind).toBe('probability');
    expect(b.values).toHaveLength(1600);
    expect(Array.from(b.values).every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(b.x[0]).toBeLessThan(-0.8); // moons span about [-1, 2] × [-0.5, 1]
    expect(b.x[1]).toBeGreaterThan(1.8);
    expect(last.weights!.map((w) => [w.name, w.rows, w.cols])).toEqual([['W1', 8, 2], ['b1', 8, 1], ['W2', 1, 8], ['b2', 1, 1]]);
    expect(last.layers).toHaveLength(2);
    expect(last.layers[0]!.gradNormW).toBeGreaterThan(0);
    expect(last.layers[0]!.deadShare).toBeGreaterThanOrEqual(0);
    expect(last.layers[0]!.deadShare).toBeLessThanOrEqual(1);
    expect(last.layers[1]!.deadShare).toBeNull(); // sigmoid
  });

  it('answers inspect with the forward cache and the gradient check with a tiny relative error', async () => {
    const rec = new Recorder();
    const host = makeHost(rec);
    const run = await host.prepare({ config: config({ training: { epochs: 50 } }) });
    run.go('insp');
    await rec.ended('insp');
    const r = await host.inspect('insp', [0.5, -0.25]);
    expect(r.epoch).toBe(50);
    expect(r.layers.map((l) => [l.layer, l.activation, l.A_prev.length, l.Z.length, l.A.length])).toEqual([
      [1, 'relu', 2, 8, 8],
      [2, 'sigmoid', 8, 1, 1],
    ]);
    expect(r.layers[0]!.A_prev).toEqual([0.5, -0.25]);
    r.layers[0]!.Z.forEach((z, i) => expect(r.layers[0]!.A[i]).toBe(Math.max(0, z)));
    expect(r.layers[1]!.A_prev).toEqual(r.layers[0]!.A);
    expect(r.grads.map((g) => g.name)).toEqual(['dW1', 'db1', 'dW2', 'db2']);
    await expect(host.inspect('insp', [1, 2, 3])).rejects.toMatchObject({ code: 'invalid_config' });

    const g = await host.gradCheck('insp', { maxPerParam: 10, samples: 100 });
    expect(g.relativeError).toBeLessThan(1e-6);
    expect(g.perParam.map((p) => p.name)).toEqual(['W1', 'b1', 'W2', 'b2']);
  });

  it('close() ends runs still training as interrupted and lets every worker go', async () => {
    const rec = new Recorder();
    const host = makeHost(rec);
    const run = await host.prepare({ config: config({ training: { epochs: 1_000_000 } }) });
    run.go('live');
    await sleep(200);
    await host.close();
    expect(rec.ends.get('live')!.status).toBe('interrupted');
    expect(host.has('live')).toBe(false);
  });
});

/** A worker that does what the test says. */
class FakeWorker extends EventEmitter implements WorkerLike {
  sent: HostToWorker[] = [];
  terminated = false;
  postMessage(m: HostToWorker): void {
    this.sent.push(m);
  }
  reply(m: WorkerToHost): void {
    this.emit('message', m);
  }
  async terminate(): Promise<number> {
    this.terminated = true;
    return 0;
  }
}

describe('TrainerHost with a fake worker', () => {
  const ready: WorkerToHost = { type: 'ready', backend: { name: 'cpu', mode: 'js', precision: 'float64', reason: 'test' }, config: config(), totalEpochs: 10, features: 2, classes: 2, memoryBytes: 1000 };

  it('a worker that crashes mid-run fails its run with the reason, and pending requests fail too', async () => {
    const rec = new Recorder();
    const w = new FakeWorker();
    const host = makeHost(rec, { spawn: () => w });
    const p = host.prepare({ config: config() });
    w.reply(ready);
    const run = await p;
    run.go('crash');
    expect(w.sent).toEqual([{ type: 'go', paused: false }]);
    w.reply({ type: 'metrics', metrics: [{ epoch: 0, trainCost: 1, trainAccuracy: 0.5, testCost: null, testAccuracy: null, elapsedMs: 1 }] });
    const pending = host.pause('crash');
    w.emit('error', new Error('out of memory'));
    await expect(pending).rejects.toMatchObject({ code: 'internal' });
    expect(rec.ends.get('crash')).toMatchObject({ status: 'failed', epoch: 1, reason: expect.stringMatching(/crashed: out of memory/) });
    expect(host.has('crash')).toBe(false);
  });

  it('a metrics batch the listener cannot record fails the run instead of training on unrecorded', async () => {
    const rec = new Recorder();
    rec.failMetrics = true;
    const w = new FakeWorker();
    const host = makeHost(rec, { spawn: () => w });
    const p = host.prepare({ config: config() });
    w.reply(ready);
    (await p).go('nodisk');
    w.reply({ type: 'metrics', metrics: [{ epoch: 0, trainCost: 1, trainAccuracy: 0.5, testCost: null, testAccuracy: null, elapsedMs: 1 }] });
    expect(rec.ends.get('nodisk')).toMatchObject({ status: 'failed', reason: 'could not record metrics: disk full' });
    expect(w.terminated).toBe(true);
  });

  it('a worker that never answers a control command times out with an internal error', async () => {
    const rec = new Recorder();
    const w = new FakeWorker();
    const host = makeHost(rec, { spawn: () => w, replyTimeoutMs: 100 });
    const p = host.prepare({ config: config() });
    w.reply(ready);
    (await p).go('mute');
    await expect(host.pause('mute')).rejects.toMatchObject({ code: 'internal', message: expect.stringMatching(/did not answer pause/) });
  });

  it('an unknown run is not_found', async () => {
    const host = makeHost(new Recorder(), { spawn: () => new FakeWorker() });
    await expect(host.pause('nope')).rejects.toMatchObject({ code: 'not_found' });
    expect(host.state('nope')).toBeNull();
  });
});
