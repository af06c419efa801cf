// A run's settings as people read them: one table of every setting (label, where it sits in the configuration,
// whether it means anything for this run), used by the runs table's columns and the run detail pane. Also the
// runs table's grouping (by sweep or by tag) and its remembered choices.
import { describeLayers, layerWidths, parameterCount } from '../../../engine/architecture';
import { settingApplies, taskOf, type DatasetKind, type RunConfig } from '../../../engine/config';
import type { RunSummary } from '../api';

export type SettingGroup = 'Network' | 'Training' | 'Data' | 'Backend';

/**
 * One setting: `value` is what sorting compares (settingValue: null where it means nothing for the run, momentum on
 * Adam, by engine/config.ts settingApplies, the rule Compare's diff uses too).
 */
export interface Setting {
  key: string;
  label: string;
  group: SettingGroup;
  /** A number: right-aligned in the table, sorted highest first on the first click. */
  num?: boolean;
  /** The configuration path it reads ("training.learningRate"), for tooltips. */
  path: string;
  value(c: RunConfig): string | number | null;
  /** How it reads in the table (default: the value as text). */
  text?(c: RunConfig): string;
  /** How it reads in the detail pane, when longer than in the table (the architecture with its activations). */
  long?(c: RunConfig): string;
}

const num = (v: number) => (Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6))));
const onOff = (b: boolean | undefined) => (b ? 'on' : 'off');

/** Every setting of a run configuration, in the order the detail pane lists them. */
export const SETTINGS: readonly Setting[] = [
  { key: 'architecture', label: 'Architecture', group: 'Network', path: 'architecture', value: (c) => layerWidths(c.architecture), long: (c) => describeLayers(c.architecture) },
  { key: 'parameters', label: 'Parameters', group: 'Network', num: true, path: 'architecture', value: (c) => parameterCount(c.architecture), text: (c) => parameterCount(c.architecture).toLocaleString('en-US') },
  { key: 'initSeed', label: 'Init seed', group: 'Network', num: true, path: 'init.seed', value: (c) => c.init.seed },
  { key: 'initScale', label: 'Init scale', group: 'Network', num: true, path: 'init.scale', value: (c) => c.init.scale },

  { key: 'optimizer', label: 'Optimizer', group: 'Training', path: 'training.optimizer', value: (c) => c.training.optimizer },
  { key: 'learningRate', label: 'Learning rate', group: 'Training', num: true, path: 'training.learningRate', value: (c) => c.training.learningRate },
  { key: 'lrSchedule', label: 'LR schedule', group: 'Training', path: 'training.lrSchedule', value: (c) => c.training.lrSchedule },
  { key: 'warmup', label: 'Warm-up', group: 'Training', num: true, path: 'training.warmup', value: (c) => (c.training.warmup > 0 ? c.training.warmup : null) },
  { key: 'epochs', label: 'Epochs', group: 'Training', num: true, path: 'training.epochs', value: (c) => c.training.epochs, text: (c) => c.training.epochs.toLocaleString('en-US') },
  { key: 'batchSize', label: 'Batch size', group: 'Training', num: true, path: 'training.batchSize', value: (c) => c.training.batchSize ?? Infinity, // full batch sorts as the largest
    text: (c) => (c.training.batchSize === null ? 'full batch' : String(c.training.batchSize)) },
  { key: 'momentum', label: 'Momentum μ', group: 'Training', num: true, path: 'training.momentum', value: (c) => c.training.momentum },
  { key: 'beta1', label: 'Adam β1', group: 'Training', num: true, path: 'training.beta1', value: (c) => c.training.beta1 },
  { key: 'beta2', label: 'Adam β2', group: 'Training', num: true, path: 'training.beta2', value: (c) => c.training.beta2 },
  { key: 'epsilon', label: 'Adam ε', group: 'Training', num: true, path: 'training.epsilon', value: (c) => c.training.epsilon },
  { key: 'l2', label: 'L2 λ', group: 'Training', num: true, path: 'training.l2', value: (c) => c.training.l2 },
  { key: 'loss', label: 'Loss', group: 'Training', path: 'training.loss', value: (c) => c.training.loss },
  { key: 'shuffleSeed', label: 'Shuffle seed', group: 'Training', num: true, path: 'training.shuffleSeed', value: (c) => c.training.shuffleSeed },
  { key: 'earlyStop', label: 'Early stop', group: 'Training', num: true, path: 'training.earlyStop', value: (c) => c.training.earlyStop, text: (c) => (c.training.earlyStop > 0 ? `patience ${c.training.earlyStop}` : 'off') },
  { key: 'earlyStopMetric', label: 'Early-stop metric', group: 'Training', path: 'training.earlyStopMetric', value: (c) => c.training.earlyStopMetric },
  { key: 'minDelta', label: 'Min delta', group: 'Training', num: true, path: 'training.minDelta', value: (c) => c.training.minDelta },

  { key: 'dataset', label: 'Dataset', group: 'Data', path: 'data.kind', value: (c) => c.data.kind },
  { key: 'samples', label: 'Samples', group: 'Data', num: true, path: 'data.samples', value: (c) => c.data.samples },
  { key: 'noise', label: 'Noise', group: 'Data', num: true, path: 'data.noise', value: (c) => c.data.noise },
  { key: 'factor', label: 'Circles factor', group: 'Data', num: true, path: 'data.factor', value: (c) => c.data.factor },
  { key: 'dataSeed', label: 'Data seed', group: 'Data', num: true, path: 'data.seed', value: (c) => c.data.seed },
  { key: 'testSize', label: 'Test size', group: 'Data', num: true, path: 'data.testSize', value: (c) => c.data.testSize, text: (c) => (c.data.testSize > 0 ? num(c.data.testSize) : 'no test set') },
  { key: 'splitSeed', label: 'Split seed', group: 'Data', num: true, path: 'data.splitSeed', value: (c) => c.data.splitSeed },
  { key: 'standardize', label: 'Standardize', group: 'Data', path: 'data.standardize', value: (c) => onOff(c.data.standardize) },
  { key: 'features', label: 'Input features', group: 'Data', path: 'data.features', value: (c) => (c.data.features?.length ? c.data.features.join(', ') : null) },
  { key: 'csvFile', label: 'CSV file', group: 'Data', path: 'data.csv', value: (c) => (c.data.kind === 'csv' && c.data.csv ? `${c.data.csv.path}${c.data.csv.labelColumn ? ` (label ${c.data.csv.labelColumn})` : ''}` : null) },

  { key: 'backendChoice', label: 'Backend asked', group: 'Backend', path: 'backend', value: (c) => c.backend },
];

/** The setting's value for this run; null where it means nothing for it (settingApplies) or is unset. */
export function settingValue(s: Setting, c: RunConfig): string | number | null {
  return settingApplies(c, s.path) ? s.value(c) : null;
}

/** The setting as it reads in the table; '—' where it means nothing for this run. */
export function settingText(s: Setting, c: RunConfig): string {
  const v = settingValue(s, c);
  if (v === null) return '—';
  if (s.text) return s.text(c);
  return typeof v === 'number' ? num(v) : v;
}

/** The settings that mean something for this run, as label and text, grouped in SETTINGS' order (the detail pane). */
export function settingsByGroup(c: RunConfig): Array<{ group: SettingGroup; rows: Array<{ key: string; label: string; text: string; path: string }> }> {
  const out: Array<{ group: SettingGroup; rows: Array<{ key: string; label: string; text: string; path: string }> }> = [];
  for (const s of SETTINGS) {
    if (settingValue(s, c) === null) continue;
    let g = out.find((x) => x.group === s.group);
    if (!g) out.push((g = { group: s.group, rows: [] }));
    g.rows.push({ key: s.key, label: s.label, text: s.long ? s.long(c) : settingText(s, c), path: s.path });
  }
  return out;
}

/** A regression run's accuracy fields hold R² (engine/config.ts taskOf). */
export const isRegressionRun = (r: Pick<RunSummary, 'dataset'>): boolean => taskOf(r.dataset as DatasetKind) === 'regression';

// ── grouping ─────────────────────────────────────────────────────────────────────────────────────────────────

export const GROUP_BYS = ['none', 'sweep', 'tag'] as const;
export type GroupBy = (typeof GROUP_BYS)[number];

export interface RunGroup {
  /** Stable key for the group's open/closed state: "sweep:<id>", "tag:<tag>", or "" for no grouping. */
  key: string;
  label: string;
  /** The runs without a sweep or without a tag. */
  rest: boolean;
  runs: RunSummary[];
}

/**
 * The rows in groups, each group keeping the rows' order: by sweep (runs outside any sweep last), or by tag (a run
 * with two tags is in both groups; untagged runs last). Groups come in the order their first row comes.
 */
export function groupRuns(rows: readonly RunSummary[], by: GroupBy): RunGroup[] {
  if (by === 'none') return [{ key: '', label: '', rest: false, runs: [...rows] }];
  const groups = new Map<string, RunGroup>();
  const add = (key: string, label: string, rest: boolean, r: RunSummary) => {
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { key, label, rest, runs: [] }));
    g.runs.push(r);
  };
  for (const r of rows) {
    if (by === 'sweep') {
      if (r.sweep) add(`sweep:${r.sweep.id}`, r.sweep.name, false, r);
      else add('sweep:', 'not in a sweep', true, r);
    } else if (r.tags.length === 0) add('tag:', 'no tag', true, r);
    else for (const t of r.tags) add(`tag:${t}`, t, false, r);
  }
  const all = [...groups.values()];
  return [...all.filter((g) => !g.rest), ...all.filter((g) => g.rest)];
}

// ── remembered choices ───────────────────────────────────────────────────────────────────────────────────────

/** localStorage, or nothing where storage is unavailable (the choice is then not remembered). */
export function loadChoice<T>(key: string, parse: (v: unknown) => T | null, fallback: T): T {
  try {
    const text = localStorage.getItem(key);
    if (text === null) return fallback;
    return parse(JSON.parse(text)) ?? fallback;
  } catch {
    return fallback;
  }
}

export function saveChoice(key: string, value: unknown): void {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // storage may be unavailable or full; the choice just is not remembered
  }
}
