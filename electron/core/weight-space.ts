// Weight-space views of stored runs: the cost along the line between two runs' weights (runs.interpolate) and on a
// plane through one run's weights (runs.landscape), evaluated here in float64 (engine/interpolate.ts,
// engine/landscape.ts) on the run's own data, regenerated from its configuration.

import { describeLayers } from '../../engine/architecture';
import type { RunConfig } from '../../engine/config';
import { loadData, type DataSplit } from '../../engine/datasets/index';
import type { Params } from '../../engine/init';
import { interpolate } from '../../engine/interpolate';
import { landscape } from '../../engine/landscape';
import type { RunId } from '../contract';
import type { CoreContext, Handlers } from './context';
import { CoreError } from './errors';

/** A stored run's configuration, final weights and data; a clear conflict when there is nothing to evaluate. */
function stored(ctx: CoreContext, runId: RunId): { config: RunConfig; params: Params; data: DataSplit } {
  const rec = ctx.store.findRun(runId);
  if (!rec) throw new CoreError('not_found', `there is no run with id ${runId}`);
  const params = ctx.store.getWeights(runId);
  if (!params) throw new CoreError('conflict', `run ${runId} (${rec.status}) has no stored weights${rec.status === 'running' ? ' yet: it is still training' : ''}; pick a finished or stopped run`);
  if (rec.config.data.kind === 'csv') {
    throw new CoreError('conflict', `run ${runId} trained on a CSV file whose data is not stored, so its cost cannot be evaluated here; pick a run on a built-in or generated dataset`);
  }
  return { config: rec.config, params, data: loadData(rec.config.data) };
}

export function weightSpaceHandlers(ctx: CoreContext): Pick<Handlers, 'runs.interpolate' | 'runs.landscape'> {
  return {
    'runs.interpolate': async (p) => {
      if (p.a === p.b) throw new CoreError('invalid_payload', `runs.interpolate: a and b are the same run (${p.a}); give two different runs of one architecture`);
      const A = stored(ctx, p.a);
      const recB = ctx.store.findRun(p.b);
      if (!recB) throw new CoreError('not_found', `there is no run with id ${p.b}`);
      const archA = describeLayers(A.config.architecture), archB = describeLayers(recB.config.architecture);
      if (archA !== archB) {
        throw new CoreError('invalid_config', `runs ${p.a.slice(0, 8)} and ${p.b.slice(0, 8)} have different architectures (${archA} vs ${archB}); interpolate between two runs of one architecture`);
      }
      const b = ctx.store.getWeights(p.b);
      if (!b) throw new CoreError('conflict', `run ${p.b} (${recB.status}) has no stored weights; pick a finished or stopped run`);
      const r = await interpolate({
        config: A.config,
        data: A.data,
        a: A.params,
        b,
        ...(p.steps !== undefined ? { steps: p.steps } : {}),
        ...(p.from !== undefined ? { from: p.from } : {}),
        ...(p.to !== undefined ? { to: p.to } : {}),
      });
      return { alphas: r.alphas, trainCost: r.trainCost, testCost: r.testCost };
    },
    'runs.landscape': async (p) => {
      const run = stored(ctx, p.runId);
      const r = await landscape({
        config: run.config,
        data: run.data,
        params: run.params,
        ...(p.grid !== undefined ? { grid: p.grid } : {}),
        ...(p.span !== undefined ? { span: p.span } : {}),
        ...(p.seed !== undefined ? { seed: p.seed } : {}),
      });
      return { grid: r.grid, span: r.span, seed: r.seed, alphas: r.alphas, betas: r.betas, cost: r.cost, ...(r.testCost ? { testCost: r.testCost } : {}) };
    },
  };
}
