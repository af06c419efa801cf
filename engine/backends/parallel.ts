// node-only: runs the CPU kernels on worker_threads (node:worker_threads, Atomics.wait on the calling thread).
// The multi-threaded CPU backends: the float64 (numpy-exact) or float32 WebAssembly SIMD kernels, with every
// kernel call split between the calling thread and `threads − 1` workers that share one WebAssembly.Memory — or,
// for a full batch, the batch trained as two blocks of samples whose chunks the calling thread and one worker
// share (./split.ts: a program job, posted and waited for like a kernel's).
// The Backend interface is synchronous, so the caller posts a job in a shared control block, wakes the workers,
// does its own share, runs any share a worker has not started yet (its core may be busy), and blocks (Atomics.wait)
// until the started ones are done. Each output element is computed by one thread exactly as the one-thread
// kernels do, so results are bit for bit those of CpuBackend / CpuF32Backend.
// Browsers never reach this file (the renderer may not block its main thread, and needs cross-origin isolation
// for shared memory).

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Activation } from '../architecture';
import type { Network } from '../network';
import type { Backend, Precision, Tensor, UpdateRule } from './backend';
import { CpuBackend, CpuTensor } from './cpu';
import { CpuF32Backend, CpuF32Tensor } from './cpu-f32';
import { BLOCK_PROGRAM, blockArgs, MAX_SPLIT_LAYERS, SampleSplit, splittable, SYNC_SLOTS, type BlockHost } from './split';
import { FUSED_NOTE, kernelModule, kernelModuleF32, WasmHeap, type WasmF32Kernels, type WasmKernels } from './wasm/heap';

/** Pages of the shared memory's maximum (2 GiB; the modules are linked with the same --max-memory). */
const MAX_PAGES = 32768;

// Control block (Int32Array over a SharedArrayBuffer):
const GEN = 0; // job generation; workers wait for it to change. -1: exit
const DONE = 1; // workers finished with the current job
const OP = 2; // index of the kernel in `names`
const NARGS = 3;
const NPARTS = 4; // parts of the current job (≤ threads); workers whose part is beyond it sit the job out
const SPIN = 5; // iterations a worker spins before sleeping (0 on a machine whose cores are taken)
const RESULT = 6; // RESULT + part: each part's return value
// CLAIM(threads) + part: a posted part's state. The calling thread opens a job's parts; a worker that wakes claims
// its part before running it; the calling thread, done with its own share, takes back every part still open and
// runs it itself. So a worker whose core is taken by another process (the window drawing, another run) never holds
// a job up that it has not started; only a part it is in the middle of is waited for.
const OPEN = 1, CLAIMED = 2; // and 0: closed (taken back, or not posted)
const claimAt = (threads: number) => RESULT + threads;
const MAX_ARGS = Math.max(16, blockArgs(MAX_SPLIT_LAYERS));

/** The worker's loop, run with `eval` (so no file path to resolve under tsx, vitest or a bundle). */
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const { module, memory, ctl: ctlBuf, args: argsBuf, sync: syncBuf, names, part, claim } = workerData;
const ex = new WebAssembly.Instance(module, { env: { memory } }).exports;
const fns = names.map((n) => ex[n]);
const program = (${BLOCK_PROGRAM})(ex, new Int32Array(syncBuf));
const ctl = new Int32Array(ctlBuf), args = new Float64Array(argsBuf);
// read the generation before saying ready: the first job may be posted the moment 'ready' arrives
let gen = Atomics.load(ctl, ${GEN});
parentPort.postMessage('ready');
for (;;) {
  // spin briefly (the next kernel usually follows within microseconds), then sleep until the generation moves
  const spin = Atomics.load(ctl, ${SPIN});
  for (let i = 0; i < spin && Atomics.load(ctl, ${GEN}) === gen; i++);
  while (Atomics.load(ctl, ${GEN}) === gen) Atomics.wait(ctl, ${GEN}, gen);
  gen = Atomics.load(ctl, ${GEN});
  if (gen === -1) break;
  // this part unless the calling thread has already taken it back (or it has no part in this job)
  if (Atomics.compareExchange(ctl, claim, ${OPEN}, ${CLAIMED}) !== ${OPEN}) continue;
  // the job claimed is the latest one posted: the next is posted only once this part is done
  gen = Atomics.load(ctl, ${GEN});
  const nparts = ctl[${NPARTS}];
  const n = ctl[${NARGS}], a = args;
  const f = fns[ctl[${OP}]];
  let r;
  // a program job (op past the kernels): part 1 takes jobs of a full batch's pass beside the calling thread
  if (!f) r = part === 1 ? program(a, 1) : 0;
  else switch (n) {
    case 5: r = f(a[0], a[1], a[2], a[3], a[4], part, nparts); break;
    case 7: r = f(a[0], a[1], a[2], a[3], a[4], a[5], a[6], part, nparts); break;
    case 8: r = f(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], part, nparts); break;
    default: r = f(...Array.from(a.subarray(0, n)), part, nparts);
  }
  ctl[${RESULT} + part] = r | 0;
  Atomics.add(ctl, ${DONE}, 1);
  Atomics.notify(ctl, ${DONE});
}
`;

/** Kernel calls split over the calling thread and `threads − 1` workers sharing one memory. */
export class KernelPool {
  readonly memory: WebAssembly.Memory;
  readonly exports: Record<string, (...a: number[]) => number>;
  /** What BLOCK_PROGRAM's threads count their jobs with (split.ts). */
  readonly sync: Int32Array;
  private readonly ctl: Int32Array;
  private readonly args: Float64Array;
  private readonly index = new Map<string, number>();
  private readonly workers: Worker[] = [];
  private closed = false;
  private broken: string | null = null;
  /** Threads the next jobs use (1 … threads); 1 runs every kernel on the calling thread and wakes no worker. */
  private activeThreads: number;
  private spin: number;
  /** Recent jobs whose workers were not done when this thread finished its share and stopped spinning. */
  private late = 0;
  private jobs = 0;
  /** Rounds of 256 jobs run without spinning since spinning was turned off. */
  private quietRounds = 0;
  /** Parts this thread took back and ran itself because their worker had not started them. */
  takenBack = 0;

  private constructor(readonly module: WebAssembly.Module, readonly threads: number, names: string[], spin: number) {
    this.activeThreads = threads;
    this.spin = spin;
    this.memory = new WebAssembly.Memory({ initial: 64, maximum: MAX_PAGES, shared: true });
    this.exports = new WebAssembly.Instance(module, { env: { memory: this.memory } }).exports as unknown as Record<string, (...a: number[]) => number>;
    names.forEach((n, i) => this.index.set(n, i));
    const ctlBuf = new SharedArrayBuffer(4 * (claimAt(threads) + threads));
    const argsBuf = new SharedArrayBuffer(8 * MAX_ARGS);
    this.ctl = new Int32Array(ctlBuf);
    this.args = new Float64Array(argsBuf);
    this.ctl[SPIN] = spin;
    const syncBuf = new SharedArrayBuffer(4 * SYNC_SLOTS);
    this.sync = new Int32Array(syncBuf);
    for (let part = 1; part < threads; part++) {
      const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, memory: this.memory, ctl: ctlBuf, args: argsBuf, sync: syncBuf, names, part, claim: claimAt(threads) + part } });
      w.unref(); // an idle pool never keeps the process alive
      this.workers.push(w);
    }
  }

  /** A pool whose workers have instantiated the module (so the first kernel doesn't wait for them to boot). */
  static async create(module: WebAssembly.Module, threads: number, names: string[], spin = 20000): Promise<KernelPool> {
    const pool = new KernelPool(module, threads, names, spin);
    await Promise.all(
      pool.workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            w.once('message', () => resolve());
            w.once('error', reject);
            w.once('exit', (code) => reject(new Error(`a kernel worker exited with code ${code} before it was ready`)));
          }),
      ),
    );
    for (const w of pool.workers) {
      w.removeAllListeners();
      w.on('error', (e) => (pool.broken ??= `a kernel worker failed: ${e.message}`));
      w.on('exit', (code) => (pool.broken ??= `a kernel worker exited (code ${code})`));
    }
    return pool;
  }

  /** Threads the kernels run on now (the calling one included). */
  get active(): number {
    return this.activeThreads;
  }

  /**
   * Runs the next jobs on `n` threads (1 … threads). Results do not change: every output element is computed by
   * one thread the same way whatever the split. With 1 the workers sleep (no spinning, no wake-ups).
   */
  setActive(n: number): void {
    this.activeThreads = Math.max(1, Math.min(this.threads, Math.floor(n)));
    this.late = this.jobs = 0;
    this.ctl[SPIN] = this.spin;
  }

  /**
   * Runs kernel `name` (args without the trailing part, nparts) split over the active threads, or on this thread
   * alone when `small` (a job too short to pay for waking a worker); returns the least part result.
   */
  run(name: string, args: number[], small = false): number {
    this.check();
    const n = this.activeThreads;
    const f = this.exports[name];
    if (n === 1 || small) return f(...args, 0, 1);
    this.start(this.index.get(name)!, args, n);
    const r = f(...args, 0, n) | 0;
    // a part its worker has not claimed yet is run here, the same way (the result does not depend on the thread)
    return Math.min(r, this.finish(n, (p) => f(...args, p, n) | 0));
  }

  /**
   * Starts BLOCK_PROGRAM with `args` on the first worker (beside the calling thread, which runs it too);
   * false, posting nothing, when only the calling thread is active. Every post is followed by `wait`.
   */
  post(args: Float64Array): boolean {
    this.check();
    if (this.activeThreads === 1) return false;
    this.start(this.index.size, args, 2);
    return true;
  }

  /**
   * Waits for the program `post` started; its result. A worker that has not started it by now takes no part (this
   * thread's share has taken every job): its result is 0, nothing found.
   */
  wait(): number {
    return this.finish(2, () => 0);
  }

  private check(): void {
    if (this.closed) throw new Error('cpu backend: its kernel threads were closed (the backend was disposed)');
    if (this.broken) throw new Error(`cpu backend: ${this.broken}`);
  }

  /** Posts job `op` on parts 1 … n−1 (each open for its worker to claim) and wakes the workers. */
  private start(op: number, args: ArrayLike<number>, n: number): void {
    const ctl = this.ctl;
    this.args.set(args);
    ctl[OP] = op;
    ctl[NARGS] = args.length;
    ctl[NPARTS] = n;
    Atomics.store(ctl, DONE, 0);
    const claim = claimAt(this.threads);
    for (let p = 1; p < n; p++) Atomics.store(ctl, claim + p, OPEN);
    Atomics.add(ctl, GEN, 1);
    Atomics.notify(ctl, GEN);
  }

  /**
   * Takes back the parts 1 … n−1 no worker has claimed and runs each with `runPart`, then waits for the claimed
   * ones; the least of all their results.
   */
  private finish(n: number, runPart: (part: number) => number): number {
    const ctl = this.ctl;
    const claim = claimAt(this.threads);
    let r = Infinity, claimed = 0;
    for (let p = 1; p < n; p++) {
      if (Atomics.compareExchange(ctl, claim + p, OPEN, 0) === OPEN) {
        this.takenBack++;
        r = Math.min(r, runPart(p));
      } else claimed++;
    }
    // the workers usually finish about when this thread does: spin a little before sleeping — unless they have
    // often been late (their core is busy with something else), when spinning only takes the core from them
    const spin = Atomics.load(ctl, SPIN) > 0 ? 20000 : 0;
    let i = 0;
    while (i < spin && Atomics.load(ctl, DONE) !== claimed) i++;
    if (Atomics.load(ctl, DONE) !== claimed) this.late++;
    for (let d = Atomics.load(ctl, DONE); d !== claimed; d = Atomics.load(ctl, DONE)) {
      if (Atomics.wait(ctl, DONE, d, 1000) === 'timed-out' && this.broken) throw new Error(`cpu backend: ${this.broken}`);
    }
    if (++this.jobs === 256) {
      // more than a quarter of the jobs late while spinning: the cores are shared; stop spinning on both sides
      // for the next 1024 jobs, then try again
      if (Atomics.load(ctl, SPIN) === 0) {
        if (++this.quietRounds >= 4) Atomics.store(ctl, SPIN, this.spin);
      } else if (this.late > 64) {
        Atomics.store(ctl, SPIN, 0);
        this.quietRounds = 0;
      }
      this.late = this.jobs = 0;
    }
    for (let p = 1; p < n; p++) if (ctl[claim + p] === CLAIMED) r = Math.min(r, ctl[RESULT + p]!);
    return r;
  }

  /** Stops the workers; the pool can't run kernels afterwards. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.workers) w.removeAllListeners();
    Atomics.store(this.ctl, GEN, -1);
    Atomics.notify(this.ctl, GEN);
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

const KERNEL_NAMES = ['gemm_nn_mt', 'gemm_tn_mt', 'gemm_nt_mt', 'row_sums_mt', 'bias_act_mt', 'act_backward_mt', 'sgd_mt', 'momentum_mt', 'adam_mt'];

/**
 * Below these sizes a kernel runs on the calling thread alone: waking a worker and waiting for it costs a few
 * microseconds (far more on a busy machine), more than splitting saves. A gemm's work is M·K·N multiply-adds
 * (64×256×256 ≈ 4M is split; the seed network's 25×2×900 is not); an elementwise kernel's is its element count.
 */
export const MIN_SPLIT_GEMM = 1 << 18;
export const MIN_SPLIT_ELEMENTS = 1 << 15;

/** Threads a threaded backend uses unless told otherwise: the machine's available parallelism, at most 8. */
export function defaultThreads(): number {
  return Math.max(1, Math.min(8, availableParallelism()));
}

export interface ParallelCpuBackendOptions {
  /** 'float64' (default: numpy-exact, as CpuBackend) or 'float32' (as CpuF32Backend). */
  precision?: Precision;
  /** Threads in all, the calling one included (default: the machine's available parallelism, at most 8). */
  threads?: number;
}

/**
 * The cpu backend with its kernels split over worker threads. Create it with `ParallelCpuBackend.create()`;
 * call `dispose()` when done (idle workers don't keep the process alive either way).
 */
export class ParallelCpuBackend implements Backend {
  readonly name = 'cpu';
  readonly mode: string;
  readonly modeReason: string;
  readonly precision: Precision;
  readonly tolerance: number;

  private constructor(private readonly inner: Backend, private readonly pool: KernelPool, private readonly heap: WasmHeap<unknown>, mode: string, modeReason: string) {
    this.mode = mode;
    this.modeReason = modeReason;
    this.precision = inner.precision;
    this.tolerance = inner.tolerance;
  }

  static async create(opts: ParallelCpuBackendOptions = {}): Promise<ParallelCpuBackend> {
    const precision = opts.precision ?? 'float64';
    const threads = opts.threads ?? defaultThreads();
    if (!Number.isInteger(threads) || threads < 1) throw new Error(`cpu backend: threads must be a whole number ≥ 1, got ${threads}`);
    if (typeof SharedArrayBuffer !== 'function') throw new Error('cpu backend: threads need SharedArrayBuffer, which this runtime lacks; use the one-thread cpu backend');
    const loaded = precision === 'float32' ? kernelModuleF32(true) : kernelModule(true);
    if (!('module' in loaded)) throw new Error(`cpu backend: ${loaded.reason}; use the one-thread cpu backend`);
    const pool = await KernelPool.create(loaded.module, threads, KERNEL_NAMES);
    const mode = `${precision === 'float32' ? 'wasm-simd-f32' : 'wasm-simd-f64'}-threads${threads}`;
    const fused = loaded.fused ? FUSED_NOTE : '';
    const modeReason =
      threads > 1
        ? `WebAssembly SIMD kernels on ${threads} threads sharing one memory (a full batch as two blocks of samples at once, other work split kernel by kernel${fused})`
        : `WebAssembly SIMD kernels on 1 thread (of a threaded backend${fused})`;
    // drop the (0, 1) the backend passes; `size` picks the argument that says how big the job is
    const run = (name: string, size: (a: number[]) => number, min: number) => (...a: number[]) => pool.run(name, a.slice(0, -2), size(a) < min);
    const gemmWork = (a: number[]) => a[3] * a[4] * a[5];
    if (precision === 'float32') {
      const ex = pool.exports as unknown as WasmF32Kernels;
      const kernels: WasmF32Kernels = {
        gemm_scratch_bytes: (M, K, N, nt) => ex.gemm_scratch_bytes(M, K, N, nt),
        gemm_nn_mt: run('gemm_nn_mt', gemmWork, MIN_SPLIT_GEMM),
        gemm_tn_mt: run('gemm_tn_mt', gemmWork, MIN_SPLIT_GEMM),
        gemm_nt_mt: run('gemm_nt_mt', gemmWork, MIN_SPLIT_GEMM),
        row_sums_mt: run('row_sums_mt', (a) => a[2] * a[3], MIN_SPLIT_ELEMENTS),
        bias_act_mt: run('bias_act_mt', (a) => a[3] * a[4], MIN_SPLIT_ELEMENTS),
        act_backward_mt: run('act_backward_mt', (a) => a[4], MIN_SPLIT_ELEMENTS),
        sgd_mt: run('sgd_mt', (a) => a[2], MIN_SPLIT_ELEMENTS),
        momentum_mt: run('momentum_mt', (a) => a[3], MIN_SPLIT_ELEMENTS),
        adam_mt: run('adam_mt', (a) => a[4], MIN_SPLIT_ELEMENTS),
      };
      const heap = new WasmHeap<WasmF32Kernels>(loaded.module, { memory: pool.memory, kernels });
      return new ParallelCpuBackend(new CpuF32Backend({ heap, parts: threads, mode, modeReason }), pool, heap, mode, modeReason);
    }
    // float64: CpuBackend calls the one-thread exports with the scratch gemm_scratch_bytes asks for; here that is
    // a block per thread, and the _mt kernels run on every thread, part p in block p
    const ex = pool.exports as unknown as Pick<WasmKernels, 'gemm_scratch_bytes'>;
    const gemm = (name: string) => (a: number, b: number, c: number, M: number, K: number, N: number, divisor: number, scratch: number) =>
      pool.run(name, [a, b, c, M, K, N, divisor, scratch], M * K * N < MIN_SPLIT_GEMM);
    const all = (name: string, size: (a: number[]) => number) => (...a: number[]) => pool.run(name, a, size(a) < MIN_SPLIT_ELEMENTS);
    const kernels: WasmKernels = {
      gemm_scratch_bytes: (M, K, N, nt) => ex.gemm_scratch_bytes(M, K, N, nt) * threads,
      gemm_nn: gemm('gemm_nn_mt'),
      gemm_tn: gemm('gemm_tn_mt'),
      gemm_nt: gemm('gemm_nt_mt'),
      row_sums: all('row_sums_mt', (a) => a[2] * a[3]),
      bias_act: all('bias_act_mt', (a) => a[3] * a[4]),
      act_backward: all('act_backward_mt', (a) => a[4]),
      sgd: all('sgd_mt', (a) => a[2]),
      momentum: all('momentum_mt', (a) => a[3]),
      adam: all('adam_mt', (a) => a[4]),
    };
    const heap = new WasmHeap<WasmKernels>(loaded.module, { memory: pool.memory, kernels });
    return new ParallelCpuBackend(new CpuBackend({ heap, modeReason }), pool, heap, mode, modeReason);
  }

  /** Threads in all, the calling one included. */
  get threads(): number {
    return this.pool.threads;
  }

  /** Threads the kernels run on now (see setThreads). */
  get activeThreads(): number {
    return this.pool.active;
  }

  /**
   * Runs on `n` of the backend's threads from the next kernel on (1: the calling thread alone, the workers
   * asleep). Results are bit for bit the same at any count; the trainer uses this to leave a busy machine's
   * cores alone and to come back when threads pay again.
   */
  setThreads(n: number): void {
    this.pool.setActive(n);
  }

  /**
   * The network's full batch of n samples (X: features × n) as two blocks trained at once, with the test set (Xt:
   * features × nt) in two halves (./split.ts); null where that does not apply: too few samples, too many layers,
   * or a hidden activation the kernels don't apply.
   */
  splitSamples(net: Network, X: Float64Array, n: number, Xt: Float64Array, nt: number): SampleSplit | null {
    const cut = this.pool.exports.sample_cut_at(n);
    if (net.backend !== this || net.layers.length > MAX_SPLIT_LAYERS || !splittable(net.layers, n, cut)) return null;
    return new SampleSplit(net, this.blockHost(), X, n, cut, Xt, nt);
  }

  /** What a split of a full batch runs with (./split.ts): this backend's kernels, its first worker, its memory. */
  blockHost(): BlockHost {
    const ex = this.pool.exports;
    const pool = this.pool, heap = this.heap;
    return {
      backend: this,
      exports: ex,
      ptr: (t) => (t as CpuTensor | CpuF32Tensor).ptr,
      scratchBytes: (M, K, N, nt) => ex.gemm_scratch_bytes(M, K, N, nt ? 1 : 0),
      alloc: (bytes) => heap.alloc(bytes),
      free: (ptr) => heap.free(ptr),
      post: (args) => pool.post(args),
      wait: () => pool.wait(),
      sync: pool.sync,
    };
  }

  tensor(rows: number, cols: number, data?: ArrayLike<number>): Tensor {
    return this.inner.tensor(rows, cols, data);
  }
  read(x: Tensor): Float64Array {
    return this.inner.read(x);
  }
  write(x: Tensor, data: ArrayLike<number>): void {
    this.inner.write(x, data);
  }
  gemm(a: Tensor, b: Tensor, out: Tensor, transA: boolean, transB: boolean, divisor: number): void {
    this.inner.gemm(a, b, out, transA, transB, divisor);
  }
  biasActivation(z: Tensor, bias: Tensor, activation: Activation, a: Tensor): boolean {
    return this.inner.biasActivation(z, bias, activation, a);
  }
  activationBackward(dA: Tensor, z: Tensor, a: Tensor, activation: Activation, dz: Tensor): void {
    this.inner.activationBackward(dA, z, a, activation, dz);
  }
  rowSums(x: Tensor, out: Tensor, divisor: number): void {
    this.inner.rowSums(x, out, divisor);
  }
  update(param: Tensor, grad: Tensor, state: Tensor[], rule: UpdateRule): void {
    this.inner.update(param, grad, state, rule);
  }
  free(x: Tensor): void {
    this.inner.free(x);
  }

  /** Stops the worker threads; the backend can't compute afterwards. */
  dispose(): Promise<void> {
    return this.pool.close();
  }
}
