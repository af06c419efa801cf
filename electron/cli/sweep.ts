// `backprop-lab sweep SPEC.json`: a sweep spec → the core's sweeps.start (trials are ordinary runs, each equal to
// `backprop-lab train` with the same options) → progress on stderr from the 'sweep.progress' events → the result
// on stdout (a table, or one JSON line with --json). Ctrl-C, SIGTERM and SIGHUP stop every trial (recorded as
// stopped). With --queue the trials go to BullMQ workers on other machines (electron/sweeps/queue.ts).

import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { MAX_CSV_TEXT, type SweepDetail, type SweepProgressEvent, type SweepTrialInfo } from '../contract';
import { createCore, type Core } from '../core/index';
import { recoverInterruptedSweeps, type Store } from '../store/index';
import { checkSweepSpec } from '../sweeps/spec';
import { formatOptions, parseArgs, UsageError, type OptionSpec } from './args';
import { cliDbPath, CliError, DB_OPTION, openCliStore, shortId } from './db';
import { readUserFile } from './files';
import { fail, version, type CliIO } from './io';
import { formatCost, percent } from './progress';

export const SWEEP_OPTIONS_CLI: readonly OptionSpec[] = [
  DB_OPTION,
  { flag: '--parallel', metavar: 'N', help: 'trials that train at once', default: 'the number of cores' },
  { flag: '--queue', metavar: 'URL', help: 'put the trials on a BullMQ queue in Redis (redis://HOST:PORT) for `backprop-lab worker` processes' },
  { flag: '--json', help: 'print the result as one JSON line on stdout (the last line)' },
  { flag: '--quiet', short: '-q', help: 'no progress on stderr' },
  { flag: '--help', short: '-h', help: 'show this help' },
];

/** Exit codes of `sweep`. */
export const SWEEP_EXIT = { finished: 0, failed: 4, usage: 2, SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;

export function sweepUsage(): string {
  return [
    'Usage: backprop-lab sweep SPEC.json [--db PATH] [--parallel N] [--queue URL] [--json]',
    '',
    'Runs every trial of a sweep spec, each an ordinary run in the run database linked to its sweep, and equal to',
    '`backprop-lab train` with the same options. A spec:',
    '  {"name": "lr x seed", "base": {"epochs": 300, "dataset": "moons"},',
    '   "grid": {"lr": [0.01, 0.05, 0.1], "seed": [1, 2]},',
    '   "random": {"batch-size": {"choice": [32, 64, "full"]}}, "trials": 4, "seed": 5,',
    '   "asha": {"metric": "testCost", "min_epochs": 30, "reduction": 3}}',
    'Keys of base, grid and random are train’s options without the dashes. With asha, trials that fall behind at a',
    'rung are stopped and recorded as pruned. Ctrl-C stops every trial (recorded as stopped). A "csv:PATH" dataset is',
    'read relative to the spec’s folder.',
    'Exit codes: 0 the sweep finished, 2 bad option or spec, 4 every trial failed, 130/143/129 stopped by a signal.',
    '',
    'Options:',
    formatOptions(SWEEP_OPTIONS_CLI),
  ].join('\n');
}

/** One trial in the --json line. */
export interface SweepTrialReport {
  runId: string | null;
  trialIndex: number;
  status: string;
  params: Record<string, unknown>;
  epochs: number;
  finalCost: number | null;
  testAccuracy: number | null;
  testCost: number | null;
  worker: string;
  reason?: string;
}

/** The --json line. */
export interface SweepReport {
  sweepId: string;
  name: string;
  status: string;
  metric: string;
  trials: SweepTrialReport[];
  best: SweepTrialReport | null;
  epochsSaved: number;
  db: string;
}

type StopSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';

/** Reads the spec file: JSON, checked by the sweep parser (every problem, one line each). */
function readSpec(path: string): Record<string, unknown> {
  const text = readUserFile(path, 'SPEC', 1_000_000, 'give a JSON file holding a sweep spec').toString('utf8');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  const r = checkSweepSpec(raw);
  if (!r.ok) throw new UsageError(`${path}: ${r.problems.length === 1 ? r.problems[0] : `${r.problems.length} problems:\n  ${r.problems.join('\n  ')}`}`);
  return raw as Record<string, unknown>;
}

/** Makes each csv:PATH in the spec absolute (against the spec's folder, as a spec is written beside its data) and reads the files. */
function resolveCsv(spec: Record<string, unknown>, base: string): Record<string, string> {
  const texts: Record<string, string> = {};
  const fix = (v: unknown): unknown => {
    if (typeof v !== 'string' || !v.startsWith('csv:')) return v;
    const path = resolve(base, v.slice(4));
    texts[path] ??= readUserFile(path, 'dataset csv', MAX_CSV_TEXT).toString('utf8');
    return `csv:${path}`;
  };
  const b = spec.base as Record<string, unknown> | undefined;
  if (b && 'dataset' in b) b.dataset = fix(b.dataset);
  const g = spec.grid as Record<string, unknown> | undefined;
  if (g && Array.isArray(g.dataset)) g.dataset = g.dataset.map(fix);
  const r = spec.random as Record<string, { choice?: unknown[] }> | undefined;
  if (r?.dataset?.choice) r.dataset.choice = r.dataset.choice.map(fix);
  return texts;
}

function trialReport(t: SweepTrialInfo): SweepTrialReport {
  return {
    runId: t.runId,
    trialIndex: t.trialIndex,
    status: t.status,
    params: t.params,
    epochs: t.epochs,
    finalCost: t.finalCost,
    testAccuracy: t.testAccuracy,
    testCost: t.testCost,
    worker: t.worker ?? 'local',
    ...(t.reason ? { reason: t.reason } : {}),
  };
}

function progressLine(p: SweepProgressEvent): string {
  const eta = p.etaMs === null ? '' : p.status === 'running' ? `, ETA ${formatDuration(p.etaMs)}` : '';
  const best = p.best ? `, best ${p.best.metric} ${formatCost(p.best.value)} (trial ${p.best.trialIndex + 1})` : '';
  return `${p.done}/${p.total} trials done, ${p.running} running, ${p.pruned} pruned${p.failed ? `, ${p.failed} failed` : ''}${best}${eta}`;
}

function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : s < 3600 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** Runs `backprop-lab sweep argv…`; returns the exit code. */
export async function runSweep(argv: readonly string[], io: CliIO): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout(sweepUsage() + '\n');
    return 0;
  }
  const cwd = io.cwd ?? process.cwd();
  let store: Store | null = null;
  let core: Core | null = null;
  try {
    const args = parseArgs(argv, SWEEP_OPTIONS_CLI, 'sweep', { positionals: true });
    const opts = args.options;
    if (args.positionals.length !== 1) throw new UsageError(`sweep needs one SPEC.json, got ${args.positionals.length === 0 ? 'none' : args.positionals.join(' ')}: backprop-lab sweep SPEC.json [--parallel N]`);
    const str = (f: string) => (typeof opts.get(f) === 'string' ? (opts.get(f) as string) : undefined);
    const json = opts.has('--json');
    const quiet = opts.has('--quiet');
    const note = (t: string) => {
      if (!quiet) io.stderr(`backprop-lab: ${t}\n`);
    };
    let parallel = availableParallelism();
    const par = str('--parallel');
    if (par !== undefined) {
      if (!/^\d+$/.test(par) || Number(par) < 1 || Number(par) > 256) throw new UsageError(`--parallel must be an integer from 1 to 256, got ${JSON.stringify(par)}`);
      parallel = Number(par);
    }
    const specPath = resolve(cwd, args.positionals[0]!);
    const spec = readSpec(specPath);
    const csvTexts = resolveCsv(spec, dirname(specPath));

    const dbPath = cliDbPath(str('--db'), io);
    store = openCliStore(dbPath, { create: true })!;
    // sweeps (and their trials) whose process died before they ended are marked interrupted
    store.recoverInterrupted();
    recoverInterruptedSweeps(store);
    // metrics reach ASHA sooner than the dashboard needs them (every 20 ms, committed every 20 ms), so a trial it
    // stops trains few epochs past its rung
    core = createCore({
      store,
      host: 'cli',
      version: version().replace(/^backprop-lab\s+/, ''),
      maxLiveRuns: parallel,
      trainer: { metricsIntervalMs: 20, yieldEveryMs: 10 },
      recording: { flushEveryMs: 20 },
      // BullMQ is loaded only when the sweep goes on a queue
      queueExecutor: async (c, url) => (await import('../sweeps/queue')).queueExecutor(c, url),
    });

    const queue = str('--queue');
    let ended!: (p: SweepProgressEvent) => void;
    const end = new Promise<SweepProgressEvent>((r) => (ended = r));
    let sweepId: string | null = null;
    let lastLine = 0;
    const early: SweepProgressEvent[] = [];
    core.subscribe((event, payload) => {
      if (event !== 'sweep.progress') return;
      const p = payload as SweepProgressEvent;
      if (sweepId === null) return void early.push(p);
      if (p.sweepId !== sweepId) return;
      if (p.status !== 'running') ended(p);
      else if (!quiet && Date.now() - lastLine >= 1000) {
        lastLine = Date.now();
        io.stderr(`backprop-lab: ${progressLine(p)}\n`);
      }
    }, ['sweep.progress']);

    const r = await core.invoke('sweeps.start', { spec, parallel, csvTexts, ...(queue !== undefined ? { queue } : {}) });
    if (!r.ok) throw new CliError(r.error.message, r.error.code === 'invalid_config' || r.error.code === 'invalid_payload' || r.error.code === 'unsupported' ? SWEEP_EXIT.usage : SWEEP_EXIT.failed);
    const started = r.value;
    sweepId = started.sweepId;
    for (const p of early.splice(0)) if (p.sweepId === sweepId && p.status !== 'running') ended(p);
    note(`sweep ${shortId(started.sweepId)} "${started.name}": ${started.trials} trial${started.trials === 1 ? '' : 's'}, ${started.parallel} at once${queue ? ` on the workers of ${queue}` : ''}; recorded in ${dbPath}`);

    let signal: StopSignal | null = null;
    const stop = (sig: StopSignal) => {
      signal ??= sig;
      note(`stopping every trial (${sig})`);
      void core!.invoke('sweeps.stop', { sweepId: started.sweepId });
    };
    const unsubscribe = io.onSignal ? io.onSignal(stop) : io.onInterrupt?.(() => stop('SIGINT'));
    let last: SweepProgressEvent;
    try {
      last = await end;
    } finally {
      unsubscribe?.();
    }
    note(progressLine(last));
    const got = await core.invoke('sweeps.get', { sweepId: started.sweepId });
    if (!got.ok) throw new CliError(got.error.message, SWEEP_EXIT.failed);
    const d: SweepDetail = got.value;
    if (d.sweep.epochsSaved > 0) note(`ASHA saved ${d.sweep.epochsSaved} epochs against running every trial to the end`);
    const trials = d.trials.map(trialReport);
    const best = d.best ? trialReport(d.best) : null;
    if (json) {
      const report: SweepReport = { sweepId: d.sweep.id, name: d.sweep.name, status: d.sweep.status, metric: d.metric, trials, best, epochsSaved: d.sweep.epochsSaved, db: dbPath };
      io.stdout(JSON.stringify(report) + '\n');
    } else io.stdout(table(d) + '\n');

    if (signal) return SWEEP_EXIT[signal];
    if (d.sweep.status === 'failed') {
      io.stderr(`backprop-lab: the sweep failed: ${d.sweep.error}\n`);
      return SWEEP_EXIT.failed;
    }
    return SWEEP_EXIT.finished;
  } catch (e) {
    if (e instanceof UsageError) return fail(io, e.message, SWEEP_EXIT.usage);
    if (e instanceof CliError) return fail(io, e.message, e.code);
    throw e;
  } finally {
    await core?.close();
    store?.close();
  }
}

/** The human-readable result: one line per trial, the best marked. */
function table(d: SweepDetail): string {
  const lines = [`sweep ${d.sweep.id} "${d.sweep.name}": ${d.sweep.status}; metric ${d.metric}`];
  for (const t of d.trials) {
    const params = Object.entries(t.params)
      .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
      .join(' ');
    const mark = d.best && d.best.trialIndex === t.trialIndex ? '*' : ' ';
    lines.push(
      `${mark} #${String(t.trialIndex + 1).padEnd(4)} ${t.status.padEnd(10)} ${String(t.epochs).padStart(6)} epochs  cost ${t.finalCost === null ? '—' : formatCost(t.finalCost)}  test acc ${t.testAccuracy === null ? '—' : percent(t.testAccuracy)}  ${params}${t.runId ? `  run ${shortId(t.runId)}` : ''}`,
    );
  }
  if (d.best) lines.push(`best: trial ${d.best.trialIndex + 1} (run ${d.best.runId})`);
  return lines.join('\n');
}
