// A sweep spec: the JSON a user writes (name, base, grid, random, trials, seed, asha), parsed and checked before
// any trial starts. Keys of base/grid/random are `train`'s own option names without the dashes, so a trial is
// `backprop-lab train` with the same options. Every problem is one line that names the key and the fix; all of
// them are reported at once.
//
// Validation is hand-written rather than zod: each message needs the key path, a "did you mean" and a fix
// specific to the option (zod's issues would have to be rewritten one by one to say that).

import { ArchitectureError, validateArchitecture, type LayerSpec } from '../../engine/architecture';
import { BACKEND_CHOICES, ConfigError, EARLY_STOP_METRICS, LOSSES, OPTIMIZERS, defaultConfig, featureList, resolveConfig, type DeepPartial, type RunConfig } from '../../engine/config';

import { parseLrSchedule } from '../../engine/schedule';
import { closest } from '../cli/args';
import { GENERATED_DATASETS, TRAINING_OPTIONS, type TrainingOption } from './options';

export { closest } from '../cli/args';
export { GENERATED_DATASETS, TRAINING_OPTIONS, type OptionKind, type TrainingOption } from './options';

/** One `train` option a sweep can set: its name without the dashes, the RunConfig field it sets, and its kind. */
export type SweepOption = Pick<TrainingOption, 'name' | 'path' | 'kind'>;

/**
 * `train`'s training options, in the order of its usage text: the one table (options.ts) that `train`'s
 * TRAIN_OPTIONS is built from too. The options of the command rather than of the training (--db, --json, …) are
 * not here; see NOT_SWEEPABLE.
 */
export const SWEEP_OPTIONS: readonly SweepOption[] = TRAINING_OPTIONS;

const OPTION_BY_NAME = new Map(SWEEP_OPTIONS.map((o) => [o.name, o]));

/** `train` options a sweep refuses, with the way out. */
export const NOT_SWEEPABLE: Readonly<Record<string, string>> = {
  'init-from': 'every trial starts from init_layers(seed), so that a worker on another machine needs no weights file; remove it',
  'from-run': "a sweep's base is its own configuration; copy the run's settings into base (backprop-lab runs show ID) and remove it",
  continue: 'every trial trains from init_layers(seed); continue a trial afterwards with backprop-lab train --continue ID; remove it',
  export: 'export a trial’s run once the sweep has finished (backprop-lab runs export); remove it',
  db: 'give the database to the sweep command (backprop-lab sweep SPEC --db PATH); remove it',
  name: 'trials are named from their parameters; name the sweep with the top-level "name" instead',
  tag: 'trials are linked to their sweep, which is how they are found; remove it',
  'no-record': 'every trial is recorded, linked to its sweep; remove it',
  json: 'it is an option of the command, not of the training; remove it',
  quiet: 'it is an option of the command, not of the training; remove it',
  help: 'it is an option of the command, not of the training; remove it',
  version: 'it is an option of the command, not of the training; remove it',
};

/** A value a trial gives one option: a number, a name ('adam', 'full', 'csv:data.csv'), true/false for a flag (standardize), feature names (features) or a list of layers (arch). */
export type OptionValue = number | string | boolean | string[] | LayerSpec[];

/** Option name → value, in the order given. */
export type OptionValues = Record<string, OptionValue>;

/** One `random` parameter. Bounds are inclusive for `int`; `uniform` and `log_uniform` draw from [low, high). */
export type Distribution =
  | { uniform: [number, number] }
  | { log_uniform: [number, number] }
  | { int: [number, number] }
  | { choice: OptionValue[] };

export const DISTRIBUTIONS = ['uniform', 'log_uniform', 'int', 'choice'] as const;
export type DistributionName = (typeof DISTRIBUTIONS)[number];

/** The metrics ASHA can rank trials by, and which way is better. */
export const ASHA_METRICS = { testCost: 'min', cost: 'min', testAccuracy: 'max', trainAccuracy: 'max' } as const;
export type AshaMetric = keyof typeof ASHA_METRICS;

/** Early termination by asynchronous successive halving (see asha.ts). */
export interface AshaSpec {
  metric: AshaMetric;
  /** The first rung: trials are compared once they have trained this many epochs. */
  minEpochs: number;
  /** η: rungs at minEpochs·η^k, and a trial goes on past a rung only while it is in the top 1/η there. */
  reduction: number;
  /** Every trial's epochs (base.epochs, or train's default): rungs lie strictly below it. */
  maxEpochs: number;
}

/** A checked sweep spec; absent parts are empty ({} / null) and defaults are filled in. */
export interface SweepSpec {
  name: string;
  /** Options every trial shares (a grid or random value of the same option overrides it). */
  base: OptionValues;
  /** Option → the values to try; the trials are the Cartesian product. {} when there is no grid. */
  grid: Record<string, OptionValue[]>;
  /** Option → its distribution. {} when nothing is drawn. */
  random: Record<string, Distribution>;
  /** How many random draws (null when there is no `random`). */
  trials: number | null;
  /**
   * How grid and random go together (trials.ts): 'cross' (default) runs each random draw with every grid point
   * (trials × |grid| trials; an option may not be in both); 'union' runs the grid's points and the random draws
   * as separate trials (|grid| + trials; an option may be in both, e.g. lr listed and drawn).
   */
  combine: Combine;
  /** Seed of the generator behind `random` (default 0). */
  seed: number;
  asha: AshaSpec | null;
}

export const COMBINES = ['cross', 'union'] as const;
export type Combine = (typeof COMBINES)[number];

/** The most trials one sweep may have (grid size × random draws). */
export const MAX_TRIALS = 10_000;
/** The default η, as W&B's hyperband and the ASHA paper's experiments use. */
export const DEFAULT_REDUCTION = 3;

const TOP_KEYS = ['name', 'base', 'grid', 'random', 'trials', 'seed', 'combine', 'asha'] as const;
const ASHA_KEYS = ['metric', 'min_epochs', 'reduction'] as const;

/** A spec that cannot be used: every problem, one line each, each naming the key and the fix. */
export class SweepSpecError extends Error {
  readonly code = 'BAD_SWEEP_SPEC';
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'SweepSpecError';
  }
}

/** Parses and checks a spec given as JSON text or as the parsed value. Throws SweepSpecError listing every problem. */
export function parseSweepSpec(input: unknown): SweepSpec {
  const r = checkSweepSpec(input);
  if (!r.ok) throw new SweepSpecError(r.problems);
  return r.spec;
}

/** parseSweepSpec without throwing: the spec, or every problem found. */
export function checkSweepSpec(input: unknown): { ok: true; spec: SweepSpec } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  const bad = (msg: string) => problems.push(msg);

  let raw = input;
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw);
    } catch (e) {
      return { ok: false, problems: [`the spec is not valid JSON (${(e as Error).message}); a spec is an object like {"base": {…}, "grid": {"lr": [0.01, 0.1]}}`] };
    }
  }
  if (!isObject(raw)) return { ok: false, problems: [`the spec must be a JSON object like {"base": {…}, "grid": {"lr": [0.01, 0.1]}}, got ${describe(raw)}`] };

  for (const key of Object.keys(raw)) {
    if ((TOP_KEYS as readonly string[]).includes(key)) continue;
    const near = closest(key, TOP_KEYS);
    const option = OPTION_BY_NAME.has(key) ? `; options go inside "base", "grid" or "random": {"base": {"${key}": …}}` : '';
    bad(`unknown key "${key}"${near ? ` (did you mean "${near}"?)` : ''}${option || `; a spec has ${TOP_KEYS.join(', ')}`}`);
  }

  // base: option → one value
  const base: OptionValues = {};
  if (raw.base !== undefined) {
    if (!isObject(raw.base)) bad(`base must be an object of train options, like {"epochs": 300, "dataset": "moons"}, got ${describe(raw.base)}`);
    else {
      for (const [key, value] of Object.entries(raw.base)) {
        const opt = optionOf(`base`, key, bad);
        if (!opt) continue;
        const problem = checkValue(opt, value);
        if (problem) bad(`base.${key}: ${problem}`);
        else base[key] = clone(value as OptionValue);
      }
    }
  }

  // grid: option → a non-empty list of distinct values
  const grid: Record<string, OptionValue[]> = {};
  if (raw.grid !== undefined) {
    if (!isObject(raw.grid)) bad(`grid must be an object of option → list of values, like {"lr": [0.01, 0.1]}, got ${describe(raw.grid)}`);
    else {
      for (const [key, values] of Object.entries(raw.grid)) {
        const opt = optionOf('grid', key, bad);
        if (!opt) continue;
        const list = checkList(`grid.${key}`, opt, values, bad, `{"grid": {"${key}": [${example(opt)}]}}`);
        if (list) grid[key] = list;
      }
    }
  }

  let combine: Combine = 'cross';
  if (raw.combine !== undefined) {
    if (typeof raw.combine !== 'string' || !(COMBINES as readonly string[]).includes(raw.combine)) {
      bad(`combine must be "cross" (each random draw with every grid point) or "union" (the grid's trials and the random draws side by side), got ${describe(raw.combine)}`);
    } else combine = raw.combine as Combine;
  }

  // random: option → one distribution
  const random: Record<string, Distribution> = {};
  if (raw.random !== undefined) {
    if (!isObject(raw.random)) bad(`random must be an object of option → distribution, like {"lr": {"log_uniform": [0.0001, 1]}}, got ${describe(raw.random)}`);
    else {
      for (const [key, dist] of Object.entries(raw.random)) {
        const opt = optionOf('random', key, bad);
        if (!opt) continue;
        if (key in grid && combine === 'cross') {
          bad(`random.${key}: ${key} is also in grid, and grid and random are crossed (each draw runs with every grid point); remove one, or set "combine": "union" to run the grid's trials and the random draws side by side`);
          continue;
        }
        const d = checkDistribution(`random.${key}`, opt, dist, bad);
        if (d) random[key] = d;
      }
    }
  }

  const hasGrid = raw.grid !== undefined;
  const hasRandom = raw.random !== undefined;
  if (!hasGrid && !hasRandom) bad('the spec varies nothing; add "grid" (values to try, e.g. {"lr": [0.01, 0.1]}) or "random" (distributions to draw from), or both');
  if (hasGrid && isObject(raw.grid) && Object.keys(raw.grid).length === 0) bad('grid is empty; list values to try, e.g. "grid": {"lr": [0.01, 0.1]}, or remove it');
  if (hasRandom && isObject(raw.random) && Object.keys(raw.random).length === 0) bad('random is empty; give distributions, e.g. "random": {"lr": {"log_uniform": [0.0001, 1]}}, or remove it');

  // trials: the number of random draws, only with random
  let trials: number | null = null;
  if (raw.trials !== undefined) {
    if (!hasRandom) bad('trials counts the draws of "random", which this spec does not have; remove trials (the grid alone sets the number of trials) or add random');
    else if (!isInt(raw.trials) || raw.trials < 1 || raw.trials > MAX_TRIALS) bad(`trials must be an integer from 1 to ${MAX_TRIALS}, got ${describe(raw.trials)}`);
    else trials = raw.trials;
  } else if (hasRandom) {
    bad('trials is missing: "random" needs the number of configurations to draw, e.g. "trials": 20');
  }

  let seed = 0;
  if (raw.seed !== undefined) {
    if (!isInt(raw.seed) || raw.seed < 0 || raw.seed > 0xffffffff) bad(`seed must be an integer from 0 to 4294967295 (the random draws' generator is numpy's MT19937), got ${describe(raw.seed)}`);
    else seed = raw.seed;
  }

  let name = '';
  if (raw.name !== undefined) {
    if (typeof raw.name !== 'string' || raw.name.trim() === '' || raw.name.trim().length > 200) bad(`name must be a text of 1 to 200 characters, got ${describe(raw.name)}`);
    else name = raw.name.trim();
  }
  if (!name) name = [...Object.keys(grid), ...Object.keys(random)].join(' × ') || 'sweep';

  // label-column only means something for a CSV dataset, as in train
  const labelSet = 'label-column' in base || 'label-column' in grid || 'label-column' in random;
  if (labelSet) {
    const datasets = possibleValues('dataset', { base, grid, random, combine }, defaultConfig().data.kind);
    const notCsv = datasets.find((v) => typeof v !== 'string' || !v.startsWith('csv:'));
    if (notCsv !== undefined) bad(`label-column is only for a CSV dataset, but dataset can be ${describe(notCsv)}; use "dataset": "csv:PATH" or remove label-column`);
  }

  const asha = raw.asha === undefined ? null : checkAsha(raw.asha, { base, grid, random, combine }, bad);

  const gridSize = Object.values(grid).reduce((n, list) => n * list.length, 1);
  const hasPoints = Object.keys(grid).length > 0;
  const total = combine === 'union' ? (hasPoints ? gridSize : 0) + (trials ?? 0) : gridSize * (trials ?? 1);
  if (total > MAX_TRIALS) {
    const parts = [hasPoints ? `grid ${gridSize}` : '', trials ? `${trials} random draws` : ''].filter(Boolean).join(combine === 'union' ? ' + ' : ' × ');
    bad(`the sweep has ${total} trials (${parts}); at most ${MAX_TRIALS}: list fewer values or draw fewer trials`);
  }

  if (problems.length) return { ok: false, problems };
  return { ok: true, spec: { name, base, grid, random, trials, combine, seed, asha } };
}

/** The spec as JSON again, with its defaults filled in: what the store keeps, and what parseSweepSpec reads back to the same spec. */
export function sweepSpecToJson(spec: SweepSpec): Record<string, unknown> {
  const out: Record<string, unknown> = { name: spec.name, base: clone(spec.base) };
  if (Object.keys(spec.grid).length) out.grid = clone(spec.grid);
  if (Object.keys(spec.random).length) {
    out.random = clone(spec.random);
    out.trials = spec.trials;
  }
  out.seed = spec.seed;
  out.combine = spec.combine;
  if (spec.asha) out.asha = { metric: spec.asha.metric, min_epochs: spec.asha.minEpochs, reduction: spec.asha.reduction };
  return out;
}

/**
 * A trial's options as the RunConfig fields they set, for resolveConfig (which fills the rest with train's
 * defaults). `dataset: "csv:PATH"` keeps PATH as written: the front end resolves it, as `train` does against its
 * working folder. Unknown names are ignored (the spec parser has refused them).
 */
export function optionsToConfig(options: OptionValues): DeepPartial<RunConfig> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(options)) {
    const opt = OPTION_BY_NAME.get(name);
    if (!opt) continue;
    if (name === 'dataset' && typeof value === 'string' && value.startsWith('csv:')) {
      setPath(out, 'data.kind', 'csv');
      setPath(out, 'data.csv.path', value.slice(4));
    } else if (name === 'batch-size') setPath(out, opt.path, value === 'full' ? null : value);
    else if (name === 'features' && typeof value === 'string') setPath(out, opt.path, value.split(',').map((f) => f.trim()));
    else setPath(out, opt.path, clone(value));
  }
  return out as DeepPartial<RunConfig>;
}

/** The option table's entry for a name ('lr'), or undefined. */
export function sweepOption(name: string): SweepOption | undefined {
  return OPTION_BY_NAME.get(name);
}

// ————— checks —————

function checkAsha(raw: unknown, parts: Parts, report: (m: string) => void): AshaSpec | null {
  const { base, grid, random } = parts;
  let found = 0;
  const bad = (m: string) => {
    found++;
    report(m);
  };
  if (!isObject(raw)) {
    bad(`asha must be an object like {"metric": "testCost", "min_epochs": 30, "reduction": 3}, got ${describe(raw)}`);
    return null;
  }
  for (const key of Object.keys(raw)) {
    if ((ASHA_KEYS as readonly string[]).includes(key)) continue;
    if (key === 'max_epochs') bad('asha.max_epochs: the last rung is set by the trials\' epochs; set "base": {"epochs": N} and remove asha.max_epochs');
    else {
      const near = closest(key, ASHA_KEYS);
      bad(`unknown key asha.${key}${near ? ` (did you mean "${near}"?)` : ''}; asha has ${ASHA_KEYS.join(', ')}`);
    }
  }
  const metrics = Object.keys(ASHA_METRICS);
  let metric: AshaMetric | null = null;
  if (raw.metric === undefined) bad(`asha.metric is missing: the metric trials are ranked by, one of ${metrics.join(', ')}`);
  else if (typeof raw.metric !== 'string' || !(raw.metric in ASHA_METRICS)) {
    const near = typeof raw.metric === 'string' ? closest(raw.metric, metrics) : null;
    bad(`asha.metric must be one of ${metrics.join(', ')}, got ${describe(raw.metric)}${near ? ` (did you mean "${near}"?)` : ''}`);
  } else metric = raw.metric as AshaMetric;

  let minEpochs: number | null = null;
  if (raw.min_epochs === undefined) bad('asha.min_epochs is missing: the epochs every trial trains before it can be stopped, e.g. "min_epochs": 30');
  else if (!isInt(raw.min_epochs) || raw.min_epochs < 1) bad(`asha.min_epochs must be an integer ≥ 1, got ${describe(raw.min_epochs)}`);
  else minEpochs = raw.min_epochs;

  let reduction = DEFAULT_REDUCTION;
  if (raw.reduction !== undefined) {
    if (!isInt(raw.reduction) || raw.reduction < 2) bad(`asha.reduction must be an integer ≥ 2 (3 keeps the top third at each rung), got ${describe(raw.reduction)}`);
    else reduction = raw.reduction;
  }

  // one epoch budget for every trial: rungs are defined against it
  let maxEpochs = defaultConfig().training.epochs;
  if ('epochs' in grid || 'epochs' in random) {
    bad(`asha needs the same epochs for every trial; move epochs from ${'epochs' in grid ? 'grid' : 'random'} to base ("base": {"epochs": N}) or remove asha`);
  } else if (typeof base.epochs === 'number') maxEpochs = base.epochs;
  if (minEpochs !== null && minEpochs >= maxEpochs) {
    bad(`asha.min_epochs ${minEpochs} must be below the trials' epochs ${maxEpochs}${'epochs' in base ? ' (base.epochs)' : " (train's default; set base.epochs)"}, or no trial can be stopped early; lower min_epochs`);
  }

  // a test metric needs a test set in every trial
  if (metric === 'testCost' || metric === 'testAccuracy') {
    const sizes = possibleValues('test-size', parts, defaultConfig().data.testSize);
    if (sizes.some((v) => v === 0)) bad(`asha.metric ${metric} needs a test set, but test-size can be 0; use "metric": "cost" or "trainAccuracy", or keep test-size above 0`);
  }
  if (found > 0 || metric === null || minEpochs === null) return null;
  return { metric, minEpochs, reduction, maxEpochs };
}

/** The key's option, or null after reporting an unknown or refused key with the way out. */
function optionOf(section: string, key: string, bad: (m: string) => void): SweepOption | null {
  const opt = OPTION_BY_NAME.get(key);
  if (opt) return opt;
  const bare = key.replace(/^-+/, '');
  if (bare !== key && OPTION_BY_NAME.has(bare)) {
    bad(`${section}: write the option without the dashes: "${bare}", not "${key}"`);
    return null;
  }
  if (bare in NOT_SWEEPABLE) {
    bad(`${section}.${key}: a sweep cannot set --${bare}: ${NOT_SWEEPABLE[bare]}`);
    return null;
  }
  const near = suggestOption(key);
  const names = near ? '' : ` (${SWEEP_OPTIONS.map((o) => o.name).join(', ')})`;
  bad(`unknown option ${section}.${key}${near ? ` (did you mean "${near}"?)` : ''}; keys are train's option names without the dashes${names}`);
  return null;
}

/** The option a mistyped key most likely means: by edit distance, or a RunConfig field's name ('learningRate' → 'lr'). */
function suggestOption(key: string): string | null {
  const names = SWEEP_OPTIONS.map((o) => o.name);
  const lower = key.toLowerCase().replace(/_/g, '-');
  if (OPTION_BY_NAME.has(lower)) return lower;
  const byField = SWEEP_OPTIONS.find((o) => {
    const leaf = o.path.split('.').pop()!;
    return leaf.toLowerCase() === key.toLowerCase().replace(/[-_]/g, '') && leaf !== 'seed' && leaf !== 'kind';
  });
  if (byField) return byField.name;
  if (/^(learning[-_]?rate|learningrate)$/i.test(key)) return 'lr';
  if (/^(layers|architecture)$/i.test(key)) return 'arch';
  return closest(key, names);
}

/** Why one value cannot be given to the option, or null when it can. */
export function checkValue(opt: SweepOption, value: unknown): string | null {
  switch (opt.name) {
    case 'arch':
      if (!Array.isArray(value)) return `must be a list of layers like [{"input_dim": 2, "output_dim": 25, "activation": "relu"}, …], got ${describe(value)}`;
      try {
        validateArchitecture(value);
        return null;
      } catch (e) {
        if (e instanceof ArchitectureError) return e.message;
        throw e;
      }
    case 'dataset':
      if (typeof value === 'string' && (GENERATED_DATASETS as readonly string[]).includes(value)) return null;
      if (typeof value === 'string' && value.startsWith('csv:') && value.length > 4) return null;
      return `must be one of ${GENERATED_DATASETS.join(', ')} or "csv:PATH", got ${describe(value)}`;
    case 'standardize':
      return typeof value === 'boolean' ? null : `must be true or false, got ${describe(value)}`;
    case 'features': {
      const list = typeof value === 'string' ? value.split(',').map((f) => f.trim()) : value;
      try {
        featureList('data.features', list);
        return null;
      } catch (e) {
        if (e instanceof ConfigError) return e.message.replace(/^data\.features:? /, '');
        throw e;
      }
    }
    case 'label-column':
      return typeof value === 'string' && value !== '' ? null : `must be the label column's header name, got ${describe(value)}`;
    case 'lr-schedule':
      if (typeof value !== 'string') return `must be constant, step:EVERY:GAMMA, exp:GAMMA or cosine[:MIN_LR], got ${describe(value)}`;
      try {
        parseLrSchedule(value, 'lr-schedule');
        return null;
      } catch (e) {
        if (e instanceof ConfigError) return e.message.replace(/^lr-schedule /, '');
        throw e;
      }
    case 'early-stop-metric':
      if (typeof value === 'string' && (EARLY_STOP_METRICS as readonly string[]).includes(value)) return null;
      return `must be one of ${EARLY_STOP_METRICS.join(', ')}, got ${describe(value)}`;
    case 'batch-size':
      if (value === 'full') return null;
      if (!isInt(value) || value < 1) return `must be an integer ≥ 1 or "full", got ${describe(value)}`;
      return null;
    case 'optimizer':
    case 'loss':
    case 'backend': {
      const options: readonly string[] = opt.name === 'optimizer' ? OPTIMIZERS : opt.name === 'loss' ? LOSSES : BACKEND_CHOICES;
      if (typeof value === 'string' && options.includes(value)) return null;
      const near = typeof value === 'string' ? closest(value, options) : null;
      return `must be one of ${options.join(', ')}, got ${describe(value)}${near ? ` (did you mean "${near}"?)` : ''}`;
    }
  }
  // a number: resolveConfig holds the ranges (one place for the dashboard, train and sweeps)
  if (typeof value !== 'number' || !Number.isFinite(value)) return `must be a number, got ${describe(value)}`;
  const partial: Record<string, unknown> = {};
  setPath(partial, opt.path, value);
  try {
    resolveConfig(partial as DeepPartial<RunConfig>);
    return null;
  } catch (e) {
    if (e instanceof ConfigError) return e.message.startsWith(opt.path + ' ') ? e.message.slice(opt.path.length + 1) : e.message;
    throw e;
  }
}

/** A non-empty list of valid, distinct values, or null after reporting what is wrong. */
function checkList(where: string, opt: SweepOption, values: unknown, bad: (m: string) => void, hint: string): OptionValue[] | null {
  if (!Array.isArray(values)) {
    bad(`${where} must be a list of values to try, like ${hint}, got ${describe(values)}`);
    return null;
  }
  if (values.length === 0) {
    bad(`${where} is an empty list; give at least one value, like ${hint}, or remove ${opt.name}`);
    return null;
  }
  let ok = true;
  const seen = new Map<string, number>();
  values.forEach((v, i) => {
    const problem = checkValue(opt, v);
    if (problem) {
      bad(`${where}[${i}]: ${problem}`);
      ok = false;
      return;
    }
    const k = JSON.stringify(v);
    const first = seen.get(k);
    if (first !== undefined) {
      bad(`${where}[${i}] repeats ${where}[${first}] (${short(k)}); list each value once`);
      ok = false;
    } else seen.set(k, i);
  });
  return ok ? values.map((v) => clone(v as OptionValue)) : null;
}

function checkDistribution(where: string, opt: SweepOption, raw: unknown, bad: (m: string) => void): Distribution | null {
  const forms = '{"uniform": [low, high]}, {"log_uniform": [low, high]}, {"int": [low, high]} or {"choice": [a, b, …]}';
  if (Array.isArray(raw)) {
    bad(`${where} must be a distribution, not a list; to pick from these values write {"choice": ${short(JSON.stringify(raw))}} (or move ${opt.name} to grid to try each)`);
    return null;
  }
  if (!isObject(raw)) {
    bad(`${where} must be a distribution: ${forms}; got ${describe(raw)}`);
    return null;
  }
  const keys = Object.keys(raw);
  if (keys.length !== 1) {
    bad(`${where} must have exactly one distribution (${DISTRIBUTIONS.join(', ')}), got ${keys.length ? keys.map((k) => `"${k}"`).join(', ') : 'none'}`);
    return null;
  }
  const kind = keys[0]!;
  const arg = raw[kind];
  if (!(DISTRIBUTIONS as readonly string[]).includes(kind)) {
    const near = closest(kind.toLowerCase(), DISTRIBUTIONS) ?? (/^values$/i.test(kind) ? 'choice' : null);
    bad(`${where}: unknown distribution "${kind}"${near ? ` (did you mean "${near}"?)` : ''}; use ${forms}`);
    return null;
  }
  if (kind === 'choice') {
    const list = checkList(`${where}.choice`, opt, arg, bad, `{"choice": [${example(opt)}]}`);
    return list ? { choice: list } : null;
  }
  // uniform, log_uniform, int: [low, high]
  if (opt.kind === 'categorical') {
    bad(`${where}: ${opt.name} takes names, not numbers; draw it with {"choice": [${example(opt)}]}`);
    return null;
  }
  if (opt.kind === 'integer' && kind !== 'int') {
    bad(`${where}: ${opt.name} takes integers; draw it with {"int": [low, high]} or {"choice": [${example(opt)}]}`);
    return null;
  }
  if (!Array.isArray(arg) || arg.length !== 2 || !arg.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    bad(`${where}.${kind} must be two numbers [low, high], got ${describe(arg)}`);
    return null;
  }
  const [low, high] = arg as [number, number];
  if (kind === 'int' && !(Number.isInteger(low) && Number.isInteger(high))) {
    bad(`${where}.int bounds must be integers (both are included), got [${low}, ${high}]`);
    return null;
  }
  if (kind === 'log_uniform' && (low <= 0 || high <= 0)) {
    bad(`${where}.log_uniform bounds must be > 0 (it draws the logarithm uniformly), got [${low}, ${high}]; use a small positive low such as ${low <= 0 ? '1e-5' : low} or a uniform distribution`);
    return null;
  }
  if (low > high) {
    bad(`${where}.${kind}: low ${low} is above high ${high}; write [${high}, ${low}]`);
    return null;
  }
  if (low === high) {
    bad(`${where}.${kind}: low and high are both ${low}, so nothing varies; put "${opt.name}": ${low} in base instead`);
    return null;
  }
  // the valid values of every numeric option form an interval, so checking the bounds checks every draw
  let ok = true;
  for (const [side, v] of [['low', low], ['high', high]] as const) {
    const problem = checkValue(opt, v);
    if (problem) {
      bad(`${where}.${kind} ${side} bound: ${opt.name} ${problem}; narrow the range`);
      ok = false;
    }
  }
  if (!ok) return null;
  return { [kind]: [low, high] } as Distribution;
}

/** Every value an option can take in some trial: its grid values, its range's bounds or choices, and base's
 *  value (or train's default) when some trial leaves it alone. */
function possibleValues(name: string, parts: Parts, fallback: OptionValue): OptionValue[] {
  const { base, grid, random, combine } = parts;
  const out: OptionValue[] = [];
  const inGrid = name in grid;
  const d = random[name];
  if (inGrid) out.push(...grid[name]!);
  if (d) out.push(...('choice' in d ? d.choice : (Object.values(d)[0] as number[])));
  const hasGrid = Object.keys(grid).length > 0;
  const hasRandom = Object.keys(random).length > 0;
  const baseUsed = combine === 'cross' ? !inGrid && !d : (hasGrid && !inGrid) || (hasRandom && !d) || (!hasGrid && !hasRandom);
  if (baseUsed) out.push(name in base ? base[name]! : fallback);
  return out;
}

/** The parsed parts a cross-option check looks at. */
interface Parts {
  base: OptionValues;
  grid: Record<string, OptionValue[]>;
  random: Record<string, Distribution>;
  combine: Combine;
}

// ————— small helpers —————

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

function clone<T>(v: T): T {
  return v !== null && typeof v === 'object' ? (structuredClone(v) as T) : v;
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = obj;
  for (const p of parts.slice(0, -1)) cur = (cur[p] ??= {}) as Record<string, unknown>;
  cur[parts[parts.length - 1]!] = value;
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return `a list ${short(JSON.stringify(v))}`;
  if (v !== null && typeof v === 'object') return `an object ${short(JSON.stringify(v))}`;
  return short(JSON.stringify(v) ?? String(v));
}

function short(text: string): string {
  return text.length > 60 ? text.slice(0, 57) + '…' : text;
}

/** An example value for the option's hints. */
function example(opt: SweepOption): string {
  switch (opt.name) {
    case 'optimizer':
      return '"sgd", "adam"';
    case 'dataset':
      return '"moons", "circles"';
    case 'batch-size':
      return '32, 64, "full"';
    case 'arch':
      return '[{"input_dim": 2, "output_dim": 1, "activation": "sigmoid"}]';
    case 'loss':
      return '"auto", "mse"';
    case 'backend':
      return '"cpu", "cpu-f32"';
    case 'label-column':
      return '"label"';
  }
  return opt.kind === 'integer' ? '1, 2, 3' : '0.01, 0.1';
}
