// Per-epoch metrics as CSV (one row per epoch, for spreadsheets and pandas) and as JSON (which has no NaN
// or Infinity, so those are written as the strings "NaN", "Infinity", "-Infinity" and read back as numbers).

import type { EpochMetrics } from '../train';

export const METRICS_CSV_HEADER = 'epoch,train_cost,train_accuracy,test_cost,test_accuracy,elapsed_ms';
export const METRICS_FORMAT = 'backprop-lab-metrics';

/**
 * One epoch's row: the engine's metrics plus, optionally, other recorded metrics by column name (a store may
 * hold keys beyond the standard five); each such key becomes a column after elapsed_ms, empty where absent.
 */
export type MetricsRow = EpochMetrics & { extra?: Readonly<Record<string, number>> };

const STANDARD = new Set(METRICS_CSV_HEADER.split(','));
/** A column name that cannot break the CSV line or its header: letters, digits, _ . - (as the store's keys). */
const COLUMN = /^[A-Za-z0-9_.-]{1,64}$/;
const columnName = (k: string) => COLUMN.test(k) && !STANDARD.has(k) && k !== '__proto__' && k !== 'constructor' && k !== 'prototype';

/** The extra columns of the rows, in first-seen order (standard names and unsafe names left out). */
function extraColumns(rows: readonly MetricsRow[]): string[] {
  const seen = new Set<string>();
  for (const r of rows) if (r.extra) for (const k of Object.keys(r.extra)) if (columnName(k)) seen.add(k);
  return [...seen];
}

/** A number as CSV text: shortest round-trip digits; NaN, Infinity, -Infinity spelled so; null as an empty cell. */
function cell(v: number | null): string {
  if (v === null) return '';
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return String(v);
}

/**
 * The metrics as CSV: the header above (then any extra columns), one line per epoch, '\n' line ends; an
 * empty cell is a value not recorded (e.g. no test set that epoch); NaN, Infinity, -Infinity are spelled so.
 */
export function metricsToCSV(metrics: readonly MetricsRow[]): string {
  const extra = extraColumns(metrics);
  const lines = [[METRICS_CSV_HEADER, ...extra].join(',')];
  for (const m of metrics) {
    const more = extra.map((k) => (m.extra && Object.hasOwn(m.extra, k) ? m.extra[k] : null));
    lines.push([m.epoch, m.trainCost, m.trainAccuracy, m.testCost, m.testAccuracy, m.elapsedMs, ...more].map(cell).join(','));
  }
  return lines.join('\n') + '\n';
}

type JsonNumber = number | 'NaN' | 'Infinity' | '-Infinity' | null;

function toJson(v: number | null): JsonNumber {
  if (v === null || Number.isFinite(v)) return v;
  return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
}

function fromJson(v: unknown, what: string): number | null {
  if (v === null || typeof v === 'number') return v;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  throw new Error(`${what} must be a number, "NaN", "Infinity", "-Infinity" or null, got ${JSON.stringify(v)}`);
}

/** The metrics document: { format, version, columns, rows } with rows as arrays in the CSV's column order. */
export function metricsToJSON(metrics: readonly MetricsRow[], extra: Record<string, unknown> = {}): string {
  const more = extraColumns(metrics);
  const doc = {
    format: METRICS_FORMAT,
    version: 1,
    ...extra,
    columns: [...METRICS_CSV_HEADER.split(','), ...more],
    rows: metrics.map((m) => [
      m.epoch, toJson(m.trainCost), toJson(m.trainAccuracy), toJson(m.testCost), toJson(m.testAccuracy), toJson(m.elapsedMs),
      ...more.map((k) => toJson(m.extra && Object.hasOwn(m.extra, k) ? m.extra[k] : null)),
    ]),
  };
  return JSON.stringify(doc) + '\n';
}

/** Reads metricsToJSON's text back (non-finite values as they were, extra columns in `extra`). Throws an Error naming the bad row. */
export function metricsFromJSON(text: string): MetricsRow[] {
  const doc = JSON.parse(text) as { format?: unknown; rows?: unknown; columns?: unknown };
  if (doc?.format !== METRICS_FORMAT || !Array.isArray(doc.rows)) throw new Error(`not a ${METRICS_FORMAT} document`);
  const columns = Array.isArray(doc.columns) && doc.columns.every((c) => typeof c === 'string') ? (doc.columns as string[]) : METRICS_CSV_HEADER.split(',');
  const more = [...new Set(columns.slice(6))].filter(columnName);
  if (columns.slice(0, 6).join(',') !== METRICS_CSV_HEADER || more.length !== columns.length - 6) throw new Error('metrics columns must be the six standard ones, then distinct names of letters, digits, _ . -');
  return doc.rows.map((row: unknown, i: number) => {
    if (!Array.isArray(row) || row.length !== columns.length) throw new Error(`metrics row ${i} must have ${columns.length} values`);
    const at = (k: number) => fromJson(row[k], `metrics row ${i} column ${columns[k]}`);
    const num = (k: number) => {
      const v = at(k);
      if (v === null) throw new Error(`metrics row ${i} column ${columns[k]} is empty`);
      return v;
    };
    const m: MetricsRow = { epoch: num(0), trainCost: num(1), trainAccuracy: num(2), testCost: at(3), testAccuracy: at(4), elapsedMs: num(5) };
    if (more.length) {
      const extra: Record<string, number> = {};
      more.forEach((k, j) => {
        const v = at(6 + j);
        if (v !== null) extra[k] = v;
      });
      m.extra = extra;
    }
    return m;
  });
}
