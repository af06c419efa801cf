// 1,000 runs with many metric rows: the run list and a 10-run comparison must read the metrics table through its
// primary key (SEARCH), never walk it (SCAN). Timings are scripts/bench-store.ts's job, not a test's.

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../engine/config';
import { CURVE_SQL, listRuns, listRunsSql, loadCurves, openStore, type ListRunsQuery, type Store } from '../../../electron/store/index';
import { tempDir } from './helpers';

const RUNS = 1000;
const EPOCHS = 200;
let store: Store;
const ids: string[] = [];

function plan(sql: string, params: unknown[]): string[] {
  return (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail);
}

beforeAll(() => {
  store = openStore({ path: join(tempDir(), 'scale.db') });
  const config = resolveConfig({});
  for (let r = 0; r < RUNS; r++) {
    const run = store.createRun(config, { name: `run ${r}`, tags: r % 10 === 0 ? ['tenth'] : [] });
    ids.push(run.id);
    store.appendMetrics(run.id, Array.from({ length: EPOCHS }, (_, step) => ({ key: 'train_cost', step, value: Math.exp(-step / (50 + r)) })));
    store.finishRun(run.id, { status: 'finished', epochs: EPOCHS, finalCost: Math.exp(-EPOCHS / (50 + r)), trainAccuracy: 0.9, testCost: 0.5, testAccuracy: (r % 97) / 97, costHistory: [], msPerEpoch: 1, backend: { name: 'cpu', mode: 'js', precision: 'float64', reason: '' } });
  }
  store.db.exec('ANALYZE'); // plans with statistics, as a long-lived database gets them from PRAGMA optimize
});
afterAll(() => store.close());

describe(`${RUNS} runs × ${EPOCHS} epochs`, () => {
  const queries: ListRunsQuery[] = [
    {},
    { sort: 'finalCost' },
    { sort: 'testAccuracy', order: 'asc', limit: 20, offset: 40 },
    { name: 'run 1', status: 'finished', dataset: 'moons', tag: 'tenth', sort: 'finalCost' },
    { status: ['finished', 'interrupted'] },
  ];
  it.each(queries.map((q) => [JSON.stringify(q), q] as const))('listing runs %s never touches the metrics table', (_, q) => {
    const { sql, params } = listRunsSql(q);
    const detail = plan(sql, params);
    expect(detail.join('\n')).not.toMatch(/metrics/);
    expect(listRuns(store, q).length).toBeGreaterThan(0);
  });

  it('the date-sorted list reads the created_at index instead of sorting the table', () => {
    const { sql, params } = listRunsSql({ limit: 50 });
    expect(plan(sql, params).join('\n')).toMatch(/SCAN runs USING INDEX runs_by_created/);
  });

  it('loading 10 runs’ curves is a primary-key range search per run and key, never a scan of metrics', () => {
    const detail = plan(CURVE_SQL, [1, 'train_cost']);
    expect(detail).toEqual(['SEARCH metrics USING PRIMARY KEY (run_id=? AND key=?)']);
    const curves = loadCurves(store, ids.slice(0, 10), { maxPoints: 100 });
    expect(curves.length).toBe(10);
    for (const c of curves) {
      expect(c.total).toBe(EPOCHS);
      expect(c.steps.length).toBeLessThanOrEqual(100);
    }
  });

  it('getRun finds a run’s metric keys by primary-key search (no walk over its rows)', () => {
    const detail = plan('SELECT key FROM metrics WHERE run_id = ? AND key > ? ORDER BY key LIMIT 1', [1, '']);
    expect(detail.join('\n')).toMatch(/SEARCH metrics USING PRIMARY KEY \(run_id=\? AND key>\?\)/);
    expect(store.getRun(ids[0]!).metricKeys).toEqual(['train_cost']);
  });

  it('deleting a run removes its metrics by primary-key search', () => {
    const detail = plan('DELETE FROM metrics WHERE run_id = ?', [1]);
    expect(detail.join('\n')).toMatch(/SEARCH metrics USING PRIMARY KEY \(run_id=\?\)/);
    const before = store.db.prepare('SELECT count(*) FROM metrics').pluck().get() as number;
    store.deleteRun(ids.pop()!);
    expect(store.db.prepare('SELECT count(*) FROM metrics').pluck().get()).toBe(before - EPOCHS);
  });
});
