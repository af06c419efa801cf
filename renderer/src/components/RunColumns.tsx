// The runs table's columns: the run's own facts (status, data, architecture, sweep, tags), every setting of its
// configuration (lib/run-settings.ts), and its results. Each says how it sorts and how its cell reads; the table
// shows the ones picked in the Columns menu (remembered in localStorage).
import type { ReactNode } from 'react';
import type { RunSummary } from '../api';
import { fmtAcc, fmtCost, fmtDate, fmtDuration, fmtInt } from '../lib/format';
import { SETTINGS, isRegressionRun, loadChoice, settingText, settingValue, type SettingGroup } from '../lib/run-settings';

export type ColumnGroup = 'Run' | SettingGroup | 'Results';

export interface Column {
  key: string;
  label: string;
  group: ColumnGroup;
  /** Right-aligned, and sorted highest first on the first click. */
  num?: boolean;
  /** What sorting compares; null (or NaN) sorts last either way. */
  sortValue(r: RunSummary): string | number | null;
  cell(r: RunSummary): ReactNode;
  className?: string;
  /** The cell's data-testid. */
  testId?: string;
  title?: string;
}

/** An accuracy cell: the fraction, or for a regression run its R² (which the accuracy fields hold), labelled. */
function score(r: RunSummary, v: number | null): ReactNode {
  if (!isRegressionRun(r) || v === null) return fmtAcc(v);
  return (
    <>
      <span className="muted small">R² </span>
      {fmtAcc(v)}
    </>
  );
}

const RUN_COLUMNS: Column[] = [
  {
    key: 'status',
    label: 'Status',
    group: 'Run',
    sortValue: (r) => r.status,
    cell: (r) => (
      <span className={`badge status-${r.status}`} title={r.error ?? ''} data-testid="run-status-cell">
        {r.status}
      </span>
    ),
  },
  { key: 'dataset', label: 'Data', group: 'Run', sortValue: (r) => r.dataset, cell: (r) => r.dataset },
  { key: 'architecture', label: 'Architecture', group: 'Run', sortValue: (r) => r.architecture, cell: (r) => r.architecture, className: 'tnum mono-ish', testId: 'run-architecture' },
  { key: 'sweep', label: 'Sweep', group: 'Run', sortValue: (r) => r.sweep?.name ?? null, cell: (r) => r.sweep?.name ?? '—', testId: 'run-sweep' },
  { key: 'tags', label: 'Tags', group: 'Run', sortValue: (r) => (r.tags.length ? r.tags.join(', ') : null), cell: () => null },
];

// every setting but those the run columns already show
const SETTING_COLUMNS: Column[] = SETTINGS.filter((s) => s.key !== 'architecture' && s.key !== 'dataset').map((s) => ({
  key: s.key,
  label: s.label,
  group: s.group,
  num: s.num ?? false,
  sortValue: (r) => (r.config ? settingValue(s, r.config) : null),
  cell: (r) => (r.config ? settingText(s, r.config) : '—'),
  className: 'tnum',
  testId: `run-${s.key}`,
  title: s.path,
}));

const RESULT_COLUMNS: Column[] = [
  {
    key: 'epochsDone',
    label: 'Epochs done',
    group: 'Results',
    num: true,
    sortValue: (r) => r.epochsDone,
    cell: (r) => (r.plannedEpochs && r.plannedEpochs !== r.epochsDone ? `${fmtInt(r.epochsDone)} / ${fmtInt(r.plannedEpochs)}` : fmtInt(r.epochsDone)),
  },
  { key: 'finalCost', label: 'Train cost', group: 'Results', num: true, sortValue: (r) => r.finalCost, cell: (r) => fmtCost(r.finalCost) },
  { key: 'testCost', label: 'Test cost', group: 'Results', num: true, sortValue: (r) => r.testCost, cell: (r) => fmtCost(r.testCost) },
  { key: 'trainAccuracy', label: 'Train acc', group: 'Results', num: true, sortValue: (r) => r.trainAccuracy, cell: (r) => score(r, r.trainAccuracy), testId: 'run-train-accuracy' },
  { key: 'testAccuracy', label: 'Test acc', group: 'Results', num: true, sortValue: (r) => r.testAccuracy, cell: (r) => score(r, r.testAccuracy), className: 'strong', testId: 'run-test-accuracy' },
  { key: 'durationMs', label: 'Duration', group: 'Results', num: true, sortValue: (r) => r.durationMs, cell: (r) => fmtDuration(r.durationMs) },
  {
    key: 'backend',
    label: 'Backend',
    group: 'Results',
    sortValue: (r) => (r.backend ? `${r.backend.name} ${r.backend.mode}` : null),
    cell: (r) => <span title={r.backend?.reason ?? ''}>{r.backend ? `${r.backend.name} · ${r.backend.mode}` : '—'}</span>,
    className: 'small',
  },
  { key: 'createdAt', label: 'Created', group: 'Results', num: true, sortValue: (r) => r.createdAt, cell: (r) => fmtDate(r.createdAt), className: 'small muted', testId: 'run-created-at' },
];

/** Every column the table can show (besides the name, always shown), in table order. */
export const COLUMNS: readonly Column[] = [...RUN_COLUMNS, ...SETTING_COLUMNS, ...RESULT_COLUMNS];

/** The name column: always there, the first to sort by. */
export const NAME_COLUMN = { key: 'name', label: 'Name', sortValue: (r: RunSummary) => r.name } as const;

export const COLUMN_GROUPS: readonly ColumnGroup[] = ['Run', 'Network', 'Training', 'Data', 'Backend', 'Results'];

/** Shown until someone picks others. */
export const DEFAULT_COLUMNS: readonly string[] = ['status', 'dataset', 'architecture', 'optimizer', 'learningRate', 'epochs', 'finalCost', 'testCost', 'testAccuracy', 'durationMs', 'createdAt'];

export const COLUMNS_STORAGE_KEY = 'bpl-runs-columns';

/** The remembered column choice (keys that no longer exist are dropped). */
export function loadColumns(): string[] {
  return loadChoice(
    COLUMNS_STORAGE_KEY,
    (v) => (Array.isArray(v) ? v.filter((k): k is string => typeof k === 'string' && COLUMNS.some((c) => c.key === k)) : null),
    [...DEFAULT_COLUMNS],
  );
}

/** The header of an accuracy column says R² when the shown runs are regression runs. */
export function columnLabel(c: Column, rows: readonly RunSummary[]): string {
  if (c.key !== 'trainAccuracy' && c.key !== 'testAccuracy') return c.label;
  const regression = rows.filter(isRegressionRun).length;
  const side = c.key === 'trainAccuracy' ? 'Train' : 'Test';
  if (regression === 0) return c.label;
  return regression === rows.length ? `${side} R²` : `${c.label} / R²`;
}
