// Metric rows: what one engine epoch becomes (one row per numeric field), how a value is stored so that NaN,
// ±Infinity and -0 read back as written, and the checks every appended row passes.

import type { EpochMetrics } from '../../engine/train';
import { StoreError, show } from './errors';

/** One metric value of one run: `key` at `step` (the epoch), and the wall time it was recorded (ms epoch). */
export interface MetricRow {
  key: string;
  step: number;
  value: number;
  /** Default: the time of the append. */
  ts?: number;
}

/** The keys the engine's EpochMetrics turn into (the recorder adds any other numeric field the same way). */
export const STANDARD_KEYS = ['train_cost', 'train_accuracy', 'test_cost', 'test_accuracy', 'elapsed_ms', 'learning_rate'] as const;

/** Letters, digits and _ . / -, starting with a letter, at most 64 characters. */
export const METRIC_KEY = /^[A-Za-z][A-Za-z0-9_./-]{0,63}$/;

/**
 * The stored form of a value. metrics.value is an ANY column of a STRICT table: a REAL there keeps -0.0 and
 * ±Infinity bit for bit (a REAL-typed column would store -0.0 as the integer 0), and SQLite turns NaN into NULL
 * anyway, so NULL is the one encoding of NaN. A metric that has no value is not written at all.
 */
export const encodeValue = (v: number): number | null => (Number.isNaN(v) ? null : v);
export const decodeValue = (v: number | null): number => (v === null ? NaN : v);

/** The names met so far and their snake_case (a run's every epoch has the same few fields). */
const snakeNames = new Map<string, string>();
/** Metric keys already checked: a batch of thousands of rows has a handful of keys. */
const goodKeys = new Set<string>();
/** Most names either cache keeps (a caller making up keys must not grow them without end). */
const NAME_CACHE = 256;

/** trainCost → train_cost */
export function snakeCase(name: string): string {
  let s = snakeNames.get(name);
  if (s === undefined) {
    s = name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z])([A-Z][a-z])/g, '$1_$2').toLowerCase();
    if (snakeNames.size < NAME_CACHE) snakeNames.set(name, s);
  }
  return s;
}

/**
 * The rows of one epoch: every numeric field but `epoch` itself, under its snake_case name
 * (train_cost, train_accuracy, test_cost, test_accuracy, elapsed_ms, and whatever the engine adds later).
 * A null field (no test set, or not evaluated this epoch) gives no row.
 */
export function epochRows(m: EpochMetrics | (Record<string, unknown> & { epoch: number }), ts = Date.now()): MetricRow[] {
  const step = m.epoch;
  if (!Number.isSafeInteger(step) || step < 0) throw new StoreError('INVALID', `epoch metrics: epoch must be an integer ≥ 0, got ${show(step)}`);
  const rows: MetricRow[] = [];
  for (const [field, value] of Object.entries(m)) {
    if (field === 'epoch' || typeof value !== 'number') continue;
    rows.push({ key: snakeCase(field), step, value, ts });
  }
  return rows;
}

/** Throws StoreError INVALID naming the first bad row; a hand-written loop, as batches hold thousands of rows. */
export function checkRows(rows: unknown, where: string): asserts rows is MetricRow[] {
  if (!Array.isArray(rows)) throw new StoreError('INVALID', `${where}: rows must be an array of { key, step, value }, got ${show(rows)}`);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as Partial<MetricRow> | null;
    const bad = (what: string) => new StoreError('INVALID', `${where}: rows[${i}].${what}`);
    if (r === null || typeof r !== 'object') throw bad(`… must be an object { key, step, value }, got ${show(r)}`);
    if (typeof r.key !== 'string' || !goodKeys.has(r.key)) {
      if (typeof r.key !== 'string' || !METRIC_KEY.test(r.key)) {
        throw bad(`key must be letters, digits and _ . / - starting with a letter (at most 64), got ${show(r.key)}`);
      }
      if (goodKeys.size < NAME_CACHE) goodKeys.add(r.key);
    }
    if (typeof r.step !== 'number' || !Number.isSafeInteger(r.step) || r.step < 0) throw bad(`step must be an integer ≥ 0, got ${show(r.step)}`);
    if (typeof r.value !== 'number') throw bad(`value must be a number (NaN and ±Infinity are kept), got ${show(r.value)}`);
    if (r.ts !== undefined && (typeof r.ts !== 'number' || !Number.isSafeInteger(r.ts))) throw bad(`ts must be ms since the epoch, got ${show(r.ts)}`);
  }
}
