// One op suite over every backend that runs here (tfjs-core style): cpu in both kernel modes, gpu.js webasm, and
// gpu.js headlessgl when the `gl` module is built and has a display (scripts/setup-headlessgl.sh, xvfb-run).
// Every op is checked against a plain float64 reference written here, with the backend's own tolerance.

import { afterAll, describe, expect, it } from 'vitest';
import { ACTIVATIONS, type Activation } from '../../../engine/architecture';
import { LEAKY_SLOPE } from '../../../engine/activations';
import type { Backend, UpdateRule } from '../../../engine/backends/backend';
import { CpuBackend } from '../../../engine/backends/cpu';
import { createGpuBackend, type GpuBackend } from '../../../engine/backends/gpu';
import { explainHeadlessGL } from '../../../engine/backends/gpu-node';
import { scaledError } from '../../helpers/engine';

// ---------------------------------------------------------------- the backends

interface Candidate {
  label: string;
  backend: Backend | null;
  /** Why it is not here, when backend is null. */
  reason: string;
}

async function gpuCandidate(mode: 'webasm' | 'headlessgl'): Promise<Candidate> {
  try {
    return { label: `gpu ${mode}`, backend: await createGpuBackend({ mode, explainHeadlessGL }), reason: '' };
  } catch (e) {
    return { label: `gpu ${mode}`, backend: null, reason: (e as Error).message };
  }
}

const candidates: Candidate[] = [
  { label: 'cpu wasm-simd-f64', backend: null, reason: '' },
  { label: 'cpu js-f64', backend: new CpuBackend({ kernels: 'js' }), reason: '' },
  await gpuCandidate('webasm'),
  await gpuCandidate('headlessgl'),
];
try {
  candidates[0].backend = new CpuBackend({ kernels: 'wasm' });
} catch (e) {
  candidates[0].reason = (e as Error).message;
}
for (const c of candidates) if (!c.backend) console.warn(`conformance: ${c.label} is skipped: ${c.reason}`);

afterAll(async () => {
  for (const c of candidates) if (c.backend && 'dispose' in c.backend) await (c.backend as GpuBackend).dispose();
});

// ---------------------------------------------------------------- float64 references

/** A seeded uniform stream in [lo, hi) (mulberry32), so every run sees the same data. */
function rng(seed: number) {
  let s = seed >>> 0;
  return (n: number, lo = -1, hi = 1): Float64Array => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s = (s + 0x6d2b79f5) >>> 0;
      let t = s;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      out[i] = lo + (hi - lo) * (((t ^ (t >>> 14)) >>> 0) / 4294967296);
    }
    return out;
  };
}

/** Row-major transpose of an r×c matrix. */
function transpose(x: Float64Array, r: number, c: number): Float64Array {
  const t = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) t[j * r + i] = x[i * c + j];
  return t;
}

/** (M×K)·(K×N) / div, the textbook triple loop. */
function matmul(a: Float64Array, b: Float64Array, M: number, K: number, N: number, div: number): Float64Array {
  const c = new Float64Array(M * N);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += a[i * K + k] * b[k * N + j];
      c[i * N + j] = s / div;
    }
  return c;
}

function g(act: Exclude<Activation, 'softmax'>, v: number): number {
  switch (act) {
    case 'relu': return Math.max(0, v);
    case 'leaky_relu': return v > 0 ? v : LEAKY_SLOPE * v;
    case 'sigmoid': return 1 / (1 + Math.exp(-v));
    case 'tanh': return Math.tanh(v);
    case 'linear': return v;
  }
}

function forwardRef(z: Float64Array, bias: Float64Array, rows: number, cols: number, act: Activation): { z: Float64Array; a: Float64Array } {
  const zb = z.map((v, i) => v + bias[Math.floor(i / cols)]);
  if (act !== 'softmax') return { z: zb, a: zb.map((v) => g(act, v)) };
  const a = new Float64Array(rows * cols);
  for (let j = 0; j < cols; j++) {
    let sum = 0;
    for (let r = 0; r < rows; r++) sum += Math.exp(zb[r * cols + j]);
    for (let r = 0; r < rows; r++) a[r * cols + j] = Math.exp(zb[r * cols + j]) / sum;
  }
  return { z: zb, a };
}

function backwardRef(dA: Float64Array, z: Float64Array, a: Float64Array, rows: number, cols: number, act: Activation): Float64Array {
  const dz = new Float64Array(rows * cols);
  for (let i = 0; i < dz.length; i++) {
    switch (act) {
      case 'relu': dz[i] = z[i] > 0 ? dA[i] : 0; break;
      case 'leaky_relu': dz[i] = z[i] > 0 ? dA[i] : LEAKY_SLOPE * dA[i]; break;
      case 'sigmoid': { const s = g('sigmoid', z[i]); dz[i] = dA[i] * s * (1 - s); break; }
      case 'tanh': { const t = Math.tanh(z[i]); dz[i] = dA[i] * (1 - t * t); break; }
      case 'linear': dz[i] = dA[i]; break;
      case 'softmax': break; // per column, below
    }
  }
  if (act === 'softmax') {
    for (let j = 0; j < cols; j++) {
      let dot = 0;
      for (let r = 0; r < rows; r++) dot += dA[r * cols + j] * a[r * cols + j];
      for (let r = 0; r < rows; r++) dz[r * cols + j] = a[r * cols + j] * (dA[r * cols + j] - dot);
    }
  }
  return dz;
}

function updateRef(p: Float64Array, grad: Float64Array, state: Float64Array[], r: UpdateRule): void {
  for (let i = 0; i < p.length; i++) {
    const gi = grad[i] + r.l2 * p[i];
    if (r.kind === 'sgd') p[i] -= r.lr * gi;
    else if (r.kind === 'momentum') {
      state[0][i] = r.momentum * state[0][i] + gi;
      p[i] -= r.lr * state[0][i];
    } else {
      state[0][i] = r.beta1 * state[0][i] + (1 - r.beta1) * gi;
      state[1][i] = r.beta2 * state[1][i] + (1 - r.beta2) * gi * gi;
      const mhat = state[0][i] / (1 - r.beta1 ** r.t), vhat = state[1][i] / (1 - r.beta2 ** r.t);
      p[i] -= (r.lr * mhat) / (Math.sqrt(vhat) + r.epsilon);
    }
  }
}

// ---------------------------------------------------------------- the suite

/** (M, K, N): odd sizes, a single row or column, and one wide enough to cross a SIMD quad and a texture row. */
const GEMM_SHAPES: [number, number, number][] = [[1, 1, 1], [3, 5, 7], [1, 9, 13], [17, 33, 9], [25, 50, 130], [64, 31, 1]];
const ACT_SHAPES: [number, number][] = [[1, 1], [5, 13], [25, 66], [3, 129]];
const ROW_SUM_SHAPES: [number, number][] = [[1, 1], [3, 7], [5, 64], [7, 65], [2, 900], [4, 2049]];

for (const c of candidates) {
  describe.skipIf(!c.backend)(`${c.label}${c.backend ? '' : ` (skipped: ${c.reason})`}`, () => {
    const B = c.backend!;
    const tol = () => B.tolerance;

    it('copies data in and out: tensor, read, write, and a zero-filled tensor', () => {
      const r = rng(1);
      const x = r(3 * 7);
      const t = B.tensor(3, 7, x);
      expect(scaledError(B.read(t), x)).toBeLessThanOrEqual(tol());
      const y = r(21, -100, 100);
      B.write(t, y);
      expect(scaledError(B.read(t), y)).toBeLessThanOrEqual(tol());
      expect(Array.from(B.read(B.tensor(4, 5)))).toEqual(new Array(20).fill(0));
      expect(() => B.write(t, new Float64Array(5))).toThrow(/5 values for 3×7/);
      B.free(t);
    });

    for (const [M, K, N] of GEMM_SHAPES) {
      for (const [tA, tB] of [[false, false], [false, true], [true, false], [true, true]] as const) {
        it(`gemm ${M}×${K}·${K}×${N} ${tA ? 'Aᵀ' : 'A'}${tB ? 'Bᵀ' : 'B'}, divided by 1 and by ${K + 2}`, () => {
          const r = rng(M * 1000 + K * 10 + N + (tA ? 7 : 0) + (tB ? 3 : 0));
          const a = r(M * K), b = r(K * N);
          const A = B.tensor(tA ? K : M, tA ? M : K, tA ? transpose(a, M, K) : a);
          const Bt = B.tensor(tB ? N : K, tB ? K : N, tB ? transpose(b, K, N) : b);
          const out = B.tensor(M, N);
          for (const div of [1, K + 2]) {
            B.gemm(A, Bt, out, tA, tB, div);
            expect(scaledError(B.read(out), matmul(a, b, M, K, N, div))).toBeLessThanOrEqual(tol());
          }
          for (const t of [A, Bt, out]) B.free(t);
        });
      }
    }

    it('gemm rejects mismatched shapes with both shapes in the message', () => {
      const a = B.tensor(2, 3), b = B.tensor(4, 5), out = B.tensor(2, 5);
      expect(() => B.gemm(a, b, out, false, false, 1)).toThrow(/2×3 · 4×5/);
    });

    for (const act of ACTIVATIONS) {
      it(`biasActivation and activationBackward for ${act}`, () => {
        for (const [rows, cols] of act === 'softmax' ? [[1, 5], [4, 11], [10, 130]] : ACT_SHAPES) {
          const r = rng(rows * 31 + cols + act.length);
          // some z exactly at 0, where relu's and leaky_relu's rules switch, and some far out in the tails
          const z0 = r(rows * cols, -4, 4).map((v, i) => (i % 11 === 0 ? 0 : i % 13 === 0 ? v * 30 : v));
          const bias = r(rows).map((v, i) => (i === 0 ? 0 : v));
          const ref = forwardRef(z0, bias, rows, cols, act);
          const z = B.tensor(rows, cols, z0), bt = B.tensor(rows, 1, bias), a = B.tensor(rows, cols);
          expect(B.biasActivation(z, bt, act, a)).toBe(true);
          expect(scaledError(B.read(z), ref.z), `z ${rows}×${cols}`).toBeLessThanOrEqual(tol());
          expect(scaledError(B.read(a), ref.a), `a ${rows}×${cols}`).toBeLessThanOrEqual(tol());

          const dA0 = r(rows * cols, -2, 2);
          const dA = B.tensor(rows, cols, dA0), dz = B.tensor(rows, cols);
          B.activationBackward(dA, z, a, act, dz);
          expect(scaledError(B.read(dz), backwardRef(dA0, ref.z, ref.a, rows, cols, act)), `dz ${rows}×${cols}`).toBeLessThanOrEqual(tol());
          for (const t of [z, bt, a, dA, dz]) B.free(t);
        }
      });
    }

    for (const [rows, cols] of ROW_SUM_SHAPES) {
      it(`rowSums of ${rows}×${cols}, divided by ${cols}`, () => {
        const x0 = rng(rows + cols)(rows * cols, -1, 1);
        const want = new Float64Array(rows);
        for (let i = 0; i < rows; i++) {
          let s = 0;
          for (let j = 0; j < cols; j++) s += Math.abs(x0[i * cols + j]);
          want[i] = s / cols;
        }
        // |x| so the sums do not cancel: the error is then measured against the size of what was summed
        const x = B.tensor(rows, cols, x0.map(Math.abs)), out = B.tensor(rows, 1);
        B.rowSums(x, out, cols);
        expect(scaledError(B.read(out), want)).toBeLessThanOrEqual(tol());
        B.free(x);
        B.free(out);
      });
    }

    for (const kind of ['sgd', 'momentum', 'adam'] as const) {
      for (const l2 of [0, 0.01]) {
        it(`update: three ${kind} steps${l2 ? ' with L2' : ''} on a 7×3 weight and a 7×1 bias`, () => {
          for (const [rows, cols] of [[7, 3], [7, 1]]) {
            const r = rng(rows * cols + kind.length + (l2 ? 100 : 0));
            const p0 = r(rows * cols), ref = p0.slice();
            const slots = kind === 'sgd' ? 0 : kind === 'momentum' ? 1 : 2;
            const refState = Array.from({ length: slots }, () => new Float64Array(rows * cols));
            const p = B.tensor(rows, cols, p0);
            const state = Array.from({ length: slots }, () => B.tensor(rows, cols));
            for (let t = 1; t <= 3; t++) {
              const grad0 = r(rows * cols, -0.5, 0.5);
              const rule: UpdateRule = { kind, lr: 0.05, l2, momentum: 0.9, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, t };
              const grad = B.tensor(rows, cols, grad0);
              B.update(p, grad, state, rule);
              updateRef(ref, grad0, refState, rule);
              B.free(grad);
            }
            expect(scaledError(B.read(p), ref), `param ${rows}×${cols}`).toBeLessThanOrEqual(tol());
            state.forEach((s, i) => expect(scaledError(B.read(s), refState[i]), `state ${i}`).toBeLessThanOrEqual(tol()));
          }
        });
      }
    }
  });
}
