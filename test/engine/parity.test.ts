// The engine's float64 CPU path against numpy: the seed reference (../shared/reference, copied to
// test/fixtures/reference) and further numpy-trained cases (scripts/fixtures/make_training_fixtures.py).

import { describe, expect, it } from 'vitest';
import { resolveConfig, type OptimizerName, type LossName } from '../../engine/config';
import type { LayerSpec } from '../../engine/architecture';
import { cpuTrainer, fixture, referenceMoons, relErr, scaledError, splitFromArrays } from '../helpers/engine';
import { findNumpyPython, liveSeed, trainInNumpy } from '../helpers/numpy';

const flat = (v: number[] | number[][]) => (v as number[][]).flat();

describe('seed reference (2-25-50-50-25-1 on moons, seed 101, lr 0.01)', () => {
  it('initialises W and b bit for bit as init_layers(seed=101)', async () => {
    const t = await cpuTrainer(resolveConfig(), referenceMoons());
    const ref = fixture('reference/init_params.json').params;
    for (const p of t.params()) expect(Array.from(p.data)).toEqual(flat(ref[p.name]));
    // as the notebook prints it: W1[0] = [2.70684984e-01, 6.28132709e-02]
    expect(t.params()[0].data[0]).toBeCloseTo(0.270684984, 9);
    expect(t.params()[0].data[1]).toBeCloseTo(0.0628132709, 10);
  });

  it('reproduces epoch 0 (cost, Ŷ, every gradient) and the first update to 1e-12', async () => {
    const t = await cpuTrainer(resolveConfig({ training: { epochs: 1 } }), referenceMoons());
    const ref = fixture('reference/grads_epoch0.json');
    const m = t.step();
    expect(relErr(m.trainCost, ref.cost)).toBeLessThan(1e-14);
    expect(m.trainAccuracy).toBe(ref.accuracy);
    for (const g of t.grads()) expect(scaledError(g.data, flat(ref.grads[g.name])), g.name).toBeLessThan(1e-12);
    for (const p of t.params()) expect(scaledError(p.data, flat(ref.params_after_update[p.name])), p.name).toBeLessThan(1e-12);
  });

  it('reproduces the 10000-epoch cost history, final cost and accuracies', async () => {
    const t = await cpuTrainer(resolveConfig(), referenceMoons(), { evalTestEvery: 0 });
    const r = await t.run();
    const ref = fixture('reference/cost_history.json');
    expect(r.status).toBe('finished');
    expect(r.costHistory).toHaveLength(10000);
    ref.epochs.forEach((e: number, i: number) => expect(relErr(r.costHistory[e], ref.cost[i]), `epoch ${e}`).toBeLessThan(1e-12));
    ref.cost_first_10.forEach((c: number, e: number) => expect(relErr(r.costHistory[e], c)).toBeLessThan(1e-14));
    expect(relErr(r.finalCost, 0.07428642641970275)).toBeLessThan(1e-12);
    expect(r.trainAccuracy).toBeCloseTo(0.96889, 5);
    expect(r.testAccuracy).toBe(0.98);
    const fin = fixture('reference/final_params.json').params;
    for (const p of t.params()) expect(scaledError(p.data, flat(fin[p.name])), p.name).toBeLessThan(1e-10);
  }, 600_000);
});

interface Case {
  name: string;
  architecture: LayerSpec[];
  seed: number;
  loss: LossName;
  epochs: number;
  opt: { optimizer: OptimizerName; lr: number; l2: number; batch_size: number | null; shuffle_seed: number; momentum: number; beta1: number; beta2: number; epsilon: number };
  data_arrays: { X_train: number[][]; y_train: number[]; X_test: number[][]; y_test: number[] };
  history: { cost: number[]; accuracy: number[]; test_cost: number[]; test_accuracy: number[] };
  final: { cost: number; accuracy: number; test_cost: number; test_accuracy: number };
  first_grads: Record<string, number[][]>;
  params: Record<string, number[][]>;
}

function configOf(c: Case) {
  return resolveConfig({
    architecture: c.architecture,
    init: { seed: c.seed, scale: 0.1 },
    training: {
      epochs: c.epochs,
      learningRate: c.opt.lr,
      batchSize: c.opt.batch_size,
      optimizer: c.opt.optimizer,
      momentum: c.opt.momentum,
      beta1: c.opt.beta1,
      beta2: c.opt.beta2,
      epsilon: c.opt.epsilon,
      l2: c.opt.l2,
      shuffleSeed: c.opt.shuffle_seed,
      loss: c.loss,
    },
  });
}

/** Trains the engine on the case's exact data and compares every recorded figure. */
async function expectMatches(c: Case, tol: number) {
  const t = await cpuTrainer(configOf(c), splitFromArrays(c.data_arrays));
  const seen: { testCost: number | null; testAccuracy: number | null }[] = [];
  let first = true;
  const r = await t.run({
    onEpoch: (m) => {
      seen.push(m);
      if (first) {
        first = false;
        // with mini-batches these are the first batch's gradients, as numpy recorded them
        if (!c.opt.batch_size) for (const g of t.grads()) expect(scaledError(g.data, flat(c.first_grads[g.name])), g.name).toBeLessThan(tol);
      }
    },
  });
  expect(r.status).toBe('finished');
  c.history.cost.forEach((v, e) => expect(relErr(r.costHistory[e], v), `${c.name} epoch ${e}`).toBeLessThan(tol));
  c.history.test_cost.forEach((v, e) => expect(relErr(seen[e].testCost!, v), `${c.name} test epoch ${e}`).toBeLessThan(tol));
  expect(seen.map((s) => s.testAccuracy)).toEqual(c.history.test_accuracy);
  expect(relErr(r.finalCost, c.final.cost)).toBeLessThan(tol);
  expect(r.trainAccuracy).toBe(c.final.accuracy);
  expect(r.testAccuracy).toBe(c.final.test_accuracy);
  for (const p of t.params()) expect(scaledError(p.data, flat(c.params[p.name])), `${c.name} ${p.name}`).toBeLessThan(tol * 100);
}

const CASES = ['moons-relu-tanh-sgd', 'circles-softmax-adam-minibatch', 'moons-leaky-linear-mse-momentum-l2', 'moons-sigmoid-sgd-minibatch-l2'];

describe('other architectures, activations, costs and optimizers (numpy fixtures)', () => {
  for (const name of CASES) {
    it(`matches numpy on ${name} to 1e-12`, async () => {
      await expectMatches(fixture(`training/${name}.json`), 1e-12);
    }, 120_000);
  }
});

const py = findNumpyPython();
if (!py) console.warn('parity.test: no Python with numpy and scikit-learn found (apt-get install python3-numpy python3-sklearn); the live numpy cross-check is skipped, the committed numpy fixtures above still ran');

describe('live numpy cross-check', () => {
  it.runIf(py)('matches numpy trained right now on a configuration chosen by this test', async () => {
    // a configuration no fixture holds: chosen here, trained by numpy now and by the engine (every seed 1–1000 was
    // trained in numpy once and stays finite)
    const seed = liveSeed('live numpy cross-check');
    const acts = ['relu', 'tanh', 'leaky_relu', 'sigmoid'] as const;
    const a1 = acts[seed % 4], a2 = acts[(seed >> 2) % 4];
    const width = 3 + (seed % 9);
    const spec = {
      name: `live-${seed}`,
      data: { kind: seed % 2 ? 'moons' : 'circles', samples: 120 + (seed % 80), noise: 0.15, factor: 0.6, seed, testSize: 0.25, splitSeed: seed + 1 },
      architecture: [
        { input_dim: 2, output_dim: width, activation: a1 },
        { input_dim: width, output_dim: 5, activation: a2 },
        { input_dim: 5, output_dim: 1, activation: 'sigmoid' },
      ],
      seed: seed + 7,
      loss: 'binary_cross_entropy',
      epochs: 40,
      opt: { optimizer: ['sgd', 'momentum', 'adam'][seed % 3], lr: 0.05, l2: seed % 2 ? 0.001 : 0, batch_size: seed % 3 === 0 ? null : 16, shuffle_seed: seed, momentum: 0.9, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
    };
    await expectMatches(trainInNumpy(spec), 1e-11);
  }, 120_000);
});
