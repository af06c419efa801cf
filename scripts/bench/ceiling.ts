// The ceiling the CPU kernels work under: how fast this machine runs the multiply-add their gemms are written with
// (WebAssembly SIMD, f64x2 or f32x4; one fused instruction where relaxed SIMD runs), on one thread and on every core at
// once, measured in the same run as the workloads (engine/backends/wasm/madd-peak.h: independent chains of it and
// nothing else). No gemm of these kernels can go faster, so the bench prints what share of it each goal would take.
// numpy's OpenBLAS is not bound by it: it uses the processor's widest vectors (256 or 512 bits against 128).
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { kernelModule, kernelModuleF32, type Loaded } from '../../engine/backends/wasm/heap';

export interface Ceiling {
  precision: 'float64' | 'float32';
  /** The build measured: fused multiply-adds (relaxed SIMD) or a multiply then an add. */
  fused: boolean;
  /** GFLOP/s of one thread, and of `threads` threads at once (2 flops a lane's multiply-add). */
  gflopsOne: number;
  threads: number;
  gflopsAll: number;
}

/** Chains per round, as madd-peak.h runs them. */
const CHAINS = 12;
const LANES = { float64: 2, float32: 4 } as const;
/** Each timing runs about this long; the best of REPEATS counts. */
const TARGET_MS = 150;
const REPEATS = 3;

type Peak = (rounds: number) => number;

function instantiate(module: WebAssembly.Module): Peak {
  // the one-thread build imports a plain memory; 64 pages is what its heap starts with (wasm/heap.ts)
  const ex = new WebAssembly.Instance(module, { env: { memory: new WebAssembly.Memory({ initial: 64 }) } }).exports;
  return ex['madd_peak'] as Peak;
}

/** Rounds that take about TARGET_MS on this thread. */
function calibrate(peak: Peak): number {
  let rounds = 100_000;
  for (;;) {
    const t0 = performance.now();
    peak(rounds);
    const ms = performance.now() - t0;
    if (ms >= 40) return Math.max(1, Math.round((rounds * TARGET_MS) / ms));
    rounds *= 4;
  }
}

/** The workers' loop (eval'd, so no file to resolve under tsx): wait for the start, time the rounds, report. */
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const { module, rounds, start } = workerData;
const peak = new WebAssembly.Instance(module, { env: { memory: new WebAssembly.Memory({ initial: 64 }) } }).exports.madd_peak;
peak(1000);
const go = new Int32Array(start);
parentPort.postMessage('ready');
Atomics.wait(go, 0, 0);
const t0 = performance.now();
peak(rounds);
parentPort.postMessage(performance.now() - t0);
`;

/** `threads` threads running `rounds` rounds at the same moment: the slowest one's ms. */
async function together(module: WebAssembly.Module, rounds: number, threads: number): Promise<number> {
  const start = new SharedArrayBuffer(4);
  const workers = Array.from({ length: threads }, () => new Worker(WORKER_SOURCE, { eval: true, workerData: { module, rounds, start } }));
  try {
    await Promise.all(workers.map((w) => new Promise((resolve, reject) => w.once('message', resolve).once('error', reject))));
    const done = workers.map((w) => new Promise<number>((resolve, reject) => w.once('message', resolve).once('error', reject)));
    Atomics.store(new Int32Array(start), 0, 1);
    Atomics.notify(new Int32Array(start), 0);
    return Math.max(...(await Promise.all(done)));
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

async function measure(precision: 'float64' | 'float32', loaded: Loaded, threads: number): Promise<Ceiling | string> {
  if (!('module' in loaded)) return loaded.reason;
  const peak = instantiate(loaded.module);
  const rounds = calibrate(peak);
  const gflops = (ms: number, n: number) => (n * rounds * CHAINS * LANES[precision] * 2) / (ms * 1e6);
  let one = 0, all = 0;
  for (let r = 0; r < REPEATS; r++) {
    const t0 = performance.now();
    peak(rounds);
    one = Math.max(one, gflops(performance.now() - t0, 1));
    all = Math.max(all, gflops(await together(loaded.module, rounds, threads), threads));
  }
  return { precision, fused: loaded.fused === true, gflopsOne: one, threads, gflopsAll: all };
}

/** Both precisions' ceilings on this machine (or why a build cannot run here). */
export async function measureCeilings(threads = availableParallelism()): Promise<Array<Ceiling | string>> {
  return [await measure('float64', kernelModule(false), threads), await measure('float32', kernelModuleF32(false), threads)];
}

/** One line for the bench's report. */
export function ceilingLine(c: Ceiling): string {
  const op = c.precision === 'float64' ? 'f64x2' : 'f32x4';
  return `ceiling: ${c.precision} WebAssembly SIMD multiply-add (${op}, ${c.fused ? 'fused' : 'multiply then add'}): ${c.gflopsOne.toFixed(1)} GFLOP/s on 1 thread, ${c.gflopsAll.toFixed(1)} on ${c.threads}`;
}
