// The training loop's behaviour: metrics delivery, pause/resume/stop, divergence, inspection, thread switches.

import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../engine/config';
import { ParallelCpuBackend } from '../../engine/backends/parallel';
import { createTrainer, DivergenceError, type EpochMetrics } from '../../engine/train';
import { cost } from '../../engine/losses';
import { cpuTrainer, fixture, referenceMoons, relErr } from '../helpers/engine';

describe('training loop', () => {
  it('delivers train and test cost and accuracy of each epoch as it happens', async () => {
    const t = await cpuTrainer(resolveConfig({ training: { epochs: 25 } }), referenceMoons());
    const seen: EpochMetrics[] = [];
    const r = await t.run({ onEpoch: (m) => seen.push(m) });
    expect(seen.map((m) => m.epoch)).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(seen.map((m) => m.trainCost)).toEqual(r.costHistory);
    for (const m of seen) {
      expect(m.testCost).toBeGreaterThan(0);
      expect(m.testAccuracy).toBeGreaterThanOrEqual(0);
      expect(m.elapsedMs).toBeGreaterThanOrEqual(0);
    }
    const ref = fixture('reference/cost_history.json');
    ref.cost_first_10.forEach((c: number, e: number) => expect(relErr(seen[e].trainCost, c)).toBeLessThan(1e-14));
    ref.accuracy_first_10.forEach((a: number, e: number) => expect(seen[e].trainAccuracy).toBe(a));
  });

  it('with 0 epochs only initialises, and reports the cost at the initial parameters', async () => {
    const t = await cpuTrainer(resolveConfig({ training: { epochs: 0 } }), referenceMoons());
    const r = await t.run();
    expect(r.epochs).toBe(0);
    expect(r.costHistory).toEqual([]);
    expect(relErr(r.finalCost, fixture('reference/grads_epoch0.json').cost)).toBeLessThan(1e-14);
  });

  it('pauses, resumes and stops a running run', async () => {
    const t = await cpuTrainer(resolveConfig({ training: { epochs: 1_000_000 } }), referenceMoons());
    let pausedAt = -1;
    const seen: number[] = [];
    const running = t.run({
      yieldEveryMs: 1,
      onEpoch: (m) => {
        seen.push(m.epoch);
        if (m.epoch === 5) {
          t.pause();
          pausedAt = m.epoch;
        }
      },
    });
    await new Promise((r) => setTimeout(r, 150));
    // paused: no epoch ran while we waited
    expect(t.isPaused).toBe(true);
    expect(seen[seen.length - 1]).toBe(pausedAt);
    t.resume();
    await new Promise((r) => setTimeout(r, 100));
    expect(seen.length).toBeGreaterThan(pausedAt + 1);
    t.stop();
    const r = await running;
    expect(r.status).toBe('stopped');
    expect(r.reason).toMatch(/^stopped by the user at epoch \d+$/);
    expect(r.epochs).toBe(seen.length);
    expect(r.costHistory).toHaveLength(seen.length);
    // epochs are contiguous: none dropped or repeated across pause and resume
    expect(seen).toEqual(Array.from({ length: seen.length }, (_, i) => i));
  });

  it('stops a diverging run with the epoch and the reason', async () => {
    const t = await cpuTrainer(resolveConfig({ training: { epochs: 500, learningRate: 100 } }), referenceMoons());
    const r = await t.run();
    expect(r.status).toBe('diverged');
    // numpy's cost turns NaN at epoch 2 (0·log 0); the engine's cost stays finite but it sees the output saturate
    expect(r.reason).toMatch(/^diverged at epoch 2: the sigmoid output saturated at exactly 0 or 1 on \d+ wrongly classified train samples?, so the true cross-entropy is infinite; try a smaller learning rate$/);
    expect(r.epochs).toBe(2);
    expect(r.costHistory.every(Number.isFinite)).toBe(true);
  });

  it('names the layer whose activation blew up', async () => {
    const arch = [
      { input_dim: 2, output_dim: 4, activation: 'linear' as const },
      { input_dim: 4, output_dim: 1, activation: 'sigmoid' as const },
    ];
    const t = await cpuTrainer(resolveConfig({ architecture: arch, training: { epochs: 3 } }), referenceMoons());
    const p = t.params();
    p[0].data[0] = 1e308;
    p[0].data[2] = 1e308;
    t.net.setParams(p);
    let err: unknown;
    try {
      t.step();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DivergenceError);
    expect((err as DivergenceError).layer).toBe(1);
    expect((err as Error).message).toMatch(/^diverged at epoch 0: layer 1 \(linear\) output is (NaN|-?Infinity)/);
  });

  it('exposes the forward cache (A_prev, Z, A) of every layer for one input, as the notebook memory', async () => {
    const t = await cpuTrainer(resolveConfig({ training: { epochs: 0 } }), referenceMoons());
    const cache = t.inspect([1, 1]);
    expect(cache).toHaveLength(5);
    expect(cache[0].A_prev).toEqual([1, 1]);
    // the notebook prints memory['Z1'] for input [1, 1]: 0.25796572, 0.10653767, 0.04788267, -0.07215597 …
    expect(cache[0].Z.slice(0, 4).map((v) => Number(v.toFixed(8)))).toEqual([0.25796572, 0.10653767, 0.04788267, -0.07215597]);
    expect(cache[0].A[3]).toBe(0);
    for (let l = 1; l < 5; l++) expect(cache[l].A_prev).toEqual(cache[l - 1].A);
    expect(cache[4].A[0]).toBe(1 / (1 + Math.exp(-cache[4].Z[0])));
  });

  it('keeps binary cross-entropy finite where Ŷ is exactly 0 or 1', () => {
    const yhat = Float64Array.from([0, 1, 1, 0]);
    const y = Float64Array.from([1, 0, 1, 0]);
    const c = cost('binary_cross_entropy', yhat, y, 1, 4);
    expect(Number.isFinite(c)).toBe(true);
    expect(c).toBeGreaterThan(300);
    expect(cost('binary_cross_entropy', Float64Array.from([1, 0]), Float64Array.from([1, 0]), 1, 2)).toBe(0);
  });

  it('trains mini-batches with a seeded shuffle: the same seed gives the same run', async () => {
    const cfg = resolveConfig({ training: { epochs: 20, batchSize: 64, optimizer: 'adam', shuffleSeed: 3 } });
    const a = await (await cpuTrainer(cfg, referenceMoons())).run();
    const b = await (await cpuTrainer(cfg, referenceMoons())).run();
    const c = await (await cpuTrainer(resolveConfig({ training: { ...cfg.training, shuffleSeed: 4 } }), referenceMoons())).run();
    expect(a.costHistory).toEqual(b.costHistory);
    expect(a.costHistory).not.toEqual(c.costHistory);
    expect(a.finalCost).toBeLessThan(a.costHistory[0]);
  });

  it('refuses data that does not fit the network, naming the fix', async () => {
    const arch = [{ input_dim: 3, output_dim: 1, activation: 'sigmoid' as const }];
    await expect(cpuTrainer(resolveConfig({ architecture: arch }), referenceMoons())).rejects.toThrow(
      'layer 1 has input_dim 3 but the data has 2 features; set layer 1 input_dim to 2',
    );
    const three = [{ input_dim: 2, output_dim: 3, activation: 'softmax' as const }];
    await expect(cpuTrainer(resolveConfig({ architecture: three }), referenceMoons())).rejects.toThrow(
      'the output layer has 3 units but the data has 2 classes',
    );
    const lin = [{ input_dim: 2, output_dim: 1, activation: 'linear' as const }];
    await expect(cpuTrainer(resolveConfig({ architecture: lin, training: { loss: 'binary_cross_entropy' } }), referenceMoons())).rejects.toThrow(
      'binary_cross_entropy needs a sigmoid output layer',
    );
  });
});

describe('threads during a run', () => {
  it('moves a threaded run to one thread when its threads slow it down, records the switch with the run, and keeps numpy\'s bits', async () => {
    const B = await ParallelCpuBackend.create({ threads: 2 });
    // the threads "wait on each other" (as on a machine whose second core is taken): 2 ms per biasActivation on two
    // threads (every forward pass calls it, split into two blocks of samples or not)
    const biasActivation = B.biasActivation.bind(B);
    B.biasActivation = (z, bias, act, a) => {
      if (B.activeThreads > 1) for (const end = performance.now() + 2; performance.now() < end; );
      return biasActivation(z, bias, act, a);
    };
    try {
      const config = resolveConfig({ backend: 'cpu', training: { epochs: 400 } });
      const t = await createTrainer(config, {
        data: referenceMoons(),
        backend: { backend: B, info: { name: 'cpu', mode: B.mode, precision: 'float64', reason: 'auto: test' } },
        calibratedMsPerStep: 1,
      });
      const r = await t.run();
      expect(t.threadSwitches[0]).toMatchObject({ from: 2, to: 1 });
      expect(t.threads).toBe(1);
      expect(r.backend.reason).toMatch(/^auto: test; threads: 2 → 1 at epoch \d+ \([\d.]+ → [\d.]+ ms\/epoch\)$/);
      const ref = await (await cpuTrainer(config, referenceMoons())).run();
      expect(r.costHistory).toEqual(ref.costHistory);
    } finally {
      await B.dispose();
    }
  });
});
