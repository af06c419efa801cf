// `npm run bench`: time workloads × implementations (the engine's backends, the numpy reference) in one run,
// print ms/epoch, GFLOP/s and the engine/numpy ratio, and check that the engine computed the same answer
// (final cost equal to numpy's to 1e-9 relative) — a benchmark of a wrong answer is worthless.
// Later issues add workloads ("scale") and implementations (gpu backends, numpy-f32) to the two lists below.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { selectBackend } from '../engine/backends/index';
import { resolveConfig, type RunConfig } from '../engine/config';
import { loadData, type DataSplit } from '../engine/datasets/index';
import { createTrainer } from '../engine/train';

/** What to train: a run configuration whose epochs the bench sets. */
export interface Workload {
  id: string;
  description: string;
  config: RunConfig;
}

/** One timed implementation's figures for one workload. */
export interface ImplRun {
  /** Median over the timed repeats. */
  msPerEpoch: number;
  runsMs: number[];
  /** Train cost at the parameters after the last update. */
  finalCost: number;
  trainAccuracy: number;
  testAccuracy: number | null;
  /** Version / library details worth printing (BLAS, backend mode). */
  detail?: string;
}

/** Something that can train a workload: the engine on a backend, or a reference outside Node. */
export interface Impl {
  id: string;
  /** Whether this implementation can run the workload at all (numpy_ref.py knows only the seed experiment). */
  supports(w: Workload): boolean;
  /** null when it can run here, else why not (printed as "skipped: …"). */
  available(): Promise<string | null>;
  /** One untimed run (its final cost is what is checked) and then `repeats` timed runs of `epochs` epochs. */
  run(w: Workload, epochs: number, repeats: number): Promise<ImplRun>;
}

export interface BenchResult {
  workload: string;
  impl: string;
  epochs: number;
  msPerEpoch: number;
  gflops: number;
  runsMs: number[];
  finalCost: number;
  detail?: string;
}

/** The implementation the engine is compared with and checked against. */
export const REFERENCE_IMPL = 'numpy-f64';
/** Relative difference of final costs allowed between a float64 engine impl and the reference. */
export const COST_TOLERANCE = 1e-9;

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The seed notebook's experiment: moons 1000/0.2/100, split 0.1/42, 2-25-50-50-25-1, seed 101, lr 0.01, full batch, sgd. */
export const WORKLOADS: Workload[] = [
  { id: 'seed-moons', description: "the seed notebook's experiment (moons 1000, 2-25-50-50-25-1, full batch sgd)", config: resolveConfig({ backend: 'cpu' }) },
];

/** Flops of one full-batch epoch: forward W·A, backward dW = dZ·Aᵀ and dA = Wᵀ·dZ, 2 flops per multiply-add. */
export function flopsPerEpoch(config: RunConfig, m: number): number {
  return 3 * 2 * config.architecture.reduce((s, l) => s + l.input_dim * l.output_dim, 0) * m;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const k = s.length >> 1;
  return s.length % 2 ? s[k]! : (s[k - 1]! + s[k]!) / 2;
}

const dataCache = new Map<string, DataSplit>();
function dataFor(w: Workload): DataSplit {
  let d = dataCache.get(w.id);
  if (!d) dataCache.set(w.id, (d = loadData(w.config.data)));
  return d;
}

/** The engine's float64 CPU backend, doing numpy's work per epoch: forward, cost + accuracy, backward, update. */
export const engineCpu: Impl = {
  id: 'engine-cpu-f64',
  supports: () => true,
  available: async () => null,
  async run(w, epochs, repeats) {
    const once = async () => {
      // the engine's cpu backend as the app gets it (its fastest kernels this machine can run)
      const chosen = await selectBackend('cpu');
      const config: RunConfig = { ...w.config, training: { ...w.config.training, epochs } };
      const trainer = await createTrainer(config, {
        data: dataFor(w),
        backend: chosen,
        evalTestEvery: 0, // the test set only at the end, as numpy's loop
      });
      const r = await trainer.run();
      trainer.free();
      if (r.status !== 'finished') throw new Error(`engine run ${r.status}: ${r.reason}`);
      return { r, detail: `${chosen.info.name} backend, ${chosen.info.mode}, ${chosen.info.precision}` };
    };
    const first = await once();
    const runsMs: number[] = [];
    for (let i = 0; i < repeats; i++) runsMs.push((await once()).r.msPerEpoch);
    return {
      msPerEpoch: median(runsMs),
      runsMs,
      finalCost: first.r.finalCost,
      trainAccuracy: first.r.trainAccuracy,
      testAccuracy: first.r.testAccuracy,
      detail: first.detail,
    };
  },
};

/** The numpy reference script: ../shared/reference beside the repository, else the copy under test/fixtures. */
export function findNumpyScript(root = ROOT): string | null {
  for (const p of [`${root}/../shared/reference/numpy_ref.py`, `${root}/test/fixtures/reference/numpy_ref.py`]) {
    if (existsSync(p)) return p;
  }
  return null;
}

let python: { exe: string | null; why: string } | null = null;
/** The first python that imports numpy and scikit-learn: Debian's /usr/bin/python3 first, then python3 on PATH. */
export function findPython(): { exe: string | null; why: string } {
  if (python) return python;
  const tried: string[] = [];
  for (const exe of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(exe, ['-c', 'import numpy, sklearn'], { encoding: 'utf8', timeout: 60_000 });
    if (r.status === 0) return (python = { exe, why: '' });
    const err = r.error ? (r.error as NodeJS.ErrnoException).code ?? r.error.message : (r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`);
    tried.push(`${exe}: ${err}`);
  }
  return (python = { exe: null, why: `no python3 with numpy and scikit-learn (${tried.join('; ')})` });
}

/** numpy float64, through numpy_ref.py (the seed workload only; it times `repeats` runs after one reference run). */
export const numpyF64: Impl = {
  id: REFERENCE_IMPL,
  supports: (w) => w.id === 'seed-moons',
  async available() {
    const script = findNumpyScript();
    if (!script) return 'numpy_ref.py not found (looked in ../shared/reference and test/fixtures/reference)';
    const py = findPython();
    return py.exe ? null : py.why;
  },
  async run(_w, epochs, repeats) {
    const script = findNumpyScript()!;
    const exe = findPython().exe!;
    const r = spawnSync(exe, [script, '--epochs', String(epochs), '--repeats', String(repeats), '--no-dump', '--json'], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (r.status !== 0) throw new Error(`${exe} ${script} failed (${r.error?.message ?? `exit ${r.status}`}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    const lines = r.stdout.trim().split('\n');
    const out = JSON.parse(lines[lines.length - 1]!) as { ms_per_epoch: number; runs_ms: number[]; final_cost: number; train_acc: number; test_acc: number };
    return {
      msPerEpoch: out.ms_per_epoch,
      runsMs: out.runs_ms,
      finalCost: out.final_cost,
      trainAccuracy: out.train_acc,
      testAccuracy: out.test_acc,
      detail: lines[0]?.startsWith('numpy') ? lines[0] : undefined,
    };
  },
};

export const IMPLS: Impl[] = [engineCpu, numpyF64];

export interface BenchOptions {
  json: boolean;
  epochs: number;
  repeats: number;
  workloads: string[] | null;
  impls: string[] | null;
}

export const BENCH_USAGE = `Usage: npm run bench -- [--json] [--epochs N] [--repeats N] [--workload IDS] [--impl IDS]

Times each workload on each implementation (same epochs for all) and checks that the engine's final cost
equals numpy's to ${COST_TOLERANCE} relative.
  --epochs N      epochs per timed run (default: 2000)
  --repeats N     timed runs per implementation; the median is reported (default: 3)
  --workload IDS  comma-separated subset of: ${WORKLOADS.map((w) => w.id).join(', ')}
  --impl IDS      comma-separated subset of: ${IMPLS.map((i) => i.id).join(', ')}
  --json          print the results as one JSON line on stdout (the last line)`;

export class BenchUsageError extends Error {}

export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  const o: BenchOptions = { json: false, epochs: 2000, repeats: 3, workloads: null, impls: null };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.includes('=') ? (argv[i]!.split('=', 2) as [string, string]) : [argv[i]!, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new BenchUsageError(`${flag} needs a value`);
      return v;
    };
    const count = (min: number) => {
      const v = value();
      if (!/^\d+$/.test(v) || Number(v) < min) throw new BenchUsageError(`${flag} must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
      return Number(v);
    };
    const ids = (known: string[]) => {
      const list = value().split(',').filter(Boolean);
      const bad = list.filter((x) => !known.includes(x));
      if (bad.length || !list.length) throw new BenchUsageError(`${flag} must name some of ${known.join(', ')}, got ${JSON.stringify(bad.join(','))}`);
      return list;
    };
    if (flag === '--json') o.json = true;
    else if (flag === '--epochs') o.epochs = count(1);
    else if (flag === '--repeats') o.repeats = count(1);
    else if (flag === '--workload') o.workloads = ids(WORKLOADS.map((w) => w.id));
    else if (flag === '--impl') o.impls = ids(IMPLS.map((x) => x.id));
    else throw new BenchUsageError(`unknown option ${flag}; see npm run bench -- --help`);
  }
  return o;
}

export interface BenchIO {
  stdout(text: string): void;
  stderr(text: string): void;
}

const relDiff = (a: number, b: number) => (b === 0 ? Math.abs(a) : Math.abs(a - b) / Math.abs(b));

/** Runs the bench; returns the exit code (1 when an engine result disagrees with numpy). */
export async function main(argv: readonly string[], io: BenchIO = { stdout: (t) => void process.stdout.write(t), stderr: (t) => void process.stderr.write(t) }): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout(BENCH_USAGE + '\n');
    return 0;
  }
  let o: BenchOptions;
  try {
    o = parseBenchArgs(argv);
  } catch (e) {
    if (!(e instanceof BenchUsageError)) throw e;
    io.stderr(`bench: ${e.message}\n`);
    return 2;
  }
  const workloads = WORKLOADS.filter((w) => !o.workloads || o.workloads.includes(w.id));
  const impls = IMPLS.filter((x) => !o.impls || o.impls.includes(x.id));

  const results: BenchResult[] = [];
  const skipped: { workload: string; impl: string; reason: string }[] = [];
  for (const w of workloads) {
    const m = dataFor(w).train.n;
    const flops = flopsPerEpoch(w.config, m);
    for (const impl of impls) {
      if (!impl.supports(w)) continue;
      const why = await impl.available();
      if (why) {
        skipped.push({ workload: w.id, impl: impl.id, reason: why });
        io.stderr(`bench: ${impl.id} skipped: ${why}\n`);
        continue;
      }
      io.stderr(`bench: ${w.id} × ${impl.id}: 1 + ${o.repeats} runs of ${o.epochs} epochs…\n`);
      try {
        const r = await impl.run(w, o.epochs, o.repeats);
        results.push({ workload: w.id, impl: impl.id, epochs: o.epochs, msPerEpoch: r.msPerEpoch, gflops: flops / (r.msPerEpoch * 1e6), runsMs: r.runsMs, finalCost: r.finalCost, ...(r.detail ? { detail: r.detail } : {}) });
      } catch (e) {
        skipped.push({ workload: w.id, impl: impl.id, reason: (e as Error).message });
        io.stderr(`bench: ${impl.id} failed: ${(e as Error).message}\n`);
      }
    }
  }

  // engine vs the reference: speed ratio and the final-cost check, per workload
  const comparisons = workloads.flatMap((w) => {
    const ref = results.find((r) => r.workload === w.id && r.impl === REFERENCE_IMPL);
    if (!ref) return [];
    return results
      .filter((r) => r.workload === w.id && r.impl !== REFERENCE_IMPL)
      .map((r) => {
        const diff = relDiff(r.finalCost, ref.finalCost);
        return { workload: w.id, impl: r.impl, reference: ref.impl, ratio: r.msPerEpoch / ref.msPerEpoch, finalCost: r.finalCost, referenceCost: ref.finalCost, relDiff: diff, ok: diff <= COST_TOLERANCE };
      });
  });

  const table = [
    ['workload', 'impl', 'epochs', 'ms/epoch', 'GFLOP/s', 'final cost'],
    ...results.map((r) => [r.workload, r.impl, String(r.epochs), r.msPerEpoch.toFixed(3), r.gflops.toFixed(2), r.finalCost.toPrecision(15)]),
  ];
  const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  const lines = table.map((row) => row.map((cell, c) => (c >= 2 && c <= 4 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd());
  lines.splice(1, 0, widths.map((n) => '-'.repeat(n)).join('  '));
  for (const r of results) if (r.detail) lines.push(`  ${r.impl}: ${r.detail}`);
  for (const c of comparisons) {
    const speed = c.ratio >= 1 ? `${c.ratio.toFixed(2)}× slower than` : `${(1 / c.ratio).toFixed(2)}× faster than`;
    lines.push(`${c.workload}: ${c.impl} is ${speed} ${c.reference}`);
    lines.push(
      `${c.workload}: check final cost after ${o.epochs} epochs: ${c.impl} ${c.finalCost.toPrecision(17)}, ${c.reference} ${c.referenceCost.toPrecision(17)}, ` +
        `relative difference ${c.relDiff.toExponential(2)} ${c.ok ? `≤ ${COST_TOLERANCE}: OK` : `> ${COST_TOLERANCE}: MISMATCH — these timings are of a wrong answer`}`,
    );
  }
  for (const s of skipped) lines.push(`${s.workload}: ${s.impl} skipped: ${s.reason}`);
  io.stdout(lines.join('\n') + '\n');

  if (o.json) {
    const seed = comparisons.find((c) => c.workload === 'seed-moons' && c.impl === engineCpu.id);
    io.stdout(JSON.stringify({ results, ratio: seed ? seed.ratio : null, checks: comparisons, skipped, epochs: o.epochs, repeats: o.repeats }) + '\n');
  }
  return comparisons.every((c) => c.ok) ? 0 : 1;
}
