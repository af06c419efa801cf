// The network of a run, inspected: the forward cache for one input and the gradient check — on the run's live
// worker, or on one attached to its stored weights when it has none. Also app.info (version, host, backends).

import { defaultConfig } from '../../engine/config';
import { releaseBackend, type BackendFactory } from '../../engine/backends/index';
import { NODE_BACKENDS } from '../../engine/backends/node';
import { MAX_COMPARE, MAX_CSV_TEXT, MAX_IMPORT_BYTES, type AppInfo, type RunId } from '../contract';
import { paramsToPlain } from '../trainer/snapshot';
import { DEFAULT_MAX_LIVE_RUNS, type CoreContext, type Handlers } from './context';
import { CoreError } from './errors';

async function probeBackends(factories: BackendFactory[]): Promise<AppInfo['backends']> {
  // one entry per choice (a Node host offers a threaded and a one-thread cpu): available if any of them starts
  const byName = new Map<string, { available: boolean; details: string[] }>();
  for (const f of factories) {
    const entry = byName.get(f.name) ?? { available: false, details: [] };
    byName.set(f.name, entry);
    try {
      const b = await f.create();
      entry.available = true;
      entry.details.push(`${b.mode} (${b.precision})`);
      await releaseBackend(b);
    } catch (e) {
      entry.details.push((e as Error).message);
    }
  }
  return [...byName].map(([name, e]) => ({ name: name as BackendFactory['name'], available: e.available, detail: e.details.join('; ') }));
}

export function netHandlers(ctx: CoreContext): Pick<Handlers, 'app.info' | 'net.inspect' | 'net.gradCheck'> {
  const { store, trainers, deps } = ctx;
  let backendsInfo: Promise<AppInfo['backends']> | null = null;

  /** The run's live worker, or one started on its stored final weights. */
  const ensureWorker = async (runId: RunId) => {
    if (trainers.has(runId)) return;
    const rec = store.getRun(runId);
    const params = store.getWeights(runId);
    if (!params) {
      throw new CoreError('conflict', `run ${runId} (${rec.status}) has no stored weights to inspect${rec.status === 'running' ? '; it is training in another process' : ''}`);
    }
    if (rec.config.data.kind === 'csv') {
      throw new CoreError('conflict', `run ${runId} trained on a CSV file whose data is not stored, and its worker was let go to free memory; start a new run from its weights to inspect it`);
    }
    await trainers.attach(runId, { config: rec.config, params: paramsToPlain(params) });
  };

  return {
    'app.info': async () => {
      backendsInfo ??= probeBackends(deps.backends ?? NODE_BACKENDS);
      return {
        version: deps.version,
        host: deps.host,
        backends: await backendsInfo,
        defaultConfig: defaultConfig(),
        limits: { maxCsvText: MAX_CSV_TEXT, maxImportBytes: MAX_IMPORT_BYTES, maxCompare: MAX_COMPARE, maxLiveRuns: deps.maxLiveRuns ?? DEFAULT_MAX_LIVE_RUNS },
      };
    },
    'net.inspect': async (p) => {
      await ensureWorker(p.runId);
      return trainers.inspect(p.runId, p.point);
    },
    'net.gradCheck': async (p) => {
      await ensureWorker(p.runId);
      return trainers.gradCheck(p.runId, { maxPerParam: p.maxPerParam ?? 20, samples: p.samples ?? 256 });
    },
  };
}
