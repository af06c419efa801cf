// Reads for the run list and the comparison view, as plain functions over a Store (the dashboard's service and
// the CLI call them): filtered and sorted run lists, curves of several runs downsampled on the host keeping
// every bucket's min and max, and a settings diff over the run configuration in readable rows (the architecture
// as one row, settings that mean nothing for a run left out).

import { z } from 'zod';
import { describeLayers } from '../../engine/architecture';
import { settingApplies, type RunConfig } from '../../engine/config';

export { settingApplies };
import { MAX_NAME_LENGTH, MAX_TAG_LENGTH, RUN_ID_PATTERN } from '../limits';
import { StoreError, fromSqlite, validate } from './errors';
import { decodeValue, METRIC_KEY } from './metrics';
import { RUN_STATUSES, SUMMARY_COLUMNS, summaryFromRow, type RunState, type RunSummary, type Store } from './store';

/** Runs a read, with SQLite's errors (a damaged page, a lock) turned into StoreError as the Store's methods do. */
function read<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw fromSqlite(e);
  }
}

// ── run list ─────────────────────────────────────────────────────────────────────────────────────────────

export const RUN_SORTS = ['date', 'finalCost', 'testAccuracy'] as const;
export type RunSort = (typeof RUN_SORTS)[number];

export interface RunFilter {
  /** Part of the name, case-insensitive. */
  name?: string;
  /** Runs with this tag. */
  tag?: string;
  /** One status or several. */
  status?: RunState | RunState[];
  /** config.data.kind: moons, circles, xor, spiral, gaussian, csv. */
  dataset?: string;
}

export interface ListRunsQuery extends RunFilter {
  /** Default 'date'. */
  sort?: RunSort;
  /** Default: newest first for date, lowest first for finalCost, highest first for testAccuracy. Runs without the value come last. */
  order?: 'asc' | 'desc';
  /** Default 100, at most 10000. */
  limit?: number;
  offset?: number;
}

const filterShape = {
  name: z.string().max(MAX_NAME_LENGTH).optional(),
  tag: z.string().min(1).max(MAX_TAG_LENGTH).optional(),
  status: z.union([z.enum(RUN_STATUSES), z.array(z.enum(RUN_STATUSES)).min(1)]).optional(),
  dataset: z.string().min(1).max(64).optional(),
};
const filterSchema = z.object(filterShape).strict();
const listSchema = z
  .object({
    ...filterShape,
    sort: z.enum(RUN_SORTS).default('date'),
    order: z.enum(['asc', 'desc']).optional(),
    limit: z.number().int().min(1).max(10_000).default(100),
    offset: z.number().int().min(0).default(0),
  })
  .strict();

const SORT_COLUMN: Record<RunSort, string> = { date: 'created_at', finalCost: 'final_cost', testAccuracy: 'test_accuracy' };
const DEFAULT_ORDER: Record<RunSort, 'asc' | 'desc'> = { date: 'desc', finalCost: 'asc', testAccuracy: 'desc' };

function whereClause(f: z.output<typeof filterSchema>): { where: string; params: unknown[] } {
  const conds: string[] = [];
  const params: unknown[] = [];
  if (f.name) {
    conds.push("name LIKE ? ESCAPE '\\'");
    params.push(`%${f.name.replace(/[\\%_]/g, (c) => '\\' + c)}%`);
  }
  if (f.status !== undefined) {
    const list = Array.isArray(f.status) ? f.status : [f.status];
    conds.push(`status IN (${list.map(() => '?').join(', ')})`);
    params.push(...list);
  }
  if (f.dataset) {
    conds.push('dataset = ?');
    params.push(f.dataset);
  }
  if (f.tag) {
    conds.push('rid IN (SELECT run_id FROM run_tags WHERE tag = ?)');
    params.push(f.tag.trim());
  }
  return { where: conds.length ? `WHERE ${conds.join(' AND ')}` : '', params };
}

/** The SQL listRuns runs for a query (exported so a test can hold its query plan). */
export function listRunsSql(query: ListRunsQuery = {}): { sql: string; params: unknown[] } {
  const q = validate(listSchema, query, 'listRuns', 'query');
  const { where, params } = whereClause(q);
  const col = SORT_COLUMN[q.sort];
  const dir = (q.order ?? DEFAULT_ORDER[q.sort]).toUpperCase();
  const order = q.sort === 'date' ? `created_at ${dir}, rid ${dir}` : `${col} IS NULL, ${col} ${dir}, created_at DESC, rid DESC`;
  return { sql: `SELECT ${SUMMARY_COLUMNS} FROM runs ${where} ORDER BY ${order} LIMIT ? OFFSET ?`, params: [...params, q.limit, q.offset] };
}

/** Runs matching the filter, sorted (with tags; without config or metrics). */
export function listRuns(store: Store, query: ListRunsQuery = {}): RunSummary[] {
  const { sql, params } = listRunsSql(query);
  return read(() => listRows(store, sql, params));
}

function listRows(store: Store, sql: string, params: unknown[]): RunSummary[] {
  const rows = store.db.prepare(sql).all(...params) as (Parameters<typeof summaryFromRow>[0] & { rid: number })[];
  if (rows.length === 0) return [];
  const tags = new Map<number, string[]>();
  const tagRows = store.db
    .prepare('SELECT run_id, tag FROM run_tags WHERE run_id IN (SELECT value FROM json_each(?)) ORDER BY run_id, tag')
    .all(JSON.stringify(rows.map((r) => r.rid))) as { run_id: number; tag: string }[];
  for (const t of tagRows) (tags.get(t.run_id) ?? tags.set(t.run_id, []).get(t.run_id)!).push(t.tag);
  return rows.map((r) => summaryFromRow(r, tags.get(r.rid) ?? []));
}

/** How many runs match the filter (for paging the list). */
export function countRuns(store: Store, filter: RunFilter = {}): number {
  const f = validate(filterSchema, filter, 'countRuns', 'filter');
  const { where, params } = whereClause(f);
  return read(() => store.db.prepare(`SELECT count(*) FROM runs ${where}`).pluck().get(...params) as number);
}

const configIdsSchema = z.array(z.string().regex(RUN_ID_PATTERN, 'must be a run id')).max(10_000, 'must name at most 10000 runs');

/**
 * Each listed run's configuration, in one query over the runs' id index (the run list itself does not read it),
 * e.g. for the layer widths beside each run in a list. Ids of runs that do not exist are left out of the map.
 */
export function configsOf(store: Store, ids: readonly string[]): Map<string, RunConfig> {
  const list = validate(configIdsSchema, ids, 'configsOf', 'ids');
  if (list.length === 0) return new Map();
  const rows = read(
    () => store.db.prepare('SELECT id, config FROM runs WHERE id IN (SELECT value FROM json_each(?))').all(JSON.stringify(list)) as { id: string; config: string }[],
  );
  return new Map(rows.map((r) => [r.id, JSON.parse(r.config) as RunConfig]));
}

// ── curves ───────────────────────────────────────────────────────────────────────────────────────────────

export interface Curve {
  runId: string;
  key: string;
  /** Epochs, increasing. */
  steps: number[];
  /** Values as recorded: NaN, ±Infinity and -0 included. */
  values: number[];
  /** Points the run has for this key before downsampling. */
  total: number;
}

export interface LoadCurvesOptions {
  /** Default ['train_cost']. */
  keys?: string[];
  /** At most this many points per curve (default 2000, from 4 to 1000000). */
  maxPoints?: number;
}

/** One range scan of the metrics primary key (run_id, key, step). */
export const CURVE_SQL = 'SELECT step, value FROM metrics WHERE run_id = ? AND key = ? ORDER BY step';

const runIdsSchema = z.array(z.string().regex(RUN_ID_PATTERN, 'must be a run id')).min(1, 'must name at least one run').max(100, 'must name at most 100 runs');
const curvesSchema = z
  .object({
    keys: z.array(z.string().regex(METRIC_KEY, 'must be a metric key such as train_cost')).min(1).max(32).default(['train_cost']),
    maxPoints: z.number().int().min(4).max(1_000_000).default(2000),
  })
  .strict();

/**
 * The curves of several runs for an overlay: one per (run, key) in the order asked, each downsampled to at most
 * maxPoints with downsampleMinMax. A key a run has no rows for gives an empty curve; an unknown run is NOT_FOUND.
 */
export function loadCurves(store: Store, runIds: string[], options: LoadCurvesOptions = {}): Curve[] {
  const ids = validate(runIdsSchema, runIds, 'loadCurves', 'runIds');
  const o = validate(curvesSchema, options, 'loadCurves');
  return read(() => curvesOf(store, ids, o));
}

function curvesOf(store: Store, ids: string[], o: z.output<typeof curvesSchema>): Curve[] {
  const stmt = store.db.prepare<[number, string], [number, number | null]>(CURVE_SQL).raw(true);
  const curves: Curve[] = [];
  for (const id of ids) {
    const rid = store.rid(id, 'loadCurves');
    for (const key of o.keys) {
      const rows = stmt.all(rid, key);
      const steps = new Array<number>(rows.length);
      const values = new Array<number>(rows.length);
      for (let i = 0; i < rows.length; i++) {
        steps[i] = rows[i]![0];
        values[i] = decodeValue(rows[i]![1]);
      }
      const keep = downsampleMinMax(values, o.maxPoints);
      curves.push(
        keep === null
          ? { runId: id, key, steps, values, total: rows.length }
          : { runId: id, key, steps: keep.map((i) => steps[i]!), values: keep.map((i) => values[i]!), total: rows.length },
      );
    }
  }
  return curves;
}

/** a > b, with NaN above everything (a diverged epoch is a spike worth keeping). */
const above = (a: number, b: number) => (Number.isNaN(b) ? false : Number.isNaN(a) ? true : a > b);
/** a < b, with NaN above everything. */
const below = (a: number, b: number) => (Number.isNaN(a) ? false : Number.isNaN(b) ? true : a < b);

/**
 * Indices to keep so that at most maxPoints remain: the first and the last point, and from each of
 * ⌊(maxPoints − 2)/2⌋ equal buckets in between its minimum and its maximum, in order (one point when they are
 * the same). Spikes survive, unlike plain striding. null when nothing needs dropping.
 */
export function downsampleMinMax(values: ArrayLike<number>, maxPoints: number): number[] | null {
  const n = values.length;
  if (n <= maxPoints) return null;
  if (maxPoints < 4) throw new StoreError('INVALID', `downsampleMinMax: maxPoints must be at least 4, got ${maxPoints}`);
  const buckets = Math.floor((maxPoints - 2) / 2);
  const inner = n - 2;
  const keep: number[] = [0];
  for (let b = 0; b < buckets; b++) {
    const start = 1 + Math.floor((b * inner) / buckets);
    const end = 1 + Math.floor(((b + 1) * inner) / buckets);
    if (end <= start) continue;
    let lo = start, hi = start;
    for (let i = start + 1; i < end; i++) {
      if (below(values[i]!, values[lo]!)) lo = i;
      if (above(values[i]!, values[hi]!)) hi = i;
    }
    if (lo === hi) keep.push(lo);
    else keep.push(Math.min(lo, hi), Math.max(lo, hi));
  }
  keep.push(n - 1);
  return keep;
}

// ── parameter diff ───────────────────────────────────────────────────────────────────────────────────────

export type ConfigValue = string | number | boolean | null;

/**
 * A run configuration as dotted paths: training.learningRate, data.kind, architecture[2].activation, …
 * (leaves only, in the configuration's own order; an empty array or object is one leaf shown as [] or {}).
 */
export function flattenConfig(value: unknown, prefix = '', out: Map<string, ConfigValue> = new Map()): Map<string, ConfigValue> {
  if (Array.isArray(value)) {
    if (value.length === 0) out.set(prefix, '[]');
    value.forEach((v, i) => flattenConfig(v, `${prefix}[${i}]`, out));
  } else if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0 && prefix) out.set(prefix, '{}');
    for (const [k, v] of entries) flattenConfig(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (value !== undefined) {
    out.set(prefix, value as ConfigValue);
  }
  return out;
}

/**
 * A run configuration as the rows a comparison shows: the architecture first as one row in short form
 * ("2-25-1 (relu, sigmoid)", describeLayers), the input features as one row ("x1^2, x2^2"), a null batch size as
 * "full batch", then every other leaf as flattenConfig names it; settings that mean nothing for this run
 * (settingApplies) are left out. (A row's value is then never null: null in a diff means "does not apply".)
 */
export function readableConfig(config: RunConfig): Map<string, ConfigValue> {
  const out = new Map<string, ConfigValue>();
  for (const [path, value] of readableRows(config)) if (settingApplies(config, path)) out.set(path, value);
  return out;
}

/** readableConfig before settingApplies: every setting, in the configuration's order. */
function readableRows(config: RunConfig): Map<string, ConfigValue> {
  const { features, ...data } = config.data;
  const training = { ...config.training, batchSize: config.training.batchSize ?? 'full batch' };
  const rest = { ...config, architecture: undefined, data: { ...data, ...(features ? { features: features.join(', ') } : {}) }, training };
  return flattenConfig(rest, '', new Map([['architecture', describeLayers(config.architecture)]]));
}

export interface ParamDiff {
  runs: { id: string; name: string }[];
  /**
   * One row per setting (readableConfig: the architecture first, as one row); `values[i]` is run i's, undefined
   * when that run's configuration lacks the setting or it means nothing for that run.
   */
  rows: { path: string; values: (ConfigValue | undefined)[]; differs: boolean }[];
}

/**
 * The runs' configurations side by side, setting by setting, leaving out the settings that mean nothing for every
 * run (circles' factor on moons, momentum on Adam: settingApplies); with onlyDifferences, only the rows that differ.
 */
export function diffParams(store: Store, runIds: string[], options: { onlyDifferences?: boolean } = {}): ParamDiff {
  const ids = validate(runIdsSchema, runIds, 'diffParams', 'runIds');
  const { onlyDifferences } = validate(z.object({ onlyDifferences: z.boolean().default(false) }).strict(), options, 'diffParams');
  const runs = ids.map((id) => store.getRun(id));
  const flat = runs.map((r) => readableConfig(r.config));
  // in the configuration's order (circles' factor right after data.noise, even when the first run is on moons)
  const paths: string[] = [];
  const seen = new Set<string>();
  for (const r of runs) for (const p of readableRows(r.config).keys()) if (!seen.has(p)) (seen.add(p), paths.push(p));
  const rows = paths.filter((path) => flat.some((f) => f.has(path))).map((path) => {
    const values = flat.map((f) => f.get(path));
    const text = (v: ConfigValue | undefined) => (v === undefined ? 'absent' : JSON.stringify(v));
    const differs = values.some((v) => text(v) !== text(values[0]));
    return { path, values, differs };
  });
  return { runs: runs.map((r) => ({ id: r.id, name: r.name })), rows: onlyDifferences ? rows.filter((r) => r.differs) : rows };
}
