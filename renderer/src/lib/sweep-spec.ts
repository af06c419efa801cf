// The sweep builder's model: the parameters a user picks (each a grid list or a random range), turned into the
// spec `sweeps.start` takes (electron/sweeps/spec.ts), with the design as `base`. Every problem names the field it
// is about, so Start can say what to fix; the host checks the spec again and its message is shown as well.
import type { LayerSpec, RunConfig } from '../api';
import { OPTIMIZERS } from '../../../engine/config';
import { setNeurons } from '../live/design';

/** A parameter the builder can vary: a `train` option, or the width of one hidden layer (sent as `arch`). */
export type ParamKey = 'lr' | 'seed' | 'optimizer' | 'batch-size' | 'l2' | 'momentum' | 'init-scale' | 'shuffle-seed' | `width:${number}`;
export type Mode = 'grid' | 'uniform' | 'log_uniform' | 'int' | 'choice';

export interface ParamRow {
  key: ParamKey;
  mode: Mode;
  /** grid and choice: comma-separated values. */
  values: string;
  low: string;
  high: string;
}

export interface AshaRow {
  enabled: boolean;
  metric: 'testCost' | 'cost' | 'testAccuracy' | 'trainAccuracy';
  minEpochs: string;
  reduction: string;
}

export interface SweepDraft {
  name: string;
  params: ParamRow[];
  trials: string;
  seed: string;
  parallel: string;
  asha: AshaRow;
}

type Kind = 'real' | 'integer' | 'categorical';
interface ParamDef {
  label: string;
  kind: Kind;
  /** Log axis and log_uniform by default (learning rates, penalties). */
  log?: boolean;
  /** The design's value, as the first default. */
  current: (c: RunConfig) => string;
  check: (v: number | string) => string | null;
}

const positive = (v: number | string) => (typeof v === 'number' && v > 0 ? null : 'must be a number > 0');
const nonNegative = (v: number | string) => (typeof v === 'number' && v >= 0 ? null : 'must be a number ≥ 0');
const seedCheck = (v: number | string) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff ? null : 'must be an integer from 0 to 4294967295');

const FIXED: Record<string, ParamDef> = {
  lr: { label: 'learning rate', kind: 'real', log: true, current: (c) => String(c.training.learningRate), check: positive },
  seed: { label: 'init seed', kind: 'integer', current: (c) => String(c.init.seed), check: seedCheck },
  optimizer: {
    label: 'optimizer',
    kind: 'categorical',
    current: (c) => c.training.optimizer,
    check: (v) => ((OPTIMIZERS as readonly string[]).includes(String(v)) ? null : `must be one of ${OPTIMIZERS.join(', ')}`),
  },
  'batch-size': {
    label: 'batch size',
    kind: 'integer',
    current: (c) => (c.training.batchSize === null ? 'full' : String(c.training.batchSize)),
    check: (v) => (v === 'full' || (typeof v === 'number' && Number.isInteger(v) && v >= 1) ? null : 'must be an integer ≥ 1 or "full"'),
  },
  l2: { label: 'L2 λ', kind: 'real', current: (c) => String(c.training.l2), check: nonNegative },
  momentum: { label: 'momentum', kind: 'real', current: (c) => String(c.training.momentum), check: (v) => (typeof v === 'number' && v >= 0 && v < 1 ? null : 'must be a number in [0, 1)') },
  'init-scale': { label: 'init scale', kind: 'real', current: (c) => String(c.init.scale), check: positive },
  'shuffle-seed': { label: 'shuffle seed', kind: 'integer', current: (c) => String(c.training.shuffleSeed), check: seedCheck },
};

/** Every parameter the design allows: the fixed options, and one width per hidden layer. */
export function paramChoices(config: RunConfig): Array<{ key: ParamKey; label: string }> {
  const widths = config.architecture.slice(0, -1).map((_, i) => ({ key: `width:${i}` as ParamKey, label: `width of layer ${i + 1}` }));
  return [...Object.entries(FIXED).map(([key, d]) => ({ key: key as ParamKey, label: d.label })), ...widths];
}

function def(key: ParamKey, config: RunConfig): ParamDef {
  if (key.startsWith('width:')) {
    const i = Number(key.slice(6));
    return {
      label: `width of layer ${i + 1}`,
      kind: 'integer',
      current: (c) => String(c.architecture[i]?.output_dim ?? 8),
      check: (v) => (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 4096 ? null : 'must be an integer from 1 to 4096'),
    };
  }
  void config;
  return FIXED[key]!;
}

export const paramLabel = (key: ParamKey, config: RunConfig) => def(key, config).label;

/** The modes a parameter takes: grid always; ranges by kind (a width is sent as an arch list, so grid or choice). */
export function modesFor(key: ParamKey, config: RunConfig): Mode[] {
  const d = def(key, config);
  if (key.startsWith('width:')) return ['grid', 'choice'];
  if (d.kind === 'categorical') return ['grid', 'choice'];
  if (d.kind === 'integer') return ['grid', 'int', 'choice'];
  return ['grid', 'uniform', 'log_uniform', 'choice'];
}

/** A new row for a parameter, with values around the design's own. */
export function newRow(key: ParamKey, config: RunConfig): ParamRow {
  const d = def(key, config);
  const cur = d.current(config);
  if (key === 'lr') return { key, mode: 'grid', values: '0.01, 0.1, 0.5', low: '0.0001', high: '1' };
  if (key === 'optimizer') return { key, mode: 'grid', values: 'sgd, adam', low: '', high: '' };
  if (key === 'seed' || key === 'shuffle-seed') return { key, mode: 'grid', values: '1, 2, 3', low: '0', high: '1000' };
  if (key === 'batch-size') return { key, mode: 'grid', values: '32, 64, full', low: '16', high: '128' };
  if (key.startsWith('width:')) {
    const n = Number(cur) || 8;
    return { key, mode: 'grid', values: [Math.max(1, Math.round(n / 2)), n, n * 2].filter((v, i, a) => a.indexOf(v) === i).join(', '), low: '', high: '' };
  }
  return { key, mode: d.log ? 'log_uniform' : 'grid', values: cur, low: '0', high: '1' };
}

/** The draft a new builder opens with: the learning rate on a grid, no early termination. */
export function initialDraft(config: RunConfig): SweepDraft {
  return {
    name: '',
    params: [newRow('lr', config)],
    trials: '10',
    seed: '0',
    parallel: '2',
    asha: { enabled: false, metric: config.data.testSize > 0 ? 'testCost' : 'cost', minEpochs: String(Math.max(1, Math.round(config.training.epochs / 10))), reduction: '3' },
  };
}

function parseValue(text: string, kind: Kind): number | string {
  const t = text.trim();
  if (kind === 'categorical' || t === 'full') return t;
  return t === '' ? NaN : Number(t);
}

/** The design's options as the spec's `base` (train's option names): every trial starts from the design. */
export function baseOptions(c: RunConfig, csvName: string | null): Record<string, unknown> {
  return {
    arch: c.architecture.map((l) => ({ ...l })),
    dataset: c.data.kind === 'csv' ? `csv:${csvName ?? c.data.csv?.path ?? 'data.csv'}` : c.data.kind,
    ...(c.data.kind !== 'csv' ? { samples: c.data.samples, noise: c.data.noise, factor: c.data.factor, 'data-seed': c.data.seed } : {}),
    ...(c.data.kind === 'csv' && c.data.csv?.labelColumn ? { 'label-column': c.data.csv.labelColumn } : {}),
    'test-size': c.data.testSize,
    'split-seed': c.data.splitSeed,
    epochs: c.training.epochs,
    lr: c.training.learningRate,
    'batch-size': c.training.batchSize === null ? 'full' : c.training.batchSize,
    optimizer: c.training.optimizer,
    momentum: c.training.momentum,
    beta1: c.training.beta1,
    beta2: c.training.beta2,
    epsilon: c.training.epsilon,
    l2: c.training.l2,
    loss: c.training.loss,
    'shuffle-seed': c.training.shuffleSeed,
    seed: c.init.seed,
    'init-scale': c.init.scale,
    // 'auto' is left out: trials training side by side then take the cpu backend (the host's rule for sweeps)
    ...(c.backend !== 'auto' ? { backend: c.backend } : {}),
  };
}

export interface BuiltSweep {
  /** Problems, each starting with the field it names ("lr values", "trials"); empty when the spec can start. */
  problems: string[];
  spec: Record<string, unknown> | null;
  /** Trials the spec makes (grid points × random draws), or null when it cannot be counted. */
  count: number | null;
  parallel: number;
}

const MAX_TRIALS = 10_000;

/** Turns the draft into a spec over the design; every problem names its field. */
export function buildSweep(draft: SweepDraft, config: RunConfig, csvName: string | null): BuiltSweep {
  const problems: string[] = [];
  const grid: Record<string, unknown[]> = {};
  const random: Record<string, unknown> = {};
  const widthGrid = new Map<number, number[]>();
  let widthChoice: Map<number, number[]> | null = null;
  const seen = new Set<string>();

  for (const row of draft.params) {
    const d = def(row.key, config);
    const field = d.label;
    if (seen.has(row.key)) {
      problems.push(`${field}: picked twice; remove one of the rows`);
      continue;
    }
    seen.add(row.key);
    const isWidth = row.key.startsWith('width:');
    if (row.mode === 'grid' || row.mode === 'choice') {
      const parts = row.values.split(',').map((s) => s.trim()).filter((s) => s !== '');
      if (parts.length === 0) {
        problems.push(`${field} values: list at least one value, separated by commas`);
        continue;
      }
      const values = parts.map((p) => parseValue(p, d.kind));
      const bad = values.map((v, i) => ({ v, i, why: typeof v === 'number' && Number.isNaN(v) ? 'is not a number' : d.check(v) })).find((x) => x.why);
      if (bad) {
        problems.push(`${field} values: "${parts[bad.i]}" ${bad.why}`);
        continue;
      }
      if (new Set(values.map(String)).size !== values.length) {
        problems.push(`${field} values: list each value once`);
        continue;
      }
      if (isWidth) {
        const layer = Number(row.key.slice(6));
        // 'arch' takes the place of the first width row, so the trials' parameters keep the builder's order
        if (row.mode === 'grid') widthGrid.set(layer, values as number[]), (grid['arch'] ??= []);
        else (widthChoice ??= new Map()).set(layer, values as number[]), (random['arch'] ??= null);
      } else if (row.mode === 'grid') grid[row.key] = values;
      else random[row.key] = { choice: values };
    } else {
      const low = Number(row.low.trim() === '' ? NaN : row.low);
      const high = Number(row.high.trim() === '' ? NaN : row.high);
      if (!Number.isFinite(low) || !Number.isFinite(high)) {
        problems.push(`${field} range: low and high must be numbers`);
        continue;
      }
      if (low >= high) {
        problems.push(`${field} range: low ${low} must be below high ${high}`);
        continue;
      }
      if (row.mode === 'log_uniform' && low <= 0) {
        problems.push(`${field} range: log-uniform needs low > 0`);
        continue;
      }
      if (row.mode === 'int' && !(Number.isInteger(low) && Number.isInteger(high))) {
        problems.push(`${field} range: int bounds must be integers`);
        continue;
      }
      const why = d.check(low) ?? d.check(high);
      if (why) {
        problems.push(`${field} range: ${why}`);
        continue;
      }
      random[row.key] = { [row.mode]: [low, high] };
    }
  }

  // widths travel as whole architectures: the grid's product of the widths, or a choice among them
  const archOf = (widths: Map<number, number>): LayerSpec[] => {
    let arch = config.architecture.map((l) => ({ ...l }));
    for (const [i, n] of widths) arch = setNeurons(arch, i, n);
    return arch;
  };
  const product = (m: Map<number, number[]>): LayerSpec[][] => {
    let combos: Array<Map<number, number>> = [new Map()];
    for (const [i, list] of m) combos = combos.flatMap((c) => list.map((n) => new Map([...c, [i, n]])));
    return combos.map(archOf);
  };
  if (widthGrid.size && widthChoice) {
    problems.push('layer widths: use grid for every width or choice for every width (they are sent as one arch list)');
    delete grid['arch'];
    delete random['arch'];
  }
  else if (widthGrid.size) grid['arch'] = product(widthGrid);
  else if (widthChoice) random['arch'] = { choice: product(widthChoice) };

  const hasGrid = Object.keys(grid).length > 0;
  const hasRandom = Object.keys(random).length > 0;
  if (draft.params.length === 0) problems.push('parameters: add at least one parameter to vary');

  let trials: number | null = null;
  if (hasRandom) {
    const t = Number(draft.trials);
    if (!Number.isInteger(t) || t < 1 || t > MAX_TRIALS) problems.push(`trials: the number of random draws must be an integer from 1 to ${MAX_TRIALS}`);
    else trials = t;
  }
  const seed = Number(draft.seed.trim() === '' ? 0 : draft.seed);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) problems.push('seed: the random draws’ seed must be an integer from 0 to 4294967295');
  const parallel = Number(draft.parallel);
  if (!Number.isInteger(parallel) || parallel < 1 || parallel > 256) problems.push('at once: trials training at once must be an integer from 1 to 256');

  const epochs = config.training.epochs;
  let asha: Record<string, unknown> | null = null;
  if (draft.asha.enabled) {
    const min = Number(draft.asha.minEpochs);
    const red = Number(draft.asha.reduction);
    const before = problems.length;
    if (!Number.isInteger(min) || min < 1) problems.push('min epochs: must be an integer ≥ 1');
    else if (min >= epochs) problems.push(`min epochs: ${min} must be below the design's epochs (${epochs}), or no trial can be stopped early`);
    if (!Number.isInteger(red) || red < 2) problems.push('reduction: must be an integer ≥ 2 (3 keeps the top third at each rung)');
    if ((draft.asha.metric === 'testCost' || draft.asha.metric === 'testAccuracy') && config.data.testSize === 0) {
      problems.push(`metric: ${draft.asha.metric} needs a test set; set the design's test size above 0 or rank by cost`);
    }
    if (problems.length === before) asha = { metric: draft.asha.metric, min_epochs: min, reduction: red };
  }

  const gridPoints = Object.values(grid).reduce((n, l) => n * l.length, 1);
  const count = gridPoints * (trials ?? 1);
  if (count > MAX_TRIALS) problems.push(`trials: the sweep would have ${count} trials; at most ${MAX_TRIALS}`);
  const countOk = hasGrid || trials !== null ? count : null;

  if (problems.length) return { problems, spec: null, count: countOk, parallel: Number.isInteger(parallel) ? parallel : 1 };
  const spec: Record<string, unknown> = {
    ...(draft.name.trim() ? { name: draft.name.trim().slice(0, 200) } : {}),
    base: baseOptions(config, csvName),
    ...(hasGrid ? { grid } : {}),
    ...(hasRandom ? { random, trials } : {}),
    seed,
    ...(asha ? { asha } : {}),
  };
  return { problems, spec, count, parallel };
}
