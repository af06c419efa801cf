// A sweep spec → its trials, in a fixed order, and a trial → the `train` argv that runs it. Pure: the same spec
// gives the same trials on every run and every machine (the draws come from numpy's MT19937 with the spec's seed).
//
// Order and semantics:
//  - grid: the Cartesian product, keys in the spec's order, the LAST key varying fastest (itertools.product):
//    {"lr": [a, b], "seed": [1, 2]} → (a,1) (a,2) (b,1) (b,2).
//  - random: `trials` draws; draw i takes one value per key, keys in the spec's order, all from ONE generator
//    NumpyRandom(seed) — exactly numpy's `rs = np.random.RandomState(seed)` with, per key:
//      uniform [lo, hi]      rs.uniform(lo, hi)                         in [lo, hi)
//      log_uniform [lo, hi]  exp(rs.uniform(log(lo), log(hi)))          in [lo, hi] (clamped against rounding)
//      int [lo, hi]          rs.randint(lo, hi + 1)                     both bounds included
//      choice [v0, v1, …]    values[rs.randint(0, len)]
//    Draws never depend on the grid, and the first k draws are the same whatever `trials` is.
//  - both, "combine": "cross" (the default): each random draw crossed with the whole grid, draw-major: trial
//    d·|grid| + g is draw d with grid point g. So "random lr × grid seed" tries every drawn lr on every seed
//    (Ray Tune also repeats the grid per sample, but draws afresh for each grid point). trials × |grid| trials.
//  - both, "combine": "union": the grid's points first (they leave the random options at base), then the draws
//    (they leave the grid options at base). |grid| + trials trials; an option may be both listed and drawn.
//  - a trial's params override base; its options are base + params, in the option table's order.

import { NumpyRandom } from '../../engine/random';
import type { LayerSpec } from '../../engine/architecture';
import { SWEEP_OPTIONS, type Distribution, type OptionValue, type OptionValues, type SweepSpec } from './spec';

/** One trial: what it varies (params) and everything it passes to train (options = base + params). */
export interface Trial {
  /** 0, 1, 2, … in the order above. */
  index: number;
  /** The swept values only: grid keys then random keys, in the spec's order. */
  params: OptionValues;
  /** base merged with params, keys in the option table's (train's usage) order. */
  options: OptionValues;
}

/** How many trials the spec makes: |grid| × trials crossed (a missing part counts 1), |grid| + trials as a union. */
export function countTrials(spec: Pick<SweepSpec, 'grid' | 'trials' | 'combine'>): number {
  if (spec.combine === 'union') return (Object.keys(spec.grid).length ? gridSize(spec.grid) : 0) + (spec.trials ?? 0);
  return gridSize(spec.grid) * (spec.trials ?? 1);
}

/** The number of grid points: the product of the list lengths (1 for an empty grid). */
export function gridSize(grid: Record<string, readonly OptionValue[]>): number {
  return Object.values(grid).reduce((n, list) => n * list.length, 1);
}

/** The grid's points in order, the last key varying fastest. An empty grid has one empty point. */
export function gridPoints(grid: Record<string, readonly OptionValue[]>): OptionValues[] {
  const keys = Object.keys(grid);
  const total = gridSize(grid);
  const points: OptionValues[] = [];
  for (let i = 0; i < total; i++) {
    // i written in the mixed radix of the list lengths, the last key as the lowest digit
    const point: OptionValues = {};
    let rest = i;
    for (let k = keys.length - 1; k >= 0; k--) {
      const list = grid[keys[k]!]!;
      point[keys[k]!] = copy(list[rest % list.length]!);
      rest = Math.floor(rest / list.length);
    }
    points.push(reorder(point, keys));
  }
  return points;
}

/** `count` draws from the distributions with numpy's RandomState(seed); see the file's head for each rule. */
export function drawRandom(random: Record<string, Distribution>, count: number, seed: number): OptionValues[] {
  const rs = new NumpyRandom(seed);
  const keys = Object.keys(random);
  const draws: OptionValues[] = [];
  for (let i = 0; i < count; i++) {
    const draw: OptionValues = {};
    for (const key of keys) draw[key] = drawOne(rs, random[key]!);
    draws.push(draw);
  }
  return draws;
}

function drawOne(rs: NumpyRandom, d: Distribution): OptionValue {
  if ('uniform' in d) return rs.uniform(d.uniform[0], d.uniform[1]);
  if ('log_uniform' in d) {
    const [lo, hi] = d.log_uniform;
    // exp∘log can land an ulp outside the range; the range's bounds are what the spec checked
    return Math.min(hi, Math.max(lo, Math.exp(rs.uniform(Math.log(lo), Math.log(hi)))));
  }
  if ('int' in d) return rs.randint(d.int[0], d.int[1] + 1);
  return copy(d.choice[rs.randint(0, d.choice.length)]!);
}

/** Every trial of the spec, in order (see the file's head). */
export function generateTrials(spec: SweepSpec): Trial[] {
  const hasGrid = Object.keys(spec.grid).length > 0;
  const hasRandom = Object.keys(spec.random).length > 0;
  const points = gridPoints(spec.grid);
  const draws = hasRandom ? drawRandom(spec.random, spec.trials ?? 1, spec.seed) : [{}];
  const trials: Trial[] = [];
  const add = (params: OptionValues) => trials.push({ index: trials.length, params, options: mergeOptions(spec.base, params) });
  if (spec.combine === 'union' && hasGrid && hasRandom) {
    for (const point of points) add(point);
    for (const draw of draws) add(draw);
    return trials;
  }
  for (const draw of draws) for (const point of points) add({ ...point, ...draw });
  return trials;
}

/** base then params (params win), keys in the option table's order. */
export function mergeOptions(base: OptionValues, params: OptionValues): OptionValues {
  const merged: OptionValues = {};
  for (const { name } of SWEEP_OPTIONS) {
    if (name in params) merged[name] = copy(params[name]!);
    else if (name in base) merged[name] = copy(base[name]!);
  }
  return merged;
}

/**
 * The `train` arguments that run these options: ['--lr', '0.05', '--arch', '[{…}]', …] in the option table's
 * order. Numbers are written with String(), whose shortest round-trip form `train` reads back to the same double,
 * so the trial and `backprop-lab train ARGV` train the same configuration bit for bit. A value that starts with a
 * dash is written as --flag=value so it is not read as an option. The caller adds --db, --json, --name … itself.
 */
export function trialArgv(options: OptionValues): string[] {
  const argv: string[] = [];
  for (const { name } of SWEEP_OPTIONS) {
    if (!(name in options)) continue;
    const value = options[name]!;
    // a flag (--standardize): present for true, left out for false
    if (typeof value === 'boolean') {
      if (value) argv.push(`--${name}`);
      continue;
    }
    const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : JSON.stringify(value);
    if (text.startsWith('-')) argv.push(`--${name}=${text}`);
    else argv.push(`--${name}`, text);
  }
  return argv;
}

/** A short name for a trial's run: "lr=0.05 seed=1", numbers to 4 significant digits, an arch as its widths. */
export function trialLabel(params: OptionValues): string {
  const parts = Object.entries(params).map(([k, v]) => `${k}=${formatValue(v)}`);
  return parts.join(' ') || 'base';
}

function formatValue(v: OptionValue): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
  if (typeof v === 'string') return v;
  const arch = v as LayerSpec[];
  return arch.length ? [arch[0]!.input_dim, ...arch.map((l) => l.output_dim)].join('-') : '[]';
}

function reorder(values: OptionValues, keys: readonly string[]): OptionValues {
  const out: OptionValues = {};
  for (const k of keys) out[k] = values[k]!;
  return out;
}

function copy<T>(v: T): T {
  return v !== null && typeof v === 'object' ? (structuredClone(v) as T) : v;
}
