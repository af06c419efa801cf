// `backprop-lab train`: flags → a run configuration → the core (the same `runs.start` the dashboard sends) →
// progress on stderr from the core's events, the result on stdout (a summary, or one JSON line with --json).
// One option table drives parsing, `--help` and the configuration. The run is recorded in the run database
// (unless --no-record, which trains on an in-memory one); it can start from exported weights (--init-from) and
// be exported (--export) through the core's one export.

import { resolve } from 'node:path';
import { adaptArchitecture, ArchitectureError, describeLayers, layerWidths, sameLayers, type LayerSpec } from '../../engine/architecture';
import { BUILTIN_KINDS, ConfigError, defaultConfig, resolveConfig, taskOf, type DeepPartial, type RunConfig } from '../../engine/config';
import { formatOfFile, TRAIN_EXPORT_FORMATS, type FormatName } from '../../engine/export/format-table';
import type { EpochMetrics, FinalMetrics } from '../../engine/train';
import { createCore, type Core } from '../core/index';
import { MAX_CSV_TEXT, MAX_IMPORT_BYTES, type CommandError, type ParamJSON, type RunStatusEvent } from '../contract';
import { MAX_NAME_LENGTH, MAX_TAG_LENGTH } from '../limits';
import { openStore, type Store } from '../store/index';
import { formatOptions, listValues, numberOrText, parseArgs, UsageError, type OptionSpec } from './args';
import { GENERATED_DATASETS as GENERATED, TRAINING_OPTIONS } from '../sweeps/options';
import { cliDbPath, CliError, DB_OPTION, openCliStore, shortId } from './db';
import { readUserFile } from './files';
import { formatCost, percent, Progress } from './progress';
import { fail, version, type CliIO } from './io';
import { writeExport, checkOutputFolder } from './export';

export { adaptArchitecture };

const d = defaultConfig();

/** An option of `train`: how the usage shows it and, for those that set the configuration, the path they set. */
export interface TrainOption extends OptionSpec {
  /** The configuration field it sets ("training.learningRate"); its value goes in as a number when it is one. */
  config?: string;
}

/** Every option of `train`, in the order the usage text lists them; defaults are the seed's experiment. */
export const TRAIN_OPTIONS: readonly TrainOption[] = [
  // the training options: the one table a sweep's keys come from too (electron/sweeps/options.ts)
  ...TRAINING_OPTIONS.map((o): TrainOption => ({ flag: `--${o.name}`, metavar: o.metavar, help: o.help, default: o.default, ...(o.own ? {} : { config: o.path }) })),
  { flag: '--from-run', metavar: 'ID', help: "start from a recorded run's configuration: the options given override it (clone & edit); with none, a re-run (same seeds: bit for bit)" },
  { flag: '--continue', metavar: 'ID', help: "continue a recorded run from its final weights and optimizer state (and shuffle position) for --epochs more epochs (default: as many as it was set to); other options override its configuration" },
  { flag: '--init-from', metavar: 'FILE', help: 'start from the weights in FILE.json, FILE.npz or FILE.onnx (an --export file); the architecture is the file’s, --arch must agree' },
  { flag: '--export', metavar: 'FILE', help: 'write the trained network by extension: .json (weights, config, metrics), .npz (numpy), .onnx, .py (the run as a numpy script)' },
  DB_OPTION,
  { flag: '--name', metavar: 'NAME', help: 'the run’s name in the run list', default: 'data · lr · optimizer, e.g. "moons · lr 0.01 · sgd"; "… #2" when that is taken' },
  { flag: '--tag', metavar: 'TAG', help: 'a tag for the run (repeat it, or give a comma list)', repeatable: true },
  { flag: '--no-record', help: 'do not record the run in the run database' },
  { flag: '--json', help: 'print the result as one JSON line on stdout (the last line)' },
  { flag: '--quiet', short: '-q', help: 'no progress or notes on stderr' },
  { flag: '--help', short: '-h', help: 'show this help' },
  { flag: '--version', help: 'print the version' },
];

/** Exit codes of `train`. */
export const EXIT = { finished: 0, diverged: 1, usage: 2, recordingLost: 3, failed: 4, SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;

export function trainUsage(): string {
  return [
    'Usage: backprop-lab train [options]',
    '',
    'Trains one network and reports its cost and accuracy (R² for regression data: plane, multi-gaussian, diabetes).',
    'Progress goes to stderr; the result to stdout.',
    'The run is recorded in the run database (see backprop-lab runs) unless --no-record; its id is printed on stderr.',
    'Exit codes: 0 finished, 1 diverged, 2 bad option or input, 3 trained but the run database refused part of its record,',
    '4 the training failed, 130/143/129 stopped by Ctrl-C / SIGTERM / SIGHUP (the partial run is kept as stopped).',
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
  exportFormat: FormatName | null;
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
  /** --arch was given (otherwise the default architecture is fitted to the data). */
  archGiven: boolean;
  /** Remarks for stderr (an option that does not apply to the chosen dataset). */
  notes: string[];
  /** --from-run or --continue: the recorded run (an id or the start of one) and how the new run comes from it. */
  from: { id: string; mode: 'continue' | 'clone' | 'rerun'; epochs?: number } | null;
  /** With `from`: only the configuration fields the options gave, to lay over the recorded run's. */
  overrides: DeepPartial<RunConfig>;
}

export interface ParseEnv {
  /** Folder that relative paths are resolved against. Default: process.cwd(). */
  cwd?: string;
}

/** Config paths → the option that sets them, from the table, so errors name the option. */
const CONFIG_FLAGS: Record<string, string> = Object.fromEntries(TRAIN_OPTIONS.filter((o) => o.config).map((o) => [o.config!, o.flag]));
CONFIG_FLAGS['data.kind'] = '--dataset';
CONFIG_FLAGS['data.csv.path'] = '--dataset';
CONFIG_FLAGS['data.features'] = '--features';
CONFIG_FLAGS['data.standardize'] = '--standardize';

/** "training.learningRate must be …" → "--lr must be …" (the path at the start, or after "data: "). */
export function configErrorToUsage(message: string): string {
  return message.replace(/^([A-Za-z0-9_.]+)(:? )/, (all, path: string, sep: string) => (CONFIG_FLAGS[path] ? `${CONFIG_FLAGS[path]}${sep}` : all)).replace(/\b(set|to) (training\.batchSize|training\.epochs|data\.samples)\b/g, (_a, w: string, p: string) => `${w} ${CONFIG_FLAGS[p]}`);
}

/** Sets `path` ("training.learningRate") in a nested partial configuration. */
function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let o = obj;
  for (const k of keys.slice(0, -1)) o = (o[k] ??= {}) as Record<string, unknown>;
  o[keys[keys.length - 1]!] = value;
}

/** The architecture of --arch: inline JSON (a list), or a file holding a list or an export with "architecture". */
function readArch(arg: string, cwd: string): { value: unknown; source: string } {
  const inline = /^\s*[[{]/.test(arg);
  let text = arg;
  if (!inline) text = readUserFile(resolve(cwd, arg), '--arch', MAX_IMPORT_BYTES, `give a JSON file or inline JSON like '[{"input_dim":2,…}]'`).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--arch${inline ? '' : ` ${arg}`}: not valid JSON (${(e as Error).message}); give a list like '[{"input_dim":2,"output_dim":1,"activation":"sigmoid"}]'`);
  }
  if (value && typeof value === 'object' && !Array.isArray(value) && 'architecture' in value) value = (value as { architecture: unknown }).architecture;
  if (!Array.isArray(value)) throw new UsageError(`--arch${inline ? '' : ` ${arg}`}: expected a list of layers like '[{"input_dim":2,"output_dim":1,"activation":"sigmoid"}]', got ${JSON.stringify(value).slice(0, 40)}`);
  return { value, source: inline ? '--arch' : `--arch ${arg}` };
}

/**
 * Turns `train`'s arguments into a checked RunConfig and the other options. Reads nothing but an --arch file.
 * Throws UsageError or CliError (with the option named) for anything that cannot be used.
 */
export function parseTrainArgs(argv: readonly string[], env: ParseEnv = {}): { config: RunConfig; options: TrainOptions } {
  const parsed = parseArgs(argv, TRAIN_OPTIONS, 'train');
  const opts = parsed.options;
  const cwd = env.cwd ?? process.cwd();
  const str = (flag: string): string | undefined => {
    const v = opts.get(flag);
    return typeof v === 'string' ? v : undefined;
  };
  const notes: string[] = [];
  const partial: Record<string, unknown> = {};

  // the options that set a configuration field, as given (a number, or the text): resolveConfig checks them
  for (const o of TRAIN_OPTIONS) {
    const v = o.config ? str(o.flag) : undefined;
    if (v === undefined) continue;
    setPath(partial, o.config!, o.flag === '--batch-size' && v === 'full' ? null : o.metavar === 'NAME' ? v : numberOrText(v));
  }

  const archArg = str('--arch');
  let archSource = '';
  if (archArg !== undefined) {
    const a = readArch(archArg, cwd);
    partial['architecture'] = a.value;
    archSource = a.source;
  }

  // --standardize, --features LIST (x1,x2,x1^2 or a JSON list, as a sweep's trial writes it)
  if (opts.has('--standardize')) setPath(partial, 'data.standardize', true);
  const features = str('--features');
  if (features !== undefined) {
    let list: unknown = features.split(',').map((f) => f.trim());
    if (/^\s*\[/.test(features)) {
      try {
        list = JSON.parse(features);
      } catch {
        throw new UsageError(`--features ${features}: not a list; give names separated by commas, e.g. --features x1^2,x2^2`);
      }
    }
    setPath(partial, 'data.features', list);
  }

  // --dataset NAME | csv:PATH
  const dataset = str('--dataset') ?? d.data.kind;
  if (dataset === 'csv' || dataset.startsWith('csv:')) {
    const path = dataset.slice(4);
    if (!path) throw new UsageError('--dataset csv needs the file: --dataset csv:PATH, e.g. --dataset csv:data.csv');
    setPath(partial, 'data.kind', 'csv');
    setPath(partial, 'data.csv', { path: resolve(cwd, path), ...(str('--label-column') !== undefined ? { labelColumn: str('--label-column') } : {}) });
    for (const f of ['--samples', '--noise', '--factor', '--data-seed']) if (opts.has(f)) notes.push(`${f} does not apply to a CSV dataset; ignored`);
  } else {
    if (!(GENERATED as readonly string[]).includes(dataset)) {
      throw new UsageError(`--dataset must be one of ${GENERATED.join(', ')} or csv:PATH, got ${JSON.stringify(dataset)}`);
    }
    setPath(partial, 'data.kind', dataset);
    if (opts.has('--label-column')) throw new UsageError('--label-column is only for a CSV dataset (--dataset csv:PATH)');
    if (opts.has('--factor') && dataset !== 'circles') notes.push(`--factor only applies to circles; ignored for ${dataset}`);
    if ((BUILTIN_KINDS as readonly string[]).includes(dataset)) for (const f of ['--samples', '--noise', '--data-seed']) if (opts.has(f)) notes.push(`${f} does not apply to the built-in ${dataset}; ignored`);
  }

  const optimizer = str('--optimizer') ?? d.training.optimizer;
  if (optimizer !== 'momentum' && opts.has('--momentum')) notes.push('--momentum only applies to --optimizer momentum; ignored');
  if (optimizer !== 'adam') for (const f of ['--beta1', '--beta2', '--epsilon']) if (opts.has(f)) notes.push(`${f} only applies to --optimizer adam; ignored`);
  if (str('--batch-size') === undefined && opts.has('--shuffle-seed')) notes.push('--shuffle-seed only applies with --batch-size; ignored');

  const exportArg = str('--export');
  let exportPath: string | null = null;
  let exportFormat: FormatName | null = null;
  if (exportArg !== undefined) {
    exportFormat = formatOfFile(exportArg, { trainExport: true });
    if (!exportFormat) {
      const names = TRAIN_EXPORT_FORMATS.map((f) => `FILE.${f}`);
      throw new UsageError(`--export ${exportArg}: the extension says which format to write; use ${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`);
    }
    exportPath = resolve(cwd, exportArg);
  }

  const record = !opts.has('--no-record');
  const nameArg = str('--name')?.trim();
  if (nameArg !== undefined && (nameArg === '' || nameArg.length > MAX_NAME_LENGTH)) throw new UsageError(`--name must have 1 to ${MAX_NAME_LENGTH} characters`);
  const tags = listValues(parsed, '--tag');
  for (const t of tags) if (t.length > MAX_TAG_LENGTH) throw new UsageError(`--tag ${JSON.stringify(t.slice(0, 20) + '…')} is too long; a tag has at most ${MAX_TAG_LENGTH} characters`);
  if (!record) for (const f of ['--db', '--name', '--tag']) if (opts.has(f)) notes.push(`${f} has no effect with --no-record; ignored`);

  // --from-run / --continue: the recorded run's configuration is the base; only the options given override it
  const fromRun = str('--from-run'), continueRun = str('--continue');
  let from: TrainOptions['from'] = null;
  const overrides = JSON.parse(JSON.stringify(partial)) as Record<string, Record<string, unknown> | undefined>;
  if (fromRun !== undefined || continueRun !== undefined) {
    if (fromRun !== undefined && continueRun !== undefined) throw new UsageError('--from-run and --continue do not go together; --from-run ID starts anew from its configuration, --continue ID trains it further');
    for (const f of ['--init-from', '--no-record']) if (opts.has(f)) throw new UsageError(`${f} does not go with ${fromRun !== undefined ? '--from-run' : '--continue'}, which starts from a run in the run database`);
    if (!opts.has('--dataset') && overrides['data']) {
      delete overrides['data']['kind'];
      if (Object.keys(overrides['data']).length === 0) delete overrides['data'];
    }
    if (continueRun !== undefined) {
      if (archArg !== undefined) throw new UsageError('--continue keeps the run\'s architecture; drop --arch, or clone it with --from-run ID --arch …');
      const more = overrides['training']?.['epochs'];
      if (more !== undefined && !(typeof more === 'number' && Number.isInteger(more) && more >= 1)) throw new UsageError(`--epochs with --continue is the epochs to add, a whole number ≥ 1; got ${JSON.stringify(str('--epochs'))}`);
      if (overrides['training']) {
        delete overrides['training']['epochs'];
        if (Object.keys(overrides['training']).length === 0) delete overrides['training'];
      }
      from = { id: continueRun, mode: 'continue', ...(more !== undefined ? { epochs: more as number } : {}) };
    } else from = { id: fromRun!, mode: Object.keys(overrides).length ? 'clone' : 'rerun' };
  }

  let config: RunConfig;
  try {
    config = resolveConfig(partial as DeepPartial<RunConfig>);
  } catch (e) {
    if (e instanceof ArchitectureError) throw new UsageError(`${archSource || 'architecture'}: ${e.message}`);
    if (e instanceof ConfigError) throw new UsageError(configErrorToUsage(e.message));
    throw e;
  }
  const initArg = str('--init-from');
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
      from,
      overrides: (from ? overrides : {}) as DeepPartial<RunConfig>,
    },
  };
}

/** The --json line: the run's figures plus what ran and with which configuration. */
export interface TrainReport extends FinalMetrics {
  status: 'finished' | 'stopped' | 'diverged' | 'failed';
  reason?: string;
  epochs: number;
  backend: RunStatusEvent['backend'];
  parameterCount: number;
  config: RunConfig;
  export?: string;
  /** The run's id in the run database (absent with --no-record). */
  runId?: string;
  /** The run database it is recorded in. */
  db?: string;
  /** Why the run database's record of this run is incomplete, if it is. */
  recordingLost?: string;
  costHistory: number[];
  /** The test cost and accuracy at the same parameters as each train cost (null where there is no test set). */
  testCostHistory: (number | null)[];
  testAccuracyHistory: (number | null)[];
  /** The recorded run it came from (--from-run, --continue), and how. */
  from?: { runId: string; mode: 'continue' | 'clone' | 'rerun' };
}

type StopSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';

/** The exit status and message of a core error: a user's mistake is 2, the rest a failure. */
function coreFailure(e: CommandError, what = ''): CliError {
  const user = e.code === 'invalid_config' || e.code === 'invalid_payload' || e.code === 'import_failed' || e.code === 'limit' || e.code === 'busy' || e.code === 'storage';
  return new CliError(`${what}${configErrorToUsage(e.message)}`, user ? EXIT.usage : EXIT.failed);
}

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
  const cwd = io.cwd ?? process.cwd();
  let store: Store | null = null;
  let core: Core | null = null;
  try {
    const { config: parsedConfig, options } = parseTrainArgs(argv, { cwd });
    let config = parsedConfig;
    const note = (text: string) => {
      if (!options.quiet) io.stderr(`backprop-lab: ${text}\n`);
    };
    options.notes.forEach(note);
    if (options.exportPath) checkOutputFolder(options.exportPath, '--export');

    // the run database (a throwaway in-memory one with --no-record): opened first, so a newer, damaged, locked or
    // unwritable file is reported before anything trains
    const dbPath = options.record ? cliDbPath(options.db, io) : undefined;
    try {
      store = dbPath ? openCliStore(dbPath, { create: true })! : openStore({ path: ':memory:' });
    } catch (e) {
      if (e instanceof CliError) throw new CliError(`${e.message} (or train without recording: --no-record)`, e.code);
      throw e;
    }
    core = createCore({ store, host: 'cli', version: version().replace(/^backprop-lab\s+/, ''), maxLiveRuns: 1 });

    // --init-from: the file's weights and architecture, through the core's importer (--arch may only repeat it)
    let initialParams: ParamJSON[] | undefined;
    if (options.initFrom) {
      const bytes = readUserFile(options.initFrom, '--init-from', MAX_IMPORT_BYTES, 'give a .json, .npz or .onnx file written by --export');
      const r = await core.invoke('runs.importWeights', { filename: options.initFrom, base64: bytes.toString('base64') });
      if (!r.ok) throw coreFailure(r.error, '--init-from: ');
      const arch: LayerSpec[] = r.value.architecture;
      if (options.archGiven && !sameLayers(config.architecture, arch)) {
        throw new CliError(`--init-from ${options.initFrom} holds a ${describeLayers(arch)} network but --arch says ${describeLayers(config.architecture)}; drop --arch (the file's architecture is used) or make them agree`);
      }
      config = resolveConfig({ ...config, architecture: arch });
      initialParams = r.value.params;
    }
    // --from-run / --continue: the recorded run, through the core (its CSV, if any, is read from where it was)
    let fromRef: { runId: string; mode: 'continue' | 'clone' | 'rerun'; epochs?: number } | null = null;
    if (options.from) {
      let parentId: string;
      try {
        parentId = store.resolveRunId(options.from.id);
      } catch (e) {
        throw new CliError(`${options.from.mode === 'continue' ? '--continue' : '--from-run'} ${options.from.id}: ${(e as Error).message}`, EXIT.usage);
      }
      const parent = await core.invoke('runs.get', { runId: parentId, maxPoints: 4 });
      if (!parent.ok) throw coreFailure(parent.error);
      config = resolveConfig({ ...parent.value.run.config, ...(options.overrides.data ? { data: { ...parent.value.run.config.data, ...options.overrides.data } } : {}) } as DeepPartial<RunConfig>);
      fromRef = { runId: parentId, mode: options.from.mode, ...(options.from.epochs !== undefined ? { epochs: options.from.epochs } : {}) };
    }
    const csvPath = config.data.kind === 'csv' ? config.data.csv!.path : null;
    const csvText = csvPath ? readUserFile(csvPath, '--dataset csv', MAX_CSV_TEXT).toString('utf8') : undefined;

    // every event of this core is this run's (one run per command)
    const history: number[] = [];
    const testCosts: (number | null)[] = [];
    const testAccuracies: (number | null)[] = [];
    let progress: Progress | null = null;
    let ended: (e: RunStatusEvent) => void = () => undefined;
    const end = new Promise<RunStatusEvent>((r) => (ended = r));
    core.subscribe((event, payload) => {
      if (event === 'run.metrics') {
        for (const m of (payload as { metrics: EpochMetrics[] }).metrics) {
          history.push(m.trainCost);
          testCosts.push(m.testCost);
          testAccuracies.push(m.testAccuracy);
          progress?.update(m);
        }
      } else if (event === 'run.status') {
        const s = payload as RunStatusEvent;
        if (s.status !== 'running' && s.status !== 'paused') ended(s);
      }
    }, ['run.metrics', 'run.status']);

    const started = await core.invoke('runs.start', {
      config: fromRef ? options.overrides : config,
      ...(fromRef ? { from: { runId: fromRef.runId, mode: fromRef.mode, ...(fromRef.epochs !== undefined ? { epochs: fromRef.epochs } : {}) } } : {}),
      ...(csvText !== undefined ? { csvText } : {}),
      ...(initialParams ? { initialParams } : {}),
      ...(options.name ? { name: options.name } : {}),
      ...(options.tags.length ? { tags: options.tags } : {}),
      ...(options.initFrom ? { notes: `started from the weights in ${options.initFrom}` } : {}),
      fitArchitecture: !options.archGiven && !options.initFrom && !fromRef,
    });
    // a message about the CSV's contents (not about a configuration field) names the file's option
    if (!started.ok) throw coreFailure(started.error, csvPath && started.error.code === 'invalid_config' && !/^(training|data|init|backend)\.|^architecture/.test(started.error.message) ? `--dataset csv:${csvPath}: ` : '');
    const { runId, backend: b } = started.value;
    const used = started.value.config;
    if (!fromRef && JSON.stringify(used.architecture) !== JSON.stringify(config.architecture)) {
      const out = used.architecture[used.architecture.length - 1]!;
      const classes = out.activation === 'softmax' ? out.output_dim : 2;
      const target = taskOf(used.data.kind) === 'regression' ? 'a real-valued target' : `${classes} classes`;
      note(`the default architecture was fitted to the data (${used.architecture[0]!.input_dim} features, ${target}): ${layerWidths(used.architecture)}, ${out.activation} output; give --arch to choose the layers`);
    }
    const total = used.training.epochs;
    const parameterCount = used.architecture.reduce((a, l) => a + l.output_dim * (l.input_dim + 1), 0);
    note(
      `${total === 0 ? 'initializing' : `training ${total} epochs`} of ${parameterCount} parameters, backend ${b.name} (${b.mode}, ${b.precision}; ${b.reason})` +
        (options.initFrom ? `, starting from the weights in ${options.initFrom}` : '') +
        (fromRef ? (fromRef.mode === 'continue' ? `, continuing run ${shortId(fromRef.runId)}` : fromRef.mode === 'clone' ? `, cloned from run ${shortId(fromRef.runId)}` : `, re-running run ${shortId(fromRef.runId)}`) : ''),
    );
    progress = options.quiet || total === 0 ? null : new Progress(io.stderr, { total, tty: io.isTTY ?? false, regression: taskOf(used.data.kind) === 'regression' });

    // Ctrl-C, SIGTERM and SIGHUP stop the run after its epoch; it is kept as stopped, with its weights
    let signal: StopSignal | null = null;
    const stop = (sig: StopSignal) => {
      signal ??= sig;
      void core!.invoke('runs.stop', { runId });
    };
    const unsubscribe = io.onSignal ? io.onSignal(stop) : io.onInterrupt?.(() => stop('SIGINT'));
    let s: RunStatusEvent;
    try {
      s = await end;
    } finally {
      progress?.finish();
      unsubscribe?.();
    }

    const diverged = Boolean(s.diverged);
    if (diverged) io.stderr(`backprop-lab: ${s.reason}\n`);
    else if (s.status === 'failed') io.stderr(`backprop-lab: the training failed: ${s.reason}\n`);
    else if (s.status === 'stopped') note(`${s.reason ?? `stopped at epoch ${s.epoch}`}; the result below is partial`);
    if (s.recordingLost) io.stderr(`backprop-lab: the run's record is incomplete: ${s.recordingLost}\n`);
    else if (dbPath) note(`run ${shortId(runId)} recorded${s.status === 'finished' ? '' : ` as ${s.status}`} in ${dbPath}`);

    let exported: string | undefined;
    if (options.exportPath && options.exportFormat) {
      if (diverged && options.exportFormat !== 'py') note(`not writing ${options.exportPath}: the run diverged, its weights are not finite`);
      else {
        const file = await core.invoke('runs.export', { runId, format: options.exportFormat });
        if (!file.ok) throw new CliError(`--export ${options.exportPath}: ${file.error.message}`, EXIT.failed);
        writeExport(options.exportPath, Buffer.from(file.value.base64, 'base64'), '--export');
        exported = options.exportPath;
        note(`wrote ${options.exportPath}`);
      }
    }

    const final: FinalMetrics = s.final ?? { finalCost: NaN, trainAccuracy: NaN, testCost: null, testAccuracy: null, msPerEpoch: 0 };
    const status: TrainReport['status'] = diverged ? 'diverged' : s.status === 'finished' || s.status === 'stopped' ? s.status : 'failed';
    if (options.json) {
      const report: TrainReport = {
        status,
        ...(s.reason ? { reason: s.reason } : {}),
        epochs: s.epoch,
        ...final,
        backend: b,
        parameterCount,
        config: used,
        ...(exported ? { export: exported } : {}),
        ...(dbPath ? { runId, db: dbPath } : {}),
        ...(s.recordingLost ? { recordingLost: s.recordingLost } : {}),
        costHistory: history,
        testCostHistory: testCosts,
        testAccuracyHistory: testAccuracies,
        ...(fromRef ? { from: { runId: fromRef.runId, mode: fromRef.mode } } : {}),
      };
      io.stdout(JSON.stringify(report) + '\n');
    } else io.stdout(summary({ status, epochs: s.epoch, ...final, backend: b }, used) + '\n');

    if (signal) return EXIT[signal];
    if (diverged) return EXIT.diverged;
    if (status === 'failed') return EXIT.failed;
    if (s.recordingLost) return EXIT.recordingLost;
    return EXIT.finished;
  } catch (e) {
    if (e instanceof UsageError) return fail(io, e.message, EXIT.usage);
    if (e instanceof CliError) return fail(io, e.message, e.code);
    throw e;
  } finally {
    await core?.close();
    store?.close();
  }
}

/** The human-readable result (stdout without --json). */
export function summary(r: FinalMetrics & { status: TrainReport['status']; epochs: number; backend?: RunStatusEvent['backend'] }, config: RunConfig): string {
  const b = r.backend;
  const on = b ? `on ${b.name} (${b.mode}, ${b.precision})` : '';
  const head =
    config.training.epochs === 0
      ? `initialized only (--epochs 0) ${on}: cost at init ${formatCost12(r.finalCost)}`
      : r.status === 'diverged' || r.status === 'failed'
        ? `${r.status} after ${r.epochs} epochs ${on}`
        : `${r.status === 'stopped' ? 'stopped after' : 'trained'} ${r.epochs} epochs in ${((r.msPerEpoch * r.epochs) / 1000).toFixed(1)} s ` +
          `(${r.msPerEpoch.toFixed(3)} ms/epoch) ${on}`;
  const lines = [head];
  if (r.stoppedEarly) lines.push(`stopped early: the weights are epoch ${r.bestEpoch}'s, the best ${config.training.earlyStopMetric === 'auto' ? (r.testCost !== null ? 'testCost' : 'cost') : config.training.earlyStopMetric}`);
  if (r.status !== 'diverged' && r.status !== 'failed') {
    // regression runs carry R² in the accuracy fields
    const regression = taskOf(config.data.kind) === 'regression';
    const score = (v: number | null) => (regression ? (v === null || !Number.isFinite(v) ? String(v) : v.toFixed(6)) : percent(v));
    const name = regression ? 'R²' : 'accuracy';
    lines.push(
      `train cost ${formatCost12(r.finalCost)}  train ${name} ${score(r.trainAccuracy)}` +
        (r.testCost !== null ? `  test cost ${formatCost12(r.testCost)}  test ${name} ${score(r.testAccuracy)}` : '  (no test set)'),
    );
  }
  return lines.join('\n');
}

const formatCost12 = (c: number) => (Number.isFinite(c) ? c.toFixed(12) : formatCost(c));
