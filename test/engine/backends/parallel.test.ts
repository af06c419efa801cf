// The threaded CPU backends against their one-thread versions: every op on odd shapes (which leave uneven shares
// and tails) gives the same bits, because each output element is still computed by one thread in the same order,
// and a few epochs of training give the same cost history. float64 and float32, 2 and 3 threads.

import { afterAll, describe, expect, it } from 'vitest';
import type { Activation } from '../../../engine/architecture';
import type { Backend, Tensor, UpdateRule } from '../../../engine/backends/backend';
import { CpuBackend } from '../../../engine/backends/cpu';
import { CpuF32Backend } from '../../../engine/backends/cpu-f32';
import { KernelPool, ParallelCpuBackend } from '../../../engine/backends/parallel';
import { loadModule, WasmHeap } from '../../../engine/backends/wasm/heap';
import { KERNELS_MT_WASM_BASE64 } from '../../../engine/backends/wasm/kernels-mt-wasm';
import { resolveConfig } from '../../../engine/config';
import { createTrainer } from '../../../engine/train';

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomMatrix(rand: () => number, rows: number, cols: number): Float64Array {
  const x = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    if (rows > 2 && rand() < 0.2) continue; // dead rows
    for (let c = 0; c < cols; c++) x[r * cols + c] = rand() < 0.3 ? 0 : rand() * 2 - 1;
  }
  return x;
}

/** Runs the same ops on two backends; returns both results of every op. */
function runOps(B: Backend, seed: number): Float64Array[] {
  const rand = rng(seed);
  const out: Float64Array[] = [];
  const T = (r: number, c: number, d?: Float64Array): Tensor => B.tensor(r, c, d);
  // gemms at least MIN_SPLIT_GEMM multiply-adds are split: by columns where C is wider than tall ([256, 64, 515]),
  // else by rows ([515, 64, 256]: a part's rows cross a 256-row group, leaving a group of 4; [258, 1000, 3])
  const shapes: [number, number, number][] = [[1, 1, 1], [3, 5, 7], [9, 17, 130], [256, 64, 515], [515, 64, 256], [258, 1000, 3], [1, 256, 515], [64, 515, 256], [2, 1000, 3], [13, 7, 1]];
  for (const [M, K, N] of shapes) {
    for (const [tA, tB] of [[false, false], [false, true], [true, false]] as const) {
      const a = randomMatrix(rand, tA ? K : M, tA ? M : K), b = randomMatrix(rand, tB ? N : K, tB ? K : N);
      const C = T(M, N);
      B.gemm(T(tA ? K : M, tA ? M : K, a), T(tB ? N : K, tB ? K : N, b), C, tA, tB, tB ? 515 : 1);
      out.push(B.read(C));
    }
    const z = randomMatrix(rand, M, N), bias = randomMatrix(rand, M, 1), dA = randomMatrix(rand, M, N);
    for (const act of ['relu', 'leaky_relu', 'linear', 'sigmoid', 'tanh'] as Activation[]) {
      const Z = T(M, N, z), A = T(M, N), dZ = T(M, N);
      out.push(Float64Array.of(Number(B.biasActivation(Z, T(M, 1, bias), act, A))), B.read(Z), B.read(A));
      B.activationBackward(T(M, N, dA), Z, A, act, dZ);
      out.push(B.read(dZ));
    }
    const s = T(M, 1);
    B.rowSums(T(M, N, z), s, N);
    out.push(B.read(s));
    const rule: UpdateRule = { kind: 'sgd', lr: 0.1, l2: 0.01, momentum: 0, beta1: 0, beta2: 0, epsilon: 0, t: 1 };
    const P = T(M, N, z);
    B.update(P, T(M, N, dA), [], rule);
    out.push(B.read(P));
    for (const kind of ['momentum', 'adam'] as const) {
      const Q = T(M, N, z), S = [T(M, N), T(M, N)];
      for (let t = 1; t <= 2; t++) B.update(Q, T(M, N, dA), S, { kind, lr: 0.01, l2: 0.001, momentum: 0.9, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, t });
      out.push(B.read(Q), B.read(S[0]), B.read(S[1]));
    }
  }
  return out;
}

const moons = resolveConfig({ architecture: [{ input_dim: 2, output_dim: 33, activation: 'relu' }, { input_dim: 33, output_dim: 17, activation: 'tanh' }, { input_dim: 17, output_dim: 1, activation: 'sigmoid' }] });

async function costs(B: Backend, batchSize: number | null): Promise<number[]> {
  const config = { ...moons, training: { ...moons.training, epochs: 15, batchSize } };
  const tr = await createTrainer(config, { backend: { backend: B, info: { name: B.name, mode: B.mode, precision: B.precision, reason: 'test' } } });
  const r = await tr.run();
  tr.free();
  return [...r.costHistory, r.finalCost];
}

const made: ParallelCpuBackend[] = [];
afterAll(async () => {
  for (const b of made) await b.dispose();
});

describe.each([
  { precision: 'float64' as const, threads: 2, single: () => new CpuBackend({ kernels: 'wasm' }) },
  { precision: 'float64' as const, threads: 3, single: () => new CpuBackend({ kernels: 'wasm' }) },
  { precision: 'float32' as const, threads: 2, single: () => new CpuF32Backend() },
  { precision: 'float32' as const, threads: 3, single: () => new CpuF32Backend() },
])('ParallelCpuBackend $precision, $threads threads', ({ precision, threads, single }) => {
  const get = (() => {
    let p: Promise<ParallelCpuBackend> | null = null;
    return () =>
      (p ??= ParallelCpuBackend.create({ precision, threads }).then((b) => {
        made.push(b);
        return b;
      }));
  })();

  it('reports its mode, precision and thread count', async () => {
    const B = await get();
    expect(B.mode).toBe(`wasm-simd-${precision === 'float32' ? 'f32' : 'f64'}-threads${threads}`);
    expect(B.precision).toBe(precision);
    expect(B.threads).toBe(threads);
    expect(B.tolerance).toBe(single().tolerance);
  });

  it('gives the one-thread backend\'s bits for every op on odd shapes', async () => {
    const B = await get();
    const got = runOps(B, 7), want = runOps(single(), 7);
    expect(got.length).toBe(want.length);
    got.forEach((g, i) => {
      if (g.length !== want[i].length || g.some((v, j) => !Object.is(v, want[i][j]))) throw new Error(`op result ${i} differs`);
    });
  });

  it('gives the same bits on fewer active threads (setThreads), down to the calling thread alone', async () => {
    const B = await get();
    const want = runOps(single(), 11);
    for (let n = threads - 1; n >= 1; n--) {
      B.setThreads(n);
      expect(B.activeThreads).toBe(n);
      const got = runOps(B, 11);
      got.forEach((g, i) => {
        if (g.length !== want[i].length || g.some((v, j) => !Object.is(v, want[i][j]))) throw new Error(`op result ${i} differs on ${n} threads`);
      });
    }
    B.setThreads(99);
    expect(B.activeThreads).toBe(threads);
  });

  it.each([null, 64])('trains to the one-thread cost history bit for bit (batch %s)', async (batch) => {
    const B = await get();
    expect(await costs(B, batch)).toEqual(await costs(single(), batch));
  });
});

describe('ParallelCpuBackend lifecycle', () => {
  it('refuses a bad thread count and runs no kernel after dispose', async () => {
    await expect(ParallelCpuBackend.create({ threads: 0 })).rejects.toThrow(/threads must be a whole number ≥ 1/);
    const B = await ParallelCpuBackend.create({ threads: 2 });
    const x = B.tensor(2, 2, [1, 2, 3, 4]);
    await B.dispose();
    expect(() => B.gemm(x, x, B.tensor(2, 2), false, false, 1)).toThrow(/disposed/);
  });
});

describe('KernelPool: a part its worker has not started', () => {
  // Workers that never spin sleep between jobs, and waking one takes longer than the calling thread's share of a
  // small job: the calling thread takes the sleeping worker's part back and runs it itself, rather than waiting
  // for a thread that has not started (as when another process has its core). The parts are the same whoever
  // runs them, so the bits are those of one thread.
  it.each([2, 3])('is run by the calling thread, with the one-thread bits (%i threads)', async (threads) => {
    const loaded = loadModule(KERNELS_MT_WASM_BASE64);
    if (!('module' in loaded)) throw new Error(loaded.reason);
    const pool = await KernelPool.create(loaded.module, threads, ['sgd_mt'], 0);
    try {
      const heap = new WasmHeap(loaded.module, { memory: pool.memory });
      const n = 4096, jobs = 200;
      const p = heap.alloc(8 * n), g = heap.alloc(8 * n);
      const rand = rng(5);
      const p0 = Float64Array.from({ length: n }, () => rand() * 2 - 1), grad = Float64Array.from({ length: n }, () => rand() * 2 - 1);
      const params = () => new Float64Array(pool.memory.buffer, p, n);
      new Float64Array(pool.memory.buffer, g, n).set(grad);
      // the updates on the calling thread alone, then on the pool from the same start
      params().set(p0);
      for (let i = 0; i < jobs; i++) pool.exports['sgd_mt']!(p, g, n, 0.01, 0.001, 0, 1);
      const want = Float64Array.from(params());
      params().set(p0);
      for (let i = 0; i < jobs; i++) pool.run('sgd_mt', [p, g, n, 0.01, 0.001]);
      const got = params();
      expect(pool.takenBack).toBeGreaterThan(0);
      got.forEach((v, i) => {
        if (!Object.is(v, want[i])) throw new Error(`element ${i} differs: ${v} vs ${want[i]}`);
      });
    } finally {
      await pool.close();
    }
  });
});
