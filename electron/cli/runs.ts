// `backprop-lab runs …`: the recorded runs from the command line — list, show, compare, rename, tag, note,
// delete, export, import, interpolate and landscape — over the run store's service functions (electron/store). Tables on stdout, or
// JSON with --json; a mistake, an unknown run or an unreadable database is one line on stderr and exit code 2.

import { layerWidths } from '../../engine/architecture';
import { REGRESSION_KINDS, type RunConfig } from '../../engine/config';
import {
  configsOf,
  runDurationMs,
  diffParams,
  listRuns,
  loadCurves,
  RUN_SORTS,
  RUN_STATUSES,
  resolveSweepId,
  StoreError,
  sweepIdsOf,
  sweepRuns,
  type ConfigValue,
  type RunRecord,
  type RunState,
  type RunSummary,
  type Store,
} from '../store/index';
import { formatOptions, listValues, parseArgs, UsageError, type OptionSpec, type ParsedArgs } from './args';
import { cliDbPath, CliError, DB_OPTION, openCliStore, resolveId, shortId } from './db';
import { fail as failWith, version, type CliIO } from './io';
import { createCore, type Core } from '../core/index';
import { percent, r2Text } from './progress';

const isRegression = (dataset: string) => (REGRESSION_KINDS as readonly string[]).includes(dataset);
/** A run's accuracy as shown, or its R² for a regression run (whose metrics carry R² in the accuracy fields). */
function score(dataset: string, v: number | null): string {
  return isRegression(dataset) ? `R² ${r2Text(v)}` : percent(v);
}
/** "accuracy 95.00%", or "R² 0.9132" for a regression run. */
function namedScore(dataset: string, v: number | null): string {
  return isRegression(dataset) ? `R² ${r2Text(v)}` : `accuracy ${percent(v)}`;
}
import { runExport, runImport, EXPORT_OPTIONS, IMPORT_OPTIONS } from './runs-transfer';
import { runInterpolate, runLandscape, INTERPOLATE_OPTIONS, LANDSCAPE_OPTIONS } from './runs-weight-space';
import { clip, formatDate, formatMs, formatNumber, sparkline, table } from './table';

/** What a subcommand gets: its parsed arguments, the database path, and a way to open it. */
export interface RunsContext {
  io: CliIO;
  args: ParsedArgs;
  json: boolean;
  dbPath: string;
  /** The store, opened on first use and closed by the dispatcher; null when the file does not exist and !create. */
  open(opts?: { create?: boolean }): Store | null;
  /** A note on stderr. */
  note(text: string): void;
  /** The core over the opened store (open() first), for what only the core does: export and import. */
  core(): Core;
}

interface Subcommand {
  /** Arguments as the usage shows them. */
  synopsis: string;
  summary: string;
  options: readonly OptionSpec[];
  run(ctx: RunsContext): Promise<number> | number;
}

const COMMON_OPTIONS: readonly OptionSpec[] = [
  DB_OPTION,
  { flag: '--json', help: 'print JSON on stdout instead of text' },
  { flag: '--help', short: '-h', help: 'show this help' },
];

const LIST_OPTIONS: readonly OptionSpec[] = [
  { flag: '--name', metavar: 'S', help: 'runs whose name contains S (any case)' },
  { flag: '--tag', metavar: 'T', help: 'runs tagged T' },
  { flag: '--status', metavar: 'S', help: `runs in status S (${RUN_STATUSES.join(', ')}; a comma list for several)` },
  { flag: '--dataset', metavar: 'D', help: 'runs on dataset D (moons, circles, xor, spiral, gaussian, csv)' },
  { flag: '--sort', metavar: 'KEY', help: RUN_SORTS.join('|'), default: 'date' },
  { flag: '--order', metavar: 'DIR', help: 'asc|desc', default: 'newest first; lowest cost first; highest accuracy first' },
  { flag: '--limit', metavar: 'N', help: 'at most N runs', default: '100' },
  { flag: '--sweep', metavar: 'ID', help: 'the trials of sweep ID (its id or the start of it; backprop-lab sweep prints it)' },
];

export const RUNS_SUBCOMMANDS: Record<string, Subcommand> = {
  list: { synopsis: '[--name S] [--tag T] [--status S] [--dataset D] [--sweep ID] [--sort KEY] [--order asc|desc] [--limit N]', summary: 'the runs, newest first', options: LIST_OPTIONS, run: runList },
  show: { synopsis: 'ID', summary: 'one run: configuration, status and reason, final metrics, backend and why, tags, notes, cost curve', options: [], run: runShow },
  compare: {
    synopsis: 'ID ID [ID…] [--all]',
    summary: 'the settings that differ (every one with --all) and the final metrics, side by side',
    options: [{ flag: '--all', help: 'show every setting, not only those that differ' }],
    run: runCompare,
  },
  rename: { synopsis: 'ID NAME', summary: 'give the run a new name', options: [], run: runRename },
  tag: {
    synopsis: 'ID [TAG…] [--remove]',
    summary: 'add tags (or remove them with --remove); with no TAG, show the tags',
    options: [{ flag: '--remove', help: 'remove the tags instead of adding them' }],
    run: runTag,
  },
  note: {
    synopsis: 'ID [TEXT] [--append]',
    summary: 'set the run’s notes (--append adds a line; "" clears); with no TEXT, show them',
    options: [{ flag: '--append', help: 'add TEXT as a new line instead of replacing the notes' }],
    run: runNote,
  },
  delete: {
    synopsis: 'ID… [--yes]',
    summary: 'delete runs with their metrics and weights (asks first on a terminal; --yes elsewhere)',
    options: [{ flag: '--yes', short: '-y', help: 'delete without asking' }],
    run: runDelete,
  },
  export: {
    synopsis: 'ID --format json|npz|onnx|py|metrics-csv|metrics-json [--out FILE]',
    summary: 'the run’s weights (json, npz), network (onnx), numpy script (py) or metrics; text to stdout without --out',
    options: EXPORT_OPTIONS,
    run: runExport,
  },
  import: {
    synopsis: 'FILE.json|FILE.npz [--name N] [--tag T]',
    summary: 'store exported weights as a new finished run (evaluated on its dataset when it can be)',
    options: IMPORT_OPTIONS,
    run: runImport,
  },
  interpolate: {
    synopsis: 'A B [--steps N] [--from A0 --to A1]',
    summary: 'train and test cost along θ(α) = (1 − α)·θA + α·θB between two runs of one architecture, on A’s data',
    options: INTERPOLATE_OPTIONS,
    run: runInterpolate,
  },
  landscape: {
    synopsis: 'ID [--grid N] [--span S] [--seed K]',
    summary: 'the cost on a plane through the run’s weights along two seeded, filter-normalised random directions',
    options: LANDSCAPE_OPTIONS,
    run: runLandscape,
  },
};

export function runsUsage(): string {
  const names = Object.keys(RUNS_SUBCOMMANDS);
  const lines = [
    'Usage: backprop-lab runs <subcommand> [arguments] [--db PATH] [--json]',
    '',
    'The recorded runs (every `backprop-lab train` and every run of the app). ID is a run id or its start, as',
    '`runs list` shows it.',
    '',
    'Subcommands:',
  ];
  for (const n of names) {
    const s = RUNS_SUBCOMMANDS[n]!;
    lines.push(`  runs ${n} ${s.synopsis}`, `      ${s.summary}`);
  }
  lines.push('', 'Options of every subcommand:', formatOptions(COMMON_OPTIONS), '', 'runs list:', formatOptions(LIST_OPTIONS));
  for (const n of ['compare', 'tag', 'note', 'delete', 'export', 'import', 'interpolate', 'landscape']) {
    lines.push('', `runs ${n}:`, formatOptions(RUNS_SUBCOMMANDS[n]!.options));
  }
  lines.push('', 'Exit codes: 0 done, 1 declined or could not write, 2 bad arguments, unknown run or unreadable database.');
  return lines.join('\n');
}

/** Runs `backprop-lab runs argv…`; returns the exit code. */
export async function runRuns(argv: readonly string[], io: CliIO): Promise<number> {
  const fail = (message: string, code = 2): number => failWith(io, message, code);
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    if (name === undefined) {
      io.stderr(`backprop-lab: runs needs a subcommand (${Object.keys(RUNS_SUBCOMMANDS).join(', ')})\n\n${runsUsage()}\n`);
      return 2;
    }
    io.stdout(runsUsage() + '\n');
    return 0;
  }
  const sub = Object.hasOwn(RUNS_SUBCOMMANDS, name) ? RUNS_SUBCOMMANDS[name] : undefined;
  if (!sub) return fail(`unknown runs subcommand ${JSON.stringify(name)}; use one of ${Object.keys(RUNS_SUBCOMMANDS).join(', ')} (see backprop-lab runs --help)`);

  let args: ParsedArgs;
  try {
    args = parseArgs(rest, [...sub.options, ...COMMON_OPTIONS], `runs ${name}`, { positionals: true });
  } catch (e) {
    if (e instanceof UsageError) return fail(e.message);
    throw e;
  }
  if (args.options.has('--help')) {
    io.stdout(runsUsage() + '\n');
    return 0;
  }
  const db = args.options.get('--db');
  const dbPath = cliDbPath(typeof db === 'string' ? db : undefined, io);
  let store: Store | null = null;
  let core: Core | null = null;
  const ctx: RunsContext = {
    io,
    args,
    json: args.options.has('--json'),
    dbPath,
    open(opts = {}) {
      store ??= openCliStore(dbPath, { create: opts.create ?? false, readOnlyOk: !opts.create });
      return store;
    },
    note: (text) => io.stderr(`backprop-lab: ${text}\n`),
    core() {
      if (!store) throw new CliError(`there is no run database at ${dbPath} yet`);
      core ??= createCore({ store, host: 'cli', version: version().replace(/^backprop-lab\s+/, '') });
      return core;
    },
  };
  try {
    return await sub.run(ctx);
  } catch (e) {
    if (e instanceof CliError) return fail(e.message, e.code);
    if (e instanceof UsageError) return fail(e.message);
    // what the store refuses (a name too long, deleting a running run) is the user's to fix
    if (e instanceof StoreError) return fail(e.message);
    throw e;
  } finally {
    await (core as Core | null)?.close();
    (store as Store | null)?.close();
  }
}

// ── helpers ─────────────────────────────────────────────────────────────────────────────────────────────────

/** The store, or CliError "no run matches" when there is no database yet (nothing to show, edit or export). */
function storeFor(ctx: RunsContext, forId: string): Store {
  const store = ctx.open();
  if (!store) throw new CliError(`no run matches ${JSON.stringify(forId)}: there is no run database at ${ctx.dbPath} yet (backprop-lab train creates it, or give --db PATH)`);
  return store;
}

/** The subcommand's positional arguments, at least `min` of them, else a usage error showing the synopsis. */
function positionals(ctx: RunsContext, name: string, min: number, what: string): string[] {
  const p = ctx.args.positionals;
  if (p.length < min) throw new UsageError(`runs ${name} needs ${what}: backprop-lab runs ${name} ${RUNS_SUBCOMMANDS[name]!.synopsis}`);
  return p;
}

function str(ctx: RunsContext, flag: string): string | undefined {
  const v = ctx.args.options.get(flag);
  return typeof v === 'string' ? v : undefined;
}

/** A run as `runs list --json` prints it. */
export interface RunListEntry {
  id: string;
  name: string;
  status: RunState;
  createdAt: number;
  startedAt: number | null;
  endedAt: number | null;
  durationMs: number | null;
  dataset: string;
  /** Layer widths: "2-25-50-50-25-1". */
  architecture: string;
  /** The backend that ran ("cpu"), with mode, precision and why in backendInfo. */
  backend: string | null;
  backendInfo: RunSummary['backend'];
  epochs: number;
  plannedEpochs: number | null;
  finalCost: number | null;
  trainAccuracy: number | null;
  testCost: number | null;
  testAccuracy: number | null;
  /** Why it failed, stopped or was interrupted. */
  reason: string | null;
  tags: string[];
  /** The sweep it is a trial of, or null. */
  sweep: string | null;
}

function listEntry(r: RunSummary, config: RunConfig | undefined, sweep: string | null = null): RunListEntry {
  return {
    id: r.id,
    name: r.name,
    status: r.status,
    createdAt: r.createdAt,
    startedAt: r.startedAt,
    endedAt: r.endedAt,
    durationMs: runDurationMs(r),
    dataset: r.dataset,
    architecture: config ? layerWidths(config.architecture) : '',
    backend: r.backend?.name ?? null,
    backendInfo: r.backend,
    epochs: r.epochsDone,
    plannedEpochs: config?.training.epochs ?? null,
    finalCost: r.finalCost,
    trainAccuracy: r.trainAccuracy,
    testCost: r.testCost,
    testAccuracy: r.testAccuracy,
    reason: r.error,
    tags: r.tags,
    sweep,
  };
}

/** Marks runs whose process died as interrupted; a database we may not write is only read. */
function recover(ctx: RunsContext, store: Store): void {
  try {
    const found = store.recoverInterrupted();
    if (found.length > 0 && !ctx.json) {
      ctx.note(`${found.length} run${found.length === 1 ? '' : 's'} whose process ended before finishing ${found.length === 1 ? 'is' : 'are'} now marked interrupted`);
    }
  } catch (e) {
    if (e instanceof StoreError) throw e;
    ctx.note(`could not check for interrupted runs (${(e as Error).message}); listing as recorded`);
  }
}

// ── list ────────────────────────────────────────────────────────────────────────────────────────────────────

function runList(ctx: RunsContext): number {
  if (ctx.args.positionals.length > 0) throw new UsageError(`runs list takes no arguments, got ${JSON.stringify(ctx.args.positionals[0])}; filter with --name, --tag, --status, --dataset`);
  const query: Parameters<typeof listRuns>[1] = {};
  const name = str(ctx, '--name');
  if (name !== undefined) query.name = name;
  const tag = str(ctx, '--tag');
  if (tag !== undefined) query.tag = tag;
  const dataset = str(ctx, '--dataset');
  if (dataset !== undefined) query.dataset = dataset;
  const status = str(ctx, '--status');
  if (status !== undefined) {
    const list = status.split(',').map((s) => s.trim()).filter(Boolean);
    const bad = list.find((s) => !(RUN_STATUSES as readonly string[]).includes(s));
    if (bad !== undefined || list.length === 0) throw new UsageError(`--status must be one of ${RUN_STATUSES.join(', ')} (or a comma list of them), got ${JSON.stringify(bad ?? status)}`);
    query.status = list as RunState[];
  }
  const sort = str(ctx, '--sort');
  if (sort !== undefined) {
    if (!(RUN_SORTS as readonly string[]).includes(sort)) throw new UsageError(`--sort must be one of ${RUN_SORTS.join(', ')}, got ${JSON.stringify(sort)}`);
    query.sort = sort as (typeof RUN_SORTS)[number];
  }
  const order = str(ctx, '--order');
  if (order !== undefined) {
    if (order !== 'asc' && order !== 'desc') throw new UsageError(`--order must be asc or desc, got ${JSON.stringify(order)}`);
    query.order = order;
  }
  const limit = str(ctx, '--limit');
  if (limit !== undefined) {
    const n = Number(limit);
    if (!/^\d+$/.test(limit) || n < 1 || n > 10_000) throw new UsageError(`--limit must be an integer from 1 to 10000, got ${JSON.stringify(limit)}`);
    query.limit = n;
  }

  const store = ctx.open();
  if (!store) {
    if (ctx.json) ctx.io.stdout('[]\n');
    else ctx.io.stdout(`no runs yet: there is no run database at ${ctx.dbPath} (backprop-lab train creates it)\n`);
    return 0;
  }
  recover(ctx, store);
  let runs = listRuns(store, query);
  const sweepArg = str(ctx, '--sweep');
  if (sweepArg !== undefined) {
    // a sweep's trials: the same filter and order, among its runs
    let sweep: string;
    try {
      sweep = resolveSweepId(store, sweepArg);
    } catch (e) {
      if (e instanceof StoreError) throw new CliError(`--sweep ${sweepArg}: ${e.message}`);
      throw e;
    }
    const ids = new Set(sweepRuns(store, sweep).map((r) => r.id));
    runs = listRuns(store, { ...query, limit: 10_000 }).filter((r) => ids.has(r.id)).slice(0, query.limit ?? 100);
  }
  const configs = configsOf(store, runs.map((r) => r.id));
  const sweeps = sweepIdsOf(store, runs.map((r) => r.id));
  const entries = runs.map((r) => listEntry(r, configs.get(r.id), sweeps.get(r.id) ?? null));
  if (ctx.json) {
    ctx.io.stdout(JSON.stringify(entries) + '\n');
    return 0;
  }
  const filtered = name !== undefined || tag !== undefined || dataset !== undefined || status !== undefined || sweepArg !== undefined;
  if (entries.length === 0) {
    ctx.io.stdout(`no runs${filtered ? ' match the filter' : ''} in ${ctx.dbPath}\n`);
    return 0;
  }
  const rows = entries.map((e) => [
    shortId(e.id),
    clip(e.name, 40),
    e.status,
    e.dataset,
    e.architecture,
    e.plannedEpochs !== null && e.plannedEpochs !== e.epochs ? `${e.epochs}/${e.plannedEpochs}` : String(e.epochs),
    formatNumber(e.finalCost),
    score(e.dataset, e.testAccuracy),
    e.backend ?? '–',
    formatDate(e.createdAt),
    clip(e.tags.join(','), 30),
  ]);
  ctx.io.stdout(table(['ID', 'NAME', 'STATUS', 'DATASET', 'LAYERS', 'EPOCHS', 'COST', 'TEST ACC', 'BACKEND', 'CREATED', 'TAGS'], rows, { right: [5, 6, 7] }) + '\n');
  return 0;
}

// ── show ────────────────────────────────────────────────────────────────────────────────────────────────────

/** The train cost, downsampled on the host, for the sparkline. */
function costCurve(store: Store, id: string): number[] {
  const [curve] = loadCurves(store, [id], { keys: ['train_cost'], maxPoints: 400 });
  return curve?.values ?? [];
}

function describeData(c: RunConfig): string {
  const d = c.data;
  const split = d.testSize > 0 ? `${Math.round(d.testSize * 1000) / 10}% held out (split seed ${d.splitSeed})` : 'no test set';
  if (d.kind === 'csv') return `csv ${d.csv?.path ?? ''}${d.csv?.labelColumn ? ` (label column ${d.csv.labelColumn})` : ''}; ${split}`;
  return `${d.kind}: ${d.samples} samples, noise ${d.noise}${d.kind === 'circles' ? `, factor ${d.factor}` : ''}, seed ${d.seed}; ${split}`;
}

function describeTraining(c: RunConfig): string {
  const t = c.training;
  const parts = [`${t.epochs} epochs of ${t.optimizer}`, t.batchSize === null ? 'full batch' : `batches of ${t.batchSize} (shuffle seed ${t.shuffleSeed})`, `learning rate ${t.learningRate}`];
  if (t.optimizer === 'momentum') parts.push(`momentum ${t.momentum}`);
  if (t.optimizer === 'adam') parts.push(`β1 ${t.beta1}, β2 ${t.beta2}, ε ${t.epsilon}`);
  parts.push(`loss ${t.loss}`);
  if (t.l2 > 0) parts.push(`L2 ${t.l2}`);
  if (t.lrSchedule !== 'constant') parts.push(`schedule ${t.lrSchedule}`);
  if (t.warmup > 0) parts.push(`${t.warmup} warm-up epochs`);
  if (t.earlyStop > 0) parts.push(`early stopping: patience ${t.earlyStop} on ${t.earlyStopMetric}${t.minDelta > 0 ? `, min delta ${t.minDelta}` : ''}`);
  return parts.join(', ');
}

function runShow(ctx: RunsContext): number {
  const [idText, extra] = positionals(ctx, 'show', 1, 'a run id');
  if (extra !== undefined) throw new UsageError(`runs show takes one run id, got also ${JSON.stringify(extra)}; compare runs with backprop-lab runs compare ID ID`);
  const store = storeFor(ctx, idText!);
  recover(ctx, store);
  const id = resolveId(store, idText!);
  const r = store.getRun(id);
  const cost = costCurve(store, id);
  if (ctx.json) {
    ctx.io.stdout(JSON.stringify({ ...r, architecture: layerWidths(r.config.architecture), durationMs: runDurationMs(r) }) + '\n');
    return 0;
  }
  const c = r.config;
  const params = c.architecture.reduce((a, l) => a + l.output_dim * (l.input_dim + 1), 0);
  const lines: [string, string][] = [
    ['id', r.id],
    ['name', r.name],
    ['status', r.status + (r.error ? ` — ${r.error}` : '')],
    ['created', `${formatDate(r.createdAt)}${r.endedAt !== null || r.status === 'running' ? `, ran ${formatMs(runDurationMs(r))}` : ''}`],
    ['dataset', describeData(c)],
    ['network', `${layerWidths(c.architecture)} (${c.architecture.map((l) => l.activation).join(', ')}), ${params} parameters; init seed ${c.init.seed}, scale ${c.init.scale}`],
    ['training', describeTraining(c)],
    ['backend', r.backend ? `${r.backend.name} (${r.backend.mode}, ${r.backend.precision})${r.backend.reason ? ` — ${r.backend.reason}` : ''}` : `– (asked for ${c.backend})`],
    ...(r.lineage ? [['from', `${r.lineage.origin === 'continue' ? 'continued from' : r.lineage.origin === 'clone' ? 'cloned from' : 're-run of'} ${r.lineage.parent ?? 'a deleted run'}`] as [string, string]] : []),
    ['epochs', `${r.epochsDone} of ${c.training.epochs}${r.stoppedEarly === true ? `, stopped early; the weights are epoch ${r.bestEpoch}'s (the best ${c.training.earlyStopMetric})` : r.stoppedEarly === false ? `; early stopping's best epoch ${r.bestEpoch}` : ''}`],
    [
      'final',
      r.finalCost === null
        ? '–'
        : `train cost ${String(r.finalCost)}, ${namedScore(c.data.kind, r.trainAccuracy)}` +
          (r.testCost !== null ? `; test cost ${String(r.testCost)}, ${namedScore(c.data.kind, r.testAccuracy)}` : ''),
    ],
    ['cost', cost.length > 1 ? `${sparkline(cost)}  ${formatNumber(cost[0])} → ${formatNumber(cost[cost.length - 1])}` : cost.length === 1 ? formatNumber(cost[0]) : '–'],
    ['weights', storedWeights(r.weights)],
    ['tags', r.tags.length ? r.tags.join(', ') : '–'],
    ['notes', r.notes ? r.notes.replace(/\n/g, '\n' + ' '.repeat(10)) : '–'],
  ];
  ctx.io.stdout(lines.map(([k, v]) => `${k.padEnd(10)}${v}`).join('\n') + '\n');
  return 0;
}

// ── compare ─────────────────────────────────────────────────────────────────────────────────────────────────

/** undefined: the run lacks the setting or it means nothing for that run (diffParams' settingApplies), e.g. β1 of SGD. */
const showValue = (v: ConfigValue | undefined): string => (v === undefined ? '–' : typeof v === 'string' ? v : JSON.stringify(v));

function runCompare(ctx: RunsContext): number {
  const texts = positionals(ctx, 'compare', 2, 'two or more run ids');
  const store = storeFor(ctx, texts[0]!);
  const ids = texts.map((t) => resolveId(store, t));
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) throw new UsageError(`run ${shortId(dup)} is named twice; compare different runs`);
  const all = ctx.args.options.has('--all');
  const diff = diffParams(store, ids, { onlyDifferences: !all });
  const runs = ids.map((id) => store.getRun(id));
  const finals = runs.map((r) => ({
    id: r.id,
    name: r.name,
    status: r.status,
    reason: r.error,
    epochs: r.epochsDone,
    finalCost: r.finalCost,
    trainAccuracy: r.trainAccuracy,
    testCost: r.testCost,
    testAccuracy: r.testAccuracy,
    backend: r.backend?.name ?? null,
    durationMs: runDurationMs(r),
  }));
  if (ctx.json) {
    const params = diff.rows.map((row) => ({
      path: row.path,
      values: row.values.map((v) => (v === undefined ? null : v)),
      ...(row.values.some((v) => v === undefined) ? { absent: row.values.map((v) => v === undefined) } : {}),
      differs: row.differs,
    }));
    ctx.io.stdout(JSON.stringify({ runs: finals, onlyDifferences: !all, params }) + '\n');
    return 0;
  }
  const heads = runs.map((r) => shortId(r.id));
  const out: string[] = runs.map((r) => `${shortId(r.id)}  ${r.name}`);
  out.push('');
  if (diff.rows.length === 0) out.push('the runs have the same settings');
  else {
    out.push(table(['SETTING', ...heads], diff.rows.map((row) => [row.path, ...row.values.map(showValue)])));
    if (!all) {
      const same = diffParams(store, ids).rows.length - diff.rows.length;
      if (same > 0) out.push(`(${same} other setting${same === 1 ? ' is' : 's are'} the same; --all shows them)`);
    }
  }
  out.push('');
  const metric = (label: string, f: (x: (typeof finals)[number]) => string): string[] => [label, ...finals.map(f)];
  out.push(
    table(
      ['RESULT', ...heads],
      [
        metric('status', (x) => x.status),
        metric('epochs', (x) => String(x.epochs)),
        metric('train cost', (x) => formatNumber(x.finalCost)),
        metric('train accuracy', (x) => percent(x.trainAccuracy)),
        metric('test cost', (x) => formatNumber(x.testCost)),
        metric('test accuracy', (x) => percent(x.testAccuracy)),
        metric('backend', (x) => x.backend ?? '–'),
        metric('duration', (x) => formatMs(x.durationMs)),
      ],
    ),
  );
  const reasons = finals.filter((x) => x.reason);
  for (const x of reasons) out.push(`${shortId(x.id)} ${x.status}: ${x.reason}`);
  ctx.io.stdout(out.join('\n') + '\n');
  return 0;
}

// ── rename, tag, note ───────────────────────────────────────────────────────────────────────────────────────

/** The summary an edit prints with --json (the run list's fields, notes included). */
function editedJson(r: RunRecord): string {
  return JSON.stringify({ ...listEntry(r, r.config), notes: r.notes }) + '\n';
}

function runRename(ctx: RunsContext): number {
  const [idText, ...words] = positionals(ctx, 'rename', 2, 'the run id and the new name');
  const store = storeFor(ctx, idText!);
  const id = resolveId(store, idText!);
  const r = store.renameRun(id, words.join(' '));
  if (ctx.json) ctx.io.stdout(editedJson(r));
  else ctx.io.stdout(`run ${shortId(id)} is now named ${JSON.stringify(r.name)}\n`);
  return 0;
}

function runTag(ctx: RunsContext): number {
  const [idText, ...rest] = positionals(ctx, 'tag', 1, 'a run id');
  const store = storeFor(ctx, idText!);
  const id = resolveId(store, idText!);
  const given = listValues({ ...ctx.args, lists: new Map([['t', rest]]) }, 't');
  const remove = ctx.args.options.has('--remove');
  let r = store.getRun(id);
  if (given.length > 0) {
    if (remove) {
      const missing = given.filter((t) => !r.tags.includes(t));
      if (missing.length > 0) ctx.note(`run ${shortId(id)} has no tag ${missing.map((t) => JSON.stringify(t)).join(', ')}; nothing to remove there`);
      r = store.setTags(id, r.tags.filter((t) => !given.includes(t)));
    } else {
      r = store.setTags(id, [...r.tags, ...given]);
    }
  } else if (remove) {
    throw new UsageError('runs tag --remove needs the tags to remove: backprop-lab runs tag ID TAG… --remove');
  }
  if (ctx.json) ctx.io.stdout(editedJson(r));
  else ctx.io.stdout(`run ${shortId(id)} tags: ${r.tags.length ? r.tags.join(', ') : '(none)'}\n`);
  return 0;
}

function runNote(ctx: RunsContext): number {
  const [idText, ...words] = positionals(ctx, 'note', 1, 'a run id');
  const store = storeFor(ctx, idText!);
  const id = resolveId(store, idText!);
  let r = store.getRun(id);
  if (words.length > 0) {
    const text = words.join(' ');
    r = store.setNotes(id, ctx.args.options.has('--append') && r.notes ? `${r.notes}\n${text}` : text);
  } else if (ctx.args.options.has('--append')) {
    throw new UsageError('runs note --append needs the text to add: backprop-lab runs note ID TEXT --append');
  }
  if (ctx.json) ctx.io.stdout(editedJson(r));
  else ctx.io.stdout(r.notes ? r.notes + '\n' : `run ${shortId(id)} has no notes\n`);
  return 0;
}

// ── delete ──────────────────────────────────────────────────────────────────────────────────────────────────

async function runDelete(ctx: RunsContext): Promise<number> {
  const texts = positionals(ctx, 'delete', 1, 'the id of the run to delete');
  const store = storeFor(ctx, texts[0]!);
  recover(ctx, store);
  const ids = [...new Set(texts.map((t) => resolveId(store, t)))];
  const runs = ids.map((id) => store.getRun(id));
  const running = runs.find((r) => r.status === 'running');
  if (running) throw new CliError(`run ${shortId(running.id)} (${JSON.stringify(running.name)}) is still running; stop it first, then delete it`);
  const what = runs.length === 1 ? `run ${shortId(runs[0]!.id)} (${JSON.stringify(runs[0]!.name)})` : `${runs.length} runs (${runs.map((r) => shortId(r.id)).join(', ')})`;
  if (!ctx.args.options.has('--yes')) {
    const answer = ctx.io.confirm ? await ctx.io.confirm(`Delete ${what} with ${runs.length === 1 ? 'its' : 'their'} metrics and weights? This cannot be undone.`) : null;
    if (answer === null) {
      throw new CliError(`runs delete removes ${what} with ${runs.length === 1 ? 'its' : 'their'} metrics and weights for good, and there is no terminal to ask for confirmation; add --yes to delete`);
    }
    if (!answer) {
      ctx.io.stderr('backprop-lab: nothing deleted\n');
      return 1;
    }
  }
  for (const r of runs) store.deleteRun(r.id);
  if (ctx.json) ctx.io.stdout(JSON.stringify({ deleted: ids }) + '\n');
  else ctx.io.stdout(`deleted ${what}\n`);
  return 0;
}

/** "final (epoch 200), starting weights (epoch 0), 100 checkpoints (epochs 2–200)": a run keeps up to 100 checkpoints. */
function storedWeights(weights: ReadonlyArray<{ kind: 'final' | 'checkpoint'; epoch: number }>): string {
  if (weights.length === 0) return 'none stored';
  const parts = weights.filter((w) => w.kind === 'final').map((w) => `final (epoch ${w.epoch})`);
  if (weights.some((w) => w.kind === 'checkpoint' && w.epoch === 0)) parts.push('starting weights (epoch 0)');
  const periodic = weights.filter((w) => w.kind === 'checkpoint' && w.epoch > 0).map((w) => w.epoch);
  if (periodic.length === 1) parts.push(`checkpoint at epoch ${periodic[0]}`);
  else if (periodic.length > 1) parts.push(`${periodic.length} checkpoints (epochs ${periodic[0]}–${periodic[periodic.length - 1]})`);
  return parts.join(', ');
}
