// Export and import, the one implementation behind the dashboard, browser mode and the command line: a run's
// weights, network, numpy script or metrics as a file (engine/export makes the bytes); weights from a file, to start
// a run from or to store as a run of its own. Imported files are untrusted: they are size-capped and fully
// validated, and nothing a file names (a CSV path in its configuration) is ever opened.

import { describeLayers, layerWidths, parameterCount, validateArchitecture } from '../../engine/architecture';
import { resolveConfig, type RunConfig } from '../../engine/config';
import { loadData } from '../../engine/datasets/index';
import { importWeights, type ImportedWeights } from '../../engine/export/index';
import { ExportError } from '../../engine/export/errors';
import { exportRun as exportBytes, formatInfo, type FormatName } from '../../engine/export/formats';
import type { EpochMetrics } from '../../engine/train';
import { createTrainer } from '../../engine/train';
import { MAX_IMPORT_BYTES, METRIC_KEYS, type RunId } from '../contract';
import type { RunRecord, Store } from '../store/index';
import { paramsToPlain } from '../trainer/snapshot';
import { summary, type CoreContext, type Handlers } from './context';
import { CoreError, retryBusy } from './errors';
import { KEY_TO_STORE } from './queries';

const SLUG = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'run';

/** The run's metric rows as the engine's per-epoch records (missing values: NaN, or null for the test set). */
function epochMetricsOf(store: Store, id: string): EpochMetrics[] {
  const byStep = new Map<number, EpochMetrics>();
  const field = Object.fromEntries(METRIC_KEYS.map((k) => [KEY_TO_STORE[k], k])) as Record<string, keyof EpochMetrics>;
  for (const row of store.readMetrics(id, { keys: Object.keys(field) })) {
    let m = byStep.get(row.step);
    if (!m) byStep.set(row.step, (m = { epoch: row.step, trainCost: NaN, trainAccuracy: NaN, testCost: null, testAccuracy: null, elapsedMs: NaN }));
    (m as unknown as Record<string, number>)[field[row.key]!] = row.value;
  }
  return [...byStep.values()].sort((a, b) => a.epoch - b.epoch);
}

/** The file of one export of a stored run. */
export function exportStoredRun(store: Store, runId: RunId, format: FormatName, producerVersion: string): { filename: string; mime: string; base64: string } {
  const rec = store.getRun(runId);
  const info = formatInfo(format)!;
  const params = info.needsWeights ? store.getWeights(runId) : null;
  const start = format === 'py' ? store.getWeights(runId, { kind: 'checkpoint', epoch: 0 }) : null;
  let content: string | Uint8Array;
  try {
    content = exportBytes(format, {
      architecture: rec.config.architecture,
      config: rec.config,
      params,
      ...(start ? { initialParams: start } : {}),
      summary: { status: rec.status, epochs: rec.epochsDone, finalCost: rec.finalCost, trainAccuracy: rec.trainAccuracy, testCost: rec.testCost, testAccuracy: rec.testAccuracy },
      title: rec.name,
      epochMetrics: () => epochMetricsOf(store, runId),
      metricsInfo: { run: { id: runId, name: rec.name, status: rec.status } },
      producerVersion,
    });
  } catch (e) {
    if (e instanceof ExportError && e.code === 'no_weights') {
      throw new CoreError('conflict', `run ${runId} (${rec.status}) has no stored weights to export as ${format}${rec.status === 'failed' ? ': it failed, so its weights were not kept' : ''}; the metrics and the notebook script (py) can be exported`);
    }
    if (e instanceof ExportError) throw new CoreError('unsupported', e.message);
    throw e;
  }
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
  return { filename: `${SLUG(rec.name)}-${rec.id.slice(0, 8)}${info.ext}`, mime: info.mime, base64: bytes.toString('base64') };
}

/** A weights file's bytes from base64, within the import limit. */
function fileBytes(filename: string, base64: string): { name: string; bytes: Uint8Array } {
  const bytes = Buffer.from(base64, 'base64');
  const name = filename.split(/[\\/]/).pop() || 'the file';
  if (bytes.length > MAX_IMPORT_BYTES) throw new CoreError('import_failed', `${name} is larger than the ${MAX_IMPORT_BYTES / 1024 / 1024} MiB import limit`);
  return { name, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length) };
}

/** Final figures of imported weights on their data: generated data is made again; a CSV is never opened. */
async function evaluate(config: RunConfig, w: ImportedWeights): Promise<{ final: Partial<RunRecord> & { epochs: number }; evaluated: string }> {
  if (config.data.kind === 'csv') {
    return { final: { epochs: 0 }, evaluated: `not evaluated: the file's run trained on a CSV file whose data it does not hold (an imported file never makes Backprop Lab open a path it names)` };
  }
  const evalConfig = resolveConfig({ ...config, training: { ...config.training, epochs: 0 }, backend: 'cpu' });
  const trainer = await createTrainer(evalConfig, { data: loadData(evalConfig.data), params: w.params });
  try {
    const r = await trainer.run();
    return {
      final: { epochs: 0, finalCost: r.finalCost, trainAccuracy: r.trainAccuracy, testCost: r.testCost, testAccuracy: r.testAccuracy },
      evaluated: `evaluated on ${config.data.kind}: cost ${r.finalCost}`,
    };
  } finally {
    trainer.free();
  }
}

export function transferHandlers(ctx: CoreContext): Pick<Handlers, 'runs.export' | 'runs.importWeights' | 'runs.import'> {
  const { store, events, deps } = ctx;
  return {
    'runs.export': (p) => exportStoredRun(store, p.runId, p.format, deps.version),
    'runs.importWeights': (p) => {
      const { name, bytes } = fileBytes(p.filename, p.base64);
      const arch = p.architecture ? validateArchitecture(p.architecture) : undefined;
      const w = importWeights(bytes, { fileName: name, ...(arch ? { architecture: arch } : {}) });
      if (arch && JSON.stringify(arch) !== JSON.stringify(w.architecture)) {
        throw new CoreError('import_failed', `${name} holds weights for ${describeLayers(w.architecture)}, not for the design's ${layerWidths(arch)}; change the design or load its own architecture`);
      }
      return { architecture: w.architecture, params: paramsToPlain(w.params), config: w.config ?? null, parameterCount: parameterCount(w.architecture) };
    },
    'runs.import': async (p) => {
      const { name, bytes } = fileBytes(p.filename, p.base64);
      const w = importWeights(bytes, { fileName: name });
      const config = w.config ?? resolveConfig({ architecture: w.architecture });
      const { final, evaluated } = await evaluate(config, w).catch((e: Error) => ({ final: { epochs: 0 }, evaluated: `not evaluated (${e.message.split('\n')[0]})` }));
      const run = await retryBusy(() => {
        const r = store.importRun({
          name: p.name ?? `imported ${name}`,
          status: 'finished',
          config,
          tags: p.tags ?? [],
          notes: `imported from ${name}${w.config ? '' : ' (the file has no run configuration; the defaults were recorded with its architecture)'}`,
          final,
          weights: w.params,
        });
        // the starting weights, so that a numpy script export starts from them (not from init_layers(seed))
        store.saveCheckpoint(r.id, 0, w.params);
        return r;
      });
      events.emit('runs.changed', { runId: run.id, change: 'created' });
      return { run: summary(ctx, run, layerWidths(config.architecture)), evaluated };
    },
  };
}
