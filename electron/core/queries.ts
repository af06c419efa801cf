// Reading runs: the list, one run with its curves, curves of several, and the comparison of settings, final
// metrics and weights. Everything is read through the store's query functions (electron/store/compare.ts).

import { layerWidths } from '../../engine/architecture';
import { taskOf } from '../../engine/config';
import type { Params } from '../../engine/init';
import { METRIC_KEYS, type Curve, type MetricKey, type RunCurves, type RunId } from '../contract';
import { configsOf, diffParams, findSweep, listRuns, loadCurves, snakeCase, sweepIdsOf, type Store } from '../store/index';
import { detail, summary, type CoreContext, type Handlers } from './context';
import { retryBusy } from './errors';

/** Contract metric names ↔ the store's keys: trainCost ↔ train_cost. */
export const KEY_TO_STORE = Object.fromEntries(METRIC_KEYS.map((k) => [k, snakeCase(k)])) as Record<MetricKey, string>;
const KEY_FROM_STORE = Object.fromEntries(METRIC_KEYS.map((k) => [snakeCase(k), k])) as Record<string, MetricKey>;

function curvesOf(store: Store, ids: string[], keys: readonly MetricKey[], maxPoints: number): Record<RunId, RunCurves> {
  const out: Record<RunId, RunCurves> = {};
  for (const id of ids) out[id] = {};
  for (const c of loadCurves(store, ids, { keys: keys.map((k) => KEY_TO_STORE[k]), maxPoints })) {
    const key = KEY_FROM_STORE[c.key];
    if (key && c.total > 0) out[c.runId]![key] = { step: c.steps, value: c.values, total: c.total } satisfies Curve;
  }
  return out;
}

/** ‖θa − θb‖₂ over every parameter. */
function paramDistance(a: Params, b: Params): number {
  let s = 0;
  a.forEach((p, i) => {
    const q = b[i]!.data;
    for (let k = 0; k < p.data.length; k++) s += (p.data[k]! - q[k]!) ** 2;
  });
  return Math.sqrt(s);
}

export function queryHandlers(ctx: CoreContext): Pick<Handlers, 'runs.list' | 'runs.get' | 'runs.curves' | 'runs.diff'> {
  const { store } = ctx;
  return {
    'runs.list': (p) => {
      const f = p.filter ?? {};
      const status = f.status === 'paused' ? 'running' : f.status;
      const rows = listRuns(store, {
        ...(f.name ? { name: f.name } : {}),
        ...(f.tag?.trim() ? { tag: f.tag.trim() } : {}),
        ...(f.dataset ? { dataset: f.dataset } : {}),
        ...(status ? { status } : {}),
        ...(p.sort ? { sort: p.sort.by, ...(p.sort.dir ? { order: p.sort.dir } : {}) } : {}),
        limit: p.limit ?? 500,
        offset: p.offset ?? 0,
      });
      const ids = rows.map((r) => r.id);
      const configs = configsOf(store, ids);
      // each sweep's name once, for the runs that are its trials
      const sweepOf = sweepIdsOf(store, ids);
      const sweeps = new Map([...new Set(sweepOf.values())].map((id) => [id, { id, name: findSweep(store, id)?.name ?? id }]));
      const out = rows.map((r) => {
        const c = configs.get(r.id);
        const sweep = sweepOf.get(r.id);
        return {
          ...summary(ctx, r, c ? layerWidths(c.architecture) : ''),
          plannedEpochs: c?.training.epochs ?? null,
          ...(c ? { config: c } : {}),
          sweep: sweep === undefined ? null : sweeps.get(sweep)!,
        };
      });
      return f.status ? out.filter((r) => r.status === f.status) : out;
    },
    'runs.get': (p) => {
      const rec = store.getRun(p.runId);
      const keys = METRIC_KEYS.filter((k) => rec.metricKeys.includes(KEY_TO_STORE[k]));
      const curves = keys.length ? curvesOf(store, [p.runId], keys, p.maxPoints ?? 2000)[p.runId]! : {};
      return { run: detail(ctx, rec), curves };
    },
    'runs.curves': (p) => curvesOf(store, p.runIds, p.keys ?? ['trainCost', 'testCost'], p.maxPoints ?? 2000),
    'runs.diff': async (p) => {
      const d = await retryBusy(() => diffParams(store, p.runIds, { onlyDifferences: Boolean(p.onlyDifferences) }));
      const recs = p.runIds.map((id) => store.getRun(id));
      const weightDistances: Array<{ a: RunId; b: RunId; distance: number }> = [];
      const weights = new Map<string, Params | null>();
      const w = (id: string) => {
        if (!weights.has(id)) weights.set(id, store.getWeights(id));
        return weights.get(id)!;
      };
      for (let i = 0; i < recs.length; i++) {
        for (let j = i + 1; j < recs.length; j++) {
          const a = recs[i]!, b = recs[j]!;
          if (a.config.init.seed !== b.config.init.seed || JSON.stringify(a.config.architecture) !== JSON.stringify(b.config.architecture)) continue;
          const wa = w(a.id), wb = w(b.id);
          if (wa && wb) weightDistances.push({ a: a.id, b: b.id, distance: paramDistance(wa, wb) });
        }
      }
      return {
        runIds: p.runIds,
        rows: d.rows.map((r) => ({ path: r.path, values: r.values.map((v) => (v === undefined ? null : v)), differs: r.differs })),
        final: recs.map((r) => ({
          id: r.id,
          name: r.name,
          status: summary(ctx, r, '').status,
          finalCost: r.finalCost,
          trainAccuracy: r.trainAccuracy,
          testCost: r.testCost,
          testAccuracy: r.testAccuracy,
          epochsDone: r.epochsDone,
          task: taskOf(r.config.data.kind),
        })),
        weightDistances,
      };
    },
  };
}
