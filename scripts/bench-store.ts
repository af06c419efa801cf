// `npx tsx scripts/bench-store.ts [RUNS] [EPOCHS]`: fills a temporary run database with 1,000 runs × 1,000
// epochs × 1 key (1,000,000 metric rows) through the store's own API, then times what the dashboard and the CLI
// do with it — insert rate, listing runs (filtered and sorted), loading 10 runs' curves (downsampled), the
// parameter diff — and prints the query plans that keep those reads off a scan of the metrics table.

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../engine/config';
import { CURVE_SQL, countRuns, diffParams, listRuns, listRunsSql, loadCurves, openStore } from '../electron/store/index';

const RUNS = Number(process.argv[2] ?? 1000);
const EPOCHS = Number(process.argv[3] ?? 1000);
const REPEATS = 20;

function time<T>(fn: () => T): { ms: number; value: T } {
  const t0 = performance.now();
  const value = fn();
  return { ms: performance.now() - t0, value };
}
/** Median ms of REPEATS calls. */
function median(fn: () => unknown): number {
  const t: number[] = [];
  for (let i = 0; i < REPEATS; i++) t.push(time(fn).ms);
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)]!;
}
const fmt = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(0)).padStart(8) + ' ms';

const dir = mkdtempSync(join(tmpdir(), 'bplab-bench-store-'));
try {
  const store = openStore({ path: join(dir, 'runs.db') });
  const ids: string[] = [];
  const datasets = ['moons', 'circles', 'xor', 'spiral'] as const;
  const configs = datasets.map((kind, i) => resolveConfig({ data: { kind }, training: { learningRate: 0.01 * (i + 1) } }));

  // what a run's recorder does: one appendMetrics (one transaction) per batch; here a batch of 250 epochs
  const BATCH = 250;
  let rows = 0;
  const insert = time(() => {
    for (let r = 0; r < RUNS; r++) {
      const run = store.createRun(configs[r % configs.length]!, { name: `run ${r}`, tags: r % 10 === 0 ? ['tenth'] : [] });
      ids.push(run.id);
      for (let start = 0; start < EPOCHS; start += BATCH) {
        const batch = [];
        for (let step = start; step < Math.min(EPOCHS, start + BATCH); step++) {
          batch.push({ key: 'train_cost', step, value: Math.exp(-step / (100 + r)) * (1 + 0.05 * Math.sin(step)) });
        }
        rows += store.appendMetrics(run.id, batch);
      }
      const finalCost = Math.exp(-EPOCHS / (100 + r));
      store.finishRun(run.id, { status: 'finished', epochs: EPOCHS, finalCost, trainAccuracy: 0.9, testCost: finalCost * 1.1, testAccuracy: (r % 97) / 97, costHistory: [], msPerEpoch: 1, backend: { name: 'cpu', mode: 'js', precision: 'float64', reason: 'bench' } });
    }
  });
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  const bytes = statSync(store.path).size;
  console.log(`store benchmark: ${RUNS} runs × ${EPOCHS} epochs × 1 key = ${rows.toLocaleString('en')} metric rows in ${(insert.ms / 1000).toFixed(2)} s`);
  console.log(`  insert rate              ${Math.round(rows / (insert.ms / 1000)).toLocaleString('en').padStart(11)} rows/s (batches of ${BATCH}, one transaction each)`);
  console.log(`  database size            ${(bytes / 1e6).toFixed(1).padStart(11)} MB (${(bytes / rows).toFixed(1)} bytes/row)`);

  const ten = ids.filter((_, i) => i % 100 === 7).slice(0, 10);
  const timings: [string, number][] = [
    ['list runs (date, 100)', median(() => listRuns(store, { limit: 100 }))],
    ['list runs (finalCost, 100)', median(() => listRuns(store, { sort: 'finalCost', limit: 100 }))],
    ['list runs (filtered)', median(() => listRuns(store, { dataset: 'moons', tag: 'tenth', status: 'finished', name: 'run', sort: 'testAccuracy' }))],
    ['list all runs', median(() => listRuns(store, { limit: 10_000 }))],
    ['count runs', median(() => countRuns(store, { dataset: 'moons' }))],
    ['load 10 curves (≤500 pts)', median(() => loadCurves(store, ten, { maxPoints: 500 }))],
    ['load 10 curves (full)', median(() => loadCurves(store, ten, { maxPoints: 1_000_000 }))],
    ['diff 10 runs', median(() => diffParams(store, ten, { onlyDifferences: true }))],
    ['get one run', median(() => store.getRun(ten[0]!))],
  ];
  for (const [what, ms] of timings) console.log(`  ${what.padEnd(26)}${fmt(ms)}  (median of ${REPEATS})`);

  const explain = (sql: string, params: unknown[]) => (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join('; ');
  const l = listRunsSql({ dataset: 'moons', tag: 'tenth', sort: 'finalCost' });
  console.log('query plans:');
  console.log(`  list (filtered, finalCost): ${explain(l.sql, l.params)}`);
  console.log(`  one curve:                  ${explain(CURVE_SQL, [1, 'train_cost'])}`);
  const del = time(() => store.deleteRun(ids[0]!));
  console.log(`  delete one run (${EPOCHS} rows):  ${fmt(del.ms)}`);
  const check = time(() => store.db.pragma('quick_check', { simple: true }));
  console.log(`  quick_check (${(bytes / 1e6).toFixed(0)} MB):       ${fmt(check.ms)} → ${String(check.value)}`);
  store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
