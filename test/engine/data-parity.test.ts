// Training on the built-in datasets (standardized), regression (R² in accuracy's place) and Playground's input
// features against numpy: scripts/fixtures/make_training_fixtures.py trains the same configuration on the data
// scikit-learn loads and numpy prepares; the engine loads the data itself (loadData), which must equal numpy's, and
// must give numpy's cost, R²/accuracy history and final weights to 1e-12.

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { LayerSpec } from '../../engine/architecture';
import { resolveConfig, type DataSpec, type LossName, type OptimizerName } from '../../engine/config';
import { loadData, type Samples } from '../../engine/datasets/index';
import { cpuTrainer, fixture, relErr, scaledError } from '../helpers/engine';
import { findNumpyPython, liveSeed, trainInNumpy } from '../helpers/numpy';

interface Case {
  name: string;
  task?: 'regression';
  data: Partial<DataSpec>;
  architecture: LayerSpec[];
  seed: number;
  loss: LossName;
  epochs: number;
  opt: { optimizer: OptimizerName; lr: number; l2: number; batch_size: number | null; shuffle_seed: number; momentum: number; beta1: number; beta2: number; epsilon: number };
  data_arrays?: { X_train: number[][]; y_train: number[]; X_test: number[][]; y_test: number[] };
  data_sha256?: { X_train: string; y_train: string; X_test: string; y_test: string };
  history: { cost: number[]; accuracy: number[]; test_cost: number[]; test_accuracy: number[] };
  final: { cost: number; accuracy: number; test_cost: number; test_accuracy: number };
  params: Record<string, number[][]>;
}

const sha = (a: Float64Array) => {
  const bytes = new Uint8Array(a.length * 8);
  const v = new DataView(bytes.buffer);
  a.forEach((x, i) => v.setFloat64(8 * i, x, true));
  return createHash('sha256').update(bytes).digest('hex');
};
const same = (s: Samples, X: number[][], y: number[]) => {
  expect(s.n).toBe(y.length);
  expect(Array.from(s.X)).toEqual(X.flat());
  expect(Array.from(s.y)).toEqual(y);
};

function configOf(c: Case) {
  return resolveConfig({
    architecture: c.architecture,
    init: { seed: c.seed, scale: 0.1 },
    data: c.data,
    training: {
      epochs: c.epochs, learningRate: c.opt.lr, batchSize: c.opt.batch_size, optimizer: c.opt.optimizer, momentum: c.opt.momentum,
      beta1: c.opt.beta1, beta2: c.opt.beta2, epsilon: c.opt.epsilon, l2: c.opt.l2, shuffleSeed: c.opt.shuffle_seed, loss: c.loss,
    },
  });
}

const CASES = [
  'iris-softmax-standardize-adam',
  'digits-softmax-standardize-minibatch',
  'diabetes-linear-mse-adam',
  'plane-linear-mse-minibatch',
  'multi-gaussian-features-adam',
  'circles-squares-one-sigmoid',
];

describe('built-in data, regression and input features train as numpy does (fixtures)', () => {
  for (const name of CASES) {
    it(`${name}: the engine's own data equals numpy's, and training matches to 1e-12`, async () => {
      await expectMatches(fixture<Case>(`training/${name}.json`), 1e-12);
    }, 120_000);
  }

  it('a single sigmoid unit on x1² and x2² separates circles (accuracy ≥ 0.99)', () => {
    const c = fixture<Case>('training/circles-squares-one-sigmoid.json');
    expect(c.architecture).toEqual([{ input_dim: 2, output_dim: 1, activation: 'sigmoid' }]);
    expect(c.final.accuracy).toBeGreaterThanOrEqual(0.99);
    expect(c.final.test_accuracy).toBeGreaterThanOrEqual(0.99);
  });
});

/** The engine loads the case's data itself (equal to numpy's) and trains it: every recorded figure within tol. */
async function expectMatches(c: Case, tol: number) {
  const config = configOf(c);
  const data = loadData(config.data);
  if (c.data_arrays) {
    same(data.train, c.data_arrays.X_train, c.data_arrays.y_train);
    same(data.test, c.data_arrays.X_test, c.data_arrays.y_test);
  } else {
    expect([sha(data.train.X), sha(data.train.y), sha(data.test.X), sha(data.test.y)]).toEqual([c.data_sha256!.X_train, c.data_sha256!.y_train, c.data_sha256!.X_test, c.data_sha256!.y_test]);
  }
  expect(data.task ?? 'classification').toBe(c.task ?? 'classification');
  const t = await cpuTrainer(config, data);
  const seen: { testCost: number | null; testAccuracy: number | null; trainAccuracy: number }[] = [];
  const r = await t.run({ onEpoch: (m) => seen.push(m) });
  expect(r.status).toBe('finished');
  c.history.cost.forEach((v, e) => expect(relErr(r.costHistory[e]!, v), `epoch ${e}`).toBeLessThan(tol));
  c.history.test_cost.forEach((v, e) => expect(relErr(seen[e]!.testCost!, v), `test epoch ${e}`).toBeLessThan(tol));
  if (c.task === 'regression') {
    // R² in the accuracy fields, as numpy's 1 − SSE/SST
    c.history.accuracy.forEach((v, e) => expect(Math.abs(seen[e]!.trainAccuracy - v), `R² epoch ${e}`).toBeLessThan(tol));
    c.history.test_accuracy.forEach((v, e) => expect(Math.abs(seen[e]!.testAccuracy! - v), `test R² epoch ${e}`).toBeLessThan(tol));
    expect(Math.abs(r.trainAccuracy - c.final.accuracy)).toBeLessThan(tol);
    expect(Math.abs(r.testAccuracy! - c.final.test_accuracy)).toBeLessThan(tol);
  } else {
    expect(seen.map((s) => s.trainAccuracy)).toEqual(c.history.accuracy);
    expect(seen.map((s) => s.testAccuracy)).toEqual(c.history.test_accuracy);
    expect(r.trainAccuracy).toBe(c.final.accuracy);
    expect(r.testAccuracy).toBe(c.final.test_accuracy);
  }
  expect(relErr(r.finalCost, c.final.cost)).toBeLessThan(tol);
  for (const p of t.params()) expect(scaledError(p.data, (c.params[p.name] as number[][]).flat()), p.name).toBeLessThan(tol * 100);
}

const py = findNumpyPython();
describe.runIf(py)('live numpy cross-check on the new data', () => {
  it('matches numpy trained right now on a built-in, regression or feature configuration chosen by this test', async () => {
    const seed = liveSeed('live numpy cross-check on the new data');
    // Every seed 1–1000 of these was trained in numpy and stays finite. Breast cancer is a two-unit softmax: as one
    // sigmoid, adam drove outputs to exactly 1 on 42 seeds, where numpy's log(0) gives NaN and the engine's cost
    // stays finite. The unstandardized plane (x1·x2 up to ~36) takes lr 0.01: at 0.05 sgd diverged on some seeds.
    const kinds = [
      { data: { kind: 'iris', testSize: 0.3, splitSeed: seed, standardize: true }, out: 3 },
      { data: { kind: 'wine', testSize: 0.2, splitSeed: seed, standardize: true }, out: 3 },
      { data: { kind: 'breast_cancer', testSize: 0.2, splitSeed: seed, standardize: true }, out: 2 },
      { data: { kind: 'plane', samples: 150, noise: 0.3, seed, testSize: 0.2, splitSeed: seed, features: ['x1', 'x2', 'x1*x2'] }, out: 0, lr: 0.01 },
      { data: { kind: 'multi-gaussian', samples: 150, noise: 0.1, seed, testSize: 0.2, splitSeed: seed, standardize: true, features: ['x1^2', 'x2^2', 'sin(x1)', 'sin(x2)'] }, out: 0 },
    ] as const;
    const pick = kinds[seed % kinds.length]!;
    const inputs = loadData(resolveConfig({ data: pick.data as Partial<DataSpec> }).data).features;
    const regression = pick.out === 0;
    const outputs = regression ? 1 : pick.out;
    const spec = {
      name: `live-${seed}`,
      ...(regression ? { task: 'regression' } : {}),
      data: pick.data,
      architecture: [
        { input_dim: inputs, output_dim: 5, activation: ['relu', 'tanh', 'leaky_relu'][seed % 3] },
        { input_dim: 5, output_dim: outputs, activation: regression ? 'linear' : outputs === 1 ? 'sigmoid' : 'softmax' },
      ],
      seed: seed + 7,
      loss: regression ? 'mse' : outputs === 1 ? 'binary_cross_entropy' : 'softmax_cross_entropy',
      epochs: 30,
      opt: { optimizer: ['sgd', 'momentum', 'adam'][seed % 3], lr: 'lr' in pick ? pick.lr : 0.05, l2: 0, batch_size: seed % 2 ? null : 16, shuffle_seed: seed, momentum: 0.9, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
    };
    // Adam on mini-batches amplifies float64 rounding (numpy's sums run in another order than the engine's): over every
    // seed this test can pick (1–1000), measured on 2026-12-03, those runs' worst relative error was 5.0e-10 (seed
    // 872: breast cancer, leaky ReLU, batches of 16; two more over 1e-11, seeds 662 and 692), every other
    // configuration's 3.7e-13.
    const tol = spec.opt.optimizer === 'adam' && spec.opt.batch_size !== null ? 1e-9 : 1e-11;
    await expectMatches(trainInNumpy<Case>(spec), tol);
  }, 120_000);

  it('a configuration numpy cannot compare is refused by name, with the reason, not as broken JSON', () => {
    // the choice the live check made until 2026-12-02 for seed 2: one sigmoid on breast cancer, adam, batches of 16
    const spec = {
      name: 'saturating-sigmoid',
      data: { kind: 'breast_cancer', testSize: 0.2, splitSeed: 2, standardize: true },
      architecture: [{ input_dim: 30, output_dim: 5, activation: 'leaky_relu' }, { input_dim: 5, output_dim: 1, activation: 'sigmoid' }],
      seed: 9,
      loss: 'binary_cross_entropy',
      epochs: 30,
      opt: { optimizer: 'adam', lr: 0.05, l2: 0, batch_size: 16, shuffle_seed: 2, momentum: 0.9, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
    };
    expect(() => trainInNumpy(spec)).toThrow(/^numpy could not train saturating-sigmoid: numpy's cost is not finite from epoch \d+ \(the training diverged, or an output saturated at exactly 0 or 1\)/);
  }, 120_000);
});
