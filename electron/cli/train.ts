// `backprop-lab train`: one run from command-line options, progress on stderr, the result on stdout
// (a summary, or one JSON line with --json). The run is recorded in the run database (unless --no-record), it can
// start from exported weights (--init-from), and the trained network can be exported (--export).

import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ArchitectureError, type LayerSpec } from '../../engine/architecture';
import { BackendUnavailableError } from '../../engine/backends/index';
import {
  BACKEND_CHOICES,
  ConfigError,
  LOSSES,
  OPTIMIZERS,
  defaultConfig,
  resolveConfig,
  type DeepPartial,
  type RunConfig,
} from '../../engine/config';
import { loadData, type DataSplit } from '../../engine/datasets/index';
import type { ImportedWeights } from '../../engine/export/index';
import { createTrainer, type EpochMetrics, type TrainResult } from '../../engine/train';
import { MetricsRecorder, StoreError, type Store } from '../store/index';
import { formatOptions, listValues, numberOrText, parseArgs, UsageError, type OptionSpec } from './args';
import { cliDbPath, CliError, DB_OPTION, openCliStore, shortId } from './db';
import { checkOutputFolder, exportContent, formatOfFile, writeExport, type RunExportFormat } from './export';
import { describeArchitecture, readWeightsFile, sameArchitecture } from './import';
import { formatCost, percent, Progress } from './progress';
import { version, type CliIO } from './io';
import { NODE_BACKENDS } from '../backends';

const d = defaultConfig();
const GENERATED = ['moons', 'circles', 'xor', 'spiral', 'gaussian'] as const;

/** Every option of `train`, in the order the usage text lists them; defaults are the seed's experiment. */
export const TRAIN_OPTIONS: readonly OptionSpec[] = [
  { flag: '--arch', metavar: 'FILE|JSON', help: 'layers in the seed format, a JSON file or inline: [{"input_dim":2,"output_dim":25,"activation":"relu"},…]', default: "the seed's 2-25-50-50-25-1, relu…sigmoid" },
  { flag: '--dataset', metavar: 'NAME', help: `${GENERATED.join('|')}|csv:PATH`, default: d.data.kind },
  { flag: '--samples', metavar: 'N', help: 'samples to generate', default: String(d.data.samples) },
  { flag: '--noise', metavar: 'X', help: 'noise of the generated data', default: String(d.data.noise) },
  { flag: '--factor', metavar: 'X', help: 'circles only: inner radius relative to the outer', default: String(d.data.factor) },
  { flag: '--data-seed', metavar: 'N', help: 'random_state of the data generator', default: String(d.data.seed) },
  { flag: '--test-size', metavar: 'F', help: 'fraction held out as the test set (0: none)', default: String(d.data.testSize) },
  { flag: '--split-seed', metavar: 'N', help: 'random_state of the train/test split', default: String(d.data.splitSeed) },
  { flag: '--label-column', metavar: 'NAME', help: 'csv only: the label column', default: 'the last column' },
  { flag: '--epochs', metavar: 'N', help: 'epochs to train (0: initialize only and report the cost at init)', default: String(d.training.epochs) },
  { flag: '--lr', metavar: 'X', help: 'learning rate', default: String(d.training.learningRate) },
  { flag: '--batch-size', metavar: 'N', help: 'mini-batch size, or "full"', default: 'full batch' },
  { flag: '--optimizer', metavar: 'NAME', help: OPTIMIZERS.join('|'), default: d.training.optimizer },
  { flag: '--momentum', metavar: 'X', help: "momentum's μ", default: String(d.training.momentum) },
  { flag: '--beta1', metavar: 'X', help: "adam's β1", default: String(d.training.beta1) },
  { flag: '--beta2', metavar: 'X', help: "adam's β2", default: String(d.training.beta2) },
  { flag: '--epsilon', metavar: 'X', help: "adam's ε", default: String(d.training.epsilon) },
  { flag: '--l2', metavar: 'X', help: 'L2 penalty λ on the weights', default: String(d.training.l2) },
  { flag: '--loss', metavar: 'NAME', help: `${LOSSES.join('|')} (auto: from the output activation)`, default: d.training.loss },
  { flag: '--shuffle-seed', metavar: 'N', help: 'seed of the mini-batch shuffle', default: String(d.training.shuffleSeed) },
  { flag: '--seed', metavar: 'N', help: 'seed of init_layers (np.random.seed)', default: String(d.init.seed) },
  { flag: '--init-scale', metavar: 'X', help: 'initial weights are randn·X', default: String(d.init.scale) },
  { flag: '--backend', metavar: 'NAME', help: BACKEND_CHOICES.join('|'), default: d.backend },
  { flag: '--init-from', metavar: 'FILE', help: 'start from the weights in FILE.json or FILE.npz (an --export file); the architecture is the file’s, --arch must agree' },
  { flag: '--export', metavar: 'FILE', help: 'write the trained network by extension: .json (weights, config, metrics), .npz (numpy), .onnx, .py (the run as a numpy script)' },
  DB_OPTION,
  { flag: '--name', metavar: 'NAME', help: 'the run’s name in the run list', default: 'dataset, layers, optimizer and learning rate' },
  { flag: '--tag', metavar: 'TAG', help: 'a tag for the run (repeat it, or give a comma list)', repeatable: true },
  { flag: '--no-record', help: 'do not record the run in the run database' },
  { flag: '--json', help: 'print the result as one JSON line on stdout (the last line)' },
  { flag: '--quiet', short: '-q', help: 'no progress or notes on stderr' },
  { flag: '--help', short: '-h', help: 'show this help' },
  { flag: '--version', help: 'print the version' },
];

export function trainUsage(): string {
  return [
    'Usage: backprop-lab train [options]',
    '',
    'Trains one network and reports its cost and accuracy. Progress goes to stderr; the result to stdout.',
    'The run is recorded in the run database (see backprop-lab runs) unless --no-record; its id is printed on stderr.',
    'Exit codes: 0 finished, 1 diverged, 2 bad option or input, 130 interrupted (Ctrl-C).',
    '',
    'Options:',
    formatOptions(TRAIN_OPTIONS),
  ].join('\n');
}

/** What the command line says besides the run configuration. */
export interface TrainOptions {
  json: boolean;
  quiet: boolean;
  help: boolean;
  version: boolean;
  /** Absolute path of the file to write, if asked for. */
  exportPath: string | null;
  /** Its format, from the extension. */
  exportFormat: RunExportFormat | null;
  /** Absolute path of the weights file to start from (--init-from). */
  initFrom: string | null;
  /** Record the run in the run database (false with --no-record). */
  record: boolean;
  /** --db as given (relative to cwd), or undefined for the default database. */
  db: string | undefined;
  /** --name, trimmed. */
  name: string | undefined;
  /** --tag values, split at commas. */
  tags: string[];
  /** --arch was given (otherwise the default architecture is adapted to the data). */
  archGiven: boolean;
  /** Remarks for stderr (an option that does not apply to the chosen dataset). */
  notes: string[];
}

export interface ParseEnv {
  /** Reads a text file (for --arch FILE). Default: fs.readFileSync. */
  readText?: (path: string) => string;
  /** Folder that relative paths are resolved against. Default: process.cwd(). */
  cwd?: string;
}

/** Config paths as resolveConfig names them → the option that sets them, so errors name the option. */
const CONFIG_FLAGS: Record<string, string> = {
  'init.seed': '--seed',
  'init.scale': '--init-scale',
  'data.kind': '--dataset',
  'data.samples': '--samples',
  'data.noise': '--noise',
  'data.factor': '--factor',
  'data.seed': '--data-seed',
  'data.testSize': '--test-size',
  'data.splitSeed': '--split-seed',
  'training.epochs': '--epochs',
  'training.learningRate': '--lr',
  'training.batchSize': '--batch-size',
  'training.optimizer': '--optimizer',
  'training.momentum': '--momentum',
  'training.beta1': '--beta1',
  'training.beta2': '--beta2',
  'training.epsilon': '--epsilon',
  'training.l2': '--l2',
  'training.shuffleSeed': '--shuffle-seed',
  'training.loss': '--loss',
  backend: '--backend',
};

/** "training.learningRate must be …" → "--lr must be …". */
export function configErrorToUsage(message: string): string {
  const space = message.indexOf(' ');
  const flag = space > 0 ? CONFIG_FLAGS[message.slice(0, space)] : undefined;
  return flag ? flag + message.slice(space) : message;
}

/**
 * Turns `train`'s arguments into a checked RunConfig and the other options. Reads nothing but an --arch file.
 * Throws UsageError (with the option named) for anything that cannot be used.
 */
export function parseTrainArgs(argv: readonly string[], env: ParseEnv = {}): { config: RunConfig; options: TrainOptions } {
  const parsed = parseArgs(argv, TRAIN_OPTIONS, 'train');
  const opts = parsed.options;
  const cwd = env.cwd ?? process.cwd();
  const readText = env.readText ?? ((p: string) => readFileSync(p, 'utf8'));
  const str = (flag: string): string | undefined => {
    const v = opts.get(flag);
    return typeof v === 'string' ? v : undefined;
  };
  const num = (flag: string): number | string | undefined => {
    const v = str(flag);
    return v === undefined ? undefined : numberOrText(v);
  };
  const notes: string[] = [];

  // values as given (a number, or the text when it is not one): resolveConfig checks them and names the field
  const partial: { architecture?: unknown; backend?: string; data: Record<string, unknown>; training: Record<string, unknown>; init: Record<string, unknown> } = {
    data: {},
    training: {},
    init: {},
  };
  const set = (obj: Record<string, unknown>, key: string, v: unknown) => {
    if (v !== undefined) obj[key] = v;
  };

  // --arch: inline JSON when it looks like a list, else a file (a bare list, or an object with "architecture",
  // such as an --export file)
  const archArg = str('--arch');
  let archSource = '';
  if (archArg !== undefined) {
    let text = archArg;
    if (archArg.trim().startsWith('[')) archSource = '--arch';
    else {
      const path = resolve(cwd, archArg);
      if (!existsSync(path)) throw new UsageError(`--arch: file not found: ${archArg} (give a JSON file or inline JSON like '[{"input_dim":2,…}]')`);
      try {
        text = readText(path);
      } catch (e) {
        throw new UsageError(`--arch: cannot read ${archArg}: ${(e as Error).message}`);
      }
      archSource = `--arch ${archArg}`;
    }
    let value: unknown = text;
    try {
      value = JSON.parse(text);
    } catch {
      // left as text: validateArchitecture reports the JSON error
    }
    if (value && typeof value === 'object' && !Array.isArray(value) && 'architecture' in value) {
      value = (value as { architecture: unknown }).architecture;
    }
    partial.architecture = value;
  }

  // --dataset NAME | csv:PATH
  const dataset = str('--dataset') ?? d.data.kind;
  if (dataset === 'csv' || dataset.startsWith('csv:')) {
    const path = dataset.slice(4);
    if (!path) throw new UsageError('--dataset csv needs the file: --dataset csv:PATH, e.g. --dataset csv:data.csv');
    partial.data.kind = 'csv';
    partial.data.csv = { path: resolve(cwd, path), ...(str('--label-column') !== undefined ? { labelColumn: str('--label-column') } : {}) };
    for (const f of ['--samples', '--noise', '--factor', '--data-seed']) {
      if (opts.has(f)) notes.push(`${f} does not apply to a CSV dataset; ignored`);
    }
  } else {
    if (!(GENERATED as readonly string[]).includes(dataset)) {
      throw new UsageError(`--dataset must be one of ${GENERATED.join(', ')} or csv:PATH, got ${JSON.stringify(dataset)}`);
    }
    partial.data.kind = dataset;
    if (opts.has('--label-column')) throw new UsageError('--label-column is only for a CSV dataset (--dataset csv:PATH)');
    if (opts.has('--factor') && dataset !== 'circles') notes.push(`--factor only applies to circles; ignored for ${dataset}`);
  }
  set(partial.data, 'samples', num('--samples'));
  set(partial.data, 'noise', num('--noise'));
  set(partial.data, 'factor', num('--factor'));
  set(partial.data, 'seed', num('--data-seed'));
  set(partial.data, 'testSize', num('--test-size'));
  set(partial.data, 'splitSeed', num('--split-seed'));

  set(partial.training, 'epochs', num('--epochs'));
  set(partial.training, 'learningRate', num('--lr'));
  const batch = str('--batch-size');
  if (batch !== undefined) partial.training.batchSize = batch === 'full' ? null : numberOrText(batch);
  set(partial.training, 'optimizer', str('--optimizer'));
  set(partial.training, 'momentum', num('--momentum'));
  set(partial.training, 'beta1', num('--beta1'));
  set(partial.training, 'beta2', num('--beta2'));
  set(partial.training, 'epsilon', num('--epsilon'));
  set(partial.training, 'l2', num('--l2'));
  set(partial.training, 'loss', str('--loss'));
  set(partial.training, 'shuffleSeed', num('--shuffle-seed'));
  set(partial.init, 'seed', num('--seed'));
  set(partial.init, 'scale', num('--init-scale'));
  set(partial, 'backend', str('--backend'));

  const optimizer = str('--optimizer') ?? d.training.optimizer;
  if (optimizer !== 'momentum' && opts.has('--momentum')) notes.push('--momentum only applies to --optimizer momentum; ignored');
  if (optimizer !== 'adam') {
    for (const f of ['--beta1', '--beta2', '--epsilon']) if (opts.has(f)) notes.push(`${f} only applies to --optimizer adam; ignored`);
  }
  if (batch === undefined && opts.has('--shuffle-seed')) notes.push('--shuffle-seed only applies with --batch-size; ignored');

  const exportArg = str('--export');
  let exportPath: string | null = null;
  let exportFormat: RunExportFormat | null = null;
  if (exportArg !== undefined) {
    exportFormat = formatOfFile(exportArg, { metrics: false });
    if (!exportFormat) {
      throw new UsageError(`--export ${exportArg}: the extension says which format to write; use FILE.json, FILE.npz, FILE.onnx or FILE.py`);
    }
    exportPath = resolve(cwd, exportArg);
  }
  const initArg = str('--init-from');
  if (initArg !== undefined && exportFormat === 'py') {
    throw new UsageError('--export FILE.py cannot repeat a run that starts from --init-from weights (the script starts from init_layers(seed)); export .json or .npz instead');
  }

  const record = !opts.has('--no-record');
  const nameArg = str('--name')?.trim();
  if (nameArg !== undefined && (nameArg === '' || nameArg.length > 200)) throw new UsageError('--name must have 1 to 200 characters');
  const tags = listValues(parsed, '--tag');
  for (const t of tags) if (t.length > 64) throw new UsageError(`--tag ${JSON.stringify(t.slice(0, 20) + '…')} is too long; a tag has at most 64 characters`);
  if (!record) {
    for (const f of ['--db', '--name', '--tag']) if (opts.has(f)) notes.push(`${f} has no effect with --no-record; ignored`);
  }

  let config: RunConfig;
  try {
    config = resolveConfig(partial as DeepPartial<RunConfig>);
  } catch (e) {
    if (e instanceof ArchitectureError) throw new UsageError(`${archSource || 'architecture'}: ${e.message}`);
    if (e instanceof ConfigError) throw new UsageError(configErrorToUsage(e.message));
    throw e;
  }
  return {
    config,
    options: {
      json: opts.has('--json'),
      quiet: opts.has('--quiet'),
      help: opts.has('--help'),
      version: opts.has('--version'),
      exportPath,
      exportFormat,
      initFrom: initArg === undefined ? null : resolve(cwd, initArg),
      record,
      db: str('--db'),
      name: nameArg,
      tags,
      archGiven: archArg !== undefined,
      notes,
    },
  };
}

/**
 * The default architecture fitted to the data: layer 1 takes its features; the output is 1 sigmoid unit for two
 * classes or K softmax units for K. Returns null when the default already fits.
 */
export function adaptArchitecture(arch: readonly LayerSpec[], features: number, classes: number): LayerSpec[] | null {
  const out = arch.map((l) => ({ ...l }));
  out[0]!.input_dim = features;
  const last = out[out.length - 1]!;
  if (classes > 2) {
    last.output_dim = classes;
    last.activation = 'softmax';
  } else {
    last.output_dim = 1;
    last.activation = 'sigmoid';
  }
  const same = out.every((l, i) => l.input_dim === arch[i]!.input_dim && l.output_dim === arch[i]!.output_dim && l.activation === arch[i]!.activation);
  return same ? null : out;
}

/** The --json line: TrainResult's figures plus what ran and with which configuration. */
export interface TrainReport {
  status: TrainResult['status'];
  reason?: string;
  epochs: number;
  finalCost: number;
  trainAccuracy: number;
  testCost: number | null;
  testAccuracy: number | null;
  backend: TrainResult['backend'];
  msPerEpoch: number;
  parameterCount: number;
  config: RunConfig;
  export?: string;
  /** The run's id in the run database (absent with --no-record). */
  runId?: string;
  /** The run database it is recorded in. */
  db?: string;
  costHistory: number[];
}

const isNamed = (e: unknown, name: string): e is Error => e instanceof Error && e.name === name;

/** Runs `backprop-lab train argv…`; returns the exit code. */
export async function runTrain(argv: readonly string[], io: CliIO): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout(trainUsage() + '\n');
    return 0;
  }
  if (argv.includes('--version')) {
    io.stdout(version() + '\n');
    return 0;
  }
  const fail = (message: string, code = 2): number => {
    io.stderr(`backprop-lab: ${message}\n`);
    return code;
  };
  const cwd = io.cwd ?? process.cwd();

  let parsed: ReturnType<typeof parseTrainArgs>;
  try {
    parsed = parseTrainArgs(argv, { cwd });
  } catch (e) {
    if (e instanceof UsageError) return fail(e.message);
    throw e;
  }
  let { config } = parsed;
  const { options } = parsed;
  const note = (text: string) => {
    if (!options.quiet) io.stderr(`backprop-lab: ${text}\n`);
  };
  options.notes.forEach(note);

  let imported: ImportedWeights | null = null;
  try {
    if (options.exportPath) checkOutputFolder(options.exportPath, '--export');
    // --init-from: the file's architecture (validated with its weights); --arch may only repeat it
    if (options.initFrom) {
      imported = readWeightsFile(options.initFrom, '--init-from');
      if (options.archGiven && !sameArchitecture(config.architecture, imported.architecture)) {
        return fail(
          `--init-from ${options.initFrom} holds a ${describeArchitecture(imported.architecture)} network but --arch says ` +
            `${describeArchitecture(config.architecture)}; drop --arch (the file's architecture is used) or make them agree`,
        );
      }
      config = resolveConfig({ ...config, architecture: imported.architecture });
    }
  } catch (e) {
    if (e instanceof CliError) return fail(e.message, e.code);
    throw e;
  }

  // the data, read here so that the default architecture can be fitted to it
  let csvText: string | undefined;
  const csv = config.data.csv;
  if (config.data.kind === 'csv' && csv) {
    if (!existsSync(csv.path)) return fail(`--dataset csv: file not found: ${csv.path}`);
    try {
      csvText = readFileSync(csv.path, 'utf8');
    } catch (e) {
      return fail(`--dataset csv: cannot read ${csv.path}: ${(e as Error).message}`);
    }
  }
  let data: DataSplit;
  try {
    data = loadData(config.data, csvText);
  } catch (e) {
    if (isNamed(e, 'DatasetError') || e instanceof ConfigError) {
      const what = config.data.kind === 'csv' ? `--dataset csv:${csv?.path}` : `--dataset ${config.data.kind}`;
      return fail(`${what}: ${configErrorToUsage((e as Error).message)}`);
    }
    throw e;
  }
  if (!options.archGiven && !imported) {
    const adapted = adaptArchitecture(config.architecture, data.features, data.classes);
    if (adapted) {
      config = resolveConfig({ ...config, architecture: adapted });
      const out = adapted[adapted.length - 1]!;
      note(
        `the default architecture was adapted to the data (${data.features} features, ${data.classes} classes): ` +
          `${[adapted[0]!.input_dim, ...adapted.map((l) => l.output_dim)].join('-')}, ${out.activation} output; give --arch to choose the layers`,
      );
    }
  }

  let trainer: Awaited<ReturnType<typeof createTrainer>>;
  try {
    trainer = await createTrainer(config, { data, factories: NODE_BACKENDS, ...(imported ? { params: imported.params } : {}) });
  } catch (e) {
    if (e instanceof BackendUnavailableError) return fail(e.message);
    if (e instanceof ConfigError) return fail(`${imported ? `--init-from ${options.initFrom}: ` : ''}${configErrorToUsage(e.message)}`);
    throw e;
  }

  // the run database: opened now, so that a newer or damaged file is reported before a long run
  let store: Store | null = null;
  let dbPath: string | undefined;
  let runId: string | undefined;
  if (options.record) {
    dbPath = cliDbPath(options.db, io);
    try {
      store = openCliStore(dbPath, { create: true });
      const run = store!.createRun(config, {
        ...(options.name ? { name: options.name } : {}),
        tags: options.tags,
        backend: trainer.backendInfo,
        ...(imported && options.initFrom ? { notes: `started from the weights in ${options.initFrom}` } : {}),
      });
      runId = run.id;
      // the starting weights, kept so that the run can be told apart from one that began at init_layers(seed)
      if (imported) store!.saveCheckpoint(run.id, 0, imported.params);
    } catch (e) {
      trainer.free();
      store?.close();
      if (e instanceof CliError) return fail(`${e.message} (or train without recording: --no-record)`);
      if (e instanceof StoreError) return fail(e.message);
      throw e;
    }
  }
  let recorder: MetricsRecorder | null = store && runId ? new MetricsRecorder(store, runId) : null;
  /** Recording trouble (a disk that filled up) ends the recording, never the training. */
  const recordingFailed = (e: unknown) => {
    io.stderr(`backprop-lab: recording the run stopped (${(e as Error).message}); training goes on unrecorded\n`);
    try {
      recorder?.close();
    } catch {
      // the rows that could not be written are the reason we are here
    }
    recorder = null;
  };

  let interrupted = false;
  const unsubscribe = io.onInterrupt?.(() => {
    interrupted = true;
    trainer.stop();
  });
  const total = config.training.epochs;
  const b = trainer.backendInfo;
  note(
    `${total === 0 ? 'initializing' : `training ${total} epochs`} of ${trainer.parameterCount} parameters on ${data.train.n} samples ` +
      `(${data.test.n} held out), backend ${b.name} (${b.mode}, ${b.precision}; ${b.reason})` +
      (imported ? `, starting from the weights in ${options.initFrom}` : ''),
  );
  const progress = options.quiet || total === 0 ? null : new Progress(io.stderr, { total, tty: io.isTTY ?? false });
  const onEpoch = (m: EpochMetrics) => {
    progress?.update(m);
    if (recorder) {
      try {
        recorder.record(m);
      } catch (e) {
        recordingFailed(e);
      }
    }
  };
  let result: TrainResult;
  try {
    result = await trainer.run({ onEpoch });
  } catch (e) {
    // a bug or a backend failure: the run is recorded as failed with it, then reported as an internal error
    try {
      recorder?.fail(`the training stopped with an error: ${(e as Error).message ?? String(e)}`);
    } catch {
      // the original error matters more
    }
    trainer.free();
    store?.close();
    throw e;
  } finally {
    progress?.finish();
    unsubscribe?.();
  }

  if (result.status === 'diverged') io.stderr(`backprop-lab: ${result.reason}\n`);
  else if (result.status === 'stopped') note(`interrupted: ${result.reason}; the result below is partial`);

  // the run's end: finished, stopped (Ctrl-C) or failed (diverged, with the reason); weights only when finite
  const params = result.status === 'diverged' ? null : trainer.params();
  if (store && runId) {
    try {
      if (recorder) recorder.finish(result, params ?? undefined);
      else store.failRun(runId, 'recording stopped before the run ended', { epochs: result.epochs });
      const status = store.getRun(runId).status;
      note(`run ${shortId(runId)} recorded${status === 'finished' ? '' : ` as ${status}`} in ${dbPath}`);
    } catch (e) {
      io.stderr(`backprop-lab: the run's end could not be recorded in ${dbPath}: ${(e as Error).message}\n`);
    } finally {
      store.close();
    }
  }

  let exported: string | undefined;
  if (options.exportPath && options.exportFormat) {
    const format = options.exportFormat;
    if (result.status === 'diverged' && format !== 'py') note(`not writing ${options.exportPath}: the run diverged, its weights are not finite`);
    else {
      try {
        const content = exportContent(format, {
          architecture: config.architecture,
          config,
          params,
          summary: {
            status: result.status,
            epochs: result.epochs,
            finalCost: result.finalCost,
            trainAccuracy: result.trainAccuracy,
            testCost: result.testCost,
            testAccuracy: result.testAccuracy,
          },
          startedFromImport: imported !== null,
          producerVersion: version().replace(/^backprop-lab\s+/, ''),
        });
        writeExport(options.exportPath, content, '--export');
      } catch (e) {
        trainer.free();
        if (e instanceof CliError) return fail(e.message, e.code === 2 ? 1 : e.code);
        throw e;
      }
      exported = options.exportPath;
      note(`wrote ${options.exportPath}`);
    }
  }
  const parameterCount = trainer.parameterCount;
  trainer.free();

  if (options.json) {
    const report: TrainReport = {
      status: result.status,
      ...(result.reason ? { reason: result.reason } : {}),
      epochs: result.epochs,
      finalCost: result.finalCost,
      trainAccuracy: result.trainAccuracy,
      testCost: result.testCost,
      testAccuracy: result.testAccuracy,
      backend: result.backend,
      msPerEpoch: result.msPerEpoch,
      parameterCount,
      config,
      ...(exported ? { export: exported } : {}),
      ...(runId ? { runId, db: dbPath } : {}),
      costHistory: result.costHistory,
    };
    io.stdout(JSON.stringify(report) + '\n');
  } else {
    io.stdout(summary(result, config) + '\n');
  }
  if (result.status === 'diverged') return 1;
  if (result.status === 'stopped' && interrupted) return 130;
  return 0;
}

/** The human-readable result (stdout without --json). */
export function summary(r: TrainResult, config: RunConfig): string {
  const b = r.backend;
  const on = `on ${b.name} (${b.mode}, ${b.precision})`;
  const head =
    config.training.epochs === 0
      ? `initialized only (--epochs 0) ${on}: cost at init ${formatCost12(r.finalCost)}`
      : r.status === 'diverged'
        ? `diverged after ${r.epochs} epochs ${on}`
        : `${r.status === 'stopped' ? 'stopped after' : 'trained'} ${r.epochs} epochs in ${((r.msPerEpoch * r.epochs) / 1000).toFixed(1)} s ` +
          `(${r.msPerEpoch.toFixed(3)} ms/epoch) ${on}`;
  const lines = [head];
  if (r.status !== 'diverged') {
    lines.push(
      `train cost ${formatCost12(r.finalCost)}  train accuracy ${percent(r.trainAccuracy)}` +
        (r.testCost !== null ? `  test cost ${formatCost12(r.testCost)}  test accuracy ${percent(r.testAccuracy)}` : '  (no test set)'),
    );
  }
  return lines.join('\n');
}

const formatCost12 = (c: number) => (Number.isFinite(c) ? c.toFixed(12) : formatCost(c));
