// Weight-space views of stored runs: the cost along the line between two runs' weights (runs.interpolate) and on a
// plane through one run's weights (runs.landscape, with the run's trajectory — its stored weight sets — projected on
// it), evaluated here in float64 (engine/interpolate.ts, engine/landscape.ts) on the run's own data, regenerated
// from its configuration; and the distributions of its weights over those stored sets (runs.distributions).

import { describeLayers } from '../../engine/architecture';
import type { RunConfig } from '../../engine/config';
import { loadData, type DataSplit } from '../../engine/datasets/index';
import { DISTRIBUTION_PERCENTILES, layerDistributions } from '../../engine/distribution';
import { initLayers, type Params } from '../../engine/init';
import { interpolate } from '../../engine/interpolate';
import { landscape } from '../../engine/landscape';
import { projectOnPlane } from '../../engine/trajectory';
import type { RunId } from '../contract';
import type { Store } from '../store/index';
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

/**
 * A run's stored weight sets before its final weights, by epoch: its starting weights (the epoch-0 checkpoint of given
 * weights, or init_layers(seed) for a run trained from scratch, a clone or a re-run included — not for a continued
 * run, which starts from its parent's last state) and its periodic checkpoints.
 */
export function storedTrajectory(store: Store, runId: RunId): Array<{ epoch: number; params: Params }> {
  const rec = store.getRun(runId);
  const out: Array<{ epoch: number; params: Params }> = [];
  const epochs = rec.weights.filter((w) => w.kind === 'checkpoint').map((w) => w.epoch);
  if (!epochs.includes(0) && rec.lineage?.origin !== 'continue' && rec.epochsDone > 0) {
    const { architecture, init } = rec.config;
    out.push({ epoch: 0, params: initLayers(architecture, init.seed, init.scale) });
  }
  for (const epoch of epochs) {
    const params = store.getWeights(runId, { kind: 'checkpoint', epoch });
    if (params) out.push({ epoch, params });
  }
  return out;
}

export function weightSpaceHandlers(ctx: CoreContext): Pick<Handlers, 'runs.interpolate' | 'runs.landscape' | 'runs.distributions'> {
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
      const [d1, d2] = r.directions;
      const trajectory = storedTrajectory(ctx.store, p.runId).map((c) => ({ epoch: c.epoch, ...projectOnPlane(run.params, d1, d2, c.params) }));
      return {
        grid: r.grid,
        span: r.span,
        seed: r.seed,
        alphas: r.alphas,
        betas: r.betas,
        cost: r.cost,
        ...(r.testCost ? { testCost: r.testCost } : {}),
        ...(trajectory.length ? { trajectory } : {}),
      };
    },
    'runs.distributions': async (p) => {
      const rec = ctx.store.findRun(p.runId);
      if (!rec) throw new CoreError('not_found', `there is no run with id ${p.runId}`);
      const points = storedTrajectory(ctx.store, p.runId).map((c) => ({ epoch: c.epoch, layers: layerDistributions(c.params) }));
      const final = ctx.store.getWeights(p.runId);
      // the final weights, unless the last checkpoint holds them already; an early stop's are its best epoch's, one of
      // the checkpoints when that epoch was kept
      const last = ctx.store.getWeights(p.runId, { kind: 'checkpoint' });
      const same = last !== null && final !== null && last.every((m, i) => m.data.every((v, k) => Object.is(v, final[i]!.data[k])));
      if (final && !same && !rec.stoppedEarly) points.push({ epoch: rec.epochsDone, layers: layerDistributions(final) });
      return { percentiles: [...DISTRIBUTION_PERCENTILES], points };
    },
  };
}
