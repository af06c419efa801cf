// The float32 CPU path (CpuF32Backend, WebAssembly f32x4 kernels) against straightforward float64 references on
// odd shapes: gemm in every transpose (within the float32 summation bound), bias+activation, activation backward,
// row sums and the optimizer steps. The inputs are float32 values, so only the kernels' own rounding is measured.

import { describe, expect, it } from 'vitest';
import type { Activation } from '../../engine/architecture';
import { activationBackward, biasActivate } from '../../engine/activations';
import type { UpdateRule } from '../../engine/backends/backend';
import { cpuUpdate } from '../../engine/backends/cpu';
import { CpuF32Backend } from '../../engine/backends/cpu-f32';
import { kernelModuleF32, loadModule, WasmHeap, type WasmF32Kernels } from '../../engine/backends/wasm/heap';
import { KERNELS_F32_WASM_BASE64 } from '../../engine/backends/wasm/kernels-f32-wasm';

/** float32's unit roundoff. */
const U = 2 ** -24;

/** A seeded generator (mulberry32) so failures reproduce. */
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

/** rows×cols float32 values in [-1, 1), with exact zeros and some all-zero rows (dead ReLUs). */
function randomMatrix(rand: () => number, rows: number, cols: number, zeros = 0.3, deadRows = 0.2): Float64Array {
  const x = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    if (rows > 2 && rand() < deadRows) continue;
    for (let c = 0; c < cols; c++) x[r * cols + c] = rand() < zeros ? 0 : Math.fround(rand() * 2 - 1);
  }
  return x;
}

function referenceGemm(a: Float64Array, b: Float64Array, M: number, K: number, N: number, tA: boolean, tB: boolean, divisor: number) {
  const c = new Float64Array(M * N), scale = new Float64Array(M * N);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let s = 0, abs = 0;
      for (let k = 0; k < K; k++) {
        const p = (tA ? a[k * M + i] : a[i * K + k]) * (tB ? b[j * K + k] : b[k * N + j]);
        s += p;
        abs += Math.abs(p);
      }
      c[i * N + j] = s / divisor;
      scale[i * N + j] = abs / divisor;
    }
  return { c, scale };
}

const chosen = kernelModuleF32();
const skip = !('module' in chosen);
/** Both builds of kernels-f32.c: the one the engine loads here, and the one with separate multiplies and adds. */
const builds = [
  { build: 'as loaded', make: () => new CpuF32Backend() },
  { build: 'separate multiply and add', make: () => new CpuF32Backend({ heap: new WasmHeap<WasmF32Kernels>((loadModule(KERNELS_F32_WASM_BASE64) as { module: WebAssembly.Module }).module) }) },
];

// Node ≥ 20.16 and every Chromium since 114 have relaxed SIMD: the fused build is the one these tests run as loaded
it.skipIf(skip)('loads the build with fused multiply-adds, and says so', () => {
  expect(chosen).toMatchObject({ fused: true });
  expect(new CpuF32Backend().modeReason).toMatch(/fused multiply-adds/);
});
const sizes = [1, 2, 3, 5, 8, 9, 17, 130];
// the scale workload's shapes at a smaller batch, and odd ones that leave tails in every blocking (263 rows: two groups
// of packed rows, MC)
const extraShapes: [number, number, number][] = [[256, 64, 515], [256, 256, 67], [1, 256, 515], [64, 515, 256], [3, 131, 257], [9, 1000, 13], [263, 9, 70]];

describe.skipIf(skip).each(builds)('cpu float32 kernels (wasm-simd-f32, $build)', ({ make }) => {
  const B = skip ? (null as unknown as CpuF32Backend) : make();

  it('runs as wasm-simd-f32 in float32', () => {
    expect(B.mode).toBe('wasm-simd-f32');
    expect(B.precision).toBe('float32');
    expect(B.tolerance).toBeGreaterThan(0);
  });

  it.each([
    [false, false],
    [false, true],
    [true, false],
    [true, true],
  ])('gemm (transA %s, transB %s) is within the float32 summation bound of a float64 triple loop on odd shapes', (tA, tB) => {
    const rand = rng(31 + Number(tA) * 2 + Number(tB));
    const shapes: [number, number, number][] = [...extraShapes];
    for (const M of sizes) for (const K of sizes) for (const N of sizes) if (M * K * N < 40000) shapes.push([M, K, N]);
    for (const [M, K, N] of shapes) {
      const a = randomMatrix(rand, tA ? K : M, tA ? M : K), b = randomMatrix(rand, tB ? N : K, tB ? K : N);
      const divisor = rand() < 0.5 ? 1 : 512;
      const out = B.tensor(M, N, new Float64Array(M * N).fill(NaN)); // stale contents must not leak through
      B.gemm(B.tensor(tA ? K : M, tA ? M : K, a), B.tensor(tB ? N : K, tB ? K : N, b), out, tA, tB, divisor);
      const got = B.read(out);
      const ref = referenceGemm(a, b, M, K, N, tA, tB, divisor);
      for (let i = 0; i < M * N; i++) {
        // |error| ≤ γ_K·Σ|terms| for any summation order, plus the rounding of the division
        const bound = (K + 2) * U * ref.scale[i] + U * Math.abs(ref.c[i]);
        if (!(Math.abs(got[i] - ref.c[i]) <= bound)) throw new Error(`${M}×${K}×${N} element ${i}: ${got[i]} vs ${ref.c[i]} (bound ${bound})`);
      }
    }
  });

  it('gemm rejects mismatched shapes with both shapes in the message', () => {
    expect(() => B.gemm(B.tensor(2, 3), B.tensor(4, 5), B.tensor(2, 5), false, false, 1)).toThrow(/2×3 · 4×5 → 2×5/);
  });

  const activations: Activation[] = ['relu', 'leaky_relu', 'linear', 'sigmoid', 'tanh', 'softmax'];

  it.each(activations)('biasActivation %s matches engine/activations.ts to float32 rounding', (act) => {
    const rand = rng(act.length + 100);
    for (const [rows, cols] of [[1, 1], [3, 7], [50, 131], [5, 129]] as const) {
      const z = randomMatrix(rand, rows, cols, 0.2, 0).map((v) => Math.fround(v * 8));
      const bias = randomMatrix(rand, rows, 1, 0.1, 0);
      const zr = z.slice(), ar = new Float64Array(rows * cols);
      const okRef = biasActivate(zr, bias, rows, cols, act, ar);
      const Z = B.tensor(rows, cols, z), A = B.tensor(rows, cols);
      expect(B.biasActivation(Z, B.tensor(rows, 1, bias), act, A)).toBe(okRef);
      const gz = B.read(Z), ga = B.read(A);
      for (let i = 0; i < rows * cols; i++) {
        expect(Math.abs(gz[i] - zr[i])).toBeLessThanOrEqual(U * Math.abs(zr[i]));
        expect(Math.abs(ga[i] - ar[i])).toBeLessThanOrEqual(4 * U * Math.max(1, Math.abs(ar[i])));
      }
    }
  });

  it('biasActivation reports a NaN or infinite output', () => {
    const Z = B.tensor(2, 5, [1, 2, 3, 4, 5, 6, 7, Infinity, 9, 10]), A = B.tensor(2, 5);
    expect(B.biasActivation(Z, B.tensor(2, 1), 'relu', A)).toBe(false);
    expect(B.biasActivation(B.tensor(2, 5, new Array(10).fill(1)), B.tensor(2, 1), 'relu', A)).toBe(true);
  });

  it.each(activations)('activationBackward %s matches engine/activations.ts to float32 rounding', (act) => {
    const rand = rng(act.length + 200);
    for (const [rows, cols] of [[1, 1], [3, 7], [50, 131]] as const) {
      const dA = randomMatrix(rand, rows, cols, 0.1, 0), z = randomMatrix(rand, rows, cols, 0.2, 0);
      const a = new Float64Array(rows * cols);
      biasActivate(z.slice(), new Float64Array(rows), rows, cols, act, a);
      const a32 = Float64Array.from(a, Math.fround);
      const ref = new Float64Array(rows * cols);
      activationBackward(dA, z, a32, rows, cols, act, ref);
      const dz = B.tensor(rows, cols);
      B.activationBackward(B.tensor(rows, cols, dA), B.tensor(rows, cols, z), B.tensor(rows, cols, a32), act, dz);
      const got = B.read(dz);
      for (let i = 0; i < rows * cols; i++) expect(Math.abs(got[i] - ref[i])).toBeLessThanOrEqual(4 * U * Math.max(Math.abs(ref[i]), 1e-30) + 1e-30);
    }
  });

  it('rowSums are within the float32 summation bound of a float64 sum', () => {
    const rand = rng(9);
    for (const [rows, cols] of [[1, 1], [3, 15], [7, 16], [5, 17], [256, 515], [1, 16384]] as const) {
      const x = randomMatrix(rand, rows, cols);
      const out = B.tensor(rows, 1);
      B.rowSums(B.tensor(rows, cols, x), out, 512);
      const got = B.read(out);
      for (let r = 0; r < rows; r++) {
        let s = 0, abs = 0;
        for (let c = 0; c < cols; c++) (s += x[r * cols + c]), (abs += Math.abs(x[r * cols + c]));
        expect(Math.abs(got[r] - s / 512)).toBeLessThanOrEqual(((cols + 2) * U * abs) / 512 + U * Math.abs(s / 512));
      }
    }
  });

  it.each(['sgd', 'momentum', 'adam'] as const)('update (%s, with and without L2) matches the float64 step to float32 rounding', (kind) => {
    const rand = rng(kind.length);
    for (const l2 of [0, 0.01]) {
      const n = 37;
      const p = randomMatrix(rand, n, 1, 0, 0), g = randomMatrix(rand, n, 1, 0, 0);
      const slots = kind === 'sgd' ? 0 : kind === 'momentum' ? 1 : 2;
      const rule: UpdateRule = { kind, lr: 0.05, l2, momentum: 0.9, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, t: 1 };
      const P = B.tensor(n, 1, p), S = Array.from({ length: slots }, () => B.tensor(n, 1));
      const pr = p.slice(), sr = Array.from({ length: slots }, () => new Float64Array(n));
      for (let step = 1; step <= 3; step++) {
        B.update(P, B.tensor(n, 1, g), S, { ...rule, t: step });
        cpuUpdate(pr, g, sr, { ...rule, t: step });
      }
      const got = B.read(P);
      for (let i = 0; i < n; i++) expect(Math.abs(got[i] - pr[i])).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(pr[i])));
    }
  });

  it('frees tensors back to its memory', () => {
    const before = B.heap.allocatedBytes;
    const x = B.tensor(100, 100);
    expect(B.heap.allocatedBytes).toBeGreaterThan(before);
    B.free(x);
    expect(B.heap.allocatedBytes).toBe(before);
  });
});
