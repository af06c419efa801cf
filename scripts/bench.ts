// `npm run bench`: time workloads × implementations (the engine's backends, numpy in float64 and float32) in one
// run, print ms/epoch, GFLOP/s and the ratios that matter, and check that every implementation computed the same
// answer (final cost equal to numpy-f64's to 1e-9 relative in float64, 1e-3 in float32) — a benchmark of a wrong
// answer is worthless.
//   seed-moons       the seed notebook's experiment: engine vs numpy_ref.py
//   seed-contended   the same while a busy-loop process holds one core (started after the engine's calibration),
//                    against numpy on one thread under the same load
//   wide-full        2-256-256-256-1 on the seed data, adam lr 0.001, full batch; wide-mb64: mini-batches of 64
//   scale            16384 × 64 features, 64-256-256-1, full batch; scale-mb512: mini-batches of 512. The best engine
//                    path is compared with numpy-f32's throughput (target: at least half).
//   startup          the command line's start-up times (scripts/bench-startup.ts)
// The engine's user-path rows (engine-cpu-f64, engine-cpu-f32) run `backprop-lab train --json` itself, recording
// into a temporary database: the Node hosts' backend list, its calibration, its thread governor, the test set
// evaluated every epoch, the core's recording and checkpoints; its msPerEpoch is the figure (the scale workloads,
// whose data is generated, run its trainer in-process). The other engine rows time a backend in-process. numpy runs at 1 and 2 OpenBLAS threads and the faster counts, with OPENBLAS_CORETYPE and
// OPENBLAS_L2_SIZE unset for its command (they make OpenBLAS take slower kernels; see the env notes). Each row
// also gives the share of the machine's CPU time the host took meanwhile (steal: scripts/bench/host-steal.ts).

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { Backend } from '../engine/backends/backend';
import { CpuBackend } from '../engine/backends/cpu';
import { createGpuBackend } from '../engine/backends/gpu';
import { explainHeadlessGL } from '../engine/backends/gpu-node';
import { releaseBackend, type BackendInfo } from '../engine/backends/index';
import { nodeBackendFactories } from '../engine/backends/node';
import { ParallelCpuBackend } from '../engine/backends/parallel';
import type { LayerSpec } from '../engine/architecture';
import { resolveConfig, type RunConfig } from '../engine/config';
import { loadData, type DataSplit } from '../engine/datasets/index';
import { createTrainer } from '../engine/train';
import { ceilingLine, measureCeilings, type Ceiling } from './bench/ceiling';
import { StealMeter, stealText } from './bench/host-steal';
import { archArg, SCALE_ARCH, SCALE_DATA_SEED, SCALE_FEATURES, SCALE_SAMPLES, scaleData } from './bench/scale';

/** What to train: a run configuration whose epochs the bench sets. */
export interface Workload {
  id: string;
  description: string;
  config: RunConfig;
  /** Epochs per timed run unless --epochs says otherwise. */
  epochs: number;
  /** The samples (default: generated from config.data). */
  data?: () => DataSplit;
  /** Timed while a busy-loop process holds one core (started after the engine's calibration). */
  contended?: boolean;
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
  /** Train cost after other epoch counts, from the same untimed run (the reference reports these for the checks). */
  costsAt?: Record<number, number>;
  /** numpy: the timed runs' ms/epoch and the detail at each BLAS thread count (see counted: the faster counts). */
  byThreads?: Record<number, { runsMs: number[]; detail?: string }>;
  /** The user path: the thread governor's switches during the timed runs. */
  switches?: string[];
}

/** Something that can train a workload: the engine on a backend, or a reference outside Node. */
export interface Impl {
  id: string;
  /** Arithmetic precision: float64 results are checked to COST_TOLERANCE, float32 ones to F32_COST_TOLERANCE. */
  precision: 'float64' | 'float32';
  /** Whether this implementation can run the workload at all (numpy_ref.py knows only the seed experiment). */
  supports(w: Workload): boolean;
  /** Epochs it runs when the workload asks for `epochs` (a slow implementation runs fewer). */
  epochsFor?(w: Workload, epochs: number): number;
  /** Timed runs it makes when `repeats` are asked for (a slow implementation makes fewer). */
  repeatsFor?(w: Workload, repeats: number): number;
  /** null when it can run here, else why not (printed as "skipped: …"). */
  available(): Promise<string | null>;
  /**
   * One untimed run (its final cost is what is checked) and then `repeats` timed runs of `epochs` epochs;
   * `checkEpochs`: other epoch counts whose cost the untimed run should also report (costsAt). `timedOnly`: the
   * timed runs alone (a later round; its finalCost is not checked and may be NaN).
   */
  run(w: Workload, epochs: number, repeats: number, checkEpochs?: number[], timedOnly?: boolean): Promise<ImplRun>;
  /** Releases what the implementation holds (worker threads, GL contexts). */
  dispose?(): Promise<void>;
}

export interface BenchResult {
  workload: string;
  /** For startup rows: ms of one start, not of an epoch. */
  impl: string;
  precision: 'float64' | 'float32';
  epochs: number;
  msPerEpoch: number;
  gflops: number;
  runsMs: number[];
  finalCost: number;
  detail?: string;
  /** The share of this machine's CPU time its host took (steal) during this row's runs; null where not reported. */
  hostSteal: number | null;
}

/** The implementation the engine is compared with and checked against. */
export const REFERENCE_IMPL = 'numpy-f64';
/** Relative difference of final costs allowed between a float64 engine impl and the reference. */
export const COST_TOLERANCE = 1e-9;
/** … and between a float32 implementation (engine or numpy) and the float64 reference. */
export const F32_COST_TOLERANCE = 1e-3;
/** What the best engine path should reach of numpy-f32's throughput on the scale workloads. */
export const SCALE_TARGET = 0.5;

/** One of issue 13's goals: an engine/numpy time ratio and the most it may be. */
export interface Goal {
  goal: string;
  workload: string;
  impl: string;
  reference: string;
  ratio: number;
  target: number;
  met: boolean;
  /**
   * Against the ceiling of the engine impl's precision on every core (./bench/ceiling.ts): the GFLOP/s the target
   * would take, and the shares of the ceiling that is and that the run reached (none for seed-contended, whose
   * load the ceiling is not measured under).
   */
  ceiling?: { precision: 'float64' | 'float32'; needGflops: number; share: number; runShare: number };
}

/** The goals: engine impl / numpy impl on a workload, at most `target` (ratios of ms/epoch). */
export const GOALS: { goal: string; workload: string; impl: string; reference: string; target: number }[] = [
  { goal: 'wide network ≤ 1.0× numpy', workload: 'wide-mb64', impl: 'engine-cpu-f64', reference: 'numpy-f64', target: 1.0 },
  { goal: 'wide network ≤ 1.0× numpy', workload: 'wide-mb64', impl: 'engine-cpu-f32', reference: 'numpy-f32', target: 1.0 },
  { goal: 'wide network ≤ 1.0× numpy', workload: 'wide-full', impl: 'engine-cpu-f64', reference: 'numpy-f64', target: 1.0 },
  { goal: 'wide network ≤ 1.0× numpy', workload: 'wide-full', impl: 'engine-cpu-f32', reference: 'numpy-f32', target: 1.0 },
  { goal: 'seed network float64 ≤ 0.6× numpy-f64 at its best thread count', workload: 'seed-moons', impl: 'engine-cpu-f64', reference: 'numpy-f64', target: 0.6 },
  { goal: 'seed network float32 path ≤ 0.4× numpy-f64 at its best thread count', workload: 'seed-moons', impl: 'engine-cpu-f32', reference: 'numpy-f64', target: 0.4 },
  { goal: 'one core busy: ≤ 1.25× numpy on one thread under the same load', workload: 'seed-contended', impl: 'engine-cpu-f64', reference: 'numpy-f64', target: 1.25 },
];

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The wide network of issue 13: 2-256-256-256-1 on the seed data. */
export const WIDE_ARCH: LayerSpec[] = [
  { input_dim: 2, output_dim: 256, activation: 'relu' },
  { input_dim: 256, output_dim: 256, activation: 'relu' },
  { input_dim: 256, output_dim: 256, activation: 'relu' },
  { input_dim: 256, output_dim: 1, activation: 'sigmoid' },
];

/** The seed notebook's experiment: moons 1000/0.2/100, split 0.1/42, 2-25-50-50-25-1, seed 101, lr 0.01, full batch, sgd. */
export const WORKLOADS: Workload[] = [
  { id: 'seed-moons', description: "the seed notebook's experiment (moons 1000, 2-25-50-50-25-1, full batch sgd)", config: resolveConfig({ backend: 'cpu' }), epochs: 2000 },
  {
    id: 'seed-contended',
    description: 'the seed experiment while a busy-loop process holds one core (numpy on one thread under the same load)',
    config: resolveConfig({ backend: 'cpu' }),
    epochs: 2000,
    contended: true,
  },
  {
    id: 'wide-full',
    description: 'the seed data on 2-256-256-256-1, adam lr 0.001, full batch',
    config: resolveConfig({ backend: 'cpu', architecture: WIDE_ARCH, training: { optimizer: 'adam', learningRate: 0.001, batchSize: null } }),
    epochs: 50,
  },
  {
    id: 'wide-mb64',
    description: 'the seed data on 2-256-256-256-1, adam lr 0.001, mini-batches of 64',
    config: resolveConfig({ backend: 'cpu', architecture: WIDE_ARCH, training: { optimizer: 'adam', learningRate: 0.001, batchSize: 64 } }),
    epochs: 20,
  },
  {
    id: 'scale',
    description: `${SCALE_SAMPLES} samples × ${SCALE_FEATURES} features, 64-256-256-1 relu/relu/sigmoid, full batch sgd`,
    config: resolveConfig({ backend: 'cpu', architecture: SCALE_ARCH, training: { batchSize: null } }),
    epochs: 3,
    data: () => scaleData(),
  },
  {
    id: 'scale-mb512',
    description: `the scale workload in shuffled mini-batches of 512`,
    config: resolveConfig({ backend: 'cpu', architecture: SCALE_ARCH, training: { batchSize: 512 } }),
    epochs: 2,
    data: () => scaleData(),
  },
];

const isScale = (w: Workload) => w.id.startsWith('scale');
const isWide = (w: Workload) => w.id.startsWith('wide');
/** Workloads bench_numpy.py runs (numpy_ref.py runs the seed ones). */
const viaBenchNumpy = (w: Workload) => isScale(w) || isWide(w);

/** The pseudo-workload of the command line's start-up times (scripts/bench-startup.ts, when it exists). */
export const STARTUP_WORKLOAD = 'startup';
const STARTUP_SCRIPT = `${fileURLToPath(new URL('.', import.meta.url))}bench-startup.ts`;

/** numpy's BLAS thread counts tried; the faster counts (numpy's best, as a user would configure it). */
export const NUMPY_THREADS = [1, 2];

/**
 * A busy loop in another process, pinned to the last core where taskset exists: the load a desktop app meets when
 * something else runs. Returns its stop function.
 */
export function startBusyLoop(): () => void {
  const last = availableParallelism() - 1;
  const taskset = spawnSync('taskset', ['--version'], { encoding: 'utf8' }).status === 0;
  const child: ChildProcess = taskset
    ? spawn('taskset', ['-c', String(last), process.execPath, '-e', 'for (;;) {}'], { stdio: 'ignore' })
    : spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
  child.unref();
  return () => void child.kill('SIGKILL');
}

/** The environment numpy's commands run in: OpenBLAS on `threads` threads, its core-type overrides removed. */
function numpyEnv(threads: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads) };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

/**
 * Nominal flops of one epoch over m samples: forward W·A, backward dW = dZ·Aᵀ and dA = Wᵀ·dZ, 2 flops per
 * multiply-add (every implementation is credited the same count, so GFLOP/s ratios are time ratios; the input
 * layer's dA, which neither the engine nor bench_numpy.py computes, is counted too).
 */
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
  const key = w.data ? 'scale' : w.id;
  let d = dataCache.get(key);
  if (!d) dataCache.set(key, (d = w.data ? w.data() : loadData(w.config.data)));
  return d;
}

/**
 * Trains `epochs` epochs as `backprop-lab train` does (the test set evaluated every epoch, an onEpoch listener,
 * the thread governor on a threaded backend); the timed figure is msPerEpoch. With `backend` the run uses it,
 * otherwise createTrainer picks from the Node hosts' list as the command line does (calibration included, not
 * timed). A contended workload starts its busy loop after the calibration.
 */
async function trainOn(w: Workload, epochs: number, choice: { backend: Backend; info: BackendInfo } | 'cpu' | 'cpu-f32') {
  const config: RunConfig = { ...w.config, backend: typeof choice === 'string' ? choice : 'cpu', training: { ...w.config.training, epochs } };
  const trainer = await createTrainer(config, { data: dataFor(w), ...(typeof choice === 'string' ? { factories: nodeBackendFactories() } : { backend: choice }) });
  const stop = w.contended ? startBusyLoop() : null;
  let r;
  try {
    if (stop) await new Promise((res) => setTimeout(res, 50)); // let the busy loop get going
    r = await trainer.run({ onEpoch: () => {} });
  } finally {
    stop?.();
    trainer.free();
    if (typeof choice === 'string') await releaseBackend(trainer.backend);
  }
  if (r.status !== 'finished') throw new Error(`engine run ${r.status}: ${r.reason}`);
  return r;
}

/**
 * An engine implementation on a backend made once (and disposed at the end): one untimed run, then the timed
 * ones. `open` rejects with the reason the backend cannot run here.
 */
function engineImpl(id: string, precision: 'float64' | 'float32', open: () => Promise<Backend>, opts: Pick<Impl, 'supports' | 'epochsFor' | 'repeatsFor'> | Record<string, never> = {}): Impl {
  let backend: Promise<Backend> | null = null;
  const get = () => (backend ??= open());
  return {
    id,
    precision,
    supports: 'supports' in opts ? opts.supports : () => true,
    epochsFor: opts.epochsFor,
    repeatsFor: opts.repeatsFor,
    async available() {
      try {
        await get();
        return null;
      } catch (e) {
        return (e as Error).message;
      }
    },
    async run(w, epochs, repeats, _checkEpochs, timedOnly = false) {
      const b = await get();
      const info: BackendInfo = { name: b.name, mode: b.mode, precision: b.precision, reason: 'bench' };
      const first = timedOnly ? null : await trainOn(w, epochs, { backend: b, info });
      const runsMs: number[] = [];
      for (let i = 0; i < repeats; i++) runsMs.push((await trainOn(w, epochs, { backend: b, info })).msPerEpoch);
      return {
        msPerEpoch: median(runsMs),
        runsMs,
        finalCost: first?.finalCost ?? NaN,
        trainAccuracy: first?.trainAccuracy ?? NaN,
        testAccuracy: first?.testAccuracy ?? null,
        detail: `${b.name} backend, ${b.mode}, ${b.precision}`,
      };
    },
    async dispose() {
      if (!backend) return;
      const b = await backend.catch(() => null);
      backend = null;
      if (b && 'dispose' in b) await (b as { dispose(): Promise<void> }).dispose();
    },
  };
}

/** The `backprop-lab` command's entry (bin/backprop-lab.js runs out/cli when it is up to date, else the sources). */
const CLI = `${ROOT}bin/backprop-lab.js`;

/** The options that make `backprop-lab train` run workload `w`'s configuration for `epochs` epochs on `choice`. */
export function trainArgs(w: Workload, epochs: number, choice: 'cpu' | 'cpu-f32', db: string): string[] {
  const t = w.config.training;
  return ['train', '--json', '--db', db, '--epochs', String(epochs), '--backend', choice, '--arch', JSON.stringify(w.config.architecture), '--optimizer', t.optimizer, '--lr', String(t.learningRate), '--batch-size', t.batchSize === null ? 'full' : String(t.batchSize)];
}

interface TrainJson {
  msPerEpoch: number;
  finalCost: number;
  trainAccuracy: number;
  testAccuracy: number | null;
  status: string;
  backend: { mode: string; reason: string };
  config: RunConfig;
}

/**
 * One `backprop-lab train --json` of workload `w`, recorded in `db` as a user's run is (the core, its trainer
 * worker, its recording and checkpoints): its result. A contended workload starts its busy loop when the command
 * says it starts training (after the calibration). Throws when the command ran another configuration than the
 * workload's: the options passed must say all of it.
 */
async function trainCli(w: Workload, epochs: number, choice: 'cpu' | 'cpu-f32', db: string): Promise<TrainJson> {
  const child = spawn(process.execPath, [CLI, ...trainArgs(w, epochs, choice, db)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '', stderr = '', stop: (() => void) | null = null;
  child.stdout!.on('data', (d: Buffer) => (stdout += d));
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d;
    if (w.contended && !stop && /^backprop-lab: training /m.test(stderr)) stop = startBusyLoop();
  });
  const code = await new Promise<number | null>((res) => child.on('close', res));
  (stop as (() => void) | null)?.();
  if (code !== 0) throw new Error(`backprop-lab train exited ${code}: ${stderr.trim().split('\n').slice(-2).join(' ')}`);
  const r = JSON.parse(stdout.trim().split('\n').pop()!) as TrainJson;
  const want: RunConfig = { ...w.config, backend: choice, training: { ...w.config.training, epochs } };
  if (!isDeepStrictEqual(r.config, want)) throw new Error(`backprop-lab train ran another configuration than ${w.id}: ${JSON.stringify(r.config)}`);
  return r;
}

/**
 * The engine as `backprop-lab train --backend <choice>` runs it: the command itself, recording its runs in a
 * temporary database (the Node hosts' backend list, the calibration between the threaded and the one-thread CPU
 * backend, the thread governor, per-epoch test evaluation, the core's recording and checkpoints). The scale
 * workloads' generated data has no command-line form: they run the trainer in this process as the command's
 * worker does (createTrainer, run), without the recording.
 */
function userPathImpl(id: string, choice: 'cpu' | 'cpu-f32', supports: (w: Workload) => boolean = () => true): Impl {
  const precision = choice === 'cpu' ? 'float64' : 'float32';
  let dir: string | null = null;
  const db = () => join((dir ??= mkdtempSync(join(tmpdir(), 'bpl-bench-'))), 'runs.db');
  const once = async (w: Workload, epochs: number) => {
    if (isScale(w)) return trainOn(w, epochs, choice);
    const r = await trainCli(w, epochs, choice, db());
    if (r.status !== 'finished') throw new Error(`engine run ${r.status}`);
    return r;
  };
  return {
    id,
    precision,
    supports,
    available: async () => null,
    async run(w, epochs, repeats, _checkEpochs, timedOnly = false) {
      const first = timedOnly ? null : await once(w, epochs);
      const runs = [];
      for (let i = 0; i < repeats; i++) runs.push(await once(w, epochs));
      const runsMs = runs.map((r) => r.msPerEpoch);
      const modes = [...new Set(runs.map((r) => r.backend.mode))].join(' / ');
      const switches = runs.flatMap((r) => /threads: (.*)$/.exec(r.backend.reason)?.[1] ?? []);
      return {
        msPerEpoch: median(runsMs),
        runsMs,
        finalCost: first?.finalCost ?? NaN,
        trainAccuracy: first?.trainAccuracy ?? NaN,
        testAccuracy: first?.testAccuracy ?? null,
        detail: `backprop-lab train --backend ${choice} (${isScale(w) ? 'its trainer in-process: generated data, not recorded' : 'the command, its runs recorded'}): ${modes}, ${precision}`,
        switches,
      };
    },
    async dispose() {
      if (dir) rmSync(dir, { recursive: true, force: true });
      dir = null;
    },
  };
}

/** The float64 engine the way a user runs it (the seed, contended, wide and scale workloads). */
export const engineCpu: Impl = userPathImpl('engine-cpu-f64', 'cpu');

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

/** The scale workloads' numpy script (this repository's scripts/bench_numpy.py). */
export const BENCH_NUMPY_SCRIPT = `${ROOT}/scripts/bench_numpy.py`;

/**
 * numpy on a scale or wide workload through bench_numpy.py, in float32 or float64, on `threads` BLAS threads. The
 * wide workloads run the loop `train` runs (every step's cost and accuracy, the test set every epoch).
 */
function runBenchNumpy(w: Workload, dtype: 'float32' | 'float64', epochs: number, repeats: number, checkEpochs: number[], threads: number): ImplRun {
  const exe = findPython().exe!;
  const t = w.config.training;
  const d = w.config.data;
  const data = isScale(w)
    ? ['--samples', String(SCALE_SAMPLES), '--features', String(SCALE_FEATURES), '--data-seed', String(SCALE_DATA_SEED)]
    : ['--dataset', 'moons', '--samples', String(d.samples), '--noise', String(d.noise), '--data-seed', String(d.seed), '--test-size', String(d.testSize), '--split-seed', String(d.splitSeed), '--loop', 'train'];
  const args = [
    BENCH_NUMPY_SCRIPT,
    '--dtype', dtype,
    '--arch', archArg(w.config.architecture),
    ...data,
    '--init-seed', String(w.config.init.seed),
    '--shuffle-seed', String(t.shuffleSeed),
    '--batch', String(t.batchSize ?? 0),
    '--optimizer', t.optimizer,
    '--lr', String(t.learningRate),
    '--epochs', String(epochs),
    '--repeats', String(repeats),
    '--check-epochs', checkEpochs.join(','),
    '--threads', String(threads),
  ];
  if (t.l2 !== 0 || w.config.init.scale !== 0.1 || t.momentum !== 0.9 || t.beta1 !== 0.9 || t.beta2 !== 0.999 || t.epsilon !== 1e-8 || (!isScale(w) && d.kind !== 'moons')) {
    throw new Error('bench_numpy.py trains without L2, init scale 0.1, default momentum/adam constants, on the scale data or moons; extend it for this workload');
  }
  const r = spawnSync(exe, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: numpyEnv(threads) });
  if (r.status !== 0) throw new Error(`${exe} bench_numpy.py failed (${r.error?.message ?? `exit ${r.status}`}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  const lines = r.stdout.trim().split('\n');
  const out = JSON.parse(lines[lines.length - 1]!) as { ms_per_epoch: number; runs_ms: number[]; final_cost: number; costs_at: Record<string, number>; detail: string };
  return {
    msPerEpoch: out.ms_per_epoch,
    runsMs: out.runs_ms,
    finalCost: out.final_cost,
    trainAccuracy: NaN,
    testAccuracy: null,
    detail: out.detail,
    costsAt: Object.fromEntries(Object.entries(out.costs_at).map(([k, v]) => [Number(k), v])),
  };
}

function numpyAvailable(w: Workload | null): string | null {
  if (w === null || !viaBenchNumpy(w)) {
    const script = findNumpyScript();
    if (!script) return 'numpy_ref.py not found (looked in ../shared/reference and test/fixtures/reference)';
  }
  const py = findPython();
  return py.exe ? null : py.why;
}

/**
 * Runs numpy at every count of NUMPY_THREADS (one thread alone, under load, on a contended workload); byThreads
 * keeps each count's timed runs, and the faster count's figure counts (see counted).
 */
function bestOfThreads(w: Workload, one: (threads: number) => ImplRun): ImplRun {
  const counts = w.contended ? [1] : NUMPY_THREADS;
  const runs = counts.map((n) => {
    const stop = w.contended ? startBusyLoop() : null;
    try {
      return { n, r: one(n) };
    } finally {
      stop?.();
    }
  });
  const byThreads = Object.fromEntries(runs.map((x) => [x.n, { runsMs: x.r.runsMs, detail: x.r.detail }]));
  const { runsMs } = counted({ runsMs: [], byThreads });
  return { ...runs[0]!.r, byThreads, runsMs, msPerEpoch: median(runsMs) };
}

/**
 * The timed runs that count and the detail line: numpy's at the thread count with the lower median (the detail
 * names each count's median), anyone else's all of them (with the thread governor's switches, if any).
 */
function counted(r: Pick<ImplRun, 'runsMs' | 'byThreads' | 'detail' | 'switches'>, contended = false): { runsMs: number[]; detail?: string } {
  const counts = Object.entries(r.byThreads ?? {}).map(([n, x]) => ({ n: Number(n), ...x, med: median(x.runsMs) }));
  if (!counts.length) return { runsMs: r.runsMs, ...(r.detail ? { detail: r.switches?.length ? `${r.detail}; thread switches: ${r.switches.join('; ')}` : r.detail } : {}) };
  const best = counts.reduce((a, b) => (b.med < a.med ? b : a));
  const figures = counts.map((x) => `${x.n} thread${x.n > 1 ? 's' : ''} ${x.med.toFixed(3)} ms/epoch`).join(', ');
  return { runsMs: best.runsMs, detail: `${best.detail ?? 'numpy'}; ${figures}; the ${best.n}-thread figure counts${contended ? ' (under the same busy loop)' : ''}` };
}

/** numpy float32 (the scale and wide workloads), through bench_numpy.py. */
export const numpyF32: Impl = {
  id: 'numpy-f32',
  precision: 'float32',
  supports: viaBenchNumpy,
  available: async () => numpyAvailable({ id: 'scale' } as Workload),
  run: async (w, epochs, repeats, checkEpochs = [], timedOnly = false) => bestOfThreads(w, (n) => runBenchNumpy(w, 'float32', epochs, repeats, timedOnly ? [] : checkEpochs, n)),
};

/** numpy float64: numpy_ref.py on the seed workload (it times `repeats` runs after one reference run), bench_numpy.py on the scale ones. */
export const numpyF64: Impl = {
  id: REFERENCE_IMPL,
  precision: 'float64',
  supports: () => true,
  async available() {
    return numpyAvailable(null);
  },
  async run(w, epochs, repeats, checkEpochs = [], timedOnly = false) {
    if (viaBenchNumpy(w)) return bestOfThreads(w, (n) => runBenchNumpy(w, 'float64', epochs, repeats, timedOnly ? [] : checkEpochs, n));
    const script = findNumpyScript()!;
    const exe = findPython().exe!;
    const numpyRef = (n: number, reps: number, threads = 1) => {
      const r = spawnSync(exe, [script, '--epochs', String(n), '--repeats', String(reps), '--no-dump', '--json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: numpyEnv(threads) });
      if (r.status !== 0) throw new Error(`${exe} ${script} failed (${r.error?.message ?? `exit ${r.status}`}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      const lines = r.stdout.trim().split('\n');
      return { lines, out: JSON.parse(lines[lines.length - 1]!) as { ms_per_epoch: number; runs_ms: number[]; final_cost: number; train_acc: number; test_acc: number } };
    };
    // the cost after the other epoch counts that implementations ran (gpu.js runs fewer), untimed
    const costsAt: Record<number, number> = {};
    if (!timedOnly) for (const k of checkEpochs) if (k !== epochs) costsAt[k] = numpyRef(k, 1).out.final_cost;
    return bestOfThreads(w, (threads) => {
      const { lines, out } = numpyRef(epochs, repeats, threads);
      return {
        msPerEpoch: out.ms_per_epoch,
        runsMs: out.runs_ms,
        finalCost: out.final_cost,
        trainAccuracy: out.train_acc,
        testAccuracy: out.test_acc,
        costsAt,
        detail: lines[0]?.startsWith('numpy') ? lines[0] : undefined,
      };
    });
  },
};

/** Few epochs and one timed run for the gpu.js backend (100 on the seed workload, 1 on scale): it is slow without a real GPU. */
const gpuOpts = {
  supports: () => true,
  epochsFor: (w: Workload, e: number) => Math.min(e, isScale(w) ? 1 : 100),
  repeatsFor: (_w: Workload, r: number) => Math.min(r, 1),
};

const notContended = (w: Workload) => !w.contended;
/** gpu.js is timed on the seed and scale workloads (without a GPU its wide runs would take minutes and say nothing new). */
const gpuWorkloads = (w: Workload) => !w.contended && !isWide(w);

export const IMPLS: Impl[] = [
  engineCpu,
  userPathImpl('engine-cpu-f32', 'cpu-f32', notContended),
  engineImpl('engine-cpu-f64-1thread', 'float64', async () => new CpuBackend(), { supports: notContended }),
  engineImpl('engine-cpu-f64-threads', 'float64', () => ParallelCpuBackend.create({ precision: 'float64' }), { supports: notContended }),
  engineImpl('engine-cpu-f32-threads', 'float32', () => ParallelCpuBackend.create({ precision: 'float32' }), { supports: notContended }),
  engineImpl('engine-gpu-webasm', 'float32', () => createGpuBackend({ mode: 'webasm' }), { ...gpuOpts, supports: gpuWorkloads }),
  engineImpl('engine-gpu-headlessgl', 'float32', () => createGpuBackend({ mode: 'headlessgl', explainHeadlessGL }), { ...gpuOpts, supports: gpuWorkloads }),
  numpyF64,
  numpyF32,
];

export interface BenchOptions {
  json: boolean;
  /** Epochs per timed run for every workload; null: each workload's own (seed-moons 2000, scale 3, scale-mb512 2). */
  epochs: number | null;
  repeats: number;
  workloads: string[] | null;
  impls: string[] | null;
}

export const BENCH_USAGE = `Usage: npm run bench -- [--json] [--epochs N] [--repeats N] [--workload IDS] [--impl IDS]

Times each workload on each implementation and checks every final cost against numpy-f64's after the same
epochs: to ${COST_TOLERANCE} relative in float64, ${F32_COST_TOLERANCE} in float32. On the scale workloads it reports
the fraction of numpy-f32's throughput the best engine path reaches (target ≥ ${SCALE_TARGET}), and it prints each
goal of issue 13 as an engine/numpy ratio, with the share of this machine's WebAssembly SIMD multiply-add ceiling
(measured first) that the goal would take. The engine runs as \`backprop-lab train\` does; numpy at 1 and 2 BLAS
threads, the faster counted (one thread, under the same busy loop, on seed-contended).
  --epochs N      epochs per timed run for every workload (default: ${WORKLOADS.map((w) => `${w.id} ${w.epochs}`).join(', ')};
                  the gpu.js backends run at most 1 on the scale workloads)
  --repeats N     timed runs per implementation; the median is reported (default: 3)
  --workload IDS  comma-separated subset of: ${[...WORKLOADS.map((w) => w.id), STARTUP_WORKLOAD].join(', ')}
  --impl IDS      comma-separated subset of: ${IMPLS.map((i) => i.id).join(', ')}
  --json          print the results as one JSON line on stdout (the last line)`;

const pct = (x: number) => `${Math.round(x * 100)} %`;

export class BenchUsageError extends Error {}

export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  const o: BenchOptions = { json: false, epochs: null, repeats: 3, workloads: null, impls: null };
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
    else if (flag === '--workload') o.workloads = ids([...WORKLOADS.map((w) => w.id), STARTUP_WORKLOAD]);
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

/** One implementation's first round with a later round's timed runs: the checked figures stay the first round's. */
function mergeRuns(first: ImplRun, later: ImplRun): ImplRun {
  const byThreads = first.byThreads && { ...first.byThreads };
  for (const [n, x] of Object.entries(later.byThreads ?? {})) if (byThreads) byThreads[Number(n)] = { ...x, runsMs: [...(byThreads[Number(n)]?.runsMs ?? []), ...x.runsMs] };
  const merged = { ...first, runsMs: [...first.runsMs, ...later.runsMs], switches: [...(first.switches ?? []), ...(later.switches ?? [])], ...(byThreads ? { byThreads } : {}) };
  return { ...merged, msPerEpoch: median(counted(merged).runsMs) };
}

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
  const startupWanted = !o.workloads || o.workloads.includes(STARTUP_WORKLOAD);
  const impls = IMPLS.filter((x) => !o.impls || o.impls.includes(x.id));

  const results: BenchResult[] = [];
  const skipped: { workload: string; impl: string; reason: string }[] = [];
  // the multiply-add ceiling, measured first, on an idle machine
  const ceilings: Ceiling[] = [];
  if (workloads.length > 0 && impls.some((x) => x.id.startsWith('engine-'))) {
    io.stderr('bench: the WebAssembly SIMD multiply-add ceiling…\n');
    for (const c of await measureCeilings()) {
      if (typeof c === 'string') skipped.push({ workload: 'ceiling', impl: '-', reason: c });
      else ceilings.push(c);
    }
  }
  const refCosts = new Map<string, Map<number, number>>(); // workload → epochs → numpy-f64's cost
  const availability = new Map<Impl, string | null>();
  try {
    for (const w of workloads) {
      const m = dataFor(w).train.n;
      const flops = flopsPerEpoch(w.config, m);
      const wEpochs = o.epochs ?? w.epochs;
      const runnable: Impl[] = [];
      for (const impl of impls) {
        if (!impl.supports(w)) continue;
        if (!availability.has(impl)) availability.set(impl, await impl.available());
        const why = availability.get(impl)!;
        if (why) {
          skipped.push({ workload: w.id, impl: impl.id, reason: why });
          io.stderr(`bench: ${w.id} × ${impl.id} skipped: ${why}\n`);
        } else runnable.push(impl);
      }
      // the reference reports its cost after every epoch count another implementation runs
      const checkEpochs = [...new Set(runnable.map((x) => x.epochsFor?.(w, wEpochs) ?? wEpochs))].sort((a, b) => a - b);
      // the timed runs go in rounds, one per implementation each, so that a machine whose speed drifts over
      // minutes (a shared or virtual one) slows every implementation alike instead of whichever ran last; the
      // first round also makes each implementation's checked (untimed) run
      const acc = new Map<Impl, ImplRun>();
      const steal = new Map<Impl, StealMeter>();
      const failed = new Set<Impl>();
      const rounds = Math.max(0, ...runnable.map((x) => x.repeatsFor?.(w, o.repeats) ?? o.repeats));
      for (let round = 0; round < rounds; round++) {
        for (const impl of runnable) {
          const epochs = impl.epochsFor?.(w, wEpochs) ?? wEpochs;
          const repeats = impl.repeatsFor?.(w, o.repeats) ?? o.repeats;
          if (round >= repeats || failed.has(impl)) continue;
          io.stderr(`bench: ${w.id} × ${impl.id}: ${round === 0 ? '1 checked run + ' : ''}timed run ${round + 1} of ${repeats}, ${epochs} epoch${epochs > 1 ? 's' : ''}…\n`);
          try {
            const meter = steal.get(impl) ?? steal.set(impl, new StealMeter()).get(impl)!;
            const r = await meter.around(() => impl.run(w, epochs, 1, checkEpochs, round > 0));
            const prev = acc.get(impl);
            acc.set(impl, prev ? mergeRuns(prev, r) : r);
          } catch (e) {
            failed.add(impl);
            acc.delete(impl);
            skipped.push({ workload: w.id, impl: impl.id, reason: (e as Error).message });
            io.stderr(`bench: ${w.id} × ${impl.id} failed: ${(e as Error).message}\n`);
          }
        }
      }
      for (const impl of runnable) {
        const r = acc.get(impl);
        if (!r) continue;
        const epochs = impl.epochsFor?.(w, wEpochs) ?? wEpochs;
        if (impl.id === REFERENCE_IMPL) refCosts.set(w.id, new Map([...Object.entries(r.costsAt ?? {}).map(([k, v]) => [Number(k), v] as [number, number]), [epochs, r.finalCost]]));
        const { runsMs, detail } = counted(r, w.contended);
        results.push({ workload: w.id, impl: impl.id, precision: impl.precision, epochs, msPerEpoch: r.msPerEpoch, gflops: flops / (r.msPerEpoch * 1e6), runsMs, finalCost: r.finalCost, ...(detail ? { detail } : {}), hostSteal: steal.get(impl)?.share() ?? null });
      }
    }
  } finally {
    for (const impl of impls) await impl.dispose?.();
  }

  // the command line's start-up (another engineer's scripts/bench-startup.ts; skipped while it does not exist)
  const startup: { workload: 'startup'; impl: string; ms: number }[] = [];
  if (startupWanted) {
    if (!existsSync(STARTUP_SCRIPT)) skipped.push({ workload: STARTUP_WORKLOAD, impl: '-', reason: 'scripts/bench-startup.ts does not exist yet' });
    else {
      io.stderr(`bench: ${STARTUP_WORKLOAD}: scripts/bench-startup.ts…\n`);
      try {
        const mod = (await import(STARTUP_SCRIPT)) as { benchStartup?: (opts?: { repeats?: number }) => Promise<{ workload: 'startup'; impl: string; ms: number }[]> };
        if (typeof mod.benchStartup !== 'function') throw new Error('scripts/bench-startup.ts exports no benchStartup()');
        startup.push(...(await mod.benchStartup({ repeats: Math.max(3, o.repeats) })));
      } catch (e) {
        skipped.push({ workload: STARTUP_WORKLOAD, impl: '-', reason: (e as Error).message });
        io.stderr(`bench: ${STARTUP_WORKLOAD} failed: ${(e as Error).message}\n`);
      }
    }
  }

  // every implementation vs the reference: speed ratio and the final-cost check, per workload
  const comparisons = results.flatMap((r) => {
    const ref = results.find((x) => x.workload === r.workload && x.impl === REFERENCE_IMPL);
    const refCost = refCosts.get(r.workload)?.get(r.epochs);
    if (!ref || r.impl === REFERENCE_IMPL || refCost === undefined) return [];
    const tolerance = r.precision === 'float64' ? COST_TOLERANCE : F32_COST_TOLERANCE;
    const diff = relDiff(r.finalCost, refCost);
    return [{ workload: r.workload, impl: r.impl, reference: ref.impl, epochs: r.epochs, ratio: r.msPerEpoch / ref.msPerEpoch, finalCost: r.finalCost, referenceCost: refCost, relDiff: diff, tolerance, ok: diff <= tolerance }];
  });

  // scale: the fastest engine path against numpy-f32's throughput
  const scale = workloads.filter(isScale).flatMap((w) => {
    const np32 = results.find((r) => r.workload === w.id && r.impl === 'numpy-f32');
    const engines = results.filter((r) => r.workload === w.id && r.impl.startsWith('engine-'));
    if (!np32 || !engines.length) return [];
    const best = engines.reduce((a, b) => (b.msPerEpoch < a.msPerEpoch ? b : a));
    return [{ workload: w.id, best: best.impl, msPerEpoch: best.msPerEpoch, numpyF32MsPerEpoch: np32.msPerEpoch, fractionOfNumpyF32: np32.msPerEpoch / best.msPerEpoch, target: SCALE_TARGET }];
  });

  const table = [
    ['workload', 'impl', 'epochs', 'ms/epoch', 'GFLOP/s', 'steal', 'final cost'],
    ...results.map((r) => [r.workload, r.impl, String(r.epochs), r.msPerEpoch.toFixed(3), r.gflops.toFixed(2), stealText(r.hostSteal), r.finalCost.toPrecision(15)]),
  ];
  const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  const lines = table.map((row) => row.map((cell, c) => (c >= 2 && c <= 5 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd());
  lines.splice(1, 0, widths.map((n) => '-'.repeat(n)).join('  '));
  for (const r of results) if (r.detail) lines.push(`  ${r.workload} ${r.impl}: ${r.detail}`);
  if (results.length > 0) {
    lines.push(
      `  steal: the share of this machine's CPU time its host gave to others during the row's runs (a virtual machine's ` +
        `neighbours; ${results.some((r) => r.hostSteal !== null) ? 'from /proc/stat' : "'-': this system does not report it"}); rows timed under a high share are slowed beyond it`,
    );
  }
  for (const c of comparisons) {
    // the speed ratio against numpy-f64 is the seed workload's headline; on scale the numpy-f32 line below is
    if (!c.workload.startsWith('scale')) {
      const speed = c.ratio >= 1 ? `${c.ratio.toFixed(2)}× slower than` : `${(1 / c.ratio).toFixed(2)}× faster than`;
      lines.push(`${c.workload}: ${c.impl} is ${speed} ${c.reference}`);
    }
    lines.push(
      `${c.workload}: check final cost after ${c.epochs} epoch${c.epochs > 1 ? 's' : ''}: ${c.impl} ${c.finalCost.toPrecision(17)}, ${c.reference} ${c.referenceCost.toPrecision(17)}, ` +
        `relative difference ${c.relDiff.toExponential(2)} ${c.ok ? `≤ ${c.tolerance}: OK` : `> ${c.tolerance}: MISMATCH — these timings are of a wrong answer`}`,
    );
  }
  for (const s of scale) {
    lines.push(
      `${s.workload}: best engine path ${s.best} (${s.msPerEpoch.toFixed(1)} ms/epoch) reaches ${s.fractionOfNumpyF32.toFixed(2)} of numpy-f32's throughput ` +
        `(${s.numpyF32MsPerEpoch.toFixed(1)} ms/epoch); target ≥ ${s.target}: ${s.fractionOfNumpyF32 >= s.target ? 'met' : 'NOT met'}`,
    );
  }
  // issue 13's goals, each an engine/numpy ratio measured in this run
  const goals: Goal[] = GOALS.flatMap((g) => {
    const e = results.find((r) => r.workload === g.workload && r.impl === g.impl);
    const ref = results.find((r) => r.workload === g.workload && r.impl === g.reference);
    if (!e || !ref) return [];
    const ratio = e.msPerEpoch / ref.msPerEpoch;
    const top = ceilings.find((c) => c.precision === e.precision);
    // the target's time is target × numpy's, so its GFLOP/s are the run's × ratio / target
    const needGflops = (e.gflops * ratio) / g.target;
    const contended = WORKLOADS.find((w) => w.id === g.workload)?.contended === true;
    const ceiling = top && !contended ? { precision: top.precision, needGflops, share: needGflops / top.gflopsAll, runShare: e.gflops / top.gflopsAll } : undefined;
    return [{ ...g, ratio, met: ratio <= g.target, ...(ceiling ? { ceiling } : {}) }];
  });
  for (const c of ceilings) lines.push(ceilingLine(c));
  for (const g of goals) {
    const top = g.ceiling
      ? `; ${g.target}× takes ${g.ceiling.needGflops.toFixed(1)} GFLOP/s, ${pct(g.ceiling.share)} of the ${g.ceiling.precision} ceiling (this run: ${pct(g.ceiling.runShare)})`
      : '';
    lines.push(`goal: ${g.workload}: ${g.impl} / ${g.reference} = ${g.ratio.toFixed(2)}× (target ≤ ${g.target}): ${g.met ? 'met' : 'NOT met'}${top}`);
  }
  for (const st of startup) lines.push(`startup: ${st.impl}: ${st.ms.toFixed(1)} ms`);
  for (const s of skipped) lines.push(`${s.workload}: ${s.impl} skipped: ${s.reason}`);
  io.stdout(lines.join('\n') + '\n');

  if (o.json) {
    const seed = comparisons.find((c) => c.workload === 'seed-moons' && c.impl === engineCpu.id);
    io.stdout(JSON.stringify({ results, ratio: seed ? seed.ratio : null, scale, goals, ceilings, startup, checks: comparisons, skipped, epochs: o.epochs, repeats: o.repeats }) + '\n');
  }
  return comparisons.every((c) => c.ok) ? 0 : 1;
}
