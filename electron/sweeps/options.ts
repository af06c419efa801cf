// `train`'s training options — the one table behind `backprop-lab train`'s flags (electron/cli/train.ts builds
// TRAIN_OPTIONS from it, adding the options of the command: --db, --json, …) and a sweep's keys (spec.ts: a key of
// base/grid/random is an option's name). Pure: no Node, no CLI import, so the sweep parser, the core and the CLI
// all read it without a cycle.

import { BACKEND_CHOICES, BUILTIN_KINDS, EARLY_STOP_METRICS, GENERATED_KINDS, INPUT_FEATURES, LOSSES, OPTIMIZERS, defaultConfig } from '../../engine/config';

/**
 * The datasets `train --dataset` names (`csv:PATH` is the other form): the generated ones (moons … gaussian, and
 * plane and multi-gaussian for regression), then scikit-learn's built-in iris, wine, breast_cancer, digits, diabetes.
 */
export const GENERATED_DATASETS = [...GENERATED_KINDS, ...BUILTIN_KINDS] as const;

/**
 * How a sweep may vary an option: `real` takes every distribution, `integer` takes `int` and `choice`,
 * `categorical` takes `choice` only (and grid lists, as every option does).
 */
export type OptionKind = 'real' | 'integer' | 'categorical';

/** One training option: its flag's name, how the usage shows it, the RunConfig field it sets, and how it varies. */
export interface TrainingOption {
  /** The flag without the dashes: 'lr' for --lr; a sweep's key. */
  name: string;
  /** The value's placeholder in the usage ('X', 'N', 'NAME'); '' for a flag that takes no value (--standardize). */
  metavar: string;
  help: string;
  /** The default as the usage shows it. */
  default: string;
  /** The RunConfig field, as resolveConfig names it in errors: 'training.learningRate'. */
  path: string;
  kind: OptionKind;
  /**
   * train reads it itself rather than setting `path` to the value (--arch reads a file or JSON, --dataset splits
   * csv:PATH, --label-column goes with the CSV).
   */
  own?: true;
}

const d = defaultConfig();
const GENERATED = GENERATED_DATASETS;

/** Every training option, in the order of `train`'s usage text (which a trial's argv follows too). */
export const TRAINING_OPTIONS: readonly TrainingOption[] = [
  { name: 'arch', metavar: 'FILE|JSON', help: 'layers in the seed format, a JSON file or inline: [{"input_dim":2,"output_dim":25,"activation":"relu"},…]', default: "the seed's 2-25-50-50-25-1, relu…sigmoid, fitted to the data", path: 'architecture', kind: 'categorical', own: true },
  { name: 'dataset', metavar: 'NAME', help: `${GENERATED.join('|')}|csv:PATH`, default: d.data.kind, path: 'data.kind', kind: 'categorical', own: true },
  { name: 'samples', metavar: 'N', help: 'samples to generate', default: String(d.data.samples), path: 'data.samples', kind: 'integer' },
  { name: 'noise', metavar: 'X', help: 'noise of the generated data', default: String(d.data.noise), path: 'data.noise', kind: 'real' },
  { name: 'factor', metavar: 'X', help: 'circles only: inner radius relative to the outer', default: String(d.data.factor), path: 'data.factor', kind: 'real' },
  { name: 'data-seed', metavar: 'N', help: 'random_state of the data generator', default: String(d.data.seed), path: 'data.seed', kind: 'integer' },
  { name: 'test-size', metavar: 'F', help: 'fraction held out as the test set (0: none)', default: String(d.data.testSize), path: 'data.testSize', kind: 'real' },
  { name: 'split-seed', metavar: 'N', help: 'random_state of the train/test split', default: String(d.data.splitSeed), path: 'data.splitSeed', kind: 'integer' },
  { name: 'standardize', metavar: '', help: 'StandardScaler fitted on the train split, applied to train and test', default: 'off', path: 'data.standardize', kind: 'categorical', own: true },
  { name: 'features', metavar: 'LIST', help: `2-D data: inputs computed from x1, x2, any of ${INPUT_FEATURES.join(',')} in that order`, default: 'the columns', path: 'data.features', kind: 'categorical', own: true },
  { name: 'label-column', metavar: 'NAME', help: 'csv only: the label column', default: 'the last column', path: 'data.csv.labelColumn', kind: 'categorical', own: true },
  { name: 'epochs', metavar: 'N', help: 'epochs to train (0: initialize only and report the cost at init)', default: String(d.training.epochs), path: 'training.epochs', kind: 'integer' },
  { name: 'lr', metavar: 'X', help: 'learning rate', default: String(d.training.learningRate), path: 'training.learningRate', kind: 'real' },
  { name: 'batch-size', metavar: 'N', help: 'mini-batch size, or "full"', default: 'full batch', path: 'training.batchSize', kind: 'integer' },
  { name: 'optimizer', metavar: 'NAME', help: OPTIMIZERS.join('|'), default: d.training.optimizer, path: 'training.optimizer', kind: 'categorical' },
  { name: 'momentum', metavar: 'X', help: "momentum's μ", default: String(d.training.momentum), path: 'training.momentum', kind: 'real' },
  { name: 'beta1', metavar: 'X', help: "adam's β1", default: String(d.training.beta1), path: 'training.beta1', kind: 'real' },
  { name: 'beta2', metavar: 'X', help: "adam's β2", default: String(d.training.beta2), path: 'training.beta2', kind: 'real' },
  { name: 'epsilon', metavar: 'X', help: "adam's ε", default: String(d.training.epsilon), path: 'training.epsilon', kind: 'real' },
  { name: 'l2', metavar: 'X', help: 'L2 penalty λ on the weights', default: String(d.training.l2), path: 'training.l2', kind: 'real' },
  { name: 'loss', metavar: 'NAME', help: `${LOSSES.join('|')} (auto: from the output activation)`, default: d.training.loss, path: 'training.loss', kind: 'categorical' },
  { name: 'shuffle-seed', metavar: 'N', help: 'seed of the mini-batch shuffle', default: String(d.training.shuffleSeed), path: 'training.shuffleSeed', kind: 'integer' },
  { name: 'lr-schedule', metavar: 'SPEC', help: 'constant|step:EVERY:GAMMA|exp:GAMMA|cosine[:MIN_LR], per epoch t of the epochs: lr·γ^⌊t/EVERY⌋, lr·γ^t, MIN + (lr − MIN)·(1 + cos(πt/E))/2', default: d.training.lrSchedule, path: 'training.lrSchedule', kind: 'categorical' },
  { name: 'warmup', metavar: 'N', help: 'epochs of linear warm-up, lr·(t+1)/N for t < N, then the schedule', default: String(d.training.warmup), path: 'training.warmup', kind: 'integer' },
  { name: 'early-stop', metavar: 'PATIENCE', help: 'stop when the metric has not improved by --min-delta for PATIENCE epochs, keeping the best epoch\'s weights (0: off)', default: String(d.training.earlyStop), path: 'training.earlyStop', kind: 'integer' },
  { name: 'early-stop-metric', metavar: 'NAME', help: `${EARLY_STOP_METRICS.join('|')} (auto: testCost when there is a test set, else the train cost)`, default: d.training.earlyStopMetric, path: 'training.earlyStopMetric', kind: 'categorical' },
  { name: 'min-delta', metavar: 'X', help: 'the least decrease of the early-stopping metric that counts as an improvement', default: String(d.training.minDelta), path: 'training.minDelta', kind: 'real' },
  { name: 'seed', metavar: 'N', help: 'seed of init_layers (np.random.seed)', default: String(d.init.seed), path: 'init.seed', kind: 'integer' },
  { name: 'init-scale', metavar: 'X', help: 'initial weights are randn·X', default: String(d.init.scale), path: 'init.scale', kind: 'real' },
  { name: 'backend', metavar: 'NAME', help: BACKEND_CHOICES.join('|'), default: d.backend, path: 'backend', kind: 'categorical' },
];
