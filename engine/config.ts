// The run configuration: one JSON object that the UI edits, the CLI takes, the store saves
// and "export as notebook" turns into numpy. Defaults are the seed notebook's experiment.

import { SEED_ARCHITECTURE, validateArchitecture, type LayerSpec } from './architecture';
import { formatLrSchedule, parseLrSchedule } from './schedule';

export const DATASET_KINDS = [
  'moons', 'circles', 'xor', 'spiral', 'gaussian', 'plane', 'multi-gaussian',
  'iris', 'wine', 'breast_cancer', 'digits', 'diabetes', 'csv',
] as const;
export type DatasetKind = (typeof DATASET_KINDS)[number];
/** scikit-learn's toy datasets, built in (engine/datasets/builtin/): samples, noise and seed do not apply. */
export const BUILTIN_KINDS = ['iris', 'wine', 'breast_cancer', 'digits', 'diabetes'] as const;
/** The generated 2-D datasets (samples, noise and seed apply). */
export const GENERATED_KINDS = ['moons', 'circles', 'xor', 'spiral', 'gaussian', 'plane', 'multi-gaussian'] as const;
/** Datasets whose target is a real number: trained with a linear output and MSE; "accuracy" is R² for them. */
export const REGRESSION_KINDS = ['plane', 'multi-gaussian', 'diabetes'] as const;
export type Task = 'classification' | 'regression';
/** What a dataset's target is: class labels, or a real number (regression). */
export function taskOf(kind: DatasetKind): Task {
  return (REGRESSION_KINDS as readonly string[]).includes(kind) ? 'regression' : 'classification';
}
/** The TensorFlow Playground's input features of 2-D data (x1, x2 are its two columns), in their fixed order. */
export const INPUT_FEATURES = ['x1', 'x2', 'x1^2', 'x2^2', 'x1*x2', 'sin(x1)', 'sin(x2)'] as const;
export type InputFeature = (typeof INPUT_FEATURES)[number];
export const OPTIMIZERS = ['sgd', 'momentum', 'adam'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];
export const LOSSES = ['auto', 'binary_cross_entropy', 'mse', 'softmax_cross_entropy'] as const;
export type LossName = (typeof LOSSES)[number];
/** What early stopping watches: auto is testCost when there is a test set, else the train cost. */
export const EARLY_STOP_METRICS = ['auto', 'testCost', 'cost'] as const;
export type EarlyStopMetric = (typeof EARLY_STOP_METRICS)[number];
/** cpu: float64, the numpy-exact reference; cpu-f32: the same kernels in float32, about twice as fast, asked for by name only. */
export const BACKEND_CHOICES = ['auto', 'cpu', 'cpu-f32', 'gpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];
/** The most epochs one run may train: one cap for the dashboard, the command line and sweeps. */
export const MAX_EPOCHS = 100_000_000;

/** Where the samples come from and how they are split into train and test sets. */
export interface DataSpec {
  kind: DatasetKind;
  /** Number of generated samples (ignored for csv). */
  samples: number;
  /** Noise: the standard deviation of the Gaussian noise for moons and circles; a 0–1 level for the others. */
  noise: number;
  /** circles only: the inner circle's radius relative to the outer one. */
  factor: number;
  /** random_state of the generator. */
  seed: number;
  /** Fraction of samples held out, as train_test_split's test_size (0 means no test set). */
  testSize: number;
  /** random_state of train_test_split. */
  splitSeed: number;
  /** csv only: the file (for display and re-loading) and the label column's header name (default: the last column). */
  csv?: { path: string; labelColumn?: string };
  /** StandardScaler fitted on the train split and applied to both (before the features); absent means false. */
  standardize?: boolean;
  /**
   * The inputs computed from the two columns (x1, x2) of 2-D data, in INPUT_FEATURES' order; the first layer takes
   * that many. Absent: the data's own columns.
   */
  features?: InputFeature[];
}

export interface TrainingSpec {
  epochs: number;
  learningRate: number;
  /** null = full batch, as the seed notebook. */
  batchSize: number | null;
  optimizer: OptimizerName;
  /** momentum's μ */
  momentum: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** L2 penalty λ (adds λ/2·‖W‖² per sample-mean cost; biases are not decayed). */
  l2: number;
  /** Seed of the mini-batch shuffle. */
  shuffleSeed: number;
  loss: LossName;
  /** constant | step:EVERY:GAMMA | exp:GAMMA | cosine[:MIN_LR] (engine/schedule.ts), per epoch t of epochs. */
  lrSchedule: string;
  /** Epochs of linear warm-up: lr·(t+1)/warmup for t < warmup, then the schedule (0: none). */
  warmup: number;
  /** Early stopping's patience in epochs (0: off): stop when the metric has not improved by minDelta for this many. */
  earlyStop: number;
  earlyStopMetric: EarlyStopMetric;
  /** The least decrease of the metric that counts as an improvement. */
  minDelta: number;
}

export interface RunConfig {
  architecture: LayerSpec[];
  /** np.random.seed(seed); W, b = randn(...) · scale, as init_layers. */
  init: { seed: number; scale: number };
  data: DataSpec;
  training: TrainingSpec;
  backend: BackendChoice;
}

/**
 * A run's automatic name, "moons · lr 0.01 · sgd": what the run list calls a run nobody named. The store makes it
 * unique ("… #2", "… #3"; electron/store/store.ts), and the Design panel shows it as the name field's placeholder.
 */
export function autoRunName(c: Pick<RunConfig, 'data' | 'training'>): string {
  return `${c.data.kind} · lr ${c.training.learningRate} · ${c.training.optimizer}`;
}

/** The seed notebook's experiment (see ../shared/reference/README.md). */
/**
 * Whether a setting (a flattened path, as flattenConfig names it) means anything for a run with this configuration:
 * circles' factor only for circles, a generator's samples, noise and seed only for generated data, momentum's μ
 * only for momentum, Adam's β1, β2 and ε only for Adam, the shuffle seed only with mini-batches, the split seed only
 * with a test set, early stopping's metric and min delta only with early stopping on. Everything else applies.
 * The one rule for which settings a run shows: Compare's diff (electron/store/compare.ts) and the Runs table's
 * columns and detail pane (renderer/src/lib/run-settings.ts).
 */
export function settingApplies(config: RunConfig, path: string): boolean {
  const { data, training } = config;
  switch (path) {
    case 'data.samples':
    case 'data.noise':
    case 'data.seed':
      return (GENERATED_KINDS as readonly string[]).includes(data.kind);
    case 'data.factor':
      return data.kind === 'circles';
    case 'data.splitSeed':
      return data.testSize > 0;
    case 'training.momentum':
      return training.optimizer === 'momentum';
    case 'training.beta1':
    case 'training.beta2':
    case 'training.epsilon':
      return training.optimizer === 'adam';
    case 'training.shuffleSeed':
      return training.batchSize !== null;
    case 'training.earlyStopMetric':
    case 'training.minDelta':
      return training.earlyStop > 0;
    default:
      return true;
  }
}

export function defaultConfig(): RunConfig {
  return {
    architecture: SEED_ARCHITECTURE.map((l) => ({ ...l })),
    init: { seed: 101, scale: 0.1 },
    data: { kind: 'moons', samples: 1000, noise: 0.2, factor: 0.8, seed: 100, testSize: 0.1, splitSeed: 42 },
    training: {
      epochs: 10000,
      learningRate: 0.01,
      batchSize: null,
      optimizer: 'sgd',
      momentum: 0.9,
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-8,
      l2: 0,
      shuffleSeed: 0,
      loss: 'auto',
      lrSchedule: 'constant',
      warmup: 0,
      earlyStop: 0,
      earlyStopMetric: 'auto',
      minDelta: 0,
    },
    backend: 'auto',
  };
}

/** Thrown for a configuration value that cannot be used; the message names the field and the fix. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function num(path: string, v: unknown, check: (n: number) => boolean, want: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || !check(v)) {
    throw new ConfigError(`${path} must be ${want}, got ${JSON.stringify(v)}`);
  }
  return v;
}
const int = (path: string, v: unknown, min: number, max = Number.MAX_SAFE_INTEGER) =>
  num(path, v, (n) => Number.isInteger(n) && n >= min && n <= max, max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer from ${min} to ${max.toLocaleString('en-US')}`);
const seedInt = (path: string, v: unknown) =>
  num(path, v, (n) => Number.isInteger(n) && n >= 0 && n <= 0xffffffff, 'an integer from 0 to 4294967295 (numpy seeds are 32-bit)');
function oneOf<T extends string>(path: string, v: unknown, options: readonly T[]): T {
  if (typeof v !== 'string' || !(options as readonly string[]).includes(v)) {
    throw new ConfigError(`${path} must be one of ${options.join(', ')}, got ${JSON.stringify(v)}`);
  }
  return v as T;
}

function bool(path: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new ConfigError(`${path} must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

/** A feature list: known names, each once, at least one, in INPUT_FEATURES' order. */
export function featureList(path: string, list: unknown): InputFeature[] {
  if (!Array.isArray(list) || list.length === 0) {
    throw new ConfigError(`${path} must be a non-empty list of ${INPUT_FEATURES.join(', ')}, got ${JSON.stringify(list)}`);
  }
  let last = -1;
  for (const v of list) {
    const i = (INPUT_FEATURES as readonly unknown[]).indexOf(v);
    if (i < 0) throw new ConfigError(`${path}: unknown feature ${JSON.stringify(v)}; choose from ${INPUT_FEATURES.join(', ')}`);
    if (i === last) throw new ConfigError(`${path}: ${String(v)} is listed twice`);
    if (i < last) throw new ConfigError(`${path} must follow the order ${INPUT_FEATURES.join(', ')}; ${String(v)} comes before ${INPUT_FEATURES[last]}`);
    last = i;
  }
  return [...list] as InputFeature[];
}

/**
 * Fills a partial configuration with the defaults and checks every field.
 * The architecture goes through validateArchitecture, so its errors name the layer.
 */
export function resolveConfig(partial: DeepPartial<RunConfig> = {}): RunConfig {
  const d = defaultConfig();
  const p = partial ?? {};
  const data = { ...d.data, ...(p.data ?? {}) } as DataSpec;
  const training = { ...d.training, ...(p.training ?? {}) } as TrainingSpec;
  const init = { ...d.init, ...(p.init ?? {}) };
  const cfg: RunConfig = {
    architecture: validateArchitecture(p.architecture ?? d.architecture),
    init: { seed: seedInt('init.seed', init.seed), scale: num('init.scale', init.scale, (n) => n > 0, 'a positive number') },
    data: {
      kind: oneOf('data.kind', data.kind, DATASET_KINDS),
      samples: int('data.samples', data.samples, 2),
      noise: num('data.noise', data.noise, (n) => n >= 0, 'a number ≥ 0'),
      factor: num('data.factor', data.factor, (n) => n > 0 && n < 1, 'a number between 0 and 1 (exclusive)'),
      seed: seedInt('data.seed', data.seed),
      testSize: num('data.testSize', data.testSize, (n) => n >= 0 && n < 1, 'a fraction from 0 up to (not including) 1'),
      splitSeed: seedInt('data.splitSeed', data.splitSeed),
      ...(data.csv ? { csv: { ...data.csv } } : {}),
      ...(data.standardize === undefined || data.standardize === false ? {} : { standardize: bool('data.standardize', data.standardize) }),
      ...(data.features === undefined ? {} : { features: featureList('data.features', data.features) }),
    },
    training: {
      epochs: int('training.epochs', training.epochs, 0, MAX_EPOCHS),
      learningRate: num('training.learningRate', training.learningRate, (n) => n > 0, 'a positive number'),
      batchSize: training.batchSize === null ? null : int('training.batchSize', training.batchSize, 1),
      optimizer: oneOf('training.optimizer', training.optimizer, OPTIMIZERS),
      momentum: num('training.momentum', training.momentum, (n) => n >= 0 && n < 1, 'a number from 0 up to 1'),
      beta1: num('training.beta1', training.beta1, (n) => n >= 0 && n < 1, 'a number from 0 up to 1'),
      beta2: num('training.beta2', training.beta2, (n) => n >= 0 && n < 1, 'a number from 0 up to 1'),
      epsilon: num('training.epsilon', training.epsilon, (n) => n > 0, 'a positive number'),
      l2: num('training.l2', training.l2, (n) => n >= 0, 'a number ≥ 0'),
      shuffleSeed: seedInt('training.shuffleSeed', training.shuffleSeed),
      loss: oneOf('training.loss', training.loss, LOSSES),
      lrSchedule: formatLrSchedule(parseLrSchedule(training.lrSchedule)),
      warmup: int('training.warmup', training.warmup, 0, MAX_EPOCHS),
      earlyStop: int('training.earlyStop', training.earlyStop, 0, MAX_EPOCHS),
      earlyStopMetric: oneOf('training.earlyStopMetric', training.earlyStopMetric, EARLY_STOP_METRICS),
      minDelta: num('training.minDelta', training.minDelta, (n) => n >= 0, 'a number ≥ 0'),
    },
    backend: oneOf('backend', p.backend ?? d.backend, BACKEND_CHOICES),
  };
  if (cfg.data.features && cfg.data.kind !== 'csv' && !(GENERATED_KINDS as readonly string[]).includes(cfg.data.kind)) {
    throw new ConfigError(`data.features (x1, x2, x1^2, …) are computed from 2-D data, but ${cfg.data.kind} has more columns; drop data.features for it`);
  }
  if (cfg.data.kind === 'csv' && !cfg.data.csv?.path) {
    throw new ConfigError("data.csv.path is missing while data.kind is csv; give the CSV file's name");
  }
  return cfg;
}

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? (T[K] extends unknown[] ? T[K] : DeepPartial<T[K]>) : T[K] };
