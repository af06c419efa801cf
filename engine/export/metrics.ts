// Per-epoch metrics as CSV (one row per epoch, for spreadsheets and pandas) and as JSON (which has no NaN
// or Infinity, so those are written as the strings "NaN", "Infinity", "-Infinity" and read back as numbers).

import type { EpochMetrics } from '../train';

export const METRICS_CSV_HEADER = 'epoch,train_cost,train_accuracy,test_cost,test_accuracy,elapsed_ms';
export const METRICS_FORMAT = 'backprop-lab-metrics';

/** A number as CSV text: shortest round-trip digits; NaN, Infinity, -Infinity spelled so; null as an empty cell. */
function cell(v: number | null): string {
  if (v === null) return '';
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return String(v);
}

/** The metrics as CSV: the header above, one line per epoch, '\n' line ends (an empty test cell: no test set that epoch). */
export function metricsToCSV(metrics: readonly EpochMetrics[]): string {
  const lines = [METRICS_CSV_HEADER];
  for (const m of metrics) {
    lines.push([m.epoch, m.trainCost, m.trainAccuracy, m.testCost, m.testAccuracy, m.elapsedMs].map(cell).join(','));
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
export function metricsToJSON(metrics: readonly EpochMetrics[], extra: Record<string, unknown> = {}): string {
  const doc = {
    format: METRICS_FORMAT,
    version: 1,
    ...extra,
    columns: METRICS_CSV_HEADER.split(','),
    rows: metrics.map((m) => [m.epoch, toJson(m.trainCost), toJson(m.trainAccuracy), toJson(m.testCost), toJson(m.testAccuracy), toJson(m.elapsedMs)]),
  };
  return JSON.stringify(doc) + '\n';
}

/** Reads metricsToJSON's text back (non-finite values as they were). Throws an Error naming the bad row. */
export function metricsFromJSON(text: string): EpochMetrics[] {
  const doc = JSON.parse(text) as { format?: unknown; rows?: unknown };
  if (doc?.format !== METRICS_FORMAT || !Array.isArray(doc.rows)) throw new Error(`not a ${METRICS_FORMAT} document`);
  return doc.rows.map((row: unknown, i: number) => {
    if (!Array.isArray(row) || row.length !== 6) throw new Error(`metrics row ${i} must have 6 values`);
    const at = (k: number) => fromJson(row[k], `metrics row ${i} column ${METRICS_CSV_HEADER.split(',')[k]}`);
    const num = (k: number) => {
      const v = at(k);
      if (v === null) throw new Error(`metrics row ${i} column ${METRICS_CSV_HEADER.split(',')[k]} is empty`);
      return v;
    };
    return { epoch: num(0), trainCost: num(1), trainAccuracy: num(2), testCost: at(3), testAccuracy: at(4), elapsedMs: num(5) };
  });
}
