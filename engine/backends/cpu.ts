// The reference backend: float64 on the CPU, in plain TypeScript over Float64Arrays.

import type { Activation } from '../architecture';
import { activationBackward, biasActivate } from '../activations';
import type { Backend, Tensor, UpdateRule } from './backend';
import { gemmNN, gemmNT, gemmTN, gemmTT } from './kernels';

/** A CPU tensor: its float64 data is directly reachable (row-major). */
export class CpuTensor implements Tensor {
  readonly data: Float64Array;
  constructor(readonly rows: number, readonly cols: number, data?: ArrayLike<number>) {
    this.data = new Float64Array(rows * cols);
    if (data) this.data.set(data);
  }
}

function t(x: Tensor): CpuTensor {
  return x as CpuTensor;
}

function shapeError(op: string, detail: string): Error {
  return new Error(`cpu backend: ${op} got mismatched shapes (${detail})`);
}

export class CpuBackend implements Backend {
  readonly name = 'cpu';
  readonly mode = 'js-f64';
  readonly precision = 'float64' as const;
  readonly tolerance = 1e-12;

  tensor(rows: number, cols: number, data?: ArrayLike<number>): CpuTensor {
    if (data && data.length !== rows * cols) throw shapeError('tensor', `${data.length} values for ${rows}×${cols}`);
    return new CpuTensor(rows, cols, data);
  }

  read(x: Tensor): Float64Array {
    return t(x).data.slice();
  }

  write(x: Tensor, data: ArrayLike<number>): void {
    if (data.length !== x.rows * x.cols) throw shapeError('write', `${data.length} values for ${x.rows}×${x.cols}`);
    t(x).data.set(data);
  }

  gemm(a: Tensor, b: Tensor, out: Tensor, transA: boolean, transB: boolean, divisor: number): void {
    const M = transA ? a.cols : a.rows;
    const K = transA ? a.rows : a.cols;
    const Kb = transB ? b.cols : b.rows;
    const N = transB ? b.rows : b.cols;
    if (K !== Kb || out.rows !== M || out.cols !== N) {
      throw shapeError('gemm', `${a.rows}×${a.cols}${transA ? 'ᵀ' : ''} · ${b.rows}×${b.cols}${transB ? 'ᵀ' : ''} → ${out.rows}×${out.cols}`);
    }
    const A = t(a).data, B = t(b).data, C = t(out).data;
    if (!transA && !transB) gemmNN(A, B, C, M, K, N);
    else if (!transA && transB) gemmNT(A, B, C, M, K, N);
    else if (transA && !transB) gemmTN(A, B, C, M, K, N);
    else gemmTT(A, B, C, M, K, N);
    if (divisor !== 1) for (let i = 0; i < M * N; i++) C[i] /= divisor;
  }

  biasActivation(z: Tensor, bias: Tensor, activation: Activation, a: Tensor): boolean {
    return biasActivate(t(z).data, t(bias).data, z.rows, z.cols, activation, t(a).data);
  }

  activationBackward(dA: Tensor, z: Tensor, a: Tensor, activation: Activation, dz: Tensor): void {
    activationBackward(t(dA).data, t(z).data, t(a).data, z.rows, z.cols, activation, t(dz).data);
  }

  rowSums(x: Tensor, out: Tensor, divisor: number): void {
    const d = t(x).data, o = t(out).data;
    const { rows, cols } = x;
    for (let r = 0; r < rows; r++) {
      let s = 0;
      const base = r * cols;
      for (let j = 0; j < cols; j++) s += d[base + j];
      o[r] = s / divisor;
    }
  }

  update(param: Tensor, grad: Tensor, state: Tensor[], rule: UpdateRule): void {
    cpuUpdate(t(param).data, t(grad).data, state.map((s) => t(s).data), rule);
  }

  free(): void {
    // garbage-collected
  }
}

/** The optimizer step over flat arrays; state is [] for sgd, [velocity] for momentum, [m, v] for adam. */
export function cpuUpdate(p: Float64Array, g: Float64Array, state: Float64Array[], rule: UpdateRule): void {
  const n = p.length;
  const { lr, l2 } = rule;
  switch (rule.kind) {
    case 'sgd':
      // the notebook's W -= lr · dW (with the L2 term only when asked for, so the plain case stays exact)
      if (l2 === 0) for (let i = 0; i < n; i++) p[i] -= lr * g[i];
      else for (let i = 0; i < n; i++) p[i] -= lr * (g[i] + l2 * p[i]);
      break;
    case 'momentum': {
      const v = state[0];
      const mu = rule.momentum;
      for (let i = 0; i < n; i++) {
        const gi = l2 === 0 ? g[i] : g[i] + l2 * p[i];
        v[i] = mu * v[i] + gi;
        p[i] -= lr * v[i];
      }
      break;
    }
    case 'adam': {
      const [m, v] = state;
      const { beta1, beta2, epsilon } = rule;
      const c1 = 1 - Math.pow(beta1, rule.t);
      const c2 = 1 - Math.pow(beta2, rule.t);
      for (let i = 0; i < n; i++) {
        const gi = l2 === 0 ? g[i] : g[i] + l2 * p[i];
        m[i] = beta1 * m[i] + (1 - beta1) * gi;
        v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
        p[i] -= (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + epsilon);
      }
      break;
    }
  }
}
