// Learning-rate schedules (with warm-up) and early stopping against numpy: the cases of
// scripts/fixtures/make_training_fixtures.py trained by numpy and by the engine on the same data, compared epoch by
// epoch (cost, test cost, accuracy, learning rate) and at the end (parameters, stoppedEarly, bestEpoch).

import { describe, expect, it } from 'vitest';
import type { LayerSpec } from '../../engine/architecture';
import { resolveConfig, type LossName, type OptimizerName } from '../../engine/config';
import { learningRateAt, parseLrSchedule } from '../../engine/schedule';
import type { EpochMetrics } from '../../engine/train';
import { cpuTrainer, fixture, relErr, splitFromArrays } from '../helpers/engine';

interface Case {
  name: string;
  architecture: LayerSpec[];
  seed: number;
  loss: LossName;
  epochs: number;
  opt: {
    optimizer: OptimizerName; lr: number; l2: number; batch_size: number | null; shuffle_seed: number; momentum: number; beta1: number; beta2: number; epsilon: number;
    lr_schedule?: string; warmup?: number; early_stop?: number; early_stop_metric?: 'test_cost' | 'cost'; min_delta?: number;
  };
  data_arrays: { X_train: number[][]; y_train: number[]; X_test: number[][]; y_test: number[] };
  history: { cost: number[]; accuracy: number[]; test_cost: number[]; test_accuracy: number[]; learning_rate?: number[] };
  final: { cost: number; accuracy: number; test_cost: number; test_accuracy: number };
  params: Record<string, number[][]>;
  stopped_early?: boolean;
  best_epoch?: number;
  epochs_trained?: number;
}

function configOf(c: Case) {
  const o = c.opt;
  return resolveConfig({
    architecture: c.architecture,
    init: { seed: c.seed, scale: 0.1 },
    training: {
      epochs: c.epochs, learningRate: o.lr, batchSize: o.batch_size, optimizer: o.optimizer, momentum: o.momentum, beta1: o.beta1, beta2: o.beta2,
      epsilon: o.epsilon, l2: o.l2, shuffleSeed: o.shuffle_seed, loss: c.loss,
      lrSchedule: o.lr_schedule ?? 'constant', warmup: o.warmup ?? 0,
      earlyStop: o.early_stop ?? 0, earlyStopMetric: o.early_stop_metric === 'test_cost' ? 'testCost' : (o.early_stop_metric ?? 'auto'), minDelta: o.min_delta ?? 0,
    },
  });
}

const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let d = 0;
  for (let i = 0; i < b.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
};

/** Trains the engine on the case's data; returns the largest absolute difference from numpy over every figure. */
async function compare(c: Case, tol: number): Promise<number> {
  const t = await cpuTrainer(configOf(c), splitFromArrays(c.data_arrays));
  const seen: EpochMetrics[] = [];
  const r = await t.run({ onEpoch: (m) => seen.push(m) });
  expect(r.status).toBe('finished');
  expect(r.epochs).toBe(c.history.cost.length);
  c.history.cost.forEach((v, e) => expect(relErr(seen[e].trainCost, v), `${c.name} epoch ${e}`).toBeLessThan(tol));
  c.history.test_cost.forEach((v, e) => expect(relErr(seen[e].testCost!, v), `${c.name} test epoch ${e}`).toBeLessThan(tol));
  expect(seen.map((s) => s.trainAccuracy)).toEqual(c.history.accuracy);
  expect(seen.map((s) => s.testAccuracy)).toEqual(c.history.test_accuracy);
  let diff = Math.max(maxAbs(seen.map((s) => s.trainCost), c.history.cost), maxAbs(seen.map((s) => s.testCost!), c.history.test_cost));
  if (c.history.learning_rate) {
    c.history.learning_rate.forEach((v, e) => expect(relErr(seen[e].learningRate!, v), `${c.name} lr epoch ${e}`).toBeLessThan(1e-15));
    diff = Math.max(diff, maxAbs(seen.map((s) => s.learningRate!), c.history.learning_rate));
  }
  expect(relErr(r.finalCost, c.final.cost)).toBeLessThan(tol);
  expect(relErr(r.testCost!, c.final.test_cost)).toBeLessThan(tol);
  expect(r.trainAccuracy).toBe(c.final.accuracy);
  expect(r.testAccuracy).toBe(c.final.test_accuracy);
  diff = Math.max(diff, Math.abs(r.finalCost - c.final.cost), Math.abs(r.testCost! - c.final.test_cost));
  for (const p of t.params()) {
    const want = c.params[p.name].flat();
    const d = maxAbs(p.data, want);
    expect(d, `${c.name} ${p.name}`).toBeLessThan(tol * 100);
    diff = Math.max(diff, d);
  }
  if (c.opt.early_stop) {
    expect(r.stoppedEarly).toBe(c.stopped_early);
    expect(r.bestEpoch).toBe(c.best_epoch);
    expect(r.epochs).toBe(c.epochs_trained);
    expect(r.reason).toMatch(/^stopped early at epoch \d+: (testCost|cost) did not improve by [\d.e-]+ for \d+ epochs; the weights are epoch \d+'s$/);
  } else {
    expect(r.stoppedEarly).toBeUndefined();
  }
  return diff;
}

const SCHEDULES = ['moons-sgd-step-warmup', 'circles-adam-minibatch-exp-warmup', 'moons-momentum-cosine-warmup', 'moons-sgd-minibatch-cosine-warmup'];
const EARLY = ['moons-adam-early-stop-test-cost', 'moons-momentum-minibatch-early-stop-cost'];

describe('learning-rate schedules with warm-up (numpy fixtures)', () => {
  for (const name of SCHEDULES) {
    it(`matches numpy on ${name} to 1e-12, every epoch's learning rate included`, async () => {
      const d = await compare(fixture(`training/${name}.json`), 1e-12);
      console.info(`${name}: max |engine − numpy| = ${d.toExponential(2)}`);
    }, 120_000);
  }

  it('gives each schedule its formula per epoch t of E', () => {
    const at = (s: string, warmup: number, t: number, E = 100) => learningRateAt(0.1, parseLrSchedule(s), warmup, t, E);
    expect(at('constant', 0, 7)).toBe(0.1);
    expect(at('step:10:0.5', 0, 9)).toBe(0.1);
    expect(at('step:10:0.5', 0, 10)).toBe(0.05);
    expect(at('exp:0.9', 0, 2)).toBe(0.1 * 0.9 ** 2);
    expect(at('cosine', 0, 0)).toBe(0.1);
    expect(at('cosine:0.01', 0, 50)).toBeCloseTo(0.055, 15);
    expect(at('cosine', 4, 0)).toBe(0.025);
    expect(at('cosine', 4, 3)).toBe(0.1);
  });

  it('refuses a schedule it cannot read, naming the value and the forms', () => {
    expect(() => parseLrSchedule('step:0:0.5')).toThrow('training.lrSchedule "step:0:0.5" needs EVERY, a whole number of epochs ≥ 1; use constant, step:EVERY:GAMMA, exp:GAMMA or cosine[:MIN_LR]');
    expect(() => parseLrSchedule('linear')).toThrow('training.lrSchedule "linear" is not a schedule; use constant');
    expect(() => resolveConfig({ training: { lrSchedule: 'exp:abc' } })).toThrow('training.lrSchedule "exp:abc" has GAMMA "abc", not a number');
  });
});

describe('early stopping (numpy fixtures)', () => {
  for (const name of EARLY) {
    it(`matches numpy on ${name}: the same stopping epoch, best epoch and restored weights, to 1e-12`, async () => {
      const c = fixture<Case>(`training/${name}.json`);
      expect(c.stopped_early).toBe(true);
      const d = await compare(c, 1e-12);
      console.info(`${name}: stopped after ${c.epochs_trained} of ${c.epochs} epochs, best epoch ${c.best_epoch}; max |engine − numpy| = ${d.toExponential(2)}`);
    }, 120_000);
  }

  it('restores the best epoch: the final train cost of a full-batch run is that epoch\'s cost', async () => {
    const c = fixture<Case>('training/moons-adam-early-stop-test-cost.json');
    const t = await cpuTrainer(configOf(c), splitFromArrays(c.data_arrays));
    const seen: EpochMetrics[] = [];
    const r = await t.run({ onEpoch: (m) => seen.push(m) });
    expect(r.finalCost).toBe(seen[r.bestEpoch!].trainCost);
    expect(r.testCost).toBe(seen[r.bestEpoch!].testCost);
  });
});

describe('early stopping on the last epoch', () => {
  it('says it stopped early when patience runs out on the very last epoch, whose weights it did not keep', async () => {
    const c = fixture<Case>('training/moons-adam-early-stop-test-cost.json');
    // numpy stopped after epochs_trained epochs: give the run exactly that many
    const cfg = configOf({ ...c, epochs: c.epochs_trained! });
    const t = await cpuTrainer(cfg, splitFromArrays(c.data_arrays));
    const r = await t.run();
    expect(r.epochs).toBe(c.epochs_trained);
    expect(r.stoppedEarly).toBe(true);
    expect(r.bestEpoch).toBe(c.best_epoch);
    expect(relErr(r.finalCost, c.final.cost)).toBeLessThan(1e-12);
  });
});
