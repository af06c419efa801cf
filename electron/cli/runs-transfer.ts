// `runs export` and `runs import`: a stored run out as weights (JSON, .npz), an ONNX network, a numpy script or
// its metrics; an exported weights file in as a new run, evaluated on its dataset when that can be loaded.

import { existsSync, readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { resolveConfig, type RunConfig } from '../../engine/config';
import { loadData } from '../../engine/datasets/index';
import { initLayers, type Params } from '../../engine/init';
import { createTrainer, type EpochMetrics } from '../../engine/train';
import type { Store } from '../store/index';
import { listValues, UsageError, type OptionSpec } from './args';
import { CliError, resolveId, shortId } from './db';
import { BINARY_FORMATS, checkOutputFolder, exportContent, EXTENSION, formatOfFile, RUN_EXPORT_FORMATS, writeExport, type RunExportFormat } from './export';
import { readWeightsFile } from './import';
import { version } from './io';
import type { RunsContext } from './runs';

export const EXPORT_OPTIONS: readonly OptionSpec[] = [
  { flag: '--format', metavar: 'F', help: `${RUN_EXPORT_FORMATS.join('|')}`, default: 'from the --out extension' },
  { flag: '--out', short: '-o', metavar: 'FILE', help: 'write to FILE', default: 'stdout, for the text formats' },
];

export const IMPORT_OPTIONS: readonly OptionSpec[] = [
  { flag: '--name', metavar: 'N', help: 'the new run’s name', default: '"imported FILE"' },
  { flag: '--tag', metavar: 'T', help: 'a tag for the new run (repeat it, or give a comma list)', repeatable: true },
];

/** Same values, bit for bit. */
function sameParams(a: Params, b: Params): boolean {
  return (
    a.length === b.length &&
    a.every((p, i) => {
      const q = b[i]!;
      if (p.name !== q.name || p.rows !== q.rows || p.cols !== q.cols || p.data.length !== q.data.length) return false;
      for (let k = 0; k < p.data.length; k++) if (!Object.is(p.data[k], q.data[k])) return false;
      return true;
    })
  );
}

/**
 * Did the run start from weights other than init_layers(seed)? `train --init-from` and `runs import` keep the
 * starting weights as a checkpoint at epoch 0; a run without one started from its seed.
 */
export function startedFromImport(store: Store, id: string, config: RunConfig): boolean {
  const start = store.getWeights(id, { kind: 'checkpoint', epoch: 0 });
  return start !== null && !sameParams(start, initLayers(config.architecture, config.init.seed, config.init.scale));
}

/** The run's metric rows as the engine's per-epoch records (missing values: NaN, or null for the test set). */
function epochMetricsOf(store: Store, id: string): EpochMetrics[] {
  const byStep = new Map<number, EpochMetrics>();
  const at = (step: number) => {
    let m = byStep.get(step);
    if (!m) byStep.set(step, (m = { epoch: step, trainCost: NaN, trainAccuracy: NaN, testCost: null, testAccuracy: null, elapsedMs: NaN }));
    return m;
  };
  for (const row of store.readMetrics(id, { keys: ['train_cost', 'train_accuracy', 'test_cost', 'test_accuracy', 'elapsed_ms'] })) {
    const m = at(row.step);
    if (row.key === 'train_cost') m.trainCost = row.value;
    else if (row.key === 'train_accuracy') m.trainAccuracy = row.value;
    else if (row.key === 'test_cost') m.testCost = row.value;
    else if (row.key === 'test_accuracy') m.testAccuracy = row.value;
    else m.elapsedMs = row.value;
  }
  return [...byStep.values()].sort((a, b) => a.epoch - b.epoch);
}

export function runExport(ctx: RunsContext): number {
  const p = ctx.args.positionals;
  if (p.length !== 1) {
    throw new UsageError(p.length === 0 ? 'runs export needs a run id: backprop-lab runs export ID --format F [--out FILE]' : `runs export takes one run id, got also ${JSON.stringify(p[1])}`);
  }
  const formatArg = ctx.args.options.get('--format');
  const outArg = ctx.args.options.get('--out');
  const out = typeof outArg === 'string' ? resolve(ctx.io.cwd ?? process.cwd(), outArg) : null;
  let format: RunExportFormat | null = null;
  if (typeof formatArg === 'string') {
    if (!(RUN_EXPORT_FORMATS as readonly string[]).includes(formatArg)) throw new UsageError(`--format must be one of ${RUN_EXPORT_FORMATS.join(', ')}, got ${JSON.stringify(formatArg)}`);
    format = formatArg as RunExportFormat;
  } else if (out) {
    format = formatOfFile(out, { metrics: true });
    if (!format) throw new UsageError(`--out ${outArg}: the extension does not say which format to write; add --format ${RUN_EXPORT_FORMATS.join('|')}`);
  } else {
    throw new UsageError(`runs export needs the format: --format ${RUN_EXPORT_FORMATS.join('|')} (or --out FILE with a .json, .npz, .onnx, .py or .csv name)`);
  }
  if (!out && BINARY_FORMATS.includes(format)) throw new UsageError(`${format} is binary and is not written to the terminal; give the file: --out FILE${EXTENSION[format]}`);
  if (out) checkOutputFolder(out, '--out');

  const store = ctx.open();
  if (!store) throw new CliError(`no run matches ${JSON.stringify(p[0])}: there is no run database at ${ctx.dbPath} yet`);
  const id = resolveId(store, p[0]!);
  const run = store.getRun(id);
  const params = format === 'json' || format === 'npz' || format === 'onnx' ? store.getWeights(id) : null;
  const content = exportContent(format, {
    architecture: run.config.architecture,
    config: run.config,
    params,
    noParamsWhy:
      run.status === 'running' ? `run ${shortId(id)} is still running`
      : run.status === 'finished' ? `run ${shortId(id)} has none stored`
      : `run ${shortId(id)} ${run.status}${run.error ? `: ${run.error}` : ''}`,
    summary: {
      status: run.status,
      epochs: run.epochsDone,
      finalCost: run.finalCost,
      trainAccuracy: run.trainAccuracy,
      testCost: run.testCost,
      testAccuracy: run.testAccuracy,
    },
    title: run.name,
    epochMetrics: () => epochMetricsOf(store, id),
    metricsInfo: { run: { id, name: run.name, status: run.status } },
    startedFromImport: format === 'py' && startedFromImport(store, id, run.config),
    producerVersion: version().replace(/^backprop-lab\s+/, ''),
  });
  if (!out) {
    ctx.io.stdout(content as string); // text: binary formats need --out (checked above)
    return 0;
  }
  writeExport(out, content, '--out');
  const bytes = typeof content === 'string' ? Buffer.byteLength(content) : content.length;
  if (ctx.json) ctx.io.stdout(JSON.stringify({ id, format, out, bytes }) + '\n');
  else ctx.io.stderr(`backprop-lab: wrote run ${shortId(id)} as ${format} to ${out} (${bytes} bytes)\n`);
  return 0;
}

export async function runImport(ctx: RunsContext): Promise<number> {
  const p = ctx.args.positionals;
  if (p.length !== 1) {
    throw new UsageError(p.length === 0 ? 'runs import needs a file: backprop-lab runs import FILE.json|FILE.npz [--name N]' : `runs import takes one file, got also ${JSON.stringify(p[1])}`);
  }
  const path = resolve(ctx.io.cwd ?? process.cwd(), p[0]!);
  const w = readWeightsFile(path, 'runs import');
  const nameArg = ctx.args.options.get('--name');
  const name = typeof nameArg === 'string' ? nameArg : `imported ${basename(path)}`;
  const tags = listValues(ctx.args, '--tag');
  const config = w.config ?? resolveConfig({ architecture: w.architecture });

  // the figures come from evaluating the weights here (on the float64 CPU backend), never from the file
  let final: { epochs: number; finalCost?: number; trainAccuracy?: number; testCost?: number | null; testAccuracy?: number | null } = { epochs: 0 };
  let evaluated = '';
  try {
    const csvText = config.data.kind === 'csv' && config.data.csv && existsSync(config.data.csv.path) ? readFileSync(config.data.csv.path, 'utf8') : undefined;
    const evalConfig = resolveConfig({ ...config, training: { ...config.training, epochs: 0 }, backend: 'cpu' });
    const trainer = await createTrainer(evalConfig, { data: loadData(evalConfig.data, csvText), params: w.params });
    try {
      const r = await trainer.run();
      final = { epochs: 0, finalCost: r.finalCost, trainAccuracy: r.trainAccuracy, testCost: r.testCost, testAccuracy: r.testAccuracy };
      evaluated = `evaluated on ${config.data.kind}: cost ${r.finalCost}`;
    } finally {
      trainer.free();
    }
  } catch (e) {
    evaluated = `not evaluated (${(e as Error).message})`;
  }

  const store = ctx.open({ create: true })!;
  const run = store.importRun({
    name,
    status: 'finished',
    config,
    tags,
    notes: `imported from ${path}${w.config ? '' : ' (the file has no run configuration; the defaults were recorded with its architecture)'}`,
    final,
    weights: w.params,
  });
  // the starting weights, so that the run is known not to come from init_layers(seed) (see startedFromImport)
  store.saveCheckpoint(run.id, 0, w.params);
  if (ctx.json) ctx.io.stdout(JSON.stringify({ id: run.id, name: run.name, status: run.status, db: ctx.dbPath, finalCost: run.finalCost, testAccuracy: run.testAccuracy }) + '\n');
  else ctx.io.stdout(`imported ${path} as run ${shortId(run.id)} (${JSON.stringify(run.name)}) in ${ctx.dbPath}; ${evaluated}\n`);
  return 0;
}
